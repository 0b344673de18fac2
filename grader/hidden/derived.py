"""The formulas behind grader/core/derived.py: other correct formulations and known mistakes,
written with a correct implementation, so they stay on the instructor side.

Each hidden topic module registers its formulas with `formula(function, name)`; a formula takes a
case's inputs and returns outputs named like the case's outputs.
"""
from __future__ import annotations

import copy

import numpy as np

from ..core.fixture_store import STORED
from ..core.compare import TOL_EXACT, rel_error

FORMULAS: dict[str, dict] = {}  # graded function -> {name: formula(inputs) -> {output: value}}


def formula(function: str, name: str):
    def register(fn):
        FORMULAS.setdefault(function, {})[name] = fn
        return fn

    return register


def derive(function: str, inputs: dict, expected: dict) -> dict:
    """Every formula of `function` on copies of `inputs`, flat as "_<name>.<output>", without the
    outputs equal to the correct ones in `expected` (those are read from the case's outputs)."""
    if function not in FORMULAS:
        return {}
    flat = {STORED: np.asarray(True)}
    for name, fn in FORMULAS[function].items():
        try:
            with np.errstate(all="ignore"):  # a mistake may divide by zero; its outputs say so
                outputs = fn(copy.deepcopy(inputs))
        except (ArithmeticError, ValueError, TypeError, KeyError, IndexError, np.linalg.LinAlgError):
            continue  # a mistake that cannot run on these inputs
        flat.update({f"_{name}.{k}": np.asarray(v) for k, v in outputs.items()
                     if not _same(v, expected.get(k))})
    return flat


def _same(value, correct) -> bool:
    value, correct = np.asarray(value), np.asarray(correct)
    if value.shape != correct.shape or value.dtype.kind not in "fciub" or correct.dtype.kind not in "fciub":
        return False
    return bool(rel_error(value.astype(float), correct.astype(float)) < TOL_EXACT)
