"""Checks for trainlab/augmentation.py.

Reference-output Cases store a seed; `run` builds np.random.default_rng(seed) and hands the
generator to the student function, so the comparison is exact when the student draws random
numbers as the docstring says. The property checks (mirror or not, windows of the padded image,
one clipped square, consistent mixing) hold for any drawing order and give credit on their own.
They take `random_shapes`; grader/hidden/augmentation.py registers their hidden twins.
"""
from __future__ import annotations

import numpy as np

from ..core.cases import Case, add_case
from ..core.compare import TOL_EXACT, assert_close, assert_true, describe
from ..core.registry import check
from ..core.topic import Topic
from .common import away_from_half, away_from_zero, dims

T = Topic("augmentation", inplace_example="out = np.where(mask, 0, x)")
SEED_HIGH = 2**31
MAX_PADDING = 3  # hidden cases draw a padding in [1, MAX_PADDING] (with 0, padding mistakes cannot show)
HIDDEN_BATCH = (40, 65)  # hidden cases draw N in [40, 64]
MAX_CUTOUT = 6  # hidden cases draw a cutout size in [1, MAX_CUTOUT]

# The flip-rate check flips FLIP_IMAGES tiny images: the number flipped is Binomial(n, flip_prob),
# so the flipped fraction has standard deviation sqrt(flip_prob (1 - flip_prob) / n) <= 0.5 / sqrt(n)
# = 7.9e-3. FLIP_SIGMAS = 6 standard deviations (probability about 2e-9) lets the reference pass
# for every seed, while a flip with probability 1 - flip_prob is off by |1 - 2 flip_prob| >= 0.4
# for the public flip_prob 0.3.
FLIP_IMAGES = 4000
FLIP_SIGMAS = 6.0
PUBLIC_FLIP_PROB = 0.3

ORDER_HINT = ("if the property checks of this function pass, your random numbers differ: draw them exactly "
              "as the docstring says (the same calls on rng, in the same order, with the same sizes).")


def order_hint(inputs, got, expected):
    return ORDER_HINT


def images(rng, random_shapes: bool, fixed=(4, 2, 5, 6)) -> np.ndarray:
    """A float64 batch (N, C, H, W) with no zeros, so a zeroed pixel is always visible.

    Random shapes hold HIDDEN_BATCH[0] or more images: every image draws its own flip, window or
    square, so with that many draws a wrong convention (a window that ignores the padding, an
    unclipped square, a flip decided the other way round) shows in some image at every seed. (A
    square of size >= 2 on images of 8 x 8 or less touches the top or left border with probability
    >= 0.23 per image, so 40 images all miss it with probability < 3e-5.)
    """
    shape = dims(rng, random_shapes, fixed)
    if random_shapes:
        shape = (int(rng.integers(*HIDDEN_BATCH)), *shape[1:])
    return away_from_zero(rng, shape)


def draw_seed(rng) -> int:
    return int(rng.integers(SEED_HIGH))


def assert_batch(what: str, got, shape: tuple, dtype=np.float64, hint: str | None = None) -> None:
    assert_true(isinstance(got, np.ndarray) and got.shape == tuple(shape) and got.dtype == dtype,
                f"{what}: expected an array of shape {tuple(shape)} and dtype {np.dtype(dtype)}, got {describe(got)}.",
                hint)


# ---------------------------------------------------------------- reference outputs


def make_flip(rng, random_shapes):
    flip_prob = 0.5 if not random_shapes else float(rng.uniform(0.2, 0.8))
    return {"x": images(rng, random_shapes), "flip_prob": flip_prob, "seed": draw_seed(rng)}


def run_flip(call, inputs):
    rng = np.random.default_rng(inputs["seed"])
    return {"out": call(f"{T}.random_flip", inputs["x"], rng, inputs["flip_prob"])}


add_case(Case(T, "random_flip", "given seed and flip_prob", make_flip, run_flip, hint=order_hint))


def make_default_crop(rng, random_shapes):
    return {"x": images(rng, random_shapes, (3, 2, 5, 6)), "seed": draw_seed(rng)}


def run_default_crop(call, inputs):
    return {"out": call(f"{T}.random_crop", inputs["x"], np.random.default_rng(inputs["seed"]))}


add_case(Case(T, "random_crop", "default crop size and padding", make_default_crop, run_default_crop,
              hint=lambda inputs, got, expected: crop_hint(inputs, got, expected)))


def make_crop(rng, random_shapes):
    x = images(rng, random_shapes, (3, 2, 6, 7))
    H, W = x.shape[2:]
    if not random_shapes:
        return {"x": x, "crop_h": 4, "crop_w": 5, "padding": 2, "seed": draw_seed(rng)}
    padding = int(rng.integers(1, MAX_PADDING + 1))
    # smaller than the padded image, so that the window has more than one place to go
    crop_h, crop_w = (int(rng.integers(1, n + 2 * padding)) for n in (H, W))
    return {"x": x, "crop_h": crop_h, "crop_w": crop_w, "padding": padding, "seed": draw_seed(rng)}


def run_crop(call, inputs):
    crop = (inputs["crop_h"], inputs["crop_w"])
    rng = np.random.default_rng(inputs["seed"])
    return {"out": call(f"{T}.random_crop", inputs["x"], rng, crop, inputs["padding"])}


def crop_hint(inputs, got, expected):
    """Known crop mistakes, recognised from the output whatever the draw: padded N and C axes, one
    window for the whole batch, windows that never reach into the padding."""
    x, out = inputs["x"], got.get("out")
    N, C, H, W = x.shape
    P = inputs.get("padding", DOCUMENTED_PADDING)
    crop_h, crop_w = (inputs["crop_h"], inputs["crop_w"]) if "crop_h" in inputs else (H, W)
    if not isinstance(out, np.ndarray) or out.ndim != 4:
        return ORDER_HINT
    if out.shape[1] == C + 2 * P and P > 0:
        return PAD_AXES
    if out.shape[2:] != (crop_h, crop_w) and out.shape[2:] == (min(crop_h, H), min(crop_w, W)):
        return PAD_FIRST
    if out.shape != (N, C, crop_h, crop_w):
        return None
    x_pad = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    offsets = [(t, s) for t in range(H + 2 * P - crop_h + 1) for s in range(W + 2 * P - crop_w + 1)]
    inside = [(t, s) for t, s in offsets if P <= t <= P + H - crop_h and P <= s <= P + W - crop_w]
    shared = [(t, s) for t, s in offsets if np.array_equal(out, x_pad[:, :, t:t + crop_h, s:s + crop_w])]
    all_inside = P > 0 and all(any(np.array_equal(out[n], x_pad[n, :, t:t + crop_h, s:s + crop_w]) for t, s in inside)
                               for n in range(N))
    if N > 1 and shared and not all_inside:
        return ("every image draws its own window: tops and lefts are arrays of size N "
                "(rng.integers(..., size=N)), not one offset for the whole batch.")
    if all_inside and not shared:
        return PAD_FIRST
    return ORDER_HINT


DOCUMENTED_PADDING = 4  # random_crop's default padding, from its signature
PAD_AXES = ("pad only the H and W axes: np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))); np.pad(x, p) pads "
            "the N and C axes too.")
PAD_FIRST = ("pad first: the windows come from the image zero-padded by `padding` pixels on each side, so tops "
             "run over 0 .. H + 2 * padding - crop_h (and a crop may be taller than the image).")

add_case(Case(T, "random_crop", "given crop size and padding", make_crop, run_crop, hint=crop_hint))


def make_cutout(public_size: int):
    """Sizes of the parity of public_size: 4 is public, 2, 4 or 6 hidden; 3 is public, 1, 3 or 5 hidden."""
    def make(rng, random_shapes):
        size = public_size if not random_shapes else 2 * int(rng.integers(1, MAX_CUTOUT // 2 + 1)) - public_size % 2
        return {"x": images_around(rng, random_shapes, (4, 2, 6, 7), size), "size": size, "seed": draw_seed(rng)}

    return make


def images_around(rng, random_shapes: bool, fixed: tuple, size: int) -> np.ndarray:
    """Images more than `size` + 1 pixels high and wide (random shapes): a square near the border
    is clipped on one side only, so that clipping mistakes (a negative slice start, one row short)
    show; on smaller images every square covers the image and they cannot."""
    x = images(rng, random_shapes, fixed)
    if not random_shapes:
        return x
    H, W = (int(rng.integers(size + 2, size + 6)) for _ in range(2))
    return away_from_zero(rng, (x.shape[0], x.shape[1], H, W))


def run_cutout(call, inputs):
    return {"out": call(f"{T}.cutout", inputs["x"], np.random.default_rng(inputs["seed"]), inputs["size"])}


add_case(Case(T, "cutout", "even size", make_cutout(4), run_cutout, hint=order_hint))
add_case(Case(T, "cutout", "odd size", make_cutout(3), run_cutout, hint=order_hint))


def make_mixup(rng, random_shapes):
    x = images(rng, random_shapes, (5, 2, 3, 3))
    num_classes = 4 if not random_shapes else int(rng.integers(2, 7))
    alpha = 0.4 if not random_shapes else float(rng.uniform(0.1, 2.0))
    return {"x": x, "y": rng.integers(0, num_classes, size=x.shape[0]), "num_classes": num_classes,
            "alpha": alpha, "seed": draw_seed(rng)}


def run_mixup(call, inputs):
    x_mix, y_mix = call(f"{T}.mixup", inputs["x"], inputs["y"], np.random.default_rng(inputs["seed"]),
                        inputs["alpha"], inputs["num_classes"])
    return {"x_mix": x_mix, "y_mix": y_mix}


add_case(Case(T, "mixup", "integer labels, given alpha", make_mixup, run_mixup, hint=order_hint))


# ---------------------------------------------------------------- determinism and dtype

CALLS = {  # function -> (ctx, x, seed) -> the output images
    "random_flip": lambda ctx, x, seed: ctx.call(f"{T}.random_flip", x, np.random.default_rng(seed)),
    "random_crop": lambda ctx, x, seed: ctx.call(f"{T}.random_crop", x, np.random.default_rng(seed), None, 2),
    "cutout": lambda ctx, x, seed: ctx.call(f"{T}.cutout", x, np.random.default_rng(seed), 3),
    "mixup": lambda ctx, x, seed: ctx.call(f"{T}.mixup", x, np.arange(x.shape[0]), np.random.default_rng(seed))[0],
}


def deterministic_float32(ctx, fn: str) -> None:
    x = images(ctx.rng, False, (48, 2, 7, 8)).astype(np.float32)  # 48 images: two draws never agree by chance
    seed = draw_seed(ctx.rng)
    first = CALLS[fn](ctx, x, seed)
    assert_true(isinstance(first, np.ndarray) and first.shape == x.shape and first.dtype == np.float32,
                f"{fn} on a float32 batch of shape {x.shape} returned {describe(first)}; expected the same shape "
                "and dtype float32.",
                "an array from np.zeros(shape) or a float64 mask turns a float32 batch into float64: allocate "
                "with x's dtype (np.empty_like(x), np.zeros(shape, dtype=x.dtype)) and keep masks boolean."
                if isinstance(first, np.ndarray) and first.dtype == np.float64 else None)
    again = CALLS[fn](ctx, x, seed)
    assert_true(np.array_equal(first, again), f"{fn} gave two different batches for two generators built from "
                "the same seed.", "draw every random number from the rng argument, never from np.random.")


for _fn in CALLS:
    check(T, _fn, "float32 batch: shape and dtype kept, same seed gives the same batch")(
        lambda ctx, _f=_fn: deterministic_float32(ctx, _f))


# ---------------------------------------------------------------- flips


def flip_images(ctx, random_shapes: bool) -> None:
    """Each image is itself or its left-right mirror; flip_prob 1 mirrors all, twice is the identity."""
    x = images(ctx.rng, random_shapes)
    fn = f"{T}.random_flip"
    out = ctx.call(fn, x, np.random.default_rng(draw_seed(ctx.rng)), 0.5)
    assert_batch("random_flip(x)", out, x.shape)
    N = x.shape[0]
    for n in range(N):
        assert_true(np.array_equal(np.sort(out[n], axis=None), np.sort(x[n], axis=None)),
                    f"random_flip changed the pixel values of image {n}; a flip only moves pixels.")
        assert_true(np.array_equal(out[n], x[n]) or np.array_equal(out[n], x[n, :, :, ::-1]),
                    f"random_flip: image {n} of the output is neither the input image nor its left-right mirror.",
                    "a horizontal flip reverses the last (W) axis: x[n, :, :, ::-1]"
                    + (", not the H axis." if np.array_equal(out[n], x[n, :, ::-1, :]) else "."))
    mirrored = ctx.call(fn, x, np.random.default_rng(draw_seed(ctx.rng)), 1.0)
    assert_close("random_flip(x, flip_prob=1.0)", mirrored, x[:, :, :, ::-1], 0)
    assert_close("random_flip applied twice with flip_prob=1.0", ctx.call(fn, mirrored, np.random.default_rng(0), 1.0),
                 x, 0)
    assert_close("random_flip(x, flip_prob=0.0)", ctx.call(fn, x, np.random.default_rng(0), 0.0), x, 0)


@check(T, "random_flip", "every image is itself or its mirror; flip_prob 0 and 1")
def flip_property(ctx):
    flip_images(ctx, False)


def flip_rate(ctx, random_shapes: bool) -> None:
    flip_prob = PUBLIC_FLIP_PROB if not random_shapes else away_from_half(ctx.rng, 0.1, 0.9)
    x = np.tile(np.array([1.0, 2.0]), (FLIP_IMAGES, 1, 1, 1))  # (n, 1, 1, 2): flipped iff it starts with 2
    out = ctx.call(f"{T}.random_flip", x, np.random.default_rng(draw_seed(ctx.rng)), flip_prob)
    assert_batch("random_flip(x)", out, x.shape)
    flipped = float(np.mean(out[:, 0, 0, 0] == 2.0))
    sigma = np.sqrt(flip_prob * (1 - flip_prob) / FLIP_IMAGES)
    assert_true(abs(flipped - flip_prob) <= FLIP_SIGMAS * sigma,
                f"random_flip with flip_prob={flip_prob:.3f} flipped a fraction {flipped:.4f} of {FLIP_IMAGES} "
                f"images; expected {flip_prob:.4f} +- {FLIP_SIGMAS * sigma:.4f}.",
                "flip_prob is the probability of flipping an image: flip where rng.random(N) < flip_prob (yours "
                "flips with probability 1 - flip_prob)." if abs(flipped - (1 - flip_prob)) <= FLIP_SIGMAS * sigma
                else None)


@check(T, "random_flip", "the flipped fraction matches flip_prob")
def flip_rate_property(ctx):
    flip_rate(ctx, False)


# ---------------------------------------------------------------- crops


def crop_windows(ctx, random_shapes: bool) -> None:
    """Padding 0 at full size is the identity; every crop is a window of the zero-padded image."""
    x = images(ctx.rng, random_shapes)
    N, C, H, W = x.shape
    fn = f"{T}.random_crop"
    assert_close("random_crop(x, padding=0) at full size", ctx.call(fn, x, np.random.default_rng(0), None, 0), x, 0)
    if random_shapes:
        padding = int(ctx.rng.integers(1, MAX_PADDING + 1))
        # taller than the image itself, so that only windows of the PADDED image fit
        crop_h, crop_w = int(ctx.rng.integers(H + 1, H + 2 * padding + 1)), int(ctx.rng.integers(1, W + 2 * padding + 1))
    else:
        padding, crop_h, crop_w = 2, H, W - 1
    out = ctx.call(fn, x, np.random.default_rng(draw_seed(ctx.rng)), (crop_h, crop_w), padding)
    shape = np.shape(out)
    assert_batch(f"random_crop(x, crop={(crop_h, crop_w)}, padding={padding})", out, (N, C, crop_h, crop_w),
                 hint=PAD_AXES if len(shape) == 4 and shape[1] == C + 2 * padding else
                 PAD_FIRST if len(shape) == 4 and shape[2:] == (min(crop_h, H), min(crop_w, W)) else None)
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    for n in range(N):
        found = any(np.array_equal(out[n], x_pad[n, :, t:t + crop_h, s:s + crop_w])
                    for t in range(H + 2 * padding - crop_h + 1) for s in range(W + 2 * padding - crop_w + 1))
        assert_true(found, f"random_crop: output image {n} is not a {crop_h}x{crop_w} window of the input "
                    f"image zero-padded by {padding} pixels on each side.",
                    "pad with zeros (np.pad) on both sides of H and W, then slice a window of the crop size.")


@check(T, "random_crop", "identity at padding 0, otherwise windows of the padded image")
def crop_property(ctx):
    crop_windows(ctx, False)


# ---------------------------------------------------------------- cutout


def zeroed_square(ctx, random_shapes: bool) -> None:
    """Cutout zeroes one clipped size x size square per image, the same in every channel."""
    size = 3 if not random_shapes else int(ctx.rng.integers(2, MAX_CUTOUT + 1))  # size 1 never needs clipping
    x = images_around(ctx.rng, random_shapes, (48, 2, 7, 8), size)  # 48+ images: some square meets the border
    N, C, H, W = x.shape
    seed = draw_seed(ctx.rng)
    out = ctx.call(f"{T}.cutout", x, np.random.default_rng(seed), size)
    assert_batch(f"cutout(x, size={size})", out, x.shape)
    documented = np.random.default_rng(seed)  # the documented centres, to recognise a border mistake
    cy, cx = documented.integers(0, H, size=N), documented.integers(0, W, size=N)
    changed = out != x  # x has no zeros, so every zeroed pixel shows up here
    assert_true(np.all(out[changed] == 0), "cutout changed some pixels to values other than 0.")
    for n in range(N):
        zeroed = changed[n, 0]  # (H, W)
        assert_true(np.all(changed[n] == zeroed), f"cutout: image {n} has different squares in different channels.",
                    "cut the same square out of every channel of an image.")
        rows, cols = np.flatnonzero(zeroed.any(axis=1)), np.flatnonzero(zeroed.any(axis=0))
        assert_true(rows.size > 0, f"cutout zeroed nothing in image {n}; every image loses one square.",
                    "clip the square at the border: near the top or left edge cy - size // 2 is negative, and a "
                    "negative slice start counts from the end of the axis; use max(cy - size // 2, 0)."
                    if min(cy[n], cx[n]) - size // 2 < 0 else None)
        square = np.zeros_like(zeroed)
        square[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] = True
        assert_true(np.array_equal(zeroed, square), f"cutout: the zeroed pixels of image {n} are not one rectangle.")
        for name, span, n_max in (("rows", rows, H), ("columns", cols, W)):
            clipped = span[0] == 0 or span[-1] == n_max - 1
            assert_true(span.size == size or (clipped and span.size < size),
                        f"cutout(size={size}): the square of image {n} spans {span.size} {name} without touching "
                        f"the border; expected {size}.",
                        "the square covers exactly size rows and columns, from cy - size // 2 up to (not including) "
                        "cy - size // 2 + size; cy + size // 2 is one short for odd sizes." if span.size == size - 1
                        else None)


@check(T, "cutout", "zeroes exactly one clipped square per image")
def cutout_property(ctx):
    zeroed_square(ctx, False)


# ---------------------------------------------------------------- mixup


def mixup_consistent(ctx, random_shapes: bool) -> None:
    """With labels 0..N-1, y_mix[i] names the weights of the images mixed into x_mix[i]."""
    N, C, H, W = dims(ctx.rng, random_shapes, (6, 2, 3, 4))
    if random_shapes:  # 8+ examples: the permutation is never the identity (1 / 8! = 2.5e-5)
        N = int(ctx.rng.integers(8, 17))
    x = ctx.rng.uniform(0.5, 1.5, (N, C, H, W))  # positive: no cancellation in the mixtures
    # alpha >= 0.5: lam within 1e-9 of 0 or 1 (where mixing cannot show) has probability < 1e-4
    alpha = 1.0 if not random_shapes else float(ctx.rng.uniform(0.5, 2.0))
    x_mix, y_mix = ctx.call(f"{T}.mixup", x, np.arange(N), np.random.default_rng(draw_seed(ctx.rng)), alpha, N)
    assert_batch("mixup x_mix", x_mix, x.shape)
    assert_batch("mixup y_mix", y_mix, (N, N))
    assert_true(np.all(y_mix >= 0), "mixup: y_mix has negative entries; it holds mixing weights in [0, 1].")
    assert_close("mixup: the rows of y_mix sum to", y_mix.sum(axis=1), np.ones(N), TOL_EXACT,
                 "mix the one-hot labels with weights lam and 1 - lam.")
    others = y_mix * (1 - np.eye(N))
    assert_true(np.all(np.count_nonzero(others, axis=1) <= 1),
                "mixup: a row of y_mix mixes more than two labels; each example mixes with one partner.",
                "permute the batch once (perm) and mix example i with example perm[i].")
    assert_close("mixup x_mix against the images weighted by y_mix (x_mix[i] = sum_k y_mix[i, k] x[k])",
                 x_mix.reshape(N, -1), y_mix @ x.reshape(N, -1), TOL_EXACT,
                 "mix x and y with the same lam and the same permutation.")


@check(T, "mixup", "soft labels sum to 1 and mix the same images as x_mix")
def mixup_property(ctx):
    mixup_consistent(ctx, False)
