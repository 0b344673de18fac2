"""Notebook 03 (weight initialization): which initializations let a network train at all."""
from __future__ import annotations

import numpy as np

from .training import train_network

INITS = {"gaussian std 0.01": {"init": "gaussian", "weight_scale": 0.01}, "Kaiming": {"init": "kaiming"}}


def depth_by_init_losses(data, depths=(2, 10), inits=None, seeds=(0, 1, 2), width=100, lr=0.05, epochs=10,
                         batch_size=50, iterate=iter):
    """Training losses of a ReLU FullyConnectedNet with `depth` affine layers (depth - 1 hidden
    layers of `width` units) for every depth and initialization, trained by plain SGD at the same
    rate, once per seed (model and minibatch order seeded with it).
    inits: {label: FullyConnectedNet keywords}, default INITS (std 0.01 and Kaiming).
    Returns {(depth, label): (len(seeds), iterations) array of minibatch training losses}."""
    runs = [(depth, label) for depth in depths for label in (inits or INITS)]
    return {(depth, label): np.array([train_network(data, [width] * (depth - 1), seed, "sgd", lr, epochs, batch_size,
                                                    ignore_overflow=True, **(inits or INITS)[label]).loss_history
                                      for seed in seeds])
            for depth, label in iterate(runs)}


def last_epoch_losses(losses, epochs):
    """The mean training loss of the last epoch of each run: losses (runs, iterations) -> (runs,)."""
    per_epoch = losses.shape[1] // epochs
    return losses[:, -per_epoch:].mean(axis=1)
