"""Normalization layers as forward/backward pairs.

* Batch normalization (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
  Training by Reducing Internal Covariate Shift", Algorithm 1): each feature is normalized with
  the mean and variance of the mini-batch during training and with running averages at test time.
* Layer normalization (Ba, Kiros & Hinton 2016, "Layer Normalization", eq. (4)): each example is
  normalized over its own features, identically in training and at test time.
* Spatial batch normalization for images (N, C, H, W): batch normalization per channel, with the
  statistics taken over N, H and W.
* Group normalization (Wu & He 2018, "Group Normalization", eq. (1)-(3)): the C channels of each
  example are split into G groups of C/G consecutive channels, each normalized over C/G * H * W
  values.

Every layer computes x_hat = (x - mu) / sqrt(var + eps) with the BIASED variance (divide by the
number of values averaged) and returns out = gamma * x_hat + beta with a learned scale gamma and
shift beta per feature (per channel for images). Backward functions assume the forward pass ran
in training mode, where mu and var depend on x.

The cache is yours to design: the scaffold's `cache = ...` line is a suggestion, and a
backward is graded on the cache its own forward built (any layout: a tuple, a dict, more or
fewer items), against the gradients for the same inputs.
"""
import numpy as np

DEFAULT_EPS = 1e-5  # added to the variance so that a constant feature does not divide by zero
DEFAULT_MOMENTUM = 0.9  # weight of the old running average in each update
MODES = ("train", "test")
GROUP_AXES = (2, 3, 4)  # axes of one group in x reshaped to (N, G, C // G, H, W)


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization forward pass (Ioffe & Szegedy 2015, Algorithm 1).

    x: (N, D); gamma, beta: (D,). Returns out (N, D) and the cache for the backward pass.
    bn_param (read with .get, new running averages written back as new arrays):
      mode: 'train' or 'test' (anything else raises ValueError);
      eps: default 1e-5; momentum: default 0.9;
      running_mean, running_var: (D,), default zeros and ones with x's dtype.

    train: mu = mean_n x[n], var = mean_n (x[n] - mu)^2 (biased), then
           running_mean = momentum * running_mean + (1 - momentum) * mu, likewise running_var;
    test:  mu = running_mean, var = running_var (the running averages are left as they are).
    Both:  x_hat = (x - mu) / sqrt(var + eps), out = gamma * x_hat + beta.
    float32 in, float32 out.
    """
    N, D = x.shape
    mode = bn_param.get("mode", "train")
    eps = bn_param.get("eps", DEFAULT_EPS)
    momentum = bn_param.get("momentum", DEFAULT_MOMENTUM)
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode not in MODES:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}.")
    ### BEGIN SOLUTION
    if mode == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)  # (D,), var divides by N
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    xc = x - mu  # (N, D)
    sigma = np.sqrt(var + eps)  # (D,)
    x_hat = xc / sigma
    out = gamma * x_hat + beta
    ### END SOLUTION
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    cache = (xc, sigma, x_hat, gamma)
    return out, cache


def batchnorm_backward(dout, cache):
    """Batch normalization backward pass, one node of the computation graph at a time.

    dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,).
    The forward graph, read backwards:
      xc = x - mu,  var = mean_n xc^2,  sigma = sqrt(var + eps),  x_hat = xc / sigma,
      out = gamma * x_hat + beta.
    x reaches the output along three paths (directly through xc, through mu and through var);
    their gradients add up.
    float32 in, float32 out.
    """
    xc, sigma, x_hat, gamma = cache
    N = dout.shape[0]
    ### BEGIN SOLUTION
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma  # (N, D)
    dsigma = -(dx_hat * xc).sum(axis=0) / sigma**2  # x_hat = xc / sigma
    dvar = dsigma / (2 * sigma)  # sigma = sqrt(var + eps)
    dxc = dx_hat / sigma + 2 * xc * dvar / N  # direct path + path through var = mean(xc^2)
    dmu = -dxc.sum(axis=0)  # xc = x - mu
    dx = dxc + dmu / N  # mu = mean(x)
    ### END SOLUTION
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Batch normalization backward pass in closed form; same cache and results as batchnorm_backward.

    dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,).
    Instead of walking the graph node by node, write dx for one feature as a single expression in
    x_hat, sigma, gamma, dout and sums over the batch (derive it on paper: notebook 04, Question 5),
    and compute it with a few whole-array operations.
    float32 in, float32 out.
    """
    _, sigma, x_hat, gamma = cache
    N = dout.shape[0]
    ### BEGIN SOLUTION
    # Derivation, for one feature: with mu = (1/N) sum_j x_j, var = (1/N) sum_j (x_j - mu)^2 and
    # sigma = sqrt(var + eps): d mu / d x_i = 1/N; d var / d x_i = (2/N) (x_i - mu) (the term
    # through mu sums to zero); d sigma / d x_i = x_hat_i / N. So for x_hat_j = (x_j - mu) / sigma,
    #   d x_hat_j / d x_i = (delta_ij - 1/N - x_hat_i x_hat_j / N) / sigma,
    # and with d out_j / d x_hat_j = gamma, summing over j (Ioffe & Szegedy 2015, Section 3):
    #   dx_i = gamma / (N sigma) * (N dout_i - sum_j dout_j - x_hat_i sum_j dout_j x_hat_j).
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = (gamma / (N * sigma)) * (N * dout - dbeta - x_hat * dgamma)
    ### END SOLUTION
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalization forward pass (Ba et al. 2016, eq. (4)); the same in train and test.

    x: (N, D); gamma, beta: (D,). ln_param: eps (default 1e-5); other keys are ignored.
    Each example is normalized over its own D features:
      mu_n = mean_d x[n, d], var_n = mean_d (x[n, d] - mu_n)^2 (biased),
      x_hat = (x - mu) / sqrt(var + eps), out = gamma * x_hat + beta.
    Returns out (N, D) and the cache.
    float32 in, float32 out.
    """
    eps = ln_param.get("eps", DEFAULT_EPS)
    ### BEGIN SOLUTION
    mu = x.mean(axis=1, keepdims=True)  # (N, 1)
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + eps)  # (N, 1)
    x_hat = (x - mu) / sigma
    out = gamma * x_hat + beta
    ### END SOLUTION
    cache = (sigma, x_hat, gamma)
    return out, cache


def layernorm_backward(dout, cache):
    """Layer normalization backward pass.

    dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,).
    The closed form of batchnorm_backward_alt with the roles of the axes swapped: the statistics
    are per example (over d), while gamma stays per feature, so dgamma and dbeta still sum over
    the batch.
    float32 in, float32 out.
    """
    sigma, x_hat, gamma = cache
    ### BEGIN SOLUTION
    # With dx_hat = dout * gamma: dx = (dx_hat - mean_d dx_hat - x_hat * mean_d(dx_hat * x_hat)) / sigma.
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma  # (N, D)
    dx = (dx_hat - dx_hat.mean(axis=1, keepdims=True)
          - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True)) / sigma
    ### END SOLUTION
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of images, per channel.

    x: (N, C, H, W); gamma, beta: (C,); bn_param as in batchnorm_forward, with (C,) running averages.
    Each channel is normalized over all N * H * W of its values: move the channel axis last,
    flatten to (N * H * W, C), call batchnorm_forward and undo the reshape.
    Returns out (N, C, H, W) and the cache (batchnorm_forward's).
    float32 in, float32 out.
    """
    N, C, H, W = x.shape
    ### BEGIN SOLUTION
    x_flat = x.transpose(0, 2, 3, 1).reshape(N * H * W, C)  # one row per pixel
    out_flat, cache = batchnorm_forward(x_flat, gamma, beta, bn_param)
    out = out_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Spatial batch normalization backward pass.

    dout: (N, C, H, W). Returns dx (N, C, H, W), dgamma (C,), dbeta (C,), by the same reshape
    as the forward pass around batchnorm_backward_alt.
    float32 in, float32 out.
    """
    N, C, H, W = dout.shape
    ### BEGIN SOLUTION
    dout_flat = dout.transpose(0, 2, 3, 1).reshape(N * H * W, C)
    dx_flat, dgamma, dbeta = batchnorm_backward_alt(dout_flat, cache)
    dx = dx_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group normalization forward pass (Wu & He 2018, eq. (1)-(3)); the same in train and test.

    x: (N, C, H, W) with C divisible by G (else ValueError); gamma, beta: (C,).
    gn_param: eps (default 1e-5); other keys are ignored.
    Group g holds channels g * C/G ... (g + 1) * C/G - 1. For each example n and group g,
    mu and var (biased) are taken over the C/G * H * W values of the group, then
    x_hat = (x - mu) / sqrt(var + eps) and out = gamma[c] * x_hat + beta[c] per channel c.
    Returns out (N, C, H, W) and the cache.
    float32 in, float32 out.
    """
    N, C, H, W = x.shape
    if G < 1 or C % G != 0:
        raise ValueError(f"the number of channels C={C} must be divisible by the number of groups G={G}.")
    eps = gn_param.get("eps", DEFAULT_EPS)
    ### BEGIN SOLUTION
    x_g = x.reshape(N, G, C // G, H, W)
    mu = x_g.mean(axis=GROUP_AXES, keepdims=True)  # (N, G, 1, 1, 1)
    sigma = np.sqrt(x_g.var(axis=GROUP_AXES, keepdims=True) + eps)  # (N, G, 1, 1, 1)
    x_hat = ((x_g - mu) / sigma).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    ### END SOLUTION
    cache = (sigma, x_hat, gamma, G)
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """Group normalization backward pass.

    dout: (N, C, H, W). Returns dx (N, C, H, W), dgamma (C,), dbeta (C,).
    Per (example, group), the closed form of layernorm_backward over the group's C/G * H * W
    values, with gamma and beta per channel.
    float32 in, float32 out.
    """
    sigma, x_hat, gamma, G = cache
    N, C, H, W = dout.shape
    ### BEGIN SOLUTION
    # dx = (dx_hat - mean dx_hat - x_hat * mean(dx_hat * x_hat)) / sigma per group, dx_hat = dout * gamma[c].
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx_hat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, C // G, H, W)
    x_hat_g = x_hat.reshape(N, G, C // G, H, W)
    dx = (dx_hat - dx_hat.mean(axis=GROUP_AXES, keepdims=True)
          - x_hat_g * (dx_hat * x_hat_g).mean(axis=GROUP_AXES, keepdims=True)) / sigma
    dx = dx.reshape(N, C, H, W)
    ### END SOLUTION
    return dx, dgamma, dbeta
