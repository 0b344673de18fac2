"""The affine layer and the softmax classifier loss.

`affine_forward(x, w, b) -> (out, cache)` and `affine_backward(dout, cache) -> (dx, dw, db)` form a
forward/backward pair like every layer in trainlab. `softmax_loss(scores, y) -> (loss, dscores)`
turns class scores into the mean cross-entropy loss and its gradient.
"""
import numpy as np


def affine_forward(x, w, b):
    """Fully connected layer: out = x_flat @ w + b.

    x: (N, d_1, ..., d_k); each example is flattened to a row of D = d_1 * ... * d_k values.
    w: (D, M); b: (M,). Returns out (N, M) and the cache (x, w).
    """
    N = x.shape[0]
    x_flat = x.reshape(N, -1)  # (N, D)
    out = x_flat @ w + b
    cache = (x, w)
    return out, cache


def affine_backward(dout, cache):
    """Gradients of the affine layer.

    dout: (N, M). Returns dx (shape of the original x), dw (D, M), db (M,):
    dx = dout @ w.T (reshaped back), dw = x_flat.T @ dout, db = sum over N of dout.
    """
    x, w = cache
    N = x.shape[0]
    x_flat = x.reshape(N, -1)  # (N, D)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_flat.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def log_softmax(scores):
    """Row-wise log of the softmax, stable for any scores.

    scores: (N, C). Returns (N, C): s - max(s) - log(sum(exp(s - max(s)))); shifting by the row
    maximum leaves the softmax unchanged and keeps every exponent <= 0, so nothing overflows.
    """
    shifted = scores - scores.max(axis=1, keepdims=True)  # (N, C), each row's max is 0
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_loss(scores, y):
    """Mean softmax cross-entropy loss and its gradient.

    scores: (N, C) class scores; y: (N,) integer labels in [0, C).
    loss = -(1/N) * sum_i log p[i, y_i] with p = softmax(scores) row by row;
    dscores (N, C) = (p - onehot(y)) / N.
    """
    N = scores.shape[0]
    log_p = log_softmax(scores)  # (N, C)
    rows = np.arange(N)
    loss = -log_p[rows, y].mean()
    dscores = np.exp(log_p)
    dscores[rows, y] -= 1
    dscores /= N
    return float(loss), dscores
