"""A catalogue of correct implementations written in other common styles: the mirror of tests/mutants.

Each variant replaces one student function with code a real student would write: another published but equivalent formula, another
mask convention, in-place state updates, keepdims and squeeze. tests/test_variants.py proves that
each one passes every value check and fails exactly the style checks it declares (`breaks`):
"in-place" (the function writes into an argument), "dtype" (float32 in, float64 out) or "draw"
(a correct dropout draw other than the documented one).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tests.mutants import import_topic_modules

STYLES = ("in-place", "dtype", "draw")


@dataclass(frozen=True)
class Variant:
    targets: dict  # "module.function" -> implementation (the overrides a check run takes)
    style: str  # how it is written, in a few words
    breaks: tuple = field(default=())  # the style checks it fails, from STYLES

    @property
    def topic(self) -> str:
        return next(iter(self.targets)).split(".")[0]

    @property
    def id(self) -> str:
        return f"{' + '.join(self.targets)}: {self.style}"


VARIANTS: list[Variant] = []


def variant(target: str, style: str, breaks: tuple = (), partners: dict | None = None):
    """Register the decorated function as a correct version of `target`; `partners` are the other
    functions of a whole pair written in the same style ("module.function" -> implementation): a
    forward building a cache of its own layout and the backward reading it."""

    def decorate(fn):
        VARIANTS.append(Variant({**(partners or {}), target: fn}, style, tuple(breaks)))
        return fn

    return decorate


def all_variants() -> list[Variant]:
    if not VARIANTS:
        import_topic_modules(__name__)
    return VARIANTS
