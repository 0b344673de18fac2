"""Data augmentation on image batches.

Every function takes x of shape (N, C, H, W) and an explicit np.random.Generator `rng`, returns
new arrays (x is never modified) and keeps x's dtype. Each docstring says exactly which random
numbers are drawn and in which order, so that the same generator state always gives the same
batch: a different drawing order gives a different (equally valid) augmentation.
"""
import numpy as np

DEFAULT_FLIP_PROB = 0.5
DEFAULT_PADDING = 4  # pixels of zero padding before a random crop (CIFAR-10 style)
DEFAULT_CUTOUT_SIZE = 8  # side of the cutout square (DeVries & Taylor 2017 use 16 on CIFAR-10 32x32)
DEFAULT_MIXUP_ALPHA = 0.2  # Zhang et al. 2018 use alpha in [0.1, 0.4] on ImageNet


def random_flip(x, rng, flip_prob=DEFAULT_FLIP_PROB):
    """Flip each image horizontally (reverse the W axis) with probability flip_prob, independently.

    x: (N, C, H, W). Returns out (N, C, H, W).
    Draws rng.random(N) once; image n is flipped where that number is < flip_prob:
    out[n] = x[n, :, :, ::-1] if flipped else x[n].
    """
    if not 0 <= flip_prob <= 1:
        raise ValueError(f"flip_prob must be in [0, 1], got {flip_prob!r}")
    N = x.shape[0]
    ### BEGIN SOLUTION
    flipped = rng.random(N) < flip_prob  # (N,)
    out = np.where(flipped[:, None, None, None], x[:, :, :, ::-1], x)
    ### END SOLUTION
    return out


def random_crop(x, rng, crop=None, padding=DEFAULT_PADDING):
    """Zero-pad every image by `padding` pixels on each side of H and W, then crop a random window.

    x: (N, C, H, W); crop: (crop_h, crop_w), default (H, W). Returns out (N, C, crop_h, crop_w).
    With P = padding and x_pad of shape (N, C, H + 2P, W + 2P) (x in the middle, zeros around):
    draws tops = rng.integers(0, H + 2P - crop_h + 1, size=N), then
          lefts = rng.integers(0, W + 2P - crop_w + 1, size=N);
    out[n] = x_pad[n, :, tops[n]:tops[n] + crop_h, lefts[n]:lefts[n] + crop_w].
    """
    N, C, H, W = x.shape
    crop_h, crop_w = (H, W) if crop is None else crop
    if padding < 0 or not (0 < crop_h <= H + 2 * padding and 0 < crop_w <= W + 2 * padding):
        raise ValueError(f"a crop of {(crop_h, crop_w)} does not fit images of {(H, W)} padded by {padding}")
    ### BEGIN SOLUTION
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    tops = rng.integers(0, H + 2 * padding - crop_h + 1, size=N)
    lefts = rng.integers(0, W + 2 * padding - crop_w + 1, size=N)
    out = np.empty((N, C, crop_h, crop_w), dtype=x.dtype)
    for n in range(N):
        out[n] = x_pad[n, :, tops[n]:tops[n] + crop_h, lefts[n]:lefts[n] + crop_w]
    ### END SOLUTION
    return out


def cutout(x, rng, size=DEFAULT_CUTOUT_SIZE):
    """Cutout (DeVries & Taylor 2017): zero one random size x size square per image, all channels.

    x: (N, C, H, W). Returns out (N, C, H, W).
    Draws centers cy = rng.integers(0, H, size=N), then cx = rng.integers(0, W, size=N); the square
    covers rows cy - size // 2 <= r < cy - size // 2 + size and the same for columns around cx,
    clipped at the image border (so near a border fewer than size x size pixels are zeroed).
    """
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size!r}")
    N, C, H, W = x.shape
    ### BEGIN SOLUTION
    cy = rng.integers(0, H, size=N)
    cx = rng.integers(0, W, size=N)
    top, left = cy - size // 2, cx - size // 2  # (N,)
    rows, cols = np.arange(H), np.arange(W)
    in_rows = (rows >= top[:, None]) & (rows < top[:, None] + size)  # (N, H)
    in_cols = (cols >= left[:, None]) & (cols < left[:, None] + size)  # (N, W)
    square = in_rows[:, :, None] & in_cols[:, None, :]  # (N, H, W)
    out = np.where(square[:, None], 0, x)
    ### END SOLUTION
    return out


def _soft_labels(y, num_classes):
    """(N, K) float64 labels: one-hot rows for integer labels y (N,); y itself if already (N, K)."""
    if y.ndim == 2:
        return y.astype(np.float64)
    K = int(y.max()) + 1 if num_classes is None else num_classes
    return np.eye(K)[y]


def mixup(x, y, rng, alpha=DEFAULT_MIXUP_ALPHA, num_classes=None):
    """Mixup (Zhang et al. 2018): train on convex combinations of pairs of examples and labels.

    x: (N, C, H, W); y: (N,) integer labels (num_classes defaults to max(y) + 1) or (N, K) soft
    labels. Returns x_mix (N, C, H, W), dtype of x, and y_mix (N, K) float64 soft labels.
    Draws lam = rng.beta(alpha, alpha) once for the whole batch, then perm = rng.permutation(N);
    x_mix = lam * x + (1 - lam) * x[perm], y_mix = lam * y_soft + (1 - lam) * y_soft[perm].
    """
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha!r}")
    N = x.shape[0]
    y_soft = _soft_labels(y, num_classes)  # (N, K)
    ### BEGIN SOLUTION
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(N)
    x_mix = lam * x + (1 - lam) * x[perm]
    y_mix = lam * y_soft + (1 - lam) * y_soft[perm]
    ### END SOLUTION
    return x_mix, y_mix
