"""Checks for trainlab/normalization.py."""
from __future__ import annotations

import numpy as np

from ..core.cases import (Case, GradCase, add_case, add_dtype_check, add_grad_case, add_layer_cases, compare_outputs)
from ..core.compare import HINT_MATCH, TOL_EXACT, assert_close, assert_true, describe, rel_error
from ..core.registry import check
from ..core.topic import Topic
from ..core.derived import derived_values
from .common import dims

T = Topic("normalization", inplace_example="xc = x - mean")
BN = f"{T}.batchnorm_forward"

# Two float64 evaluations of the same quantity in different operation orders (e.g. graph vs
# closed-form gradient, or group norm with G = 1 vs layer norm) differ by at most about
# n * 1e-16 * max|term| for n values averaged: below 1e-14 for the n < 100 and O(1) terms used
# here, so even an element that is exactly 0 (relative-error floor 1e-8) stays under 1e-6.
TOL_AGREE = 1e-6
TRAIN_STEPS = 3  # iterations of the running-average case
MEAN_TOL = 1e-9  # absolute; see train_output_statistics
STD_TOL = 1e-4  # relative; see train_output_statistics


def _matches(got, alternative) -> bool:
    return got is not None and np.shape(got) == np.shape(alternative) and rel_error(got, alternative) < HINT_MATCH


# ---------------------------------------------------------------- inputs


def make_bn(rng, random_shapes):
    """x with a feature-dependent mean and scale, so that per-feature statistics matter."""
    N, D = dims(rng, random_shapes, (6, 4), low=3)
    x = rng.standard_normal((N, D)) * rng.uniform(0.5, 3.0, D) + rng.uniform(-2.0, 2.0, D)
    return {"x": x, "gamma": rng.uniform(0.5, 2.0, D), "beta": rng.standard_normal(D),
            "eps": 1e-5, "momentum": 0.9 if not random_shapes else float(rng.uniform(0.5, 0.99)),
            "dout": rng.standard_normal((N, D))}


def bn_train_args(inputs):
    bn_param = {"mode": "train", "eps": inputs["eps"], "momentum": inputs["momentum"]}
    return inputs["x"], inputs["gamma"], inputs["beta"], bn_param


def make_bn_test(rng, random_shapes):
    inputs = make_bn(rng, random_shapes)
    D = inputs["x"].shape[1]
    inputs.update(running_mean=rng.standard_normal(D), running_var=rng.uniform(0.5, 4.0, D))
    return inputs


def bn_test_args(inputs):
    bn_param = {"mode": "test", "eps": inputs["eps"], "momentum": inputs["momentum"],
                "running_mean": inputs["running_mean"], "running_var": inputs["running_var"]}
    return inputs["x"], inputs["gamma"], inputs["beta"], bn_param


def make_bn_steps(rng, random_shapes):
    """TRAIN_STEPS batches stacked in xs (TRAIN_STEPS, N, D), drifting so that the averages move."""
    inputs = make_bn(rng, random_shapes)
    N, D = inputs["x"].shape
    drift = np.arange(TRAIN_STEPS)[:, None, None] * rng.uniform(-1.0, 1.0, D)
    inputs["xs"] = rng.standard_normal((TRAIN_STEPS, N, D)) * rng.uniform(0.5, 3.0, D) + drift
    del inputs["x"], inputs["dout"]
    return inputs


def make_ln(rng, random_shapes):
    N, D = dims(rng, random_shapes, (4, 6), low=3)
    x = rng.standard_normal((N, D)) * rng.uniform(0.5, 3.0, (N, 1)) + rng.uniform(-2.0, 2.0, (N, 1))
    return {"x": x, "gamma": rng.uniform(0.5, 2.0, D), "beta": rng.standard_normal(D), "eps": 1e-5,
            "dout": rng.standard_normal((N, D))}


def make_spatial(rng, random_shapes):
    N, C, H, W = dims(rng, random_shapes, (2, 3, 4, 5), high=6)
    x = rng.standard_normal((N, C, H, W)) * rng.uniform(0.5, 3.0, (1, C, 1, 1)) + rng.uniform(-2, 2, (1, C, 1, 1))
    return {"x": x, "gamma": rng.uniform(0.5, 2.0, C), "beta": rng.standard_normal(C), "eps": 1e-5,
            "momentum": 0.9, "dout": rng.standard_normal((N, C, H, W))}


def spatial_args(inputs):
    return inputs["x"], inputs["gamma"], inputs["beta"], {"mode": "train", "eps": inputs["eps"],
                                                          "momentum": inputs["momentum"]}


def make_gn(rng, random_shapes):
    # 1 < G < C, so that the grouping shows (G = 1 and G = C have a check of their own)
    G, per_group = (2, 3) if not random_shapes else (int(rng.integers(2, 5)), int(rng.integers(2, 4)))
    N, H, W = dims(rng, random_shapes, (2, 3, 4), high=6)
    C = G * per_group
    x = rng.standard_normal((N, C, H, W)) * rng.uniform(0.5, 3.0, (N, C, 1, 1)) + rng.uniform(-2, 2, (N, C, 1, 1))
    return {"x": x, "gamma": rng.uniform(0.5, 2.0, C), "beta": rng.standard_normal(C), "G": G, "eps": 1e-5,
            "dout": rng.standard_normal((N, C, H, W))}


def gn_args(inputs):
    return inputs["x"], inputs["gamma"], inputs["beta"], inputs["G"], {"eps": inputs["eps"]}


# ---------------------------------------------------------------- known mistakes, computed from the inputs


def _bn_out(x, gamma, beta, mu, var, eps):
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def bn_forward_hint(inputs, got, expected):
    x, gamma, beta, eps = inputs["x"], inputs["gamma"], inputs["beta"], inputs["eps"]
    mu, out = x.mean(axis=0), got.get("out")
    if _matches(out, _bn_out(x, gamma, beta, mu, x.var(axis=0, ddof=1), eps)):
        return "use the biased variance (divide by N, np.var's default ddof=0), not the unbiased one."
    if _matches(out, gamma * (x - mu) / (x.std(axis=0) + eps) + beta):
        return "eps goes inside the square root: sqrt(var + eps), not sqrt(var) + eps."
    if _matches(out, _bn_out(x, gamma, beta, x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True), eps)):
        return "batch normalization takes the statistics over the batch (axis 0), one per feature."
    return None


def _batch_normalized(out, gamma, beta) -> bool:
    """out scaled back by gamma and beta has, per feature, mean 0 and variance 1 over the batch (a
    property of the output, not a formula of it)."""
    if out is None or np.ndim(out) != 2:
        return False
    z = (out - beta) / gamma
    return bool(np.allclose(z.mean(axis=0), 0.0, atol=1e-6) and np.allclose(z.var(axis=0), 1.0, rtol=1e-3))


def bn_test_hint(inputs, got, expected):
    x, out, eps = inputs["x"], got.get("out"), inputs["eps"]
    gamma, beta, mean, var = inputs["gamma"], inputs["beta"], inputs["running_mean"], inputs["running_var"]
    if _batch_normalized(out, gamma, beta) and not _batch_normalized(expected.get("out"), gamma, beta):
        return "in test mode, normalize with bn_param's running_mean and running_var, not the batch statistics."
    if _matches(out, gamma * (x - mean) / (np.sqrt(var) + eps) + beta):
        return "eps goes inside the square root in test mode too: (x - running_mean) / sqrt(running_var + eps)."
    if _matches(out, (x - mean) / np.sqrt(var + eps)):
        return "test mode scales and shifts too: out = gamma * x_hat + beta, with x_hat from the running averages."
    return None


def _x_hat(inputs):
    """The forward's normalized input (its documented formula), per feature over the batch."""
    x = inputs["x"]
    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + inputs["eps"])


def _off_by(got, expected, x_hat):
    """How got's dx differs from the expected dx, feature by feature: "mean" (by a constant),
    "variance" (by a multiple of x_hat), "both" (by a + b * x_hat), or None. Only the difference is
    fitted, so no gradient formula is needed."""
    dx, want = got.get("dx"), expected.get("dx")
    if dx is None or want is None or np.shape(dx) != np.shape(want) or _matches(dx, want):
        return None
    r = dx - want
    a, b = r.mean(axis=0), (r * x_hat).sum(axis=0) / (x_hat * x_hat).sum(axis=0)
    for name, fit in (("mean", want + a), ("variance", want + b * x_hat), ("both", want + a + b * x_hat)):
        if _matches(dx, fit):
            return name
    return None


BN_BACKWARD_TEXTS = {
    "both": ("dx is missing the paths through the batch mean and variance: mu and var depend on every x in "
             "the batch, so their gradients add to dout * gamma / sigma."),
    "mean": "dx is missing the term through the mean: the path through the batch mean adds one value per feature.",
    "variance": "dx is missing the term through the variance: it differs from the gradient by a multiple of "
                "x_hat in each feature.",
}


def bn_backward_hint(inputs, got, expected):
    dbeta = expected.get("dbeta")  # sum(dout): what dgamma becomes without x_hat
    if _matches(got.get("dgamma"), dbeta) and not _matches(expected.get("dgamma"), dbeta):
        return "dgamma sums dout * x_hat over the batch, not dout alone."
    off = _off_by(got, expected, _x_hat(inputs))
    return BN_BACKWARD_TEXTS[off] if off else None


VAR_AS_SIGMA = ("your backward treats the cached spread as the standard deviation sigma = sqrt(var + eps), but "
                "what it holds is var + eps: cache sigma in batchnorm_forward, or take the square root in the "
                "backward.")


def bn_backward_graph_hint(inputs, got, expected):
    """batchnorm_backward (the graph version): the same mistakes; a path through the variance that
    is off by a multiple of x_hat is, in the graph, often the factor 2 of d(xc^2)/dxc."""
    mirror = derived_values("batchnorm_backward", inputs, expected).get("variance read as sigma")
    if mirror is not None and all(_matches(got.get(k), mirror[k]) for k in ("dx", "dgamma", "dbeta")):
        return VAR_AS_SIGMA
    if _off_by(got, expected, _x_hat(inputs)) == "variance":
        return ("dx is off by a multiple of x_hat in each feature: the term through the variance is missing or "
                "scaled wrong; mind the factor 2 of d(xc^2)/dxc = 2 * xc on the path through the variance.")
    return bn_backward_hint(inputs, got, expected)


def ln_backward_hint(inputs, got, expected):
    dx, want = got.get("dx"), expected.get("dx")
    if dx is None or np.shape(dx) != np.shape(want) or _matches(dx, want):
        return None
    scale = np.abs(want).sum(axis=1)
    if np.all(np.abs(dx.sum(axis=1)) > 1e-6 * scale):  # each example's dx sums to 0 in layer norm
        return ("layer norm's statistics are over each example's features, so the mean terms of dx are means "
                "over axis 1, not over the batch: each row of dx sums to zero.")
    return None


def spatial_backward_hint(inputs, got, expected):
    H, W = inputs["dout"].shape[2:]
    if _matches(got.get("dbeta"), expected["dbeta"] / (H * W)) or np.ndim(got.get("dbeta")) > 1:
        return ("dgamma and dbeta have one value per channel: sum over N, H and W (every position of the "
                "channel), not over N alone.")
    return None


def gn_backward_hint(inputs, got, expected):
    dx, want, G = got.get("dx"), expected.get("dx"), inputs["G"]
    if dx is None or np.shape(dx) != np.shape(want) or _matches(dx, want):
        return None
    r = (dx - want).reshape(len(dx), G, -1)
    if _matches(dx, want + np.broadcast_to(r.mean(axis=2, keepdims=True), r.shape).reshape(dx.shape)):
        return ("dx is missing the term through the mean of the group: it differs from the gradient by one "
                "value per example and group, over the group's C/G * H * W values.")
    return None


def bn_steps_hint(inputs, got, expected):
    m, xs = inputs["momentum"], inputs["xs"]
    D = xs.shape[2]
    swapped_mean, unbiased_var = np.zeros(D), np.ones(D)
    for x in xs:
        swapped_mean = (1 - m) * swapped_mean + m * x.mean(axis=0)
        unbiased_var = m * unbiased_var + (1 - m) * x.var(axis=0, ddof=1)
    if _matches(got.get("running_mean"), swapped_mean):
        return ("momentum weights the OLD average: running = momentum * running + (1 - momentum) * batch "
                "statistic.")
    if _matches(got.get("running_var"), unbiased_var):
        return "use the biased batch variance (divide by N) for the running variance too."
    return None


def ln_forward_hint(inputs, got, expected):
    x = inputs["x"]
    if _matches(got.get("out"), _bn_out(x, inputs["gamma"], inputs["beta"], x.mean(axis=0), x.var(axis=0),
                                        inputs["eps"])):
        return ("layer normalization takes the statistics of each example over its features (axis 1), "
                "not over the batch.")
    return None


def spatial_hint(inputs, got, expected):
    x, gamma, beta, eps = inputs["x"], inputs["gamma"], inputs["beta"], inputs["eps"]
    N, C, H, W = x.shape
    out = got.get("out")
    flat = x.reshape(N, -1)
    per_position = _bn_out(flat, np.repeat(gamma, H * W), np.repeat(beta, H * W), flat.mean(axis=0),
                           flat.var(axis=0), eps).reshape(x.shape)
    if _matches(out, per_position):
        return ("the statistics must be per channel, over N, H and W together; move the channel axis last "
                "and flatten to (N * H * W, C).")
    rows = x.reshape(-1, C)  # without the transpose: rows mix the channels of one image
    if _matches(out, _bn_out(rows, gamma, beta, rows.mean(axis=0), rows.var(axis=0), eps).reshape(x.shape)):
        return "transpose to (N, H, W, C) before reshaping to (N * H * W, C); a plain reshape mixes channels."
    return None


def gn_hint(inputs, got, expected):
    x, gamma, beta, G, eps = inputs["x"], inputs["gamma"], inputs["beta"], inputs["G"], inputs["eps"]
    N, C, H, W = x.shape
    x_g = x.reshape(N, C // G, G, H, W)  # channels g, g + G, g + 2G, ... grouped together
    mu, var = x_g.mean(axis=(1, 3, 4), keepdims=True), x_g.var(axis=(1, 3, 4), keepdims=True)
    wrong = gamma.reshape(1, C, 1, 1) * ((x_g - mu) / np.sqrt(var + eps)).reshape(x.shape) + beta.reshape(1, C, 1, 1)
    if _matches(got.get("out"), wrong):
        return "group g holds the C/G consecutive channels g*C/G ... (g+1)*C/G - 1: reshape to (N, G, C // G, H, W)."
    x_g = x.reshape(N, G, C // G, H, W)  # statistics over the group's channels at each pixel only
    mu, var = x_g.mean(axis=2, keepdims=True), x_g.var(axis=2, keepdims=True)
    per_pixel = gamma.reshape(1, C, 1, 1) * ((x_g - mu) / np.sqrt(var + eps)).reshape(x.shape) + beta.reshape(1, C, 1, 1)
    if _matches(got.get("out"), per_pixel):
        return ("a group's mean and variance are taken over all its C/G * H * W values (axes 2, 3 and 4 of "
                "x.reshape(N, G, C // G, H, W)), not at each pixel over the channels only.")
    per_channel = (x - x.mean(axis=(2, 3), keepdims=True)) / np.sqrt(x.var(axis=(2, 3), keepdims=True) + eps)
    if _matches(got.get("out"), gamma.reshape(1, C, 1, 1) * per_channel + beta.reshape(1, C, 1, 1)):
        return ("these are statistics per channel (instance norm, as if G = C): a group's statistics cover "
                "its C/G consecutive channels together.")
    return None


# ---------------------------------------------------------------- reference-output and gradient cases

add_layer_cases(T, BN, f"{T}.batchnorm_backward", make_bn, build=bn_train_args, wrt=("x", "gamma", "beta"),
                name="train mode", hint_forward=bn_forward_hint, hint_backward=bn_backward_graph_hint)
add_layer_cases(T, BN, None, make_bn_test, build=bn_test_args, name="test mode with given running averages",
                hint_forward=bn_test_hint)


def run_bn_backward_alt(call, inputs, forward_call):
    _, cache = forward_call(BN, *bn_train_args(inputs))
    grads = call(f"{T}.batchnorm_backward_alt", inputs["dout"], cache)
    assert_true(isinstance(grads, tuple) and len(grads) == 3,
                f"batchnorm_backward_alt returned {describe(grads)}; expected the tuple (dx, dgamma, dbeta).")
    return dict(zip(("dx", "dgamma", "dbeta"), grads))


add_case(Case(T, "batchnorm_backward_alt", "train mode: gradients", make_bn, run_bn_backward_alt,
              hint=bn_backward_hint, needs_forward=True))
add_grad_case(GradCase(T, "batchnorm_backward_alt", "train mode", make_bn,
                       lambda call, inputs: call(BN, *bn_train_args(inputs)), f"{T}.batchnorm_backward_alt",
                       ("x", "gamma", "beta")))


def run_bn_steps(call, inputs):
    """TRAIN_STEPS training iterations on one bn_param that starts without running averages."""
    bn_param = {"mode": "train", "eps": inputs["eps"], "momentum": inputs["momentum"]}
    for x in inputs["xs"]:
        call(BN, x, inputs["gamma"], inputs["beta"], bn_param)
    assert_true("running_mean" in bn_param and "running_var" in bn_param,
                "after batchnorm_forward in train mode, bn_param has no 'running_mean' or 'running_var'.",
                "write the new running averages back: bn_param['running_mean'] = running_mean.")
    return {"running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"]}


add_case(Case(T, "batchnorm_forward", f"running averages after {TRAIN_STEPS} train steps", make_bn_steps,
              run_bn_steps, hint=bn_steps_hint))

add_layer_cases(T, f"{T}.layernorm_forward", f"{T}.layernorm_backward", make_ln,
                build=lambda i: (i["x"], i["gamma"], i["beta"], {"eps": i["eps"]}), wrt=("x", "gamma", "beta"),
                hint_forward=ln_forward_hint, hint_backward=ln_backward_hint)


add_layer_cases(T, f"{T}.spatial_batchnorm_forward", f"{T}.spatial_batchnorm_backward", make_spatial,
                build=spatial_args, wrt=("x", "gamma", "beta"), name="train mode", hint_forward=spatial_hint,
                hint_backward=spatial_backward_hint)


def make_spatial_test(rng, random_shapes):
    """Images and running averages far from their own statistics; small variances, so the place of
    eps shows (sqrt(var + eps) vs sqrt(var) + eps differ by ~1e-4 relative at var ~ 0.01)."""
    N, C, H, W = dims(rng, random_shapes, (2, 3, 4, 5), high=6)
    return {"x": rng.standard_normal((N, C, H, W)) * 2 + 1, "gamma": rng.uniform(0.5, 2.0, C),
            "beta": rng.standard_normal(C), "running_mean": rng.uniform(-4.0, -2.0, C),
            "running_var": rng.uniform(0.005, 0.02, C)}


def run_spatial_test(call, inputs):
    bn_param = {"mode": "test", "running_mean": inputs["running_mean"], "running_var": inputs["running_var"]}
    name = f"{T}.spatial_batchnorm_forward"
    return {"out": call(name, inputs["x"], inputs["gamma"], inputs["beta"], bn_param)[0]}


def spatial_test_hint(inputs, got, expected):
    x, mean, var = inputs["x"], inputs["running_mean"][:, None, None], inputs["running_var"][:, None, None]
    outside = inputs["gamma"][:, None, None] * (x - mean) / (np.sqrt(var) + 1e-5) + inputs["beta"][:, None, None]
    if "out" in got and np.shape(got["out"]) == x.shape and np.allclose(got["out"], outside, rtol=1e-7):
        return "eps goes inside the square root: (x - running_mean) / sqrt(running_var + eps)."
    return None


add_case(Case(T, "spatial_batchnorm_forward", "test mode: running averages per channel", make_spatial_test,
              run_spatial_test, hint=spatial_test_hint))
add_layer_cases(T, f"{T}.spatial_groupnorm_forward", f"{T}.spatial_groupnorm_backward", make_gn,
                build=gn_args, wrt=("x", "gamma", "beta"), hint_forward=gn_hint, hint_backward=gn_backward_hint)


# ---------------------------------------------------------------- batchnorm: modes and running averages


def _bn_inputs(rng, N=8, D=5):
    """x, gamma, beta and running averages far from the batch's own statistics."""
    x = rng.standard_normal((N, D)) * 2 + 1
    return (x, rng.uniform(0.5, 2.0, D), rng.standard_normal(D), rng.uniform(-4.0, -2.0, D),
            rng.uniform(5.0, 9.0, D))


@check(T, "batchnorm_forward", "a mode other than 'train' or 'test' raises ValueError naming it")
def bad_mode(ctx):
    x, gamma, beta, _, _ = _bn_inputs(ctx.rng)
    ctx.call(BN, x, gamma, beta, {"mode": "train"})  # the valid modes work (the stub earns nothing here)
    for mode in ("eval", "Train"):
        exc = ctx.runner.raises(BN, x, gamma, beta, {"mode": mode})
        assert_true(isinstance(exc, ValueError),
                    f"batchnorm_forward with bn_param['mode'] = {mode!r} "
                    f"{'returned normally' if exc is None else 'raised ' + type(exc).__name__}; expected ValueError.",
                    "check the mode first: only 'train' and 'test' are valid; raise ValueError for anything else.")
        assert_true(mode in str(exc),
                    f"the ValueError for mode {mode!r} says {str(exc)!r}; it should name the bad value.")


@check(T, "batchnorm_forward", "test mode leaves running_mean and running_var unchanged")
def test_mode_keeps_running_averages(ctx):
    x, gamma, beta, running_mean, running_var = _bn_inputs(ctx.rng)
    bn_param = {"mode": "test", "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    ctx.call(BN, x, gamma, beta, bn_param)
    hint = "in test mode, use the running averages as they are and do not update them."
    assert_close("bn_param['running_mean'] after a test-mode call", bn_param.get("running_mean"), running_mean,
                 TOL_EXACT, hint)
    assert_close("bn_param['running_var'] after a test-mode call", bn_param.get("running_var"), running_var,
                 TOL_EXACT, hint)


@check(T, "batchnorm_forward", "test mode treats each example alone; train mode uses the whole batch")
def train_vs_test(ctx):
    x, gamma, beta, running_mean, running_var = _bn_inputs(ctx.rng)
    k = 3  # compare the first k rows computed with and without the rest of the batch

    def forward(mode, rows):
        bn_param = {"mode": mode, "running_mean": running_mean, "running_var": running_var}
        return ctx.call(BN, x[:rows], gamma, beta, bn_param)[0][:k]

    assert_close("test-mode output of the first rows, computed alone vs within the full batch",
                 forward("test", k), forward("test", len(x)), TOL_EXACT,
                 "in test mode the output must not depend on the other examples: normalize with the running "
                 "averages, not the batch statistics.")
    assert_true(rel_error(forward("train", k), forward("train", len(x))) > 1e-3,
                "train-mode output of the first rows did not change when the rest of the batch was removed.",
                "in train mode, normalize with the statistics of the current batch.")


@check(T, "batchnorm_forward", "train mode: every output feature has mean beta and standard deviation gamma")
def train_output_statistics(ctx):
    N, D = 64, 5
    rng = ctx.rng
    x = rng.standard_normal((N, D)) * rng.uniform(1.0, 3.0, D) + rng.uniform(-5.0, 5.0, D)
    gamma, beta = rng.uniform(0.5, 2.0, D), rng.standard_normal(D)
    out = ctx.call(BN, x, gamma, beta, {"mode": "train"})[0]
    assert_true(isinstance(out, np.ndarray) and out.shape == (N, D),
                f"batchnorm_forward returned {describe(out)}; expected an array of shape {(N, D)}.")
    # mean(out) = beta exactly; rounding leaves ~1e-15 * max|out| (|out| < 20 here), so compare the
    # difference absolutely: beta itself may be close to 0, where a relative error means nothing.
    gap = float(np.abs(out.mean(axis=0) - beta).max())
    assert_true(gap < MEAN_TOL, f"the per-feature mean of the train-mode output differs from beta by up to "
                f"{gap:.3g} (tolerance {MEAN_TOL:g}).", "subtract the batch mean of each feature (axis 0).")
    # std(out) = gamma * sqrt(var / (var + eps)) = gamma * (1 - eps / (2 var) + ...). With scale >= 1
    # and N = 64, the sample variance is below 0.2 with probability 1.1e-12 per feature (chi-square
    # with 63 degrees of freedom), so the relative gap is below 1e-5 / 0.4 = 2.5e-5 < STD_TOL. The
    # unbiased variance is off by 1 - sqrt((N - 1) / N) = 7.8e-3, far above the tolerance.
    assert_close("per-feature standard deviation of the train-mode output vs gamma", out.std(axis=0), gamma,
                 STD_TOL, "divide by the square root of the biased variance (np.var with the default ddof=0) plus eps.")


@check(T, "batchnorm_backward_alt", "agrees with batchnorm_backward on the same cache")
def alt_agrees_with_graph(ctx):
    """Both backward passes of the student, on the cache of the student's own forward."""
    inputs = make_bn(ctx.rng, True)
    _, cache = ctx.forward(BN, *bn_train_args(inputs))
    graph = ctx.peer(f"{T}.batchnorm_backward", inputs["dout"], cache)
    alt = ctx.call(f"{T}.batchnorm_backward_alt", inputs["dout"], cache)
    for name, result in (("batchnorm_backward", graph), ("batchnorm_backward_alt", alt)):
        assert_true(isinstance(result, tuple) and len(result) == 3,
                    f"{name} returned {describe(result)}; expected the tuple (dx, dgamma, dbeta).")
    compare_outputs("batchnorm_backward_alt vs batchnorm_backward:", dict(zip(("dx", "dgamma", "dbeta"), alt)),
                    dict(zip(("dx", "dgamma", "dbeta"), graph)), TOL_AGREE)


@check(T, "batchnorm_forward", "bn_param keeps the caller's keys and gains running_mean and running_var")
def keeps_dict_keys(ctx):
    x, gamma, beta, _, _ = _bn_inputs(ctx.rng)
    bn_param = {"mode": "train", "eps": 1e-4, "momentum": 0.8, "note": "kept"}
    ctx.call(BN, x, gamma, beta, bn_param)
    for key, value in (("mode", "train"), ("eps", 1e-4), ("momentum", 0.8), ("note", "kept")):
        assert_true(bn_param.get(key) == value,
                    f"after batchnorm_forward, bn_param[{key!r}] is {bn_param.get(key, 'missing')!r}; "
                    f"expected {value!r}.",
                    "read settings with bn_param.get(...) and only write the running averages back.")
    for key in ("running_mean", "running_var"):
        assert_true(isinstance(bn_param.get(key), np.ndarray) and bn_param[key].shape == (x.shape[1],),
                    f"after a train-mode call, bn_param[{key!r}] is {describe(bn_param.get(key))}; "
                    f"expected an array of shape {(x.shape[1],)}.")


# ---------------------------------------------------------------- float32 in, float32 out

FORWARD_DTYPE_HINT = ("create defaults and intermediate arrays with x's dtype (np.zeros(D, dtype=x.dtype)): "
                      "np.zeros(D), np.ones(D) and np.float64 scalars are float64 and turn the result into float64.")
BACKWARD_DTYPE_HINT = ("build every intermediate array with dout's dtype: np.ones / np.zeros without a dtype and "
                       "np.float64 scalars are float64 and turn the gradients into float64.")
add_dtype_check(T, "batchnorm_forward", FORWARD_DTYPE_HINT,
                ("train mode: output", "test mode with given running averages: output",
                 f"running averages after {TRAIN_STEPS} train steps"))
add_dtype_check(T, "spatial_batchnorm_forward", FORWARD_DTYPE_HINT,
                ("train mode: output", "test mode: running averages per channel"))
for _forward in ("layernorm_forward", "spatial_groupnorm_forward"):
    add_dtype_check(T, _forward, FORWARD_DTYPE_HINT)
for _backward in ("batchnorm_backward", "batchnorm_backward_alt", "layernorm_backward", "spatial_batchnorm_backward",
                  "spatial_groupnorm_backward"):
    add_dtype_check(T, _backward, BACKWARD_DTYPE_HINT)


@check(T, "spatial_groupnorm_forward", "C not divisible by G raises ValueError")
def gn_bad_groups(ctx):
    # C * H * W = 24 is divisible by G = 4 though C = 6 is not: a plain reshape would not complain
    x = ctx.rng.standard_normal((2, 6, 2, 2))
    gamma, beta = np.ones(6), np.zeros(6)
    ctx.call(f"{T}.spatial_groupnorm_forward", x, gamma, beta, 3, {})  # a valid G works
    for G in (4, 5):
        exc = ctx.runner.raises(f"{T}.spatial_groupnorm_forward", x, gamma, beta, G, {})
        assert_true(isinstance(exc, ValueError),
                    f"spatial_groupnorm_forward with C = 6 and G = {G} "
                    f"{'returned normally' if exc is None else 'raised ' + type(exc).__name__}; expected ValueError.",
                    "check C % G before reshaping and raise ValueError when the channels do not split evenly.")
