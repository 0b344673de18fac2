"""Buggy update rules."""
import numpy as np

from trainlab import optimizers as ref

from . import mutant

T = "optimizers"


def _adam_config(w, config):
    config = {} if config is None else config
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, default)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    return config


def _adam_hats(dw, config, t):
    """Moments stored with this t, then bias-corrected with it: (m_hat, v_hat)."""
    m, v = _adam_moments(dw, config, t)
    return m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)


def _adam_moments(dw, config, t):
    b1, b2 = config["beta1"], config["beta2"]
    m = b1 * config["m"] + (1 - b1) * dw
    v = b2 * config["v"] + (1 - b2) * dw * dw
    config["m"], config["v"], config["t"] = m, v, t
    return m, v


@mutant(f"{T}.adam", "no bias correction", hint='bias correction')
def adam_uncorrected(w, dw, config=None):
    config = _adam_config(w, config)
    m, v = _adam_moments(dw, config, config["t"] + 1)
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


@mutant(f"{T}.adam", "t incremented after it is used", hint='increment t')
def adam_late_t(w, dw, config=None):
    config = _adam_config(w, config)
    t = config["t"]
    m, v = _adam_moments(dw, config, t + 1)
    m_hat, v_hat = m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


@mutant(f"{T}.adam", "beta1 and beta2 swapped", hint='beta1 weights')
def adam_swapped_betas(w, dw, config=None):
    config = _adam_config(w, config)
    b1, b2 = config["beta1"], config["beta2"]
    config["beta1"], config["beta2"] = b2, b1
    next_w, config = ref.adam(w, dw, config)
    config["beta1"], config["beta2"] = b1, b2
    return next_w, config


@mutant(f"{T}.adam", "divides by v_hat instead of sqrt(v_hat)", hint='SQUARE ROOT')
def adam_no_sqrt(w, dw, config=None):
    config = _adam_config(w, config)
    t = config["t"] + 1
    m_hat, v_hat = _adam_hats(dw, config, t)
    return w - config["learning_rate"] * m_hat / (v_hat + config["epsilon"]), config


@mutant(f"{T}.adam", "epsilon inside the square root", hint='epsilon goes after the square root')
def adam_epsilon_inside(w, dw, config=None):
    config = _adam_config(w, config)
    t = config["t"] + 1
    m_hat, v_hat = _adam_hats(dw, config, t)
    return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"]), config


@mutant(f"{T}.adam", "updates m and v in place (config['m'] *= beta1)", hint='caller')
def adam_in_place_state(w, dw, config=None):
    config = _adam_config(w, config)
    b1, b2 = config["beta1"], config["beta2"]
    config["m"] *= b1
    config["m"] += (1 - b1) * dw
    config["v"] *= b2
    config["v"] += (1 - b2) * dw * dw
    config["t"] += 1
    t = config["t"]
    m_hat, v_hat = config["m"] / (1 - b1**t), config["v"] / (1 - b2**t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


@mutant(f"{T}.adam", "default learning rate 1e-2 instead of 1e-3", hint='the default')
def adam_wrong_default(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return ref.adam(w, dw, config)


def _momentum_config(w, config):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    config.setdefault("velocity", np.zeros_like(w))
    return config


@mutant(f"{T}.sgd_momentum", "velocity climbs the gradient: v = momentum * v + lr * dw", hint='against the gradient')
def momentum_wrong_sign(w, dw, config=None):
    config = _momentum_config(w, config)
    v = config["momentum"] * config["velocity"] + config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


@mutant(f"{T}.sgd_momentum", "velocity not stored back into config", hint="stored back into config['velocity']")
def momentum_forgets_velocity(w, dw, config=None):
    config = _momentum_config(w, config)
    v = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    return w + v, config


@mutant(f"{T}.sgd_momentum", "updates the velocity in place (config['velocity'] *= momentum)", hint='caller')
def momentum_in_place_state(w, dw, config=None):
    config = _momentum_config(w, config)
    config["velocity"] *= config["momentum"]
    config["velocity"] -= config["learning_rate"] * dw
    return w + config["velocity"], config


@mutant(f"{T}.sgd_momentum", "works on a copy of config instead of the caller's dict", hint='return that same dict')
def momentum_copies_config(w, dw, config=None):
    return ref.sgd_momentum(w, dw, dict(config or {}))


@mutant(f"{T}.nesterov_momentum", "plain momentum step (no look-ahead correction)", hint='plain momentum step')
def nesterov_as_momentum(w, dw, config=None):
    return ref.sgd_momentum(w, dw, config)


@mutant(f"{T}.nesterov_momentum", "correction with the wrong sign: w + momentum * v_prev + (1 + momentum) * v",
        hint='correction is subtracted')
def nesterov_wrong_sign(w, dw, config=None):
    config = _momentum_config(w, config)
    momentum, v_prev = config["momentum"], config["velocity"]
    v = momentum * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w + momentum * v_prev + (1 + momentum) * v, config


def _cache_config(w, config, **defaults):
    config = {} if config is None else config
    for key, default in {"learning_rate": 1e-2, "epsilon": 1e-8, **defaults}.items():
        config.setdefault(key, default)
    config.setdefault("cache", np.zeros_like(w))
    return config


@mutant(f"{T}.rmsprop", "decay applied to the gradient term: decay * dw^2 + (1 - decay) * cache",
        hint='weights the OLD cache')
def rmsprop_swapped_decay(w, dw, config=None):
    config = _cache_config(w, config, decay_rate=0.99)
    decay = config["decay_rate"]
    cache = decay * dw * dw + (1 - decay) * config["cache"]
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


@mutant(f"{T}.rmsprop", "epsilon inside the square root", hint='epsilon goes after the square root')
def rmsprop_epsilon_inside(w, dw, config=None):
    config = _cache_config(w, config, decay_rate=0.99)
    decay = config["decay_rate"]
    cache = decay * config["cache"] + (1 - decay) * dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config


@mutant(f"{T}.adagrad", "no accumulation: cache = dw^2", hint='cache accumulates')
def adagrad_no_accumulation(w, dw, config=None):
    config = _cache_config(w, config)
    cache = dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


@mutant(f"{T}.adagrad", "epsilon inside the square root", hint='epsilon goes after the square root')
def adagrad_epsilon_inside(w, dw, config=None):
    config = _cache_config(w, config)
    cache = config["cache"] + dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config


@mutant(f"{T}.adagrad", "accumulates into the cache in place (config['cache'] += dw**2)", hint='caller')
def adagrad_in_place_state(w, dw, config=None):
    config = _cache_config(w, config)
    config["cache"] += dw * dw
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


@mutant(f"{T}.sgd", "updates w in place (w -= lr * dw; return w)", hint='caller')
def sgd_in_place(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config


@mutant(f"{T}.sgd", "ignores the learning rate the caller set", hint='setdefault')
def sgd_fixed_rate(w, dw, config=None):
    next_w, config = ref.sgd(w, dw, None)
    return next_w, config


@mutant(f"{T}.sgd_momentum", "default learning rate 1e-3 (Adam's) instead of 1e-2", hint='the default')
def momentum_wrong_default(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    return ref.sgd_momentum(w, dw, config)


@mutant(f"{T}.nesterov_momentum", "default momentum 0.99 instead of 0.9", hint='the default')
def nesterov_wrong_default(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("momentum", 0.99)
    return ref.nesterov_momentum(w, dw, config)


@mutant(f"{T}.nesterov_momentum", "velocity not stored back into config", hint="stored back into config['velocity']")
def nesterov_forgets_velocity(w, dw, config=None):
    config = _momentum_config(w, config)
    momentum, v_prev = config["momentum"], config["velocity"]
    v = momentum * v_prev - config["learning_rate"] * dw
    return w - momentum * v_prev + (1 + momentum) * v, config


@mutant(f"{T}.nesterov_momentum", "builds and returns a new config dict; the caller's is left as it was",
        hint='return that same dict')
def nesterov_new_dict(w, dw, config=None):
    config = _momentum_config(w, dict(config or {}))
    next_w, _ = ref.nesterov_momentum(w, dw, config)
    return next_w, config


@mutant(f"{T}.nesterov_momentum", "updates the velocity in place (config['velocity'] *= momentum)", hint='caller')
def nesterov_in_place_state(w, dw, config=None):
    config = _momentum_config(w, config)
    momentum = config["momentum"]
    v_prev = config["velocity"].copy()
    config["velocity"] *= momentum
    config["velocity"] -= config["learning_rate"] * dw
    return w - momentum * v_prev + (1 + momentum) * config["velocity"], config


@mutant(f"{T}.adagrad", "default epsilon 1e-7 (Keras') instead of 1e-8", hint=('the default', 'not the constant'))
def adagrad_wrong_default(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("epsilon", 1e-7)
    return ref.adagrad(w, dw, config)


@mutant(f"{T}.rmsprop", "default decay_rate 0.9 instead of 0.99", hint='the default')
def rmsprop_wrong_default(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("decay_rate", 0.9)
    return ref.rmsprop(w, dw, config)


@mutant(f"{T}.rmsprop", "overwrites the caller's decay_rate: config['decay_rate'] = 0.99, not setdefault",
        hint='setdefault')
def rmsprop_overwrites_hyperparameter(w, dw, config=None):
    config = {} if config is None else config
    config["decay_rate"] = 0.99
    return ref.rmsprop(w, dw, config)


@mutant(f"{T}.rmsprop", "updates the cache in place (config['cache'] *= decay_rate)", hint='caller')
def rmsprop_in_place_state(w, dw, config=None):
    config = _cache_config(w, config, decay_rate=0.99)
    decay = config["decay_rate"]
    config["cache"] *= decay
    config["cache"] += (1 - decay) * dw * dw
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


@mutant(f"{T}.adagrad", "copies config (config = dict(config)), so the caller's dict never sees the new cache",
        hint='return that same dict')
def adagrad_copied_config(w, dw, config=None):
    return ref.adagrad(w, dw, dict(config or {}))


@mutant(f"{T}.sgd_momentum", "written as Nesterov: w - momentum * v_prev + (1 + momentum) * v",
        hint="Nesterov's look-ahead")
def sgd_momentum_as_nesterov(w, dw, config=None):
    config = {} if config is None else config
    v_prev = config.get("velocity", np.zeros_like(w))
    next_w, config = ref.sgd_momentum(w, dw, config)
    return w - config["momentum"] * v_prev + (1 + config["momentum"]) * config["velocity"], config


@mutant(f"{T}.rmsprop", "no square root: dw / (cache + epsilon)", hint='SQUARE ROOT')
def rmsprop_no_sqrt(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2), config.setdefault("decay_rate", 0.99), config.setdefault("epsilon", 1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config


@mutant(f"{T}.adam", "hard-coded epsilon 1e-7 instead of config['epsilon']", hint='not the constant')
def adam_fixed_epsilon(w, dw, config=None):
    config = _adam_config(w, config)
    t = config["t"] + 1
    m_hat, v_hat = _adam_hats(dw, config, t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + 1e-7), config


@mutant(f"{T}.adam", "t never incremented: bias correction with t = 0 divides by zero", hint='increment t')
def adam_t_zero(w, dw, config=None):
    config = _adam_config(w, config)
    t = config["t"]
    m_hat, v_hat = _adam_hats(dw, config, t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
