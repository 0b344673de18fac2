"""Hidden-only checks for trainlab/schedules.py (instructor side).

Whole curves, computed in one call on fractional epochs from the seed, against the reference.
"""
from __future__ import annotations

import numpy as np

from ..checks.schedules import DECAYS, T, draw_lr0, draw_params
from ..compare import TOL_EXACT, assert_close
from ..errors import CheckFailure
from ..registry import check

CURVE_POINTS = 500


def _curve_check(name, params_of):
    @check(T, name, f"{CURVE_POINTS} fractional epochs in one array match the reference", hidden=True)
    def curve(ctx):
        if ctx.reference is None:
            raise CheckFailure("hidden checks need the reference solutions, which are not installed here.")
        lr0, params = draw_lr0(ctx.rng), params_of(ctx.rng)
        epochs = np.sort(ctx.rng.uniform(0, 100, CURVE_POINTS))
        expected = ctx.reference.call(f"{T}.{name}", lr0, epochs, **params)
        got = ctx.call(f"{T}.{name}", lr0, epochs, **params)
        assert_close(f"{name}(lr0={lr0:.6g}, epochs, {params})", got, expected, TOL_EXACT)


def _warmup_params(rng):
    return {"warmup": int(rng.integers(1, 20)), "schedule": "cosine_decay", **draw_params(rng, "cosine_decay")}


for _name in DECAYS:
    _curve_check(_name, lambda rng, _n=_name: draw_params(rng, _n))
_curve_check("linear_warmup", _warmup_params)
