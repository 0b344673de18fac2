"""The grader's directional gradient check against the element-by-element centred-difference loop.

Both run through the grader's runner on the reference package, on the same inputs and the same
scalar loss sum(forward(x) * dout):

* directional: grader.core.cases.run_grad_case (grader.core.numgrad.directional_gradient_check), 3 random
  directions per input, 2 forward evaluations each;
* full: grader.core.numgrad.full_numeric_gradient for every input, 2 forward evaluations per element.

Reported: forward evaluations counted, median wall time, ratios full / directional, and the
rel_error of the full numeric gradient against the analytic one (both methods check the same thing).

    python benchmarks/bench_gradcheck.py [--quick]
"""
import copy
import time

from _common import median_time, ms, parse_args, ratio, report  # before numpy: thread limits
import numpy as np

from grader.core.cases import GradCase, run_grad_case
from grader.core.compare import rel_error
from grader.core.numgrad import full_numeric_gradient
from grader.core.runner import Runner


def batchnorm_forward(call, inputs):
    return call("normalization.batchnorm_forward", inputs["x"], inputs["gamma"], inputs["beta"], {"mode": "train"})


def affine_forward(call, inputs):
    return call("layers.affine_forward", inputs["x"], inputs["w"], inputs["b"])


def relu_forward(call, inputs):
    return call("activations.relu_forward", inputs["x"])


def make_cases(N, D, M):
    """(GradCase, inputs) for batchnorm (N, D), affine (N, D) -> (N, M) and relu (N, D)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, D))
    x_away = np.where(x >= 0, x + 0.1, x - 0.1)  # relu: stay off the kink at 0
    return [
        (GradCase("bench", "batchnorm_backward", f"batchnorm N={N} D={D}", None, batchnorm_forward,
                  "normalization.batchnorm_backward", ("x", "gamma", "beta")),
         {"x": x, "gamma": 1 + 0.1 * rng.standard_normal(D), "beta": 0.1 * rng.standard_normal(D)}),
        (GradCase("bench", "affine_backward", f"affine N={N} D={D} M={M}", None, affine_forward,
                  "layers.affine_backward", ("x", "w", "b")),
         {"x": x, "w": rng.standard_normal((D, M)) / np.sqrt(D), "b": rng.standard_normal(M)}),
        (GradCase("bench", "relu_backward", f"relu N={N} D={D}", None, relu_forward,
                  "activations.relu_backward", ("x",)),
         {"x": x_away}),
    ]


def counting(case):
    """A copy of case whose forward counts its calls in the returned list."""
    count = [0]

    def forward(call, inputs):
        count[0] += 1
        return case.forward(call, inputs)

    return GradCase(case.topic, case.function, case.name, case.make, forward, case.backward, case.wrt), count


def directional(case, runner, inputs):
    run_grad_case(case, runner.call, copy.deepcopy(inputs), np.random.default_rng(1))


def full(case, runner, inputs):
    """Element-by-element numeric gradients of every input; returns them with the analytic ones."""
    out, cache = case.forward(runner.call, inputs)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    analytic = runner.call(case.backward, dout, cache)
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)

    def loss(point):
        return float(np.sum(case.forward(runner.call, point)[0] * dout))

    numeric = [full_numeric_gradient(loss, inputs, name) for name in case.wrt]
    return numeric, analytic


def measure(case, inputs, runner, repeats_dir):
    """One table row. The full loop is timed once, while its evaluations are counted: one run takes
    seconds to a minute, far above timer resolution, and its ratio to the directional check is in
    the thousands, far above run-to-run variation."""
    counted, count = counting(case)
    start = time.perf_counter()
    numeric, analytic = full(counted, runner, inputs)
    t_full = time.perf_counter() - start
    evals_full, count[0] = count[0], 0
    directional(counted, runner, inputs)
    evals_dir = count[0]
    t_dir = median_time(lambda: directional(case, runner, inputs), repeats_dir)
    agreement = max(rel_error(n, a) for n, a in zip(numeric, analytic))
    return [case.name, evals_dir, evals_full, ratio(evals_full, evals_dir), ms(t_dir), ms(t_full),
            ratio(t_full, t_dir), f"{agreement:.1e}"]


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    N, D, M = (8, 16, 10) if args.quick else (64, 256, 100)
    repeats_dir = 1 if args.quick else 7
    runner = Runner()
    rows = [measure(case, inputs, runner, repeats_dir) for case, inputs in make_cases(N, D, M)]
    report("Gradient check: directional (grader) vs element by element",
           "Forward evaluations and median wall time of one full check of a backward pass, through the "
           "grader's runner on the reference package.",
           ["case", "evals directional", "evals full", "evals ratio", "directional ms", "full ms",
            "time ratio", "full vs analytic rel_error"],
           rows,
           [f"Directional: median of {repeats_dir} samples; full: one run (it takes seconds). The last column is "
            f"the elementwise rel_error of the full numeric gradient against the analytic one: entries near zero "
            f"make it exceed 1e-6 for correct gradients at large sizes.{' QUICK run.' if args.quick else ''}"])


if __name__ == "__main__":
    main()
