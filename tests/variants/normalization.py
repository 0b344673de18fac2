"""Correct normalization layers in other styles."""
import numpy as np

from trainlab import normalization as ref

from . import variant

T = "normalization"
BN = f"{T}.batchnorm_forward"


def _bn_statistics(x, bn_param, stats=lambda x: (x.mean(axis=0), x.var(axis=0))):
    """(mu, var, eps) of a train- or test-mode call, `stats(x) -> (mu, var)` in train mode, with the
    running averages written back."""
    N, D = x.shape
    mode = bn_param.get("mode", "train")
    if mode not in ("train", "test"):
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}.")
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    mu, var = stats(x) if mode == "train" else (running_mean, running_var)
    if mode == "train":
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return mu, var, eps


def _batchnorm(x, gamma, beta, bn_param, stats):
    """The reference's scaffolding around a statistics function `stats(x) -> (mu, var)`."""
    mu, var, eps = _bn_statistics(x, bn_param, stats)
    xc = x - mu
    sigma = np.sqrt(var + eps)
    x_hat = xc / sigma
    return gamma * x_hat + beta, (xc, sigma, x_hat, gamma)


@variant(f"{T}.batchnorm_forward", style="variance written out: ((x - mu) ** 2).mean(axis=0)")
def batchnorm_manual_var(x, gamma, beta, bn_param):
    return _batchnorm(x, gamma, beta, bn_param, lambda x: (x.mean(axis=0), ((x - x.mean(axis=0)) ** 2).mean(axis=0)))


@variant(f"{T}.batchnorm_forward", style="keepdims statistics, squeezed before they are stored")
def batchnorm_keepdims(x, gamma, beta, bn_param):
    def stats(x):
        mu = np.mean(x, axis=0, keepdims=True)
        var = np.mean(np.square(x - mu), axis=0, keepdims=True)
        return mu.squeeze(0), var.squeeze(0)

    return _batchnorm(x, gamma, beta, bn_param, stats)


@variant(f"{T}.batchnorm_backward", style="closed form in terms of x_hat (the alt formula)")
def batchnorm_backward_closed(dout, cache):
    xc, sigma, x_hat, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    dx = gamma / (N * sigma) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


@variant(f"{T}.batchnorm_backward_alt", style="closed form with the mean of dx_hat and of dx_hat * x_hat")
def batchnorm_backward_alt_means(dout, cache):
    xc, sigma, x_hat, gamma = cache
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / sigma
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@variant(f"{T}.batchnorm_backward_alt", style="step-by-step graph backward instead of the closed form")
def batchnorm_backward_alt_graph(dout, cache):
    return ref.batchnorm_backward(dout, cache)


# ---------------------------------------------------------------- caches of the student's own layout


def _bn_grads(dout, x_hat, sigma, gamma):
    """dx, dgamma, dbeta in closed form from x_hat and sigma."""
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    return gamma / (N * sigma) * (N * dout - dbeta - x_hat * dgamma), dgamma, dbeta


def bn_dict_forward(x, gamma, beta, bn_param):
    mu, var, eps = _bn_statistics(x, bn_param)
    sigma = np.sqrt(var + eps)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, {"xc": x - mu, "sigma": sigma, "x_hat": x_hat, "gamma": gamma}


def bn_dict_backward(dout, cache):
    return _bn_grads(dout, cache["x_hat"], cache["sigma"], cache["gamma"])


@variant(f"{T}.batchnorm_backward_alt", style="a dict cache {'xc', 'sigma', 'x_hat', 'gamma'} read by name",
         partners={BN: bn_dict_forward, f"{T}.batchnorm_backward": bn_dict_backward})
def bn_dict_backward_alt(dout, cache):
    return bn_dict_backward(dout, cache)


def bn_mu_var_forward(x, gamma, beta, bn_param):
    mu, var, eps = _bn_statistics(x, bn_param)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta, (x, mu, var, gamma, eps)


def bn_mu_var_backward(dout, cache):
    """The graph backward from x, mu and var, recomputing x_hat."""
    x, mu, var, gamma, eps = cache
    N = x.shape[0]
    x_hat, inv_std = (x - mu) / np.sqrt(var + eps), 1 / np.sqrt(var + eps)
    dx_hat = dout * gamma
    dvar = np.sum(dx_hat * (x - mu), axis=0) * -0.5 * inv_std ** 3
    dmu = -np.sum(dx_hat * inv_std, axis=0) - 2 * dvar * np.mean(x - mu, axis=0)
    dx = dx_hat * inv_std + dvar * 2 * (x - mu) / N + dmu / N
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


@variant(f"{T}.batchnorm_backward_alt", style="caches (x, mu, var, gamma, eps) instead of xc and sigma",
         partners={BN: bn_mu_var_forward, f"{T}.batchnorm_backward": bn_mu_var_backward})
def bn_mu_var_backward_alt(dout, cache):
    x, mu, var, gamma, eps = cache
    sigma = np.sqrt(var + eps)
    return _bn_grads(dout, (x - mu) / sigma, sigma, gamma)


def bn_short_forward(x, gamma, beta, bn_param):
    mu, var, eps = _bn_statistics(x, bn_param)
    sigma = np.sqrt(var + eps)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, (gamma, x_hat, sigma)


def bn_short_backward(dout, cache):
    gamma, x_hat, sigma = cache
    return _bn_grads(dout, x_hat, sigma, gamma)


@variant(f"{T}.batchnorm_backward_alt", style="a shorter cache, reordered: (gamma, x_hat, sigma)",
         partners={BN: bn_short_forward, f"{T}.batchnorm_backward": bn_short_backward})
def bn_short_backward_alt(dout, cache):
    return bn_short_backward(dout, cache)


def ln_own_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta, {"x": x, "gamma": gamma, "eps": eps}


@variant(f"{T}.layernorm_backward", style="the forward caches x, gamma and eps; the backward recomputes the rest",
         partners={f"{T}.layernorm_forward": ln_own_forward})
def ln_own_backward(dout, cache):
    x, gamma, eps = cache["x"], cache["gamma"], cache["eps"]
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=1, keepdims=True)) / sigma
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=1, keepdims=True) - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True)) / sigma
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def gn_own_forward(x, gamma, beta, G, gn_param):
    N, C, H, W = x.shape
    if G < 1 or C % G != 0:
        raise ValueError(f"C={C} is not divisible by G={G}.")
    x_g = x.reshape(N, G, -1)  # (N, G, C // G * H * W)
    mu, var = x_g.mean(axis=2, keepdims=True), x_g.var(axis=2, keepdims=True)
    x_hat = ((x_g - mu) / np.sqrt(var + gn_param.get("eps", 1e-5))).reshape(x.shape)
    out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return out, {"x_hat": x_hat, "var": var, "eps": gn_param.get("eps", 1e-5), "gamma": gamma, "G": G}


@variant(f"{T}.spatial_groupnorm_backward", style="a dict cache holding var and eps instead of sigma, flat groups",
         partners={f"{T}.spatial_groupnorm_forward": gn_own_forward})
def gn_own_backward(dout, cache):
    N, C, H, W = dout.shape
    G, gamma = cache["G"], cache["gamma"]
    sigma = np.sqrt(cache["var"] + cache["eps"])  # (N, G, 1)
    x_hat = cache["x_hat"].reshape(N, G, -1)
    dx_hat = (dout * gamma[None, :, None, None]).reshape(N, G, -1)
    dx = (dx_hat - dx_hat.mean(axis=2, keepdims=True) - x_hat * (dx_hat * x_hat).mean(axis=2, keepdims=True)) / sigma
    return dx.reshape(dout.shape), (dout * cache["x_hat"]).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


def spatial_own_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = bn_dict_forward(x.transpose(0, 2, 3, 1).reshape(-1, C), gamma, beta, bn_param)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2), cache


@variant(f"{T}.spatial_batchnorm_backward", style="through its own dict-cache batchnorm and the graph backward",
         partners={BN: bn_dict_forward, f"{T}.batchnorm_backward": bn_dict_backward,
                   f"{T}.batchnorm_backward_alt": bn_dict_backward_alt,
                   f"{T}.spatial_batchnorm_forward": spatial_own_forward})
def spatial_own_backward(dout, cache):
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = bn_dict_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta
