"""Checks for trainlab/regularization.py.

Dropout-like layers are made deterministic by passing a seed in the param dict: the same seed
gives the same mask, so their outputs can be compared with the reference exactly and their
backward passes checked against centred differences. Property checks (keep rate, expectation,
reproducibility) give credit independently of the order in which random numbers are drawn.
The property checks take `random_shapes`; grader/hidden/regularization.py registers their
hidden twins with random shapes and parameters.
"""
from __future__ import annotations

import numpy as np

from ..core.cases import Case, add_case, add_dtype_check, add_layer_cases, compare_outputs
from ..core.compare import TOL_EXACT, TOL_GRAD, assert_close, assert_true, describe, rel_error_array
from ..core.errors import CheckFailure
from ..core.numgrad import directional_gradient_check
from ..core.registry import check
from ..core.topic import Topic
from .common import RAISE_HINT, away_from_half, away_from_zero, dims, formula_hint

T = Topic("regularization")
SEED_HIGH = 2**31
PUBLIC_KEEP_PROB = 0.7  # not 0.5, so that swapping keep and drop changes the mask statistics

# Statistical checks run dropout on STAT_UNITS ones. The number of kept units K is
# Binomial(n, keep_prob), so the fraction of dropped units 1 - K/n has standard deviation
# sigma = sqrt(keep_prob * (1 - keep_prob) / n) (at most 0.5 / sqrt(n) = 1.6e-3 for n = 1e5)
# and the inverted-dropout mean K / (n * keep_prob) has standard deviation sigma / keep_prob.
# A deviation beyond STAT_SIGMAS = 6 standard deviations has probability about 2e-9 per check,
# so the reference passes for every seed. Forgetting the 1 / keep_prob scale moves the mean to
# keep_prob, 1 - keep_prob >= 0.1 away (keep_prob <= 0.9), at least 19 of its standard deviations
# sigma / keep_prob <= 5.3e-3; swapping keep and drop moves the drop rate by |2 keep_prob - 1|,
# 0.4 for the public keep_prob (the exact reference comparison catches it for any keep_prob).
STAT_UNITS = 100_000
STAT_SIGMAS = 6.0


def assert_shape(what: str, got, shape: tuple) -> None:
    assert_true(isinstance(got, np.ndarray) and got.shape == tuple(shape),
                f"{what}: expected an array of shape {tuple(shape)}, got {describe(got)}.")


def draw_seed(rng) -> int:
    return int(rng.integers(SEED_HIGH))


def draw_keep_prob(rng, random_shapes: bool) -> float:
    return PUBLIC_KEEP_PROB if not random_shapes else away_from_half(rng, 0.3, 0.9)


CASE_NAMES = {"train": "train mode, given seed", "test": "test mode"}


def dropout_param(inputs: dict) -> dict:
    return {"mode": inputs["mode"], "keep_prob": inputs["keep_prob"], "seed": inputs["seed"]}


# ---------------------------------------------------------------- dropout: reference outputs


# Random shapes hold 225 or more units: at keep_prob <= 0.9 all are kept with probability
# <= 0.9^225 = 5e-11 and all dropped with probability < 1e-30, so a mistake on either side shows.
RANDOM_UNITS = (15, 25)  # each axis of a random dropout shape (a DropConnect weight) lies in this range


def make_dropout(mode: str):
    def make(rng, random_shapes):
        shape = dims(rng, random_shapes, (5, 6), *RANDOM_UNITS)
        return {"x": rng.standard_normal(shape), "dout": rng.standard_normal(shape), "mode": mode,
                "keep_prob": draw_keep_prob(rng, random_shapes), "seed": draw_seed(rng)}

    return make


def dropout_forward_hint(inputs, got, expected):
    if "out" not in got or np.shape(got["out"]) != np.shape(inputs["x"]):
        return None
    if inputs["mode"] == "test":
        x, keep_prob = inputs["x"], inputs["keep_prob"]
        if any(np.allclose(got["out"], scale * x) for scale in (keep_prob, 1 - keep_prob)):
            return ("inverted dropout already scaled the kept units by 1 / keep_prob at train time, so test "
                    "mode returns x unchanged (a copy).")
        if np.any((got["out"] == 0) & (x != 0)):
            return "dropout only drops at train time: test mode returns x unchanged (a copy), with no mask."
        return None
    if inputs["mode"] != "train":
        return None
    x, keep_prob = inputs["x"], inputs["keep_prob"]
    r = np.random.default_rng(inputs["seed"]).random(x.shape)
    if np.allclose(got["out"], x * (r < keep_prob)):
        return "inverted dropout divides the kept units by keep_prob at train time."
    swapped = (x * (r >= keep_prob) / keep_prob, x * (r < 1 - keep_prob) / keep_prob)
    if any(np.allclose(got["out"], out) for out in swapped):
        return "keep_prob is the probability of KEEPING a unit: keep it where rng.random(x.shape) < keep_prob."
    return ("draw the mask with a single call rng.random(x.shape) on np.random.default_rng(seed) (or "
            "dropout_param['rng']) and keep the units where it is < keep_prob.")


def dropout_backward_hint(inputs, got, expected):
    if inputs["mode"] == "train" and "dx" in got and np.allclose(got["dx"], inputs["dout"]):
        return "in train mode the gradient flows only through the kept units: dx = dout * mask (with the same scale)."
    return None


def documented_mask(inputs, shape):
    """The mask of the documented draw for these inputs (kept = True)."""
    return np.random.default_rng(inputs["seed"]).random(shape) < inputs["keep_prob"]


NONINVERTED_BACKWARD = formula_hint("dx", [
    ("non-inverted dropout does not scale at train time, so its gradient is dout * mask, not divided by keep_prob.",
     lambda i: i["dout"] * documented_mask(i, i["x"].shape) / i["keep_prob"] if i["mode"] == "train" else None),
    ("test mode scaled x by keep_prob, so dx = keep_prob * dout.",
     lambda i: i["dout"] if i["mode"] == "test" else None)])
DROPCONNECT_FORWARD = formula_hint("out", [
    ("mask the weights, not the inputs: DropConnect drops connections, out = x @ (w * mask) + b.",
     lambda i: (i["x"] * documented_mask(i, i["x"].shape) / i["keep_prob"]) @ i["w"] + i["b"]
     if i["mode"] == "train" else None),
    ("inverted DropConnect already scaled the kept weights by 1 / keep_prob at train time: test mode uses w "
     "unchanged.", lambda i: i["x"] @ (i["w"] * i["keep_prob"]) + i["b"] if i["mode"] == "test" else None)])
DROPCONNECT_BACKWARD = formula_hint("dw", [
    ("dw flows only through the kept weights: dw = (x.T @ dout) * mask, with the mask's 1 / keep_prob.",
     lambda i: i["x"].T @ i["dout"] if i["mode"] == "train" else None)])

# An error the student's function raised, by words of its message (grader/core/engine.py).
ERROR_HINTS = {
    "dropout_backward": [("NoneType", "in test mode nothing was dropped and the cache holds no mask: dx = dout.")],
    "dropout_backward_noninverted": [("NoneType", "in test mode the cache holds no mask: dx = keep_prob * dout.")],
    "dropconnect_backward": [("NoneType", "in test mode the weights were used as they are and the cache holds no "
                                          "mask: dw = x.T @ dout.")],
}
T.error_hints = ERROR_HINTS


def any_draw(function: str, inverted: bool):
    """Judge a train-mode output by what every correct draw gives: each entry is 0 (dropped) or
    x / keep_prob (kept; x without the inverted scaling). Which units are kept is the draw's
    business: the documented draw has a small check of its own, and the fraction kept is
    checked on 100,000 units ("ones in train mode")."""

    def judge(inputs, got, expected):
        x, keep_prob, out = inputs["x"], inputs["keep_prob"], got.get("out")
        assert_shape(f"{function} output", out, x.shape)
        kept = x / keep_prob if inverted else x
        ok = (out == 0) | (rel_error_array(out, kept) <= TOL_EXACT)
        if not ok.all():
            where = tuple(int(i) for i in np.argwhere(~ok)[0])
            hint = None
            if inverted and np.allclose(out[out != 0], x[out != 0]):
                hint = "inverted dropout divides the kept units by keep_prob at train time."
            elif not inverted and np.allclose(out[out != 0], kept[out != 0] / keep_prob):
                hint = "non-inverted dropout keeps x as it is at train time and scales at test time instead."
            raise CheckFailure(f"{function} output at index {where} is {float(out[where]):.9g}; with "
                               f"keep_prob={keep_prob:g} every entry must be 0 (dropped) or "
                               f"{'x / keep_prob' if inverted else 'x'} = {float(kept[where]):.9g} (kept).", hint)

    return judge


def make_documented_draw(rng, random_shapes):
    inputs = make_dropout("train")(rng, random_shapes)
    return {**inputs, "keep_prob": PUBLIC_KEEP_PROB}


DRAW_NAME = "the documented draw: keep where np.random.default_rng(seed).random(x.shape) < keep_prob"


def own_draw_gradient(function: str, inverted: bool, hint):
    """Judge a gradient on the units the student's own forward kept, whatever its correct draw:
    in train mode dx = dout * kept (divided by keep_prob when inverted); test mode as the reference."""

    def judge(inputs, got, expected):
        want, out = dict(expected), got.get("_forward_out")
        if inputs["mode"] == "train" and np.shape(out) == np.shape(inputs["x"]):
            want["dx"] = inputs["dout"] * (np.asarray(out) != 0) / (inputs["keep_prob"] if inverted else 1.0)
        try:
            compare_outputs(function, got, want, TOL_EXACT)
        except CheckFailure as failure:
            failure.hint = failure.hint or hint(inputs, got, expected)
            raise

    return judge


for _forward, _backward, _inverted in (("dropout_forward", "dropout_backward", True),
                                       ("dropout_forward_noninverted", "dropout_backward_noninverted", False)):
    for _mode in ("train", "test"):
        add_layer_cases(T, f"{T}.{_forward}", f"{T}.{_backward}", make_dropout(_mode),
                        build=lambda inputs: (inputs["x"], dropout_param(inputs)), name=CASE_NAMES[_mode],
                        hint_forward=dropout_forward_hint if _inverted else None,
                        hint_backward=dropout_backward_hint if _inverted else NONINVERTED_BACKWARD,
                        judge_forward=any_draw(_forward, _inverted) if _mode == "train" else None,
                        judge_backward=own_draw_gradient(_backward, _inverted, dropout_backward_hint if _inverted
                                                         else NONINVERTED_BACKWARD))
    add_case(Case(T, _forward, DRAW_NAME, make_documented_draw,
                  lambda call, inputs, _f=f"{T}.{_forward}": {
                      "out": call(_f, inputs["x"], dropout_param(inputs))[0]},
                  hint=dropout_forward_hint if _inverted else None, twin=False))


def make_dropconnect(mode: str):
    def make(rng, random_shapes):
        N, D, M = dims(rng, random_shapes, (4, 5, 3), *RANDOM_UNITS)
        return {"x": rng.standard_normal((N, D)), "w": rng.standard_normal((D, M)), "b": rng.standard_normal(M),
                "dout": rng.standard_normal((N, M)), "mode": mode,
                "keep_prob": draw_keep_prob(rng, random_shapes), "seed": draw_seed(rng)}

    return make


for _mode in ("train", "test"):
    add_layer_cases(T, f"{T}.dropconnect_forward", f"{T}.dropconnect_backward", make_dropconnect(_mode),
                    build=lambda inputs: (inputs["x"], inputs["w"], inputs["b"], dropout_param(inputs)),
                    wrt=("x", "w", "b"), name=CASE_NAMES[_mode], hint_forward=DROPCONNECT_FORWARD,
                    hint_backward=DROPCONNECT_BACKWARD)


# ---------------------------------------------------------------- dropout: properties


def keep_rate(ctx, random_shapes: bool) -> None:
    """Inverted dropout on ones: drop rate 1 - keep_prob, kept units 1 / keep_prob, mean 1."""
    keep_prob = draw_keep_prob(ctx.rng, random_shapes)
    param = {"mode": "train", "keep_prob": keep_prob, "seed": draw_seed(ctx.rng)}
    x = np.ones((STAT_UNITS // 100, 100))
    out, _ = ctx.call(f"{T}.dropout_forward", x, param)
    assert_shape("dropout_forward(ones) output", out, x.shape)
    sigma = np.sqrt(keep_prob * (1 - keep_prob) / STAT_UNITS)
    dropped = float(np.mean(out == 0))
    assert_true(abs(dropped - (1 - keep_prob)) <= STAT_SIGMAS * sigma,
                f"dropout_forward with keep_prob={keep_prob:.3f} dropped a fraction {dropped:.4f} of "
                f"{STAT_UNITS} units; expected {1 - keep_prob:.4f} +- {STAT_SIGMAS * sigma:.4f}.",
                "keep_prob is the probability of KEEPING a unit, so about 1 - keep_prob of them become 0 "
                "(yours drops about keep_prob of them)." if abs(dropped - keep_prob) <= STAT_SIGMAS * sigma else
                "in train mode dropout zeroes the dropped units; none became 0." if dropped == 0 else None)
    kept = out[out != 0]
    assert_close("dropout_forward(ones) kept units", kept, np.full(kept.shape, 1 / keep_prob), TOL_EXACT,
                 "inverted dropout divides the kept units by keep_prob, so that the expected output is x.")
    mean = float(np.mean(out))
    assert_true(abs(mean - 1) <= STAT_SIGMAS * sigma / keep_prob,
                f"the mean of dropout_forward(ones) is {mean:.4f}; "
                f"expected 1 +- {STAT_SIGMAS * sigma / keep_prob:.4f}.")


@check(T, "dropout_forward", "ones in train mode: drop rate 1 - keep_prob, mean 1")
def dropout_keep_rate(ctx):
    keep_rate(ctx, False)


def expectation_matches_test(ctx, random_shapes: bool) -> None:
    """Non-inverted dropout: the train-time mean output equals the test-time output."""
    keep_prob = draw_keep_prob(ctx.rng, random_shapes)
    value = 1.0 if not random_shapes else float(ctx.rng.uniform(0.5, 2.0))
    x = np.full((STAT_UNITS // 100, 100), value)
    fn = f"{T}.dropout_forward_noninverted"
    train, _ = ctx.call(fn, x, {"mode": "train", "keep_prob": keep_prob, "seed": draw_seed(ctx.rng)})
    test, _ = ctx.call(fn, x, {"mode": "test", "keep_prob": keep_prob})
    assert_shape(f"{fn} train-mode output", train, x.shape)
    assert_shape(f"{fn} test-mode output", test, x.shape)
    # mean(train) = value * K / n with K ~ Binomial(n, keep_prob): standard deviation value * sigma
    sigma = np.sqrt(keep_prob * (1 - keep_prob) / STAT_UNITS)
    gap = abs(float(np.mean(train)) - float(np.mean(test)))
    assert_true(gap <= STAT_SIGMAS * value * sigma,
                f"on x = {value:.3g} everywhere with keep_prob={keep_prob:.3f}, the train-mode mean output is "
                f"{float(np.mean(train)):.4f} but the test-mode mean is {float(np.mean(test)):.4f}; they should "
                f"agree within {STAT_SIGMAS * value * sigma:.4f}.",
                "non-inverted dropout keeps x as it is at train time and scales at test time instead."
                if np.isclose(float(np.mean(train)), value, rtol=0.05) else
                "without inverted scaling, test mode must multiply x by keep_prob to match the train-time expectation.")


@check(T, "dropout_forward_noninverted", "test-mode output equals the train-time expectation")
def noninverted_expectation(ctx):
    expectation_matches_test(ctx, False)


def reproducible(ctx, fn: str, make) -> None:
    """Same seed: same output; another seed: another output."""
    inputs = make(ctx.rng, False)
    arrays = [inputs[k] for k in ("x", "w", "b") if k in inputs]
    seed = inputs["seed"]
    first, _ = ctx.call(fn, *arrays, {"mode": "train", "keep_prob": 0.5, "seed": seed})
    again, _ = ctx.call(fn, *arrays, {"mode": "train", "keep_prob": 0.5, "seed": seed})
    other, _ = ctx.call(fn, *arrays, {"mode": "train", "keep_prob": 0.5, "seed": seed + 1})
    assert_true(np.array_equal(first, again), f"{fn.rpartition('.')[2]} gave two different outputs for the same seed.",
                "build the generator from the seed (np.random.default_rng(seed)), never use the global np.random.")
    assert_true(not np.array_equal(first, other), f"{fn.rpartition('.')[2]} gave the same output for seeds "
                f"{seed} and {seed + 1}.", "draw the mask from the generator built from the given seed.")


def make_big_dropout(rng, random_shapes):
    return {"x": away_from_zero(rng, (20, 50)), "seed": draw_seed(rng)}


def make_big_dropconnect(rng, random_shapes):
    return {"x": rng.standard_normal((4, 20)), "w": away_from_zero(rng, (20, 30)), "b": np.zeros(30),
            "seed": draw_seed(rng)}


for _fn, _make in (("dropout_forward", make_big_dropout), ("dropout_forward_noninverted", make_big_dropout),
                   ("dropconnect_forward", make_big_dropconnect)):
    check(T, _fn, "same seed, same mask; another seed, another mask")(
        lambda ctx, _f=_fn, _m=_make: reproducible(ctx, f"{T}.{_f}", _m))


@check(T, "dropout_forward", "dropout_param['rng']: used instead of a seed, and advanced by each call")
def dropout_uses_rng(ctx):
    x = away_from_zero(ctx.rng, (20, 50))
    seed = draw_seed(ctx.rng)
    fn = f"{T}.dropout_forward"
    with_seed, _ = ctx.call(fn, x, {"mode": "train", "keep_prob": 0.5, "seed": seed})
    param = {"mode": "train", "keep_prob": 0.5, "rng": np.random.default_rng(seed)}
    first, _ = ctx.call(fn, x, param)
    second, _ = ctx.call(fn, x, param)
    assert_close("dropout_forward with rng=np.random.default_rng(seed) output", first, with_seed, TOL_EXACT,
                 "the mask comes from dropout_param['rng'] when it is given, with the same single draw.")
    assert_true(not np.array_equal(first, second), "two calls of dropout_forward with the same "
                "dropout_param['rng'] gave the same mask; the generator should move on between calls.",
                "draw from the given generator itself, not from a new generator or a copy of it.")


MASK_DTYPE_HINT = ("rng.random(...) gives float64, so a mask built from it turns a float32 result into float64: "
                   "cast the mask with .astype(x.dtype) (or keep it boolean) before multiplying.")
GRAD_DTYPE_HINT = ("multiply dout by the mask from the cache, which has x's dtype; a float64 array (np.ones, "
                   "np.float64 scalars) turns the gradient into float64.")

for _fn in ("dropout", "dropout_noninverted", "dropconnect"):
    _forward, _backward = (f"{_fn}_forward", f"{_fn}_backward") if _fn != "dropout_noninverted" else \
        ("dropout_forward_noninverted", "dropout_backward_noninverted")
    add_dtype_check(T, _forward, MASK_DTYPE_HINT)
    add_dtype_check(T, _backward, GRAD_DTYPE_HINT)


def _bad_param_check(fn: str, args):
    @check(T, fn, "ValueError for a bad mode or keep_prob")
    def bad_param(ctx):
        good = {"mode": "train", "keep_prob": 0.5, "seed": 0}
        ctx.call(f"{T}.{fn}", *args(ctx.rng), good)  # so that an unfinished function earns nothing here
        exc = ctx.runner.raises(f"{T}.{fn}", *args(ctx.rng), {**good, "mode": "eval"})
        assert_true(isinstance(exc, ValueError) and "eval" in str(exc),
                    f"{fn} with mode 'eval' should raise a ValueError that names 'eval'; got "
                    f"{type(exc).__name__ if exc else 'no exception'}.", RAISE_HINT)
        for keep_prob in (0.0, -0.2, 1.5):
            exc = ctx.runner.raises(f"{T}.{fn}", *args(ctx.rng), {**good, "keep_prob": keep_prob})
            assert_true(isinstance(exc, ValueError), f"{fn} with keep_prob={keep_prob} should raise ValueError "
                        f"(keep_prob must be in (0, 1]); got {type(exc).__name__ if exc else 'no exception'}.",
                        RAISE_HINT)


_bad_param_check("dropout_forward", lambda rng: (rng.standard_normal((2, 3)),))
_bad_param_check("dropout_forward_noninverted", lambda rng: (rng.standard_normal((2, 3)),))
_bad_param_check("dropconnect_forward",
                 lambda rng: (rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)))


# ---------------------------------------------------------------- weight penalties

WEIGHT_NAMES = ("w0", "w1", "w2")
PENALTIES = ("l2_penalty", "l1_penalty")


def make_penalty(rng, random_shapes):
    shapes = ((4, 5), (3,), (2, 3, 2))
    if random_shapes:
        shapes = tuple(dims(rng, True, s) for s in shapes)
    # away from 0: the L1 penalty has a kink there
    inputs = {name: away_from_zero(rng, shape) for name, shape in zip(WEIGHT_NAMES, shapes)}
    inputs["reg"] = 0.3 if not random_shapes else float(rng.uniform(0.01, 2.0))
    return inputs


def call_penalty(call, fn: str, inputs: dict):
    loss, grads = call(f"{T}.{fn}", [inputs[n] for n in WEIGHT_NAMES], inputs["reg"])
    assert_true(isinstance(grads, (list, tuple)) and len(grads) == len(WEIGHT_NAMES),
                f"{fn} should return (loss, grads) with one gradient per weight array ({len(WEIGHT_NAMES)}); "
                f"got {type(grads).__name__} of length {len(grads) if hasattr(grads, '__len__') else '?'}.")
    return loss, grads


def penalty_hint(fn: str):
    def hint(inputs, got, expected):
        w, reg = inputs["w0"], inputs["reg"]
        if "dw0" not in got or np.shape(got["dw0"]) != w.shape:
            return None
        if fn == "l2_penalty" and np.allclose(got["dw0"], 2 * reg * w):
            return "with loss = 0.5 * reg * sum(W**2) the gradient is reg * W: the 0.5 cancels the 2."
        if fn == "l1_penalty" and np.allclose(got["dw0"], -reg * np.sign(w)):
            return "the gradient of reg * |W| is +reg * sign(W)."
        if fn == "l2_penalty" and "loss" in got and np.isclose(
                float(np.sum(got["loss"])), reg * sum(float(np.sum(inputs[n] ** 2)) for n in WEIGHT_NAMES)):
            return "the loss is 0.5 * reg * sum(W**2) over every weight array (the 0.5 makes the gradient reg * W)."
        return None

    return hint


def run_penalty(fn: str):
    def run(call, inputs):
        loss, grads = call_penalty(call, fn, inputs)
        return {"loss": loss, **{f"d{name}": grad for name, grad in zip(WEIGHT_NAMES, grads)}}

    return run


for _fn in PENALTIES:
    add_case(Case(T, _fn, "three weight arrays: loss and gradients", make_penalty, run_penalty(_fn),
                  hint=penalty_hint(_fn)))


def penalty_gradient(ctx, fn: str, random_shapes: bool) -> None:
    """The returned gradients against centred differences of the returned loss."""
    inputs = make_penalty(ctx.rng, random_shapes)
    _, grads = call_penalty(ctx.call, fn, inputs)

    def loss(point):
        value = call_penalty(ctx.call, fn, point)[0]
        assert_true(np.ndim(value) == 0,
                    f"{fn} should return the loss as a single number, got shape {np.shape(value)}.")
        return float(value)

    for name, grad in zip(WEIGHT_NAMES, grads):
        directional_gradient_check(f"{fn}: d{name}", loss, inputs, name, grad, ctx.rng, TOL_GRAD)


for _fn in PENALTIES:
    check(T, _fn, "gradients match the numeric gradient of the loss")(
        lambda ctx, _f=_fn: penalty_gradient(ctx, _f, False))


# ---------------------------------------------------------------- max-norm

MAX_NORM_GAP = 0.1  # vector norms stay at least 10% away from the bound, so "over" is unambiguous


def norm_factors(rng, M: int) -> np.ndarray:
    """Ratios norm / bound for M vectors: both sides of the bound, never near it."""
    below = rng.uniform(0.2, 1 - MAX_NORM_GAP, M)
    above = rng.uniform(1 + MAX_NORM_GAP, 3.0, M)
    factors = np.where(rng.random(M) < 0.5, below, above)
    factors[:2] = below[0], above[1]  # at least one of each
    return factors


def make_max_norm(axis: int):
    def make(rng, random_shapes):
        D, M = dims(rng, random_shapes, (5, 6))
        bound = 1.5 if not random_shapes else float(rng.uniform(0.5, 3.0))
        w = rng.standard_normal((D, M))
        w = w / np.linalg.norm(w, axis=0) * norm_factors(rng, M) * bound
        return {"w": w if axis == 0 else w.T, "max_norm_value": bound, "axis": axis}

    return make


def max_norm_hint(inputs, got, expected):
    if "w" in got and np.shape(got["w"]) == inputs["w"].shape:
        w, axis, bound = inputs["w"], inputs["axis"], inputs["max_norm_value"]
        if np.allclose(got["w"], w * bound / np.linalg.norm(w, axis=axis, keepdims=True)):
            return "rescale only the vectors whose norm exceeds the bound; leave the others unchanged."
        if projects_along(w, np.asarray(got["w"], dtype=float), bound, 1 - axis):
            return f"take the norm over axis {axis} (one norm per {'column' if axis == 0 else 'row'})."
    return None


def projects_along(w, got, bound, axis) -> bool:
    """got is w with the norm over `axis` projected onto the bound: told from got's own norms (the
    long vectors end on the bound, the short ones are unchanged), so no projection is computed here."""
    norms, over = np.linalg.norm(got, axis=axis), np.linalg.norm(w, axis=axis) > bound
    kept = np.take(got, np.flatnonzero(~over), axis=1 - axis), np.take(w, np.flatnonzero(~over), axis=1 - axis)
    return bool(over.any()) and np.allclose(norms[over], bound) and np.allclose(*kept)


add_case(Case(T, "max_norm", "columns (default axis 0)", make_max_norm(0),
              lambda call, inputs: {"w": call(f"{T}.max_norm", inputs["w"], inputs["max_norm_value"])},
              hint=max_norm_hint))
add_case(Case(T, "max_norm", "rows (axis 1)", make_max_norm(1),
              lambda call, inputs: {"w": call(f"{T}.max_norm", inputs["w"], inputs["max_norm_value"], inputs["axis"])},
              hint=max_norm_hint))


def max_norm_projects(ctx, random_shapes: bool) -> None:
    """Columns over the bound end with norm exactly the bound; the others are unchanged."""
    inputs = make_max_norm(0)(ctx.rng, random_shapes)
    w, bound = inputs["w"], inputs["max_norm_value"]
    got = ctx.call(f"{T}.max_norm", w, bound)
    assert_shape("max_norm(w)", got, w.shape)
    over = np.linalg.norm(w, axis=0) > bound
    hint = max_norm_hint({**inputs, "axis": 0}, {"w": got}, None) or \
        "a column longer than the bound is scaled by bound / norm, to length exactly the bound."
    assert_close("max_norm(w): norms of the columns that exceeded the bound", np.linalg.norm(got[:, over], axis=0),
                 np.full(int(over.sum()), bound), TOL_EXACT, hint)
    assert_close("max_norm(w): the columns within the bound", got[:, ~over], w[:, ~over], TOL_EXACT,
                 "columns whose norm is within the bound must stay as they are.")


@check(T, "max_norm", "long columns end on the bound, short ones unchanged")
def max_norm_property(ctx):
    max_norm_projects(ctx, False)
