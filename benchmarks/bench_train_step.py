"""One training step of FullyConnectedNet against the same network in PyTorch on the CPU.

Network: 4 hidden layers {affine -> batchnorm -> relu -> dropout} and an affine output layer
(5 affine layers), softmax cross-entropy, plain SGD. A step is forward, backward and the update of
every parameter. Both frameworks use the same dtype; PyTorch is optional ('torch not installed,
skipped' when it cannot be imported).

    python benchmarks/bench_train_step.py [--quick]
"""
from _common import THREADS, median_time, ms, parse_args, ratio, report  # before numpy: thread limits
import numpy as np

from trainlab.model import FullyConnectedNet

HIDDEN_LAYERS = 4
KEEP_PROB = 0.5
LEARNING_RATE = 1e-3
NUM_CLASSES = 10


def numpy_step_fn(X, y, hidden, dtype):
    model = FullyConnectedNet([hidden] * HIDDEN_LAYERS, X.shape[1], NUM_CLASSES, normalization="batchnorm",
                              keep_prob=KEEP_PROB, dtype=dtype, seed=0)
    X = X.astype(dtype)

    def step():
        _, grads = model.loss(X, y)
        for name, w in model.params.items():
            model.params[name] = w - LEARNING_RATE * grads[name]

    return step


def torch_step_fn(torch, X, y, hidden, dtype):
    nn = torch.nn
    layers, width = [], X.shape[1]
    for _ in range(HIDDEN_LAYERS):
        layers += [nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(1 - KEEP_PROB)]
        width = hidden
    net = nn.Sequential(*layers, nn.Linear(width, NUM_CLASSES)).to(dtype).train()
    optimizer = torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)
    X_t, y_t = torch.from_numpy(X).to(dtype), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(net(X_t), y_t)
        loss.backward()
        optimizer.step()

    return step


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    batch, input_dim, hidden = (16, 64, 32) if args.quick else (128, 3072, 256)
    repeats = 2 if args.quick else 15
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, input_dim))
    y = rng.integers(NUM_CLASSES, size=batch)
    try:
        import torch

        torch.set_num_threads(THREADS)
    except ImportError:
        torch = None
    rows = []
    for np_dtype, name in ((np.float64, "float64"), (np.float32, "float32")):
        t_np = median_time(numpy_step_fn(X, y, hidden, np_dtype), repeats)
        if torch is None:
            rows.append([name, ms(t_np), "torch not installed, skipped", "n/a"])
            continue
        t_torch = median_time(torch_step_fn(torch, X, y, hidden, getattr(torch, name)), repeats)
        rows.append([name, ms(t_np), ms(t_torch), ratio(t_np, t_torch)])
    threads = (f"torch {torch.__version__} (intra-op threads: {torch.get_num_threads()})" if torch
               else "torch not installed, skipped")
    report("One training step: trainlab (NumPy) vs PyTorch CPU",
           f"Batch {batch}, input {input_dim}, {HIDDEN_LAYERS} hidden layers of {hidden} with batchnorm, relu and "
           f"dropout (keep_prob {KEEP_PROB}), {NUM_CLASSES} classes; forward + backward + SGD update. "
           f"Median of {repeats} samples.",
           ["dtype", "trainlab ms", "torch ms", "ratio trainlab / torch"], rows,
           [f"NumPy {np.__version__} (BLAS threads: {THREADS}); {threads}.{' QUICK run.' if args.quick else ''}"])


if __name__ == "__main__":
    main()
