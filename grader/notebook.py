"""What the notebooks call: set up the student's library and grade a group of functions.

Each group of functions has two graded test cells. The public one runs `grade(topic, functions)`
and ends with its value, the points earned; it is worth the public checks' points. The hidden one
holds `grade(topic, functions, hidden=True)` inside nbgrader's hidden-tests markers and is worth
the hidden checks' points: the release keeps only its comment, so the cell displays nothing and
`nbgrader validate` counts it as passed, and a student whose public checks all pass sees validate
succeed. At grading the trusted grader scores both cells itself (grader/instructor/trusted.py), so
the autograded total is the points of every check that passed.

`grade` runs the checks of those functions on the student's own src/ (never the installed
reference), prints one line per check to stdout (nothing goes to stderr, which would zero the
cell), and returns the points earned. nbgrader reads a number as the cell's last value as partial
credit, so a student loses exactly the points of the checks that fail. Each cell's points in its
nbgrader metadata are its checks' points (`cell_points`), kept in step by `trainlab course`.
"""
from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

from .engine import run_checks
from .registry import hidden_available, select

FAST_ENV = ("NBGRADER_EXECUTION", "TRAINLAB_FAST")


def fast_mode() -> bool:
    """True while nbgrader autogrades or validates (or TRAINLAB_FAST is set): skip slow experiments."""
    return any(os.environ.get(name) for name in FAST_ENV)


def find_src(start: Path | None = None) -> Path:
    """The student's source folder: ./src or ../src from the notebook's folder."""
    start = Path(start or Path.cwd())
    for candidate in (start / "src", start.parent / "src"):
        if (candidate / "trainlab" / "__init__.py").is_file():
            return candidate
    raise FileNotFoundError(f"no src/trainlab folder next to {start}; open the notebook from the assignment folder.")


def setup(start: Path | None = None) -> Path:
    """Make `import trainlab` load the student's src/ (not an installed copy); return that folder.

    Also limits BLAS to one thread: the notebooks multiply small matrices, where a second thread
    competing for 2 cores with the autograder's other work made training runs 5-20 times slower.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    src = find_src(start)
    if sys.path[:1] != [str(src)]:
        sys.path.insert(0, str(src))
    for name in [m for m in sys.modules if m == "trainlab" or m.startswith("trainlab.")]:
        del sys.modules[name]  # pick up the student's latest edits
    return src


def student_seed(start: Path | None = None) -> int:
    """Seed for hidden checks: TRAINLAB_SEED if set, else derived from the student id.

    Under nbgrader autograde the notebook runs in autograded/<student>/<assignment>/, so the
    student id is the parent folder's name; elsewhere the seed is 0.
    """
    if os.environ.get("TRAINLAB_SEED"):
        return int(os.environ["TRAINLAB_SEED"])
    here = Path(start or Path.cwd()).resolve()
    if here.parent.parent.name == "autograded":
        return seed_for_student(here.parent.name)
    return 0


def seed_for_student(student_id: str) -> int:
    return zlib.crc32(student_id.encode()) % 2**31


def _selected(topic: str, functions, hidden: bool):
    return [c for c in select([topic], hidden=hidden) if c.function in functions and c.hidden == hidden]


def cell_checks(topic: str, functions, hidden: bool | None = None) -> list:
    """The checks of `functions` a test cell stands for: the public ones (hidden=False), the hidden
    ones (hidden=True) or both (None)."""
    return [c for c in select([topic], hidden=True)
            if c.function in functions and (hidden is None or c.hidden == hidden)]


def cell_points(topic: str, functions, hidden: bool | None = None) -> float:
    """Points of the checks of `functions` a test cell stands for (what the nbgrader cell is worth)."""
    return sum(c.points for c in cell_checks(topic, functions, hidden))


def grade(topic: str, functions, hidden: bool = False, seed: int | None = None, quiet: bool = False) -> float:
    """Run the public (or only the hidden) checks of `functions`; print them; return points earned.

    Under autograde this runs in the sandboxed kernel, where the hidden checks do not exist: the
    trusted grader replaces the cell's output with its own result afterwards.
    """
    functions = [functions] if isinstance(functions, str) else list(functions)
    if hidden and not hidden_available():
        print("hidden checks run at grading time, by the grader, outside this notebook")
        return 0.0
    checks = _selected(topic, functions, hidden)
    if not checks:
        raise ValueError(f"no {'hidden' if hidden else 'public'} checks for {functions} in topic {topic!r}.")
    results = run_checks(find_src(), checks=checks, seed=student_seed() if seed is None else seed)
    earned = sum(r.points for r in results if r.passed)
    if not quiet:
        from .report import text_report

        print(text_report(results, f"{'hidden' if hidden else 'public'} checks"), end="")
    return float(earned)


# ------------------------------------------------------------------ the "best model" challenge
# Notebook 07's graded cell saves the student's model with save_model; at grading time the trusted
# grader evaluates that file with the reference model code (evaluate_saved_model), never a number
# the kernel printed.

BEST_MODEL_CELL = "test_best_model"
BEST_MODEL_FILE = "best_model.npz"
# The validation accuracy best_model needs, by data set: measured reference runs (notebook 07,
# section 7) reach 0.884 +- 0.006 on the Fashion-MNIST subset (5 seeds), where a plain one-layer
# SGD network reaches about 0.815.
BEST_MODEL_THRESHOLD = {"fashion_mnist_subset": 0.86, "fashion_mnist": 0.86, "digits": 0.85, "cifar10": 0.40}


def best_model_threshold(source: str) -> float:
    return BEST_MODEL_THRESHOLD.get(source, BEST_MODEL_THRESHOLD["cifar10"])
MODEL_OPTIONS = ("activation", "normalization", "keep_prob", "reg")
MAX_MODEL_BYTES = 256 << 20


def save_model(model, path=BEST_MODEL_FILE) -> Path:
    """Write a FullyConnectedNet's architecture, weights and batchnorm statistics as plain arrays."""
    import json

    import numpy as np

    config = {"hidden_dims": [int(d) for d in model.hidden_dims],
              **{k: getattr(model, k) for k in MODEL_OPTIONS},
              "dtype": np.dtype(model.dtype).name}
    arrays = {f"param/{k}": np.asarray(v) for k, v in model.params.items()}
    for i, state in enumerate(model.bn_params):
        for key in ("running_mean", "running_var"):
            if key in state:
                arrays[f"bn/{i}/{key}"] = np.asarray(state[key])
    np.savez(path, config=np.array(json.dumps(config)), **arrays)
    return Path(path)


def pixel_features(data):
    """The notebooks' preprocessing: flatten, subtract the training mean image, divide by the pixel std."""
    train = data["X_train"].reshape(len(data["X_train"]), -1)
    mean, std = train.mean(axis=0), float(train.std())
    return lambda X: (X.reshape(len(X), -1) - mean) / std


def _load_model(path: Path, reference_src):
    """A reference FullyConnectedNet holding the saved weights; ValueError if the file is not one."""
    import json
    import os

    import numpy as np

    from .invoke import load_package

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))  # never follow a link the kernel made
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > MAX_MODEL_BYTES:
            raise ValueError(f"{path.name} is larger than {MAX_MODEL_BYTES >> 20} MiB")
        with np.load(handle, allow_pickle=False) as saved:
            arrays = {k: saved[k] for k in saved.files}
    config = json.loads(str(arrays.pop("config")))
    model_module = __import__(f"{load_package(reference_src).__name__}.model", fromlist=["FullyConnectedNet"])
    params = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("param/")}
    if any(v.dtype.kind != "f" for v in params.values()) or "W1" not in params:
        raise ValueError(f"{path.name} holds no float weights W1, b1, ...")
    model = model_module.FullyConnectedNet(
        config["hidden_dims"], params["W1"].shape[0], params[f"W{len(config['hidden_dims']) + 1}"].shape[1],
        **{k: config[k] for k in MODEL_OPTIONS}, dtype=np.dtype(config["dtype"]), seed=0)
    if set(params) != set(model.params) or any(params[k].shape != model.params[k].shape for k in params):
        raise ValueError(f"the weights in {path.name} do not match its architecture")
    model.params = params
    for i, state in enumerate(model.bn_params):
        state.update({key: arrays[f"bn/{i}/{key}"] for key in ("running_mean", "running_var")
                      if f"bn/{i}/{key}" in arrays})
    return model


def evaluate_saved_model(path: Path, reference_src, data=None) -> tuple[str, bool]:
    """(report, passed): validation accuracy of the saved model, computed with the reference code."""
    import numpy as np

    path = Path(path)
    if not path.is_file() or path.is_symlink():
        return (f"no {path.name} was saved: the graded cell saves best_model, so best_model must exist "
                "and be a FullyConnectedNet.\n", False)
    if reference_src is None:
        return "the reference model code is not installed here; the best model cannot be graded.\n", False
    try:
        model = _load_model(path, reference_src)
        if data is None:
            from trainlab_datasets import load_dataset

            data = load_dataset()
        scores = model.loss(pixel_features(data)(data["X_val"]))
        accuracy = float(np.mean(np.argmax(scores, axis=1) == data["y_val"]))
    except Exception as exc:  # a malformed file costs this cell only
        return f"{path.name} could not be evaluated ({type(exc).__name__}: {str(exc)[:200]}).\n", False
    threshold = best_model_threshold(data["source"])
    verdict = "passed" if accuracy >= threshold else "not enough"
    return (f"trusted grader: validation accuracy of the saved best_model {accuracy:.3f} "
            f"(needs >= {threshold}): {verdict}\n", accuracy >= threshold)
