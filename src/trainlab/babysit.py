"""Babysitting training: the sanity checks and the search of notebook 07, as functions.

Every function reads numbers a training run produced (parameter dicts, loss and accuracy
histories) and returns plain numbers, strings and dicts, so it works on any `Solver`:

    expected_initial_loss     the loss to expect before training (ln C plus the L2 penalty)
    tiny_overfit_report       did a network memorise a tiny training set?
    lr_sweep_verdicts         too small, good or too large: one verdict per run of a sweep
    update_to_weight_ratios   ||W_next - W|| / ||W|| per weight matrix, for one update
    log_uniform_samples       random search: hyperparameters drawn uniformly in log space

Histories are 1-D sequences (lists or arrays); `loss_history` has one entry per iteration (a
diverged run may hold nan or inf), `train_acc_history` one per epoch with the accuracy before
training first, as the Solver records them. Epoch means are taken over consecutive chunks of
`iterations_per_epoch` losses; the last chunk may be shorter (a run stopped in the middle of an
epoch). No function changes its arguments.
"""
import numpy as np

VERDICTS = ("too small", "good", "too large")
MIN_DROP = 0.05  # the fraction the epoch-mean loss must fall by for a run to count as learning
OVERSHOOT = 2.0  # an epoch mean above this many times the run's first loss: the run blew up
LOSS_FRACTION = 0.1  # a memorised tiny set: the last epoch's mean loss below this fraction of the first's


def _epoch_means(loss_history, iterations_per_epoch):
    """The mean loss of each epoch, (E,) with E = ceil(len(loss_history) / iterations_per_epoch)."""
    losses = np.asarray(loss_history, dtype=np.float64)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"loss_history must be a non-empty 1-D sequence, got shape {losses.shape}.")
    if not iterations_per_epoch >= 1:
        raise ValueError(f"iterations_per_epoch must be at least 1, got {iterations_per_epoch!r}.")
    starts = range(0, losses.size, int(iterations_per_epoch))
    return np.array([losses[s:s + int(iterations_per_epoch)].mean() for s in starts])


def expected_initial_loss(num_classes, params=None, reg=0.0):
    """The loss a softmax classifier should report before training, with small random weights.

    num_classes: C >= 2. params: None or a dict name -> array as `FullyConnectedNet.params`
    (W1 (D, H1), b1 (H1,), gamma1, beta1, ..., WL (H_{L-1}, C), bL (C,)). reg: L2 strength >= 0.

    Scores near 0 make the softmax uniform, so every example's cross-entropy is
    -ln(1/C) = ln C (CS231n notes, "Neural Networks 3", sanity checks: "look for correct loss at
    chance performance"). The model adds its own L2 penalty on the weight matrices only (names
    starting with "W"; not biases, gamma or beta), with the convention of `FullyConnectedNet`:

        loss0 = ln C + 0.5 * reg * sum_{name starting with W} sum(params[name] ** 2)

    Returns loss0, a float.
    """
    if not num_classes >= 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes!r}.")
    weights = [w for name, w in (params or {}).items() if name.startswith("W")]
    ### BEGIN SOLUTION
    penalty = 0.5 * reg * sum(np.sum(w * w) for w in weights)
    loss0 = np.log(num_classes) + penalty
    ### END SOLUTION
    return float(loss0)


def tiny_overfit_report(train_acc_history, loss_history, iterations_per_epoch, loss_fraction=LOSS_FRACTION):
    """The overfitting sanity check (CS231n notes, "Neural Networks 3": "overfit a tiny subset of
    data"): a network without regularization must memorise 20-50 examples.

    train_acc_history: (E + 1,) training accuracy before training (entry 0) and after each of E
    epochs. loss_history: (T,) minibatch losses; iterations_per_epoch: int >= 1.

    Returns a dict:
        "epoch":      the first epoch k (0 <= k <= E) from which the training accuracy is exactly
                      1.0 at every epoch to the end (reaching 1.0 and losing it again does not
                      count); -1 if the last entry is below 1.0;
        "loss_ratio": last epoch's mean loss / first epoch's mean loss (epoch means, not single
                      minibatches, whose noise decides nothing);
        "passed":     epoch >= 1 and loss_ratio < loss_fraction (both: a network that gets every
                      example right while its loss barely fell is guessing with tiny margins).
    """
    acc = np.asarray(train_acc_history, dtype=np.float64)  # (E + 1,)
    means = _epoch_means(loss_history, iterations_per_epoch)
    ### BEGIN SOLUTION
    below = np.flatnonzero(acc < 1.0)
    epoch = int(below[-1]) + 1 if below.size else 0
    epoch = epoch if epoch < acc.size else -1
    loss_ratio = float(means[-1] / means[0])
    passed = bool(epoch >= 1 and loss_ratio < loss_fraction)
    ### END SOLUTION
    return {"epoch": epoch, "loss_ratio": loss_ratio, "passed": passed}


def lr_sweep_verdicts(learning_rates, loss_histories, iterations_per_epoch, num_classes,
                      min_drop=MIN_DROP, overshoot=OVERSHOOT):
    """Read a learning-rate sweep: runs that differ only in the rate (CS231n lecture 7, "loss not
    going down: learning rate too low; loss exploding: learning rate too high"; the same reading as
    Smith 2017, "Cyclical learning rates", section 3.3, the learning-rate range test).

    learning_rates: (R,) floats. loss_histories: R sequences of minibatch losses, one per run (a
    run that diverged may be shorter and hold nan or inf). iterations_per_epoch: int >= 1.
    num_classes: C. With m the run's epoch means (module docstring) and h its losses, each run's
    verdict is the first that applies:

        "too large"  some loss is nan or inf; or some epoch mean > overshoot * h[0] (it blew up);
                     or m[-1] > (1 + min_drop) * m[0] (it rose);
        "too small"  m[-1] > (1 - min_drop) * m[0] (it fell by less than min_drop), or
                     m[-1] >= ln C (still no better than chance: it learns, but too slowly);
        "good"       otherwise.

    Returns (verdicts, best_lr): verdicts a list of R strings from VERDICTS, best_lr the rate of
    the good run with the lowest last-epoch mean (the first such run on a tie), None if no run is
    good.
    """
    if len(learning_rates) != len(loss_histories):
        raise ValueError(f"{len(learning_rates)} learning rates but {len(loss_histories)} loss histories.")
    verdicts, finals = [], []
    for history in loss_histories:
        h = np.asarray(history, dtype=np.float64)
        m = _epoch_means(h, iterations_per_epoch)  # (E,)
        ### BEGIN SOLUTION
        if not np.all(np.isfinite(h)) or np.any(m > overshoot * h[0]) or m[-1] > (1 + min_drop) * m[0]:
            verdict = "too large"
        elif m[-1] > (1 - min_drop) * m[0] or m[-1] >= np.log(num_classes):
            verdict = "too small"
        else:
            verdict = "good"
        ### END SOLUTION
        verdicts.append(verdict)
        finals.append(m[-1])
    ### BEGIN SOLUTION
    good = [i for i, v in enumerate(verdicts) if v == "good"]
    best_lr = float(learning_rates[min(good, key=lambda i: finals[i])]) if good else None
    ### END SOLUTION
    return verdicts, best_lr


def update_to_weight_ratios(params_before, params_after):
    """How large one update is next to the weights, per weight matrix (CS231n notes, "Neural
    Networks 3", ratio of weights:updates: "somewhere around 1e-3"; much lower and the layer barely
    learns, much higher and the rate is probably too high).

    params_before, params_after: dicts name -> array, the same names and shapes (a model's params
    before and after one update). Only arrays with two or more dimensions count (the weight
    matrices, as the Solver's update_ratio_history; a bias may be all zeros).

        ratio[name] = ||after[name] - before[name]||_F / ||before[name]||_F

    with ||A||_F = sqrt(sum(A ** 2)), the Frobenius norm (not squared). Returns a dict name -> float.
    """
    ratios = {}
    for name, w in params_before.items():
        if np.ndim(w) < 2:
            continue
        ### BEGIN SOLUTION
        ratios[name] = float(np.linalg.norm(params_after[name] - w) / np.linalg.norm(w))
        ### END SOLUTION
    return ratios


def log_uniform_samples(ranges, n, rng):
    """Random search in log space (Bergstra & Bengio 2012, "Random search for hyper-parameter
    optimization", JMLR 13; sampling the log of a scale parameter uniformly, section 2.2).

    ranges: dict name -> (low, high) with 0 < low < high, the bounds of the values themselves
    (e.g. {"learning_rate": (1e-4, 1.0)}), as a pair or an array of 2. n: samples per name.
    rng: an np.random.Generator to draw from.

        samples[name] = 10 ** u,   u ~ U(log10(low), log10(high)), n independent draws

    so every decade of the range gets the same share of samples, and every name its own draws
    (the names are independent). Any order of drawing is accepted; the same rng state gives the
    same samples. Returns a dict name -> (n,) float array with low <= samples <= high (up to
    rounding: 10 ** log10(x) may miss x in the last digit).
    """
    for name, (low, high) in ranges.items():
        if not 0 < low < high:
            raise ValueError(f"ranges[{name!r}] must be (low, high) with 0 < low < high, got ({low!r}, {high!r}).")
    samples = {}
    for name, (low, high) in ranges.items():
        ### BEGIN SOLUTION
        u = rng.uniform(np.log10(low), np.log10(high), size=n)
        samples[name] = 10.0 ** u
        ### END SOLUTION
    return samples
