"""Hidden-only checks for trainlab/initialization.py (instructor side).

The statistical check again, on random dense and conv shapes with random options. Every shape has
n >= MIN_SAMPLE weights and fans that differ by a factor between 2 and 4. The 6-sigma band of
checks/initialization.py (relative 6 / sqrt(2n) <= 3 % for the std) then separates the right
formula from every wrong one in the catalogue: another fan changes the std by sqrt(2) or more,
and in Xavier's 'average' mode 2 / fan_in or 2 / fan_out instead of 2 / (fan_in + fan_out)
changes it by sqrt(5/4) = 1.12 or more (fans much further apart would hide that one).
"""
from __future__ import annotations

import numpy as np

from ..checks.initialization import INITIALIZERS, KAIMING_CHOICES, T, assert_statistics, call_init
from ..core.registry import check

MIN_SAMPLE = 20_000


def random_dense(rng) -> tuple:
    small = int(rng.integers(100, 201))
    large = int(small * rng.uniform(2.0, 4.0))
    return (small, large) if rng.random() < 0.5 else (large, small)


def random_conv(rng) -> tuple:
    k = int(rng.choice([3, 5]))
    few = int(rng.integers(40, 57))
    many = int(few * rng.uniform(2.0, 4.0))
    return (many, few, k, k) if rng.random() < 0.5 else (few, many, k, k)


def random_opts(rng, name: str, mode: str) -> dict:
    if name == "gaussian_init":
        return {"std": float(rng.uniform(0.001, 3.0))}
    if name.startswith("xavier"):
        return {"mode": mode}
    # slopes from 1.5 on put the He gain sqrt(2 / (1 + a^2)) at 0.78 or less: far from sqrt(2)
    # (slope ignored), from 1 (gain left out) and from its own square (square root left out)
    return {"negative_slope": float(rng.uniform(1.5, 3.0)), "mode": mode}


def _hidden_statistics(name):
    @check(T, name, "mean 0 and the formula's std on random dense and conv shapes", hidden=True)
    def statistics(ctx):
        # the two shapes take the two modes, in a random order, so that a mode ignored always shows
        modes = ctx.rng.permutation(["average", "fan_in"] if name.startswith("xavier") else list(KAIMING_CHOICES))
        for shape, mode in zip((random_dense(ctx.rng), random_conv(ctx.rng)), modes):
            assert np.prod(shape) >= MIN_SAMPLE, shape  # the band's width assumes this many weights
            opts = random_opts(ctx.rng, name, str(mode))
            rng = np.random.default_rng(int(ctx.rng.integers(2 ** 31)))
            assert_statistics(name, shape, opts, call_init(ctx.call, name, shape, rng, opts))


for _name in INITIALIZERS:
    _hidden_statistics(_name)
