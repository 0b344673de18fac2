"""Correct update rules in other styles: in-place state updates, Kingma & Ba's reordered Adam."""
import numpy as np

from . import variant

T = "optimizers"


def _fill(config, w, **defaults):
    config = {} if config is None else config
    for key, value in defaults.items():
        config.setdefault(key, np.zeros_like(w) if value is None else value)
    return config


@variant(f"{T}.sgd_momentum", style="velocity updated in place (v *= momentum; v -= lr * dw)", breaks=("in-place",))
def momentum_in_place(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-2, momentum=0.9, velocity=None)
    v = config["velocity"]
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    return w + v, config


@variant(f"{T}.sgd_momentum", style="w += v on the weights after computing v", breaks=("in-place",))
def momentum_w_in_place(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-2, momentum=0.9, velocity=None)
    v = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    w += v
    config["velocity"] = v
    return w, config


@variant(f"{T}.nesterov_momentum", style="the look-ahead form w + momentum * v - ... rearranged: w - mu * v_prev + (1 + mu) * v")
def nesterov_rearranged(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-2, momentum=0.9, velocity=None)
    mu, v_prev = config["momentum"], config["velocity"]
    v = mu * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v + mu * (v - v_prev), config


@variant(f"{T}.adagrad", style="cache += dw ** 2 in place", breaks=("in-place",))
def adagrad_in_place(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-2, epsilon=1e-8, cache=None)
    config["cache"] += dw ** 2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


@variant(f"{T}.rmsprop", style="np.square and the leaky average written as cache + (1 - rho) * (dw^2 - cache)")
def rmsprop_delta(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8, cache=None)
    cache = config["cache"] + (1 - config["decay_rate"]) * (np.square(dw) - config["cache"])
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


@variant(f"{T}.adam", style="Kingma & Ba's reordered form: alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)")
def adam_reordered(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, m=None, v=None, t=0)
    b1, b2 = config["beta1"], config["beta2"]
    t = config["t"] + 1
    m = b1 * config["m"] + (1 - b1) * dw
    v = b2 * config["v"] + (1 - b2) * dw * dw
    alpha = config["learning_rate"] * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    config.update(m=m, v=v, t=t)
    return w - alpha * m / (np.sqrt(v) + config["epsilon"]), config


@variant(f"{T}.adam", style="moments updated in place (m *= beta1; m += (1 - beta1) * dw)", breaks=("in-place",))
def adam_in_place(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, m=None, v=None, t=0)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] += 1
    m, v, t = config["m"], config["v"], config["t"]
    m *= b1
    m += (1 - b1) * dw
    v *= b2
    v += (1 - b2) * dw ** 2
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


@variant(f"{T}.adam", style="extra keys of its own in config (the bias-corrected moments, the last step)")
def adam_extra_keys(w, dw, config=None):
    config = _fill(config, w, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, m=None, v=None, t=0)
    b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1
    m = b1 * config["m"] + (1 - b1) * dw
    v = b2 * config["v"] + (1 - b2) * dw * dw
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    step = config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config.update(m=m, v=v, t=t, m_hat=m_hat, v_hat=v_hat, last_step=step)
    return w - step, config
