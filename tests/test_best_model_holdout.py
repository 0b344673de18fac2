"""The "best model" challenge: graded on held-out images no student has, from a file read within limits.

A model fitted on the validation split a student holds must fail at grading while the reference
recipe of notebook 07 passes; a hostile best_model.npz (zip bombs, huge architectures, pickles,
stray members, links, truncated files, bad JSON) is refused in one line before anything large is
decompressed or built, and the trusted process's peak memory stays bounded.
"""
import io
import json
import os
import struct
import subprocess
import sys
import zipfile

import nbformat
import numpy as np
import pytest

from grader.core.engine import reference_src
from grader.heldout import HELDOUT_FILE, HELDOUT_PER_CLASS, build_heldout, image_hashes, load_heldout
from grader.challenge import (BEST_MODEL_FILE, best_model_threshold, evaluate_saved_model, pixel_features, save_model)
from grader.challenge.saved_model import MAX_PARAMETERS
from trainlab_datasets import find_fashion_mnist, load_dataset

SOURCE = "fashion_mnist_subset"
HIDDEN = [16]  # the small valid model the hostile files start from
LARGEST_HIDDEN = [4096, 1024]  # 7,420,938 parameters: near MAX_PARAMETERS
BOMB_BYTES = 1 << 30  # what a zip bomb member decompresses to
HOSTILE_RSS_MB = 300  # the trusted process's peak with any hostile file: nothing large was decompressed
WORKING_MB = 16  # what grading the largest model may take beyond the model itself (measured: 5)
MB = 1 << 20


@pytest.fixture(scope="module")
def data():
    return load_dataset(SOURCE)


def _model(hidden, **options):
    from trainlab.model import FullyConnectedNet

    return FullyConnectedNet(hidden, 784, 10, seed=0, **options)


def _evaluate(path, data):
    return evaluate_saved_model(path, reference_src(), data)


# ---------------------------------------------------------------- the held-out split

def test_the_heldout_images_are_none_of_the_embedded_ones(data):
    with np.load(HELDOUT_FILE, allow_pickle=False) as saved:
        raw, labels = saved["X"], saved["y"]
    assert raw.dtype == np.uint8 and raw.shape == (10 * HELDOUT_PER_CLASS, 28, 28)
    assert np.bincount(labels).tolist() == [HELDOUT_PER_CLASS] * 10
    heldout = set(image_hashes(raw))
    assert len(heldout) == len(raw)
    for split in ("train", "val", "test"):
        assert heldout.isdisjoint(image_hashes(data[f"X_{split}"].astype(np.uint8))), split
    assert HELDOUT_FILE.stat().st_size < 3 * MB


@pytest.mark.skipif(find_fashion_mnist() is None, reason="needs the full Fashion-MNIST files")
def test_the_heldout_file_is_rebuilt_identically_from_the_full_files(tmp_path):
    rebuilt = build_heldout(out=tmp_path / "heldout.npz")
    with np.load(HELDOUT_FILE, allow_pickle=False) as stored, np.load(rebuilt, allow_pickle=False) as fresh:
        assert sorted(stored.files) == sorted(fresh.files)
        assert all(np.array_equal(stored[key], fresh[key]) for key in stored.files)


def test_neither_the_release_nor_the_kernel_holds_the_heldout_file(root, tmp_path):
    from grader.instructor.course import public_tree
    from grader.instructor.release import RELEASE_STEPS, build_release, release_notebooks

    steps = [step for step in RELEASE_STEPS if step is not release_notebooks]  # notebooks only: 25 s of nbgrader
    release = build_release(root, tmp_path / "student", steps=steps)
    public_tree(root, tmp_path / "kernel")
    digest = HELDOUT_FILE.read_bytes()
    for folder in (release, tmp_path / "kernel"):
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert files and not any("heldout" in p.name for p in folder.rglob("*")), folder
        assert not any(p.stat().st_size == len(digest) and p.read_bytes() == digest for p in files), folder


def test_a_model_fitted_on_the_validation_split_fails_at_grading(data, tmp_path):
    """The cheat: softmax regression fitted on the validation images clears the threshold there."""
    from sklearn.linear_model import LogisticRegression

    features = pixel_features(data)
    fit = LogisticRegression(C=10.0, max_iter=300).fit(features(data["X_val"]), data["y_val"])
    model = _model([])
    model.params = {"W1": fit.coef_.T.copy(), "b1": fit.intercept_.copy()}
    val = float(np.mean(np.argmax(model.loss(features(data["X_val"])), axis=1) == data["y_val"]))
    assert val > best_model_threshold(SOURCE) + 0.05, val
    X, y = load_heldout()
    heldout = float(np.mean(np.argmax(model.loss(features(X)), axis=1) == y))
    assert heldout < best_model_threshold(SOURCE) - 0.03, heldout
    report, passed = _evaluate(save_model(model, tmp_path / BEST_MODEL_FILE), data)
    assert not passed and f"held-out accuracy of the saved best_model {heldout:.3f}" in report, report


def test_the_reference_recipe_of_notebook_07_passes_at_grading(root, tmp_path):
    from trainlab.model import FullyConnectedNet
    from trainlab.solver import Solver

    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
             for c in nbformat.read(root / "notebooks" / "07_babysitting.ipynb", as_version=4).cells}
    namespace = {"np": np, "FullyConnectedNet": FullyConnectedNet, "Solver": Solver,
                 "load_dataset": load_dataset, "FAST": True}
    exec(cells["data_cell"], namespace)
    exec(cells["best_model_solution"].replace("progress=True", "progress=False"), namespace)
    assert namespace["data"]["source"] == SOURCE
    report, passed = _evaluate(save_model(namespace["best_model"], tmp_path / BEST_MODEL_FILE), namespace["data"])
    accuracy = float(report.split("best_model ")[1].split()[0])
    assert passed and abs(accuracy - 0.864) < 0.01, report  # the figure section 7 quotes


# ---------------------------------------------------------------- hostile files

def _npy(array, allow_pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=allow_pickle)
    return buffer.getvalue()


def _config(hidden=HIDDEN, **changes):
    config = {"hidden_dims": hidden, "activation": "relu", "normalization": None, "keep_prob": 1.0,
              "reg": 0.0, "dtype": "float64", **changes}
    return _npy(np.array(json.dumps(config)))


def _members(hidden=HIDDEN):
    """name -> .npy bytes of a valid, untrained model."""
    members = {"config.npy": _config(hidden)}
    members.update({f"param/{k}.npy": _npy(v) for k, v in _model(hidden).params.items()})
    return members


def _write(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return path


def _bomb(path, lie):
    """W1's member: a valid header then BOMB_BYTES of zeros, deflated to about 1 MB. With lie, the
    central directory declares the size W1 needs, as if the data stopped there."""
    members = _members()
    header = members.pop("param/W1.npy")[:128]
    _write(path, members)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("param/W1.npy", "w") as stream:
            stream.write(header)
            zeros = bytes(16 * MB)
            for _ in range(BOMB_BYTES // len(zeros)):
                stream.write(zeros)
    if lie:
        blob = bytearray(path.read_bytes())
        entry = blob.rindex(b"PK\x01\x02")  # the central directory entry of the last member, W1
        struct.pack_into("<I", blob, entry + 24, 128 + 784 * HIDDEN[0] * 8)
        path.write_bytes(bytes(blob))
    return path


def _short_data(path):
    members = _members()
    members["param/W1.npy"] = members["param/W1.npy"][:-1000]
    return _write(path, members)


def _long_comments(path):
    """Each member carries a 60 kB comment in the central directory, which zipfile would parse."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in _members().items():
            info = zipfile.ZipInfo(name)
            info.comment = b"x" * 60_000
            archive.writestr(info, payload)
    return path


def _truncated(path):
    _write(path, _members())
    path.write_bytes(path.read_bytes()[:2000])
    return path


def _symlink(path):
    target = _write(path.with_name("elsewhere.npz"), _members())
    path.symlink_to(target)
    return path


def _with(name, payload):
    """A builder of the valid file with member `name` replaced or added."""
    def build(path):
        return _write(path, {**_members(), name: payload})
    return build


def _too_many(path):
    return _write(path, {**_members(), **{f"param/b{i}.npy": _npy(np.zeros(1)) for i in range(3, 80)}})


HOSTILE = {
    "bomb_declared_size": (lambda p: _bomb(p, lie=False), "param/W1 declares 1,073,741,952 bytes uncompressed"),
    "bomb_lying_size": (lambda p: _bomb(p, lie=True), "param/W1 is corrupt (Bad CRC-32"),
    "data_shorter_than_header": (_short_data, "param/W1 declares 99,480 bytes uncompressed, but its header"),
    "huge_hidden_dims": (_with("config.npy", _config([8000, 8000])),
                         "hidden_dims [8000, 8000] make 70,368,010 parameters, more than the 8,000,000 allowed"),
    "shape_not_the_config's": (_with("param/W1.npy", _npy(np.zeros((800, 800)))[:128]),
                               "param/W1 declares shape (800, 800), the architecture in its config needs (784, 16)"),
    "integer_weights": (_with("param/W1.npy", _npy(np.zeros((784, 16), np.int64))),
                        "param/W1 has dtype <i8, not float32 or float64"),
    "pickled_object_array": (_with("param/b1.npy", _npy(np.array([{}] * 16, dtype=object), allow_pickle=True)),
                             "param/b1 has dtype |O, not float32 or float64"),
    "unexpected_member": (_with("../../etc/cron.d/job", b"x"), "unexpected or repeated member '../../etc/cron.d/job'"),
    "stray_parameter": (_with("param/W9.npy", _npy(np.zeros(3))), "unexpected ['param/W9']"),
    "too_many_members": (_too_many, "it has 82 members in a"),
    "huge_central_directory": (_long_comments, "it has 5 members in a 300,"),
    "symlink": (_symlink, "it is a link, not the file the graded cell saves"),
    "truncated_file": (_truncated, "it is not a complete npz (zip) file"),
    "bad_json": (_with("config.npy", _npy(np.array("{hidden_dims: [16"))), "its config is not valid JSON"),
    "bad_activation": (_with("config.npy", _config(activation="__import__('os')")), "invalid activation"),
    "config_not_a_string": (_with("config.npy", _npy(np.zeros(3))), "its config is <f8 of shape (3,)"),
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, (build, _) in HOSTILE.items():
        (folder / name).mkdir()
        paths[name] = build(folder / name / BEST_MODEL_FILE)
    return paths


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_model_file_is_refused_in_one_line(name, hostile_files, data):
    report, passed = _evaluate(hostile_files[name], data)
    assert not passed and report.count("\n") == 1 and HOSTILE[name][1] in report, report
    assert report.startswith(f"{BEST_MODEL_FILE} was not graded: "), report


def test_a_valid_batchnorm_model_round_trips(data, tmp_path):
    model = _model([32, 16], normalization="batchnorm", keep_prob=0.9)
    for i, state in enumerate(model.bn_params):
        state.update(running_mean=np.full(model.hidden_dims[i], 0.5), running_var=np.full(model.hidden_dims[i], 2.0))
    report, passed = _evaluate(save_model(model, tmp_path / BEST_MODEL_FILE), data)
    X, y = load_heldout()
    expected = float(np.mean(np.argmax(model.loss(pixel_features(data)(X)), axis=1) == y))
    assert f"held-out accuracy of the saved best_model {expected:.3f}" in report and not passed, report


# ---------------------------------------------------------------- peak memory of the trusted process

# The peak resident size of the child's own memory (VmHWM): its ru_maxrss would also count the
# parent's size at the fork, which exec carries over on Linux.
PEAK_SCRIPT = """
import json, sys
from pathlib import Path
from grader.core.engine import reference_src
from grader.challenge import evaluate_saved_model
from trainlab_datasets import find_fashion_mnist, load_dataset
data = load_dataset("fashion_mnist_subset")
reports = [evaluate_saved_model(path, reference_src(), data)[0] for path in sys.argv[1:]]
peak_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
print(json.dumps({"reports": reports, "peak_mb": peak_kb / 1024}))
"""


def _peak(paths, root):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, *map(str, paths)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the peak resident size from /proc")
def test_peak_memory_stays_bounded(hostile_files, root, tmp_path):
    """Baseline: the process grading a tiny model. The largest accepted model adds its own size and
    at most WORKING_MB more (each saved array replaces the initial one, the evaluation goes by
    batches); no hostile file, two of which decompress to 1 GiB, raises the peak above the baseline."""
    tiny = save_model(_model(HIDDEN), tmp_path / "tiny.npz")
    largest = _model(LARGEST_HIDDEN)
    size_mb = sum(v.nbytes for v in largest.params.values()) / MB
    assert sum(v.size for v in largest.params.values()) <= MAX_PARAMETERS
    path = save_model(largest, tmp_path / BEST_MODEL_FILE)
    del largest
    base, big = _peak([tiny], root), _peak([path], root)
    hostile = _peak(list(hostile_files.values()), root)
    assert "held-out accuracy" in big["reports"][0], big
    assert all("held-out accuracy" not in r for r in hostile["reports"]), hostile
    assert big["peak_mb"] - base["peak_mb"] < size_mb + WORKING_MB, (base, big, size_mb)
    assert hostile["peak_mb"] < min(HOSTILE_RSS_MB, base["peak_mb"] + 5), (base, hostile)
