"""A catalogue of realistic buggy implementations, one module per topic.

Each mutant replaces one student function (by its dotted name, e.g.
"activations.relu_backward") with a version carrying a mistake students really make. The test
suite (tests/test_mutants.py) proves that every mutant fails at least one check.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from grader.registry import TOPICS



@dataclass(frozen=True)
class Mutant:
    target: str  # "module.function" inside trainlab
    bug: str  # the mistake, in a few words
    fn: Callable

    @property
    def topic(self) -> str:
        return self.target.split(".")[0]

    @property
    def id(self) -> str:
        return f"{self.target}: {self.bug}"


MUTANTS: list[Mutant] = []


def mutant(target: str, bug: str):
    """Register the decorated function as a buggy version of `target`."""

    def decorate(fn):
        MUTANTS.append(Mutant(target, bug, fn))
        return fn

    return decorate


def import_topic_modules(package: str) -> None:
    """Import package.<topic> for every topic that has a module there (the catalogues' layout)."""
    for name in TOPICS:
        try:
            importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise


def all_mutants() -> list[Mutant]:
    if not MUTANTS:
        import_topic_modules(__name__)
        add_scratch_mutants()
    return MUTANTS


def float64_buffer(reference, index=None):
    """`reference` whose result (or result[index]) is copied into an np.zeros buffer, float64
    whatever the inputs' dtype: the "dx = np.zeros(dout.shape); dx[...] = ..." habit."""
    def fn(*args, **kwargs):
        result = reference(*args, **kwargs)
        parts = list(result) if index is not None else [result]
        where = index if index is not None else 0
        buffer = np.zeros(np.shape(parts[where]))
        buffer[...] = parts[where]
        parts[where] = buffer
        return tuple(parts) if index is not None else buffer
    return fn


BUFFER_BUG = "fills an np.zeros(shape) buffer: float64 output for float32 inputs"


SCRATCH_BUG = "reuses its first input array as scratch space (x *= 0.5) after computing the result"


def _scratch(reference):
    def fn(*args, **kwargs):
        result = reference(*args, **kwargs)
        arrays = [a for arg in args for a in (arg.values() if isinstance(arg, dict) else
                                              arg if isinstance(arg, (list, tuple)) else [arg])]
        for arg in arrays:
            if isinstance(arg, np.ndarray) and arg.size and arg.dtype.kind == "f":
                arg *= 0.5
                break
        return result
    return fn


def add_scratch_mutants() -> None:
    """An in-place mutant for every function with an in-place check (beside any hand-written ones)."""
    from grader.cases import INPLACE_NAME
    from grader.registry import select

    for chk in select(hidden=False):
        target = f"{chk.topic}.{chk.function}"
        if chk.name == INPLACE_NAME:
            module = importlib.import_module(f"trainlab.{chk.topic}")
            MUTANTS.append(Mutant(target, SCRATCH_BUG, _scratch(getattr(module, chk.function))))
