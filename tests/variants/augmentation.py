"""Correct augmentation in other styles."""
import numpy as np

from . import variant

T = "augmentation"


@variant(f"{T}.random_flip", style="a copy flipped image by image in a loop")
def random_flip_loop(x, rng, flip_prob=0.5):
    if not 0 <= flip_prob <= 1:
        raise ValueError(f"flip_prob must be in [0, 1], got {flip_prob!r}")
    flipped = rng.random(x.shape[0]) < flip_prob
    out = x.copy()
    for n in np.flatnonzero(flipped):
        out[n] = x[n, :, :, ::-1]
    return out


@variant(f"{T}.cutout", style="slices clipped with max(0, .) in a loop over images")
def cutout_loop(x, rng, size=8):
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size!r}")
    N, C, H, W = x.shape
    cy, cx = rng.integers(0, H, size=N), rng.integers(0, W, size=N)
    out = x.copy()
    for n in range(N):
        top, left = cy[n] - size // 2, cx[n] - size // 2
        out[n, :, max(top, 0):max(top + size, 0), max(left, 0):max(left + size, 0)] = 0
    return out
