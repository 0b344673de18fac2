"""Checks for trainlab/optimizers.py.

The documented interface of every rule (its hyperparameters with their defaults, the state it
keeps in config) is written down once here, in DEFAULTS and STATE; the checks hold the student's
rules to it and to the reference outputs.
"""
from __future__ import annotations

import numpy as np

from ..core.cases import Case, add_case, compare_outputs
from ..core.compare import HINT_MATCH, TOL_EXACT, assert_close, assert_true, describe
from ..core.errors import CheckFailure
from ..core.registry import check
from ..core.topic import Topic
from .common import away_from_zero, dims, same_values
from ..core.derived import derived_values

T = Topic("optimizers", given=("sgd", "get_rule"), inplace_example="next_w = w - learning_rate * dw",
          inplace_entry_hint="store new state as a new array (config[key] = new_value), never with *=, += or out= "
                             "on the array the caller gave you.")

DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "nesterov_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
STATE = {
    "sgd": (),
    "sgd_momentum": ("velocity",),
    "nesterov_momentum": ("velocity",),
    "adagrad": ("cache",),
    "rmsprop": ("cache",),
    "adam": ("m", "v", "t"),
}
RULES = tuple(DEFAULTS)
MOMENTUM_RULES = ("sgd_momentum", "nesterov_momentum")
ADAPTIVE_RULES = ("adagrad", "rmsprop", "adam")  # the rules that divide by sqrt(...) + epsilon

STEPS = 5
HYPERPARAMETER_RANGES = {  # drawn away from the defaults, so reading a wrong key or default shows
    "learning_rate": (1e-3, 1e-1),
    "momentum": (0.5, 0.99),
    "decay_rate": (0.8, 0.999),
    "beta1": (0.5, 0.95),
    "beta2": (0.9, 0.9999),
}
EPSILON_LOG10_RANGE = (-7.0, -5.0)  # large enough to matter at TOL_EXACT for O(1) gradients
TINY_GRADIENT = 1e-6  # sqrt(dw^2) ~ 1e-6 next to epsilon = 1e-8 versus sqrt(dw^2 + 1e-8) ~ 1e-4


# --- inputs -----------------------------------------------------------------------------------

def draw_hyperparameters(rng, rule) -> dict:
    hyper = {}
    for key in DEFAULTS[rule]:
        if key == "epsilon":
            hyper[key] = float(10 ** rng.uniform(*EPSILON_LOG10_RANGE))
        else:
            hyper[key] = float(rng.uniform(*HYPERPARAMETER_RANGES[key]))
    return hyper


def draw_state(rng, rule, shape) -> dict:
    """A state from the middle of training: any velocity, positive caches and second moments."""
    state = {}
    if "velocity" in STATE[rule]:
        state["velocity"] = 0.1 * rng.standard_normal(shape)
    if "cache" in STATE[rule]:
        state["cache"] = small_and_large(rng, shape)
    if rule == "adam":
        state.update(m=0.1 * rng.standard_normal(shape), v=small_and_large(rng, shape),
                     t=int(rng.integers(1, 20)))
    return state


def small_and_large(rng, shape) -> np.ndarray:
    """Squared-gradient averages from 1e-8 to 2 (the first is 1e-8), the range in which the place
    of epsilon decides the step: the mistake shows at every seed."""
    values = 10.0 ** rng.uniform(-8.0, 0.3, shape)
    values.flat[0] = 1e-8
    return values


def config_from(inputs, rule) -> dict:
    """The config dict stored flat in a Case's inputs (hyperparameters and state)."""
    return {key: inputs[key] for key in (*DEFAULTS[rule], *STATE[rule]) if key in inputs}


def gradients(rng, n_steps: int, shape: tuple, scale: float = 1.0) -> np.ndarray:
    """(n_steps, *shape) gradients whose entries keep magnitudes from 1e-4 to 1 (the first is
    always 1e-4): where the squared gradients are ~1e-8, the place of epsilon (inside or outside
    the square root) changes the step by tens of percent, so it shows at every seed."""
    magnitude = 10.0 ** rng.uniform(-4.0, 0.0, shape)
    magnitude.flat[0] = 1e-4
    return scale * magnitude * rng.standard_normal((n_steps, *shape))


def make_one_step(rule):
    def make(rng, random_shapes):
        shape = dims(rng, random_shapes, (4, 5))
        return {"w": rng.standard_normal(shape), "dws": gradients(rng, 1, shape),
                **draw_hyperparameters(rng, rule), **draw_state(rng, rule, shape)}

    return make


def make_steps(rule, n_steps, with_hyperparameters=True, gradient_scale=1.0):
    def make(rng, random_shapes):
        shape = dims(rng, random_shapes, (3, 4))
        inputs = {"w": rng.standard_normal(shape), "dws": gradients(rng, n_steps, shape, gradient_scale)}
        if with_hyperparameters:
            inputs.update(draw_hyperparameters(rng, rule))
        return inputs

    return make


# --- calling a rule ---------------------------------------------------------------------------

def take_step(call, rule, w, dw, config):
    """One call of the rule; fails unless it returns (next_w, config dict)."""
    result = call(f"{T}.{rule}", w, dw, config)
    assert_true(isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict),
                f"{rule} returned {describe(result)}; expected the pair (next_w, config), config a dict.")
    return result


def state_of(rule, config) -> dict:
    for key in STATE[rule]:
        assert_true(key in config, f"{rule} returned a config without the key {key!r}.",
                    f"store the updated state in config[{key!r}] before returning config.")
    return {key: config[key] for key in STATE[rule]}


def run_rule(rule, start_from_none=False):
    """A Case's run: apply the rule once per gradient in inputs['dws'], carrying the returned config."""

    def run(call, inputs):
        w, config = inputs["w"], None if start_from_none else config_from(inputs, rule)
        for dw in inputs["dws"]:
            w, config = take_step(call, rule, w, dw, config)
        return {"next_w": w, **state_of(rule, config)}

    return run


# --- hints for known mistakes -----------------------------------------------------------------

def _same_shape(got, key, like) -> bool:
    return key in got and np.shape(got[key]) == np.shape(like)


def momentum_sign_hint(inputs, got, expected):
    lr, momentum, dw = inputs["learning_rate"], inputs["momentum"], inputs["dws"][0]
    uphill = momentum * inputs.get("velocity", 0.0) + lr * dw
    if _same_shape(got, "velocity", dw) and np.allclose(got["velocity"], uphill):
        return "the velocity moves against the gradient: v = momentum * v - learning_rate * dw."
    return None


def epsilon_hint(inputs, got, expected):
    if not _same_shape(got, "next_w", inputs["w"]):
        return None
    moved, expected_move = np.abs(got["next_w"] - inputs["w"]), np.abs(expected["next_w"] - inputs["w"])
    if np.median(moved) < 0.1 * np.median(expected_move):
        return "with tiny gradients the step almost vanished: add epsilon after the square root, " \
               "sqrt(...) + epsilon, not inside it."
    return None


ONE_STEP_HINTS = {"sgd_momentum": momentum_sign_hint}


# --- known mistakes, recognised from the outputs ----------------------------------------------------
# Each mistake is named and described here as plain data: how the documented rule is changed
# (grader/hidden/optimizers.py, `mistaken`, computes its outputs on the instructor side, and
# `trainlab fixtures` stores them; see grader/core/derived.py). A hint is the text of the first
# mistake whose outputs the student's rule has. Kingma & Ba's reordered Adam, graded as correct, is
# derived the same way under the name REORDERED.

REORDERED = "reordered"

EPSILON_PLACE = "epsilon goes after the square root: dw / (sqrt(cache) + epsilon), not sqrt(cache + epsilon)."
# Wrong defaults students take from other libraries or other rules (Keras' epsilon 1e-7, Adam's
# learning rate 1e-3 elsewhere, RMSProp's decay 0.9 from Hinton's slides, momentum 0.99).
DEFAULT_SLIPS = {"learning_rate": (1e-1, 1e-2, 1e-3, 1e-4), "momentum": (0.5, 0.95, 0.99, 0.9),
                 "decay_rate": (0.9, 0.99, 0.999), "beta1": (0.99, 0.9), "beta2": (0.99, 0.9, 0.999),
                 "epsilon": (1e-7, 1e-6, 1e-8)}


def default_mistakes(rule):
    """[(hint, name, change)] for every slip of every hyperparameter of `rule`."""
    return [(f"with config=None your {rule} behaves as if the default {key} were {value:g}; the default "
             f"is {default:g} (config.setdefault({key!r}, {default:g})).", f"default {key}={value:g}",
             {"defaults": {key: value}})
            for key, default in DEFAULTS[rule].items() for value in DEFAULT_SLIPS.get(key, ()) if value != default]


MISTAKES = {  # rule -> [(hint naming the mistake, its name, the change to the documented rule)]
    "sgd_momentum": [("this is Nesterov's look-ahead step; plain momentum steps by the new velocity: "
                      "next_w = w + v.", "nesterov step", {"step": "nesterov"})],
    "nesterov_momentum": [("this is the plain momentum step w + v; Nesterov's, in the stored parameters, is "
                           "next_w = w - momentum * v_prev + (1 + momentum) * v.", "plain step", {"step": "plain"}),
                          ("the look-ahead correction is subtracted: next_w = w - momentum * v_prev + "
                           "(1 + momentum) * v.", "correction added", {"step": "nesterov_plus"})],
    **{rule: [(EPSILON_PLACE, "epsilon inside", {"eps_inside": True}),
              ("divide by the SQUARE ROOT of the running average of dw^2 (a root-mean-square): "
               "dw / (np.sqrt(cache) + epsilon).", "no square root", {"no_sqrt": True}),
              *[(f"epsilon is a hyperparameter: read it from config['epsilon'] (set by setdefault), "
                 f"not the constant {eps:g}.", f"fixed epsilon={eps:g}", {"fixed_epsilon": eps})
                for eps in (1e-7, 1e-8, 1e-6)]]
       for rule in ADAPTIVE_RULES},
}
MISTAKES["rmsprop"].append(("decay_rate weights the OLD cache: cache = decay_rate * cache + (1 - decay_rate) * dw^2.",
                            "decay swapped", {"swapped": True}))
MISTAKES["adam"].append(("beta1 weights the first moment m (default 0.9) and beta2 the second moment v "
                         "(default 0.999); yours are swapped.", "betas swapped", {"swapped": True}))
DEFAULT_MISTAKES = {rule: default_mistakes(rule) for rule in RULES}
ONE_STEP_MISTAKES = {"adam": [  # a given config with t >= 1, so a bias correction with the old t can run
    ("divide m by (1 - beta1^t) and v by (1 - beta2^t) (bias correction, with t already incremented).",
     "no bias correction", {"bias": "none"}),
    ("increment t before the bias correction: the first step uses t = 1.", "bias with old t", {"bias": "old t"})]}


def agrees(rule, got, outputs, tol) -> bool:
    try:
        compare_outputs(rule, got, outputs, tol)
    except CheckFailure:
        return False
    return True


def explain_by_mistakes(rule, fallback=None, defaults=False, one_step=False):
    """A Case hint: the hint of the first known mistake whose outputs on these inputs the student's
    rule has (derived values, so it works whatever the student's style), else `fallback`.
    defaults: the case runs from config=None, so a wrong default is among the known mistakes;
    one_step: the case starts from a given config with t >= 1."""
    entries = MISTAKES.get(rule, []) + (DEFAULT_MISTAKES[rule] if defaults else []) \
        + (ONE_STEP_MISTAKES.get(rule, []) if one_step else [])

    def hint(inputs, got, expected):
        outputs = derived_values(rule, inputs, expected)
        for text, name, _change in entries:
            if name in outputs and agrees(rule, got, outputs[name], HINT_MATCH):
                return text
        return fallback(inputs, got, expected) if fallback else None

    return hint


def accepts_reordered(rule, hint):
    """A Case judge: the reference's outputs or Kingma & Ba's reordered form (derived values) pass."""

    def judge(inputs, got, expected):
        try:
            compare_outputs(rule, got, expected, TOL_EXACT)
        except CheckFailure as failure:
            other = derived_values(rule, inputs, expected).get(REORDERED)
            if other is not None and agrees(rule, got, other, TOL_EXACT):
                return
            if failure.hint is None:
                try:
                    failure.hint = hint(inputs, got, expected)
                except Exception:  # an output too odd for the hint: the failure stands without one
                    failure.hint = None
            raise

    return judge


def add_rule_case(rule, name, make, run, hint):
    judge = accepts_reordered(rule, hint) if rule == "adam" else None
    add_case(Case(T, rule, name, make, run, hint=hint, judge=judge))


for _rule in RULES:
    add_rule_case(_rule, "one step from a given config", make_one_step(_rule), run_rule(_rule),
                  explain_by_mistakes(_rule, ONE_STEP_HINTS.get(_rule), one_step=True))
    add_rule_case(_rule, f"{STEPS} steps carrying the returned config", make_steps(_rule, STEPS), run_rule(_rule),
                  explain_by_mistakes(_rule))
    add_rule_case(_rule, "config=None: default hyperparameters, 3 steps", make_steps(_rule, 3, with_hyperparameters=False),
                  run_rule(_rule, start_from_none=True), explain_by_mistakes(_rule, defaults=True))
for _rule in ADAPTIVE_RULES:
    add_rule_case(_rule, "tiny gradients: epsilon added after the square root",
                  make_steps(_rule, 3, with_hyperparameters=False, gradient_scale=TINY_GRADIENT),
                  run_rule(_rule, start_from_none=True), explain_by_mistakes(_rule, epsilon_hint, defaults=True))

# A floating-point error inside a rule, by the rule: replaces the generic hint (grader/core/engine.py).
FLOAT_ERROR_HINTS = {
    "adam": "1 - beta1**t is 0 at t = 0: increment t (t = t + 1) BEFORE the bias correction, so the first step "
            "uses t = 1.",
    "adagrad": "the first step divides by sqrt(cache) + epsilon; start cache at zeros and add epsilon after "
               "the square root so the denominator is never 0.",
    "rmsprop": "the first step divides by sqrt(cache) + epsilon; start cache at zeros and add epsilon after "
               "the square root so the denominator is never 0.",
}
T.float_error_hints = FLOAT_ERROR_HINTS


# --- the interface: defaults, state kept in the caller's dict, no in-place writes ---------------

def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _defaults_check(rule):
    @check(T, rule, "config=None fills every documented key with its default")
    def fills_defaults(ctx):
        w = ctx.rng.standard_normal((3, 4))
        _, config = take_step(ctx.call, rule, w, ctx.rng.standard_normal(w.shape), None)
        for key, default in DEFAULTS[rule].items():
            assert_true(key in config, f"{rule}(w, dw, None) returned a config without {key!r}.",
                        f"fill it with config.setdefault({key!r}, {default!r}).")
            value = config[key]
            assert_true(_is_number(value) and value == default,
                        f"{rule}(w, dw, None) set config[{key!r}] to {describe(value)}; "
                        f"the documented default is {default!r}.",
                        f"the default is {default!r} (the docstring's): config.setdefault({key!r}, {default!r}).")
        for key in STATE[rule]:
            assert_true(key in config, f"{rule}(w, dw, None) returned a config without the state {key!r}.")
            if key == "t":
                assert_true(_is_number(config["t"]) and config["t"] == 1,
                            f"after one step from config=None, config['t'] is {describe(config['t'])}; expected 1.",
                            "t counts the steps taken: it starts at 0 and is incremented before it is used.")
            else:
                assert_true(np.shape(config[key]) == w.shape,
                            f"after one step config[{key!r}] has shape {np.shape(config[key])}; "
                            f"expected w's shape {w.shape}.")


def _keeps_state_check(rule):
    @check(T, rule, "keeps hyperparameters and state in the caller's config across steps")
    def keeps_state(ctx):
        hyper = draw_hyperparameters(ctx.rng, rule)
        w = ctx.rng.standard_normal((2, 3))
        config = dict(hyper)
        for step in range(1, 4):
            caller_config = config  # the runner copies what the rule left in it back into it
            w, config = take_step(ctx.call, rule, w, ctx.rng.standard_normal(w.shape), caller_config)
            for key, value in hyper.items():
                assert_true(config.get(key) == value,
                            f"after step {step}, config[{key!r}] is {describe(config.get(key))}; the caller set "
                            f"{value!r} and a rule must not change its hyperparameters.",
                            "use config.setdefault(key, default): it keeps a value the caller gave.")
            for key in STATE[rule]:
                assert_true(key in caller_config and key in config,
                            f"after step {step}, the config passed to {rule} has no state {key!r}.",
                            "write the new state into the config you were given and return that same dict.")
                assert_true(np.array_equal(caller_config[key], config[key]),
                            f"after step {step}, config[{key!r}] in the dict passed to {rule} differs from the "
                            "one in the dict it returned.",
                            "update the caller's config (config[key] = new_value) and return it; "
                            "do not build a new dict.")


for _rule in RULES:
    _defaults_check(_rule)
    _keeps_state_check(_rule)
# Writes into config's state arrays (config['velocity'] *= ...) are reported by the generic in-place
# check of each rule (grader/catalogue.py: the in-place checks), once, as "changed config['velocity']".


# --- properties of particular rules -------------------------------------------------------------

MOMENTUM_LIMIT_STEPS = 400  # 0.9^400 ~ 5e-19: the velocity has converged to rounding error
ADAM_FIRST_STEP_TOL = 1e-5  # |step| = lr * |dw| / (|dw| + eps): off lr by eps/|dw| <= 1e-8/0.1 = 1e-7


def _momentum_limit_check(rule):
    @check(T, rule, "constant gradient: velocity tends to -learning_rate * dw / (1 - momentum)")
    def momentum_limit(ctx):
        w, dw = ctx.rng.standard_normal((2, 3)), ctx.rng.standard_normal((2, 3))
        config = None
        for _ in range(MOMENTUM_LIMIT_STEPS):
            w, config = take_step(ctx.call, rule, w, dw, config)
        lr, momentum = DEFAULTS[rule]["learning_rate"], DEFAULTS[rule]["momentum"]
        velocity = state_of(rule, config)["velocity"]
        assert_close(f"{rule}: config['velocity'] after {MOMENTUM_LIMIT_STEPS} steps of the same dw",
                     velocity, -lr * dw / (1 - momentum), TOL_EXACT, limit_hint(rule, dw, velocity))


def limit_hint(rule, dw, velocity):
    """The velocity's limit -lr * dw / (1 - momentum) names a wrong sign or default; else the rule."""
    lr, momentum = DEFAULTS[rule]["learning_rate"], DEFAULTS[rule]["momentum"]
    if same_values(velocity, lr * dw / (1 - momentum)):
        return "the velocity moves against the gradient: v = momentum * v - learning_rate * dw."
    for key, default in DEFAULTS[rule].items():
        for value in DEFAULT_SLIPS.get(key, ()):
            slipped = {**DEFAULTS[rule], key: value}
            m, n = slipped["momentum"], MOMENTUM_LIMIT_STEPS  # after n steps: -lr * dw * (1 - m^n) / (1 - m)
            if value != default and same_values(velocity, -slipped["learning_rate"] * dw * (1 - m ** n) / (1 - m)):
                return (f"with config=None your {rule} behaves as if the default {key} were {value:g}; the default "
                        f"is {default:g} (config.setdefault({key!r}, {default:g})).")
    return "v = momentum * v - learning_rate * dw, stored back into config['velocity'] every step."


for _rule in MOMENTUM_RULES:
    _momentum_limit_check(_rule)


@check(T, "adam", "t counts the steps taken")
def adam_counts_steps(ctx):
    k = int(ctx.rng.integers(2, 7))
    w, config = ctx.rng.standard_normal((2, 3)), None
    for _ in range(k):
        w, config = take_step(ctx.call, "adam", w, ctx.rng.standard_normal(w.shape), config)
    t = state_of("adam", config)["t"]
    assert_true(_is_number(t) and t == k, f"after {k} steps from config=None, config['t'] is {describe(t)}; expected {k}.",
                "increment t once per call, before using it, and store it back in config['t'].")


@check(T, "adam", "first step moves every weight by learning_rate against the gradient")
def adam_first_step(ctx):
    w = ctx.rng.standard_normal((3, 4))
    # |dw| >= 0.1: epsilon shifts the step by <= 1e-7, or by eps / sqrt(1 - beta2) / |dw| <= 3.2e-6
    # in Kingma & Ba's reordered form, both within ADAM_FIRST_STEP_TOL
    dw = ctx.rng.choice([-1.0, 1.0], w.shape) * ctx.rng.uniform(0.1, 2.0, w.shape)
    next_w, _ = take_step(ctx.call, "adam", w, dw, None)
    step = np.asarray(next_w) - w
    lr = DEFAULTS["adam"]["learning_rate"]
    assert_true(np.all(np.sign(step) == -np.sign(dw)), "adam's first step does not move every weight against its gradient.")
    assert_close("adam: |next_w - w| after the first step", np.abs(step), np.full(w.shape, lr), ADAM_FIRST_STEP_TOL,
                 "with bias correction m_hat = dw and v_hat = dw^2 at t = 1, so the first step is "
                 "learning_rate * dw / (|dw| + epsilon): about learning_rate for every weight.")


@check(T, "adagrad", "constant gradient: every step is smaller than the one before")
def adagrad_steps_shrink(ctx):
    w, dw = ctx.rng.standard_normal((3, 4)), away_from_zero(ctx.rng, (3, 4))
    config, steps = None, []
    for _ in range(STEPS):
        next_w, config = take_step(ctx.call, "adagrad", w, dw, config)
        steps.append(np.abs(np.asarray(next_w) - w))
        w = next_w
    shrinks = all(np.all(later < earlier) for earlier, later in zip(steps, steps[1:]))
    assert_true(shrinks, f"with the same dw for {STEPS} steps, adagrad's steps did not shrink every time.",
                "cache accumulates: cache = cache + dw^2 (stored back), so the step lr * dw / sqrt(cache) shrinks.")


@check(T, "get_rule", "an unknown name raises ValueError naming it")
def get_rule_unknown(ctx):
    exc = ctx.runner.raises(f"{T}.get_rule", "adamw")
    assert_true(isinstance(exc, ValueError) and "adamw" in str(exc),
                f"get_rule('adamw') raised {describe(exc)}; expected a ValueError that names 'adamw'.")
