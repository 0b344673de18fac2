"""The list of checks, and the decorator that puts a check on it.

A check is a small function `fn(ctx) -> None` that raises CheckFailure (or NotImplementedYet) when
the student's code is wrong. It carries its topic, the student function it grades, its points and
whether it is hidden (instructor side only).
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .topic import Topic

TOPICS = (
    "activations",
    "initialization",
    "preprocessing",
    "normalization",
    "regularization",
    "augmentation",
    "optimizers",
    "schedules",
    "babysit",
)


@dataclass(frozen=True)
class Check:
    topic: str
    function: str
    name: str
    points: float
    hidden: bool
    fn: Callable = field(compare=False, repr=False)
    value: bool = False  # a value check: a Case with a hidden twin or a GradCase (GRADING_RULES.md, rule 3)
    style: bool = False  # a style check (GRADING_RULES.md, rule 3): no in-place writes, float32 kept

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")
        return f"{self.topic}.{self.function}.{slug}"


@dataclass
class Context:
    """What a check may use: the student runner, a seeded rng, the reference runner and fixtures."""

    runner: object
    rng: np.random.Generator
    seed: int
    reference: object = None
    fixtures: object = None
    fresh: bool = False  # grading: public checks draw fresh inputs instead of replaying fixtures
    # Short names of the functions the check used but does not grade (through `forward` or
    # `other`): a failure they cause is charged to them (grader/core/engine.py, Grading.upstream).
    upstream: set = field(default_factory=set)
    # Short names of the student functions the check compares the graded one with (its peers).
    peers: set = field(default_factory=set)

    def call(self, name, *args, **kwargs):
        return checked_result(name, self.runner.call(name, *args, **kwargs))

    def uses(self, name, *args, **kwargs):
        """Call a student function whose result the check feeds to the graded one (a forward for
        its cache: the cache layout is the student's, so a backward is judged on the cache its own
        forward built)."""
        self.upstream.add(name.rpartition(".")[2])
        return self.call(name, *args, **kwargs)

    forward = uses

    def peer(self, name, *args, **kwargs):
        """Call a student function the graded one must agree with: when the two disagree, the one
        that fails its own value checks is charged, in a self-check as at grading (Grading.upstream)."""
        self.peers.add(name.rpartition(".")[2])
        return self.call(name, *args, **kwargs)

    def other(self, name, *args, **kwargs):
        """Call a function the check needs but does not grade (a fit before an apply): the
        reference's when it is at hand, so a mistake there is charged only to the function that
        has it; the student's on a self-check without the reference. A forward called here keeps
        the reference's output but hands on the student's own cache where the student's forward runs."""
        self.upstream.add(name.rpartition(".")[2])
        result = checked_result(name, (self.reference or self.runner).call(name, *args, **kwargs))
        if self.reference is None or "_forward" not in name.rpartition(".")[2]:
            return result
        try:
            return result[0], self.call(name, *copy.deepcopy(args), **copy.deepcopy(kwargs))[1]
        except Exception:  # a forward that fails is charged by its own checks; the reference's cache serves here
            return result


def checked_result(name: str, result):
    """A layer forward's result must be the documented pair (out, cache) before a check unpacks it."""
    short = name.rpartition(".")[2]
    if "_forward" in short and not (isinstance(result, tuple) and len(result) == 2):
        from .compare import describe
        from .errors import CheckFailure

        raise CheckFailure(f"{short} returned {describe(result)}; expected a pair (out, cache).",
                           f"return out, cache from {short}: its backward needs the cache (in a check of the "
                           f"backward, fix {short} first).")
    return result


CHECKS: list[Check] = []  # the course's checks, built by grader/catalogue.py (never by an import)


def register(check_: Check) -> Check:
    """Declare a check on its Topic (grader/core/topic.py); grader/catalogue.py builds CHECKS from them."""
    if not isinstance(check_.topic, Topic):
        raise ValueError(f"the check {check_.name!r} names its topic as a str; declare it with the module's Topic")
    check_.topic.checks.append(check_)
    return check_


def check(topic: Topic, function: str, name: str, points: float = 1.0, hidden: bool = False, style: bool = False):
    """Declare `fn(ctx)` as a check on `function` (the student function's short name); `style`: a
    style rule of its own (GRADING_RULES.md, rule 3), such as one that covers writes into inputs."""

    def decorate(fn):
        register(Check(topic, function, name, points, hidden, fn, style=style))
        return fn

    return decorate


def check_rng(seed: int, check_id: str) -> np.random.Generator:
    """An rng for one check: independent of which other checks run and in what order."""
    return np.random.default_rng([seed, zlib.crc32(check_id.encode())])


def hidden_available() -> bool:
    """True on the instructor side, where grader/hidden/ sits beside this file."""
    return (Path(__file__).resolve().parents[1] / "hidden" / "__init__.py").is_file()
