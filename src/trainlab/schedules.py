"""Learning-rate schedules: lr = schedule(lr0, epoch, **params).

* lr0: the initial learning rate, a float.
* epoch: how far training has got (an epoch or a step count), a non-negative number or an array
  of them of any shape. The result has epoch's shape, so a whole curve is one call:
  `cosine_decay(0.1, np.arange(100), total=100)`.

Every function is pure. The decaying schedules start at lr0 (epoch 0) and never increase
(given drop <= 1 and k >= 0).
A negative epoch, or a period such as `total`, `every` or `warmup` that is not positive, raises
ValueError.
"""
import numpy as np


def _epochs(epoch):
    """epoch as a float64 array (0-d for a scalar), after checking that none is negative."""
    e = np.asarray(epoch, dtype=np.float64)
    if np.any(np.isnan(e)) or np.any(e < 0):
        raise ValueError(f"epoch must be a non-negative number (or an array of them), got {epoch!r}.")
    return e


def _positive(name, value):
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}.")


def constant(lr0, epoch):
    """lr = lr0 at every epoch."""
    e = _epochs(epoch)
    return lr0 * np.ones_like(e)


def step_decay(lr0, epoch, drop=0.5, every=10):
    """Multiply the rate by `drop` once every `every` epochs.

    lr = lr0 * drop^floor(epoch / every)
    """
    e = _epochs(epoch)
    _positive("every", every)
    ### BEGIN SOLUTION
    lr = lr0 * drop ** np.floor(e / every)
    ### END SOLUTION
    return lr


def exponential_decay(lr0, epoch, k=0.1):
    """lr = lr0 * exp(-k * epoch)."""
    e = _epochs(epoch)
    ### BEGIN SOLUTION
    lr = lr0 * np.exp(-k * e)
    ### END SOLUTION
    return lr


def inverse_time_decay(lr0, epoch, k=0.1):
    """lr = lr0 / (1 + k * epoch)."""
    e = _epochs(epoch)
    ### BEGIN SOLUTION
    lr = lr0 / (1 + k * e)
    ### END SOLUTION
    return lr


def cosine_decay(lr0, epoch, total, lr_min=0.0):
    """Half a cosine from lr0 down to lr_min over `total` epochs (Loshchilov & Hutter 2017, eq. 5,
    one cycle without restarts); after `total` the rate stays at lr_min.

    progress = min(epoch, total) / total
    lr = lr_min + (lr0 - lr_min) * (1 + cos(pi * progress)) / 2
    """
    e = _epochs(epoch)
    _positive("total", total)
    progress = np.minimum(e, total) / total
    ### BEGIN SOLUTION
    lr = lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * progress)) / 2
    ### END SOLUTION
    return lr


def linear_decay(lr0, epoch, total):
    """A straight line from lr0 down to 0 over `total` epochs, then 0 (given, not graded).

    lr = lr0 * (1 - min(epoch, total) / total)
    """
    e = _epochs(epoch)
    _positive("total", total)
    return lr0 * (1 - np.minimum(e, total) / total)


def inverse_sqrt_decay(lr0, epoch, k=1.0):
    """The rate falls like one over the square root of time, as after the warm-up of the Transformer
    (Vaswani et al. 2017, section 5.3); shifted by one so that it starts at lr0 (given, not graded).

    lr = lr0 / sqrt(1 + k * epoch)
    """
    e = _epochs(epoch)
    return lr0 / np.sqrt(1 + k * e)


SCHEDULES = {
    "constant": constant,
    "step_decay": step_decay,
    "exponential_decay": exponential_decay,
    "inverse_time_decay": inverse_time_decay,
    "cosine_decay": cosine_decay,
    "linear_decay": linear_decay,
    "inverse_sqrt_decay": inverse_sqrt_decay,
}


def get_schedule(name):
    """The schedule called `name` (a key of SCHEDULES)."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}.")
    return SCHEDULES[name]


def linear_warmup(lr0, epoch, warmup, schedule="constant", **params):
    """Ramp linearly from 0 to lr0 over `warmup` epochs (Goyal et al. 2017), then follow the
    schedule called `schedule` (with **params), started afresh at the end of the warm-up.

    lr = lr0 * epoch / warmup                                 for epoch < warmup
    lr = SCHEDULES[schedule](lr0, epoch - warmup, **params)    for epoch >= warmup
    """
    e = _epochs(epoch)
    _positive("warmup", warmup)
    after = get_schedule(schedule)(lr0, np.maximum(e - warmup, 0), **params)
    ### BEGIN SOLUTION
    lr = np.where(e < warmup, lr0 * e / warmup, after)
    ### END SOLUTION
    return lr
