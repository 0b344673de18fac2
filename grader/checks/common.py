"""Small input-making helpers shared by the check modules."""
from __future__ import annotations

import numpy as np

from ..core.derived import derived_values

KINK_MARGIN = 1e-2  # keep inputs this far from a kink so centred differences never straddle it


def dims(rng, random_shapes: bool, fixed: tuple, low: int = 2, high: int = 9) -> tuple:
    """`fixed` for public fixtures; otherwise a random shape of the same rank."""
    if not random_shapes:
        return fixed
    return tuple(int(d) for d in rng.integers(low, high, size=len(fixed)))


def away_from_zero(rng, shape, scale: float = 1.0) -> np.ndarray:
    """Gaussian values with |x| >= KINK_MARGIN (for ReLU-like kinks at 0)."""
    x = rng.standard_normal(shape) * scale
    return np.where(np.abs(x) < KINK_MARGIN, np.copysign(KINK_MARGIN, x) + x, x)


def away_from_half(rng, low: float, high: float, gap: float = 0.1) -> float:
    """A probability drawn uniformly from [low, 0.5 - gap] and [0.5 + gap, high]: far enough from
    1/2 that deciding the other way round (keep with probability 1 - p) changes the measured rate
    by 2 * gap or more, far beyond the statistical checks' tolerances."""
    p = float(rng.uniform(low, high - 2 * gap))
    return p if p < 0.5 - gap else p + 2 * gap


EXTREME = np.array([[-1000.0, -100.0, -20.0, -1e-3, 0.0], [1e-3, 20.0, 100.0, 700.0, 1000.0]])


def extreme(rng) -> np.ndarray:
    """EXTREME with every entry scaled by a factor in [0.9, 1.1] and the entries shuffled.

    Fresh at every draw, so the outputs cannot be memorised; the largest entries stay above 709,
    where exp overflows in float64, so a naive formula still fails.
    """
    x = EXTREME * rng.uniform(0.9, 1.1, EXTREME.shape)
    return rng.permutation(x.ravel()).reshape(EXTREME.shape)


def same_values(got, candidate, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """got has candidate's shape and values (the test a hint uses to recognise a known mistake)."""
    try:
        got, candidate = np.asarray(got, dtype=float), np.asarray(candidate, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == candidate.shape and bool(np.allclose(got, candidate, rtol=rtol, atol=atol))


def formula_hint(key: str, mistakes, fallback=None, function: str | None = None):
    """A Case hint for known mistakes written by the grader as formulas of the inputs.

    mistakes: [(text, formula)], formula(inputs) -> the value of output `key` with that mistake, or
    the name of a derived value of `function` where the mistake's formula needs a correct one
    (grader/core/derived.py); text is a string or text(inputs, got) -> str. The hint is the text
    of the first mistake whose value got[key] has; else fallback(inputs, got, expected), if given.
    """

    def hint(inputs, got, expected):
        derived = derived_values(function, inputs, expected) if function else {}
        for text, formula in mistakes:
            try:
                candidate = derived[formula][key] if isinstance(formula, str) else formula(inputs)
            except (ArithmeticError, ValueError, TypeError, KeyError, IndexError, np.linalg.LinAlgError):
                continue
            if key in got and same_values(got[key], candidate):
                return text(inputs, got) if callable(text) else text
        return fallback(inputs, got, expected) if fallback else None

    return hint


RAISE_HINT = ("the docstring says when to raise ValueError: check the arguments before computing anything "
              "(the scaffold's checks do it; keep them).")
