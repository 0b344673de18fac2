"""First-order update rules for gradient descent.

Every rule in this module has the same signature:

    next_w, config = rule(w, dw, config=None)

* w: the current parameters, an array of any shape.
* dw: the gradient of the loss with respect to w, same shape as w.
* config: a dict owned by the caller. It holds the rule's hyperparameters (learning_rate,
  momentum, ...) and the state the rule keeps between calls (velocity, cache, m, v, t).
  config=None starts a new dict. Every key the caller leaves out is filled with its default by
  config.setdefault(...), so a caller sets only what it wants to change.
* Returns next_w (same shape as w) and config, holding the state for the next call.

A rule never writes into w, dw or the state arrays it finds in config: it computes new arrays and
stores them under the same keys (the caller may still hold the old ones, e.g. to compare steps).
"""
import numpy as np


def _own(config):
    """The caller's config, or a new dict when there is none."""
    return {} if config is None else config


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent.

    w, dw: same shape. config: learning_rate (default 1e-2).
    next_w = w - learning_rate * dw
    """
    config = _own(config)
    config.setdefault("learning_rate", 1e-2)
    next_w = w - config["learning_rate"] * dw
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum (Polyak 1964): the velocity accumulates past gradients.

    w, dw: same shape. config: learning_rate (1e-2), momentum (0.9), velocity (zeros, w's shape).
    v = momentum * v - learning_rate * dw
    next_w = w + v
    """
    config = _own(config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    config.setdefault("velocity", np.zeros_like(w))
    learning_rate, momentum, v = config["learning_rate"], config["momentum"], config["velocity"]
    ### BEGIN SOLUTION
    v = momentum * v - learning_rate * dw
    next_w = w + v
    ### END SOLUTION
    config["velocity"] = v
    return next_w, config


def nesterov_momentum(w, dw, config=None):
    """Nesterov accelerated gradient (Sutskever et al. 2013), in the parameters actually stored.

    Nesterov's method evaluates the gradient at the look-ahead point w + momentum * v. Following
    Bengio et al. 2012, w here IS that look-ahead point, so dw is the gradient at w and the
    update becomes a momentum step with a correction:

    w, dw: same shape. config: learning_rate (1e-2), momentum (0.9), velocity (zeros, w's shape).
    v_prev = v
    v = momentum * v - learning_rate * dw
    next_w = w - momentum * v_prev + (1 + momentum) * v
    """
    config = _own(config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    config.setdefault("velocity", np.zeros_like(w))
    learning_rate, momentum, v = config["learning_rate"], config["momentum"], config["velocity"]
    ### BEGIN SOLUTION
    v_prev = v
    v = momentum * v - learning_rate * dw
    next_w = w - momentum * v_prev + (1 + momentum) * v
    ### END SOLUTION
    config["velocity"] = v
    return next_w, config


def adagrad(w, dw, config=None):
    """AdaGrad (Duchi et al. 2011): per-weight steps shrink with the sum of squared gradients.

    w, dw: same shape. config: learning_rate (1e-2), epsilon (1e-8), cache (zeros, w's shape).
    cache = cache + dw^2
    next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)
    """
    config = _own(config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    learning_rate, epsilon, cache = config["learning_rate"], config["epsilon"], config["cache"]
    ### BEGIN SOLUTION
    cache = cache + dw * dw
    next_w = w - learning_rate * dw / (np.sqrt(cache) + epsilon)
    ### END SOLUTION
    config["cache"] = cache
    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSProp (Tieleman & Hinton 2012): AdaGrad with a leaky, moving average of dw^2.

    w, dw: same shape. config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8),
    cache (zeros, w's shape).
    cache = decay_rate * cache + (1 - decay_rate) * dw^2
    next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)
    """
    config = _own(config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    learning_rate, decay_rate = config["learning_rate"], config["decay_rate"]
    epsilon, cache = config["epsilon"], config["cache"]
    ### BEGIN SOLUTION
    cache = decay_rate * cache + (1 - decay_rate) * dw * dw
    next_w = w - learning_rate * dw / (np.sqrt(cache) + epsilon)
    ### END SOLUTION
    config["cache"] = cache
    return next_w, config


def adam(w, dw, config=None):
    """Adam (Kingma & Ba 2015, Algorithm 1): moving averages of dw and dw^2, bias-corrected.

    w, dw: same shape. config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8),
    m and v (zeros, w's shape), t (0: the number of steps taken so far).
    t = t + 1                                  (first, so the first step uses t = 1)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw^2
    m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
    next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)
    Kingma & Ba's reordered form, alpha_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t) and
    next_w = w - alpha_t * m / (sqrt(v) + epsilon), is graded as the same.
    """
    config = _own(config)
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    learning_rate, epsilon = config["learning_rate"], config["epsilon"]
    beta1, beta2 = config["beta1"], config["beta2"]
    m, v, t = config["m"], config["v"], config["t"]
    ### BEGIN SOLUTION
    t = t + 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    next_w = w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
    ### END SOLUTION
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config


RULES = {
    "sgd": sgd,
    "sgd_momentum": sgd_momentum,
    "nesterov_momentum": nesterov_momentum,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}


def get_rule(name):
    """The update rule called `name` (a key of RULES)."""
    if name not in RULES:
        raise ValueError(f"unknown update rule {name!r}; choose one of {', '.join(RULES)}.")
    return RULES[name]
