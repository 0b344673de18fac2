"""trainlab_datasets: the CIFAR-10 reader on a tiny folder in the official format, the embedded
digits, the splits, fetch_cifar10 on local file:// archives (no network needed), and
Fashion-MNIST: IDX files written here, the embedded subset."""
import gzip
import hashlib
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

import trainlab_datasets as tds
from trainlab_datasets import (DatasetCorruptError, DatasetDownloadError, DatasetNotFoundError,
                               fetch_cifar10, load_cifar10, load_dataset, load_digits)
from trainlab_datasets.__main__ import main as cli_main
from trainlab_datasets.fashion_mnist import (SUBSET_FILE, build_subset, load_fashion_mnist, load_subset,
                                             read_idx)
from trainlab_datasets.splits import stratified_split

LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]
PER_BATCH = 8          # 5 training batches -> 40 fake training images
NUM_TEST = 6
PLANE = 32 * 32        # values per colour plane in a CIFAR row
NUM_DIGITS = 1797
STRATIFY_TOL = 1.5     # class count of a stratified piece vs its exact proportional share


# ---------------------------------------------------------------------------------------------
# A tiny CIFAR-10 folder in the exact official format
# ---------------------------------------------------------------------------------------------

def _write_pickle(path, obj):
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)  # the official files are Python 2 pickles


def make_fake_cifar(parent, seed=0):
    """Write parent/cifar-10-batches-py; returns the expected (flat rows, labels) per split."""
    rng = np.random.default_rng(seed)
    folder = parent / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rows, labels = {}, {}
    for name, n in [(f"data_batch_{i}", PER_BATCH) for i in range(1, 6)] + [("test_batch",
                                                                             NUM_TEST)]:
        rows[name] = rng.integers(0, 256, size=(n, 3 * PLANE), dtype=np.uint8)
        labels[name] = [int(v) for v in rng.integers(0, 10, size=n)]
        _write_pickle(folder / name, {b"batch_label": name.encode(), b"labels": labels[name],
                                      b"data": rows[name],
                                      b"filenames": [b"img%d.png" % i for i in range(n)]})
    _write_pickle(folder / "batches.meta", {b"num_cases_per_batch": PER_BATCH,
                                            b"label_names": [s.encode() for s in LABEL_NAMES],
                                            b"num_vis": 3 * PLANE})
    return folder, rows, labels


@pytest.fixture
def fake_cifar(tmp_path):
    return make_fake_cifar(tmp_path / "data")


def _one_sentence(exc):
    message = str(exc)
    assert "\n" not in message and message.endswith(".") and ": " in message, message
    return message


def test_load_cifar10_reads_the_official_layout(fake_cifar):
    folder, rows, labels = fake_cifar
    X_train, y_train, X_test, y_test, class_names = load_cifar10(folder)
    train_rows = np.concatenate([rows[f"data_batch_{i}"] for i in range(1, 6)])
    assert X_train.shape == (5 * PER_BATCH, 3, 32, 32) and X_train.dtype == np.float32
    assert X_test.shape == (NUM_TEST, 3, 32, 32) and X_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    np.testing.assert_array_equal(X_train.reshape(len(X_train), -1), train_rows)
    np.testing.assert_array_equal(X_test.reshape(NUM_TEST, -1), rows["test_batch"])
    np.testing.assert_array_equal(
        y_train, sum((labels[f"data_batch_{i}"] for i in range(1, 6)), []))
    np.testing.assert_array_equal(y_test, labels["test_batch"])
    assert class_names == LABEL_NAMES


def test_cifar10_pixel_order_is_rgb_planes_row_major(tmp_path):
    folder, rows, labels = make_fake_cifar(tmp_path)
    data = rows["data_batch_2"].copy()
    # image 3 of batch 2: pixel (row 5, column 7) is (201, 202, 203); (row 7, column 5) is 9
    r, k = 5, 7
    data[3, [0 * PLANE + r * 32 + k, 1 * PLANE + r * 32 + k, 2 * PLANE + r * 32 + k]] = [201, 202,
                                                                                          203]
    data[3, [c * PLANE + k * 32 + r for c in range(3)]] = 9
    _write_pickle(folder / "data_batch_2", {b"labels": labels["data_batch_2"], b"data": data})
    X_train = load_cifar10(folder)[0]
    image = X_train[PER_BATCH + 3]  # batches are concatenated in order 1..5
    np.testing.assert_array_equal(image[:, r, k], [201, 202, 203])
    np.testing.assert_array_equal(image[:, k, r], [9, 9, 9])


def test_cifar10_root_may_be_the_folder_or_its_parent_and_dtype_is_selectable(fake_cifar):
    folder = fake_cifar[0]
    X_a = load_cifar10(folder)[0]
    X_b, _, X_test, _, _ = load_cifar10(folder.parent, dtype=np.uint8)
    assert X_b.dtype == np.uint8 and X_test.dtype == np.uint8
    np.testing.assert_array_equal(X_a, X_b)


def test_missing_cifar10_gives_one_sentence_with_the_fetch_command(tmp_path):
    for call in (lambda: load_cifar10(tmp_path), lambda: load_dataset("cifar10", root=tmp_path)):
        with pytest.raises(DatasetNotFoundError) as info:
            call()
        message = _one_sentence(info.value)
        assert message.startswith("CIFAR-10 not found at ")
        assert str(tmp_path) in message and "python -m trainlab_datasets fetch" in message
        assert isinstance(info.value, FileNotFoundError)


def test_missing_single_batch_is_named(fake_cifar):
    folder = fake_cifar[0]
    (folder / "data_batch_4").unlink()
    with pytest.raises(DatasetNotFoundError, match="data_batch_4"):
        load_cifar10(folder)


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path):
    path.write_bytes(b"this is not a pickle at all")


def _wrong_width(path):
    _write_pickle(path, {b"labels": [1, 2], b"data": np.zeros((2, 3 * PLANE - 1), np.uint8)})


def _float_data(path):
    _write_pickle(path, {b"labels": [1, 2], b"data": np.zeros((2, 3 * PLANE))})


def _label_out_of_range(path):
    _write_pickle(path, {b"labels": [1, 10], b"data": np.zeros((2, 3 * PLANE), np.uint8)})


def _no_labels(path):
    _write_pickle(path, {b"data": np.zeros((2, 3 * PLANE), np.uint8)})


@pytest.mark.parametrize("damage", [_truncate, _garbage, _wrong_width, _float_data,
                                    _label_out_of_range, _no_labels])
def test_corrupt_batch_gives_one_sentence_naming_the_file(fake_cifar, damage):
    folder = fake_cifar[0]
    damage(folder / "data_batch_3")
    with pytest.raises(DatasetCorruptError) as info:
        load_cifar10(folder)
    message = _one_sentence(info.value)
    assert "data_batch_3" in message and "corrupt" in message
    assert isinstance(info.value, ValueError)


def test_corrupt_meta_is_named(fake_cifar):
    folder = fake_cifar[0]
    _write_pickle(folder / "batches.meta", {b"label_names": [b"cat"]})
    with pytest.raises(DatasetCorruptError, match="batches.meta"):
        load_cifar10(folder)


# ---------------------------------------------------------------------------------------------
# load_dataset: which data set, splits
# ---------------------------------------------------------------------------------------------

def test_auto_picks_cifar10_when_trainlab_data_points_to_it(fake_cifar, monkeypatch):
    folder, rows, labels = fake_cifar
    monkeypatch.setenv("TRAINLAB_DATA", str(folder.parent))
    data = load_dataset(num_val=10)
    assert data["source"] == "cifar10" and data["image_shape"] == (3, 32, 32)
    assert data["name"] == f"CIFAR-10 (cifar-10-batches-py at {folder.parent})"
    assert data["class_names"] == LABEL_NAMES
    assert len(data["y_train"]) == 5 * PER_BATCH - 10 and len(data["y_val"]) == 10
    np.testing.assert_array_equal(data["X_test"].reshape(NUM_TEST, -1), rows["test_batch"])
    # the official training set is exactly train + val
    joined = np.concatenate([data["X_train"], data["X_val"]]).reshape(5 * PER_BATCH, -1)
    train_rows = np.concatenate([rows[f"data_batch_{i}"] for i in range(1, 6)])
    assert sorted(map(bytes, joined.astype(np.uint8))) == sorted(map(bytes, train_rows))


def test_auto_falls_back_to_the_embedded_fashion_mnist_without_cifar10(tmp_path, fake_cifar, monkeypatch):
    monkeypatch.setenv("TRAINLAB_DATA", str(tmp_path / "empty"))
    data = load_dataset()
    assert data["source"] == "fashion_mnist_subset" and data["image_shape"] == (1, 28, 28)
    assert data["name"] == tds.AUTO_FALLBACK_NAME
    # an explicit root wins over the environment variable
    monkeypatch.setenv("TRAINLAB_DATA", str(fake_cifar[0].parent))
    assert load_dataset(root=tmp_path / "empty")["source"] == "fashion_mnist_subset"
    assert load_dataset(root=fake_cifar[0], num_val=5)["source"] == "cifar10"
    # 'digits' never looks for CIFAR-10
    assert load_dataset("digits")["source"] == "digits"


def test_unknown_name_and_bad_sizes_are_value_errors():
    with pytest.raises(ValueError, match="auto, cifar10, fashion_mnist, fashion_mnist_subset, digits"):
        load_dataset("mnist")
    for bad in (-1, 2000, 2.5, True):
        with pytest.raises(ValueError, match="num_val"):
            load_dataset("digits", num_val=bad)
    with pytest.raises(ValueError, match="subsample"):
        load_dataset("digits", subsample=0)


def test_embedded_digits_are_real_images():
    X, y, class_names = load_digits()
    assert X.shape == (NUM_DIGITS, 1, 8, 8) and X.dtype == np.float32 and y.dtype == np.int64
    assert class_names == [str(d) for d in range(10)]
    assert X.min() == 0 and X.max() == 255
    # the 17 raw levels 0..16, rescaled to 0..255
    np.testing.assert_allclose(np.unique(X), np.arange(17) * 255 / 16, rtol=1e-6)
    counts = np.bincount(y, minlength=10)
    assert counts.sum() == NUM_DIGITS and counts.min() >= 170
    # a nearest-class-mean classifier is right about 90% of the time; on noise it would be ~10%
    means = np.stack([X[y == c].mean(axis=0) for c in range(10)])
    dist = ((X[:, None] - means[None]) ** 2).sum(axis=(2, 3, 4))
    assert (dist.argmin(axis=1) == y).mean() > 0.85
    # a '0' has ink around an empty middle
    zero = means[0, 0]
    assert zero[3:5, 3:5].mean() < 0.25 * zero[2:6, 2].mean()


def test_digits_split_sizes_cover_everything_once():
    data = load_dataset("digits")
    sizes = [len(data[f"y_{s}"]) for s in ("train", "val", "test")]
    assert sizes == [1197, 300, 300]
    X, y, _ = load_digits()
    rows = lambda X_, y_: [bytes(a) + bytes([b]) for a, b in  # noqa: E731
                           zip(X_.reshape(len(X_), -1).astype(np.uint8), y_)]
    split_rows = sum((rows(data[f"X_{s}"], data[f"y_{s}"]) for s in ("train", "val", "test")),
                     [])
    assert sorted(split_rows) == sorted(rows(X, y))
    for s in ("train", "val", "test"):
        assert data[f"X_{s}"].dtype == np.float32 and data[f"y_{s}"].dtype == np.int64


def test_split_is_deterministic_in_the_seed():
    a, b, c = load_dataset("digits", seed=3), load_dataset("digits", seed=3), \
        load_dataset("digits", seed=4)
    for key in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["y_val"], c["y_val"])


@pytest.mark.parametrize("seed", range(5))
def test_split_is_stratified(seed):
    y_all = load_digits()[1]
    share = np.bincount(y_all) / len(y_all)
    data = load_dataset("digits", seed=seed, num_val=250)
    for s in ("train", "val", "test"):
        counts = np.bincount(data[f"y_{s}"], minlength=10)
        assert np.abs(counts - share * counts.sum()).max() <= STRATIFY_TOL, (s, counts)


def test_stratified_split_partitions_the_indices():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=101)
    pieces = stratified_split(y, [20, 30], np.random.default_rng(1))
    assert [len(p) for p in pieces] == [20, 30, 51]
    np.testing.assert_array_equal(np.sort(np.concatenate(pieces)), np.arange(101))


def test_flatten_and_subsample():
    data = load_dataset("digits", flatten=True, subsample=100)
    assert data["X_train"].shape == (100, 64) and data["X_val"].shape == (300, 64)
    assert data["image_shape"] == (1, 8, 8)
    np.testing.assert_array_equal(np.bincount(data["y_train"]), np.full(10, 10))
    assert len(load_dataset("digits", subsample=10 ** 6)["y_train"]) == 1197  # at most


# ---------------------------------------------------------------------------------------------
# fetch_cifar10 on local archives
# ---------------------------------------------------------------------------------------------

def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def make_archive(path, folder, extra=()):
    """tar.gz of `folder` as cifar-10-batches-py/, plus extra (TarInfo, bytes or None) members."""
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
        for info, payload in extra:
            tar.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return path


def _file_member(name, payload=b"gotcha"):
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    return info, payload


def _link_member(name, target, kind):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def test_fetch_extracts_and_verifies_a_local_archive(fake_cifar, tmp_path):
    folder = fake_cifar[0]
    archive = make_archive(tmp_path / "cifar-10-python.tar.gz", folder)
    dest = tmp_path / "out"
    got = fetch_cifar10(dest, url=archive.as_uri(), md5=_md5(archive))
    assert got == dest / "cifar-10-batches-py"
    assert [p.name for p in dest.iterdir()] == ["cifar-10-batches-py"]  # no leftovers
    for a, b in zip(load_cifar10(folder), load_cifar10(got)):
        np.testing.assert_array_equal(a, b)
    # already complete: nothing is downloaded (this URL would fail)
    assert fetch_cifar10(dest, url=(tmp_path / "nowhere.tar.gz").as_uri()) == got


def test_fetch_rejects_a_wrong_md5(fake_cifar, tmp_path):
    archive = make_archive(tmp_path / "a.tar.gz", fake_cifar[0])
    dest = tmp_path / "out"
    with pytest.raises(DatasetCorruptError, match="md5") as info:
        fetch_cifar10(dest, url=archive.as_uri(), md5="0" * 32)
    _one_sentence(info.value)
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("member", [
    _file_member("cifar-10-batches-py/../../escaped"),
    _file_member("../escaped"),
    _file_member("/tmp/trainlab-escaped-absolute"),
    _file_member("elsewhere/escaped"),
    _link_member("cifar-10-batches-py/link", "/etc/passwd", tarfile.SYMTYPE),
    _link_member("cifar-10-batches-py/hard", "/etc/passwd", tarfile.LNKTYPE),
], ids=["dotdot-inside", "dotdot", "absolute", "outside-folder", "symlink", "hardlink"])
def test_fetch_rejects_unsafe_members(fake_cifar, tmp_path, member):
    archive = make_archive(tmp_path / "evil.tar.gz", fake_cifar[0], extra=[member])
    dest = tmp_path / "deep" / "out"
    with pytest.raises(DatasetCorruptError, match="refusing to extract") as info:
        fetch_cifar10(dest, url=archive.as_uri(), md5=_md5(archive))
    _one_sentence(info.value)
    assert list(dest.iterdir()) == []
    assert not list(tmp_path.rglob("escaped"))


def test_fetch_reports_download_failure_and_partial_folders(fake_cifar, tmp_path):
    with pytest.raises(DatasetDownloadError) as info:
        fetch_cifar10(tmp_path / "out", url=(tmp_path / "missing.tar.gz").as_uri())
    _one_sentence(info.value)
    archive = make_archive(tmp_path / "a.tar.gz", fake_cifar[0])
    partial = tmp_path / "out" / "cifar-10-batches-py"
    partial.mkdir(parents=True)
    with pytest.raises(DatasetCorruptError, match="--force"):
        fetch_cifar10(tmp_path / "out", url=archive.as_uri(), md5=_md5(archive))
    fetch_cifar10(tmp_path / "out", url=archive.as_uri(), md5=_md5(archive), force=True)
    assert tds.find_cifar10(tmp_path / "out") == partial


def test_command_line_fetch_and_info(fake_cifar, tmp_path, capsys):
    archive = make_archive(tmp_path / "a.tar.gz", fake_cifar[0])
    dest = tmp_path / "cli"
    argv = ["fetch", "--dest", str(dest), "--url", archive.as_uri(), "--quiet"]
    assert cli_main(argv + ["--md5", "f" * 32]) == 1
    assert "error: The CIFAR-10 archive" in capsys.readouterr().err
    assert cli_main(argv + ["--md5", _md5(archive)]) == 0
    assert str(dest / "cifar-10-batches-py") in capsys.readouterr().out
    assert cli_main(["info", "--root", str(dest)]) == 0
    assert "uses CIFAR-10 at" in capsys.readouterr().out
    assert cli_main(["info", "--root", str(tmp_path / "none")]) == 0
    assert tds.AUTO_FALLBACK_NAME in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST: the IDX reader, the full set wherever it is, the embedded subset
# ---------------------------------------------------------------------------------------------

def _write_idx(path, array, gz=True):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    payload = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as f:
            f.write(payload)
    else:
        Path(path).write_bytes(payload)


@pytest.fixture
def fake_fashion(tmp_path):
    """The four IDX files of a tiny Fashion-MNIST (30 train, 10 test images), in tmp/fashion-mnist."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (30, 28, 28)),
              "train-labels-idx1-ubyte": np.arange(30) % 10,
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28)),
              "t10k-labels-idx1-ubyte": np.arange(10)}
    for i, (stem, array) in enumerate(arrays.items()):
        _write_idx(folder / stem, array, gz=i % 2 == 0)  # gzipped and plain files both read
    return folder, arrays


def test_full_fashion_mnist_is_read_from_idx_files(fake_fashion, monkeypatch):
    folder, arrays = fake_fashion
    monkeypatch.setenv("TRAINLAB_DATA", str(folder.parent))  # the folder holding fashion-mnist/
    X_train, y_train, X_test, y_test, names, found = load_fashion_mnist()
    assert found == folder and names[0] == "T-shirt/top" and len(names) == 10
    assert X_train.shape == (30, 1, 28, 28) and X_train.dtype == np.uint8 and y_train.dtype == np.int64
    np.testing.assert_array_equal(X_train[:, 0], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
    data = load_dataset("fashion_mnist", num_val=10)
    assert data["source"] == "fashion_mnist" and data["image_shape"] == (1, 28, 28)
    assert len(data["y_train"]) == 20 and np.bincount(data["y_val"]).tolist() == [1] * 10
    assert len(data["y_test"]) == 10 and data["X_train"].dtype == np.float32


def test_missing_or_corrupt_fashion_mnist_is_one_clear_error(tmp_path, fake_fashion):
    with pytest.raises(DatasetNotFoundError, match="fashion_mnist_subset"):
        load_fashion_mnist(tmp_path / "nowhere")
    folder, _ = fake_fashion
    (folder / "t10k-labels-idx1-ubyte.gz").unlink() if (folder / "t10k-labels-idx1-ubyte.gz").exists() else \
        (folder / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetNotFoundError):
        load_dataset("fashion_mnist", root=folder)
    bad = tmp_path / "bad-idx3-ubyte"
    bad.write_bytes(bytes([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]))  # promises 5 values, holds 2
    with pytest.raises(DatasetCorruptError, match="promises 5"):
        read_idx(bad)
    bad.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(DatasetCorruptError, match="IDX"):
        read_idx(bad)


def test_embedded_subset_is_stratified_uint8_and_traceable():
    X_train, y_train, X_test, y_test, names = load_subset()
    assert X_train.shape == (10000, 1, 28, 28) and X_test.shape == (2000, 1, 28, 28)
    assert X_train.dtype == np.uint8 and X_train.max() == 255
    assert np.bincount(y_train).tolist() == [1000] * 10 and np.bincount(y_test).tolist() == [200] * 10
    with np.load(SUBSET_FILE) as stored:
        assert len(stored["source_sha256"]) == 4 and len(np.unique(stored["train_index"])) == 10000
    data = load_dataset("fashion_mnist_subset")
    assert (len(data["y_train"]), len(data["y_val"]), len(data["y_test"])) == (9000, 1000, 2000)
    assert data["name"].startswith("Fashion-MNIST subset")


def test_subset_rebuilds_from_the_full_files(fake_fashion, tmp_path):
    folder, arrays = fake_fashion
    out = tmp_path / "subset.npz"
    build_subset(folder, out)
    X_train, y_train, X_test, y_test, _ = load_subset(out)
    # 30 training images, 3 per class: fewer than 1000 per class, so all are kept, in order
    np.testing.assert_array_equal(X_train[:, 0], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
