"""Cheap numeric gradient checks by random directional derivatives.

For a scalar loss L(x) = sum(forward(x) * dout), the analytic gradient g = dL/dx satisfies, for
any direction u,

    <g, u> = lim_{h->0} (L(x + h u) - L(x - h u)) / (2 h)

so comparing the two sides along a few random unit directions tests the whole gradient with
2 * n_directions forward passes instead of 2 * x.size. A wrong gradient g' passes a random
direction only if <g' - g, u> happens to vanish, which has probability zero for Gaussian u;
three directions make a near-miss by rounding irrelevant.
"""
from __future__ import annotations

import numpy as np

from .compare import assert_close, assert_true, describe

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
    numeric, analytic = [], []
    for _ in range(n_directions):
        u = rng.standard_normal(shape)
        u /= np.linalg.norm(u)
        numeric.append(directional_derivative(loss, inputs, name, u))
        analytic.append(float(np.sum(grad * u)))
    assert_close(f"{what} along {n_directions} random directions (analytic vs numeric)",
                 np.array(analytic), np.array(numeric), tol)


def full_numeric_gradient(loss, inputs: dict, name: str, h: float = STEP) -> np.ndarray:
    """The element-by-element centred difference (2 * size loss evaluations); for benchmarks."""
    base = np.asarray(inputs[name], dtype=np.float64)
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        e = np.zeros_like(base)
        e[idx] = 1.0
        grad[idx] = directional_derivative(loss, inputs, name, e, h)
    return grad
