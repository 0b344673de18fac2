"""Values a public check needs from a correct implementation, never computed in a student release.

Some checks compare a student's outputs with more than the reference's: another correct
formulation the docstring allows (Adam in Kingma & Ba's reordered form), or the outputs of a known
mistake that a hint names. Computing those takes a correct implementation, so their formulas live
in grader/hidden/derived.py (instructor side). `trainlab fixtures` stores them with a case's
outputs as "_<name>.<output>", leaving out every output equal to the correct one, and marks the
case with STORED; at grading they are computed live on the fresh inputs. A check reads them only
through `derived_values`, so it sees the same values on the same inputs in a release and at grading.
"""
from __future__ import annotations

import numpy as np

from .registry import hidden_available

from .fixture_store import STORED


def derived_values(function: str, inputs: dict, expected: dict) -> dict:
    """{name: outputs} of every derived formulation of `function` on these inputs that differs from
    the correct outputs `expected`; {} where neither stored values nor the formulas are at hand, or
    where there are no case outputs (expected None: a property check)."""
    if expected is None:
        return {}
    flat = expected if STORED in expected else _live(function, inputs, expected)
    found: dict = {}
    for key, value in flat.items():
        name, dot, output = key[1:].rpartition(".")
        if key.startswith("_") and dot and name:
            found.setdefault(name, {})[output] = np.asarray(value)
    graded = {k: v for k, v in expected.items() if not k.startswith("_")}
    return {name: {**graded, **own} for name, own in found.items()}


def _live(function: str, inputs: dict, expected: dict) -> dict:
    if not hidden_available():
        return {}
    from ..hidden.derived import derive

    return derive(function, inputs, expected)
