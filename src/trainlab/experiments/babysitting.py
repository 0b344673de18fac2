"""Notebook 07 (babysitting training): loss curves, initial losses, update ratios, the search, ensembles."""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

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


def rank_correlation(a, b):
    """Spearman's rank correlation of two (K,) sequences: the Pearson correlation of their ranks,
    tied values sharing the mean of their ranks (runs that diverged all keep the same accuracy).
    1: the same order; 0: unrelated orders; nan, without a warning, if either sequence is constant."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.corrcoef(rankdata(a), rankdata(b))[0, 1])


def short_and_long_runs(data, configs, long_epochs, seed=0, short_epochs=1, hidden=(100,)):
    """One SGD-momentum run of long_epochs per setting (the trial of notebook 07's section 6.1:
    one hidden layer, batch 50, model and minibatch order seeded with `seed`). configs: dict
    "learning_rate" -> (K,), "reg" -> (K,). With a constant rate, the first short_epochs of a long
    run are exactly the short run (same weights, same minibatches, same updates), so one run gives
    both. Returns (short, long): (K,) arrays, the best validation accuracy after at most
    short_epochs (what the short run reports) and after at most long_epochs."""
    short, long = [], []
    for lr, reg in zip(configs["learning_rate"], configs["reg"]):
        solver = train_network(data, hidden, seed, "sgd_momentum", lr, long_epochs, reg=reg, ignore_overflow=True)
        short.append(max(solver.val_acc_history[:short_epochs + 1]))
        long.append(solver.best_val_acc)
    return np.array(short), np.array(long)


def _box_around(configs, scores, ranges, top, widen):
    """The log-uniform ranges of a fine round: the box spanned by the `top` best settings (by
    scores), widened by `widen` decades on each side and kept inside the coarse ranges."""
    best = np.argsort(-np.asarray(scores), kind="stable")[:top]
    box = {}
    for name, (low, high) in ranges.items():
        logs = np.log10(np.asarray(configs[name])[best])
        box[name] = (float(max(low, 10 ** (logs.min() - widen))), float(min(high, 10 ** (logs.max() + widen))))
    return box


def coarse_to_fine(data, ranges, n_configs, long_epochs, seed=0, short_epochs=1, top=3, widen=0.5, hidden=(100,)):
    """Does a short run rank hyperparameters as a long one does (CS231n lecture 7, "coarse to
    fine"; random search in log space, Bergstra & Bengio 2012)?

    Coarse round: n_configs settings drawn by babysit.log_uniform_samples over `ranges` (dict name ->
    (low, high), names "learning_rate" and "reg") with np.random.default_rng(seed), each trained
    for short_epochs and for long_epochs (short_and_long_runs). Fine round: n_configs settings
    drawn from the same generator in the box around the coarse round's `top` best short runs
    (widened by `widen` decades), trained for long_epochs. Returns a dict:
        "coarse", "fine":  {"learning_rate", "reg", "short", "long"}: (n_configs,) arrays each;
        "spearman":        rank correlation of the coarse round's short- and long-run accuracy;
        "top_has_best":    the coarse round's best long run is among its `top` best short runs;
        "box":             the fine round's ranges, name -> (low, high);
        "coarse_best", "fine_best": the best long-run accuracy of each round;
        "lr_bias":         rank correlation of the coarse round's learning rates with how far each
                           setting climbs in rank from the short run to the long one (negative:
                           the short run underrates the small rates).
    """
    from ..babysit import log_uniform_samples

    rng = np.random.default_rng(seed)
    coarse = log_uniform_samples(ranges, n_configs, rng)
    coarse["short"], coarse["long"] = short_and_long_runs(data, coarse, long_epochs, seed, short_epochs, hidden)
    box = _box_around(coarse, coarse["short"], ranges, top, widen)
    fine = log_uniform_samples(box, n_configs, rng)
    fine["short"], fine["long"] = short_and_long_runs(data, fine, long_epochs, seed, short_epochs, hidden)
    shortlist = np.argsort(-coarse["short"], kind="stable")[:top]
    climb = rankdata(coarse["long"]) - rankdata(coarse["short"])  # (K,) ranks gained by training longer
    return {"coarse": coarse, "fine": fine, "spearman": rank_correlation(coarse["short"], coarse["long"]),
            "top_has_best": bool(coarse["long"][shortlist].max() == coarse["long"].max()), "box": box,
            "coarse_best": float(coarse["long"].max()), "fine_best": float(fine["long"].max()),
            "lr_bias": rank_correlation(coarse["learning_rate"], climb)}


CHALLENGE_NET = {"normalization": "batchnorm", "keep_prob": 0.9}  # notebook 07, section 7, with CHALLENGE_HIDDEN
CHALLENGE_HIDDEN = (256, 256)


def tune_challenge(data, ranges, trials, epochs, seed=0, iterate=iter):
    """The random search of notebook 07, section 6.3: `trials` settings of the Adam learning rate
    and the L2 strength drawn by babysit.log_uniform_samples (np.random.default_rng(seed)) over
    `ranges` ({"learning_rate": (low, high), "reg": (low, high)}), each training the challenge's
    network (CHALLENGE_HIDDEN and CHALLENGE_NET, batch 100) for `epochs` on the data dict, model
    and minibatch order seeded with `seed`. babysit.lr_sweep_verdicts reads the runs; the pick is
    the best validation accuracy among the runs not "too large" (among all runs if every one is).
    Returns {"learning_rate": (T,), "reg": (T,), "verdicts": T strings, "val_acc": (T,),
    "best": the index picked, "config": {"learning_rate": float, "reg": float}}."""
    from .. import babysit

    samples = babysit.log_uniform_samples(ranges, trials, np.random.default_rng(seed))
    solvers = [train_network(data, CHALLENGE_HIDDEN, seed, "adam", lr, epochs, batch_size=100, ignore_overflow=True,
                             reg=reg, **CHALLENGE_NET)
               for lr, reg in iterate(list(zip(samples["learning_rate"], samples["reg"])))]
    verdicts, _ = babysit.lr_sweep_verdicts(samples["learning_rate"], [s.loss_history for s in solvers],
                                            solvers[0].iterations_per_epoch, num_classes(data))
    val_acc = np.array([s.best_val_acc for s in solvers])
    usable = [i for i, v in enumerate(verdicts) if v != "too large"] or list(range(trials))
    best = max(usable, key=lambda i: val_acc[i])
    return {**samples, "verdicts": verdicts, "val_acc": val_acc, "best": best,
            "config": {name: float(samples[name][best]) for name in ("learning_rate", "reg")}}


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
