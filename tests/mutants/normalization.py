"""Buggy normalization layers."""
import numpy as np

from trainlab import normalization as ref

from . import BUFFER_BUG, float64_buffer, mutant

T = "normalization"


def _settings(x, bn_param):
    D = x.shape[1]
    return (bn_param.get("mode", "train"), bn_param.get("eps", ref.DEFAULT_EPS),
            bn_param.get("momentum", ref.DEFAULT_MOMENTUM),
            bn_param.get("running_mean", np.zeros(D, dtype=x.dtype)),
            bn_param.get("running_var", np.ones(D, dtype=x.dtype)))


def _finish(x, gamma, beta, mu, var, eps, bn_param, running_mean, running_var, eps_outside=False):
    """The second half of batchnorm_forward, with the reference cache layout."""
    xc = x - mu
    sigma = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    x_hat = xc / sigma
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return gamma * x_hat + beta, (xc, sigma, x_hat, gamma)


def _bn_with(x, gamma, beta, bn_param, ddof=0, swap_momentum=False, batch_stats_in_test=False,
             update_in_test=False, accept_any_mode=False, eps_outside=False):
    mode, eps, momentum, running_mean, running_var = _settings(x, bn_param)
    if mode not in ref.MODES and not accept_any_mode:
        raise ValueError(f"unknown mode {mode!r}")
    old, new = (1 - momentum, momentum) if swap_momentum else (momentum, 1 - momentum)
    mu, var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
    if mode != "train" and not batch_stats_in_test:
        mu, var = running_mean, running_var
    if mode == "train" or update_in_test:
        running_mean = old * running_mean + new * x.mean(axis=0)
        running_var = old * running_var + new * x.var(axis=0, ddof=ddof)
    return _finish(x, gamma, beta, mu, var, eps, bn_param, running_mean, running_var, eps_outside)


@mutant(f"{T}.batchnorm_forward", "unbiased variance (ddof=1)", hint='biased')
def bn_unbiased(x, gamma, beta, bn_param):
    return _bn_with(x, gamma, beta, bn_param, ddof=1)


@mutant(f"{T}.batchnorm_forward", "eps added outside the square root", hint='eps goes inside the square root')
def bn_eps_outside(x, gamma, beta, bn_param):
    return _bn_with(x, gamma, beta, bn_param, eps_outside=True)


@mutant(f"{T}.batchnorm_forward", "running averages also updated in test mode", hint='do not update them')
def bn_updates_in_test(x, gamma, beta, bn_param):
    return _bn_with(x, gamma, beta, bn_param, update_in_test=True)


@mutant(f"{T}.batchnorm_forward", "momentum the wrong way round: (1 - m) * running + m * batch",
        hint='momentum weights the OLD')
def bn_swapped_momentum(x, gamma, beta, bn_param):
    return _bn_with(x, gamma, beta, bn_param, swap_momentum=True)


@mutant(f"{T}.batchnorm_forward", "test mode normalizes with the batch statistics", hint='normalize with')
def bn_batch_stats_in_test(x, gamma, beta, bn_param):
    return _bn_with(x, gamma, beta, bn_param, batch_stats_in_test=True)


@mutant(f"{T}.batchnorm_forward", "any mode other than 'train' silently treated as 'test'",
        hint="only 'train' and 'test'")
def bn_accepts_eval(x, gamma, beta, bn_param):
    return _bn_with(x, gamma, beta, bn_param, accept_any_mode=True)


@mutant(f"{T}.batchnorm_forward", "default running averages created as float64 for float32 x", hint='float64')
def bn_float64_defaults(x, gamma, beta, bn_param):
    D = x.shape[1]
    bn_param.setdefault("running_mean", np.zeros(D))
    bn_param.setdefault("running_var", np.ones(D))
    return ref.batchnorm_forward(x, gamma, beta, bn_param)


@mutant(f"{T}.batchnorm_forward", "pops 'mode' out of bn_param", hint='bn_param.get')
def bn_pops_mode(x, gamma, beta, bn_param):
    mode = bn_param.pop("mode", "train")
    scratch = {**bn_param, "mode": mode}
    out, cache = ref.batchnorm_forward(x, gamma, beta, scratch)
    bn_param["running_mean"], bn_param["running_var"] = scratch["running_mean"], scratch["running_var"]
    return out, cache


@mutant(f"{T}.batchnorm_backward", "no paths through mu and var: dx = dout * gamma / sigma",
        hint='through the batch mean')
def bn_backward_no_mean_term(dout, cache):
    xc, sigma, x_hat, gamma = cache
    _, dgamma, dbeta = ref.batchnorm_backward(dout, cache)
    return dout * gamma / sigma, dgamma, dbeta


@mutant(f"{T}.batchnorm_backward", "dgamma sums dout instead of dout * x_hat", hint='dgamma sums dout * x_hat')
def bn_backward_dgamma_dout(dout, cache):
    dx, _, dbeta = ref.batchnorm_backward(dout, cache)
    return dx, dout.sum(axis=0), dbeta


@mutant(f"{T}.batchnorm_backward", "path through var forgets the factor 2 of d(xc^2)", hint='factor 2')
def bn_backward_no_factor_two(dout, cache):
    xc, sigma, x_hat, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dvar = -(dx_hat * xc).sum(axis=0) / sigma**2 / (2 * sigma)
    dxc = dx_hat / sigma + xc * dvar / N
    return dxc - dxc.sum(axis=0) / N, dgamma, dbeta


@mutant(f"{T}.batchnorm_backward_alt", "closed form without the x_hat term", hint='term through the variance')
def bn_alt_no_xhat_term(dout, cache):
    _, sigma, x_hat, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    return (gamma / (N * sigma)) * (N * dout - dbeta), dgamma, dbeta


@mutant(f"{T}.batchnorm_backward_alt", "dgamma sums dout instead of dout * x_hat", hint='dgamma sums dout * x_hat')
def bn_alt_dgamma_dout(dout, cache):
    dx, _, dbeta = ref.batchnorm_backward_alt(dout, cache)
    return dx, dbeta.copy(), dbeta


@mutant(f"{T}.layernorm_forward", "normalizes over the batch axis (like batchnorm)", hint='axis 1')
def ln_batch_axis(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", ref.DEFAULT_EPS)
    sigma = np.sqrt(x.var(axis=0, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=0, keepdims=True)) / sigma
    return gamma * x_hat + beta, (np.broadcast_to(sigma[:, :1], (x.shape[0], 1)), x_hat, gamma)


@mutant(f"{T}.layernorm_backward", "means taken over the batch axis (copied from batchnorm)",
        hint="over each example's features")
def ln_backward_batch_axis(dout, cache):
    sigma, x_hat, gamma = cache
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / sigma
    return dx, dgamma, dbeta


@mutant(f"{T}.spatial_batchnorm_forward", "statistics per (C, H, W) position instead of per channel",
        hint='per channel, over N, H and W')
def spatial_per_position(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = ref.batchnorm_forward(x.reshape(N, -1), np.repeat(gamma, H * W), np.repeat(beta, H * W), bn_param)
    return out.reshape(x.shape), cache


@mutant(f"{T}.spatial_batchnorm_forward", "reshape to (N*H*W, C) without moving the channel axis last",
        hint='transpose to (N, H, W, C)')
def spatial_no_transpose(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = ref.batchnorm_forward(x.reshape(-1, C), gamma, beta, bn_param)
    return out.reshape(x.shape), cache


@mutant(f"{T}.spatial_batchnorm_backward", "dgamma and dbeta summed over N only (per pixel)",
        hint='sum over N, H and W')
def spatial_backward_unsummed(dout, cache):
    dx, dgamma, dbeta = ref.spatial_batchnorm_backward(dout, cache)
    N, C, H, W = dout.shape
    return dx, dgamma / (H * W), dbeta / (H * W)


@mutant(f"{T}.spatial_groupnorm_forward", "groups interleaved: reshape (N, C // G, G, H, W)",
        hint='consecutive channels')
def gn_interleaved(x, gamma, beta, G, gn_param):
    N, C, H, W = x.shape
    eps = gn_param.get("eps", ref.DEFAULT_EPS)
    x_g = x.reshape(N, C // G, G, H, W)
    axes = (1, 3, 4)
    sigma = np.sqrt(x_g.var(axis=axes, keepdims=True) + eps)
    x_hat = ((x_g - x_g.mean(axis=axes, keepdims=True)) / sigma).reshape(x.shape)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, (sigma.reshape(N, G, 1, 1, 1), x_hat, gamma, G)


@mutant(f"{T}.spatial_groupnorm_forward", "reshape (N, G, -1) without checking that G divides C", hint='check C % G')
def gn_no_divisibility_check(x, gamma, beta, G, gn_param):
    N, C, H, W = x.shape
    eps = gn_param.get("eps", ref.DEFAULT_EPS)
    x_g = x.reshape(N, G, -1)  # works whenever G divides C * H * W, even if groups then split channels
    sigma = np.sqrt(x_g.var(axis=2, keepdims=True) + eps)
    x_hat = ((x_g - x_g.mean(axis=2, keepdims=True)) / sigma).reshape(x.shape)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, (sigma[..., None, None], x_hat, gamma, G)


@mutant(f"{T}.spatial_groupnorm_backward", "dx without the mean term of the group", hint='mean of the group')
def gn_backward_no_mean(dout, cache):
    sigma, x_hat, gamma, G = cache
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = ref.spatial_groupnorm_backward(dout, cache)
    dx_hat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, C // G, H, W)
    dx = dx.reshape(N, G, C // G, H, W) + dx_hat.mean(axis=ref.GROUP_AXES, keepdims=True) / sigma
    return dx.reshape(dout.shape), dgamma, dbeta


@mutant("normalization.batchnorm_forward", "running statistics updated in place inside bn_param",
        hint="bn_param['running_mean'] =")
def batchnorm_forward_in_place_running(x, gamma, beta, bn_param):
    out, cache = ref.batchnorm_forward(x, gamma, beta, dict(bn_param))  # output only; state below
    if bn_param.get("mode", "train") == "train" and "running_mean" in bn_param:
        momentum = bn_param.get("momentum", 0.9)
        bn_param["running_mean"] *= momentum
        bn_param["running_mean"] += (1 - momentum) * x.mean(axis=0)
    return out, cache


@mutant(f"{T}.layernorm_forward", "statistics accumulated with dtype=np.float64: float32 in, float64 out",
        hint='float64')
def ln_float64_statistics(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", ref.DEFAULT_EPS)
    mu = np.mean(x, axis=1, keepdims=True, dtype=np.float64)
    sigma = np.sqrt(np.var(x, axis=1, keepdims=True, dtype=np.float64) + eps)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, (sigma, x_hat, gamma)


@mutant(f"{T}.spatial_groupnorm_forward", "loops over groups into an np.zeros(x.shape) buffer: float64 out",
        hint='float64')
def gn_float64_buffer(x, gamma, beta, G, gn_param):
    N, C, H, W = x.shape
    if G < 1 or C % G != 0:
        raise ValueError(f"C={C} is not divisible by G={G}.")
    eps = gn_param.get("eps", ref.DEFAULT_EPS)
    x_hat = np.zeros(x.shape)
    sigma = np.zeros((N, G, 1, 1, 1))
    size = C // G
    for g in range(G):
        group = x[:, g * size:(g + 1) * size]
        mu = group.mean(axis=(1, 2, 3), keepdims=True)
        sig = np.sqrt(group.var(axis=(1, 2, 3), keepdims=True) + eps)
        x_hat[:, g * size:(g + 1) * size] = (group - mu) / sig
        sigma[:, g] = sig.reshape(N, 1, 1, 1)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, (sigma, x_hat, gamma, G)


@mutant("normalization.spatial_batchnorm_forward", "written by hand; test mode divides by sqrt(running_var) + eps",
        hint='eps goes inside the square root')
def spatial_batchnorm_test_eps_outside(x, gamma, beta, bn_param):
    if bn_param.get("mode", "train") == "train":
        return ref.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    shape = (1, -1, 1, 1)
    mean, var = bn_param["running_mean"].reshape(shape), bn_param["running_var"].reshape(shape)
    out = gamma.reshape(shape) * (x - mean) / (np.sqrt(var) + bn_param.get("eps", 1e-5)) + beta.reshape(shape)
    return out, None


@mutant("normalization.batchnorm_forward", "keepdims statistics stored as (1, D) running averages",
        hint=('keepdims', 'extra axes'))
def batchnorm_keepdims_running(x, gamma, beta, bn_param):
    out, cache = ref.batchnorm_forward(x, gamma, beta, bn_param)
    bn_param["running_mean"] = bn_param["running_mean"][None, :]
    bn_param["running_var"] = bn_param["running_var"][None, :]
    return out, cache


for _name in ("batchnorm_backward", "batchnorm_backward_alt", "layernorm_backward", "spatial_batchnorm_backward",
              "spatial_groupnorm_backward"):
    mutant(f"{T}.{_name}", BUFFER_BUG)(float64_buffer(getattr(ref, _name), 0))


@mutant(f"{T}.batchnorm_backward_alt", "closed form without the sum_j dout_j term (no path through mu)",
        hint=('term through the mean', 'through the batch mean'))
def batchnorm_backward_alt_no_mean_path(dout, cache):
    _, sigma, x_hat, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    return (gamma / (N * sigma)) * (N * dout - x_hat * dgamma), dgamma, dbeta


@mutant(f"{T}.spatial_groupnorm_forward", "statistics per channel whatever G (instance norm)",
        hint=('instance norm', 'check C % G'))
def groupnorm_per_channel(x, gamma, beta, G, gn_param):
    return ref.spatial_groupnorm_forward(x, gamma, beta, x.shape[1], gn_param)


@mutant(f"{T}.layernorm_forward", "mode 'test' uses running averages, as batchnorm does (defaults 0 and 1)",
        hint='same in train and test')
def layernorm_test_mode_like_batchnorm(x, gamma, beta, ln_param):
    if ln_param.get("mode") == "test":
        eps = ln_param.get("eps", ref.DEFAULT_EPS)
        return gamma * x / np.sqrt(1 + eps) + beta, (np.ones((x.shape[0], 1)), x, gamma)
    return ref.layernorm_forward(x, gamma, beta, ln_param)


@mutant(f"{T}.batchnorm_forward", "test mode leaves out gamma and beta", hint='scales and shifts too')
def batchnorm_test_without_affine(x, gamma, beta, bn_param):
    if bn_param.get("mode", "train") == "test":
        _, cache = ref.batchnorm_forward(x, gamma, beta, bn_param)
        eps = bn_param.get("eps", ref.DEFAULT_EPS)
        return (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"] + eps), cache
    return ref.batchnorm_forward(x, gamma, beta, bn_param)


@mutant(f"{T}.spatial_groupnorm_forward", "statistics at each pixel over the group's C/G channels only",
        hint='not at each pixel')
def groupnorm_per_pixel(x, gamma, beta, G, gn_param):
    N, C, H, W = x.shape
    eps = gn_param.get("eps", ref.DEFAULT_EPS)
    x_g = x.reshape(N, G, C // G, H, W)
    sigma = np.sqrt(x_g.var(axis=2, keepdims=True) + eps)
    x_hat = ((x_g - x_g.mean(axis=2, keepdims=True)) / sigma).reshape(N, C, H, W)
    return gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1), (sigma, x_hat, gamma, G)


@mutant(f"{T}.spatial_groupnorm_forward", "gamma reshaped to (1, C, 1, 1), then indexed as if it were (C,): "
        "gamma[np.newaxis, :, np.newaxis, np.newaxis] is 7-D", hint="extra axes")
def groupnorm_newaxis_twice(x, gamma, beta, G, gn_param):
    N, C, H, W = x.shape
    out, cache = ref.spatial_groupnorm_forward(x, np.ones(C, dtype=x.dtype), np.zeros(C, dtype=x.dtype), G, gn_param)
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    return g[np.newaxis, :, np.newaxis, np.newaxis] * out + b[np.newaxis, :, np.newaxis, np.newaxis], cache


@mutant(f"{T}.batchnorm_backward_alt", "expects a cache layout (x, mu, var, gamma, eps) that its forward does not build",
        hint="must be those of the forward's cache")
def bn_alt_own_cache(dout, cache):
    x, mu, var, gamma, eps = cache
    sigma = np.sqrt(var + eps)
    x_hat = (x - mu) / sigma
    N = dout.shape[0]
    dx = gamma / (N * sigma) * (N * dout - dout.sum(axis=0) - x_hat * (dout * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _bn_caching_var(x, gamma, beta, bn_param):
    out, (xc, sigma, x_hat, gamma) = ref.batchnorm_forward(x, gamma, beta, bn_param)
    return out, (xc, sigma ** 2, x_hat, gamma)


def _alt_reading_var(dout, cache):
    xc, var, x_hat, gamma = cache
    return ref.batchnorm_backward_alt(dout, (xc, np.sqrt(var), x_hat, gamma))


# A mirror mistake: the forward caches the variance (plus eps) and this backward reads it as the
# standard deviation; the forward and the closed-form backward, which takes the square root, are
# correct partners. The check comparing the two backward passes charges the graph version.
@mutant(f"{T}.batchnorm_backward", "reads the cached variance as the standard deviation", hint="what it holds is var + eps",
        partners={f"{T}.batchnorm_forward": _bn_caching_var, f"{T}.batchnorm_backward_alt": _alt_reading_var})
def batchnorm_backward_reads_var_as_sigma(dout, cache):
    return ref.batchnorm_backward(dout, cache)
