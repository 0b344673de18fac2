"""Correct normalization layers in other styles."""
import numpy as np

from trainlab import normalization as ref

from . import variant

T = "normalization"


def _batchnorm(x, gamma, beta, bn_param, stats):
    """The reference's scaffolding around a statistics function `stats(x) -> (mu, var)`."""
    N, D = x.shape
    mode = bn_param.get("mode", "train")
    if mode not in ("train", "test"):
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}.")
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        mu, var = stats(x)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    xc = x - mu
    sigma = np.sqrt(var + eps)
    x_hat = xc / sigma
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
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
