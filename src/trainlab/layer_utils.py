"""Composite layers: chains of basic layers whose caches nest.

A composite forward calls the basic forwards in order and returns the tuple of their caches; its
backward walks the same chain in reverse. Nothing here adds new math.

    affine_relu:              affine -> relu
    affine_bn_relu:           affine -> batchnorm -> relu
    affine_ln_relu:           affine -> layernorm -> relu
    affine_norm_act_dropout:  affine -> [batchnorm | layernorm] -> activation -> [dropout]
                              (the hidden layer of FullyConnectedNet; options chosen by name)
"""
from .activations import (
    elu_backward,
    elu_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    selu_backward,
    selu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from .layers import affine_backward, affine_forward
from .normalization import batchnorm_backward, batchnorm_forward, layernorm_backward, layernorm_forward
from .regularization import dropout_backward, dropout_forward

# name -> (forward, backward); the forwards take x alone (default slopes for leaky_relu and elu)
ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "tanh": (tanh_forward, tanh_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "elu": (elu_forward, elu_backward),
    "selu": (selu_forward, selu_backward),
}

# name -> (forward(x, gamma, beta, param), backward(dout, cache) -> (dx, dgamma, dbeta))
NORMALIZATIONS = {
    "batchnorm": (batchnorm_forward, batchnorm_backward),
    "layernorm": (layernorm_forward, layernorm_backward),
}


def activation_pair(name):
    """(forward, backward) of the activation called `name`; ValueError for an unknown name."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def normalization_pair(name):
    """(forward, backward) of the normalization called `name`; ValueError for an unknown name."""
    if name not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {name!r}; choose from None, {', '.join(NORMALIZATIONS)}")
    return NORMALIZATIONS[name]


def affine_relu_forward(x, w, b):
    """x: (N, D...), w: (D, M), b: (M,). Returns out (N, M) = relu(x @ w + b) and the cache."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """dout: (N, M). Returns dx (shape of x), dw (D, M), db (M,)."""
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)


def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):
    """relu(batchnorm(x @ w + b)). gamma, beta: (M,); bn_param: the layer's batchnorm state dict.

    Returns out (N, M) and the cache.
    """
    a, fc_cache = affine_forward(x, w, b)
    a_norm, bn_cache = batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(a_norm)
    return out, (fc_cache, bn_cache, relu_cache)


def affine_bn_relu_backward(dout, cache):
    """dout: (N, M). Returns dx (shape of x), dw (D, M), db (M,), dgamma (M,), dbeta (M,)."""
    fc_cache, bn_cache, relu_cache = cache
    da_norm = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = batchnorm_backward(da_norm, bn_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def affine_ln_relu_forward(x, w, b, gamma, beta, ln_param):
    """relu(layernorm(x @ w + b)). gamma, beta: (M,); ln_param: layernorm options (eps).

    Returns out (N, M) and the cache.
    """
    a, fc_cache = affine_forward(x, w, b)
    a_norm, ln_cache = layernorm_forward(a, gamma, beta, ln_param)
    out, relu_cache = relu_forward(a_norm)
    return out, (fc_cache, ln_cache, relu_cache)


def affine_ln_relu_backward(dout, cache):
    """dout: (N, M). Returns dx (shape of x), dw (D, M), db (M,), dgamma (M,), dbeta (M,)."""
    fc_cache, ln_cache, relu_cache = cache
    da_norm = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = layernorm_backward(da_norm, ln_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def affine_norm_act_dropout_forward(x, w, b, gamma=None, beta=None, *, normalization=None,
                                    norm_param=None, activation="relu", dropout_param=None):
    """One hidden layer: dropout(act(norm(x @ w + b))), every stage but affine optional.

    x: (N, D...), w: (D, M), b: (M,). normalization: None, 'batchnorm' or 'layernorm', with its
    gamma, beta (M,) and norm_param dict (bn_param / ln_param, updated in place as the layer's
    state). activation: a name in ACTIVATIONS. dropout_param: None for no dropout, else the
    dropout state dict (mode, keep_prob, seed or rng). Returns out (N, M) and the cache.
    """
    out, fc_cache = affine_forward(x, w, b)
    norm_cache = None
    if normalization is not None:
        norm_forward, _ = normalization_pair(normalization)
        out, norm_cache = norm_forward(out, gamma, beta, norm_param)
    act_forward, _ = activation_pair(activation)
    out, act_cache = act_forward(out)
    drop_cache = None
    if dropout_param is not None:
        out, drop_cache = dropout_forward(out, dropout_param)
    cache = (fc_cache, normalization, norm_cache, activation, act_cache, drop_cache)
    return out, cache


def affine_norm_act_dropout_backward(dout, cache):
    """dout: (N, M). Returns dx (shape of x), dw (D, M), db (M,), dgamma, dbeta.

    dgamma and dbeta are (M,) arrays, or None when the layer has no normalization.
    """
    fc_cache, normalization, norm_cache, activation, act_cache, drop_cache = cache
    if drop_cache is not None:
        dout = dropout_backward(dout, drop_cache)
    _, act_backward = activation_pair(activation)
    da = act_backward(dout, act_cache)
    dgamma = dbeta = None
    if normalization is not None:
        _, norm_backward = normalization_pair(normalization)
        da, dgamma, dbeta = norm_backward(da, norm_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta
