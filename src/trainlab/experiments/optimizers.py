"""Notebook 06 (optimizers and schedules): learning-rate schedules, AdaGrad's shrinking step,
minibatch noise, Polyak averaging, learning-rate warm-up, momentum annealing."""
from __future__ import annotations

from functools import partial

import numpy as np

from .training import accuracy, train_network


def schedule_table(epochs):
    """label -> (schedule function, its parameters): every decaying schedule ends at about a
    tenth of lr0 after `epochs` epochs (cosine and linear at 0), so they differ only in their shape."""
    from .. import schedules

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


def long_quadratic_run(rule, steps=3000, lr=0.1, seed=0, dim=10, start=20.0, noise=1.0, move_every=None):
    """`rule` (a name from trainlab.optimizers) on a long, noisy descent: f(w) = 0.5 sum_i h_i
    (w_i - w*_i)^2 with curvatures h from 1 to 10, started at w = 0 with w* = 20 in every
    coordinate, gradients with unit Gaussian noise. With move_every, the minimum moves another
    `start` units along every coordinate every move_every steps, so the descent starts over
    (steps / move_every descents in all). Returns (distance, effective_rate) per step: the RMS
    distance to the current minimum and the median over coordinates of |step| / |gradient|, the
    learning rate the rule really applied."""
    from .. import optimizers

    rng = np.random.default_rng(seed)
    h = np.logspace(0, 1, dim)
    w_star = np.full(dim, start)
    update, w, config = optimizers.get_rule(rule), np.zeros(dim), {"learning_rate": lr}
    distance, rate = [], []
    for t in range(steps):
        if move_every and t and t % move_every == 0:
            w_star = w_star + start
        g = h * (w - w_star) + noise * rng.standard_normal(dim)
        w_next, config = update(w, g, config)
        rate.append(float(np.median(np.abs(w_next - w) / np.maximum(np.abs(g), 1e-12))))
        distance.append(float(np.linalg.norm(w_next - w_star) / np.sqrt(dim)))
        w = w_next
    return np.array(distance), np.array(rate)


def moving_minimum_sweep(rule, learning_rates, descents, seeds=(0, 1, 2), move_every=1000, settle=500):
    """`rule` at each learning rate on long_quadratic_run with a minimum that moves every
    move_every steps, for `descents` descents. The score of a run is its mean distance to the
    minimum over the last `settle` steps (the end of the last descent): small when the rule
    still arrives after the last move. Returns {lr: array of scores, one per seed}."""
    steps = descents * move_every
    return {lr: np.array([long_quadratic_run(rule, steps, lr, seed, move_every=move_every)[0][-settle:].mean()
                          for seed in seeds])
            for lr in learning_rates}


def best_rate(sweep):
    """The learning rate of a sweep {lr: scores per seed} with the lowest median score."""
    return min(sweep, key=lambda lr: np.median(sweep[lr]))


def minibatch_gradient_noise(data, batch_sizes, seed=0, draws=20, hidden=(100, 100)):
    """How far a minibatch gradient is from the full-batch gradient, by batch size: the median
    over `draws` random minibatches of ||g_B - g|| / ||g||, for a freshly initialized network
    (all parameters' gradients concatenated). Returns {batch_size: relative deviation}."""
    from ..model import FullyConnectedNet

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


def polyak_average_run(data, lr=0.05, epochs=6, seed=0, hidden=(100, 100), batch_size=20):
    """Plain SGD at a constant rate, keeping the running mean of the weights over the last epoch
    (Polyak & Juditsky 1992). Returns {"last": (training loss, validation accuracy) of the final
    weights, "average": the same for the averaged weights}; training loss on the whole training
    set, without the weight penalty's noise (reg = 0)."""
    from ..model import FullyConnectedNet

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
        return float(loss), accuracy(model, data["X_val"], data["y_val"])

    last = dict(model.params)
    return {"last": measure(last), "average": measure(average)}


def rule_comparison(data, learning_rates, epochs, seeds=(0, 1, 2), hidden=(100, 100), iterate=iter):
    """Every update rule at each of its learning_rates[rule] with seeds[0], keeping the rate with
    the lowest training loss over the last epoch (a short sweep); then that rate again with each
    other seed (another initialization and minibatch order), for the spread. Returns
    {rule: {"lr": the chosen rate, "solvers": one trained Solver per seed, in the order of seeds}};
    `iterate` wraps each list of (rule, lr, seed) runs (a progress bar)."""
    from .training import final_training_loss

    sweep = {}
    for rule, lr, seed in iterate([(r, lr, seeds[0]) for r, rates in learning_rates.items() for lr in rates]):
        sweep.setdefault(rule, {})[lr] = train_network(data, hidden, seed, rule, lr, epochs)
    chosen = {rule: min(runs, key=lambda lr: final_training_loss(runs[lr])) for rule, runs in sweep.items()}
    result = {rule: {"lr": lr, "solvers": [sweep[rule][lr]]} for rule, lr in chosen.items()}
    for rule, lr, seed in iterate([(r, lr, seed) for r, lr in chosen.items() for seed in seeds[1:]]):
        result[rule]["solvers"].append(train_network(data, hidden, seed, rule, lr, epochs))
    return result


def rule_with_schedules(rule, steps_per_epoch, **schedules):
    """An update rule for the Solver: `rule` (a name from trainlab.optimizers) with each config
    key named in `schedules` set before every step to schedules[key](epoch), epoch = the steps
    done / steps_per_epoch, a fraction, so that a value can change every iteration (the Solver's
    lr_schedule changes the rate once per epoch). The steps done are counted in config['step']
    (the Solver gives every parameter its own config, so each counts its own)."""
    from .. import optimizers

    update = optimizers.get_rule(rule)

    def step(w, dw, config=None):
        config = {} if config is None else config
        t = config.get("step", 0)
        for key, value_at in schedules.items():
            config[key] = float(value_at(t / steps_per_epoch))
        next_w, config = update(w, dw, config)
        config["step"] = t + 1
        return next_w, config

    return step


def _iterations_per_epoch(data, batch_size):
    """The Solver's iterations per epoch on the data dict (full batches only, at least one), known
    before the Solver exists so that a rule can count epochs."""
    return max(len(data["y_train"]) // batch_size, 1)


def _over_seeds(train, seeds):
    """(losses, accuracies): loss_and_accuracy of train(seed) for every seed, two (len(seeds),) arrays."""
    numbers = [loss_and_accuracy(train(seed)) for seed in seeds]
    return tuple(np.array(column) for column in zip(*numbers))


def loss_and_accuracy(solver):
    """(training loss over the last epoch, best validation accuracy) of a trained Solver; the loss
    is nan when the run diverged (the Solver stopped it), the accuracy is then the best before."""
    from .training import final_training_loss

    return (float("nan") if solver.stop_reason else final_training_loss(solver)), float(solver.best_val_acc)


def warmup_run(data, peak_lr, epochs, warmup=1, seed=0, hidden=(100, 100), batch_size=50):
    """Plain SGD whose rate follows half a cosine from peak_lr down to 0 (Loshchilov & Hutter 2017),
    after a linear warm-up from 0 over the first `warmup` epochs, raised every iteration (Goyal et
    al. 2017, "Accurate, Large Minibatch SGD", section 2.2); warmup=0: the cosine from the first
    step, no warm-up. The rates come from schedules.linear_warmup and schedules.cosine_decay.
    Returns the trained Solver (lr_history holds the rate of every iteration)."""
    from .. import schedules

    if warmup:
        rate = partial(schedules.linear_warmup, peak_lr, warmup=warmup, schedule="cosine_decay", total=epochs - warmup)
    else:
        rate = partial(schedules.cosine_decay, peak_lr, total=epochs)
    rule = rule_with_schedules("sgd", _iterations_per_epoch(data, batch_size), learning_rate=rate)
    return train_network(data, hidden, seed, rule, peak_lr, epochs, batch_size, ignore_overflow=True)


def warmup_sweep(data, peak_rates, epochs, warmup=1, seeds=(0, 1, 2), iterate=iter, **options):
    """warmup_run at every peak rate, with and without the warm-up, for every seed. Returns
    {"no warm-up" | "warm-up": {peak_lr: (losses, accuracies)}}, each an array over the seeds
    from loss_and_accuracy (a nan loss: that seed diverged); `iterate` wraps the list of runs."""
    runs = [(label, length, lr) for label, length in (("no warm-up", 0), ("warm-up", warmup)) for lr in peak_rates]
    result = {}
    for label, length, lr in iterate(runs):
        result.setdefault(label, {})[lr] = _over_seeds(lambda seed: warmup_run(data, lr, epochs, length, seed, **options),
                                                       seeds)
    return result


def momentum_ramp(final, ramp_epochs, start=0.5):
    """The momentum of each epoch: `start` in epoch 0, raised in equal steps between epochs to
    `final` at epoch ramp_epochs and kept there (ramp_epochs=0: `final` throughout). A function
    of the epoch (a fraction: it changes only when a new epoch starts)."""
    if not ramp_epochs:
        return lambda epoch: final
    return lambda epoch: start + (final - start) * min(np.floor(epoch) / ramp_epochs, 1.0)


def momentum_annealing_run(data, lr, final_momentum, ramp_epochs, epochs, seed=0, hidden=(100, 100), batch_size=50):
    """SGD with momentum (optimizers.sgd_momentum) at a constant rate `lr`, its config['momentum']
    set at the start of every epoch by momentum_ramp(final_momentum, ramp_epochs): from 0.5 up to
    final_momentum, the annealing the CS231n notes suggest (Sutskever et al. 2013 also raise the
    momentum during training), or final_momentum from the start (ramp_epochs=0). Returns the
    trained Solver."""
    rule = rule_with_schedules("sgd_momentum", _iterations_per_epoch(data, batch_size),
                               momentum=momentum_ramp(final_momentum, ramp_epochs))
    return train_network(data, hidden, seed, rule, lr, epochs, batch_size, ignore_overflow=True)


def momentum_annealing_sweep(data, rates, finals, ramp_epochs, epochs, seeds=(0, 1, 2), iterate=iter, **options):
    """momentum_annealing_run at every rate and final momentum, constant and ramped over
    ramp_epochs, for every seed. Returns {(final momentum, "constant" | "ramped"): {lr: (losses,
    accuracies)}}, each an array over the seeds from loss_and_accuracy; `iterate` wraps the runs."""
    runs = [(final, label, ramp, lr) for final in finals for label, ramp in (("constant", 0), ("ramped", ramp_epochs))
            for lr in rates]
    result = {}
    for final, label, ramp, lr in iterate(runs):
        result.setdefault((final, label), {})[lr] = _over_seeds(
            lambda seed: momentum_annealing_run(data, lr, final, ramp, epochs, seed, **options), seeds)
    return result
