"""Notebook 01 (activation functions): zero-centred inputs, which activation trains fastest, SELU's
fixed point, dead ReLUs and a positive bias, ELU's noise-robust deactivation."""
from __future__ import annotations

import numpy as np

from .training import train_network


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


def activation_race(data, activations, depth, lr=0.1, epochs=8, seed=0, width=100, iterate=iter):
    """One plain-SGD run per activation, same data, learning rate, seed and minibatch order, each
    with its usual initialization (Kaiming for ReLU, Xavier for the saturating ones).
    Returns {activation: trained Solver}."""
    return {name: train_network(data, [width] * depth, seed, "sgd", lr, epochs, activation=name,
                                init="kaiming" if "relu" in name else "xavier")
            for name in iterate(list(activations))}


def dead_relus_by_bias(X, y, biases=(0.0, 0.01, 0.1, 1.0), learning_rates=(0.3, 1.0), steps=100, seed=0,
                       hidden=100, batch_size=50):
    """Fraction of dead hidden ReLUs (output 0 for every row of X) of affine - relu - affine with
    Kaiming weights and every hidden bias set to `bias`, at initialization and after `steps`
    plain-SGD steps at each learning rate (same weights and minibatches for every bias).
    X: (N, D) raw pixels in [0, 1], as in notebook 01's dead-ReLU experiment; y: (N,) labels.
    Also what the first step does to a unit, for scale: the median over units of |change of the
    unit's mean pre-activation over X| (bias 0), to compare with the biases.
    Returns {"init": {bias: f}, lr: {bias: f}, "first_step_shift": {lr: median shift}}."""
    from ..model import FullyConnectedNet

    classes = int(np.max(y)) + 1

    def fresh(bias):
        model = FullyConnectedNet([hidden], X.shape[1], classes, seed=seed)
        model.params["b1"] = np.full(hidden, float(bias))
        return model

    def dead(model):
        return float(np.mean(np.all(model.hidden_activations(X)[0] <= 0, axis=0)))

    def sgd(model, lr, steps):
        rng = np.random.default_rng(seed)
        with np.errstate(all="ignore"):  # the largest rates blow some units up on purpose
            for _ in range(steps):
                batch = rng.choice(len(y), batch_size, replace=False)
                loss, grads = model.loss(X[batch], y[batch])
                if not np.isfinite(loss):
                    break
                model.params = {k: v - lr * grads[k] for k, v in model.params.items()}
        return model

    def mean_preactivation(model):
        return (X @ model.params["W1"] + model.params["b1"]).mean(axis=0)

    result = {"init": {bias: dead(fresh(bias)) for bias in biases}, "first_step_shift": {}}
    for lr in learning_rates:
        start = fresh(0.0)
        shift = mean_preactivation(sgd(fresh(0.0), lr, 1)) - mean_preactivation(start)
        result["first_step_shift"][lr] = float(np.median(np.abs(shift)))
        result[lr] = {bias: dead(sgd(fresh(bias), lr, steps)) for bias in biases}
    return result


NOISE_BINS = (-np.inf, np.log(0.01), np.log(0.1), -1.0, 0.0)  # e^z = 0.01 and 0.1: ELU's slope meets leaky ReLU's


def deactivated_noise_transmission(data, seed=0, width=256, epochs=5, sigma=0.1, n=2000, bins=NOISE_BINS):
    """How much input noise the deactivated units (pre-activation z < 0) of a real first layer let
    through, per activation: ReLU, leaky ReLU (0.01, 0.1) and ELU applied to the same z.

    The layer is the first of a width-wide ELU network trained `epochs` epochs with plain SGD on
    data (epochs=0: its Kaiming initialization). Gaussian noise of std sigma is added to the first
    n standardized training images; with dz the resulting change of z, the transmission of a set of
    entries is sqrt(mean (f(z + dz) - f(z))^2 / mean dz^2), about the RMS slope f'(z) there: 0 for
    ReLU, alpha for leaky ReLU, e^z for ELU. Returns {"all": {name: t over every z < 0},
    "by_bin": {name: [t per bin]}, "bin_share": [share of the z < 0 entries in each bin],
    "edges": bins}; the default bins split z < 0 at ln 0.01 and ln 0.1, where ELU's slope e^z
    equals leaky ReLU's alpha, and at -1."""
    from .. import activations as act
    from ..model import FullyConnectedNet

    if epochs:
        model = train_network(data, [width], seed, "sgd", 0.05, epochs, activation="elu").model
    else:
        model = FullyConnectedNet([width], data["X_train"].shape[1], seed=seed, activation="elu")
    W, b = model.params["W1"], model.params["b1"]
    X = data["X_train"][:n]
    z = X @ W + b
    dz = (sigma * np.random.default_rng(seed).standard_normal(X.shape)) @ W
    negative = z < 0
    which = np.digitize(z, bins[1:-1])
    functions = {"relu": act.relu_forward, "leaky_relu_0.01": lambda v: act.leaky_relu_forward(v, 0.01),
                 "leaky_relu_0.1": lambda v: act.leaky_relu_forward(v, 0.1), "elu": lambda v: act.elu_forward(v, 1.0)}

    def transmission(change, mask):
        return float(np.sqrt(np.mean(change[mask] ** 2) / np.mean(dz[mask] ** 2)))

    result = {"all": {}, "by_bin": {}, "edges": list(bins),
              "bin_share": [float(np.mean(which[negative] == k)) for k in range(len(bins) - 1)]}
    for name, f in functions.items():
        change = f(z + dz)[0] - f(z)[0]
        result["all"][name] = transmission(change, negative)
        result["by_bin"][name] = [transmission(change, negative & (which == k)) for k in range(len(bins) - 1)]
    return result
