"""The course's checks, loaded in one pass: every topic's public checks (grader/checks), then, on
the instructor side, the hidden ones (grader/hidden). The check framework (grader/core) never
imports them; whoever runs checks selects them here."""
from __future__ import annotations

from .core.registry import CHECKS, TOPICS, Check, hidden_available


def select(topics=None, hidden: bool = False) -> list[Check]:
    """Checks of the given topics (all by default); hidden ones only when asked for."""
    load_all(hidden)
    wanted = set(topics or TOPICS)
    unknown = wanted - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown topic {sorted(unknown)[0]!r}; choose from {', '.join(TOPICS)}")
    return [c for c in CHECKS if c.topic in wanted and (hidden or not c.hidden)]


def load_all(hidden: bool) -> None:
    """Import the modules that register checks (hidden ones only where they are present)."""
    from . import checks  # noqa: F401  (registers the public checks)

    if hidden and hidden_available():
        from . import hidden as hidden_checks  # noqa: F401
