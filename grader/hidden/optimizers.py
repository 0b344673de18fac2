"""Hidden-only checks for trainlab/optimizers.py (instructor side).

The student's rule and the reference run side by side on fresh random problems from the seed.
"""
from __future__ import annotations

import numpy as np

from ..core.cases import alternative_call, compare_with_alternatives
from ..checks.optimizers import (DEFAULT_MISTAKES, DEFAULTS, MISTAKES, MOMENTUM_RULES, ONE_STEP_MISTAKES, REORDERED,
                                 RULES, T, draw_hyperparameters, draw_state, run_rule, state_of, take_step)
from ..core.compare import SCALE, TOL_EXACT
from ..core.errors import CheckFailure
from ..core.registry import check
from .derived import formula



def adam_reordered(w, dw, config=None):
    """Adam in the order Kingma & Ba (2015, Section 2) suggest for efficiency:

        alpha_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)
        next_w = w - alpha_t * m / (sqrt(v) + epsilon)

    The same update as the docstring's up to where epsilon sits (epsilon here stands for
    epsilon * sqrt(1 - beta2^t) there); graded as equally correct.
    """
    config = dict(DEFAULTS["adam"], **(config or {}))
    t = config.get("t", 0) + 1
    m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw * dw
    alpha = config["learning_rate"] * np.sqrt(1 - config["beta2"] ** t) / (1 - config["beta1"] ** t)
    config.update(m=m, v=v, t=t)
    return w - alpha * m / (np.sqrt(v) + config["epsilon"]), config


ALTERNATIVES = {"adam": ({f"{T}.adam": adam_reordered},)}


def mistaken(rule, eps_inside=False, no_sqrt=False, fixed_epsilon=None, step="own", swapped=False, defaults=None,
             bias="own"):
    """The documented rule with one known mistake (grader/checks/optimizers.py, MISTAKES names
    them): epsilon inside the square root, no square root, a constant epsilon instead of
    config['epsilon'], the step of another momentum method (step = "plain": w + v; "nesterov":
    w - momentum * v_prev + (1 + momentum) * v; "nesterov_plus": the correction's sign flipped),
    the averages' weights swapped (rmsprop's decay_rate, adam's beta1 and beta2), other default
    hyperparameters (defaults), or Adam's bias correction left out or made with the old t (bias)."""

    def update(w, dw, config=None):
        config = {**DEFAULTS[rule], **(defaults or {}), **(config or {})}
        eps = config.get("epsilon", 0.0) if fixed_epsilon is None else fixed_epsilon

        def scaled(g, second):  # g / (sqrt(second) + eps), with the mistake
            root = second if no_sqrt else np.sqrt(second + eps) if eps_inside else np.sqrt(second)
            return g / (root if eps_inside else root + eps)

        if rule in MOMENTUM_RULES:
            return _momentum_step(w, dw, config, step, rule)
        if rule in ("adagrad", "rmsprop"):
            return w - config["learning_rate"] * scaled(dw, _cache(w, dw, config, rule, swapped)), config
        return w - config["learning_rate"] * scaled(*_adam_hats(w, dw, config, swapped, bias)), config

    return update


def _momentum_step(w, dw, config, step, rule):
    v_prev = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v_prev - config["learning_rate"] * dw
    kind = step if step != "own" else ("plain" if rule == "sgd_momentum" else "nesterov")
    config["velocity"] = v
    if kind == "plain":
        return w + v, config
    sign = 1 if kind == "nesterov_plus" else -1
    return w + sign * config["momentum"] * v_prev + (1 + config["momentum"]) * v, config


def _cache(w, dw, config, rule, swapped):
    old = config.get("cache", np.zeros_like(w))
    d = config.get("decay_rate", 1.0)
    if rule == "adagrad":
        config["cache"] = old + dw * dw
    else:
        config["cache"] = (1 - d) * old + d * dw * dw if swapped else d * old + (1 - d) * dw * dw
    return config["cache"]


def _adam_hats(w, dw, config, swapped, bias):
    b1, b2, t = config["beta1"], config["beta2"], config.get("t", 0) + 1
    b1, b2 = (b2, b1) if swapped else (b1, b2)
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw * dw
    config.update(m=m, v=v, t=t)
    if bias == "none":
        return m, v
    t_used = t - 1 if bias == "old t" else t
    return m / (1 - b1**t_used), v / (1 - b2**t_used)


def _register_formulas(rule):
    runs = run_rule(rule)  # config_from gives {} for a config=None case: the same defaults as None
    for _text, name, change in MISTAKES.get(rule, []) + DEFAULT_MISTAKES[rule] + ONE_STEP_MISTAKES.get(rule, []):
        formula(rule, name)(lambda inputs, _u=mistaken(rule, **change): runs(alternative_call({f"{T}.{rule}": _u}),
                                                                                 inputs))
    for implementations in ALTERNATIVES.get(rule, ()):
        formula(rule, REORDERED)(lambda inputs, _i=implementations: runs(alternative_call(_i), inputs))


for _rule in RULES:
    _register_formulas(_rule)


BOWL_STEPS = 40
CURVATURE_RANGE = (0.1, 5.0)  # positive: the bowl has a minimum, so no rule runs away


def _reference(ctx):
    if ctx.reference is None:
        raise CheckFailure("hidden checks need the reference solutions, which are not installed here.")
    return ctx.reference


def _descend(call, rule, w, config, gradient, steps):
    """Run the rule `steps` times on dw = gradient(w); return the final w and state."""
    for _ in range(steps):
        w, config = take_step(call, rule, w, gradient(w), config)
    return {"next_w": w, **state_of(rule, config)}


def _compare(rule, what, got, descend, reference_call, floor=0.0):
    """got against the reference's descent, or against any other correct formulation of the rule."""
    compare_with_alternatives(what, got, descend(reference_call), TOL_EXACT, ALTERNATIVES.get(rule, ()), descend,
                              floor)


def _bowl_check(rule):
    @check(T, rule, f"{BOWL_STEPS} steps down a random quadratic bowl match the reference", hidden=True)
    def bowl(ctx):
        reference = _reference(ctx)
        shape = tuple(int(d) for d in ctx.rng.integers(2, 7, size=2))
        curvature = ctx.rng.uniform(*CURVATURE_RANGE, size=shape)
        center, w = ctx.rng.standard_normal(shape), ctx.rng.standard_normal(shape)
        hyper = draw_hyperparameters(ctx.rng, rule)

        def gradient(x):  # of 0.5 * sum(curvature * (x - center)^2)
            return curvature * (x - center)

        got = _descend(ctx.call, rule, w, dict(hyper), gradient, BOWL_STEPS)
        # Near the minimum the gradient is the difference of two numbers of the size of w, so two
        # correct formulations differ there by rounding of that size: compare the trajectory at
        # the problem's scale, not at the scale of the last, tiny velocities.
        floor = SCALE * float(np.abs(w - center).max())
        _compare(rule, f"{rule} after {BOWL_STEPS} steps", got,
                 lambda call: _descend(call, rule, w, dict(hyper), gradient, BOWL_STEPS), reference.call, floor)


def _any_rank_check(rule):
    @check(T, rule, "parameters of rank 1 and 3 keep their shape and match the reference", hidden=True)
    def any_rank(ctx):
        reference = _reference(ctx)
        for shape in ((int(ctx.rng.integers(1, 9)),), tuple(int(d) for d in ctx.rng.integers(1, 5, size=3))):
            w, dw = ctx.rng.standard_normal(shape), ctx.rng.standard_normal(shape)
            config = {**draw_hyperparameters(ctx.rng, rule), **draw_state(ctx.rng, rule, shape)}
            got = _descend(ctx.call, rule, w, dict(config), lambda _: dw, 2)
            _compare(rule, f"{rule} on w of shape {shape}", got,
                     lambda call: _descend(call, rule, w, dict(config), lambda _: dw, 2), reference.call)


for _rule in RULES:
    _bowl_check(_rule)
    _any_rank_check(_rule)
