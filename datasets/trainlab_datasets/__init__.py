"""Image data sets for the trainlab assignments, as train / validation / test splits.

    from trainlab_datasets import load_dataset
    data = load_dataset()          # CIFAR-10 if it is on disk, else embedded Fashion-MNIST
    data["X_train"].shape          # (N_train, C, H, W) float32, pixel values in 0..255
    print(data["name"])            # which one you got

Where CIFAR-10 is looked for: the `root` argument if given, else the directory named by the
environment variable TRAINLAB_DATA if set, else the `datasets/` folder of this repository; each
may be the `cifar-10-batches-py` folder itself or the directory holding it. Get it with
`python -m trainlab_datasets fetch` (needs network access once).

Without CIFAR-10 the default is the stratified Fashion-MNIST subset embedded in this package
(10000 training + 2000 test images of clothing, 28x28 grayscale); the full Fashion-MNIST is
loaded by name when its IDX files are on disk (see fashion_mnist.py), and scikit-learn's 8x8
digits remain for tests that need tiny data. photo_patches cuts colour patches out of the two
photographs scikit-learn ships, for experiments on colour statistics.
"""
import numpy as np

from .cifar10 import (CIFAR10_MD5, CIFAR10_URL, FOLDER_NAME, cifar10_folder, fetch_cifar10,
                      find_cifar10, load_cifar10)
from .cifar10 import IMAGE_SHAPE as CIFAR10_IMAGE_SHAPE
from .embedded import IMAGE_SHAPE as DIGITS_IMAGE_SHAPE
from .embedded import load_digits
from .fashion_mnist import IMAGE_SHAPE as FASHION_IMAGE_SHAPE
from .fashion_mnist import build_subset, find_fashion_mnist, load_fashion_mnist, load_subset
from .errors import (DatasetCorruptError, DatasetDownloadError, DatasetError,
                     DatasetNotFoundError)
from .photos import photo_patches
from .splits import stratified_order, stratified_split

DATASET_NAMES = ("auto", "cifar10", "fashion_mnist", "fashion_mnist_subset", "digits")
CIFAR10_NUM_VAL = 1000  # held out of the 50000 official training images
DIGITS_NUM_VAL = 300    # of the 1797 digits: 1197 train / 300 val / 300 test
DIGITS_NUM_TEST = 300
DIGITS_NAME = "scikit-learn digits (embedded, 8x8 grayscale)"
AUTO_FALLBACK = "fashion_mnist_subset"  # what 'auto' loads without CIFAR-10
FASHION_NUM_VAL = 1000  # held out of the training images (subset: 9000 / 1000 / 2000)
FASHION_SUBSET_NAME = "Fashion-MNIST subset (embedded, 28x28 grayscale, 10000 train + 2000 test)"
AUTO_FALLBACK_NAME = {"digits": DIGITS_NAME, "fashion_mnist_subset": FASHION_SUBSET_NAME}[AUTO_FALLBACK]
SPLITS = ("train", "val", "test")

__all__ = [
    "load_dataset", "load_cifar10", "fetch_cifar10", "find_cifar10", "load_digits", "load_fashion_mnist",
    "find_fashion_mnist", "load_subset", "build_subset", "photo_patches",
    "stratified_order", "stratified_split", "DatasetError", "DatasetNotFoundError",
    "DatasetCorruptError", "DatasetDownloadError", "DATASET_NAMES", "CIFAR10_URL", "CIFAR10_MD5",
]


def load_dataset(name="auto", root=None, num_val=None, seed=0, flatten=False, subsample=None):
    """Load a data set split into train / validation / test.

    name: 'auto' (CIFAR-10 if found, else the embedded Fashion-MNIST subset), 'cifar10' or
          'fashion_mnist' (the full set; DatasetNotFoundError if it is not found),
          'fashion_mnist_subset' (embedded, never touches the network) or 'digits' (the
          embedded scikit-learn digits, tiny).
    root: where to look for CIFAR-10 or the full Fashion-MNIST (see the module docstring).
    num_val: validation size, stratified and drawn with `seed`. Default: 1000 of the training
          images (the official test images stay the test set), or 300 digits (with 300 more for
          test and the remaining 1197 for training).
    seed: seeds the np.random.Generator that draws every split; same seed, same arrays.
    flatten: if True each X is (N, C * H * W) instead of (N, C, H, W).
    subsample: keep at most this many training examples (stratified, for quick experiments);
          validation and test sets are unchanged.

    Returns a dict: X_train, y_train, X_val, y_val, X_test, y_test (X float32 with pixel values
    in 0..255, y int64 class indices), class_names (list of str), image_shape (C, H, W),
    source ('cifar10', 'fashion_mnist', 'fashion_mnist_subset' or 'digits') and name (a
    human-readable description of what was loaded).
    """
    if name not in DATASET_NAMES:
        raise ValueError(f"Unknown dataset {name!r}: choose one of {', '.join(DATASET_NAMES)}.")
    rng = np.random.default_rng(seed)
    if name == "auto":
        name = "cifar10" if find_cifar10(root) is not None else AUTO_FALLBACK
    if name == "digits":
        data = _digits_splits(num_val, rng)
    elif name == "cifar10":
        data = _cifar10_splits(root, num_val, rng)
    else:
        data = _fashion_splits(name, root, num_val, rng)
    if subsample is not None:
        data = _subsample_train(data, subsample, rng)
    if flatten:
        data.update({f"X_{split}": data[f"X_{split}"].reshape(len(data[f"X_{split}"]), -1)
                     for split in SPLITS})
    return data


def _check_count(arg_name, value, low, high=None):
    """ValueError unless value is an int in [low, high] (no upper bound if high is None)."""
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_int or value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"of at least {low}"
        raise ValueError(f"{arg_name}={value!r} is not valid here: choose an int {allowed}.")


def _cifar10_splits(root, num_val, rng):
    """The official CIFAR-10 train / test sets, with num_val training images held out."""
    X_train, y_train, X_test, y_test, class_names = load_cifar10(root, dtype=np.uint8)
    num_val = CIFAR10_NUM_VAL if num_val is None else num_val
    _check_count("num_val", num_val, 0, len(y_train) - len(class_names))
    val_idx, train_idx = stratified_split(y_train, [num_val], rng)
    # Index the uint8 array first so only the chosen images are converted to float32.
    arrays = {"train": (X_train[train_idx], y_train[train_idx]),
              "val": (X_train[val_idx], y_train[val_idx]), "test": (X_test, y_test)}
    folder = cifar10_folder(root)
    return _record(arrays, class_names, CIFAR10_IMAGE_SHAPE, "cifar10",
                   f"CIFAR-10 ({FOLDER_NAME} at {folder.parent})")


def _fashion_splits(name, root, num_val, rng):
    """Fashion-MNIST (full or the embedded subset) with num_val training images held out."""
    if name == "fashion_mnist":
        X_train, y_train, X_test, y_test, class_names, folder = load_fashion_mnist(root)
        description = f"Fashion-MNIST (IDX files in {folder})"
    else:
        X_train, y_train, X_test, y_test, class_names = load_subset()
        description = FASHION_SUBSET_NAME
    num_val = FASHION_NUM_VAL if num_val is None else num_val
    _check_count("num_val", num_val, 0, len(y_train) - len(class_names))
    val_idx, train_idx = stratified_split(y_train, [num_val], rng)
    arrays = {"train": (X_train[train_idx], y_train[train_idx]),
              "val": (X_train[val_idx], y_train[val_idx]), "test": (X_test, y_test)}
    return _record(arrays, class_names, FASHION_IMAGE_SHAPE, name, description)


def _digits_splits(num_val, rng):
    """The 1797 digits cut into stratified train / val / test sets."""
    X, y, class_names = load_digits()
    num_val = DIGITS_NUM_VAL if num_val is None else num_val
    _check_count("num_val", num_val, 0, len(y) - DIGITS_NUM_TEST - len(class_names))
    val_idx, test_idx, train_idx = stratified_split(y, [num_val, DIGITS_NUM_TEST], rng)
    arrays = {"train": (X[train_idx], y[train_idx]), "val": (X[val_idx], y[val_idx]),
              "test": (X[test_idx], y[test_idx])}
    return _record(arrays, class_names, DIGITS_IMAGE_SHAPE, "digits", DIGITS_NAME)


def _record(arrays, class_names, image_shape, source, name):
    """The dict load_dataset returns, with X as float32 and y as int64."""
    data = {"class_names": list(class_names), "image_shape": tuple(image_shape),
            "source": source, "name": name}
    for split, (X, y) in arrays.items():
        data[f"X_{split}"] = X.astype(np.float32, copy=False)
        data[f"y_{split}"] = y.astype(np.int64, copy=False)
    return data


def _subsample_train(data, subsample, rng):
    """Keep a stratified subset of at most `subsample` training examples."""
    _check_count("subsample", subsample, 1)
    keep = rng.permutation(stratified_order(data["y_train"], rng)[:subsample])
    return {**data, "X_train": data["X_train"][keep], "y_train": data["y_train"][keep]}
