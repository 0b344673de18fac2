"""Random square patches of colour photographs, for preprocessing experiments that need colour.

The two photographs (`china.jpg`, `flower.jpg`, 427x640 RGB, Creative Commons BY 2.0, by
danielbuechele on Flickr) ship inside the scikit-learn wheel and are read with
`sklearn.datasets.load_sample_images`: no download. Patches are not a labelled data set; they
stand in for CIFAR-10-sized crops of natural images where only pixel statistics matter.
"""
import numpy as np

PHOTO_NAMES = ("china.jpg", "flower.jpg")


def photo_patches(n, size=32, seed=0):
    """n patches of size x size pixels cut at random positions out of the two sample photographs
    (alternating between them), drawn with np.random.default_rng(seed).

    Returns uint8 (n, 3, size, size): channels first, like load_dataset's X arrays.
    """
    from sklearn.datasets import load_sample_images  # heavy import, only here

    photos = load_sample_images().images  # two (427, 640, 3) uint8 arrays
    rng = np.random.default_rng(seed)
    out = np.empty((n, 3, size, size), dtype=np.uint8)
    for i in range(n):
        photo = photos[i % len(photos)]
        H, W, _ = photo.shape
        r, c = rng.integers(0, H - size + 1), rng.integers(0, W - size + 1)
        out[i] = photo[r:r + size, c:c + size].transpose(2, 0, 1)
    return out
