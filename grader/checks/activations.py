"""Checks for trainlab/activations.py."""
from __future__ import annotations

import numpy as np

from ..core.cases import Case, add_case, add_dtype_check, add_layer_cases
from ..core.compare import assert_true
from ..core.registry import check
from ..core.topic import Topic
from .common import away_from_zero, dims, extreme, formula_hint, same_values

T = Topic("activations")
ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu")


def make_elementwise(rng, random_shapes):
    shape = dims(rng, random_shapes, (4, 5))
    x = away_from_zero(rng, shape, 2.0)
    x.flat[:2] = -abs(x.flat[0]), abs(x.flat[1])  # both sides of the kink, at any size
    return {"x": x, "dout": rng.standard_normal(shape)}


# SELU's constants (Klambauer et al., 2017, "Self-Normalizing Neural Networks"), for the hints.
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _negative_slope(inputs, got):
    """The slope of the student's output on the negative inputs (a ratio, the same everywhere for
    a leaky/ReLU-style mistake), or None when it is not one constant."""
    x, out = inputs["x"], np.asarray(got.get("out"), dtype=float)
    if out.shape != x.shape or not np.any(x < 0):
        return None
    ratio = out[x < 0] / x[x < 0]
    return float(ratio.mean()) if np.allclose(ratio, ratio.mean(), rtol=1e-6, atol=1e-9) else None


def relu_forward_hint(inputs, got, expected):
    s = _negative_slope(inputs, got)
    if s is not None and abs(s) > 1e-9 and same_values(got["out"][inputs["x"] > 0], inputs["x"][inputs["x"] > 0]):
        return f"relu is 0 for every x <= 0; your output there is {s:.3g} * x (a leaky slope)."
    return None


def leaky_forward_hint(inputs, got, expected):
    alpha = inputs.get("alpha", 0.01)
    s = _negative_slope(inputs, got)
    if s is not None and not np.isclose(s, alpha, rtol=1e-6):
        return (f"on the negative side your slope is {s:.3g}, expected alpha = {alpha:.3g}: use the alpha "
                f"argument; its default is 0.01.")
    return None


def _alpha_off_the_one(inputs):
    """ELU with alpha * exp(x) - 1 on the negative side; None at alpha = 1, where that is no mistake."""
    x, alpha = inputs["x"], inputs.get("alpha", 1.0)
    return None if alpha == 1.0 else np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0)) - 1)


def _sides_swapped(positive, negative):
    """The formula with its two sides swapped: positive(i) where x <= 0 and negative(i) where x > 0."""
    return lambda i: np.where(i["x"] > 0, negative(i), positive(i))


def _alpha(i, default):
    return i.get("alpha", default)


LEAKY_SIDES = "alpha belongs on the negative side: leaky_relu is x for x > 0 and alpha * x for x <= 0."
ELU_SIDES = "the two sides are swapped: ELU is x for x > 0 and alpha * (exp(x) - 1) for x <= 0."
FORWARD_MISTAKES = {
    "tanh": [("tanh(x) = 2 * sigmoid(2x) - 1, not 2 * sigmoid(x) - 1.",
              lambda i: np.tanh(i["x"] / 2))],  # 2 * sigmoid(x) - 1 is tanh(x / 2)
    "leaky_relu": [(LEAKY_SIDES, _sides_swapped(lambda i: i["x"], lambda i: _alpha(i, 0.01) * i["x"]))],
    "elu": [("ELU's negative side is alpha * (exp(x) - 1): alpha multiplies the -1 too.", lambda i: _alpha_off_the_one(i)),
            (ELU_SIDES, _sides_swapped(lambda i: i["x"], lambda i: _alpha(i, 1.0) * np.expm1(np.minimum(i["x"], 50))))],
    "selu": [("SELU's scale multiplies both sides: scale * x for x > 0 too.",
              lambda i: np.where(i["x"] > 0, i["x"], SELU_SCALE * SELU_ALPHA * np.expm1(np.minimum(i["x"], 0))))],
}
FORWARD_HINTS = {"relu": relu_forward_hint, "leaky_relu": leaky_forward_hint}


def forward_hint(act):
    return formula_hint("out", FORWARD_MISTAKES.get(act, ()), FORWARD_HINTS.get(act))


def relu_mask_hint(inputs, got, expected):
    dout = inputs["dout"]
    if "dx" in got and np.allclose(got["dx"], dout * (dout > 0)):
        return "mask the gradient with x > 0 (the input saved in the cache), not with dout > 0."
    return None


CACHED_X = ("your {act}_backward treats the cache as the output {out}, but what it holds is x (as a forward "
            "that caches its input gives it): cache the output in {act}_forward, or compute {out} from x in "
            "the backward.")
# Mistakes whose formula needs the correct forward are derived values (grader/core/derived.py),
# named here and computed on the instructor side (grader/hidden/activations.py).
BACKWARD_MISTAKES = {
    "sigmoid": [("the local gradient is s * (1 - s), not s.", "local gradient s"),
                ("your backward applies sigmoid to the forward's output again: with s = sigmoid(x) already "
                 "computed, the local gradient is s * (1 - s).", "sigmoid of the output"),
                (CACHED_X.format(act="sigmoid", out="s"), lambda i: i["dout"] * i["x"] * (1 - i["x"]))],
    "tanh": [("the local gradient is 1 - out**2 (out = tanh(x)), not 1 - out.",
              lambda i: i["dout"] * (1 - np.tanh(i["x"]))),
             ("your backward applies tanh to the forward's output again: with out = tanh(x) already computed, "
              "the local gradient is 1 - out**2.", "tanh of the output"),
             (CACHED_X.format(act="tanh", out="out"), lambda i: i["dout"] * (1 - i["x"] * i["x"]))],
    "leaky_relu": [("on the negative side the gradient is alpha times dout (the local slope times dout), not alpha.",
                    lambda i: np.where(i["x"] > 0, i["dout"], i.get("alpha", 0.01))),
                   (LEAKY_SIDES + " The gradient is dout for x > 0 and alpha * dout for x <= 0.",
                    _sides_swapped(lambda i: i["dout"], lambda i: _alpha(i, 0.01) * i["dout"]))],
    "elu": [("on the negative side the local gradient is alpha * exp(x) = out + alpha, not out.", "local gradient out"),
            (ELU_SIDES + " The gradient is dout for x > 0 and alpha * exp(x) * dout for x <= 0.",
             _sides_swapped(lambda i: i["dout"], lambda i: _alpha(i, 1.0) * np.exp(np.minimum(i["x"], 50)) * i["dout"]))],
    "selu": [("SELU's local gradient on the negative side is scale * alpha * exp(x) (= out + scale * alpha), "
              "not out + alpha.", "local gradient out + alpha")],
}


def backward_hint(act):
    return formula_hint("dx", BACKWARD_MISTAKES.get(act, ()), relu_mask_hint if act == "relu" else None,
                        f"{act}_backward")


def large_input_hint(act):
    """The large-|x| case: an overflow or cancellation only when the output is right at moderate |x|."""
    mistakes = forward_hint(act)

    def hint(inputs, got, expected):
        text = mistakes(inputs, got, expected)
        if text:
            return text
        out, moderate = np.asarray(got.get("out"), dtype=float), np.abs(inputs["x"]) <= 20
        if out.shape == inputs["x"].shape and (not np.all(np.isfinite(out))
                                               or same_values(out[moderate], expected["out"][moderate])):
            return "the formula overflows or cancels at large |x|; use a form that only exponentiates non-positive numbers."
        return None

    return hint


for _act in ELEMENTWISE:
    add_layer_cases(T, f"{T}.{_act}_forward", f"{T}.{_act}_backward", make_elementwise,
                    hint_forward=forward_hint(_act), hint_backward=backward_hint(_act))
    add_case(Case(T, f"{_act}_forward", "inputs of magnitude up to 1000: output",
                  lambda rng, r: {"x": extreme(rng)},
                  lambda call, inputs, _a=f"{T}.{_act}_forward": {"out": call(_a, inputs["x"])[0]},
                  hint=large_input_hint(_act)))


def make_leaky(rng, random_shapes):
    inputs = make_elementwise(rng, random_shapes)
    inputs["alpha"] = 0.1 if not random_shapes else float(rng.uniform(0.01, 0.3))
    return inputs


for _act in ("leaky_relu", "elu"):
    add_layer_cases(T, f"{T}.{_act}_forward", f"{T}.{_act}_backward", make_leaky, args=("x", "alpha"),
                    name="given alpha", hint_forward=forward_hint(_act), hint_backward=backward_hint(_act))


def make_prelu(rng, random_shapes):
    N, D = dims(rng, random_shapes, (5, 4))
    x = away_from_zero(rng, (N, D), 2.0)
    x[:2] = -abs(x[0]), abs(x[1])  # every feature has inputs on both sides of the kink
    return {"x": x, "alpha": rng.uniform(0.05, 0.5, size=D),
            "dout": rng.standard_normal((N, D))}


PRELU_FORWARD = formula_hint("out", [
    ("the negative side is alpha * x, which is negative: relu(x) - alpha * relu(-x).",
     lambda i: np.maximum(i["x"], 0) + i["alpha"] * np.maximum(-i["x"], 0))])
PRELU_BACKWARD = formula_hint("dalpha", [
    ("dalpha is the sum over the batch, not the mean: each slope collects every example's gradient.",
     lambda i: np.sum(i["dout"] * np.minimum(i["x"], 0), axis=0) / len(i["x"])),
    ("dalpha collects dout * x where x <= 0 (the side alpha acts on), not where x > 0.",
     lambda i: np.sum(i["dout"] * np.maximum(i["x"], 0), axis=0))])
add_layer_cases(T, f"{T}.prelu_forward", f"{T}.prelu_backward", make_prelu, args=("x", "alpha"),
                wrt=("x", "alpha"), hint_forward=PRELU_FORWARD, hint_backward=PRELU_BACKWARD)

MAXOUT_GAP = 1e-3  # winning piece beats the runner-up by at least this, so the max has no tie


def make_maxout(rng, random_shapes):
    N, D, M, K = dims(rng, random_shapes, (4, 3, 5, 2), high=6)
    while True:
        x, w, b = rng.standard_normal((N, D)), rng.standard_normal((D, M, K)), rng.standard_normal((M, K))
        z = np.sort(np.einsum("nd,dmk->nmk", x, w) + b, axis=2)
        if K == 1 or np.min(z[..., -1] - z[..., -2]) > MAXOUT_GAP:
            return {"x": x, "w": w, "b": b, "dout": rng.standard_normal((N, M))}


MAXOUT_FORWARD = formula_hint("out", [
    ("add the bias b to every piece before the max.", lambda i: np.einsum("nd,dmk->nmk", i["x"], i["w"]).max(axis=2))])
MAXOUT_BACKWARD = formula_hint("dw", [
    ("only the winning piece (the argmax over K) of each unit gets the gradient; the others get 0.",
     lambda i: np.einsum("nd,nm,k->dmk", i["x"], i["dout"], np.ones(i["w"].shape[2])))])
add_layer_cases(T, f"{T}.maxout_forward", f"{T}.maxout_backward", make_maxout, args=("x", "w", "b"),
                wrt=("x", "w", "b"), hint_forward=MAXOUT_FORWARD, hint_backward=MAXOUT_BACKWARD)


FORWARD_DTYPE_HINT = ("keep every constant a Python float or of x.dtype: under NumPy 2 an np.float64 scalar "
                      "(np.float64(1.0)) or a float64 array (np.ones(x.shape), np.zeros_like(x, dtype=float)) "
                      "turns a float32 result into float64.")
BACKWARD_DTYPE_HINT = ("a mask made with .astype(int) or .astype(float), or a buffer from np.zeros(shape) or "
                       "np.ones(shape) without a dtype, is int64 or float64 and turns the gradient into float64: "
                       "multiply by the boolean mask itself (dout * (x > 0)) or give the buffer dout.dtype.")

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
