"""Hidden-only checks for trainlab/preprocessing.py (instructor side), and the formulas of the
known mistakes of the fits (grader/core/derived.py).

Every public property check again, on random shapes (2-8 features, 3-6 times as many training
rows, random k) and fresh data from the per-student seed.
"""
from __future__ import annotations

import numpy as np

from ..checks.preprocessing import INPUTS_UNCHANGED, PROPERTIES, T
from ..core.registry import check
from .derived import formula


def _register_hidden(fn, name, prop):
    @check(T, fn, f"{name}, random shapes", hidden=True, style=name == INPUTS_UNCHANGED)
    def hidden(ctx):
        prop(ctx, True)


for _fn, _name, _prop in PROPERTIES:
    _register_hidden(_fn, _name, _prop)


# ---------------------------------------------------------------- known mistakes, for the hints
# Their formulas need a correct eigen-decomposition (grader/checks/preprocessing.py, FIT_HINTS).

def _eigen(M, k=None):
    lam, vecs = np.linalg.eigh(M)
    return lam[::-1][:k], vecs[:, ::-1][:, :k]


@formula("fit_pca", "covariance over N - 1")
def pca_unbiased(i):
    return {"eigenvalues": _eigen(np.cov(i["X_train"], rowvar=False), i.get("k"))[0]}


@formula("fit_pca", "uncentred covariance")
def pca_uncentred(i):
    X = i["X_train"]
    return {"eigenvalues": _eigen(X.T @ X / len(X), i.get("k"))[0]}


@formula("fit_whitening", "scale without square root")
def whitening_scale_unrooted(i):
    lam = _eigen(np.cov(i["X_train"], rowvar=False, bias=True), i.get("k"))[0]
    return {"scale": 1.0 / (lam + i.get("eps", 1e-5))}
