"""Activation functions as forward/backward pairs.

Every `*_forward(x, ...)` returns `(out, cache)`; every `*_backward(dout, cache)` returns the
gradient with respect to `x` (and then with respect to each learned parameter, in order).
Elementwise functions accept `x` of any shape and keep its dtype. All of them are stable for
inputs of magnitude 1000: no overflow, no warning.

The cache is yours to design: the scaffold's `cache = ...` line is a suggestion, and a
backward is graded on the cache its own forward built (any layout: a tuple, a dict, more or
fewer items), against the gradients for the same inputs.
"""
import numpy as np

# Klambauer et al. 2017, "Self-Normalizing Neural Networks", eq. (14)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid_forward(x):
    """Logistic sigmoid.

    x: array of any shape. Returns out of the same shape, out = 1 / (1 + exp(-x)), and the cache.
    Stable form: with e = exp(-|x|), out = 1 / (1 + e) where x >= 0 and e / (1 + e) where x < 0.
    float32 in, float32 out.
    """
    ### BEGIN SOLUTION
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    ### END SOLUTION
    cache = out
    return out, cache


def sigmoid_backward(dout, cache):
    """dout: upstream gradient, shape of out; cache: what sigmoid_forward cached (the scaffold: the
    output s; the layout is yours). Returns dx, shape of x.
    float32 in, float32 out."""
    s = cache
    ### BEGIN SOLUTION
    dx = dout * s * (1 - s)
    ### END SOLUTION
    return dx


def tanh_forward(x):
    """Hyperbolic tangent. x: any shape. Returns out = tanh(x) (same shape) and the cache.
    float32 in, float32 out."""
    ### BEGIN SOLUTION
    out = np.tanh(x)
    ### END SOLUTION
    cache = out
    return out, cache


def tanh_backward(dout, cache):
    """dout: shape of out; cache: what tanh_forward cached (the scaffold: the output tanh(x); the
    layout is yours). Returns dx, shape of x.
    float32 in, float32 out."""
    t = cache
    ### BEGIN SOLUTION
    dx = dout * (1 - t * t)
    ### END SOLUTION
    return dx


def relu_forward(x):
    """Rectified linear unit. x: any shape. Returns out = max(0, x) and the cache.
    float32 in, float32 out."""
    ### BEGIN SOLUTION
    out = np.maximum(x, 0)
    ### END SOLUTION
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """dout: shape of x; cache: the input x. Returns dx, shape of x; at x = 0 the gradient is 0.
    float32 in, float32 out."""
    x = cache
    ### BEGIN SOLUTION
    dx = dout * (x > 0)
    ### END SOLUTION
    return dx


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU (Maas et al. 2013). x: any shape. out = x where x > 0, alpha * x elsewhere.
    float32 in, float32 out."""
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    ### END SOLUTION
    cache = (x, alpha)
    return out, cache


def leaky_relu_backward(dout, cache):
    """dout: shape of x; cache: (x, alpha). Returns dx, shape of x; at x = 0 take the negative side.
    float32 in, float32 out."""
    x, alpha = cache
    ### BEGIN SOLUTION
    dx = np.where(x > 0, dout, alpha * dout)
    ### END SOLUTION
    return dx


def prelu_forward(x, alpha):
    """Parametric ReLU (He et al. 2015): a learned negative slope per feature.

    x: (N, D); alpha: (D,). out (N, D) = x where x > 0, alpha * x elsewhere.
    float32 in, float32 out.
    """
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    ### END SOLUTION
    cache = (x, alpha)
    return out, cache


def prelu_backward(dout, cache):
    """dout: (N, D); cache: (x, alpha). Returns dx (N, D) and dalpha (D,) (one slope per feature,
    shared by the whole batch); at x = 0 take the negative side.
    float32 in, float32 out."""
    x, alpha = cache
    ### BEGIN SOLUTION
    negative = x <= 0
    dx = np.where(negative, alpha * dout, dout)
    dalpha = np.sum(dout * x * negative, axis=0)
    ### END SOLUTION
    return dx, dalpha


def elu_forward(x, alpha=1.0):
    """Exponential linear unit (Clevert et al. 2016). x: any shape.

    out = x where x > 0, alpha * (exp(x) - 1) elsewhere; exp is only taken of min(x, 0).
    float32 in, float32 out.
    """
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    ### END SOLUTION
    cache = (x, out, alpha)
    return out, cache


def elu_backward(dout, cache):
    """dout: shape of x; cache: (x, out, alpha), out kept so that the negative side needs no second
    exp. Returns dx, shape of x; at x = 0 take the negative side.
    float32 in, float32 out."""
    x, out, alpha = cache
    ### BEGIN SOLUTION
    dx = np.where(x > 0, dout, dout * (out + alpha))
    ### END SOLUTION
    return dx


def selu_forward(x):
    """Scaled ELU (Klambauer et al. 2017). x: any shape.

    out = SELU_SCALE * (x where x > 0, SELU_ALPHA * (exp(x) - 1) elsewhere).
    float32 in, float32 out.
    """
    ### BEGIN SOLUTION
    out = SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))
    ### END SOLUTION
    cache = (x, out)
    return out, cache


def selu_backward(dout, cache):
    """dout: shape of x; cache: (x, out), out kept so that the negative side needs no second exp.
    Returns dx, shape of x; at x = 0 take the negative side.
    float32 in, float32 out."""
    x, out = cache
    ### BEGIN SOLUTION
    dx = np.where(x > 0, SELU_SCALE * dout, dout * (out + SELU_SCALE * SELU_ALPHA))
    ### END SOLUTION
    return dx


def maxout_forward(x, w, b):
    """Maxout unit (Goodfellow et al. 2013): the max of K affine pieces.

    x: (N, D); w: (D, M, K); b: (M, K). z[n, m, k] = sum_d x[n, d] w[d, m, k] + b[m, k];
    out (N, M) = max over k of z.
    float32 in, float32 out.
    """
    ### BEGIN SOLUTION
    z = np.einsum("nd,dmk->nmk", x, w) + b  # (N, M, K)
    k_max = np.argmax(z, axis=2)  # (N, M)
    out = np.take_along_axis(z, k_max[..., None], axis=2)[..., 0]
    ### END SOLUTION
    cache = (x, w, k_max)
    return out, cache


def maxout_backward(dout, cache):
    """dout: (N, M); cache: (x, w, k_max) with k_max (N, M) the winning piece of each unit.
    Returns dx (N, D), dw (D, M, K), db (M, K).
    float32 in, float32 out."""
    x, w, k_max = cache
    K = w.shape[2]
    ### BEGIN SOLUTION
    dz = dout[..., None] * (k_max[..., None] == np.arange(K))  # (N, M, K)
    dx = np.einsum("nmk,dmk->nd", dz, w)
    dw = np.einsum("nd,nmk->dmk", x, dz)
    db = dz.sum(axis=0)
    ### END SOLUTION
    return dx, dw, db
