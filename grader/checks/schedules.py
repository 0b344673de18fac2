"""Checks for trainlab/schedules.py."""
from __future__ import annotations

import numpy as np

from ..core.cases import Case, add_case
from ..core.compare import TOL_EXACT, assert_close, assert_true, describe
from ..core.errors import CheckFailure
from ..core.registry import check
from ..core.topic import Topic
from .common import RAISE_HINT, formula_hint, same_values

T = Topic("schedules", given=("get_schedule",), array_inputs=False)
DECAYS = ("step_decay", "exponential_decay", "inverse_time_decay", "cosine_decay")
PARAMS = {  # the keyword parameters of each schedule, as stored flat in a Case's inputs
    "step_decay": ("drop", "every"),
    "exponential_decay": ("k",),
    "inverse_time_decay": ("k",),
    "cosine_decay": ("total", "lr_min"),
    "linear_warmup": ("warmup", "schedule", "drop", "every", "total", "lr_min"),
}
CURVE_EPOCHS = 60  # epochs 0..59 for the shape properties
LR0_RANGE = (0.2, 1.0)  # above every lr_min drawn below, so a cosine always decays


def draw_lr0(rng) -> float:
    return float(rng.uniform(*LR0_RANGE))


def draw_params(rng, name) -> dict:
    """Parameters away from the defaults, so that ignoring one shows."""
    if name == "step_decay":
        return {"drop": float(rng.uniform(0.1, 0.9)), "every": int(rng.integers(2, 8))}
    if name in ("exponential_decay", "inverse_time_decay"):
        return {"k": float(rng.uniform(0.02, 0.3))}
    if name == "cosine_decay":
        return {"total": int(rng.integers(10, 50)), "lr_min": float(rng.uniform(0.0, 0.1))}
    raise ValueError(f"no parameters known for {name!r}")


def special_epochs(name, params) -> list:
    """Epochs where a schedule turns: both sides of every drop, the middle and the end of a cosine."""
    if name == "step_decay":
        every = params["every"]
        return [0, 1, every - 0.5, every - 1, every, every + 0.5, 2 * every - 1, 2 * every, 3 * every + 1]
    if name == "cosine_decay":
        total = params["total"]
        return [0, 1, total / 4, total / 2, total - 1, total, total + 0.5, total + 7]
    return [0, 0.5, 1, 2, 10]


def draw_epochs(rng, random_shapes, name, params) -> np.ndarray:
    extra = int(rng.integers(3, 12)) if random_shapes else 4
    horizon = params.get("total", 10 * params.get("every", 5))
    epochs = np.concatenate([special_epochs(name, params), rng.uniform(0, 1.5 * horizon, extra)])
    return np.unique(np.asarray(epochs, dtype=np.float64))


def params_from(inputs, name) -> dict:
    return {key: inputs[key] for key in PARAMS[name] if key in inputs}


def lr_at(call, name, lr0, epoch, params) -> float:
    """The schedule's value at one scalar epoch; fails unless it is a number."""
    value = call(f"{T}.{name}", lr0, epoch, **params)
    assert_true(np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.number),
                f"{name}({lr0:.3g}, {epoch!r}, ...) returned {describe(value)}; expected a number.")
    return float(value)


def run_at_epochs(name):
    def run(call, inputs):
        params = params_from(inputs, name)
        return {"lr": np.array([lr_at(call, name, inputs["lr0"], float(e), params) for e in inputs["epochs"]])}

    return run


def make_values(name):
    def make(rng, random_shapes):
        params = draw_params(rng, name)
        return {"lr0": draw_lr0(rng), **params,
                "epochs": draw_epochs(rng, random_shapes, name, params)}

    return make


# ---------------------------------------------------------------- known mistakes, for the hints
# Each schedule with one known mistake, written by the grader (never the documented formula
# itself): the hint names the mistake whose values the student's schedule has.

OFF_BY_ONE = "at epoch 0 no decay has happened yet: use epoch, not epoch + 1 (an off-by-one)."
ENDS_AT_ZERO = ("the cosine decays from lr0 to lr_min: lr = lr_min + (lr0 - lr_min) * (1 + cos(pi * progress)) / 2; "
                "yours ends at 0.")


class ByValues:
    """A mistake told from the schedule's values alone, test(epochs, params, got) -> bool, where a
    formula for it would be the documented one (at lr_min = 0, or up to total)."""

    def __init__(self, test):
        self.test = test



CLIMBS_BACK = ("progress = min(epoch, total) / total: after total the rate stays at lr_min instead of climbing back; "
               "a decay only shrinks the rate.")


def ends_at_zero(epochs, params, got) -> bool:
    """A cosine that reaches 0 at total and stays there, where lr_min > 0: lr_min left out."""
    got, done = _after_total(epochs, params, got)
    return params.get("lr_min", 0.0) > 0 and done.any() and bool(np.all(got[done] == 0.0))


def climbs_back(epochs, params, got) -> bool:
    """A cosine that still changes after total: progress not clamped at 1."""
    got, done = _after_total(epochs, params, got)
    return done.sum() >= 2 and not np.allclose(got[done], got[done][0], rtol=1e-9, atol=1e-12)


def _after_total(epochs, params, got):
    epochs = np.atleast_1d(np.asarray(epochs, dtype=float))
    got = np.atleast_1d(np.asarray(got, dtype=float))
    done = epochs >= params["total"] if got.shape == epochs.shape else np.zeros(epochs.shape, bool)
    return got, done


MISTAKES = {  # name -> [(hint, the schedule with that mistake)]
    "step_decay": [
        ("the rate drops in steps: take the floor of epoch / every.",
         lambda lr0, e, drop=0.5, every=10: lr0 * drop ** (e / every)),
        ("raise drop to the power floor(epoch / every): lr0 * drop ** floor(epoch / every), not a product.",
         lambda lr0, e, drop=0.5, every=10: lr0 * drop * np.floor(e / every)),
        (OFF_BY_ONE, lambda lr0, e, drop=0.5, every=10: lr0 * drop ** np.floor((e + 1) / every))],
    "exponential_decay": [
        ("the exponent is -k * epoch: exp(+k * epoch) grows, and a decay only shrinks the rate.",
         lambda lr0, e, k=0.1: lr0 * np.exp(k * e)),
        (OFF_BY_ONE, lambda lr0, e, k=0.1: lr0 * np.exp(-k * (e + 1)))],
    "inverse_time_decay": [
        ("mind the parentheses: lr0 / (1 + k * epoch); lr0 / 1 + k * epoch grows, and a decay only shrinks the rate.",
         lambda lr0, e, k=0.1: lr0 / 1 + k * e),
        (OFF_BY_ONE, lambda lr0, e, k=0.1: lr0 / (1 + k * (e + 1)))],
    "cosine_decay": [
        (ENDS_AT_ZERO, ByValues(ends_at_zero)),
        ("progress = min(epoch, total) / total, and the cosine runs over pi * progress.",
         lambda lr0, e, total, lr_min=0.0: lr_min + (lr0 - lr_min) * (1 + np.cos(np.minimum(e, total) / total)) / 2),
        (CLIMBS_BACK, ByValues(climbs_back)),
        (OFF_BY_ONE, lambda lr0, e, total, lr_min=0.0:
         lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * np.minimum(e + 1, total) / total)) / 2)],
}


def known_mistake(name, lr0, epochs, params, got) -> str | None:
    """The hint of the first known mistake of schedule `name` that gives `got` at `epochs`."""
    for text, wrong in MISTAKES.get(name, ()):
        try:
            hit = wrong.test(epochs, params, got) if isinstance(wrong, ByValues) else \
                same_values(got, wrong(lr0, np.asarray(epochs, dtype=float), **params))
        except (TypeError, ValueError, KeyError):
            continue
        if hit:
            return text
    return None


def values_hint(name):
    def hint(inputs, got, expected):
        return known_mistake(name, inputs["lr0"], inputs["epochs"], params_from(inputs, name), got.get("lr"))
    return hint


for _name in DECAYS:
    add_case(Case(T, _name, "values at several epochs", make_values(_name), run_at_epochs(_name),
                  hint=values_hint(_name)))


WARMUP_MISTAKES = [  # derived values (grader/core/derived.py): their formulas need the wrapped schedule
    ("after the warm-up the wrapped schedule starts afresh: call it at epoch - warmup, not at epoch.",
     "wrapped schedule not shifted"),
    ("the ramp is lr0 * epoch / warmup, which is 0 at epoch 0: (epoch + 1) is an off-by-one.", "ramp off by one")]
warmup_hint = formula_hint("lr", WARMUP_MISTAKES, function="linear_warmup")


def make_warmup(after):
    def make(rng, random_shapes):
        params = draw_params(rng, after)
        warmup = int(rng.integers(2, 9))
        epochs = np.concatenate([[0, 1, warmup - 0.5, warmup, warmup + 1], warmup + draw_epochs(rng, random_shapes, after, params)])
        return {"lr0": draw_lr0(rng), "warmup": warmup, "schedule": after, **params,
                "epochs": np.unique(epochs)}

    return make


for _after in ("cosine_decay", "step_decay"):
    add_case(Case(T, "linear_warmup", f"warm-up then {_after}: values at several epochs", make_warmup(_after),
                  run_at_epochs("linear_warmup"), hint=warmup_hint))


# --- shape of the curves ------------------------------------------------------------------------

VECTOR_HINT = ("use NumPy functions (np.floor, np.exp, np.cos, np.minimum, np.where) rather than math.* or "
               "if/else on the epoch, so arrays work too.")


def call_on_array(ctx, name, lr0, epochs, params):
    try:
        return ctx.call(f"{T}.{name}", lr0, epochs, **params)
    except CheckFailure as failure:
        failure.hint = failure.hint or VECTOR_HINT
        raise


def _curve(ctx, name):
    lr0, params = draw_lr0(ctx.rng), draw_params(ctx.rng, name)
    return lr0, params, np.array([lr_at(ctx.call, name, lr0, e, params) for e in range(CURVE_EPOCHS)])


def _decay_checks(name):
    @check(T, name, "epoch 0 gives lr0")
    def starts_at_lr0(ctx):
        lr0, params = draw_lr0(ctx.rng), draw_params(ctx.rng, name)
        value = lr_at(ctx.call, name, lr0, 0, params)
        assert_close(f"{name}(lr0={lr0:.6g}, epoch=0, ...)", value, lr0, TOL_EXACT,
                     known_mistake(name, lr0, 0.0, params, value))

    @check(T, name, f"never increases over epochs 0 to {CURVE_EPOCHS - 1}")
    def never_increases(ctx):
        lr0, params, lrs = _curve(ctx, name)
        rises = np.flatnonzero(np.diff(lrs) > 0)
        if rises.size:
            e = int(rises[0])
            raise CheckFailure(f"{name} with {params} rises from epoch {e} to {e + 1}: {lrs[e]:.6g} -> {lrs[e + 1]:.6g}.",
                               known_mistake(name, lr0, np.arange(CURVE_EPOCHS), params, lrs)
                               or "a decay only shrinks the rate: check the sign of the exponent and what happens "
                                  "past the end.")

    @check(T, name, "an array of epochs gives the array of values")
    def vectorized(ctx):
        lr0, params = draw_lr0(ctx.rng), draw_params(ctx.rng, name)
        epochs = ctx.rng.uniform(0, 2 * CURVE_EPOCHS, size=(3, 4))
        got = call_on_array(ctx, name, lr0, epochs, params)
        expected = np.array([lr_at(ctx.call, name, lr0, float(e), params) for e in epochs.ravel()]).reshape(epochs.shape)
        assert_close(f"{name}(lr0, epochs of shape {epochs.shape}, ...)", got, expected, TOL_EXACT, VECTOR_HINT)

    @check(T, name, "a negative epoch raises ValueError")
    def negative_epoch(ctx):
        params = draw_params(ctx.rng, name)
        for epoch in (-1, np.array([0.0, 3.0, -2.0])):
            _expect_value_error(ctx, name, (0.1, epoch), params, "epoch")


def _expect_value_error(ctx, name, args, params, argument):
    """Fails unless name(*args, **params) raises a ValueError whose message names `argument`.

    The schedule is first called once with valid arguments, so that an unfinished schedule scores
    no points here even though the argument checks are given.
    """
    lr_at(ctx.call, name, 0.1, 3, {**params, **VALID.get(argument, {})})
    exc = ctx.runner.raises(f"{T}.{name}", *args, **params)
    shown = ", ".join([*(repr(a) for a in args), *(f"{k}={v!r}" for k, v in params.items())])
    assert_true(isinstance(exc, ValueError) and argument in str(exc),
                f"{name}({shown}) raised {describe(exc)}; expected a ValueError whose message names {argument!r}.",
                RAISE_HINT)


VALID = {"total": {"total": 10}, "every": {"every": 2}, "warmup": {"warmup": 2}}  # replaces the bad value

for _name in DECAYS:
    _decay_checks(_name)


@check(T, "cosine_decay", "total <= 0 raises ValueError")
def cosine_bad_total(ctx):
    for total in (0, -5):
        _expect_value_error(ctx, "cosine_decay", (0.1, 3), {"total": total}, "total")


@check(T, "step_decay", "every <= 0 raises ValueError")
def step_bad_every(ctx):
    _expect_value_error(ctx, "step_decay", (0.1, 3), {"every": 0}, "every")


@check(T, "cosine_decay", "reaches lr_min at total and stays there")
def cosine_end(ctx):
    lr0, params = draw_lr0(ctx.rng), draw_params(ctx.rng, "cosine_decay")
    total = params["total"]
    for epoch in (total, total + 1, 3 * total):
        value = lr_at(ctx.call, "cosine_decay", lr0, epoch, params)
        assert_close(f"cosine_decay(lr0={lr0:.6g}, epoch={epoch}, total={total}, lr_min={params['lr_min']:.6g})",
                     value, params["lr_min"], TOL_EXACT, known_mistake("cosine_decay", lr0, float(epoch), params, value)
                     or "progress = min(epoch, total) / total, and the cosine runs over pi * progress.")


# --- warm-up --------------------------------------------------------------------------------

@check(T, "linear_warmup", "ramps up from 0 and reaches lr0 when the warm-up ends")
def warmup_ramp(ctx):
    lr0, warmup = draw_lr0(ctx.rng), int(ctx.rng.integers(2, 9))
    lrs = np.array([lr_at(ctx.call, "linear_warmup", lr0, e, {"warmup": warmup}) for e in range(warmup + 1)])
    assert_close(f"linear_warmup(lr0={lr0:.6g}, epoch=0, warmup={warmup})", lrs[0], 0.0, TOL_EXACT,
                 "the ramp is lr0 * epoch / warmup, which is 0 at epoch 0: (epoch + 1) is an off-by-one."
                 if np.isclose(lrs[0], lr0 / warmup) else None)
    assert_true(np.all(np.diff(lrs) > 0), f"linear_warmup(warmup={warmup}) does not increase over epochs 0..{warmup}.")
    assert_close(f"linear_warmup(lr0={lr0:.6g}, epoch={warmup}, warmup={warmup})", lrs[-1], lr0, TOL_EXACT,
                 "at epoch = warmup the wrapped schedule starts at its own epoch 0, where it gives lr0.")


@check(T, "linear_warmup", "an array of epochs gives the array of values")
def warmup_vectorized(ctx):
    lr0, params = draw_lr0(ctx.rng), {"warmup": 5, "schedule": "cosine_decay", "total": 20}
    epochs = ctx.rng.uniform(0, 30, size=(2, 5))
    got = call_on_array(ctx, "linear_warmup", lr0, epochs, params)
    expected = np.array([lr_at(ctx.call, "linear_warmup", lr0, float(e), params) for e in epochs.ravel()])
    assert_close(f"linear_warmup(lr0, epochs of shape {epochs.shape}, ...)", got, expected.reshape(epochs.shape),
                 TOL_EXACT, VECTOR_HINT)


@check(T, "linear_warmup", "warmup <= 0 raises ValueError")
def warmup_bad(ctx):
    _expect_value_error(ctx, "linear_warmup", (0.1, 3), {"warmup": 0}, "warmup")


@check(T, "get_schedule", "an unknown name raises ValueError naming it")
def get_schedule_unknown(ctx):
    exc = ctx.runner.raises(f"{T}.get_schedule", "one_cycle")
    assert_true(isinstance(exc, ValueError) and "one_cycle" in str(exc),
                f"get_schedule('one_cycle') raised {describe(exc)}; expected a ValueError that names 'one_cycle'.")
