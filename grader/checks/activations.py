"""Checks for trainlab/activations.py."""
from __future__ import annotations

import numpy as np

from ..cases import Case, add_case, add_dtype_check, add_layer_cases
from ..compare import assert_true
from ..registry import check
from .common import away_from_zero, dims, extreme

T = "activations"
ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu")


def make_elementwise(rng, random_shapes):
    shape = dims(rng, random_shapes, (4, 5))
    x = away_from_zero(rng, shape, 2.0)
    x.flat[:2] = -abs(x.flat[0]), abs(x.flat[1])  # both sides of the kink, at any size
    return {"x": x, "dout": rng.standard_normal(shape)}


def relu_mask_hint(inputs, got, expected):
    dout = inputs["dout"]
    if "dx" in got and np.allclose(got["dx"], dout * (dout > 0)):
        return "mask the gradient with x > 0 (the input saved in the cache), not with dout > 0."
    return None


def sigmoid_hint(inputs, got, expected):
    if "dx" in got and np.allclose(got["dx"], inputs["dout"] * (1 / (1 + np.exp(-inputs["x"])))):
        return "the local gradient is s * (1 - s), not s."
    return None


HINTS = {"relu": relu_mask_hint, "sigmoid": sigmoid_hint}

for _act in ELEMENTWISE:
    add_layer_cases(T, f"{T}.{_act}_forward", f"{T}.{_act}_backward", make_elementwise,
                    hint_backward=HINTS.get(_act))
    add_case(Case(T, f"{_act}_forward", "inputs of magnitude up to 1000: output",
                  lambda rng, r: {"x": extreme(rng)},
                  lambda call, inputs, _a=_act: {"out": call(f"{T}.{_a}_forward", inputs["x"])[0]},
                  hint=lambda *_: "the formula overflows or cancels at large |x|; use a form that only "
                                  "exponentiates non-positive numbers."))


def make_leaky(rng, random_shapes):
    inputs = make_elementwise(rng, random_shapes)
    inputs["alpha"] = 0.1 if not random_shapes else float(rng.uniform(0.01, 0.3))
    return inputs


add_layer_cases(T, f"{T}.leaky_relu_forward", f"{T}.leaky_relu_backward", make_leaky,
                args=("x", "alpha"), name="given alpha")
add_layer_cases(T, f"{T}.elu_forward", f"{T}.elu_backward", make_leaky, args=("x", "alpha"), name="given alpha")


def make_prelu(rng, random_shapes):
    N, D = dims(rng, random_shapes, (5, 4))
    x = away_from_zero(rng, (N, D), 2.0)
    x[:2] = -abs(x[0]), abs(x[1])  # every feature has inputs on both sides of the kink
    return {"x": x, "alpha": rng.uniform(0.05, 0.5, size=D),
            "dout": rng.standard_normal((N, D))}


add_layer_cases(T, f"{T}.prelu_forward", f"{T}.prelu_backward", make_prelu, args=("x", "alpha"),
                wrt=("x", "alpha"))

MAXOUT_GAP = 1e-3  # winning piece beats the runner-up by at least this, so the max has no tie


def make_maxout(rng, random_shapes):
    N, D, M, K = dims(rng, random_shapes, (4, 3, 5, 2), high=6)
    while True:
        x, w, b = rng.standard_normal((N, D)), rng.standard_normal((D, M, K)), rng.standard_normal((M, K))
        z = np.sort(np.einsum("nd,dmk->nmk", x, w) + b, axis=2)
        if K == 1 or np.min(z[..., -1] - z[..., -2]) > MAXOUT_GAP:
            return {"x": x, "w": w, "b": b, "dout": rng.standard_normal((N, M))}


add_layer_cases(T, f"{T}.maxout_forward", f"{T}.maxout_backward", make_maxout, args=("x", "w", "b"),
                wrt=("x", "w", "b"))


FORWARD_DTYPE_HINT = ("keep every constant a Python float or of x.dtype: under NumPy 2 an np.float64 scalar "
                      "(np.float64(1.0)) or a float64 array (np.ones(x.shape), np.zeros_like(x, dtype=float)) "
                      "turns a float32 result into float64.")
BACKWARD_DTYPE_HINT = ("a mask made with .astype(int) or .astype(float) is int64 or float64 and turns the gradient "
                       "into float64: multiply by the boolean mask itself (dout * (x > 0)) or cast it to dout.dtype.")

for _act in ELEMENTWISE + ("prelu", "maxout"):
    add_dtype_check(T, f"{_act}_forward", FORWARD_DTYPE_HINT)
    add_dtype_check(T, f"{_act}_backward", BACKWARD_DTYPE_HINT)


@check(T, "sigmoid_forward", "outputs lie in [0, 1] and sigmoid(-x) = 1 - sigmoid(x)")
def sigmoid_symmetry(ctx):
    x = ctx.rng.standard_normal((6, 7)) * 10
    out = ctx.call(f"{T}.sigmoid_forward", x)[0]
    mirrored = ctx.call(f"{T}.sigmoid_forward", -x)[0]
    assert_true(np.all((out >= 0) & (out <= 1)), "sigmoid_forward returned values outside [0, 1].")
    assert_true(np.allclose(out + mirrored, 1.0, atol=1e-12), "sigmoid(x) + sigmoid(-x) should be 1 everywhere.")
