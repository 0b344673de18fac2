"""Notebook 07 (babysitting training): loss curves, initial losses, update ratios, ensembles."""
from __future__ import annotations

import numpy as np

from .training import epoch_mean_losses, num_classes, softmax_probabilities, train_network


def sgd_runs(data, learning_rates, epochs, seed=0, hidden=(100, 100), batch_size=50, normalization=None,
             iterate=iter):
    """One plain-SGD run per learning rate, same model seed and minibatch order; diverging runs
    overflow on purpose, with NumPy's warnings silenced for them. normalization: as for
    FullyConnectedNet. Returns {lr: trained Solver}."""
    return {lr: train_network(data, hidden, seed, "sgd", lr, epochs, batch_size, ignore_overflow=True,
                              normalization=normalization)
            for lr in iterate(list(learning_rates))}


def initial_losses(data, regs, n=500, seed=0, hidden=(100,)):
    """The loss before any training on the first n training examples, for small Gaussian weights
    (std 1e-2) and for Kaiming weights, at each L2 strength in regs.
    Returns {"gaussian": {reg: loss}, "kaiming": {reg: loss}}."""
    from ..model import FullyConnectedNet

    X, y = data["X_train"][:n], data["y_train"][:n]
    classes = num_classes(data)
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
    plateau, solvers = {}, {}
    for init in ("gaussian", "kaiming"):
        solvers[init] = solver = train_network(data, (100, 100, 100), seed, "sgd_momentum", lr, epochs,
                                               init=init, weight_scale=0.03)
        below = np.flatnonzero(np.asarray(solver.loss_history) < 0.9 * np.log(num_classes(data)))
        plateau[init] = int(below[0]) if below.size else len(solver.loss_history)
    small = {"X_train": data["X_train"][:n_small], "y_train": data["y_train"][:n_small],
             "X_val": data["X_val"], "y_val": data["y_val"]}
    solvers["overfit"] = overfit = train_network(small, (500, 500), seed, "sgd", lr, small_epochs, batch_size=10)
    return {"plateau": plateau, "train_acc": float(overfit.train_acc_history[-1]),
            "val_acc": float(overfit.val_acc_history[-1]), "solvers": solvers}


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


class _PlantedBugNet:
    """The planted bug of notebook 07 ("Find the planted bug"), fixed here and not drawn from a
    seed, so that the notebook's text and its claim test describe the same mistake for every
    student. A mixin over FullyConnectedNet: the output layer's bias gradient is taken as the batch mean of
    dscores (C,), although softmax_loss has already divided dscores (N, C) by N, so
    grads['bL'] = (1/N) * sum_n dscores[n] instead of sum_n dscores[n]: N times too small. The
    forward pass, the loss and every other gradient are the library's own."""

    def _backward(self, dscores, caches):
        grads = super()._backward(dscores, caches)
        grads[f"b{self.num_layers}"] = dscores.mean(axis=0)
        return grads


def planted_bug_net(hidden_dims, input_dim, num_classes=10, **options):
    """The network given in notebook 07 to debug: a FullyConnectedNet (same arguments; works with
    the Solver) whose backward pass holds one realistic mistake (_PlantedBugNet). Find it with the
    tools before you read the class."""
    from ..model import FullyConnectedNet

    # built here because the model is imported lazily, as in the other functions of this module
    cls = type("PlantedBugNet", (_PlantedBugNet, FullyConnectedNet), {})
    return cls(hidden_dims, input_dim, num_classes, **options)


def gradient_check_errors(model, X, y, seed=0, num_directions=3):
    """A directional gradient check of model.loss on (X (N, D), y (N,)), parameter by parameter.
    Returns {name: rel_error of <grad, u> against the centred difference, over num_directions
    random unit directions u (gradient_check.directional_gradient_check)}; about 1e-7 or less
    means that parameter's gradient is right."""
    from ..gradient_check import directional_gradient_check

    rng = np.random.default_rng(seed)
    _, grads = model.loss(X, y)
    return {name: directional_gradient_check(lambda _: model.loss(X, y)[0], w, grads[name], rng, num_directions)
            for name, w in model.params.items()}


def numeric_over_analytic(model, X, y, name):
    """The elementwise ratio numeric / analytic gradient of one (small) parameter, params[name],
    of model.loss on (X, y), with eval_numerical_gradient (2 * size loss evaluations).
    Returns an array of the parameter's shape; 1 everywhere for a correct gradient (inf or nan,
    without a warning, where the analytic gradient is 0)."""
    from ..gradient_check import eval_numerical_gradient

    _, grads = model.loss(X, y)
    numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name])
    with np.errstate(divide="ignore", invalid="ignore"):
        return numeric / grads[name]
