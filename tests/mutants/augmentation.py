"""Buggy augmentation."""
import numpy as np

from trainlab import augmentation as ref

from . import mutant

T = "augmentation"


@mutant(f"{T}.random_flip", "reverses the H axis (vertical flip)", hint='last (W) axis')
def flip_vertical(x, rng, flip_prob=ref.DEFAULT_FLIP_PROB):
    flipped = rng.random(x.shape[0]) < flip_prob
    return np.where(flipped[:, None, None, None], x[:, :, ::-1, :], x)


@mutant(f"{T}.random_flip", "flips where rng.random(N) >= flip_prob", hint='probability of flipping')
def flip_inverted_prob(x, rng, flip_prob=ref.DEFAULT_FLIP_PROB):
    flipped = rng.random(x.shape[0]) >= flip_prob
    return np.where(flipped[:, None, None, None], x[:, :, :, ::-1], x)


@mutant(f"{T}.random_flip", "draws from the global np.random", hint='never from np.random')
def flip_global_rng(x, rng, flip_prob=ref.DEFAULT_FLIP_PROB):
    flipped = np.random.random(x.shape[0]) < flip_prob
    return np.where(flipped[:, None, None, None], x[:, :, :, ::-1], x)


@mutant(f"{T}.random_flip", "fills a np.zeros(x.shape) buffer image by image (float64 output)", hint='float64')
def flip_float64_buffer(x, rng, flip_prob=ref.DEFAULT_FLIP_PROB):
    flipped = rng.random(x.shape[0]) < flip_prob
    out = np.zeros(x.shape)
    for n in range(x.shape[0]):
        out[n] = x[n, :, :, ::-1] if flipped[n] else x[n]
    return out


@mutant(f"{T}.random_crop", "ignores the padding (windows of the unpadded image only)", hint='pad first')
def crop_no_padding(x, rng, crop=None, padding=ref.DEFAULT_PADDING):
    N, C, H, W = x.shape
    crop_h, crop_w = (H, W) if crop is None else crop
    crop_h, crop_w = min(crop_h, H), min(crop_w, W)
    tops = rng.integers(0, H - crop_h + 1, size=N)
    lefts = rng.integers(0, W - crop_w + 1, size=N)
    return np.stack([x[n, :, tops[n]:tops[n] + crop_h, lefts[n]:lefts[n] + crop_w] for n in range(N)])


@mutant(f"{T}.random_crop", "one window offset for the whole batch", hint='its own window')
def crop_one_offset(x, rng, crop=None, padding=ref.DEFAULT_PADDING):
    N, C, H, W = x.shape
    crop_h, crop_w = (H, W) if crop is None else crop
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    top = rng.integers(0, H + 2 * padding - crop_h + 1)
    left = rng.integers(0, W + 2 * padding - crop_w + 1)
    return x_pad[:, :, top:top + crop_h, left:left + crop_w].copy()


@mutant(f"{T}.cutout", "zeroes the square in x in place", hint='caller')
def cutout_in_place(x, rng, size=ref.DEFAULT_CUTOUT_SIZE):
    out = ref.cutout(x, rng, size)
    x[out == 0] = 0
    return x


@mutant(f"{T}.cutout", "slices from cy - size // 2 without clipping (negative start near the border)",
        hint='clip the square')
def cutout_unclipped(x, rng, size=ref.DEFAULT_CUTOUT_SIZE):
    N, C, H, W = x.shape
    cy, cx = rng.integers(0, H, size=N), rng.integers(0, W, size=N)
    out = x.copy()
    for n in range(N):
        top, left = cy[n] - size // 2, cx[n] - size // 2
        out[n, :, top:top + size, left:left + size] = 0
    return out


@mutant(f"{T}.mixup", "labels left unmixed", hint='same lam and the same permutation')
def mixup_labels_unmixed(x, y, rng, alpha=ref.DEFAULT_MIXUP_ALPHA, num_classes=None):
    x_mix, _ = ref.mixup(x, y, rng, alpha, num_classes)
    return x_mix, ref._soft_labels(y, num_classes)


@mutant(f"{T}.mixup", "labels mixed with weights 1 - lam and lam (swapped)", hint='same lam and the same permutation')
def mixup_labels_swapped(x, y, rng, alpha=ref.DEFAULT_MIXUP_ALPHA, num_classes=None):
    y_soft = ref._soft_labels(y, num_classes)
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(x.shape[0])
    return lam * x + (1 - lam) * x[perm], (1 - lam) * y_soft + lam * y_soft[perm]


@mutant(f"{T}.random_crop", "output allocated with np.zeros, float64 whatever x's dtype", hint='float64')
def crop_float64_out(x, rng, crop=None, padding=ref.DEFAULT_PADDING):
    N, C, H, W = x.shape
    crop_h, crop_w = (H, W) if crop is None else crop
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    tops = rng.integers(0, H + 2 * padding - crop_h + 1, size=N)
    lefts = rng.integers(0, W + 2 * padding - crop_w + 1, size=N)
    out = np.zeros((N, C, crop_h, crop_w))
    for n in range(N):
        out[n] = x_pad[n, :, tops[n]:tops[n] + crop_h, lefts[n]:lefts[n] + crop_w]
    return out


@mutant(f"{T}.random_crop", "np.pad(x, padding) pads the N and C axes too", hint='only the H and W axes')
def crop_pads_every_axis(x, rng, crop=None, padding=ref.DEFAULT_PADDING):
    N, C, H, W = x.shape
    crop_h, crop_w = (H, W) if crop is None else crop
    x_pad = np.pad(x, padding)
    tops = rng.integers(0, H + 2 * padding - crop_h + 1, size=N)
    lefts = rng.integers(0, W + 2 * padding - crop_w + 1, size=N)
    return np.stack([x_pad[n, :, tops[n]:tops[n] + crop_h, lefts[n]:lefts[n] + crop_w] for n in range(N)])


@mutant(f"{T}.mixup", "lam drawn from the global np.random.beta instead of rng", hint='never from np.random')
def mixup_global_beta(x, y, rng, alpha=ref.DEFAULT_MIXUP_ALPHA, num_classes=None):
    y_soft = ref._soft_labels(y, num_classes)
    lam = np.random.beta(alpha, alpha)
    perm = rng.permutation(x.shape[0])
    return lam * x + (1 - lam) * x[perm], lam * y_soft + (1 - lam) * y_soft[perm]


@mutant(f"{T}.cutout", "multiplies by a float64 keep mask (x * (1.0 - square))", hint='float64')
def cutout_float64_mask(x, rng, size=ref.DEFAULT_CUTOUT_SIZE):
    square = (ref.cutout(np.ones_like(x), rng, size) == 0).astype(np.float64)
    return x * (1.0 - square)


@mutant(f"{T}.cutout", "square from cy - size // 2 to cy + size // 2 (one row and column short for odd sizes)",
        hint='exactly size')
def cutout_even_square(x, rng, size=ref.DEFAULT_CUTOUT_SIZE):
    N, C, H, W = x.shape
    cy, cx = rng.integers(0, H, size=N), rng.integers(0, W, size=N)
    out, half = x.copy(), size // 2
    for n in range(N):
        out[n, :, max(cy[n] - half, 0):cy[n] + half, max(cx[n] - half, 0):cx[n] + half] = 0
    return out
