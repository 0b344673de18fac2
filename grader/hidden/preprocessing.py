"""Hidden-only checks for trainlab/preprocessing.py (instructor side).

Every public property check again, on random shapes (2-8 features, 3-6 times as many training
rows, random k) and fresh data from the per-student seed.
"""
from __future__ import annotations

from ..checks.preprocessing import PROPERTIES, T
from ..registry import check


def _register_hidden(fn, name, prop):
    @check(T, fn, f"{name}, random shapes", hidden=True)
    def hidden(ctx):
        prop(ctx, True)


for _fn, _name, _prop in PROPERTIES:
    _register_hidden(_fn, _name, _prop)
