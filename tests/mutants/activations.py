"""Buggy activations."""
import math

import numpy as np

from trainlab import activations as ref

from . import BUFFER_BUG, float64_buffer, mutant

T = "activations"


@mutant(f"{T}.sigmoid_forward", "naive 1 / (1 + exp(-x)) overflows for x = -1000", hint='overflowed')
def sigmoid_naive(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


@mutant(f"{T}.sigmoid_backward", "local gradient s instead of s * (1 - s)", hint='s * (1 - s)')
def sigmoid_backward_no_one_minus(dout, cache):
    return dout * cache


@mutant(f"{T}.tanh_backward", "local gradient 1 - tanh(x) instead of 1 - tanh(x)^2", hint='1 - out**2')
def tanh_backward_unsquared(dout, cache):
    return dout * (1 - cache)


@mutant(f"{T}.sigmoid_backward", "applies sigmoid again to the cached output", hint='applies sigmoid to the forward')
def sigmoid_backward_sigmoid_again(dout, cache):
    s = 1 / (1 + np.exp(-cache))
    return dout * s * (1 - s)


@mutant(f"{T}.tanh_backward", "applies tanh again to the cached output", hint='applies tanh to the forward')
def tanh_backward_tanh_again(dout, cache):
    return dout * (1 - np.tanh(cache) ** 2)


@mutant(f"{T}.leaky_relu_forward", "alpha on the positive side", hint='alpha belongs on the negative side')
def leaky_relu_forward_sides_swapped(x, alpha=0.01):
    return np.where(x > 0, alpha * x, x), (x, alpha)


@mutant(f"{T}.leaky_relu_backward", "alpha on the positive side of the gradient", hint='alpha belongs on the negative side')
def leaky_relu_backward_sides_swapped(dout, cache):
    x, alpha = cache
    return np.where(x > 0, alpha * dout, dout)


@mutant(f"{T}.elu_forward", "the two sides swapped", hint='two sides are swapped')
def elu_forward_sides_swapped(x, alpha=1.0):
    out = np.where(x > 0, alpha * np.expm1(np.minimum(x, 50)), x)
    return out, (x, out, alpha)


@mutant(f"{T}.elu_backward", "the two sides of the gradient swapped", hint='two sides are swapped')
def elu_backward_sides_swapped(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, alpha * np.exp(np.minimum(x, 50)) * dout, dout)


@mutant(f"{T}.relu_backward", "mask taken from dout instead of x", hint='not with dout > 0')
def relu_backward_masks_dout(dout, cache):
    return dout * (dout > 0)


@mutant(f"{T}.relu_backward", "writes the mask into dout in place", hint='caller')
def relu_backward_in_place(dout, cache):
    dout[cache <= 0] = 0
    return dout


@mutant(f"{T}.relu_forward", "clips into x in place", hint='caller')
def relu_forward_in_place(x):
    np.maximum(x, 0, out=x)
    return x, x.copy()


@mutant(f"{T}.leaky_relu_forward", "ignores the alpha argument (always 0.01)", hint='use the alpha argument')
def leaky_relu_fixed_alpha(x, alpha=0.01):
    return ref.leaky_relu_forward(x, 0.01)


@mutant(f"{T}.prelu_backward", "dalpha averaged over the batch instead of summed", hint='sum over the batch')
def prelu_backward_dalpha_mean(dout, cache):
    x, alpha = cache
    dx, dalpha = ref.prelu_backward(dout, cache)
    return dx, dalpha / x.shape[0]


@mutant(f"{T}.prelu_backward", "dalpha takes x > 0 instead of x <= 0", hint='where x <= 0')
def prelu_backward_wrong_side(dout, cache):
    x, alpha = cache
    dx, _ = ref.prelu_backward(dout, cache)
    return dx, np.sum(dout * x * (x > 0), axis=0)


@mutant(f"{T}.elu_forward", "np.where(x > 0, x, alpha * (np.exp(x) - 1)) overflows at x = 1000", hint='overflowed')
def elu_forward_overflow(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * (np.exp(x) - 1))
    return out, (x, out, alpha)


@mutant(f"{T}.elu_backward", "negative side uses out instead of out + alpha", hint='out + alpha')
def elu_backward_missing_alpha(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * out)


@mutant(f"{T}.selu_forward", "scale applied only to the negative side", hint='scale multiplies both sides')
def selu_forward_half_scaled(x):
    out = np.where(x > 0, x, ref.SELU_SCALE * ref.SELU_ALPHA * np.expm1(np.minimum(x, 0)))
    return out, (x, out)


@mutant(f"{T}.maxout_backward", "gradient spread over all K pieces", hint='only the winning piece')
def maxout_backward_all_pieces(dout, cache):
    x, w, k_max = cache
    dz = np.repeat(dout[..., None], w.shape[2], axis=2)
    return np.einsum("nmk,dmk->nd", dz, w), np.einsum("nd,nmk->dmk", x, dz), dz.sum(axis=0)


@mutant(f"{T}.sigmoid_forward", "returns float64 for float32 input", hint='float64')
def sigmoid_promotes(x):
    out, cache = ref.sigmoid_forward(x.astype(np.float64))
    return out, cache


@mutant(f"{T}.sigmoid_forward", "stable form with e = exp(-x) instead of exp(-|x|)", hint='overflowed')
def sigmoid_stable_without_abs(x):
    e = np.exp(-x)
    out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return out, out


@mutant(f"{T}.tanh_forward", "tanh(x) = 2 * sigmoid(x) - 1 (should be sigmoid(2x))", hint='sigmoid(2x)')
def tanh_from_sigmoid_unscaled(x):
    out = 2 * ref.sigmoid_forward(x)[0] - 1
    return out, out


@mutant(f"{T}.tanh_forward", "textbook (e^x - e^-x) / (e^x + e^-x) overflows at |x| = 1000", hint='overflowed')
def tanh_textbook_formula(x):
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out


@mutant(f"{T}.tanh_forward", "np.vectorize(math.tanh) returns float64 for float32 input", hint='float64')
def tanh_vectorized_math(x):
    out = np.vectorize(math.tanh)(x)
    return out, out


@mutant(f"{T}.leaky_relu_forward", "wrong default alpha=0.2 (tf.nn.leaky_relu's) instead of 0.01",
        hint='default is 0.01')
def leaky_relu_default_02(x, alpha=0.2):
    return ref.leaky_relu_forward(x, alpha)


@mutant(f"{T}.leaky_relu_forward", "x * np.where(x > 0, 1.0, alpha): float64 slope array promotes float32",
        hint='float64')
def leaky_relu_slope_array(x, alpha=0.01):
    out = x * np.where(x > 0, 1.0, alpha)
    return out, (x, alpha)


@mutant(f"{T}.leaky_relu_backward", "negative side returns alpha instead of alpha * dout", hint='times dout')
def leaky_relu_backward_forgets_dout(dout, cache):
    x, alpha = cache
    return np.where(x > 0, dout, alpha)


@mutant(f"{T}.prelu_forward", "negative part added with the wrong sign: relu(x) + alpha * relu(-x)",
        hint='relu(x) - alpha * relu(-x)')
def prelu_forward_sign(x, alpha):
    out = np.maximum(x, 0) + alpha * np.maximum(-x, 0)
    return out, (x, alpha)


@mutant(f"{T}.elu_forward", "min/max mixed up: expm1(max(x, 0)) on the negative side", hint='overflowed')
def elu_forward_max_instead_of_min(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.expm1(np.maximum(x, 0)))
    return out, (x, out, alpha)


@mutant(f"{T}.elu_forward", "alpha * exp(x) - 1: alpha not applied to the -1", hint='alpha * (exp(x) - 1)')
def elu_forward_parenthesis(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0)) - 1)
    return out, (x, out, alpha)


@mutant(f"{T}.elu_forward", "fills an np.zeros(x.shape) buffer: float64 for float32 input", hint="float64")
def elu_forward_float64_buffer(x, alpha=1.0):
    out = np.zeros(x.shape)
    positive = x > 0
    out[positive] = x[positive]
    out[~positive] = alpha * np.expm1(x[~positive])
    return out, (x, out, alpha)


@mutant(f"{T}.selu_forward", "fills an np.zeros(x.shape) buffer: float64 for float32 input", hint="float64")
def selu_forward_float64_buffer(x):
    out = np.zeros(x.shape)
    positive = x > 0
    out[positive] = ref.SELU_SCALE * x[positive]
    out[~positive] = ref.SELU_SCALE * ref.SELU_ALPHA * np.expm1(x[~positive])
    return out, (x, out)


@mutant(f"{T}.selu_backward", "negative side copied from ELU: out + SELU_ALPHA, scale forgotten",
        hint='scale * alpha * exp(x)')
def selu_backward_elu_formula(dout, cache):
    x, out = cache
    return np.where(x > 0, ref.SELU_SCALE * dout, dout * (out + ref.SELU_ALPHA))


@mutant(f"{T}.maxout_forward", "forgets the bias b", hint='the bias b')
def maxout_forward_no_bias(x, w, b):
    z = np.einsum("nd,dmk->nmk", x, w)
    k_max = np.argmax(z, axis=2)
    out = np.take_along_axis(z, k_max[..., None], axis=2)[..., 0]
    return out, (x, w, k_max)


@mutant(f"{T}.relu_forward", "a leaky slope left in (np.maximum(x, 0.01 * x))", hint='0 for every x <= 0')
def relu_forward_leaky(x):
    return np.maximum(x, 0.01 * x), x


@mutant(f"{T}.relu_forward", "multiplies by a float64 mask ((x > 0).astype(np.float64))", hint='float64')
def relu_forward_float64_mask(x):
    return x * (x > 0).astype(np.float64), x


@mutant(f"{T}.relu_backward", "an integer mask ((x > 0).astype(int)) turns float32 into float64", hint='float64')
def relu_backward_int_mask(dout, cache):
    return dout * (cache > 0).astype(int)


@mutant(f"{T}.leaky_relu_backward", "slope array np.where(x > 0, 1.0, alpha) is float64", hint='float64')
def leaky_relu_backward_float64_slope(dout, cache):
    x, alpha = cache
    return dout * np.where(x > 0, 1.0, alpha)


@mutant(f"{T}.sigmoid_backward", "s * (np.ones(s.shape) - s): a float64 ones array", hint='float64')
def sigmoid_backward_float64_ones(dout, cache):
    return dout * cache * (np.ones(cache.shape) - cache)


@mutant(f"{T}.tanh_backward", "np.ones(out.shape) - out ** 2: a float64 ones array", hint='float64')
def tanh_backward_float64_ones(dout, cache):
    return dout * (np.ones(cache.shape) - cache ** 2)


for _name, _index in (("elu_backward", None), ("selu_backward", None), ("prelu_forward", 0), ("prelu_backward", 0),
                      ("maxout_forward", 0), ("maxout_backward", 1)):
    mutant(f"{T}.{_name}", BUFFER_BUG)(float64_buffer(getattr(ref, _name), _index))


@mutant(f"{T}.relu_forward", "returns out alone, without the cache", hint="return out, cache")
def relu_forward_no_cache(x):
    return np.maximum(x, 0)


def _sigmoid_caching_x(x):
    out, _ = ref.sigmoid_forward(x)
    return out, x


def _tanh_caching_x(x):
    out, _ = ref.tanh_forward(x)
    return out, x


# Mirror mistakes: a forward that caches x with a backward that reads the cache as the output. Each
# is right only on the reference's cache, so it fails in a self-check as at grading
# (tests/test_agreement.py); the forward is a correct partner, the backward is charged.
@mutant(f"{T}.sigmoid_backward", "reads the cache as the output s while its forward caches x", hint="what it holds is x",
        partners={f"{T}.sigmoid_forward": _sigmoid_caching_x})
def sigmoid_backward_reads_x_as_s(dout, cache):
    return dout * cache * (1 - cache)


@mutant(f"{T}.tanh_backward", "reads the cache as the output while its forward caches x", hint="what it holds is x",
        partners={f"{T}.tanh_forward": _tanh_caching_x})
def tanh_backward_reads_x_as_out(dout, cache):
    return dout * (1 - cache * cache)
