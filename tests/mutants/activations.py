"""Buggy activations."""
import numpy as np

from trainlab import activations as ref

from . import mutant

T = "activations"


@mutant(f"{T}.sigmoid_forward", "naive 1 / (1 + exp(-x)) overflows for x = -1000")
def sigmoid_naive(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


@mutant(f"{T}.sigmoid_backward", "local gradient s instead of s * (1 - s)")
def sigmoid_backward_no_one_minus(dout, cache):
    return dout * cache


@mutant(f"{T}.tanh_backward", "local gradient 1 - tanh(x) instead of 1 - tanh(x)^2")
def tanh_backward_unsquared(dout, cache):
    return dout * (1 - cache)


@mutant(f"{T}.relu_backward", "mask taken from dout instead of x")
def relu_backward_masks_dout(dout, cache):
    return dout * (dout > 0)


@mutant(f"{T}.relu_backward", "writes the mask into dout in place")
def relu_backward_in_place(dout, cache):
    dout[cache <= 0] = 0
    return dout


@mutant(f"{T}.relu_forward", "clips into x in place")
def relu_forward_in_place(x):
    np.maximum(x, 0, out=x)
    return x, x.copy()


@mutant(f"{T}.leaky_relu_forward", "ignores the alpha argument (always 0.01)")
def leaky_relu_fixed_alpha(x, alpha=0.01):
    return ref.leaky_relu_forward(x, 0.01)


@mutant(f"{T}.prelu_backward", "dalpha not summed over the batch (per-example slopes)")
def prelu_backward_dalpha_mean(dout, cache):
    x, alpha = cache
    dx, dalpha = ref.prelu_backward(dout, cache)
    return dx, dalpha / x.shape[0]


@mutant(f"{T}.prelu_backward", "dalpha takes x > 0 instead of x <= 0")
def prelu_backward_wrong_side(dout, cache):
    x, alpha = cache
    dx, _ = ref.prelu_backward(dout, cache)
    return dx, np.sum(dout * x * (x > 0), axis=0)


@mutant(f"{T}.elu_forward", "np.where(x > 0, x, alpha * (np.exp(x) - 1)) overflows at x = 1000")
def elu_forward_overflow(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * (np.exp(x) - 1))
    return out, (x, out, alpha)


@mutant(f"{T}.elu_backward", "negative side uses out instead of out + alpha")
def elu_backward_missing_alpha(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * out)


@mutant(f"{T}.selu_forward", "scale applied only to the negative side")
def selu_forward_half_scaled(x):
    out = np.where(x > 0, x, ref.SELU_SCALE * ref.SELU_ALPHA * np.expm1(np.minimum(x, 0)))
    return out, (x, out)


@mutant(f"{T}.maxout_backward", "gradient spread over all K pieces")
def maxout_backward_all_pieces(dout, cache):
    x, w, k_max = cache
    dz = np.repeat(dout[..., None], w.shape[2], axis=2)
    return np.einsum("nmk,dmk->nd", dz, w), np.einsum("nd,nmk->dmk", x, dz), dz.sum(axis=0)


@mutant(f"{T}.sigmoid_forward", "returns float64 for float32 input")
def sigmoid_promotes(x):
    out, cache = ref.sigmoid_forward(x.astype(np.float64))
    return out, cache
