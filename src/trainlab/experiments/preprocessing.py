"""Notebook 02 (data preprocessing): whitening and edges."""
from __future__ import annotations

import numpy as np


def edge_energy(X, image_shape):
    """The share of images' energy in the differences between neighbouring pixels: sum of the
    squared horizontal and vertical differences over twice the sum of the squared values. About
    0 for smooth images, larger the more of them is edges (X: (N, H * W), centred)."""
    images = np.asarray(X, dtype=float).reshape(len(X), *image_shape)
    across, down = np.diff(images, axis=2), np.diff(images, axis=1)
    return float((np.sum(across ** 2) + np.sum(down ** 2)) / (2 * np.sum(images ** 2)))


def zca_edge_boost(X_train, X_test, image_shape, eps_fractions=(0.01, 0.3)):
    """edge_energy of X_test centred with the training mean, and after ZCA whitening fitted on
    X_train with eps = fraction * the largest eigenvalue, for each fraction. Returns
    {"centred": e, fraction: e, ...}."""
    from .. import preprocessing as pre

    lam_max = pre.fit_pca(X_train)["eigenvalues"][0]
    result = {"centred": edge_energy(pre.subtract_mean(X_test, pre.fit_mean(X_train)), image_shape)}
    for fraction in eps_fractions:
        white = pre.zca_whiten(X_test, pre.fit_whitening(X_train, eps=fraction * lam_max))
        result[fraction] = edge_energy(white, image_shape)
    return result
