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


def input_scalings(X_train):
    """name -> function (N, D) pixels in 0..255 -> (N, D) features, fitted on X_train (N, D):
    'pixels 0..255' (as they are), '0..1' (x / 255), 'centred' ((x - mean training image) / 255,
    the same scale as '0..1') and 'standardized' (each pixel minus its training mean, over its
    training std: fit_standardize)."""
    from .. import preprocessing as pre

    mean, stats = pre.fit_mean(X_train), pre.fit_standardize(X_train)
    return {"pixels 0..255": lambda X: X, "0..1": lambda X: X / 255.0,
            "centred": lambda X: pre.subtract_mean(X, mean) / 255.0,
            "standardized": lambda X: pre.standardize(X, stats)}


def _losses_per_rate(data, learning_rates, seeds, hidden, epochs, batch_size):
    """{lr: (len(seeds), iterations) training losses} of a FullyConnectedNet trained by plain SGD
    on data at each rate, once per seed (model and minibatch order seeded with it). A run the
    Solver stopped because its loss overflowed is padded with inf to the full length."""
    from .training import train_network

    runs = {}
    for lr in learning_rates:
        solvers = [train_network(data, hidden, seed, "sgd", lr, epochs, batch_size, ignore_overflow=True)
                   for seed in seeds]
        length = solvers[0].num_iterations
        runs[lr] = np.array([s.loss_history + [np.inf] * (length - len(s.loss_history)) for s in solvers])
    return runs


def preprocessing_race(X_train, y_train, X_val, y_val, learning_rates, seeds=(0, 1, 2), hidden=(100,), epochs=10,
                       batch_size=50, target=0.6, iterate=iter):
    """The same network trained on each input scaling of input_scalings(X_train), at each of
    learning_rates[name] (a learning rate that suits one scaling diverges or crawls on another, so
    each is compared at its own best rate), once per seed. The best rate is the one with the
    lowest last-epoch training loss averaged over the seeds.
    X_train (N, D), X_val (M, D): pixel values in 0..255.
    Returns {name: {'lr': best rate, 'losses': (seeds, iterations) at it, 'final': {lr: (seeds,)
    last-epoch mean losses}, 'iterations': [iterations_to_loss(target) per seed, None if never]}}."""
    from .training import iterations_to_loss

    result = {}
    for name, prep in iterate(list(input_scalings(X_train).items())):
        data = {"X_train": prep(X_train), "y_train": y_train, "X_val": prep(X_val), "y_val": y_val}
        runs = _losses_per_rate(data, learning_rates[name], seeds, hidden, epochs, batch_size)
        per_epoch = runs[learning_rates[name][0]].shape[1] // epochs
        with np.errstate(over="ignore"):  # a diverging run's losses sum to inf: that is its final loss
            final = {lr: np.nan_to_num(losses[:, -per_epoch:].mean(axis=1), nan=np.inf, posinf=np.inf)
                     for lr, losses in runs.items()}
        best = min(final, key=lambda lr: final[lr].mean())
        result[name] = {"lr": best, "losses": runs[best], "final": final,
                        "iterations": [iterations_to_loss(run, target, window=per_epoch) for run in runs[best]]}
    return result
