"""Numeric comparison used by every check.

One definition of relative error, shared by the checks, the gradient checker and the notebooks:

    rel_error(a, b) = max_i |a_i - b_i| / max(|a_i| + |b_i|, FLOOR, SCALE * max_j |b_j|)

FLOOR keeps two values that are both essentially zero from counting as far apart. SCALE measures
an entry that is tiny next to the rest of the array against the array's own size: a correct
formula evaluated in another order differs from the reference by rounding, about 1e-16 of the
array's largest entries, which would otherwise look like a large relative error on an entry that
cancels to 1e-10. Real mistakes change most entries by far more than 1e-6 of the array's scale.
All comparisons happen in float64.
"""
from __future__ import annotations

import numpy as np

from .errors import CheckFailure

FLOOR = 1e-8
SCALE = 1e-6

# Default tolerances, asserted by the checks (see tests/test_compare.py for why they are safe).
TOL_EXACT = 1e-9      # closed-form outputs that the reference reproduces to rounding error
TOL_GRAD = 1e-6       # analytic vs centred-difference directional derivatives in float64
HINT_MATCH = 1e-7     # a wrong answer "is" a known mistake when it matches the mistake's output this closely


def rel_error_array(a, b, floor: float = 0.0) -> np.ndarray:
    """Elementwise relative error of two broadcastable arrays, in float64.

    Entries smaller than SCALE times the largest expected entry (or than `floor`, the size below
    which the caller's computation can only carry rounding noise) are compared at that size.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = SCALE * float(np.max(np.abs(b))) if b.size and np.all(np.isfinite(b)) else 0.0
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), max(FLOOR, scale, floor))


def rel_error(a, b) -> float:
    """Largest elementwise relative error of a and b (0.0 for empty arrays)."""
    err = rel_error_array(a, b)
    return float(err.max()) if err.size else 0.0


def distinct(a: float, b: float) -> tuple[str, str]:
    """a and b printed with the fewest significant digits (6 at least) that tell them apart."""
    for digits in (6, 9, 12, 17):
        left, right = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if left != right:
            break
    return left, right


def describe(x) -> str:
    """A short description of a value for a failure message."""
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    if x is None:
        return "None"
    return f"{type(x).__name__} {x!r}"[:120]


EXTRA_AXES = ("an operand with extra axes was broadcast in (np.newaxis or a reshape applied to an array that "
              "already had them, such as a (1, C, 1, 1) gamma indexed as gamma[np.newaxis, :, np.newaxis, "
              "np.newaxis]); print the shape of each operand.")


def assert_close(what: str, got, expected, tol: float = TOL_EXACT, hint: str | None = None,
                 floor: float = 0.0) -> None:
    """Fail with a student-readable message unless got matches expected within tol.

    `what` names the value being compared, e.g. "relu_forward(x) output"; `floor` as in
    rel_error_array.
    """
    expected = np.asarray(expected)
    if not isinstance(got, (np.ndarray, np.generic, float, int)) or isinstance(got, bool):
        raise CheckFailure(f"{what}: expected {describe(expected)}, got {describe(got)}.", hint)
    got_arr = np.asarray(got)
    if got_arr.shape != expected.shape:
        if got_arr.size == expected.size and np.squeeze(got_arr).shape == np.squeeze(expected).shape \
                and rel_error(np.squeeze(got_arr), np.squeeze(expected)) <= tol:  # the most specific hint there is
            hint = (f"the values are right but the shape is {got_arr.shape}, not {expected.shape}: "
                    + ("a reduction with keepdims=True (or a reshape) left an extra axis; drop it with "
                       "keepdims=False or .squeeze(axis)." if got_arr.ndim - expected.ndim < 3 else EXTRA_AXES))
        elif hint is None and got_arr.ndim > expected.ndim:
            hint = f"the result has {got_arr.ndim} axes, not {expected.ndim}: " + EXTRA_AXES
        raise CheckFailure(f"{what}: expected shape {expected.shape}, got shape {got_arr.shape}.", hint)
    if not np.all(np.isfinite(got_arr)) and np.all(np.isfinite(expected)):
        bad = np.unravel_index(np.argmax(~np.isfinite(got_arr)), got_arr.shape) if got_arr.ndim else ()
        raise CheckFailure(f"{what}: contains NaN or inf (first at index {tuple(int(i) for i in bad)}).", hint)
    err = rel_error_array(got_arr, expected, floor)
    if err.size and float(err.max()) > tol:
        where = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
        where = tuple(int(i) for i in where)
        want, have = distinct(float(expected[where]), float(got_arr[where]))
        raise CheckFailure(
            f"{what}: max relative error {float(err.max()):.3g} (tolerance {tol:g}) at index {where}: "
            f"expected {want}, got {have} (difference {float(got_arr[where]) - float(expected[where]):.3g}).",
            hint,
        )


def assert_true(condition: bool, message: str, hint: str | None = None) -> None:
    """Fail with `message` unless condition holds."""
    if not condition:
        raise CheckFailure(message, hint)
