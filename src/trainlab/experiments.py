"""The measurements behind the notebooks' quantitative sentences, as functions that return numbers.

A notebook calls one of these for its figure and its printed numbers; tests/test_claims.py calls
the same function over several seeds and asserts the direction and rough size of what the
notebook says. So a sentence that the data stops supporting fails a test instead of misleading
a student. Nothing here is graded: it is given code, like layers.py and solver.py.
"""
from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------- training one network

def train_network(data, hidden, seed, update_rule, lr, epochs, batch_size=50, schedule=None, schedule_params=None,
                  ignore_overflow=False, **model_options):
    """A FullyConnectedNet (hidden layer sizes, model_options as its keywords) trained by a quiet
    Solver on the data dict, model and minibatch order seeded with `seed`. ignore_overflow: a run
    meant to diverge, with NumPy's overflow warnings silenced. Returns the trained Solver."""
    from .model import FullyConnectedNet
    from .solver import Solver

    classes = int(max(np.max(data["y_train"]), np.max(data["y_val"]))) + 1
    model = FullyConnectedNet(list(hidden), data["X_train"].shape[1], classes, seed=seed, **model_options)
    solver = Solver(model, data, update_rule=update_rule, optim_config={"learning_rate": lr}, lr_schedule=schedule,
                    schedule_params=schedule_params, batch_size=batch_size, num_epochs=epochs, verbose=False,
                    progress=False, seed=seed)
    with np.errstate(all="ignore" if ignore_overflow else None):
        solver.train()
    return solver


# ---------------------------------------------------------------- 01: zero-centred inputs

def sgd_path(inputs, w_star, lr=0.5, steps=400, seed=0):
    """Per-example gradient descent on 0.5 * (w.x - w_star.x)^2 from w = 0.

    inputs: (n, 2); each step draws one row. Returns the visited weights, (steps + 1, 2).
    """
    rng = np.random.default_rng(seed)
    w = np.zeros(2)
    path = [w.copy()]
    for i in rng.integers(0, len(inputs), size=steps):
        x = inputs[i]
        w = w - lr * (w @ x - w_star @ x) * x
        path.append(w.copy())
    return np.array(path)


def positive_and_centred_inputs(seed=0, n=500):
    """Inputs like sigmoid outputs (uniform in [0.1, 0.9]^2), and the same points centred and
    rescaled to the same mean squared norm E|x|^2: the two sets differ only in their mean, so a
    difference in convergence speed cannot come from the step size the inputs imply."""
    rng = np.random.default_rng(seed)
    positive = rng.uniform(0.1, 0.9, size=(n, 2))
    centred = positive - positive.mean(axis=0)
    centred *= np.sqrt(np.mean(np.sum(positive ** 2, axis=1)) / np.mean(np.sum(centred ** 2, axis=1)))
    return positive, centred


def steps_to_reach(path, w_star, tol=0.01):
    """The first step at which the path is within tol of w_star (len(path) if it never is)."""
    hits = np.flatnonzero(np.linalg.norm(path - w_star, axis=1) < tol)
    return int(hits[0]) if hits.size else len(path)


def zigzag_convergence(seed=0, lr=0.5, steps=2000, tol=0.01):
    """Steps to within tol of w* = (1, -1) from positive inputs and from centred inputs of the
    same E|x|^2, and the fraction of updates that move both weights the same way in each case.

    Returns {"positive": steps, "centred": steps, "same_sign_positive": f, "same_sign_centred": f}.
    """
    w_star = np.array([1.0, -1.0])
    result = {}
    for name, inputs in zip(("positive", "centred"), positive_and_centred_inputs(seed)):
        path = sgd_path(inputs, w_star, lr=lr, steps=steps, seed=seed)
        moves = np.diff(path, axis=0)
        moves = moves[np.abs(moves).min(axis=1) > 1e-9]  # once converged, the moves are rounding
        result[name] = steps_to_reach(path, w_star, tol)
        result[f"same_sign_{name}"] = float(np.mean(np.sign(moves[:, 0]) == np.sign(moves[:, 1])))
    return result


# ---------------------------------------------------------------- 06: learning-rate schedules

def schedule_table(epochs):
    """label -> (schedule function, its parameters): every decaying schedule ends at about a
    tenth of lr0 after `epochs` epochs (cosine and
    linear at 0), so they differ only in their shape."""
    from . import schedules

    return {
        "constant": (schedules.constant, {}),
        "step": (schedules.step_decay, {"drop": 0.3, "every": epochs / 3}),
        "exponential": (schedules.exponential_decay, {"k": np.log(10) / epochs}),
        "1/t": (schedules.inverse_time_decay, {"k": 9 / epochs}),
        "cosine": (schedules.cosine_decay, {"total": epochs}),
        "linear": (schedules.linear_decay, {"total": epochs}),
        "1/sqrt(t)": (schedules.inverse_sqrt_decay, {"k": 99 / epochs}),
    }


def train_under_schedules(data, lr0, epochs, seed=0, hidden=(100, 100), batch_size=20, labels=None,
                          iterate=iter):
    """One SGD-with-momentum run per schedule of schedule_table(epochs), same model seed and
    minibatch order. data: a Solver data dict. Returns {label: trained Solver}; `iterate` wraps
    the list of labels (a progress bar)."""
    table = schedule_table(epochs)
    return {label: train_network(data, hidden, seed, "sgd_momentum", lr0, epochs, batch_size, *table[label])
            for label in iterate(list(labels or table))}


def final_training_loss(solver):
    """The mean training loss over the last epoch: the level a run ends at, averaged over enough
    minibatches that their noise does not decide a comparison."""
    return float(np.mean(solver.loss_history[-solver.iterations_per_epoch:]))


# ---------------------------------------------------------------- 07: babysitting

def sgd_runs(data, learning_rates, epochs, seed=0, hidden=(100, 100), batch_size=50, normalization=None,
             iterate=iter):
    """One plain-SGD run per learning rate, same model seed and minibatch order; diverging runs
    overflow on purpose, with NumPy's warnings silenced for them. normalization: as for
    FullyConnectedNet. Returns {lr: trained Solver}."""
    return {lr: train_network(data, hidden, seed, "sgd", lr, epochs, batch_size, ignore_overflow=True,
                              normalization=normalization)
            for lr in iterate(list(learning_rates))}


def epoch_mean_losses(solver):
    """The mean training loss of every epoch (inf or nan when the run diverged in it): a single
    minibatch's loss moves by its noise alone, an epoch's mean by what the run learned."""
    per_epoch = solver.iterations_per_epoch
    losses = np.asarray(solver.loss_history, dtype=float)
    return [float(np.mean(losses[i:i + per_epoch])) for i in range(0, len(losses), per_epoch)]



def initial_losses(data, regs, n=500, seed=0, hidden=(100,)):
    """The loss before any training on the first n training examples, for small Gaussian weights
    (std 1e-2) and for Kaiming weights, at each L2 strength in regs.
    Returns {"gaussian": {reg: loss}, "kaiming": {reg: loss}}."""
    from .model import FullyConnectedNet

    X, y = data["X_train"][:n], data["y_train"][:n]
    classes = int(max(np.max(data["y_train"]), np.max(data["y_val"]))) + 1
    inits = {"gaussian": {"init": "gaussian", "weight_scale": 1e-2}, "kaiming": {"init": "kaiming"}}
    return {name: {reg: float(FullyConnectedNet(list(hidden), X.shape[1], classes, reg=reg, seed=seed,
                                                **options).loss(X, y)[0]) for reg in regs}
            for name, options in inits.items()}


def ratio_summary(solver):
    """What the first layer's update-to-weight ratio says about one run: {"ratio": the median of
    ||dW1|| / ||W1|| over the steps, "peak": its largest value, "val_acc": the final validation
    accuracy, "diverged": whether the Solver stopped the run}."""
    ratios = solver.update_ratio_history["W1"]
    return {"ratio": float(np.median(ratios)), "peak": float(np.max(ratios)),
            "val_acc": float(solver.val_acc_history[-1]), "diverged": solver.stop_reason is not None}


def flat_loss_rising_accuracy(data, lr=2e-3, epochs=5, seed=0, hidden=(100,)):
    """Small Gaussian weights (std 1e-2) and a small learning rate: the class scores stay close to
    each other, so the softmax loss hardly moves from ln C, yet the largest score is already the
    right one more and more often. Returns {"losses": epoch-mean training losses,
    "val_acc": validation accuracy before training and after every epoch}."""
    solver = train_network(data, hidden, seed, "sgd", lr, epochs, init="gaussian", weight_scale=1e-2)
    return {"losses": epoch_mean_losses(solver), "val_acc": [float(a) for a in solver.val_acc_history]}


def loss_curve_shapes(data, epochs=10, seed=0, lr=0.05, n_small=50, small_epochs=40):
    """Two loss-curve shapes made on purpose. (a) Three hidden layers with tiny Gaussian weights
    (std 0.03) against the same net with Kaiming weights, SGD with momentum: iterations until the
    loss first falls below 0.9 ln C. (b) Hidden [500, 500], no regularization, n_small examples:
    the final train and validation accuracy.
    Returns {"plateau": {"gaussian": iterations, "kaiming": iterations}, "train_acc": a,
    "val_acc": a, "solvers": {"gaussian": Solver, "kaiming": Solver, "overfit": Solver}}."""
    classes = int(max(np.max(data["y_train"]), np.max(data["y_val"]))) + 1
    plateau, solvers = {}, {}
    for init in ("gaussian", "kaiming"):
        solvers[init] = solver = train_network(data, (100, 100, 100), seed, "sgd_momentum", lr, epochs, init=init,
                               weight_scale=0.03)
        below = np.flatnonzero(np.asarray(solver.loss_history) < 0.9 * np.log(classes))
        plateau[init] = int(below[0]) if below.size else len(solver.loss_history)
    small = {"X_train": data["X_train"][:n_small], "y_train": data["y_train"][:n_small],
             "X_val": data["X_val"], "y_val": data["y_val"]}
    solvers["overfit"] = overfit = train_network(small, (500, 500), seed, "sgd", lr, small_epochs, batch_size=10)
    return {"plateau": plateau, "train_acc": float(overfit.train_acc_history[-1]),
            "val_acc": float(overfit.val_acc_history[-1]), "solvers": solvers}

# ---------------------------------------------------------------- 01: SELU's fixed point

def activation_stats(forward, X, depth, width=256, input_scale=1.0, seed=0):
    """Mean and std of the activations after each layer of a plain stack of `depth` LeCun-normal
    layers (W ~ N(0, 1/fan-in), Klambauer et al. 2017) applied to standardized X (N, D) times
    input_scale, with `forward` (z -> (out, cache)) after every layer. Returns (means, stds)."""
    rng = np.random.default_rng(seed)
    h = input_scale * (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-3)
    means, stds = [], []
    for _ in range(depth):
        W = rng.standard_normal((h.shape[1], width)) * np.sqrt(1.0 / h.shape[1])
        h, _ = forward(h @ W)
        means.append(float(h.mean()))
        stds.append(float(h.std()))
    return np.array(means), np.array(stds)


# ---------------------------------------------------------------- 01: which activation trains fastest

def iterations_to_loss(loss_history, target, window=40):
    """The iteration at which the moving average (over `window` iterations) of the training loss
    first falls below target, or None if it never does."""
    smooth = np.convolve(np.asarray(loss_history, dtype=float), np.ones(window) / window, mode="valid")
    hits = np.flatnonzero(smooth < target)
    return int(hits[0]) + window if hits.size else None


def activation_race(data, activations, depth, lr=0.1, epochs=8, seed=0, width=100, iterate=iter):
    """One plain-SGD run per activation, same data, learning rate, seed and minibatch order, each
    with its usual initialization (Kaiming for ReLU, Xavier for the saturating ones).
    Returns {activation: trained Solver}."""
    return {name: train_network(data, [width] * depth, seed, "sgd", lr, epochs, activation=name,
                                init="kaiming" if "relu" in name else "xavier")
            for name in iterate(list(activations))}


# ---------------------------------------------------------------- 06: AdaGrad's shrinking step

def long_quadratic_run(rule, steps=3000, lr=0.1, seed=0, dim=10, start=20.0, noise=1.0):
    """`rule` (a name from trainlab.optimizers) on a long, noisy descent: f(w) = 0.5 sum_i h_i
    (w_i - 20)^2 with curvatures h from 1 to 10, started at w = 0, gradients with unit Gaussian
    noise. Returns (distance, effective_rate) per step: the RMS distance to the minimum and the
    median over coordinates of |step| / |gradient|, the learning rate the rule really applied."""
    from . import optimizers

    rng = np.random.default_rng(seed)
    h = np.logspace(0, 1, dim)
    w_star = np.full(dim, start)
    update, w, config = optimizers.get_rule(rule), np.zeros(dim), {"learning_rate": lr}
    distance, rate = [], []
    for _ in range(steps):
        g = h * (w - w_star) + noise * rng.standard_normal(dim)
        w_next, config = update(w, g, config)
        rate.append(float(np.median(np.abs(w_next - w) / np.maximum(np.abs(g), 1e-12))))
        distance.append(float(np.linalg.norm(w_next - w_star) / np.sqrt(dim)))
        w = w_next
    return np.array(distance), np.array(rate)


# ---------------------------------------------------------------- 02: whitening and edges

def edge_energy(X, image_shape):
    """The share of images' energy in the differences between neighbouring pixels: sum of the
    squared horizontal and vertical differences over twice the sum of the squared values. About
    0 for smooth images, larger the more of them is edges (X: (N, H * W), centred)."""
    images = np.asarray(X, dtype=float).reshape(len(X), *image_shape)
    across, down = np.diff(images, axis=2), np.diff(images, axis=1)
    return float((np.sum(across ** 2) + np.sum(down ** 2)) / (2 * np.sum(images ** 2)))


def zca_edge_boost(X_train, X_test, image_shape, eps_fractions=(0.01, 0.3)):
    """edge_energy of X_test centred with the training mean, and after ZCA whitening fitted on
    X_train with eps = fraction * the largest eigenvalue, for each fraction. Returns
    {"centred": e, fraction: e, ...}."""
    from . import preprocessing as pre

    lam_max = pre.fit_pca(X_train)["eigenvalues"][0]
    result = {"centred": edge_energy(pre.subtract_mean(X_test, pre.fit_mean(X_train)), image_shape)}
    for fraction in eps_fractions:
        white = pre.zca_whiten(X_test, pre.fit_whitening(X_train, eps=fraction * lam_max))
        result[fraction] = edge_energy(white, image_shape)
    return result


# ---------------------------------------------------------------- 06: minibatch noise

def minibatch_gradient_noise(data, batch_sizes, seed=0, draws=20, hidden=(100, 100)):
    """How far a minibatch gradient is from the full-batch gradient, by batch size: the median
    over `draws` random minibatches of ||g_B - g|| / ||g||, for a freshly initialized network
    (all parameters' gradients concatenated). Returns {batch_size: relative deviation}."""
    from .model import FullyConnectedNet

    X, y = data["X_train"], data["y_train"]
    model = FullyConnectedNet(list(hidden), X.shape[1], int(np.max(y)) + 1, seed=seed)

    def gradient(idx):
        _, grads = model.loss(X[idx], y[idx])
        return np.concatenate([grads[name].ravel() for name in sorted(grads)])

    full = gradient(np.arange(len(y)))
    rng = np.random.default_rng(seed)
    return {B: float(np.median([np.linalg.norm(gradient(rng.choice(len(y), B, replace=False)) - full)
                                for _ in range(draws)]) / np.linalg.norm(full))
            for B in batch_sizes}


# ---------------------------------------------------------------- 07: model ensembles

def softmax_probabilities(scores):
    """Row-wise softmax of class scores (N, C), computed stably."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def ensemble_accuracy(data, seeds, epochs=8, hidden=(100, 100), lr=1e-3):
    """Train one network per seed (Adam, same hyperparameters; only the initialization and the
    minibatch order differ) and average their softmax probabilities on the validation set.
    Returns (validation accuracy of each member, of the ensemble)."""
    X, y = data["X_val"], data["y_val"]
    probabilities, members = [], []
    for seed in seeds:
        p = softmax_probabilities(train_network(data, hidden, seed, "adam", lr, epochs).model.loss(X))
        probabilities.append(p)
        members.append(float(np.mean(p.argmax(axis=1) == y)))
    return members, float(np.mean(np.mean(probabilities, axis=0).argmax(axis=1) == y))


# ---------------------------------------------------------------- 05: dropout on a small training set

def dropout_gap_runs(data, n_small, epochs, keep_probs=(1.0, 0.5), seed=0, hidden=(256, 256), iterate=iter):
    """The same network trained with plain SGD on n_small training examples (a random subset
    drawn with `seed`), once per keep_prob. Returns {keep_prob: trained Solver}."""
    idx = np.random.default_rng(seed).permutation(len(data["y_train"]))[:n_small]
    small = {"X_train": data["X_train"][idx], "y_train": data["y_train"][idx],
             "X_val": data["X_val"], "y_val": data["y_val"]}
    return {keep_prob: train_network(small, hidden, seed, "sgd", 0.05, epochs, batch_size=25, keep_prob=keep_prob)
            for keep_prob in iterate(list(keep_probs))}


# ---------------------------------------------------------------- 06: Polyak averaging

def polyak_average_run(data, lr=0.05, epochs=6, seed=0, hidden=(100, 100), batch_size=20):
    """Plain SGD at a constant rate, keeping the running mean of the weights over the last epoch
    (Polyak & Juditsky 1992). Returns {"last": (training loss, validation accuracy) of the final
    weights, "average": the same for the averaged weights}; training loss on the whole training
    set, without the weight penalty's noise (reg = 0)."""
    from .model import FullyConnectedNet

    X, y = data["X_train"], data["y_train"]
    model = FullyConnectedNet(list(hidden), X.shape[1], int(np.max(y)) + 1, seed=seed)
    rng = np.random.default_rng(seed)
    steps_per_epoch = max(1, len(y) // batch_size)
    average, count = None, 0
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for step in range(steps_per_epoch):
            batch = order[step * batch_size:(step + 1) * batch_size]
            _, grads = model.loss(X[batch], y[batch])
            model.params = {k: v - lr * grads[k] for k, v in model.params.items()}
            if epoch == epochs - 1:  # the running mean of the last epoch's iterates
                count += 1
                average = {k: v.copy() for k, v in model.params.items()} if average is None else \
                    {k: average[k] + (v - average[k]) / count for k, v in model.params.items()}

    def measure(params):
        model.params = params
        loss, _ = model.loss(X, y)
        return float(loss), float(np.mean(np.argmax(model.loss(data["X_val"]), axis=1) == data["y_val"]))

    last = dict(model.params)
    return {"last": measure(last), "average": measure(average)}
