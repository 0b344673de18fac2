"""Correct preprocessing in other styles."""
import numpy as np

from . import variant

T = "preprocessing"


@variant(f"{T}.fit_mean", style="X.sum(axis=0) / N")
def fit_mean_sum(X):
    return {"mean": X.sum(axis=0) / X.shape[0]}


@variant(f"{T}.fit_standardize", style="np.var and np.std-style formula")
def fit_standardize_var(X, eps=1e-8):
    return {"mean": np.mean(X, axis=0), "std": np.sqrt(np.var(X, axis=0) + eps)}


@variant(f"{T}.standardize", style="np.divide(np.subtract(...))")
def standardize_ufuncs(X, stats):
    return np.divide(np.subtract(X, stats["mean"]), stats["std"])


@variant(f"{T}.fit_pca", style="SVD of the centred data instead of eigh of the covariance")
def fit_pca_svd(X, k=None):
    N, D = X.shape
    k = D if k is None else int(k)
    if not 1 <= k <= D:
        raise ValueError(f"k = {k} components requested; choose 1 <= k <= D = {D}.")
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    eigenvalues = np.zeros(D)
    eigenvalues[:len(s)] = s ** 2 / N
    components = np.zeros((D, D))
    components[:, :len(s)] = vt.T
    rows = np.argmax(np.abs(components), axis=0)
    components = components * np.sign(components[rows, np.arange(D)] + (components[rows, np.arange(D)] == 0))
    return {"mean": mean, "components": components[:, :k], "eigenvalues": eigenvalues[:k],
            "explained_variance_ratio": eigenvalues[:k] / eigenvalues.sum()}
