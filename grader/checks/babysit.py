"""Checks for trainlab/babysit.py.

The functions read training histories and parameter dicts, so the inputs here are made up to
order: loss histories whose epoch means fall, stay flat, rise, blow up or turn nan by
construction, with margins far from every threshold of the docstrings, so that each mistake
flips a verdict at every seed. Random search is judged by what every correct draw gives (within
the bounds, log10 uniform, reproducible from the rng, independent names), never by the order of
the student's draws.
"""
from __future__ import annotations

import copy

import numpy as np

from ..core.cases import Case, add_case
from ..core.compare import TOL_EXACT, assert_true, describe
from ..core.errors import CheckFailure
from ..core.registry import check
from ..core.topic import Topic
from .common import same_values

T = Topic("babysit", inplace_example="ratios[name] = float(...)")
VERDICTS = ("too small", "good", "too large")  # trainlab.babysit.VERDICTS, coded 0, 1, 2 in the outputs


# --------------------------------------------------------------------------- expected_initial_loss

LOG10_HINT = "the loss uses the natural log: ln C = np.log(C), not np.log10(C)."
SIGN_HINT = "the chance loss is -ln(1/C) = +ln C, a positive number: mind the sign."
HALF_HINT = "the model's L2 penalty is 0.5 * reg * sum W^2 (FullyConnectedNet's convention): the 0.5 is missing."
BIAS_HINT = "the L2 penalty covers the weight matrices only (names starting with W), not biases, gamma or beta."
NO_REG_HINT = "add the model's L2 penalty, 0.5 * reg * sum W^2, to ln C: the initial loss rises with reg."
PARAM_NAMES = ("W1", "b1", "gamma1", "beta1", "W2", "b2")


def _initial_losses(call, classes, params=None, reg=0.0) -> np.ndarray:
    out = []
    for C in classes:
        value = call(f"{T}.expected_initial_loss", int(C), params, reg)
        assert_true(np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.floating),
                    f"expected_initial_loss({int(C)}, ...) returned {describe(value)}; expected a float.")
        out.append(float(value))
    return np.array(out)


def make_model_params(rng, random_shapes):
    D, H, C = (int(d) for d in (rng.integers(5, 12, 3) if random_shapes else (6, 5, 4)))
    shapes = {"W1": (D, H), "b1": (H,), "gamma1": (H,), "beta1": (H,), "W2": (H, C), "b2": (C,)}
    params = {name: rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape) for name, shape in shapes.items()}
    return {"C": C, "reg": float(rng.uniform(0.05, 0.5)), **params}


def _params(inputs) -> dict:
    return {name: inputs[name] for name in PARAM_NAMES}


def penalty_hint(inputs, got, expected):
    """Known mistakes, told by how far the loss is from the expected one; inputs: C, reg and the params."""
    extra = float(np.ravel(got.get("loss"))[0]) - float(np.ravel(expected["loss"])[0])
    squares = {name: float(np.sum(value ** 2)) for name, value in inputs.items() if name not in ("C", "reg")}
    weights = sum(v for name, v in squares.items() if name.startswith("W"))
    others = sum(squares.values()) - weights
    for text, value in ((HALF_HINT, 0.5 * inputs["reg"] * weights), (BIAS_HINT, 0.5 * inputs["reg"] * others),
                        (NO_REG_HINT, -0.5 * inputs["reg"] * weights)):
        if same_values(extra, value):
            return text
    return None


add_case(Case(T, "expected_initial_loss", "with the L2 penalty of a model's params", make_model_params,
              lambda call, i: {"loss": _initial_losses(call, [i["C"]], _params(i), i["reg"])}, hint=penalty_hint))


def make_classes(rng, random_shapes):
    extra = rng.integers(3, 1000, size=3 if random_shapes else 1)
    return {"classes": np.concatenate([[2, 10, 100], extra])}


def chance_hint(inputs, got, expected):
    loss = got.get("loss")
    if same_values(loss, expected["loss"] / np.log(10)):
        return LOG10_HINT
    if same_values(loss, -expected["loss"]):
        return SIGN_HINT
    return None


add_case(Case(T, "expected_initial_loss", "ln C for several C, no penalty", make_classes,
              lambda call, i: {"loss": _initial_losses(call, i["classes"])}, hint=chance_hint))


@check(T, "expected_initial_loss", "rises with reg")
def initial_loss_rises_with_reg(ctx):
    inputs = make_model_params(ctx.rng, ctx.fresh)
    params, C = _params(inputs), inputs["C"]
    losses = [float(_initial_losses(ctx.call, [C], params, reg)[0]) for reg in (0.0, 0.1, 1.0)]
    assert_true(losses[0] < losses[1] < losses[2],
                f"expected_initial_loss({C}, params, reg) for reg = 0, 0.1, 1 gave {losses}; expected a loss "
                "that rises with reg.", NO_REG_HINT)


# ----------------------------------------------------------------------------- tiny_overfit_report

REACHED_HINT = ("'epoch' is where the training accuracy reaches 1.0 and stays there to the end: a run that "
                "reaches it and loses it again has not memorised the set yet.")
ENTRY_ZERO_HINT = "entry 0 of train_acc_history is the accuracy before training, so entry k is after epoch k."
MEANS_HINT = ("compare epoch means (the mean of each chunk of iterations_per_epoch losses), not the first and last "
              "minibatch, whose noise decides nothing.")
LOSS_TOO_HINT = "'passed' needs both: accuracy 1.0 from some epoch on, and loss_ratio < loss_fraction."
# Four runs, their accuracy histories (with e the number of epochs) and their epoch-mean losses
# as a fraction of the first epoch's: memorised; reached 1.0 and lost it again before keeping it;
# right on every example while the loss barely fell; never reached 1.0.
OVERFIT_RUNS = ("memorised", "lost it again", "loss barely fell", "never")


def _overfit_run(rng, kind, epochs, ipe, start):
    """(train_acc_history (epochs + 1,), loss_history (epochs * ipe,)) of one made-up run; its
    accuracy first reaches 1.0 at epoch `reach`."""
    reach = int(rng.integers(2, epochs - 2))
    acc = np.ones(epochs + 1)
    acc[:reach] = np.minimum(np.round(np.linspace(rng.uniform(0.05, 0.2), 0.95, reach) * 30) / 30, 29 / 30)
    if kind == "lost it again":
        acc[reach + 1] = 29 / 30
    if kind == "never":
        acc = np.minimum(acc, 29 / 30)
    end = 0.5 if kind == "loss barely fell" else 0.01
    means = start * end ** (np.arange(epochs) / (epochs - 1))
    losses = np.repeat(means, ipe) * rng.uniform(0.9, 1.1, epochs * ipe)
    losses[0], losses[-1] = 0.5 * start, 2 * means[-1]  # outliers: a minibatch ratio is far off
    return acc, losses


def make_overfit(rng, random_shapes):
    epochs = int(rng.integers(8, 15)) if random_shapes else 10
    ipe = int(rng.integers(4, 9)) if random_shapes else 5
    start = float(rng.uniform(1.5, 3.0))
    inputs = {"ipe": ipe, "loss_fraction": float(rng.uniform(0.1, 0.2))}
    for k, kind in enumerate(OVERFIT_RUNS):
        inputs[f"acc{k}"], inputs[f"loss{k}"] = _overfit_run(rng, kind, epochs, ipe, start)
    return inputs


def _report(call, acc, losses, ipe, loss_fraction) -> dict:
    report = call(f"{T}.tiny_overfit_report", acc, losses, ipe, loss_fraction)
    assert_true(isinstance(report, dict) and {"epoch", "loss_ratio", "passed"} <= set(report),
                f"tiny_overfit_report returned {describe(report)}; expected a dict with the keys 'epoch', "
                "'loss_ratio' and 'passed'.")
    return report


def run_overfit(call, inputs):
    reports = [_report(call, inputs[f"acc{k}"], inputs[f"loss{k}"], inputs["ipe"], inputs["loss_fraction"])
               for k in range(len(OVERFIT_RUNS))]
    return {key: np.array([float(r[key]) for r in reports]) for key in ("epoch", "loss_ratio", "passed")}


def overfit_hint(inputs, got, expected):
    epoch, passed = got.get("epoch"), got.get("passed")
    if epoch is not None and same_values(epoch, expected["epoch"] + (expected["epoch"] >= 0)):
        return ENTRY_ZERO_HINT
    if epoch is not None and np.shape(epoch) == (4,) and epoch[1] < expected["epoch"][1]:
        return REACHED_HINT
    ratio = got.get("loss_ratio")
    if ratio is not None and not same_values(ratio, expected["loss_ratio"]):
        return MEANS_HINT
    if passed is not None and np.shape(passed) == (4,) and passed[2] and not expected["passed"][2]:
        return LOSS_TOO_HINT
    return None


add_case(Case(T, "tiny_overfit_report", "four runs: memorised, lost 1.0 again, loss barely fell, never",
              make_overfit, run_overfit, hint=overfit_hint))


def _one_overfit(ctx, kind):
    inputs = make_overfit(ctx.rng, ctx.fresh)
    k = OVERFIT_RUNS.index(kind)
    return inputs, _report(ctx.call, inputs[f"acc{k}"], inputs[f"loss{k}"], inputs["ipe"], inputs["loss_fraction"]), k


@check(T, "tiny_overfit_report", "reaching 1.0 and losing it again does not count")
def overfit_stays(ctx):
    inputs, report, k = _one_overfit(ctx, "lost it again")
    acc = inputs[f"acc{k}"]
    lost = int(np.flatnonzero(acc < 1.0)[-1])  # the accuracy stays 1.0 after this entry
    assert_true(report["epoch"] == lost + 1,
                f"tiny_overfit_report with train_acc_history {np.round(acc, 3).tolist()} gave epoch "
                f"{report['epoch']!r}; the accuracy stays at 1.0 from epoch {lost + 1} on.",
                ENTRY_ZERO_HINT if report["epoch"] == lost + 2 else REACHED_HINT)


@check(T, "tiny_overfit_report", "passing needs the loss to fall too")
def overfit_needs_loss(ctx):
    inputs, report, k = _one_overfit(ctx, "loss barely fell")
    assert_true(report["passed"] is False or report["passed"] == 0,
                f"tiny_overfit_report passed a run whose accuracy reached 1.0 while its epoch-mean loss fell only "
                f"to about half (loss_fraction {inputs['loss_fraction']:.3g}); expected passed False.", LOSS_TOO_HINT)


@check(T, "tiny_overfit_report", "loss_ratio from epoch means, not single minibatches")
def overfit_epoch_means(ctx):
    inputs, report, k = _one_overfit(ctx, "memorised")
    losses, ipe = inputs[f"loss{k}"], inputs["ipe"]
    single = losses[-1] / losses[0]
    assert_true(np.isfinite(report["loss_ratio"]) and not np.isclose(report["loss_ratio"], single, rtol=1e-6),
                f"tiny_overfit_report gave loss_ratio {report['loss_ratio']!r}: the last minibatch's loss over the "
                f"first's, {single:.6g}; with {ipe} iterations per epoch the epoch means give another value.",
                MEANS_HINT)


# ------------------------------------------------------------------------------- lr_sweep_verdicts

NAN_HINT = "a run with a nan or inf loss diverged: it is 'too large' whatever its other losses do (np.isfinite)."
BEST_HINT = ("best_lr is the rate of the good run with the lowest last-epoch mean loss, not the smallest or "
             "largest good rate.")
CHANCE_HINT = "a run whose last epoch mean is still at or above ln C is 'too small': it learns, but too slowly."
OVERSHOOT_HINT = ("a run with an epoch mean above overshoot times its first loss blew up: 'too large', even if it "
                  "comes back down (to ln C, where dead ReLUs leave it).")
# The runs of a made-up sweep, in order of rising rate: (name, verdict, first epoch mean and last
# as multiples of ln C). "flat" has outlying first and last minibatches, so that reading them
# instead of the epoch means calls it good.
SWEEP_RUNS = (("flat", 0, 1.3, 1.3), ("slow", 0, 1.5, 1.15), ("good", 1, 1.2, 0.55), ("best", 1, 1.1, 0.3),
              ("good late", 1, 1.05, 0.45), ("rose", 2, 1.3, 2.0), ("overshoot", 2, 1.2, 0.9),
              ("nan", 2, 1.2, 0.6), ("inf", 2, 1.3, 0.8))


def _sweep_run(rng, name, first, last, epochs, ipe, L):
    means = L * first * (last / first) ** (np.arange(epochs) / (epochs - 1))
    losses = np.repeat(means, ipe) * rng.uniform(0.98, 1.02, epochs * ipe)
    if name == "flat":
        losses[0], losses[-1] = 2.1 * L, 0.5 * L
    if name == "overshoot":  # blows up in the first epochs, then comes back below ln C
        losses[ipe // 2: 2 * ipe] = rng.uniform(5, 50) * losses[0]
    if name in ("nan", "inf"):
        cut = int(rng.integers(ipe + 1, (epochs - 1) * ipe))
        losses = losses[:cut]
        losses[-1] = np.nan if name == "nan" else np.inf
    return losses


def make_sweep(rng, random_shapes):
    epochs = int(rng.integers(3, 9)) if random_shapes else 4
    ipe = int(rng.integers(40, 80)) if random_shapes else 40  # many: the outliers of "flat" hardly move its means
    C = int(rng.integers(3, 30)) if random_shapes else 10
    rates = np.sort(10 ** rng.uniform(-6, 1, len(SWEEP_RUNS)))
    inputs = {"learning_rates": rates, "ipe": ipe, "C": C}
    for k, (name, _, first, last) in enumerate(SWEEP_RUNS):
        inputs[f"loss{k}"] = _sweep_run(rng, name, first, last, epochs, ipe, np.log(C))
    return inputs


def _verdicts(call, rates, histories, ipe, C) -> tuple[np.ndarray, float]:
    result = call(f"{T}.lr_sweep_verdicts", rates, histories, ipe, C)
    assert_true(isinstance(result, tuple) and len(result) == 2,
                f"lr_sweep_verdicts returned {describe(result)}; expected a pair (verdicts, best_lr).")
    verdicts, best = result
    assert_true(isinstance(verdicts, (list, tuple)) and len(verdicts) == len(rates)
                and all(v in VERDICTS for v in verdicts),
                f"lr_sweep_verdicts returned the verdicts {verdicts!r}; expected a list of {len(rates)} strings, "
                f"each one of {', '.join(map(repr, VERDICTS))}.")
    assert_true(best is None or (np.ndim(best) == 0 and np.issubdtype(np.asarray(best).dtype, np.number)),
                f"lr_sweep_verdicts returned best_lr {describe(best)}; expected a float or None.")
    return np.array([VERDICTS.index(v) for v in verdicts]), 0.0 if best is None else float(best)


def run_sweep(call, inputs):
    histories = [inputs[f"loss{k}"] for k in range(len(SWEEP_RUNS))]
    codes, best = _verdicts(call, inputs["learning_rates"], histories, inputs["ipe"], inputs["C"])
    return {"verdicts": codes, "best_lr": best}  # best_lr 0.0: None (every rate is positive)


def sweep_hint(inputs, got, expected):
    codes, want = got.get("verdicts"), expected["verdicts"]
    names = [name for name, *_ in SWEEP_RUNS]
    if codes is not None and np.shape(codes) == np.shape(want):
        wrong = {names[k] for k in np.flatnonzero(codes != want)}
        for runs, text in (({"nan", "inf"}, NAN_HINT), ({"flat"}, MEANS_HINT), ({"slow"}, CHANCE_HINT),
                           ({"overshoot"}, OVERSHOOT_HINT)):
            if wrong & runs:
                return text
    if not same_values(got.get("best_lr"), expected["best_lr"]):
        return BEST_HINT
    return None


add_case(Case(T, "lr_sweep_verdicts", "a sweep of nine runs: flat, slow, good, rising, blown up, nan, inf",
              make_sweep, run_sweep, hint=sweep_hint))


def _sweep_of(ctx, names):
    inputs = make_sweep(ctx.rng, ctx.fresh)
    keep = [k for k, (name, *_) in enumerate(SWEEP_RUNS) if name in names]
    rates = inputs["learning_rates"][keep]
    codes, best = _verdicts(ctx.call, rates, [inputs[f"loss{k}"] for k in keep], inputs["ipe"], inputs["C"])
    return rates, codes, best, [SWEEP_RUNS[k] for k in keep]


def _expect_verdicts(codes, runs, hints):
    for code, (name, want, *_) in zip(codes, runs):
        assert_true(code == want, f"lr_sweep_verdicts called the {name!r} run {VERDICTS[code]!r}; expected "
                                  f"{VERDICTS[want]!r}.", hints.get(name))


@check(T, "lr_sweep_verdicts", "a run with nan or inf is too large")
def sweep_diverged(ctx):
    _, codes, _, runs = _sweep_of(ctx, ("good", "nan", "inf"))
    _expect_verdicts(codes, runs, {"nan": NAN_HINT, "inf": NAN_HINT})


@check(T, "lr_sweep_verdicts", "epoch means decide, not the first and last minibatch")
def sweep_epoch_means(ctx):
    _, codes, _, runs = _sweep_of(ctx, ("flat", "good"))
    _expect_verdicts(codes, runs, {"flat": MEANS_HINT})


@check(T, "lr_sweep_verdicts", "a run still above ln C is too small, one that blew up too large")
def sweep_chance_and_overshoot(ctx):
    _, codes, _, runs = _sweep_of(ctx, ("slow", "good", "overshoot"))
    _expect_verdicts(codes, runs, {"slow": CHANCE_HINT, "overshoot": OVERSHOOT_HINT})


@check(T, "lr_sweep_verdicts", "best_lr: the good run with the lowest final loss")
def sweep_best(ctx):
    rates, _, best, runs = _sweep_of(ctx, ("flat", "good", "best", "good late", "rose"))
    want = float(rates[[name for name, *_ in runs].index("best")])
    assert_true(np.isclose(best, want, rtol=1e-12, atol=0),
                f"lr_sweep_verdicts gave best_lr {best!r}; the good run with the lowest last-epoch mean loss has "
                f"the rate {want!r}.", BEST_HINT)
    _, _, none, _ = _sweep_of(ctx, ("rose", "inf"))
    assert_true(none == 0.0, f"lr_sweep_verdicts gave best_lr {none!r} for a sweep without a good run; expected None.",
                "best_lr is None when no run is good.")


# ------------------------------------------------------------------------- update_to_weight_ratios

NORM_DIFF_HINT = ("the ratio is the norm of the update, ||after - before||, over ||before||; the difference of "
                  "the two norms, ||after|| - ||before||, misses updates that turn the weights.")
INVERTED_HINT = "the weights' norm ||before|| goes in the denominator: ||after - before|| / ||before||."
SQUARED_HINT = "use the Frobenius norms themselves (np.linalg.norm), not their squares."
MATRICES_HINT = "only arrays with two or more dimensions count (the weight matrices); skip biases, gamma and beta."


def make_update(rng, random_shapes):
    D, H, C = (int(d) for d in (rng.integers(4, 12, 3) if random_shapes else (6, 5, 3)))
    before = {"W1": rng.standard_normal((D, H)), "b1": np.zeros(H), "gamma1": np.ones(H),
              "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C)}
    scales = {name: 10 ** rng.uniform(-4, -1) for name in before}
    after = {name: w + scales[name] * rng.standard_normal(w.shape) for name, w in before.items()}
    return {**{f"before_{k}": v for k, v in before.items()}, **{f"after_{k}": v for k, v in after.items()}}


def _dicts(inputs):
    names = [k.partition("_")[2] for k in inputs if k.startswith("before_")]
    return {n: inputs[f"before_{n}"] for n in names}, {n: inputs[f"after_{n}"] for n in names}


def _ratios(call, before, after) -> dict:
    ratios = call(f"{T}.update_to_weight_ratios", before, after)
    assert_true(isinstance(ratios, dict), f"update_to_weight_ratios returned {describe(ratios)}; expected a dict "
                                          "name -> float.")
    return ratios


def run_update(call, inputs):
    before, after = _dicts(inputs)
    ratios = _ratios(call, before, after)
    missing = [n for n in ("W1", "W2") if n not in ratios]
    assert_true(not missing, f"update_to_weight_ratios returned no ratio for {missing[0] if missing else None}.")
    return {n: np.asarray(ratios[n], dtype=float) for n in ("W1", "W2")}


def update_hint(inputs, got, expected):
    before, after = _dicts(inputs)
    norm = {n: (np.linalg.norm(before[n]), np.linalg.norm(after[n]), np.linalg.norm(after[n] - before[n]))
            for n in ("W1", "W2")}
    mistakes = ((NORM_DIFF_HINT, lambda b, a, d: abs(a - b) / b), (INVERTED_HINT, lambda b, a, d: b / d),
                (SQUARED_HINT, lambda b, a, d: d ** 2 / b ** 2))
    for text, wrong in mistakes:
        if all(same_values(got.get(n), wrong(*norm[n])) for n in ("W1", "W2")):
            return text
    return None


add_case(Case(T, "update_to_weight_ratios", "a model's params before and after one update", make_update, run_update,
              hint=update_hint))


@check(T, "update_to_weight_ratios", "only the weight matrices (two or more dimensions)")
def update_matrices_only(ctx):
    inputs = make_update(ctx.rng, ctx.fresh)
    before, after = _dicts(inputs)
    before["b1"], after["b1"] = np.ones_like(before["b1"]), 2 * np.ones_like(before["b1"])  # no division by 0
    ratios = _ratios(ctx.call, before, after)
    assert_true(set(ratios) == {"W1", "W2"}, f"update_to_weight_ratios returned ratios for {sorted(ratios)}; "
                                            "expected exactly ['W1', 'W2'].", MATRICES_HINT)


# ----------------------------------------------------------------------------- log_uniform_samples

RANGES = {"learning_rate": (1e-5, 1.0), "reg": (1e-7, 1e-1), "keep_prob_gap": (1e-3, 0.5)}
UNIFORM_HINT = ("draw the exponent uniformly, u ~ U(log10(low), log10(high)), and return 10 ** u: a uniform draw "
                "between low and high puts almost every sample in the top decade.")
BASE_HINT = "log10 and 10 ** go together (or np.log and np.exp): mixing the bases leaves the range."
RNG_HINT = "draw from the rng you are given (rng.uniform), not from np.random or a new generator."
NAMES_HINT = "each name gets its own draws: draw n new exponents for every name."
KS_LIMIT = 0.07  # Kolmogorov-Smirnov distance on N_KS samples; a correct draw exceeds it with p < 1e-7
N_KS = 4000


def make_ranges(rng, random_shapes):
    names = list(RANGES)
    lows = np.array([10 ** rng.uniform(-7, -3) for _ in names]) if random_shapes else np.array([1e-5, 1e-7, 1e-3])
    highs = lows * 10 ** rng.uniform(2, 5, len(names)) if random_shapes else np.array([1.0, 1e-1, 0.5])
    return {"lows": lows, "highs": highs, "n": int(rng.integers(50, 200)),
            "seed": int(rng.integers(2 ** 31))}


def _ranges(inputs) -> dict:
    return {name: np.array([lo, hi]) for name, lo, hi in zip(RANGES, inputs["lows"], inputs["highs"])}  # names: RANGES


def _samples(call, ranges, n, seed) -> dict:
    # a copy: the runner hands a dict argument's new contents back (state dicts), and the bounds
    # that judge the samples must stay the ones asked for
    samples = call(f"{T}.log_uniform_samples", copy.deepcopy(ranges), n, np.random.default_rng(seed))
    assert_true(isinstance(samples, dict) and set(samples) == set(ranges),
                f"log_uniform_samples returned {describe(samples)}; expected a dict with the keys {sorted(ranges)}.")
    for name, values in samples.items():
        assert_true(isinstance(values, np.ndarray) and values.shape == (n,) and values.dtype.kind == "f",
                    f"log_uniform_samples: samples[{name!r}] is {describe(values)}; expected a float array of "
                    f"shape ({n},).")
    return samples


def _in_bounds(samples, ranges) -> None:
    for name, (low, high) in ranges.items():
        values = np.asarray(samples[name], dtype=float)
        outside = (values < low * (1 - 1e-12)) | (values > high * (1 + 1e-12)) | ~np.isfinite(values)
        if outside.any():
            k = int(np.argmax(outside))
            raise CheckFailure(f"log_uniform_samples: samples[{name!r}][{k}] = {values[k]!r} lies outside "
                               f"[{low:.6g}, {high:.6g}].", BASE_HINT)


def run_ranges(call, inputs):
    samples = _samples(call, _ranges(inputs), inputs["n"], inputs["seed"])
    return {f"samples_{name}": samples[name] for name in RANGES}


def within_bounds(inputs, got, expected):
    """Every correct draw: n samples per name within [low, high] (up to rounding)."""
    _in_bounds({name: got.get(f"samples_{name}") for name in RANGES}, _ranges(inputs))


add_case(Case(T, "log_uniform_samples", "n samples per name within the bounds", make_ranges, run_ranges,
              judge=within_bounds))


def ks_distance(u) -> float:
    """Kolmogorov-Smirnov distance between the sample u (values in [0, 1]) and U(0, 1)."""
    u = np.sort(np.asarray(u, dtype=float))
    n = u.size
    return float(max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n)))


@check(T, "log_uniform_samples", "log10 of the samples is uniform over the range")
def log_uniform(ctx):
    ranges = {name: np.array(bounds) for name, bounds in RANGES.items()}
    samples = _samples(ctx.call, ranges, N_KS, int(ctx.rng.integers(2 ** 31)))
    _in_bounds(samples, ranges)
    for name, (low, high) in RANGES.items():
        position = (np.log10(np.clip(samples[name], low, high)) - np.log10(low)) / (np.log10(high) - np.log10(low))
        d = ks_distance(position)
        assert_true(d <= KS_LIMIT, f"log_uniform_samples: log10 of samples[{name!r}] is not uniform over "
                                   f"[log10 {low:g}, log10 {high:g}]: Kolmogorov-Smirnov distance {d:.3f} on {N_KS} "
                                   f"samples (a correct draw stays below {KS_LIMIT}).", UNIFORM_HINT)


@check(T, "log_uniform_samples", "the same rng state gives the same samples")
def log_uniform_reproducible(ctx):
    inputs = make_ranges(ctx.rng, ctx.fresh)
    first, second = (_samples(ctx.call, _ranges(inputs), inputs["n"], inputs["seed"]) for _ in range(2))
    differ = [name for name in first if not np.array_equal(first[name], second[name])]
    assert_true(not differ, f"log_uniform_samples gave other samples[{differ[0] if differ else ''!r}] for two "
                            f"generators made with the same seed {inputs['seed']}.", RNG_HINT)


@check(T, "log_uniform_samples", "every name gets its own draws")
def log_uniform_independent(ctx):
    ranges = {"a": np.array([1e-4, 1.0]), "b": np.array([1e-4, 1.0]), "c": np.array([1e-6, 1e-2])}
    samples = _samples(ctx.call, ranges, 500, int(ctx.rng.integers(2 ** 31)))
    _in_bounds(samples, ranges)
    logs = {name: np.log10(np.clip(values, *ranges[name])) for name, values in samples.items()}
    for x, y in (("a", "b"), ("a", "c")):
        r = float(np.corrcoef(logs[x], logs[y])[0, 1])
        assert_true(abs(r) < 0.3, f"log_uniform_samples: the log10 samples of {x!r} and {y!r} have correlation "
                                  f"{r:.3f} over 500 draws; independent draws stay near 0.", NAMES_HINT)
