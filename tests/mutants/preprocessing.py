"""Buggy preprocessing."""
import numpy as np

from trainlab import preprocessing as ref

from . import mutant

T = "preprocessing"


@mutant(f"{T}.fit_mean", "mean per example (axis=1) instead of per feature", hint='over axis 0')
def fit_mean_per_example(X):
    return {"mean": X.mean(axis=1)}


@mutant(f"{T}.subtract_mean", "subtracts each example's own mean instead of the feature means",
        hint="each example's own mean")
def subtract_mean_per_example(X, stats):
    return X - X.mean(axis=1, keepdims=True)


@mutant(f"{T}.subtract_mean", "subtracts the mean of the X it is given, not the train mean", hint='TRAINING statistics')
def subtract_mean_own_mean(X, stats):
    return X - X.mean(axis=0)


@mutant(f"{T}.subtract_mean", "centres X in place", hint='caller')
def subtract_mean_in_place(X, stats):
    X -= stats["mean"]
    return X


@mutant(f"{T}.standardize", "uses the statistics of the X it is given (fits inside the apply function)",
        hint='TRAINING statistics')
def standardize_own_stats(X, stats):
    return ref.standardize(X, ref.fit_standardize(X))


@mutant(f"{T}.fit_standardize", "no eps: a constant feature divides by zero", hint='sqrt(var + eps)')
def fit_standardize_no_eps(X, eps=1e-8):
    return {"mean": X.mean(axis=0), "std": X.std(axis=0)}


@mutant(f"{T}.fit_standardize", "unbiased variance (divides by N - 1)", hint='not N - 1')
def fit_standardize_unbiased(X, eps=1e-8):
    return {"mean": X.mean(axis=0), "std": np.sqrt(X.var(axis=0, ddof=1) + eps)}


@mutant(f"{T}.fit_standardize", "eps ignored when given (always 1e-8)", hint='the eps argument')
def fit_standardize_fixed_eps(X, eps=1e-8):
    return ref.fit_standardize(X)


@mutant(f"{T}.standardize", "divides by the variance instead of the std", hint='not its square')
def standardize_by_variance(X, stats):
    return (X - stats["mean"]) / stats["std"] ** 2


@mutant(f"{T}.fit_pca", "eigenvalues sorted ascending (eigh order kept)", hint='ascending order')
def fit_pca_ascending(X, k=None):
    N, D = X.shape
    k = D if k is None else k
    mean = X.mean(axis=0)
    lam, vecs = np.linalg.eigh((X - mean).T @ (X - mean) / N)
    return {"mean": mean, "components": ref._positive_signs(vecs[:, :k]), "eigenvalues": lam[:k],
            "explained_variance_ratio": lam[:k] / lam.sum()}


def _pca_from(mean, cov, k):
    lam, vecs = np.linalg.eigh(cov)
    lam, vecs = lam[::-1], vecs[:, ::-1]
    return {"mean": mean, "components": ref._positive_signs(vecs[:, :k]), "eigenvalues": lam[:k],
            "explained_variance_ratio": lam[:k] / lam.sum()}


@mutant(f"{T}.fit_pca", "covariance divides by N - 1", hint='not N - 1')
def fit_pca_unbiased(X, k=None):
    k = X.shape[1] if k is None else k
    mean = X.mean(axis=0)
    return _pca_from(mean, (X - mean).T @ (X - mean) / (len(X) - 1), k)


@mutant(f"{T}.fit_pca", "covariance of the uncentred data", hint='subtract the mean before')
def fit_pca_uncentred(X, k=None):
    k = X.shape[1] if k is None else k
    return _pca_from(X.mean(axis=0), X.T @ X / len(X), k)


@mutant(f"{T}.fit_pca", "components stored as rows (eigenvectors transposed)", hint='COLUMNS')
def fit_pca_rows(X, k=None):
    stats = ref.fit_pca(X)
    k = X.shape[1] if k is None else k
    return {**ref.fit_pca(X, k), "components": stats["components"].T[:, :k]}


@mutant(f"{T}.fit_pca", "no sign convention (raw eigh signs)", hint='_positive_signs')
def fit_pca_raw_signs(X, k=None):
    stats = ref.fit_pca(X, k)
    flips = np.where(np.arange(stats["components"].shape[1]) % 2 == 0, 1.0, -1.0)
    return {**stats, "components": stats["components"] * flips}


@mutant(f"{T}.pca_project", "forgets to subtract the mean", hint='subtract the mean')
def pca_project_uncentred(X, stats):
    return X @ stats["components"]


@mutant(f"{T}.pca_reconstruct", "forgets to add the mean back", hint='adds the mean back')
def pca_reconstruct_no_mean(Z, stats):
    return Z @ stats["components"].T


@mutant(f"{T}.fit_whitening", "scale divides by the eigenvalues, not their square roots", hint='sqrt(eigenvalue + eps)')
def fit_whitening_by_eigenvalues(X, eps=1e-5, k=None):
    stats = ref.fit_pca(X, k)
    return {**stats, "scale": 1.0 / (stats["eigenvalues"] + eps)}


@mutant(f"{T}.pca_whiten", "multiplies by sqrt(eigenvalue) instead of dividing", hint='sqrt(eigenvalue + eps)')
def pca_whiten_inverted(X, stats):
    return ref.pca_project(X, stats) * np.sqrt(stats["eigenvalues"])


@mutant(f"{T}.zca_whiten", "no rotation back (returns the PCA-whitened coordinates)", hint='rotate back')
def zca_whiten_no_rotation(X, stats):
    return ref.pca_whiten(X, stats)


@mutant(f"{T}.fit_mean", "sums into mean = X[0], a view, so the loop writes into X", hint='caller')
def fit_mean_aliased_sum(X):
    mean = X[0]
    for row in X[1:]:
        mean += row
    mean /= len(X)
    return {"mean": mean}


@mutant(f"{T}.fit_standardize", "centres X in place (X -= mean) before the variance", hint='caller')
def fit_standardize_in_place(X, eps=1e-8):
    mean = X.mean(axis=0)
    X -= mean
    return {"mean": mean, "std": np.sqrt(np.mean(X ** 2, axis=0) + eps)}


@mutant(f"{T}.standardize", "out = X is an alias: out -= mean; out /= std write into X", hint='caller')
def standardize_in_place(X, stats):
    out = X
    out -= stats["mean"]
    out /= stats["std"]
    return out


def _sorted_pca(mean, cov, k):
    """The scaffold's return of fit_pca, from a covariance the mutant computed."""
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    return {"mean": mean, "components": ref._positive_signs(eigenvectors[:, :k]),
            "eigenvalues": eigenvalues[:k], "explained_variance_ratio": eigenvalues[:k] / np.sum(eigenvalues)}


@mutant(f"{T}.fit_pca", "Xc = X is an alias: Xc -= mean centres X in place", hint='caller')
def fit_pca_in_place(X, k=None):
    N, D = X.shape
    k = D if k is None else int(k)
    mean = X.mean(axis=0)
    Xc = X
    Xc -= mean
    return _sorted_pca(mean, Xc.T @ Xc / N, k)


@mutant(f"{T}.fit_pca", "np.cov(X) without rowvar=False: an (N, N) covariance of the examples", hint='rowvar=False')
def fit_pca_np_cov_rows(X, k=None):
    k = X.shape[1] if k is None else int(k)
    return _sorted_pca(X.mean(axis=0), np.cov(X), k)


@mutant(f"{T}.fit_whitening", "computes the PCA itself with Xc = X; Xc -= mean, centring X in place", hint='caller')
def fit_whitening_in_place(X, eps=1e-5, k=None):
    N, D = X.shape
    k = D if k is None else int(k)
    mean = X.mean(axis=0)
    Xc = X
    Xc -= mean
    stats = _sorted_pca(mean, Xc.T @ Xc / N, k)
    return {**stats, "scale": 1.0 / np.sqrt(stats["eigenvalues"] + eps)}


@mutant(f"{T}.pca_project", "Xc = X is an alias: Xc -= mean centres X in place", hint='caller')
def pca_project_in_place(X, stats):
    Xc = X
    Xc -= stats["mean"]
    return Xc @ stats["components"]


@mutant(f"{T}.pca_reconstruct", "stores the transposed components back into the caller's stats", hint='caller')
def pca_reconstruct_transposes_stats(Z, stats):
    stats["components"] = stats["components"].T
    return Z @ stats["components"] + stats["mean"]


@mutant(f"{T}.pca_whiten", "folds the scale into stats['components'] in place (W = components; W *= scale)",
        hint='caller')
def pca_whiten_scales_components(X, stats):
    W = stats["components"]
    W *= stats["scale"]
    return (X - stats["mean"]) @ W


@mutant(f"{T}.zca_whiten", "centres X in place (X -= mean) before whitening by hand", hint='caller')
def zca_whiten_in_place(X, stats):
    X -= stats["mean"]
    C = stats["components"]
    return (X @ C * stats["scale"]) @ C.T


@mutant(f"{T}.pca_reconstruct", "reshapes stats['mean'] to a (1, D) row inside the caller's stats", hint='caller')
def pca_reconstruct_reshapes_mean(Z, stats):
    stats["mean"] = stats["mean"].reshape(1, -1)
    return Z @ stats["components"].T + stats["mean"]


@mutant(f"{T}.pca_project", "projects onto the rows of components: (X - mean) @ components.T", hint='COLUMNS')
def pca_project_rows(X, stats):
    return (X - stats["mean"]) @ stats["components"].T


@mutant(f"{T}.zca_whiten", "scales after rotating back: (X - mean) @ C @ C.T * scale", hint='before rotating back')
def zca_scale_after_rotation(X, stats):
    C = stats["components"]
    return (X - stats["mean"]) @ C @ C.T * stats["scale"]


@mutant(f"{T}.standardize", "standardizes with X.mean(0) and X.std(0) of its own X, no eps (0 / 0 on a constant feature)",
        hint=('TRAINING statistics', 'overflowed'))
def standardize_own_statistics(X, stats):
    return (X - X.mean(axis=0)) / X.std(axis=0)
