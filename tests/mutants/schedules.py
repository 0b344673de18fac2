"""Buggy learning-rate schedules."""
import math

import numpy as np

from trainlab import schedules as ref

from . import mutant

T = "schedules"


@mutant(f"{T}.step_decay", "no floor: lr0 * drop ** (epoch / every)", hint='floor')
def step_decay_smooth(lr0, epoch, drop=0.5, every=10):
    ref._positive("every", every)
    return lr0 * drop ** (ref._epochs(epoch) / every)


@mutant(f"{T}.step_decay", "math.floor: works for one epoch, not for an array", hint='NumPy functions')
def step_decay_scalar_only(lr0, epoch, drop=0.5, every=10):
    e = ref._epochs(epoch)
    ref._positive("every", every)
    return lr0 * drop ** math.floor(e / every)


@mutant(f"{T}.exponential_decay", "grows: exp(+k * epoch)", hint='only shrinks')
def exponential_growth(lr0, epoch, k=0.1):
    return lr0 * np.exp(k * ref._epochs(epoch))


@mutant(f"{T}.exponential_decay", "off by one: exp(-k * (epoch + 1))", hint='off-by-one')
def exponential_off_by_one(lr0, epoch, k=0.1):
    return ref.exponential_decay(lr0, ref._epochs(epoch) + 1, k)


@mutant(f"{T}.inverse_time_decay", "off by one: lr0 / (1 + k * (epoch + 1))", hint='off-by-one')
def inverse_time_off_by_one(lr0, epoch, k=0.1):
    return ref.inverse_time_decay(lr0, ref._epochs(epoch) + 1, k)


@mutant(f"{T}.cosine_decay", "cos(progress) without pi", hint='pi * progress')
def cosine_without_pi(lr0, epoch, total, lr_min=0.0):
    ref._positive("total", total)
    progress = np.minimum(ref._epochs(epoch), total) / total
    return lr_min + (lr0 - lr_min) * (1 + np.cos(progress)) / 2


@mutant(f"{T}.cosine_decay", "ignores lr_min (decays to 0)", hint='lr_min')
def cosine_ignores_floor(lr0, epoch, total, lr_min=0.0):
    return ref.cosine_decay(lr0, epoch, total)


@mutant(f"{T}.cosine_decay", "not clamped: climbs back up after total", hint=('min(epoch, total)', 'only shrinks'))
def cosine_unclamped(lr0, epoch, total, lr_min=0.0):
    ref._positive("total", total)
    progress = ref._epochs(epoch) / total
    return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * progress)) / 2


@mutant(f"{T}.linear_warmup", "wrapped schedule not restarted at the end of the warm-up", hint='epoch - warmup')
def warmup_unshifted(lr0, epoch, warmup, schedule="constant", **params):
    e = ref._epochs(epoch)
    ref._positive("warmup", warmup)
    return np.where(e < warmup, lr0 * e / warmup, ref.get_schedule(schedule)(lr0, e, **params))


@mutant(f"{T}.linear_warmup", "ramp off by one: lr0 * (epoch + 1) / warmup", hint='off-by-one')
def warmup_ramp_off_by_one(lr0, epoch, warmup, schedule="constant", **params):
    e = ref._epochs(epoch)
    ref._positive("warmup", warmup)
    after = ref.get_schedule(schedule)(lr0, np.maximum(e - warmup, 0), **params)
    return np.where(e < warmup, lr0 * (e + 1) / warmup, after)


@mutant(f"{T}.step_decay", "multiplies instead of raising to a power: lr0 * drop * floor(epoch / every)",
        hint='raise drop to the power')
def step_decay_times(lr0, epoch, drop=0.5, every=10):
    e = ref._epochs(epoch)
    ref._positive("every", every)
    return lr0 * drop * np.floor(e / every)


@mutant(f"{T}.step_decay", "rewritten without the scaffold's argument checks (_epochs, _positive)",
        hint='when to raise ValueError')
def step_decay_unchecked(lr0, epoch, drop=0.5, every=10):
    return lr0 * drop ** np.floor(np.asarray(epoch, dtype=np.float64) / every)


@mutant(f"{T}.exponential_decay", "math.exp: works for one epoch, not for an array", hint='NumPy functions')
def exponential_math_exp(lr0, epoch, k=0.1):
    return lr0 * math.exp(-k * ref._epochs(epoch))


@mutant(f"{T}.exponential_decay", "rewritten without the scaffold's epoch check", hint='when to raise ValueError')
def exponential_unchecked(lr0, epoch, k=0.1):
    return lr0 * np.exp(-k * np.asarray(epoch, dtype=np.float64))


@mutant(f"{T}.inverse_time_decay", "precedence slip: lr0 / 1 + k * epoch", hint='lr0 / (1 + k * epoch)')
def inverse_time_precedence(lr0, epoch, k=0.1):
    e = ref._epochs(epoch)
    return lr0 / 1 + k * e


@mutant(f"{T}.inverse_time_decay", "returns float(lr): works for one epoch, not for an array", hint='NumPy functions')
def inverse_time_float(lr0, epoch, k=0.1):
    e = ref._epochs(epoch)
    return float(lr0 / (1 + k * e))


@mutant(f"{T}.inverse_time_decay", "rewritten without the scaffold's epoch check", hint='when to raise ValueError')
def inverse_time_unchecked(lr0, epoch, k=0.1):
    return lr0 / (1 + k * np.asarray(epoch, dtype=np.float64))


@mutant(f"{T}.cosine_decay", "off by one: progress = (epoch + 1) / total", hint='off-by-one')
def cosine_off_by_one(lr0, epoch, total, lr_min=0.0):
    ref._positive("total", total)
    progress = np.minimum(ref._epochs(epoch) + 1, total) / total
    return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * progress)) / 2


@mutant(f"{T}.cosine_decay", "Python min() instead of np.minimum: fails on an array", hint='NumPy functions')
def cosine_python_min(lr0, epoch, total, lr_min=0.0):
    e = ref._epochs(epoch)
    ref._positive("total", total)
    progress = min(e, total) / total
    return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * progress)) / 2


@mutant(f"{T}.cosine_decay", "rewritten without the scaffold's argument checks (_epochs, _positive)",
        hint='when to raise ValueError')
def cosine_unchecked(lr0, epoch, total, lr_min=0.0):
    progress = np.minimum(np.asarray(epoch, dtype=np.float64), total) / total
    return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * progress)) / 2


@mutant(f"{T}.linear_warmup", "if/else on the epoch instead of np.where: fails on an array", hint='NumPy functions')
def warmup_if_else(lr0, epoch, warmup, schedule="constant", **params):
    e = ref._epochs(epoch)
    ref._positive("warmup", warmup)
    if e < warmup:
        return lr0 * e / warmup
    return ref.get_schedule(schedule)(lr0, e - warmup, **params)


@mutant(f"{T}.linear_warmup", "rewritten without the scaffold's warmup check", hint='when to raise ValueError')
def warmup_unchecked(lr0, epoch, warmup, schedule="constant", **params):
    e = ref._epochs(epoch)
    after = ref.get_schedule(schedule)(lr0, np.maximum(e - warmup, 0), **params)
    return np.where(e < warmup, lr0 * e / warmup, after)
