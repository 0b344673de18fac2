"""A catalogue of correct implementations written in other common styles: the mirror of tests/mutants.

Each variant replaces one or more student functions (a forward with the backward that reads its own
cache) with code a real student would write: another published but equivalent formula, another
mask convention, in-place state updates, keepdims and squeeze. tests/test_variants.py proves that
each one passes every value check and fails exactly the style checks it declares (`breaks`):
"in-place" (the function writes into an argument) or "dtype" (float32 in, float64 out).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from grader.registry import TOPICS

STYLES = ("in-place", "dtype")


@dataclass(frozen=True)
class Variant:
    targets: dict  # "module.function" -> implementation
    style: str  # how it is written, in a few words
    breaks: tuple = field(default=())  # the style checks it fails, from STYLES

    @property
    def topic(self) -> str:
        return next(iter(self.targets)).split(".")[0]

    @property
    def id(self) -> str:
        return f"{' + '.join(self.targets)}: {self.style}"


VARIANTS: list[Variant] = []


def variant(*targets: str, style: str, breaks: tuple = (), together: dict | None = None):
    """Register the decorated function as a correct version of `targets[0]` (plus `together`)."""

    def decorate(fn):
        VARIANTS.append(Variant({targets[0]: fn, **(together or {})}, style, tuple(breaks)))
        return fn

    return decorate


def all_variants() -> list[Variant]:
    if not VARIANTS:
        for name in TOPICS:
            try:
                importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise
    return VARIANTS
