"""Regularization: dropout, DropConnect, weight penalties and max-norm constraints.

Dropout-like layers are forward/backward pairs configured by a param dict the caller owns:

    mode       'train' or 'test' (default 'train'); anything else raises ValueError
    keep_prob  probability of KEEPING a unit (or weight), 0 < keep_prob <= 1 (default 0.5)
    rng        an np.random.Generator to draw the mask from (advances with every call), or
    seed       an int; the mask comes from np.random.default_rng(seed), so the same seed gives
               the same mask on every call ('rng' wins when both are given)

In train mode every mask is drawn with exactly one call, rng.random(shape), and a unit is kept
where that number is < keep_prob. Drawing the same way makes a mask reproducible from its seed.

The cache is yours to design: the scaffold's `cache = ...` line is a suggestion, and a
backward is graded on the cache its own forward built (any layout: a tuple, a dict, more or
fewer items), against the gradients for the same inputs.
"""
import numpy as np

MODES = ("train", "test")
DEFAULT_MODE = "train"
DEFAULT_KEEP_PROB = 0.5  # Srivastava et al. 2014 use 0.5 for hidden units


def _read_dropout_param(param, name):
    """(mode, keep_prob) from a dropout-style param dict, validated."""
    mode = param.get("mode", DEFAULT_MODE)
    keep_prob = param.get("keep_prob", DEFAULT_KEEP_PROB)
    if mode not in MODES:
        raise ValueError(f"{name}['mode'] must be 'train' or 'test', got {mode!r}")
    if not 0 < keep_prob <= 1:
        raise ValueError(f"{name}['keep_prob'] must be in (0, 1], got {keep_prob!r}")
    return mode, keep_prob


def _mask_rng(param, name):
    """The generator a train-mode mask is drawn from: param['rng'], else default_rng(param['seed'])."""
    rng = param.get("rng")
    if rng is not None:
        return rng
    seed = param.get("seed")
    if seed is None:
        raise ValueError(f"{name} needs 'rng' (an np.random.Generator) or 'seed' (an int) in train mode")
    return np.random.default_rng(seed)


def dropout_forward(x, dropout_param):
    """Inverted dropout (Srivastava et al. 2014), scaled at train time so test time is the identity.

    x: array of any shape. Returns out (shape and dtype of x) and the cache.
    Train: mask = [rng.random(x.shape) < keep_prob] / keep_prob, in x's dtype (one draw);
           out = x * mask, so E[out] = x.
    Test:  out = x (a new array).
    float32 in, float32 out. Graded as the same: any draw that keeps each unit with probability
    keep_prob (rng.random(x.shape) >= 1 - keep_prob, for one) earns the value and gradient
    checks; one small check of its own asks for the draw above.
    """
    mode, keep_prob = _read_dropout_param(dropout_param, "dropout_param")
    rng = _mask_rng(dropout_param, "dropout_param") if mode == "train" else None
    mask = None
    ### BEGIN SOLUTION
    if mode == "train":
        mask = ((rng.random(x.shape) < keep_prob) / keep_prob).astype(x.dtype)
        out = x * mask
    else:
        out = x.copy()
    ### END SOLUTION
    cache = (mask, mode)
    return out, cache


def dropout_backward(dout, cache):
    """dout: shape of x; cache: (mask, mode) from dropout_forward. Returns dx, shape of x, for the
    mode the forward ran in.
    float32 in, float32 out."""
    mask, mode = cache
    ### BEGIN SOLUTION
    dx = dout * mask if mode == "train" else dout.copy()
    ### END SOLUTION
    return dx


def dropout_forward_noninverted(x, dropout_param):
    """Dropout as first described: keep without rescaling, scale by keep_prob at test time.

    x: array of any shape. Returns out (shape and dtype of x) and the cache.
    Train: mask = [rng.random(x.shape) < keep_prob], in x's dtype (one draw); out = x * mask.
    Test:  out = keep_prob * x, which equals the train-time expectation E[x * mask].
    float32 in, float32 out. As for dropout_forward, any draw that keeps each unit with
    probability keep_prob earns the value checks; one small check asks for the draw above.
    """
    mode, keep_prob = _read_dropout_param(dropout_param, "dropout_param")
    rng = _mask_rng(dropout_param, "dropout_param") if mode == "train" else None
    mask = None
    ### BEGIN SOLUTION
    if mode == "train":
        mask = (rng.random(x.shape) < keep_prob).astype(x.dtype)
        out = x * mask
    else:
        out = keep_prob * x
    ### END SOLUTION
    cache = (mask, keep_prob, mode)
    return out, cache


def dropout_backward_noninverted(dout, cache):
    """dout: shape of x; cache: (mask, keep_prob, mode) from dropout_forward_noninverted. Returns dx,
    shape of x, for the mode the forward ran in.
    float32 in, float32 out."""
    mask, keep_prob, mode = cache
    ### BEGIN SOLUTION
    dx = dout * mask if mode == "train" else keep_prob * dout
    ### END SOLUTION
    return dx


def dropconnect_forward(x, w, b, dc_param):
    """Affine layer with DropConnect (Wan et al. 2013): drop weights instead of units.

    x: (N, D); w: (D, M); b: (M,); dc_param as for dropout. Returns out (N, M) and the cache.
    Train: mask = [rng.random(w.shape) < keep_prob] / keep_prob (one draw, in w's dtype);
           out = x @ (w * mask) + b.
    Test:  out = x @ w + b.
    The 1 / keep_prob scaling is the inverted-dropout convention, so that E[w * mask] = w and the
    test-time layer is the plain affine map. Wan et al. instead sample from a Gaussian
    approximation of the output at test time; weight scaling is the simpler, common choice.
    float32 in, float32 out.
    """
    mode, keep_prob = _read_dropout_param(dc_param, "dc_param")
    rng = _mask_rng(dc_param, "dc_param") if mode == "train" else None
    mask = None
    ### BEGIN SOLUTION
    w_masked = w
    if mode == "train":
        mask = ((rng.random(w.shape) < keep_prob) / keep_prob).astype(w.dtype)
        w_masked = w * mask
    out = x @ w_masked + b
    ### END SOLUTION
    cache = (x, w_masked, mask)
    return out, cache


def dropconnect_backward(dout, cache):
    """dout: (N, M); cache: (x, w_masked, mask) from dropconnect_forward, mask None at test time.
    Returns dx (N, D), dw (D, M), db (M,).
    float32 in, float32 out."""
    x, w_masked, mask = cache
    ### BEGIN SOLUTION
    dx = dout @ w_masked.T
    dw = x.T @ dout
    if mask is not None:
        dw = dw * mask
    db = dout.sum(axis=0)
    ### END SOLUTION
    return dx, dw, db


def l2_penalty(weights, reg):
    """L2 weight penalty (weight decay) over a list of weight arrays.

    weights: list of arrays of any shapes; reg: float >= 0.
    Returns loss = 0.5 * reg * sum_W sum(W ** 2) (a float) and grads, a list with grads[i] =
    reg * weights[i]. The 0.5 is the convention that makes the gradient exactly reg * W.
    """
    ### BEGIN SOLUTION
    loss = 0.5 * reg * sum(np.sum(w * w) for w in weights)
    grads = [reg * w for w in weights]
    ### END SOLUTION
    return float(loss), grads


def l1_penalty(weights, reg):
    """L1 weight penalty over a list of weight arrays; it drives small weights to exactly zero.

    weights: list of arrays of any shapes; reg: float >= 0.
    Returns loss = reg * sum_W sum(|W|) (a float) and grads, a list with grads[i] =
    reg * sign(weights[i]) (the subgradient 0 where a weight is exactly 0).
    """
    ### BEGIN SOLUTION
    loss = reg * sum(np.sum(np.abs(w)) for w in weights)
    grads = [reg * np.sign(w) for w in weights]
    ### END SOLUTION
    return float(loss), grads


def max_norm(w, max_norm_value, axis=0):
    """Project each weight vector onto the L2 ball of radius max_norm_value.

    w: (D, M), the incoming weights of unit m in column m (norms taken over `axis`, default 0).
    Returns a new array of w's shape: w_projected = w * c / max(||w_col||, c), c = max_norm_value,
    so a column longer than c is rescaled to length exactly c and the others are unchanged
    (Srebro et al. 2005; used with dropout by Srivastava et al. 2014). Dividing by max(norm, c)
    instead of norm never divides by zero, even for an all-zero column.
    """
    if not max_norm_value > 0:
        raise ValueError(f"max_norm_value must be > 0, got {max_norm_value!r}")
    ### BEGIN SOLUTION
    norms = np.sqrt(np.sum(w * w, axis=axis, keepdims=True))
    w_projected = w * (max_norm_value / np.maximum(norms, max_norm_value))
    ### END SOLUTION
    return w_projected
