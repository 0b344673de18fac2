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

from .core.engine import run_checks
from .catalogue import select
from .core.registry import hidden_available
from .saved_model import MAX_MODEL_BYTES  # noqa: F401  the largest best_model.npz taken back from the kernel

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
        from .core.report import text_report

        print(text_report(results, f"{'hidden' if hidden else 'public'} checks"), end="")
    return float(earned)


# ------------------------------------------------------------------ the "best model" challenge
# Notebook 07's graded cell saves the student's model with save_model; at grading time the trusted
# grader reads that file within the limits of saved_model.py and evaluates it with the reference
# model code (evaluate_saved_model) on grading_split: images the student does not have for the
# default data set, never a number the kernel printed.

BEST_MODEL_CELL = "test_best_model"
BEST_MODEL_FILE = "best_model.npz"
# The accuracy best_model needs on grading_split, by data set. Fashion-MNIST subset, on the 5000
# held-out images: notebook 07's reference cell (fast mode, 5 seeds) reaches 0.864 +- 0.002 (0.860
# at worst; 0.884 +- 0.007 on the validation split); a plain network of one hidden layer (100
# units) trained with SGD for 5 epochs on all 9000 training images reaches 0.836 to 0.848 (learning
# rates 0.01 to 0.3, 3 seeds each); a softmax regression fitted on the validation split reaches
# 0.78-0.79 (0.92-1.00 on that split). Full Fashion-MNIST, on its official test set: the reference
# cell reaches 0.897 +- 0.002 (3 seeds); its threshold was not re-chosen. CIFAR-10 and the digits
# keep the thresholds chosen on their validation splits (no reference runs on their test splits).
BEST_MODEL_THRESHOLD = {"fashion_mnist_subset": 0.855, "fashion_mnist": 0.86, "digits": 0.85, "cifar10": 0.40}


def best_model_threshold(source: str) -> float:
    return BEST_MODEL_THRESHOLD.get(source, BEST_MODEL_THRESHOLD["cifar10"])


MODEL_OPTIONS = ("activation", "normalization", "keep_prob", "reg")


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


def grading_split(data):
    """(X, y, description): the images a saved best model is graded on, for load_dataset's data.

    The embedded Fashion-MNIST subset (the default without CIFAR-10): the held-out images of
    grader/heldout, official Fashion-MNIST test images that the subset does not contain and that
    neither the student release nor the notebook kernel holds. Any other data set: its test split,
    which is not the split a student tunes on but which a student who has those files also has
    (the official CIFAR-10 or Fashion-MNIST test set, or the digits' 300 test images).
    """
    from .saved_model import ModelFileError

    if data["source"] != "fashion_mnist_subset":
        return data["X_test"], data["y_test"], "test"
    try:
        from .heldout import load_heldout
    except ImportError:
        raise ModelFileError("the held-out images it is graded on are not installed here; "
                             "the instructor's grader grades it") from None
    X, y = load_heldout()
    return X, y, "held-out"


def predicted_accuracy(model, X, y, batch_size=100) -> float:
    """Test-mode accuracy of model on features X (N, D), evaluated batch by batch to bound memory."""
    import numpy as np

    hits = sum(int(np.sum(np.argmax(model.loss(X[i:i + batch_size]), axis=1) == y[i:i + batch_size]))
               for i in range(0, len(y), batch_size))
    return hits / len(y)


def _grade_saved_model(path: Path, reference_src, data) -> tuple[float, str, str]:
    """(accuracy, split description, data source) of the saved model; ModelFileError if the file
    is not a model within the limits."""
    import math

    from .sandbox.inside.invoke import load_package
    from .saved_model import load_saved_model

    if data is None:
        from trainlab_datasets import load_dataset

        data = load_dataset()
    X, y, split = grading_split(data)
    model = load_saved_model(path, load_package(reference_src), input_dim=math.prod(data["image_shape"]),
                             num_classes=len(data["class_names"]))
    return predicted_accuracy(model, pixel_features(data)(X), y), split, data["source"]


def evaluate_saved_model(path: Path, reference_src, data=None) -> tuple[str, bool]:
    """(report, passed): accuracy of the saved model on grading_split(data), computed with the
    reference code; data defaults to load_dataset(). The file is read within the limits of
    grader/saved_model.py; a file that breaks one is not graded, and the report says why in one line."""
    path = Path(path)
    if path.is_symlink():
        return f"{path.name} was not graded: it is a link, not the file the graded cell saves.\n", False
    if not path.is_file():
        return (f"no {path.name} was saved: the graded cell saves best_model, so best_model must exist "
                "and be a FullyConnectedNet.\n", False)
    if reference_src is None:
        return "the reference model code is not installed here; the best model cannot be graded.\n", False
    from .saved_model import ModelFileError

    try:
        accuracy, split, source = _grade_saved_model(path, reference_src, data)
    except ModelFileError as exc:
        return f"{path.name} was not graded: {' '.join(str(exc).split())}.\n", False
    except Exception as exc:  # a malformed file costs this cell only
        reason = " ".join(str(exc).split())[:200]
        return f"{path.name} could not be evaluated ({type(exc).__name__}: {reason}).\n", False
    threshold = best_model_threshold(source)
    verdict = "passed" if accuracy >= threshold else "not enough"
    return (f"trusted grader: {split} accuracy of the saved best_model {accuracy:.3f} "
            f"(needs >= {threshold}): {verdict}\n", accuracy >= threshold)
