"""Hidden-only checks for trainlab/augmentation.py (instructor side).

The property checks of grader/checks/augmentation.py again, with shapes, sizes and probabilities
drawn from the per-student seed.
"""
from ..checks import augmentation as public
from ..core.registry import check

T = public.T


@check(T, "random_flip", "every image is itself or its mirror (hidden, random shapes)", hidden=True)
def flip_property(ctx):
    public.flip_images(ctx, True)


@check(T, "random_flip", "the flipped fraction matches flip_prob (hidden, random flip_prob)", hidden=True)
def flip_rate_property(ctx):
    public.flip_rate(ctx, True)


@check(T, "random_crop", "windows of the padded image (hidden, random shapes, crop and padding)", hidden=True)
def crop_property(ctx):
    public.crop_windows(ctx, True)


@check(T, "cutout", "zeroes exactly one clipped square per image (hidden, random shapes and size)", hidden=True)
def cutout_property(ctx):
    public.zeroed_square(ctx, True)


@check(T, "mixup", "soft labels mix the same images as x_mix (hidden, random shapes and alpha)", hidden=True)
def mixup_property(ctx):
    public.mixup_consistent(ctx, True)
