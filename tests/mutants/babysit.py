"""Buggy babysitting tools."""
import numpy as np

from trainlab import babysit as ref

from . import mutant

T = "babysit"


def _weights(params):
    return [w for name, w in (params or {}).items() if name.startswith("W")]


@mutant(f"{T}.expected_initial_loss", "log10(C) instead of ln C", hint="natural log")
def initial_log10(num_classes, params=None, reg=0.0):
    return float(np.log10(num_classes) + 0.5 * reg * sum(np.sum(w * w) for w in _weights(params)))


@mutant(f"{T}.expected_initial_loss", "ln(1/C): the sign of the chance loss", hint="mind the sign")
def initial_sign(num_classes, params=None, reg=0.0):
    return float(np.log(1 / num_classes) + 0.5 * reg * sum(np.sum(w * w) for w in _weights(params)))


@mutant(f"{T}.expected_initial_loss", "penalty reg * sum W^2 without the 0.5", hint="0.5 is missing")
def initial_no_half(num_classes, params=None, reg=0.0):
    return float(np.log(num_classes) + reg * sum(np.sum(w * w) for w in _weights(params)))


@mutant(f"{T}.expected_initial_loss", "penalty over every parameter, biases included", hint="weight matrices only")
def initial_biases(num_classes, params=None, reg=0.0):
    return float(np.log(num_classes) + 0.5 * reg * sum(np.sum(w * w) for w in (params or {}).values()))


@mutant(f"{T}.expected_initial_loss", "ln C only: the penalty left out", hint="rises with reg")
def initial_no_penalty(num_classes, params=None, reg=0.0):
    return float(np.log(num_classes))


def _report(epoch, means, loss_fraction):
    ratio = float(means[-1] / means[0])
    return {"epoch": epoch, "loss_ratio": ratio, "passed": bool(epoch >= 1 and ratio < loss_fraction)}


@mutant(f"{T}.tiny_overfit_report", "counts entry 0 as epoch 1", hint="entry 0 of train_acc_history")
def overfit_off_by_one(train_acc_history, loss_history, iterations_per_epoch, loss_fraction=ref.LOSS_FRACTION):
    report = ref.tiny_overfit_report(train_acc_history, loss_history, iterations_per_epoch, loss_fraction)
    epoch = report["epoch"] + 1 if report["epoch"] >= 0 else -1
    return _report(epoch, ref._epoch_means(loss_history, iterations_per_epoch), loss_fraction)


@mutant(f"{T}.tiny_overfit_report", "the first epoch at 1.0, even if the accuracy drops again", hint="stays there")
def overfit_first_hit(train_acc_history, loss_history, iterations_per_epoch, loss_fraction=ref.LOSS_FRACTION):
    acc = np.asarray(train_acc_history)
    hits = np.flatnonzero(acc == 1.0)
    epoch = int(hits[0]) if hits.size and acc[-1] == 1.0 else -1
    return _report(epoch, ref._epoch_means(loss_history, iterations_per_epoch), loss_fraction)


@mutant(f"{T}.tiny_overfit_report", "loss ratio of the last and first minibatch", hint="epoch means")
def overfit_minibatch_ratio(train_acc_history, loss_history, iterations_per_epoch, loss_fraction=ref.LOSS_FRACTION):
    report = ref.tiny_overfit_report(train_acc_history, loss_history, iterations_per_epoch, loss_fraction)
    ratio = float(loss_history[-1] / loss_history[0])
    return {**report, "loss_ratio": ratio, "passed": bool(report["epoch"] >= 1 and ratio < loss_fraction)}


@mutant(f"{T}.tiny_overfit_report", "passed on the accuracy alone", hint="needs both")
def overfit_accuracy_only(train_acc_history, loss_history, iterations_per_epoch, loss_fraction=ref.LOSS_FRACTION):
    report = ref.tiny_overfit_report(train_acc_history, loss_history, iterations_per_epoch, loss_fraction)
    return {**report, "passed": report["epoch"] >= 1}


def _sweep(learning_rates, loss_histories, iterations_per_epoch, verdict_of, best_of=None):
    verdicts, finals = [], []
    for history in loss_histories:
        h = np.asarray(history, dtype=float)
        m = ref._epoch_means(h, iterations_per_epoch)
        verdicts.append(verdict_of(h, m))
        finals.append(m[-1])
    good = [i for i, v in enumerate(verdicts) if v == "good"]
    if best_of is not None:
        return verdicts, best_of(learning_rates, good, finals)
    return verdicts, float(learning_rates[min(good, key=lambda i: finals[i])]) if good else None


def _rules(num_classes, min_drop=ref.MIN_DROP, overshoot=ref.OVERSHOOT, finite=True, chance=True, blowup=True):
    def verdict(h, m):
        if (finite and not np.all(np.isfinite(h))) or (blowup and np.any(m > overshoot * h[0])) \
                or m[-1] > (1 + min_drop) * m[0]:
            return "too large"
        if m[-1] > (1 - min_drop) * m[0] or (chance and m[-1] >= np.log(num_classes)):
            return "too small"
        return "good"
    return verdict


@mutant(f"{T}.lr_sweep_verdicts", "nan not treated as diverged (only the epoch means compared)", hint="nan or inf")
def sweep_ignores_nan(learning_rates, loss_histories, iterations_per_epoch, num_classes, min_drop=ref.MIN_DROP,
                      overshoot=ref.OVERSHOOT):
    return _sweep(learning_rates, loss_histories, iterations_per_epoch,
                  _rules(num_classes, min_drop, overshoot, finite=False))


@mutant(f"{T}.lr_sweep_verdicts", "compares the first and last minibatch loss, not epoch means", hint="epoch means")
def sweep_minibatch_ends(learning_rates, loss_histories, iterations_per_epoch, num_classes, min_drop=ref.MIN_DROP,
                         overshoot=ref.OVERSHOOT):
    rules = _rules(num_classes, min_drop, overshoot)
    return _sweep(learning_rates, loss_histories, iterations_per_epoch,
                  lambda h, m: rules(h, np.concatenate([m[:1] * 0 + h[0], m[1:-1], [h[-1]]]) if len(m) > 1 else m))


@mutant(f"{T}.lr_sweep_verdicts", "a slow run still above ln C called good", hint="at or above ln C")
def sweep_ignores_chance(learning_rates, loss_histories, iterations_per_epoch, num_classes, min_drop=ref.MIN_DROP,
                         overshoot=ref.OVERSHOOT):
    return _sweep(learning_rates, loss_histories, iterations_per_epoch,
                  _rules(num_classes, min_drop, overshoot, chance=False))


@mutant(f"{T}.lr_sweep_verdicts", "a run that blew up and came back down called good", hint="blew up")
def sweep_ignores_overshoot(learning_rates, loss_histories, iterations_per_epoch, num_classes,
                            min_drop=ref.MIN_DROP, overshoot=ref.OVERSHOOT):
    return _sweep(learning_rates, loss_histories, iterations_per_epoch,
                  _rules(num_classes, min_drop, overshoot, blowup=False))


@mutant(f"{T}.lr_sweep_verdicts", "best_lr: the smallest good rate", hint="not the smallest or largest good rate")
def sweep_lowest_rate(learning_rates, loss_histories, iterations_per_epoch, num_classes, min_drop=ref.MIN_DROP,
                      overshoot=ref.OVERSHOOT):
    return _sweep(learning_rates, loss_histories, iterations_per_epoch, _rules(num_classes, min_drop, overshoot),
                  lambda rates, good, finals: float(min(rates[i] for i in good)) if good else None)


@mutant(f"{T}.update_to_weight_ratios", "ratio of the norms' difference, | ||after|| - ||before|| | / ||before||",
        hint="difference of the two norms")
def ratio_norm_difference(params_before, params_after):
    return {n: float(abs(np.linalg.norm(params_after[n]) - np.linalg.norm(w)) / np.linalg.norm(w))
            for n, w in params_before.items() if np.ndim(w) >= 2}


@mutant(f"{T}.update_to_weight_ratios", "inverted: ||before|| / ||after - before||", hint="in the denominator")
def ratio_inverted(params_before, params_after):
    return {n: float(np.linalg.norm(w) / np.linalg.norm(params_after[n] - w))
            for n, w in params_before.items() if np.ndim(w) >= 2}


@mutant(f"{T}.update_to_weight_ratios", "squared norms: sum((after - before)^2) / sum(before^2)", hint="not their squares")
def ratio_squared(params_before, params_after):
    return {n: float(np.sum((params_after[n] - w) ** 2) / np.sum(w ** 2))
            for n, w in params_before.items() if np.ndim(w) >= 2}


@mutant(f"{T}.update_to_weight_ratios", "a ratio for every parameter, biases included", hint="two or more dimensions")
def ratio_every_param(params_before, params_after):
    with np.errstate(divide="ignore", invalid="ignore"):
        return {n: float(np.linalg.norm(params_after[n] - w) / np.linalg.norm(w)) for n, w in params_before.items()}


@mutant(f"{T}.log_uniform_samples", "uniform between low and high, not in log space", hint="top decade")
def samples_uniform(ranges, n, rng):
    return {name: rng.uniform(low, high, size=n) for name, (low, high) in ranges.items()}


@mutant(f"{T}.log_uniform_samples", "10 ** U(ln low, ln high): the bases mixed up", hint="go together")
def samples_mixed_bases(ranges, n, rng):
    return {name: 10.0 ** rng.uniform(np.log(low), np.log(high), size=n) for name, (low, high) in ranges.items()}


@mutant(f"{T}.log_uniform_samples", "draws from np.random, not the rng given", hint="the rng you are given")
def samples_global_rng(ranges, n, rng):
    return {name: 10.0 ** np.random.uniform(np.log10(low), np.log10(high), size=n)
            for name, (low, high) in ranges.items()}


@mutant(f"{T}.log_uniform_samples", "one draw shared by every name", hint="its own draws")
def samples_shared(ranges, n, rng):
    u = rng.random(n)
    return {name: 10.0 ** (np.log10(low) + u * (np.log10(high) - np.log10(low))) for name, (low, high) in ranges.items()}
