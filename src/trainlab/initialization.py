"""Weight initializers.

Shapes: a dense weight is (D_in, D_out), used as `x @ w`; a conv filter bank is (F, C, HH, WW)
(F filters over C input channels with an HH x WW window).

Randomness: every initializer takes an explicit `np.random.Generator` and draws from it exactly
once, so the same seed gives the same weights, bit for bit:

    normal initializers:   w = std * rng.standard_normal(shape)
    uniform initializers:  w = rng.uniform(-bound, bound, shape), bound = sqrt(3) * std

(U(-a, a) has variance a^2 / 3, so bound = sqrt(3 * var) gives the same variance as the normal
version.) Every initializer returns a float64 array of the given shape.
"""
import numpy as np

XAVIER_MODES = ("average", "fan_in")
KAIMING_MODES = ("fan_in", "fan_out")


def _check_mode(mode, allowed):
    if mode not in allowed:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(repr(m) for m in allowed)}.")


def fan_in_and_fan_out(shape):
    """Number of inputs and outputs that one weight connects.

    shape: (D_in, D_out) for a dense layer -> fan_in = D_in, fan_out = D_out.
           (F, C, HH, WW) for a conv layer -> every output sees C * HH * WW inputs and every input
           reaches F * HH * WW outputs: fan_in = C * HH * WW, fan_out = F * HH * WW.
    Returns (fan_in, fan_out) as ints; other ranks raise ValueError.
    """
    shape = tuple(int(d) for d in shape)
    if len(shape) not in (2, 4):
        raise ValueError(f"expected a dense (D_in, D_out) or conv (F, C, HH, WW) weight shape, got {shape}.")
    ### BEGIN SOLUTION
    if len(shape) == 2:
        fan_in, fan_out = shape
    else:
        F, C, HH, WW = shape
        fan_in, fan_out = C * HH * WW, F * HH * WW
    ### END SOLUTION
    return fan_in, fan_out


def gaussian_init(shape, std, rng):
    """Small random numbers: w ~ N(0, std^2), drawn as w = std * rng.standard_normal(shape)."""
    ### BEGIN SOLUTION
    w = std * rng.standard_normal(shape)
    ### END SOLUTION
    return w


def xavier_normal(shape, rng, mode="average"):
    """Glorot & Bengio 2010, "Understanding the difficulty of training deep feedforward networks".

    var = 2 / (fan_in + fan_out) for mode 'average' (the paper: keeps both the forward activations'
    and the backward gradients' variance), var = 1 / fan_in for mode 'fan_in' (the lecture's
    forward-only variant). w = sqrt(var) * rng.standard_normal(shape).
    """
    _check_mode(mode, XAVIER_MODES)
    fan_in, fan_out = fan_in_and_fan_out(shape)
    ### BEGIN SOLUTION
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    w = np.sqrt(var) * rng.standard_normal(shape)
    ### END SOLUTION
    return w


def xavier_uniform(shape, rng, mode="average"):
    """Glorot & Bengio 2010, uniform version (their eq. 16 for mode 'average').

    var as in xavier_normal; w = rng.uniform(-bound, bound, shape) with bound = sqrt(3 * var),
    i.e. bound = sqrt(6 / (fan_in + fan_out)) for mode 'average'.
    """
    _check_mode(mode, XAVIER_MODES)
    fan_in, fan_out = fan_in_and_fan_out(shape)
    ### BEGIN SOLUTION
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    bound = np.sqrt(3.0 * var)
    w = rng.uniform(-bound, bound, shape)
    ### END SOLUTION
    return w


def _kaiming_fan(shape, mode):
    _check_mode(mode, KAIMING_MODES)
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


def kaiming_normal(shape, rng, negative_slope=0.0, mode="fan_in"):
    """He et al. 2015, "Delving Deep into Rectifiers", eq. (10) for (leaky) ReLU networks.

    gain = sqrt(2 / (1 + negative_slope^2)) (sqrt(2) for ReLU), std = gain / sqrt(fan) with
    fan = fan_in (mode 'fan_in': keeps the forward variance) or fan_out (mode 'fan_out': keeps the
    backward variance). w = std * rng.standard_normal(shape).
    """
    fan = _kaiming_fan(shape, mode)
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    w = std * rng.standard_normal(shape)
    ### END SOLUTION
    return w


def kaiming_uniform(shape, rng, negative_slope=0.0, mode="fan_in"):
    """He et al. 2015, uniform version: std as in kaiming_normal,
    w = rng.uniform(-bound, bound, shape) with bound = sqrt(3) * std.
    """
    fan = _kaiming_fan(shape, mode)
    ### BEGIN SOLUTION
    bound = np.sqrt(3.0) * np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    w = rng.uniform(-bound, bound, shape)
    ### END SOLUTION
    return w
