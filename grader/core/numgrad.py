"""Cheap numeric gradient checks by random directional derivatives.

For a scalar loss L(x) = sum(forward(x) * dout), the analytic gradient g = dL/dx satisfies, for
any direction u,

    <g, u> = lim_{h->0} (L(x + h u) - L(x - h u)) / (2 h)

so comparing the two sides along a few random unit directions tests the whole gradient with
2 * n_directions forward passes instead of 2 * x.size. A wrong gradient g' passes a random
direction only if <g' - g, u> happens to vanish, which has probability zero for Gaussian u;
three directions make a near-miss by rounding irrelevant.

The error of one direction is measured against the typical size of a directional derivative,
||g|| / sqrt(size) for a random unit u, not only against the two values themselves: a direction
that happens to be nearly orthogonal to g gives a tiny derivative whose plain relative error is
dominated by rounding (seen at 1e-5 for a correct PReLU gradient).

    err = |analytic - numeric| / max(|analytic| + |numeric|, ||g|| / sqrt(size), FLOOR)
"""
from __future__ import annotations

import numpy as np

from .compare import FLOOR, assert_true, describe, distinct
from .errors import CheckFailure

N_DIRECTIONS = 3
STEP = 1e-5


def directional_derivative(loss, inputs: dict, name: str, u: np.ndarray, h: float = STEP) -> float:
    """Centred difference of loss along u at inputs[name] (two loss evaluations)."""
    plus = dict(inputs)
    minus = dict(inputs)
    base = np.asarray(inputs[name], dtype=np.float64)
    plus[name] = base + h * u
    minus[name] = base - h * u
    return (loss(plus) - loss(minus)) / (2 * h)


def directional_gradient_check(what, loss, inputs, name, grad, rng, tol, n_directions=N_DIRECTIONS):
    """Fail unless <grad, u> matches the numeric directional derivative for random unit u."""
    shape = np.shape(inputs[name])
    assert_true(isinstance(grad, np.ndarray) and grad.shape == shape,
                f"{what}: expected an array of shape {shape}, got {describe(grad)}.")
    typical = float(np.linalg.norm(grad)) / np.sqrt(max(grad.size, 1))
    for i in range(n_directions):
        u = rng.standard_normal(shape)
        u /= np.linalg.norm(u)
        numeric = directional_derivative(loss, inputs, name, u)
        analytic = float(np.sum(grad * u))
        err = abs(analytic - numeric) / max(abs(analytic) + abs(numeric), typical, FLOOR)
        if not err <= tol:  # also catches NaN
            yours, centred = distinct(analytic, numeric)
            raise CheckFailure(
                f"{what}: the derivative along random direction {i + 1} of {n_directions} is {yours} "
                f"from your gradient but {centred} by centred differences of the forward pass "
                f"(relative error {err:.3g}, tolerance {tol:g}).")


def full_numeric_gradient(loss, inputs: dict, name: str, h: float = STEP) -> np.ndarray:
    """The element-by-element centred difference (2 * size loss evaluations); for benchmarks."""
    base = np.asarray(inputs[name], dtype=np.float64)
    grad = np.zeros_like(base)
    e = np.zeros_like(base)  # one unit vector, moved element by element
    for idx in np.ndindex(base.shape):
        e[idx] = 1.0
        grad[idx] = directional_derivative(loss, inputs, name, e, h)
        e[idx] = 0.0
    return grad
