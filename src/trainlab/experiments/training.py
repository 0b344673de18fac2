"""Training one network for an experiment, and the helpers every notebook's experiments share."""
from __future__ import annotations

import numpy as np


def num_classes(data):
    """The number of classes of a Solver data dict: one more than the largest label in it."""
    return int(max(np.max(data["y_train"]), np.max(data["y_val"]))) + 1


def random_subset(data, n, seed):
    """The Solver data dict with n of its training examples, drawn at random with `seed`."""
    idx = np.random.default_rng(seed).permutation(len(data["y_train"]))[:n]
    return {"X_train": data["X_train"][idx], "y_train": data["y_train"][idx],
            "X_val": data["X_val"], "y_val": data["y_val"]}


def accuracy(model, X, y):
    """Test-mode accuracy of a model on features X (N, D)."""
    return float(np.mean(np.argmax(model.loss(X), axis=1) == y))


def train_network(data, hidden, seed, update_rule, lr, epochs, batch_size=50, schedule=None, schedule_params=None,
                  ignore_overflow=False, **model_options):
    """A FullyConnectedNet (hidden layer sizes, model_options as its keywords) trained by a quiet
    Solver on the data dict, model and minibatch order seeded with `seed`. ignore_overflow: a run
    meant to diverge, with NumPy's overflow warnings silenced. Returns the trained Solver."""
    from ..model import FullyConnectedNet
    from ..solver import Solver

    model = FullyConnectedNet(list(hidden), data["X_train"].shape[1], num_classes(data), seed=seed, **model_options)
    solver = Solver(model, data, update_rule=update_rule, optim_config={"learning_rate": lr}, lr_schedule=schedule,
                    schedule_params=schedule_params, batch_size=batch_size, num_epochs=epochs, verbose=False,
                    progress=False, seed=seed)
    with np.errstate(all="ignore" if ignore_overflow else None):
        solver.train()
    return solver


def final_training_loss(solver):
    """The mean training loss over the last epoch: the level a run ends at, averaged over enough
    minibatches that their noise does not decide a comparison."""
    return float(np.mean(solver.loss_history[-solver.iterations_per_epoch:]))


def epoch_mean_losses(solver):
    """The mean training loss of every epoch (inf or nan when the run diverged in it): a single
    minibatch's loss moves by its noise alone, an epoch's mean by what the run learned."""
    per_epoch = solver.iterations_per_epoch
    losses = np.asarray(solver.loss_history, dtype=float)
    return [float(np.mean(losses[i:i + per_epoch])) for i in range(0, len(losses), per_epoch)]


def iterations_to_loss(loss_history, target, window=40):
    """The iteration at which the moving average (over `window` iterations) of the training loss
    first falls below target, or None if it never does."""
    smooth = np.convolve(np.asarray(loss_history, dtype=float), np.ones(window) / window, mode="valid")
    hits = np.flatnonzero(smooth < target)
    return int(hits[0]) + window if hits.size else None


def softmax_probabilities(scores):
    """Row-wise softmax of class scores (N, C), computed stably."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def pixel_preprocessing(images):
    """The notebooks' preprocessing, fitted on clean training images (N, C, H, W): a function
    images -> features (N, D), flattened, minus the mean training image, over the pixel std."""
    flat = images.reshape(len(images), -1)  # uint8 pixels: NumPy reduces them in float64
    mean, std = flat.mean(axis=0), float(flat.std())
    return lambda X: (X.reshape(len(X), -1) - mean) / std


def standardized(raw, n_train=None):
    """The Solver data dict the claims are measured on: raw images (a load_dataset dict) through
    pixel_preprocessing fitted on all of raw['X_train']; the first n_train training examples (all
    if None) and the whole validation set."""
    prep = pixel_preprocessing(raw["X_train"])
    return {"X_train": prep(raw["X_train"][:n_train]), "y_train": raw["y_train"][:n_train],
            "X_val": prep(raw["X_val"]), "y_val": raw["y_val"]}


def raw_training_subset(raw, n_train, seed):
    """(prep, images, labels): pixel_preprocessing fitted on all of raw['X_train'], clean, and
    n_train raw training images with their labels, drawn at random with `seed`."""
    idx = np.random.default_rng(seed).permutation(len(raw["y_train"]))[:n_train]
    return pixel_preprocessing(raw["X_train"]), raw["X_train"][idx], raw["y_train"][idx]


def final_accuracies(solver):
    """(training accuracy, validation accuracy, their gap) after the last epoch, both measured in
    test mode (batchnorm with its running averages). The last epoch, not the Solver's best one:
    the best epoch is chosen on the validation set and would shrink the gap by selection."""
    train, val = solver.train_acc_history[-1], solver.val_acc_history[-1]
    return float(train), float(val), float(train - val)
