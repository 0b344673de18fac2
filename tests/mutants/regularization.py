"""Buggy regularization."""
import numpy as np

from trainlab import regularization as ref

from . import BUFFER_BUG, float64_buffer, mutant

T = "regularization"


def _train_draw(x, dropout_param):
    """(mode, keep_prob, r) with r = rng.random(x.shape) drawn as the reference does (None at test)."""
    mode, keep_prob = ref._read_dropout_param(dropout_param, "dropout_param")
    if mode != "train":
        return mode, keep_prob, None
    return mode, keep_prob, ref._mask_rng(dropout_param, "dropout_param").random(x.shape)


@mutant(f"{T}.dropout_forward", "no 1 / keep_prob scaling of the kept units",
        hint='divides the kept units by keep_prob')
def dropout_unscaled(x, dropout_param):
    mode, keep_prob, r = _train_draw(x, dropout_param)
    if mode == "test":
        return x.copy(), (None, mode)
    mask = (r < keep_prob).astype(x.dtype)
    return x * mask, (mask, mode)


@mutant(f"{T}.dropout_forward", "keep_prob used as the drop probability", hint='probability of KEEPING')
def dropout_swapped(x, dropout_param):
    mode, keep_prob, r = _train_draw(x, dropout_param)
    if mode == "test":
        return x.copy(), (None, mode)
    mask = ((r < 1 - keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (mask, mode)


@mutant(f"{T}.dropout_forward", "drops units in test mode too; ignores dropout_param['rng']; no argument checks",
        hint=('test mode returns x', "dropout_param['rng']", 'when to raise ValueError'))
def dropout_in_test_mode(x, dropout_param):
    keep_prob = dropout_param.get("keep_prob", ref.DEFAULT_KEEP_PROB)
    rng = np.random.default_rng(dropout_param.get("seed", 0))
    mask = ((rng.random(x.shape) < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (mask, "train")


@mutant(f"{T}.dropout_backward", "gradient not masked (dx = dout)", hint='only through the kept units')
def dropout_backward_unmasked(dout, cache):
    return dout.copy()


@mutant(f"{T}.dropout_forward", "mask from the global np.random, ignoring the seed",
        hint=('never use the global np.random', 'default_rng(seed)', "dropout_param['rng']"))
def dropout_global_rng(x, dropout_param):
    mode, keep_prob = ref._read_dropout_param(dropout_param, "dropout_param")
    if mode == "test":
        return x.copy(), (None, mode)
    mask = ((np.random.random(x.shape) < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (mask, mode)


@mutant(f"{T}.dropout_forward", "ignores dropout_param['rng'] and always builds default_rng(seed)",
        hint="dropout_param['rng']")
def dropout_ignores_rng(x, dropout_param):
    param = {k: v for k, v in dropout_param.items() if k != "rng"}
    param.setdefault("seed", 0)
    return ref.dropout_forward(x, param)


@mutant(f"{T}.dropout_forward", "float64 mask promotes float32 inputs", hint='float64')
def dropout_promotes(x, dropout_param):
    mode, keep_prob, r = _train_draw(x, dropout_param)
    if mode == "test":
        return x.copy(), (None, mode)
    mask = (r < keep_prob) / keep_prob
    return x * mask, (mask, mode)


@mutant(f"{T}.dropout_forward_noninverted", "no keep_prob scaling at test time", hint='multiply x by keep_prob')
def noninverted_unscaled_test(x, dropout_param):
    mode, keep_prob = ref._read_dropout_param(dropout_param, "dropout_param")
    if mode == "test":
        return x.copy(), (None, keep_prob, mode)
    return ref.dropout_forward_noninverted(x, dropout_param)


@mutant(f"{T}.dropconnect_backward", "dw not masked", hint='kept weights')
def dropconnect_backward_unmasked_dw(dout, cache):
    x, w_masked, mask = cache
    dx, _, db = ref.dropconnect_backward(dout, cache)
    return dx, x.T @ dout, db


@mutant(f"{T}.dropconnect_forward", "mask drawn on the inputs x instead of the weights", hint='mask the weights')
def dropconnect_masks_inputs(x, w, b, dc_param):
    mode, keep_prob = ref._read_dropout_param(dc_param, "dc_param")
    if mode == "test":
        return ref.dropconnect_forward(x, w, b, dc_param)
    x_dropped, _ = ref.dropout_forward(x, dc_param)
    return x_dropped @ w + b, (x_dropped, w, None)


@mutant(f"{T}.l2_penalty", "gradient 2 * reg * W with 0.5 in the loss", hint='the 0.5 cancels')
def l2_gradient_doubled(weights, reg):
    loss, _ = ref.l2_penalty(weights, reg)
    return loss, [2 * reg * w for w in weights]


@mutant(f"{T}.l2_penalty", "loss without the 0.5 factor", hint='0.5 * reg * sum')
def l2_loss_missing_half(weights, reg):
    loss, grads = ref.l2_penalty(weights, reg)
    return 2 * loss, grads


@mutant(f"{T}.l1_penalty", "gradient -reg * sign(W)", hint='+reg * sign(W)')
def l1_gradient_sign(weights, reg):
    loss, grads = ref.l1_penalty(weights, reg)
    return loss, [-g for g in grads]


@mutant(f"{T}.max_norm", "norms of the rows instead of the columns", hint='take the norm over axis')
def max_norm_rows(w, max_norm_value, axis=0):
    return ref.max_norm(w, max_norm_value, axis=1 - axis)


@mutant(f"{T}.max_norm", "rescales every column to the bound, short ones too",
        hint=('within the bound', 'leave the others unchanged'))
def max_norm_every_column(w, max_norm_value, axis=0):
    norms = np.sqrt(np.sum(w * w, axis=axis, keepdims=True))
    return w * (max_norm_value / norms)


@mutant(f"{T}.dropout_backward", "multiplies by the mask in test mode too, where the mask is None", hint='dx = dout')
def dropout_backward_ignores_mode(dout, cache):
    mask, mode = cache
    return dout * mask


@mutant(f"{T}.dropout_forward_noninverted", "also divides the kept units by keep_prob in train mode",
        hint='keeps x as it is')
def noninverted_scaled_train(x, dropout_param):
    mode, keep_prob, r = _train_draw(x, dropout_param)
    if mode == "test":
        return keep_prob * x, (None, keep_prob, mode)
    mask = ((r < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (mask, keep_prob, mode)


@mutant(f"{T}.dropout_forward_noninverted", "mask from the global np.random, ignoring the seed",
        hint='never use the global np.random')
def noninverted_global_rng(x, dropout_param):
    mode, keep_prob = ref._read_dropout_param(dropout_param, "dropout_param")
    if mode == "test":
        return keep_prob * x, (None, keep_prob, mode)
    mask = (np.random.random(x.shape) < keep_prob).astype(x.dtype)
    return x * mask, (mask, keep_prob, mode)


@mutant(f"{T}.dropout_forward_noninverted", "float64 mask promotes float32 inputs", hint='float64')
def noninverted_promotes(x, dropout_param):
    mode, keep_prob, r = _train_draw(x, dropout_param)
    if mode == "test":
        return keep_prob * x, (None, keep_prob, mode)
    mask = (r < keep_prob) * 1.0
    return x * mask, (mask, keep_prob, mode)


@mutant(f"{T}.dropout_forward_noninverted", "rewritten without the scaffold's check of mode and keep_prob",
        hint='when to raise ValueError')
def noninverted_unvalidated(x, dropout_param):
    mode = dropout_param.get("mode", ref.DEFAULT_MODE)
    keep_prob = dropout_param.get("keep_prob", ref.DEFAULT_KEEP_PROB)
    if mode == "train":
        rng = ref._mask_rng(dropout_param, "dropout_param")
        mask = (rng.random(x.shape) < keep_prob).astype(x.dtype)
        return x * mask, (mask, keep_prob, mode)
    return keep_prob * x, (None, keep_prob, mode)


@mutant(f"{T}.dropout_backward_noninverted", "train-mode gradient divided by keep_prob (inverted-dropout backward)",
        hint='not divided by keep_prob')
def noninverted_backward_scaled(dout, cache):
    mask, keep_prob, mode = cache
    return dout * mask / keep_prob if mode == "train" else keep_prob * dout


@mutant(f"{T}.dropout_backward_noninverted", "test-mode gradient not scaled by keep_prob (dx = dout)",
        hint='keep_prob * dout')
def noninverted_backward_unscaled_test(dout, cache):
    mask, keep_prob, mode = cache
    return dout * mask if mode == "train" else dout.copy()


@mutant(f"{T}.dropconnect_forward", "weights also scaled by keep_prob at test time", hint='uses w unchanged')
def dropconnect_scaled_test(x, w, b, dc_param):
    mode, keep_prob = ref._read_dropout_param(dc_param, "dc_param")
    if mode == "train":
        return ref.dropconnect_forward(x, w, b, dc_param)
    w_scaled = keep_prob * w
    return x @ w_scaled + b, (x, w_scaled, None)


@mutant(f"{T}.dropconnect_forward", "mask from the global np.random, ignoring the seed",
        hint='never use the global np.random')
def dropconnect_global_rng(x, w, b, dc_param):
    mode, keep_prob = ref._read_dropout_param(dc_param, "dc_param")
    if mode == "test":
        return ref.dropconnect_forward(x, w, b, dc_param)
    mask = ((np.random.random(w.shape) < keep_prob) / keep_prob).astype(w.dtype)
    w_masked = w * mask
    return x @ w_masked + b, (x, w_masked, mask)


@mutant(f"{T}.dropconnect_forward", "rewritten without the scaffold's check of mode and keep_prob",
        hint='when to raise ValueError')
def dropconnect_unvalidated(x, w, b, dc_param):
    mode = dc_param.get("mode", ref.DEFAULT_MODE)
    keep_prob = dc_param.get("keep_prob", ref.DEFAULT_KEEP_PROB)
    w_masked, mask = w, None
    if mode == "train":
        rng = ref._mask_rng(dc_param, "dc_param")
        mask = ((rng.random(w.shape) < keep_prob) / keep_prob).astype(w.dtype)
        w_masked = w * mask
    return x @ w_masked + b, (x, w_masked, mask)


@mutant(f"{T}.dropconnect_backward", "dw multiplied by the mask in test mode too, where the mask is None",
        hint='dw = x.T @ dout')
def dropconnect_backward_ignores_test(dout, cache):
    x, w_masked, mask = cache
    return dout @ w_masked.T, (x.T @ dout) * mask, dout.sum(axis=0)


for _name in ("dropout_backward", "dropout_backward_noninverted", "dropconnect_backward"):
    mutant(f"{T}.{_name}", BUFFER_BUG)(float64_buffer(getattr(ref, _name), 0 if _name == "dropconnect_backward" else None))


@mutant(f"{T}.dropconnect_forward", "weight mask (rng.random(w.shape) < keep_prob) / keep_prob left float64",
        hint='float64')
def dropconnect_forward_float64_mask(x, w, b, dc_param):
    mode, keep_prob = ref._read_dropout_param(dc_param, "dc_param")
    mask, w_masked = None, w
    if mode == "train":
        mask = (ref._mask_rng(dc_param, "dc_param").random(w.shape) < keep_prob) / keep_prob
        w_masked = w * mask
    return x @ w_masked + b, (x, w_masked, mask)


@mutant(f"{T}.dropout_forward", "test mode returns keep_prob * x (scales twice)", hint='test mode returns x')
def dropout_test_scaled(x, dropout_param):
    out, cache = ref.dropout_forward(x, dropout_param)
    if dropout_param.get("mode", "train") == "test":
        return dropout_param["keep_prob"] * x, cache
    return out, cache
