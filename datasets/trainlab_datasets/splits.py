"""Deterministic stratified splits of a labelled set.

`stratified_order(y, rng)` returns a permutation of the indices in which the classes are spread
evenly, so every prefix of it holds each class in (almost) the same proportion as the whole set:
the members of class c are shuffled, the k-th of them (k = 0..n_c-1) gets the key
(k + 1/2) / n_c, and all indices are sorted by key (ties between classes in random order).
The indices whose key is below t hold round(t * n_c) members of class c, so a prefix of length
m holds about m * n_c / N of them (off by about one at most).
Cutting that order into consecutive pieces gives stratified splits of any sizes.
"""
import numpy as np


def stratified_order(y, rng):
    """y: int labels (N,); rng: np.random.Generator. Returns an index permutation (N,)."""
    N = y.shape[0]
    shuffled = rng.permutation(N)
    y_shuffled = y[shuffled]
    key = np.empty(N)
    for c in np.unique(y):
        members = np.flatnonzero(y_shuffled == c)
        key[members] = (np.arange(members.size) + 0.5) / members.size
    # stable sort: equal keys keep their shuffled order, so ties between classes are random
    return shuffled[np.argsort(key, kind="stable")]


def stratified_split(y, sizes, rng):
    """Cut y into stratified pieces.

    y: int labels (N,); sizes: number of indices per piece, sum(sizes) <= N; the indices not
    taken form one more, last piece. Returns a list of len(sizes) + 1 index arrays; each
    piece is shuffled, so its classes come in random order.
    """
    order = stratified_order(y, rng)
    bounds = np.cumsum(sizes)
    return [rng.permutation(piece) for piece in np.split(order, bounds)]
