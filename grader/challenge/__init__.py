"""The best-model challenge of notebook 07: the student's graded cell saves a model with
`save_model`; at grading the trusted grader reads that file within the limits of saved_model.py and
evaluates it with the reference model code (`evaluate_saved_model`) on `grading_split`: images the
student does not have for the default data set, never a number the kernel printed.
"""
from __future__ import annotations

from pathlib import Path

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
        from ..heldout import load_heldout
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

    from ..sandbox.inside.invoke import load_package
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
    grader/challenge/saved_model.py; a file that breaks one is not graded, and the report says why in one line."""
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
