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
