"""Correct babysitting tools in other styles."""
import numpy as np

from . import variant

T = "babysit"


@variant(f"{T}.expected_initial_loss", style="-ln(1/C) and the penalty as a sum of squares over W-named arrays")
def initial_minus_log(num_classes, params=None, reg=0.0):
    penalty = sum(np.square(w).sum() for name, w in (params or {}).items() if name[0] == "W")
    return float(-np.log(1.0 / num_classes) + reg / 2 * penalty)


@variant(f"{T}.tiny_overfit_report", style="walks the accuracy backwards; only the first and last epoch means")
def overfit_backwards(train_acc_history, loss_history, iterations_per_epoch, loss_fraction=0.1):
    epoch = len(train_acc_history)
    while epoch > 0 and train_acc_history[epoch - 1] == 1.0:
        epoch -= 1
    epoch = -1 if epoch == len(train_acc_history) else epoch
    losses = np.asarray(loss_history, dtype=float)
    first = losses[:iterations_per_epoch].mean()
    last = losses[(len(losses) - 1) // iterations_per_epoch * iterations_per_epoch:].mean()
    ratio = float(last / first)
    return {"epoch": epoch, "loss_ratio": ratio, "passed": epoch >= 1 and ratio < loss_fraction}


@variant(f"{T}.lr_sweep_verdicts", style="np.isnan and np.isinf, (m[0] - m[-1]) < min_drop * m[0], argmin over the good finals")
def sweep_vectorised(learning_rates, loss_histories, iterations_per_epoch, num_classes, min_drop=0.05, overshoot=2.0):
    verdicts, finals = [], []
    for history in loss_histories:
        h = np.asarray(history, dtype=float)
        m = np.array([h[s:s + iterations_per_epoch].mean() for s in range(0, len(h), iterations_per_epoch)])
        if np.isnan(h).any() or np.isinf(h).any() or m.max() > overshoot * h[0] or m[-1] > (1 + min_drop) * m[0]:
            verdicts.append("too large")
        elif m[-1] >= np.log(num_classes) or (m[0] - m[-1]) < min_drop * m[0]:
            verdicts.append("too small")
        else:
            verdicts.append("good")
        finals.append(m[-1])
    finals = np.where(np.array(verdicts) == "good", np.array(finals), np.inf)
    best = float(learning_rates[int(np.argmin(finals))]) if np.isfinite(finals).any() else None
    return verdicts, best


@variant(f"{T}.update_to_weight_ratios", style="norms from np.sqrt(np.sum(...)) over the items with ndim >= 2")
def ratios_sqrt(params_before, params_after):
    return {name: float(np.sqrt(np.sum((params_after[name] - w) ** 2)) / np.sqrt(np.sum(w ** 2)))
            for name, w in params_before.items() if w.ndim >= 2}


@variant(f"{T}.log_uniform_samples", style="exp of U(ln low, ln high), names in reverse order of drawing")
def samples_natural_log(ranges, n, rng):
    samples = {}
    for name in reversed(list(ranges)):
        low, high = ranges[name]
        samples[name] = np.exp(rng.uniform(np.log(low), np.log(high), size=n))
    return samples


@variant(f"{T}.log_uniform_samples", style="one (n, k) draw of unit uniforms, mapped to each range's exponents")
def samples_one_draw(ranges, n, rng):
    u = rng.random((n, len(ranges)))
    return {name: 10.0 ** (np.log10(low) + u[:, j] * (np.log10(high) - np.log10(low)))
            for j, (name, (low, high)) in enumerate(ranges.items())}
