"""A catalogue of realistic buggy implementations, one module per topic.

Each mutant replaces one student function (by its dotted name, e.g.
"activations.relu_backward") with a version carrying a mistake students really make. The test
suite (tests/test_mutants.py) proves that every mutant fails at least one check.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

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


def all_mutants() -> list[Mutant]:
    for name in TOPICS:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return MUTANTS
