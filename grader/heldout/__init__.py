"""The held-out images the "best model" challenge is graded on (instructor side only).

fashion_mnist_heldout.npz holds HELDOUT_PER_CLASS images of each class from the official
Fashion-MNIST test set, none of which is in the subset embedded in trainlab_datasets: the
student release and the sandboxed notebook kernel never contain this folder (release.EXCLUDED),
so a model fitted to the validation split a student holds is graded on images it has not seen.
README.md beside this file gives its provenance; `python -m grader.heldout` rebuilds it from the
full IDX files (the Debian package dataset-fashion-mnist).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

HELDOUT_FILE = Path(__file__).resolve().parent / "fashion_mnist_heldout.npz"
HELDOUT_PER_CLASS = 500
HELDOUT_SEED = 7  # a seed of its own, unrelated to the embedded subset's


def image_hashes(images) -> list[str]:
    """sha256 of each image's uint8 pixels: images (N, ..., H, W) -> N hex digests."""
    flat = np.ascontiguousarray(images, dtype=np.uint8).reshape(len(images), -1)
    return [hashlib.sha256(row.tobytes()).hexdigest() for row in flat]


def fresh_test_indices(X_test, embedded) -> np.ndarray:
    """Indices of official test images whose pixels equal no embedded image and no earlier test image."""
    seen, keep = set(image_hashes(embedded)), []
    for i, digest in enumerate(image_hashes(X_test)):
        if digest not in seen:
            keep.append(i)
        seen.add(digest)
    return np.array(keep)


def draw_heldout(y_test, candidates, per_class=HELDOUT_PER_CLASS, seed=HELDOUT_SEED) -> np.ndarray:
    """per_class candidates of each class, drawn with `seed`, in their original order (sorted)."""
    rng = np.random.default_rng(seed)
    picks = [rng.choice(candidates[y_test[candidates] == c], per_class, replace=False)
             for c in np.unique(y_test)]
    return np.sort(np.concatenate(picks))


def build_heldout(root=None, out=HELDOUT_FILE) -> Path:
    """Write the held-out file from the full Fashion-MNIST files (found as load_fashion_mnist finds them)."""
    from trainlab_datasets import load_fashion_mnist, load_subset

    _, _, X_test, y_test, _, folder = load_fashion_mnist(root)
    X_sub_train, _, X_sub_test, _, _ = load_subset()
    candidates = fresh_test_indices(X_test[:, 0], np.concatenate([X_sub_train[:, 0], X_sub_test[:, 0]]))
    index = draw_heldout(y_test, candidates)
    sources = [f"{name} {hashlib.sha256(a.tobytes()).hexdigest()}"
               for name, a in (("test_images", X_test[:, 0]), ("test_labels", y_test.astype(np.uint8)))]
    np.savez_compressed(out, X=X_test[index, 0], y=y_test[index].astype(np.uint8),
                        test_index=index.astype(np.int32), source_sha256=np.array(sources))
    return Path(out)


def load_heldout(path=HELDOUT_FILE):
    """The held-out split: X float32 (N, 1, 28, 28) with pixel values in 0..255, y int64 (N,)."""
    with np.load(path, allow_pickle=False) as saved:
        X, y = saved["X"], saved["y"]
    return X[:, None].astype(np.float32), y.astype(np.int64)
