"""Correct activations in other styles."""
import numpy as np

from . import variant

T = "activations"


@variant(f"{T}.sigmoid_forward", style="piecewise stable formula with np.where on exp(-|x|)")
def sigmoid_piecewise(x):
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, out


@variant(f"{T}.sigmoid_forward", style="through tanh: 0.5 * (1 + tanh(x / 2))")
def sigmoid_tanh(x):
    out = 0.5 * (1 + np.tanh(x / 2))
    return out, out


@variant(f"{T}.relu_forward", style="x times a bool mask")
def relu_bool_mask(x):
    return x * (x > 0), x


@variant(f"{T}.relu_forward", style="np.where(x > 0, x, 0)")
def relu_where(x):
    return np.where(x > 0, x, 0), x


@variant(f"{T}.relu_backward", style="np.where on the cached input")
def relu_backward_where(dout, cache):
    return np.where(cache > 0, dout, 0)


@variant(f"{T}.relu_backward", style="zeroes dout in place and returns it", breaks=("in-place",))
def relu_backward_in_place(dout, cache):
    dout[cache <= 0] = 0
    return dout


@variant(f"{T}.tanh_backward", style="1 - tanh^2 written as (1 - out) * (1 + out)")
def tanh_backward_factored(dout, cache):
    return dout * (1 - cache) * (1 + cache)


@variant(f"{T}.leaky_relu_forward", style="np.maximum(x, alpha * x) (valid for alpha < 1)")
def leaky_maximum(x, alpha=0.01):
    return np.maximum(x, alpha * x), (x, alpha)


# ---------------------------------------------------------------- caches of the student's own layout


def sigmoid_caching_x(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)), x


@variant(f"{T}.sigmoid_backward", style="the forward caches x; the backward recomputes s from it",
         partners={f"{T}.sigmoid_forward": sigmoid_caching_x})
def sigmoid_backward_from_x(dout, cache):
    s = sigmoid_caching_x(cache)[0]
    return dout * s * (1 - s)


def tanh_caching_x(x):
    return np.tanh(x), {"x": x}


@variant(f"{T}.tanh_backward", style="the forward caches {'x': x}; the backward recomputes tanh(x)",
         partners={f"{T}.tanh_forward": tanh_caching_x})
def tanh_backward_from_dict(dout, cache):
    return dout * (1 - np.tanh(cache["x"]) ** 2)


def leaky_relu_caching_mask(x, alpha=0.01):
    positive = x > 0
    return np.where(positive, x, alpha * x), (alpha, positive)


@variant(f"{T}.leaky_relu_backward", style="the forward caches (alpha, x > 0), reordered and without x",
         partners={f"{T}.leaky_relu_forward": leaky_relu_caching_mask})
def leaky_relu_backward_from_mask(dout, cache):
    alpha, positive = cache
    return np.where(positive, dout, alpha * dout)


def elu_caching_more(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, {"x": x, "out": out, "alpha": alpha}


@variant(f"{T}.elu_backward", style="the forward caches a dict with x, out and alpha; the backward uses x alone",
         partners={f"{T}.elu_forward": elu_caching_more})
def elu_backward_from_x(dout, cache):
    x, alpha = cache["x"], cache["alpha"]
    return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
