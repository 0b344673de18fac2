"""The course's checks, built in one explicit pass from the topics' declarations.

Each module grader/checks/<topic>.py declares a Topic (grader/core/topic.py): its checks, its
reference-output and gradient cases, its given functions and hint words. Importing it grades
nothing. `build` turns every topic, in TOPICS order, into the list of checks that runs:

1. each topic's public checks, as declared (cases and gradient cases included);
2. one in-place check per function with a case and no style check of its own on its inputs;
3. on the instructor side, where grader/hidden/ is present: the hidden twin of every case and
   gradient case, then each topic's hidden-only checks (grader/hidden/<topic>.py).

A given function's checks run and carry no points. The framework (grader/core) never imports the
checks; whoever runs them selects them here.
"""
from __future__ import annotations

import importlib
from dataclasses import replace

from .core.cases import hidden_case_check, hidden_grad_check, inplace_checks
from .core.registry import CHECKS, TOPICS, Check, hidden_available
from .core.topic import Topic


def topic(name: str) -> Topic:
    """A topic's declaration (its check module imported, nothing registered)."""
    return importlib.import_module(f"{__package__}.checks.{name}").T


def topics() -> list[Topic]:
    """Every topic's declaration, in TOPICS order."""
    return [topic(name) for name in TOPICS]


def given_functions(declared=None) -> frozenset:
    """Functions given complete in the student library: checked, worth no points."""
    return frozenset().union(*(t.given for t in declared or topics()))


def build(hidden: bool) -> list[Check]:
    """The course's checks, public ones first (see the module docstring)."""
    declared = topics()
    if hidden:
        for name in TOPICS:  # hidden-only checks: declared on the same Topic objects
            importlib.import_module(f"{__package__}.hidden.{name}")
    checks = [c for t in declared for c in t.checks if not c.hidden]
    checks += [c for t in declared for c in inplace_checks(t)]
    if hidden:
        checks += [hidden_case_check(case) for t in declared for case in t.cases if case.twin]
        checks += [hidden_grad_check(case) for t in declared for case in t.grad_cases]
        checks += [c for t in declared for c in t.checks if c.hidden]
    given = given_functions(declared)
    checks = [replace(c, points=0.0) if c.function in given else c for c in checks]
    seen = set()
    for chk in checks:
        if chk.id in seen:
            raise ValueError(f"two checks share the id {chk.id}")
        seen.add(chk.id)
    return checks


def load_all(hidden: bool) -> None:
    """Make CHECKS the course's checks (hidden ones too where they are present and asked for);
    built once, and once more when hidden checks are first asked for."""
    has_hidden = any(c.hidden for c in CHECKS)
    wanted = bool(hidden and hidden_available()) or has_hidden
    if not CHECKS or wanted != has_hidden:
        CHECKS[:] = build(wanted)


def select(topics=None, hidden: bool = False) -> list[Check]:
    """Checks of the given topics (all by default); hidden ones only when asked for."""
    load_all(hidden)
    wanted = set(topics or TOPICS)
    unknown = wanted - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown topic {sorted(unknown)[0]!r}; choose from {', '.join(TOPICS)}")
    return [c for c in CHECKS if c.topic in wanted and (hidden or not c.hidden)]


def cases() -> list:
    """Every reference-output case, in topic order (the public fixtures are written from these)."""
    return [case for t in topics() for case in t.cases]
