"""Notebook 04 (batch normalization): batchnorm's noise as a regularizer."""
from __future__ import annotations


from .training import random_subset, train_network


def normalization_gap_runs(data, n_small=1000, batch_sizes=(4, 32), seed=0, lr=0.01, epochs=20,
                           hidden=(100, 100, 100), normalizations=(None, "batchnorm", "layernorm"),
                           iterate=iter):
    """The same network trained with plain SGD on n_small training examples (a random subset
    drawn with `seed`), once per normalization and batch size, same lr, epochs, model seed and
    minibatch order. Layer norm is the control: the same normalization of each layer's scale, but
    with per-example statistics, so no batch noise. Returns {(normalization, batch_size): Solver}."""
    small = random_subset(data, n_small, seed)
    runs = [(normalization, bs) for bs in batch_sizes for normalization in normalizations]
    return {(normalization, bs): train_network(small, hidden, seed, "sgd", lr, epochs, batch_size=bs,
                                               normalization=normalization)
            for normalization, bs in iterate(runs)}
