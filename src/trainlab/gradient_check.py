"""Numeric gradients, to test a backward pass against its forward pass.

Centred differences: for a scalar function f and a small step h,

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)          (error O(h^2))

`eval_numerical_gradient` does this element by element (2 * x.size evaluations of f);
`directional_gradient_check` tests the whole gradient at once along a few random directions u,
comparing <grad, u> with (f(x + h u) - f(x - h u)) / (2 h) (2 evaluations per direction).

All functions here perturb x IN PLACE and restore it exactly afterwards. This is deliberate, unlike
the layers: f usually reads x through a closure (a model parameter, for example
f = lambda _: model.loss(X, y)[0] with x = model.params['W1']), so changing x is the only way to
change what f sees. x must be a floating-point array.
"""
import numpy as np

STEP = 1e-5  # centred-difference step: truncation error ~h^2, rounding error ~eps/h, both ~1e-10
REL_ERROR_FLOOR = 1e-8


# grader/core/compare.py holds the grader's copy of this definition (rel_error); keep the two identical.
# tests/test_library.py compares them. The student package must not import the grader.
def rel_error(x, y):
    """Largest elementwise relative error: max_i |x_i - y_i| / max(|x_i| + |y_i|, 1e-8).

    The same definition as grader/core/compare.py (the grader's copy, which the checks use; this
    package does not import the grader). Around 1e-7 or less means a correct gradient.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    err = np.abs(x - y) / np.maximum(np.abs(x) + np.abs(y), REL_ERROR_FLOOR)
    return float(err.max()) if err.size else 0.0


def _centred_difference(f, x, direction, h):
    """(f(x + h d) - f(x - h d)) / (2 h) for a direction d of the shape of x; x is restored."""
    base = x.copy()
    try:
        x[...] = base + h * direction
        f_plus = np.copy(f(x))
        x[...] = base - h * direction
        f_minus = np.copy(f(x))
    finally:
        x[...] = base
    return (f_plus - f_minus) / (2 * h)


def _centred_difference_at(f, x, idx, h):
    """(f(x + h e_idx) - f(x - h e_idx)) / (2 h), moving the single element x[idx]."""
    old = x[idx]
    try:
        x[idx] = old + h
        f_plus = np.copy(f(x))
        x[idx] = old - h
        f_minus = np.copy(f(x))
    finally:
        x[idx] = old
    return (f_plus - f_minus) / (2 * h)


def eval_numerical_gradient(f, x, h=STEP):
    """Numeric gradient of a scalar function.

    f: callable f(x) -> float; x: float array of any shape. Returns grad (shape of x) with
    grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h). Costs 2 * x.size calls of f.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        grad[idx] = _centred_difference_at(f, x, idx, h)
    return grad


def eval_numerical_gradient_array(f, x, df, h=STEP):
    """Numeric gradient of sum(f(x) * df) for an array-valued f (a layer's forward).

    f: callable f(x) -> array of the shape of df; x: float array; df: upstream gradient.
    Returns grad (shape of x) with grad[i] = sum((f(x + h e_i) - f(x - h e_i)) * df) / (2 h).
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        grad[idx] = np.sum(_centred_difference_at(f, x, idx, h) * df)
    return grad


def directional_gradient_check(f, x, analytic_grad, rng, num_directions=3, h=STEP):
    """Compare an analytic gradient with numeric directional derivatives of f.

    f: callable f(x) -> float; x: float array; analytic_grad: array of the shape of x;
    rng: np.random.Generator for the directions. For each random unit direction u, compares
    <analytic_grad, u> with (f(x + h u) - f(x - h u)) / (2 h). Returns the rel_error over the
    num_directions pairs: a correct gradient gives about 1e-7 or less. Costs 2 * num_directions
    calls of f, whatever the size of x.
    """
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"analytic_grad has shape {analytic_grad.shape}; expected the shape of x, {x.shape}")
    numeric, analytic = [], []
    for _ in range(num_directions):
        u = rng.standard_normal(x.shape)
        u /= np.linalg.norm(u)
        numeric.append(float(_centred_difference(f, x, u, h)))
        analytic.append(float(np.sum(analytic_grad * u)))
    return rel_error(np.array(analytic), np.array(numeric))
