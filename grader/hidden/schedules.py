"""Hidden-only checks for trainlab/schedules.py (instructor side).

Whole curves, computed in one call on fractional epochs from the seed, against the reference.
"""
from __future__ import annotations

import numpy as np

from ..checks.schedules import DECAYS, T, draw_lr0, draw_params, params_from
from ..core.compare import TOL_EXACT, assert_close
from ..core.errors import CheckFailure
from ..core.registry import check
from .derived import formula


def _cosine(lr0, e, total, lr_min=0.0):
    return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * np.minimum(e, total) / total)) / 2


FORMULAS = {  # the documented schedules, for the warm-up mistakes below
    "step_decay": lambda lr0, e, drop=0.5, every=10: lr0 * drop ** np.floor(e / every),
    "exponential_decay": lambda lr0, e, k=0.1: lr0 * np.exp(-k * e),
    "inverse_time_decay": lambda lr0, e, k=0.1: lr0 / (1 + k * e),
    "cosine_decay": _cosine,
}


def _warmup_parts(i):
    lr0, e, w, after = i["lr0"], np.asarray(i["epochs"], dtype=float), i["warmup"], i["schedule"]
    return lr0, e, w, lambda epochs: FORMULAS[after](lr0, epochs, **params_from(i, after))


@formula("linear_warmup", "wrapped schedule not shifted")
def warmup_unshifted(i):
    lr0, e, w, wrapped = _warmup_parts(i)
    return {"lr": np.where(e < w, lr0 * e / w, wrapped(e))}


@formula("linear_warmup", "ramp off by one")
def warmup_ramp_off_by_one(i):
    lr0, e, w, wrapped = _warmup_parts(i)
    return {"lr": np.where(e < w, lr0 * np.minimum(e + 1, w) / w, wrapped(np.maximum(e - w, 0)))}

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
