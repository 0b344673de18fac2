"""Hidden-only checks for trainlab/normalization.py (instructor side)."""
from __future__ import annotations

import numpy as np

from ..core.cases import compare_outputs
from ..checks.common import dims
from ..checks.normalization import BN, T, TOL_AGREE, make_bn, make_gn, make_spatial
from ..core.compare import TOL_EXACT, assert_close, assert_true, describe
from ..core.errors import CheckFailure
from ..core.registry import check
from .derived import formula

# sum_n dx[n] is exactly 0; in float64 each dx[n] carries an error of about N * 1e-16 * |terms|
# and the sum adds N of them, so |sum| < N^2 * 1e-16 * max|dx| ~ 1e-14 * sum|dx| for N < 9.
TOL_SUM_ZERO = 1e-12


def _reference(ctx):
    if ctx.reference is None:
        raise CheckFailure("hidden checks need the reference solutions, which are not installed here.")
    return ctx.reference


@check(T, "batchnorm_forward", "random train steps, then test mode on a new batch, vs the reference", hidden=True)
def train_then_test(ctx):
    reference, rng = _reference(ctx), ctx.rng
    inputs = make_bn(rng, True)
    N, D = inputs["x"].shape
    settings = {"eps": float(rng.uniform(1e-6, 1e-3)), "momentum": inputs["momentum"]}
    if rng.random() < 0.5:  # sometimes the caller provides the starting averages
        settings.update(running_mean=rng.standard_normal(D), running_var=rng.uniform(0.5, 2.0, D))
    batches = [rng.standard_normal((N, D)) * rng.uniform(0.5, 3.0, D) + rng.uniform(-2, 2, D)
               for _ in range(int(rng.integers(1, 6)))]
    x_test = rng.standard_normal((int(rng.integers(1, 6)), D)) + rng.uniform(-2, 2, D)
    results = []
    for runner in (ctx.runner, reference):
        bn_param = {"mode": "train", **settings}
        for x in batches:
            runner.call(BN, x, inputs["gamma"], inputs["beta"], bn_param)
        bn_param["mode"] = "test"
        out = runner.call(BN, x_test, inputs["gamma"], inputs["beta"], bn_param)[0]
        results.append({"out": out, "running_mean": bn_param.get("running_mean"),
                        "running_var": bn_param.get("running_var")})
    compare_outputs(f"batchnorm_forward after {len(batches)} train step(s) and one test step:", *results, TOL_EXACT)


def _dx_sums_to_zero(backward: str):
    @check(T, backward, "dx sums to zero over the batch", hidden=True)
    def sums_to_zero(ctx):
        """Adding a constant to one feature of the whole batch leaves x_hat unchanged, so the
        gradient has no component along that direction: sum_n dx[n] = 0 for every feature, exactly."""
        inputs = make_bn(ctx.rng, True)
        x = inputs["x"]
        _, cache = ctx.other(BN, x, inputs["gamma"], inputs["beta"], {"mode": "train", "eps": inputs["eps"]})
        grads = ctx.call(f"{T}.{backward}", inputs["dout"], cache)
        dx = grads[0] if isinstance(grads, tuple) else grads
        assert_true(isinstance(dx, np.ndarray) and dx.shape == x.shape,
                    f"{backward} returned dx as {describe(dx)}; expected shape {x.shape}.")
        total, scale = np.abs(dx.sum(axis=0)).max(), np.abs(dx).sum(axis=0).max()
        assert_true(total <= TOL_SUM_ZERO * scale,
                    f"{backward}: the sum of dx over the batch is {total:.3g} for some feature; expected 0 "
                    f"(up to rounding, {TOL_SUM_ZERO:g} * {scale:.3g}).",
                    "mu depends on every example: include the gradient path through the batch mean.")


for _backward in ("batchnorm_backward", "batchnorm_backward_alt"):
    _dx_sums_to_zero(_backward)


@check(T, "spatial_groupnorm_forward", "G = 1 is layer norm over (C, H, W); G = C is per-channel instance norm",
       hidden=True)
def groupnorm_extremes(ctx):
    inputs = make_gn(ctx.rng, True)
    x, gamma, beta = inputs["x"], inputs["gamma"], inputs["beta"]
    N, C, H, W = x.shape
    one_group = ctx.call(f"{T}.spatial_groupnorm_forward", x, gamma, beta, 1, {})[0]
    layer = ctx.other(f"{T}.layernorm_forward", x.reshape(N, -1), np.repeat(gamma, H * W), np.repeat(beta, H * W),
                     {})[0]
    assert_close("spatial_groupnorm_forward with G = 1 vs layernorm_forward on x.reshape(N, -1)",
                 one_group, np.reshape(layer, x.shape), TOL_AGREE)
    per_channel = ctx.call(f"{T}.spatial_groupnorm_forward", x, gamma, beta, C, {})[0]
    instance = [ctx.other(f"{T}.spatial_batchnorm_forward", x[n:n + 1], gamma, beta, {"mode": "train"})[0]
                for n in range(N)]
    assert_close("spatial_groupnorm_forward with G = C vs spatial_batchnorm_forward on each example alone",
                 per_channel, np.concatenate(instance), TOL_AGREE)


@check(T, "spatial_batchnorm_forward", "equals batchnorm_forward on the pixels as rows (N*H*W, C)", hidden=True)
def spatial_is_batchnorm(ctx):
    inputs = make_spatial(ctx.rng, True)
    x, gamma, beta = inputs["x"], inputs["gamma"], inputs["beta"]
    N, C, H, W = x.shape
    spatial_param, flat_param = {"mode": "train"}, {"mode": "train"}
    out = ctx.call(f"{T}.spatial_batchnorm_forward", x, gamma, beta, spatial_param)[0]
    flat = ctx.call(BN, x.transpose(0, 2, 3, 1).reshape(-1, C), gamma, beta, flat_param)[0]
    assert_close("spatial_batchnorm_forward vs batchnorm_forward on x.transpose(0, 2, 3, 1).reshape(-1, C)",
                 out, np.reshape(flat, (N, H, W, C)).transpose(0, 3, 1, 2), TOL_AGREE)
    assert_close("bn_param['running_mean'] after spatial_batchnorm_forward", spatial_param.get("running_mean"),
                 flat_param.get("running_mean"), TOL_AGREE,
                 "pass bn_param on to batchnorm_forward so that the running averages are per channel.")


@check(T, "layernorm_forward", "each example alone gives the same output; mode is ignored", hidden=True)
def layernorm_per_example(ctx):
    rng = ctx.rng
    N, D = dims(rng, True, (4, 6), low=3)
    x = rng.standard_normal((N, D)) * 2 + rng.uniform(-2, 2, (N, 1))
    gamma, beta = rng.uniform(0.5, 2.0, D), rng.standard_normal(D)
    out = ctx.call(f"{T}.layernorm_forward", x, gamma, beta, {})[0]
    assert_true(isinstance(out, np.ndarray) and out.shape == x.shape,
                f"layernorm_forward returned {describe(out)}; expected shape {x.shape}.")
    alone = ctx.call(f"{T}.layernorm_forward", x[:1], gamma, beta, {})[0]
    assert_close("layernorm_forward of the first example alone vs within the batch", alone, out[:1], TOL_AGREE,
                 "layer normalization takes each example's own mean and variance over its D features "
                 "(axis 1), never statistics over the batch.")
    for mode in ("train", "test"):
        with_mode = ctx.call(f"{T}.layernorm_forward", x, gamma, beta, {"mode": mode})[0]
        assert_close(f"layernorm_forward with ln_param {{'mode': {mode!r}}} vs with ln_param {{}}", with_mode, out,
                     TOL_AGREE, "layer normalization computes the same in train and test mode: read eps from "
                                "ln_param and ignore any other key (a model passes one dict to all its layers).")


@formula("batchnorm_backward", "variance read as sigma")
def variance_read_as_sigma(i):
    """The graph backward on a cache that holds v = var + eps where sigma belongs: it takes v for
    sigma in every node, dx = dout*gamma/v - mean(dout*gamma*xc)*xc/v**3 - mean of the sum, and
    keeps dgamma and dbeta (they read x_hat and dout only)."""
    x, dout, gamma, eps = i["x"], i["dout"], i["gamma"], i["eps"]
    xc = x - x.mean(axis=0)
    v = x.var(axis=0) + eps
    dx_hat = dout * gamma
    dxc = dx_hat / v - xc * (dx_hat * xc).sum(axis=0) / v ** 3 / x.shape[0]
    dx = dxc - dxc.mean(axis=0)
    x_hat = xc / np.sqrt(v)
    return {"dx": dx, "dgamma": (dout * x_hat).sum(axis=0), "dbeta": dout.sum(axis=0)}
