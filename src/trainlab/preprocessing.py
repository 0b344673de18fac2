"""Data preprocessing: fit statistics on the training set, apply them to any set.

Every transform comes as a pair of plain functions:

    stats = fit_xxx(X_train)        # statistics of the TRAINING data only, in a dict
    X_out = xxx(X_any, stats)       # the same transform for train, validation and test data

Using the training statistics for the test set too is the point: the test set must go through
exactly the transform the network was trained with (and computing statistics on test data leaks
information from it).

X is (N, D): N examples of D features. Images (N, C, H, W) are flattened by the caller first,
`X = images.reshape(N, -1)`, and reshaped back afterwards if needed. No function writes into X.
"""
import numpy as np


def fit_mean(X):
    """X: (N, D). Returns stats {'mean': (D,)}, the mean of each feature over the examples."""
    ### BEGIN SOLUTION
    mean = X.mean(axis=0)
    ### END SOLUTION
    return {"mean": mean}


def subtract_mean(X, stats):
    """X: (N, D). Returns X - stats['mean'], (N, D): the TRAIN mean is subtracted from every row."""
    ### BEGIN SOLUTION
    out = X - stats["mean"]
    ### END SOLUTION
    return out


def fit_standardize(X, eps=1e-8):
    """X: (N, D). Returns stats {'mean': (D,), 'std': (D,)} with

        mean = mean of each feature,  std = sqrt(var + eps),  var = mean((X - mean)^2) over N.

    eps keeps a feature that never varies (var = 0) from being divided by zero: its std is sqrt(eps).
    """
    ### BEGIN SOLUTION
    mean = X.mean(axis=0)
    var = np.mean((X - mean) ** 2, axis=0)
    std = np.sqrt(var + eps)
    ### END SOLUTION
    return {"mean": mean, "std": std}


def standardize(X, stats):
    """X: (N, D). Returns (X - stats['mean']) / stats['std'], (N, D), with the TRAIN statistics."""
    ### BEGIN SOLUTION
    out = (X - stats["mean"]) / stats["std"]
    ### END SOLUTION
    return out


def _positive_signs(components):
    """Flip each column (D, k) so that its largest-magnitude entry is positive.

    An eigenvector is only defined up to its sign; this convention makes PCA reproducible.
    """
    k = components.shape[1]
    rows = np.argmax(np.abs(components), axis=0)  # (k,)
    return components * np.sign(components[rows, np.arange(k)])


def fit_pca(X, k=None):
    """Principal component analysis of X: (N, D), keeping k components (all D when k is None).

    With the centred data Xc = X - mean and its covariance cov = Xc^T Xc / N (D, D), the principal
    components are the eigenvectors of cov, sorted by eigenvalue from largest to smallest.
    Returns stats:
        'mean': (D,)
        'components': (D, k), unit eigenvectors as columns, largest-magnitude entry of each positive
        'eigenvalues': (k,), descending (the variance of the data along each component)
        'explained_variance_ratio': (k,), eigenvalues / (sum of all D eigenvalues)
    """
    N, D = X.shape
    k = D if k is None else int(k)
    if not 1 <= k <= D:
        raise ValueError(f"k = {k} components requested; choose 1 <= k <= D = {D}.")
    mean = X.mean(axis=0)
    ### BEGIN SOLUTION
    Xc = X - mean
    cov = Xc.T @ Xc / N  # (D, D)
    eigenvalues, eigenvectors = np.linalg.eigh(cov)  # eigh returns them in ascending order
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    ### END SOLUTION
    return {"mean": mean, "components": _positive_signs(eigenvectors[:, :k]),
            "eigenvalues": eigenvalues[:k], "explained_variance_ratio": eigenvalues[:k] / np.sum(eigenvalues)}


def pca_project(X, stats):
    """X: (N, D). Returns Z = (X - mean) @ components, (N, k): the coordinates along the components."""
    ### BEGIN SOLUTION
    Z = (X - stats["mean"]) @ stats["components"]
    ### END SOLUTION
    return Z


def pca_reconstruct(Z, stats):
    """Z: (N, k). Returns X_hat = Z @ components^T + mean, (N, D); X_hat = X when k = D."""
    ### BEGIN SOLUTION
    X_hat = Z @ stats["components"].T + stats["mean"]
    ### END SOLUTION
    return X_hat


def fit_whitening(X, eps=1e-5, k=None):
    """PCA statistics of X: (N, D) (see fit_pca) plus 'scale': (k,) = 1 / sqrt(eigenvalues + eps).

    Dividing each PCA coordinate by its standard deviation sqrt(eigenvalue) gives it unit variance;
    eps keeps directions of (almost) zero variance from being blown up.
    """
    stats = fit_pca(X, k)
    ### BEGIN SOLUTION
    scale = 1.0 / np.sqrt(stats["eigenvalues"] + eps)
    ### END SOLUTION
    return {**stats, "scale": scale}


def pca_whiten(X, stats):
    """X: (N, D). Returns pca_project(X, stats) * scale, (N, k).

    On the training data the result has covariance ~ identity (exactly diag(eig / (eig + eps))).
    """
    ### BEGIN SOLUTION
    Z_white = pca_project(X, stats) * stats["scale"]
    ### END SOLUTION
    return Z_white


def zca_whiten(X, stats):
    """X: (N, D). Returns pca_whiten(X, stats) @ components^T, (N, D).

    ZCA (zero-phase) whitening rotates the whitened coordinates back to the original axes, so the
    result looks most like X. Fit with all components (k = D) for identity covariance.
    """
    ### BEGIN SOLUTION
    X_white = pca_whiten(X, stats) @ stats["components"].T
    ### END SOLUTION
    return X_white
