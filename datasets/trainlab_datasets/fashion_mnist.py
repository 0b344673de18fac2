"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28x28 grayscale photos of clothing, 10 classes.

The full set is 60000 training and 10000 test images in four IDX files, gzipped or not:

    train-images-idx3-ubyte(.gz)  train-labels-idx1-ubyte(.gz)
    t10k-images-idx3-ubyte(.gz)   t10k-labels-idx1-ubyte(.gz)

An IDX file is a big-endian header (two zero bytes, a type code, the number of dimensions, then
each dimension as a 32-bit integer) followed by the raw uint8 values, row-major. The files are
looked for in: the `root` argument, else $TRAINLAB_DATA, else the folder the Debian package
`dataset-fashion-mnist` installs (/usr/share/datasets/fashion-mnist), else datasets/; each may
hold the four files directly or in a `fashion-mnist` subfolder.

A stratified subset ships inside this package (fashion_mnist_subset.npz: 1000 training and 200
test images of each class, uint8, about 4 MB), so the default data set needs no download:
`python -m trainlab_datasets build-subset` rebuilds the same arrays from the full files (the file
records the sha256 of the arrays it was cut from).
Fashion-MNIST is released by Zalando SE under the MIT licence (datasets/README.md).
"""
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

from .errors import DatasetCorruptError, DatasetNotFoundError
from .splits import stratified_order

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]
IMAGE_SHAPE = (1, 28, 28)
FILES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
         "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
FOLDER_NAME = "fashion-mnist"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
ENV_VAR = "TRAINLAB_DATA"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent
SUBSET_FILE = Path(__file__).resolve().parent / "fashion_mnist_subset.npz"
SUBSET_PER_CLASS = (1000, 200)  # training and test images of each class in the embedded subset
SUBSET_SEED = 0
IDX_UBYTE = 0x08  # the IDX type code of unsigned bytes


def candidate_dirs(root=None):
    """Where the full files may be, in the order they are looked for."""
    if root is not None:
        bases = [Path(root).expanduser()]
    else:
        bases = ([Path(os.environ[ENV_VAR]).expanduser()] if os.environ.get(ENV_VAR) else []) + \
            [DEBIAN_DIR, DEFAULT_DATA_DIR]
    return [d for base in bases for d in (base, base / FOLDER_NAME)]


def _file(folder: Path, stem: str):
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def find_fashion_mnist(root=None):
    """The first folder holding all four files, or None."""
    for folder in candidate_dirs(root):
        if all(_file(folder, stem) for stem in FILES.values()):
            return folder
    return None


def read_idx(path) -> np.ndarray:
    """The uint8 array stored in one IDX file (gzipped when its name ends in .gz)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise DatasetCorruptError(f"{path} cannot be read as {'gzipped ' if opener is gzip.open else ''}"
                                  f"IDX data ({exc}).") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != IDX_UBYTE:
        raise DatasetCorruptError(f"{path} is not an IDX file of unsigned bytes (bad header).")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(data) != header + int(np.prod(shape)):
        raise DatasetCorruptError(f"{path} holds {len(data) - header} values; its header promises "
                                  f"{int(np.prod(shape))} (shape {shape}).")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_fashion_mnist(root=None):
    """The full set: X_train uint8 (60000, 1, 28, 28), y_train int64, X_test (10000, 1, 28, 28),
    y_test, class_names. DatasetNotFoundError when no folder holds the four files."""
    folder = find_fashion_mnist(root)
    if folder is None:
        looked = ", ".join(str(d) for d in candidate_dirs(root))
        raise DatasetNotFoundError(
            f"The Fashion-MNIST IDX files were not found (looked in {looked}): install the Debian "
            f"package dataset-fashion-mnist, point {ENV_VAR} at a folder holding them, or use the "
            f"embedded subset (load_dataset('fashion_mnist_subset')).")
    arrays = {key: read_idx(_file(folder, stem)) for key, stem in FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE[1:] or labels.shape != images.shape[:1]:
            raise DatasetCorruptError(f"the {split} files in {folder} hold images of shape {images.shape} "
                                      f"and labels of shape {labels.shape}; expected (n, 28, 28) and (n,).")
        if labels.max() >= len(CLASS_NAMES):
            raise DatasetCorruptError(f"the {split} labels in {folder} go up to {labels.max()}; expected 0..9.")
    return (arrays["train_images"][:, None], arrays["train_labels"].astype(np.int64),
            arrays["test_images"][:, None], arrays["test_labels"].astype(np.int64), list(CLASS_NAMES), folder)


def build_subset(root=None, out=SUBSET_FILE) -> Path:
    """Write the embedded subset from the full files: SUBSET_PER_CLASS images of each class from
    the official training and test sets, chosen by stratified_order with SUBSET_SEED, kept in
    their original order. Records the sha256 of every source array for provenance."""
    X_train, y_train, X_test, y_test, _, folder = load_fashion_mnist(root)
    rng = np.random.default_rng(SUBSET_SEED)
    picks = {}
    for split, y, per_class in (("train", y_train, SUBSET_PER_CLASS[0]), ("test", y_test, SUBSET_PER_CLASS[1])):
        picks[split] = np.sort(stratified_order(y, rng)[:per_class * len(CLASS_NAMES)])
    sources = {key: hashlib.sha256(read_idx(_file(folder, stem)).tobytes()).hexdigest()
               for key, stem in FILES.items()}
    np.savez_compressed(out, X_train=X_train[picks["train"], 0], y_train=y_train[picks["train"]].astype(np.uint8),
                        X_test=X_test[picks["test"], 0], y_test=y_test[picks["test"]].astype(np.uint8),
                        train_index=picks["train"].astype(np.int32), test_index=picks["test"].astype(np.int32),
                        source_sha256=np.array([f"{k} {v}" for k, v in sorted(sources.items())]))
    return Path(out)


def load_subset(path=SUBSET_FILE):
    """The embedded subset: X_train uint8 (10000, 1, 28, 28), y_train int64, X_test (2000, 1, 28,
    28), y_test, class_names."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in ("X_train", "y_train", "X_test", "y_test")}
    except (OSError, KeyError, ValueError) as exc:
        raise DatasetCorruptError(f"the embedded Fashion-MNIST subset {path} cannot be read ({exc}); "
                                  f"reinstall trainlab or rebuild it with `python -m trainlab_datasets "
                                  f"build-subset`.") from None
    return (arrays["X_train"][:, None], arrays["y_train"].astype(np.int64), arrays["X_test"][:, None],
            arrays["y_test"].astype(np.int64), list(CLASS_NAMES))
