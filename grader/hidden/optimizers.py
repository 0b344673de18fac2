"""Hidden-only checks for trainlab/optimizers.py (instructor side).

The student's rule and the reference run side by side on fresh random problems from the seed.
"""
from __future__ import annotations

import numpy as np

from ..cases import compare_with_alternatives
from ..checks.optimizers import ALTERNATIVES, RULES, T, draw_hyperparameters, draw_state, state_of, take_step
from ..compare import SCALE, TOL_EXACT
from ..errors import CheckFailure
from ..registry import check

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
