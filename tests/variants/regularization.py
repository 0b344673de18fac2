"""Correct regularization in other styles."""
import numpy as np

from . import variant

T = "regularization"


def _mode_and_rng(param):
    mode, keep_prob = param.get("mode", "train"), param.get("keep_prob", 0.5)
    if mode not in ("train", "test"):
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")
    if not 0 < keep_prob <= 1:
        raise ValueError(f"dropout_param['keep_prob'] must be in (0, 1], got {keep_prob!r}")
    rng = param.get("rng") if mode == "train" else None
    if mode == "train" and rng is None:
        if param.get("seed") is None:
            raise ValueError("dropout_param needs 'rng' or 'seed' in train mode")
        rng = np.random.default_rng(param["seed"])
    return mode, keep_prob, rng


@variant(f"{T}.dropout_backward", style="np.where on the cached mask, a copy of dout in test mode")
def dropout_backward_where(dout, cache):
    mask, mode = cache
    return np.where(mask != 0, dout * mask, 0) if mode == "train" else np.array(dout, copy=True)


@variant(f"{T}.dropout_forward", style="float64 mask from rng.random (float32 x comes back float64)",
         breaks=("dtype",))
def dropout_float64_mask(x, dropout_param):
    mode, keep_prob, rng = _mode_and_rng(dropout_param)
    if mode == "test":
        return x.copy(), (None, mode)
    mask = (rng.random(x.shape) < keep_prob) / keep_prob
    return x * mask, (mask, mode)


@variant(f"{T}.l2_penalty", style="sum of squares through np.square and a generator")
def l2_square(weights, reg):
    return float(reg / 2 * sum(np.square(w).sum() for w in weights)), [reg * w for w in weights]


@variant(f"{T}.l1_penalty", style="np.abs(...).sum() and np.sign, in a loop")
def l1_loop(weights, reg):
    loss, grads = 0.0, []
    for w in weights:
        loss += reg * np.abs(w).sum()
        grads.append(reg * np.sign(w))
    return float(loss), grads


@variant(f"{T}.max_norm", style="np.linalg.norm and a clipped scale np.minimum(1, c / norm)")
def max_norm_clip(w, max_norm_value, axis=0):
    if not max_norm_value > 0:
        raise ValueError(f"max_norm_value must be > 0, got {max_norm_value!r}")
    norms = np.linalg.norm(w, axis=axis, keepdims=True)
    return w * np.minimum(1.0, max_norm_value / np.maximum(norms, 1e-300))


@variant(f"{T}.dropout_forward", style="keeps where u >= 1 - keep_prob (the other tail of the same draw)",
         breaks=("draw",))
def dropout_upper_tail(x, dropout_param):
    mode, keep_prob, rng = _mode_and_rng(dropout_param)
    if mode == "test":
        return x.copy(), (None, mode)
    mask = (rng.random(x.shape) >= 1 - keep_prob).astype(x.dtype) / x.dtype.type(keep_prob)
    return x * mask, (mask, mode)


@variant(f"{T}.dropout_forward", style="mask from rng.binomial(1, keep_prob, x.shape) (NumPy draws it as u < p)")
def dropout_binomial(x, dropout_param):
    mode, keep_prob, rng = _mode_and_rng(dropout_param)
    if mode == "test":
        return x.copy(), (None, mode)
    mask = (rng.binomial(1, keep_prob, x.shape) / keep_prob).astype(x.dtype)
    return x * mask, (mask, mode)


@variant(f"{T}.dropout_forward_noninverted", style="boolean mask from u >= 1 - keep_prob, out = np.where(mask, x, 0)",
         breaks=("draw",))
def dropout_noninverted_where(x, dropout_param):
    mode, keep_prob, rng = _mode_and_rng(dropout_param)
    if mode == "test":
        return keep_prob * x, (None, keep_prob, mode)
    keep = rng.random(x.shape) >= 1 - keep_prob
    return np.where(keep, x, x.dtype.type(0)), (keep.astype(x.dtype), keep_prob, mode)


def _dropout_param_first_backward(dout, cache):
    param, mask = cache
    return dout * mask if param.get("mode", "train") == "train" else dout.copy()


@variant(f"{T}.dropout_forward", style="cache (dropout_param, mask), the other order, read by its own backward",
         partners={f"{T}.dropout_backward": _dropout_param_first_backward})
def dropout_param_first(x, dropout_param):
    mode, keep_prob, rng = _mode_and_rng(dropout_param)
    if mode == "test":
        return x.copy(), (dropout_param, None)
    mask = ((rng.random(x.shape) < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
