"""A catalogue of realistic buggy implementations, one module per topic.

Each mutant replaces one student function (by its dotted name, e.g.
"activations.relu_backward") with a version carrying a mistake students really make, and names
the words of the hint that must appear in its failure messages (`hints`: any one of them names
the mistake). The test suite proves that every mutant fails at least one check
(tests/test_mutants.py) and that its messages name its mistake and carry no hint describing
another one (tests/test_hint_catalogue.py).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from grader.core.registry import TOPICS



@dataclass(frozen=True)
class Mutant:
    target: str  # "module.function" inside trainlab
    bug: str  # the mistake, in a few words
    fn: Callable
    hints: tuple = ()  # words of the hint(s) that name this mistake; () = no hint expected
    # Other functions it comes with ("module.function" -> implementation), correct on their own: a
    # forward whose cache the mistaken backward reads as something else.
    partners: dict = field(default_factory=dict, compare=False)

    @property
    def overrides(self) -> dict:
        """What a check run takes to grade this mutant: the target and its partners."""
        return {**self.partners, self.target: self.fn}

    @property
    def topic(self) -> str:
        return self.target.split(".")[0]

    @property
    def id(self) -> str:
        return f"{self.target}: {self.bug}"


MUTANTS: list[Mutant] = []


def mutant(target: str, bug: str, hint: str | tuple | None = None, partners: dict | None = None):
    """Register the decorated function as a buggy version of `target`; `hint`: the words (or any
    of several words) that a hint naming this mistake contains; `partners`: see Mutant."""
    hints = (hint,) if isinstance(hint, str) else tuple(hint or ())
    if not hints and bug == BUFFER_BUG:
        hints = (DTYPE_WORDS,)

    def decorate(fn):
        MUTANTS.append(Mutant(target, bug, fn, hints, dict(partners or {})))
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
DTYPE_WORDS = "float64"  # every float32-in, float32-out hint names the float64 that crept in
INPLACE_WORDS = "caller"  # every in-place hint says whose array was written into


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
    from grader.core.cases import INPLACE_NAME
    from grader.catalogue import select

    for chk in select(hidden=False):
        target = f"{chk.topic}.{chk.function}"
        if chk.name == INPLACE_NAME:
            module = importlib.import_module(f"trainlab.{chk.topic}")
            MUTANTS.append(Mutant(target, SCRATCH_BUG, _scratch(getattr(module, chk.function)),
                                  (INPLACE_WORDS,)))


# Hints that never name a particular mistake and never point at a wrong one: statements of fact
# about the student's output, or advice that is phrased as conditional on the other checks.
GENERIC_HINTS = (
    "your draw matches but every weight is",  # initialization: a measured scale factor
    "draw exactly once from the rng you are given",  # initialization: the documented draw
    "the std comes from",  # initialization: where the std comes from (the fans or the argument)
    "if the property checks of this function pass",  # augmentation: conditional on the others
    "with bias correction m_hat = dw",  # optimizers: what the first step measures
)


def hint_texts(results) -> list[str]:
    """The distinct hints in the failure messages of `results` (grader Results)."""
    return sorted({r.message.split("Hint:", 1)[1].strip() for r in results
                   if not r.passed and "Hint:" in r.message})


def judge_hints(m: Mutant, results) -> tuple[bool, list[str]]:
    """(whether a hint names m's mistake, the hints that describe some other mistake)."""
    texts = hint_texts(results)
    named = any(words in text for text in texts for words in m.hints)
    misleading = [text for text in texts if not any(words in text for words in m.hints)
                  and not any(generic in text for generic in GENERIC_HINTS)]
    return named, misleading


def measure_hints(seed: int = 1, mutants=None, reference=None) -> list[tuple[Mutant, bool, list[str]]]:
    """Grade every mutant as at grading time (hidden checks, fresh inputs, the reference at hand)
    and judge its hints: [(mutant, named, misleading hints)]."""
    from grader.core.engine import run_checks
    from grader.core.runner import Runner, default_src

    reference = reference or Runner(default_src())
    verdicts = []
    for m in mutants or all_mutants():
        np.random.seed(0)
        results = run_checks(topics=[m.topic], hidden=True, seed=seed, overrides=m.overrides,
                             reference=reference, fresh=True)
        verdicts.append((m, *judge_hints(m, [r for r in results if r.function == m.target.split(".")[1]])))
    return verdicts
