"""CIFAR-10 in its official "python version" format: locate, read, and fetch.

The official archive (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny Images")
unpacks to a folder `cifar-10-batches-py` holding

    data_batch_1 .. data_batch_5   10000 training images each
    test_batch                     10000 test images
    batches.meta                   {b'label_names': [b'airplane', ...], ...}

Each batch is a pickled dict with bytes keys: b'data' is a uint8 array of shape (n, 3072) whose
row is one image stored as three 1024-value planes (red, green, blue), each plane row-major over
the 32x32 pixels; b'labels' is a list of n ints in 0..9. So `data.reshape(n, 3, 32, 32)` gives
x[i, channel, row, column] directly.

Reading uses `pickle`, which can execute code hidden in a crafted file: only read folders that
came from the official archive (`fetch_cifar10` verifies its published md5).
"""
import hashlib
import http.client
import os
import pickle
import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path, PurePosixPath

import numpy as np

from .errors import DatasetCorruptError, DatasetDownloadError, DatasetNotFoundError

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"  # published on the data set's web page
FOLDER_NAME = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
META_FILE = "batches.meta"
REQUIRED_FILES = TRAIN_BATCHES + (TEST_BATCH, META_FILE)
IMAGE_SHAPE = (3, 32, 32)  # (channels, height, width)
NUM_CLASSES = 10

ENV_VAR = "TRAINLAB_DATA"
# The `datasets/` folder of the repository (the parent of this package).
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent

DOWNLOAD_TIMEOUT_S = 60
CHUNK_BYTES = 1 << 20

FETCH_HINT = ("run `python -m trainlab_datasets fetch` on a machine with network access "
              "or use the embedded default (load_dataset('digits'))")


# ---------------------------------------------------------------------------------------------
# Locating the folder
# ---------------------------------------------------------------------------------------------

def search_dir(root=None):
    """The directory to look in: `root` if given, else $TRAINLAB_DATA if set, else datasets/."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else DEFAULT_DATA_DIR


def cifar10_folder(root=None):
    """Path of the `cifar-10-batches-py` folder for `root` (the folder itself or its parent)."""
    base = search_dir(root)
    if base.name == FOLDER_NAME or (base / META_FILE).exists():
        return base
    return base / FOLDER_NAME


def missing_files(folder):
    """Names of the official files absent from `folder` (empty tuple: the folder is complete)."""
    return tuple(name for name in REQUIRED_FILES if not (Path(folder) / name).is_file())


def find_cifar10(root=None):
    """The complete CIFAR-10 folder for `root` (see `search_dir`), or None if it is not there."""
    folder = cifar10_folder(root)
    return None if missing_files(folder) else folder


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

def _corrupt(path, problem):
    return DatasetCorruptError(
        f"CIFAR-10 file {path} is truncated or corrupt ({problem}): delete the folder and "
        f"run `python -m trainlab_datasets fetch` again.")


def _unpickle(path):
    """The dict stored in one official pickle file; any failure becomes one clear sentence."""
    with open(path, "rb") as f:
        try:
            obj = pickle.load(f, encoding="bytes")
        # Unpickling damaged bytes can raise almost any exception type; all mean the same thing.
        except Exception as exc:  # noqa: BLE001
            raise _corrupt(path, f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
    if not isinstance(obj, dict):
        raise _corrupt(path, f"expected a pickled dict, found {type(obj).__name__}")
    return obj


def read_batch(path):
    """One batch file. Returns data uint8 (n, 3, 32, 32) and labels int64 (n,)."""
    batch = _unpickle(path)
    if b"data" not in batch or b"labels" not in batch:
        raise _corrupt(path, f"keys {list(batch)} lack b'data' or b'labels'")
    data, labels = np.asarray(batch[b"data"]), np.asarray(batch[b"labels"])
    if labels.ndim != 1 or (labels.size and not np.issubdtype(labels.dtype, np.integer)):
        raise _corrupt(path, "b'labels' should be a flat list of ints")
    n = labels.shape[0]
    if data.dtype != np.uint8 or data.shape != (n, int(np.prod(IMAGE_SHAPE))):
        raise _corrupt(path, f"b'data' is {data.dtype} {data.shape}, expected uint8 ({n}, 3072)")
    if n and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise _corrupt(path, f"labels outside 0..{NUM_CLASSES - 1}")
    return data.reshape((n,) + IMAGE_SHAPE), labels.astype(np.int64)


def read_label_names(path):
    """The class names stored in batches.meta, as a list of str."""
    meta = _unpickle(path)
    names = meta.get(b"label_names")
    if not isinstance(names, list) or len(names) != NUM_CLASSES:
        raise _corrupt(path, f"b'label_names' should be a list of {NUM_CLASSES} names")
    return [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in names]


def load_cifar10(root=None, dtype=np.float32):
    """Read the official CIFAR-10 folder.

    root: the `cifar-10-batches-py` folder or the directory holding it; None searches
          $TRAINLAB_DATA, then the repository's datasets/ folder.
    dtype: dtype of the returned images. float32 (default) holds the raw 0..255 pixel values
           at half the memory of float64 (50000 images: 614 MB instead of 1.2 GB); pass
           np.uint8 for the smallest copy (154 MB) and convert after choosing a subset.

    Returns X_train (50000, 3, 32, 32), y_train int64 (50000,), X_test (10000, 3, 32, 32),
    y_test int64 (10000,), class_names (list of 10 str). Pixel x[i, c, r, k] is channel c
    (0 red, 1 green, 2 blue) at row r, column k.
    """
    folder = cifar10_folder(root)
    absent = missing_files(folder)
    if absent:
        raise DatasetNotFoundError(
            f"CIFAR-10 not found at {folder} (missing {', '.join(absent)}): {FETCH_HINT}.")
    train = [read_batch(folder / name) for name in TRAIN_BATCHES]
    X_test, y_test = read_batch(folder / TEST_BATCH)
    X_train = np.concatenate([x for x, _ in train]).astype(dtype, copy=False)
    y_train = np.concatenate([y for _, y in train])
    class_names = read_label_names(folder / META_FILE)
    return X_train, y_train, X_test.astype(dtype, copy=False), y_test, class_names


# ---------------------------------------------------------------------------------------------
# Fetching
# ---------------------------------------------------------------------------------------------

def _download(url, path, progress, dest):
    """Stream `url` into `path`; returns the md5 hex digest of the bytes written."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, \
                open(path, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    # URLError and socket timeouts are OSErrors; ValueError is an unusable URL; HTTPException
    # a connection cut mid-transfer.
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise DatasetDownloadError(
            f"Could not download CIFAR-10 from {url} ({exc}): check the network connection, "
            f"or download the archive elsewhere and unpack it into {dest}.") from exc
    return digest.hexdigest()


def _check_member(member, url):
    """Reject archive members that are links, devices, or would land outside the folder."""
    parts = PurePosixPath(member.name).parts
    unsafe = (member.name.startswith(("/", "\\")) or ".." in parts or "\\" in member.name
              or not parts or parts[0] != FOLDER_NAME)
    if unsafe or not (member.isfile() or member.isdir()):
        raise _bad_archive(url, f"member {member.name!r} is not a plain file or folder "
                                f"inside {FOLDER_NAME}/, refusing to extract it")


def _safe_extract(archive, dest, url):
    """Extract the official archive into `dest` after checking every member name and type."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member, url)
            # The 'data' filter (Python >= 3.10.12 / 3.11.4) re-checks the same rules.
            extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(dest, members=members, **extra)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise _bad_archive(url, f"{type(exc).__name__}: {exc}") from exc


def _bad_archive(url, problem):
    return DatasetCorruptError(
        f"The CIFAR-10 archive from {url} is not the official file ({problem}): nothing was "
        f"unpacked; download it again.")


def fetch_cifar10(dest=None, url=CIFAR10_URL, md5=CIFAR10_MD5, force=False, progress=None):
    """Download, verify and unpack the official CIFAR-10 archive (about 163 MB).

    dest: directory to unpack into (default: the repository's datasets/ folder); the result is
          dest/cifar-10-batches-py. Nothing is downloaded if that folder is already complete,
          unless `force`.
    url, md5: where to download from and the expected md5 hex digest of the archive (defaults:
          the official location and its published checksum; any urllib URL works, file:// too).
    progress: optional callable(bytes_done, bytes_total) called after each downloaded chunk
          (bytes_total is 0 when the server does not say).

    Returns the Path of the complete folder. The archive is checked before anything is written
    under dest/cifar-10-batches-py: a wrong md5, a damaged archive, or a member that is a link or
    would be written outside that folder raises DatasetCorruptError.
    """
    dest = Path(dest).expanduser() if dest is not None else DEFAULT_DATA_DIR
    target = dest / FOLDER_NAME
    if target.exists() and not force:
        if not missing_files(target):
            return target
        raise DatasetCorruptError(
            f"An incomplete CIFAR-10 folder already exists at {target}: delete it, or fetch "
            f"again with --force to replace it.")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cifar10-", dir=dest) as tmp:
        archive = Path(tmp) / "cifar-10-python.tar.gz"
        got = _download(url, archive, progress, dest)
        if got != md5.lower():
            raise _bad_archive(url, f"md5 {got}, expected {md5}")
        _safe_extract(archive, Path(tmp) / "unpacked", url)
        unpacked = Path(tmp) / "unpacked" / FOLDER_NAME
        absent = missing_files(unpacked)
        if absent:
            raise _bad_archive(url, f"it lacks {', '.join(absent)}")
        if target.exists():  # only reached with force
            shutil.rmtree(target)
        shutil.move(str(unpacked), str(target))
    return target
