"""Notebook 05 (regularization): dropout on a small training set and averaged at test time,
augmentation on the fly, brightness and contrast jitter, mixup and cutout, batchnorm against
dropout."""
from __future__ import annotations

import numpy as np

from .training import (accuracy, final_accuracies, random_subset, raw_training_subset, softmax_probabilities,
                       train_network)


def dropout_gap_runs(data, n_small, epochs, keep_probs=(1.0, 0.5), seed=0, hidden=(256, 256), iterate=iter):
    """The same network trained with plain SGD on n_small training examples (a random subset
    drawn with `seed`), once per keep_prob. Returns {keep_prob: trained Solver}."""
    small = random_subset(data, n_small, seed)
    return {keep_prob: train_network(small, hidden, seed, "sgd", 0.05, epochs, batch_size=25, keep_prob=keep_prob)
            for keep_prob in iterate(list(keep_probs))}


def mean_image_departure(images):
    """How far the mean image of images (N, C, H, W) departs from the per-channel mean (the mean
    image flattened to one number per channel, as VGGNet subtracts), in units of the pixel std.

    Returns a dict: 'max' and 'rms' of |mean image - its channel's mean| / pixel std over all
    C * H * W positions, 'channel_means' (C,) and 'mean_image' (C, H, W).
    """
    images = np.asarray(images, dtype=np.float64)
    mean_image = images.mean(axis=0)                              # (C, H, W)
    channel_means = mean_image.mean(axis=(1, 2))                  # (C,)
    departure = np.abs(mean_image - channel_means[:, None, None]) / images.std()
    return {"max": float(departure.max()), "rms": float(np.sqrt(np.mean(departure ** 2))),
            "channel_means": channel_means, "mean_image": mean_image}


def augmentations(cutout_size=7):
    """name -> augment(images, rng) or None (as is): 'flip', 'crop2'/'crop3'/'crop4' (random crops
    of the original size after zero padding by 2, 3, 4 pixels, i.e. shifts by up to that much),
    'cutout' (one cutout_size square; 7 is notebook 05's CUT on 28x28)."""
    from .. import augmentation as aug

    table = {"none": None, "flip": lambda x, rng: aug.random_flip(x, rng),
             "cutout": lambda x, rng: aug.cutout(x, rng, size=cutout_size)}
    for pad in (2, 3, 4):
        table[f"crop{pad}"] = lambda x, rng, pad=pad: aug.random_crop(x, rng, padding=pad)
    return table


def soft_label_gradients(model, X, y_soft):
    """Gradients of the mean cross-entropy against soft labels y_soft (N, K) whose rows mix at
    most two classes with the same weights lam and 1 - lam (what augmentation.mixup returns), for
    a model whose forward pass is deterministic (no dropout): the loss is linear in the labels, so
    its gradients are lam * those for each row's class of weight lam plus (1 - lam) * those for
    its other class (a row of one class counts it twice)."""
    first = np.argmax(y_soft, axis=1)
    lam = float(y_soft[np.arange(len(first)), first].min())  # rows of one class have weight 1
    rest = y_soft.copy()
    rest[np.arange(len(first)), first] -= lam
    second = np.where(rest.max(axis=1) > 0, np.argmax(rest, axis=1), first)
    grads_first, grads_second = model.loss(X, first)[1], model.loss(X, second)[1]
    return {name: lam * g + (1 - lam) * grads_second[name] for name, g in grads_first.items()}


def train_augmented(images, labels, prep, augment, steps, seed=0, hidden=(256, 256), lr=0.05, batch_size=25,
                    final_fraction=0.25, mix=None, **model_options):
    """A FullyConnectedNet trained by plain SGD for `steps` minibatches drawn from raw images
    (N, C, H, W), each minibatch passed through augment(batch, rng) (None: as is), then through
    mix(batch, labels, rng) -> (batch, soft labels (B, K)) if given (mixup), and then the
    fixed function prep (images -> features). Model, minibatch order and augmentation seeded with
    `seed`. The last final_fraction of the steps run at lr / 10, so that the final weights are not
    one noisy iterate of a constant rate. Returns the trained model (its last weights)."""
    from ..model import FullyConnectedNet

    model = FullyConnectedNet(list(hidden), int(np.prod(images.shape[1:])), int(np.max(labels)) + 1, seed=seed,
                              **model_options)
    order_rng, aug_rng = np.random.default_rng([seed, 0]), np.random.default_rng([seed, 1])
    order = np.empty(0, dtype=int)
    for step in range(steps):
        rate = lr / 10 if step >= (1 - final_fraction) * steps else lr
        if len(order) < batch_size:  # a fresh permutation every epoch
            order = np.concatenate([order, order_rng.permutation(len(labels))])
        batch, order = order[:batch_size], order[batch_size:]
        x = images[batch] if augment is None else augment(images[batch], aug_rng)
        x, y = (x, labels[batch]) if mix is None else mix(x, labels[batch], aug_rng)
        grads = soft_label_gradients(model, prep(x), y) if y.ndim == 2 else model.loss(prep(x), y)[1]
        for name, g in grads.items():
            model.params[name] = model.params[name] - rate * g
    return model


def transformed_validation_sets(images, seed=0, padding=3, cutout_size=7):
    """Validation images (N, C, H, W) as they are and transformed once, for measuring what an
    augmentation makes a network robust to: {'clean', 'flipped' (all mirrored), 'shifted' (a random
    crop after zero padding by `padding`, i.e. shifted by up to that many pixels), 'cutout'}.
    The random shifts and squares are drawn with `seed`."""
    from .. import augmentation as aug

    rng = np.random.default_rng([seed, 2])
    return {"clean": images, "flipped": images[:, :, :, ::-1],
            "shifted": aug.random_crop(images, rng, padding=padding),
            "cutout": aug.cutout(images, rng, size=cutout_size)}


def augmentation_invariance(raw, n_train, steps, seed=0, names=("none", "flip", "crop3", "cutout"),
                            hidden=(256, 256), lr=0.05, batch_size=25):
    """One network per augmentation of augmentations(), trained on the same random subset of
    n_train raw training images (drawn with `seed`) for the same number of plain-SGD steps, with
    the same initialization and minibatch order; each minibatch is augmented afresh. Every network
    is evaluated on the validation images as they are and flipped, shifted (by up to 3 pixels)
    and cut out (transformed_validation_sets).
    raw: {'X_train': (N, C, H, W) pixels, 'y_train', 'X_val', 'y_val'}; the preprocessing is
    fitted on all of raw['X_train'], clean, and applied to every image after augmentation.
    Returns {name: {validation set: accuracy of the final weights}}."""
    prep, images, labels = raw_training_subset(raw, n_train, seed)
    val = {k: prep(v) for k, v in transformed_validation_sets(raw["X_val"], seed).items()}
    table = augmentations()
    result = {}
    for name in names:
        model = train_augmented(images, labels, prep, table[name], steps, seed, hidden, lr, batch_size)
        result[name] = {k: accuracy(model, X, raw["y_val"]) for k, X in val.items()}
    return result


def brightness_contrast(images, brightness, contrast, max_value=255.0):
    """Grayscale 'colour jitter': each image (N, C, H, W) times its brightness factor (N,), then
    its contrast stretched about its own mean by its contrast factor (N,), clipped to
    [0, max_value]. Factors of 1 leave an image as it is."""
    b, c = (np.asarray(f, dtype=np.float64).reshape(-1, 1, 1, 1) for f in (brightness, contrast))
    x = images * b
    m = x.mean(axis=(1, 2, 3), keepdims=True)
    return np.clip(m + c * (x - m), 0, max_value).astype(images.dtype)


def jitter(brightness=(0.4, 1.2), contrast=(0.4, 1.2)):
    """augment(images, rng): random brightness and contrast factors, uniform in the given ranges,
    one pair per image (draws brightness, then contrast, rng.uniform(lo, hi, N) each)."""
    def augment(x, rng):
        n = len(x)
        return brightness_contrast(x, rng.uniform(*brightness, n), rng.uniform(*contrast, n))
    return augment


def jitter_robustness(raw, n_train, steps, seed=0, shifts=None, hidden=(256, 256), lr=0.05,
                      brightness=(0.4, 1.2), contrast=(0.4, 1.2)):
    """The same network trained with and without brightness/contrast jitter (same subset of
    n_train raw training images drawn with `seed`, initialization, minibatch order and number of
    SGD steps), evaluated on validation images shifted by brightness_contrast before the fixed
    preprocessing (fitted on the clean training images). shifts: {label: (brightness, contrast)};
    default clean, dark (x 0.6), low_contrast (x 0.5 about each image's mean) and
    dark_low_contrast (both).
    Returns {"plain": {label: accuracy}, "jitter": {label: accuracy}}."""
    shifts = shifts or {"clean": (1.0, 1.0), "dark": (0.6, 1.0), "low_contrast": (1.0, 0.5),
                        "dark_low_contrast": (0.6, 0.5)}
    prep, images, labels = raw_training_subset(raw, n_train, seed)
    n_val = len(raw["y_val"])
    X_val = {label: prep(brightness_contrast(raw["X_val"], np.full(n_val, b), np.full(n_val, c)))
             for label, (b, c) in shifts.items()}
    result = {}
    for name, augment in (("plain", None), ("jitter", jitter(brightness, contrast))):
        model = train_augmented(images, labels, prep, augment, steps, seed, hidden, lr)
        result[name] = {label: accuracy(model, X, raw["y_val"]) for label, X in X_val.items()}
    return result


def sampled_dropout_probabilities(model, X, num_masks):
    """Softmax probabilities (num_masks, N, C) of a FullyConnectedNet with dropout left ON at test
    time: one fresh set of masks (drawn from the model's generator) per sample."""
    L = model.num_layers
    return np.stack([softmax_probabilities(model.hidden_activations(X, mode="train")[-1] @ model.params[f"W{L}"]
                                           + model.params[f"b{L}"]) for _ in range(num_masks)])


def dropout_mask_averaging(data, seed=0, ks=(1, 2, 5, 10, 50), keep_prob=0.5, hidden=(512, 512), epochs=10,
                           lr=0.05, batch_size=50):
    """A network trained with dropout (keep_prob) by plain SGD (train_network: the Solver keeps the
    epoch with the best validation accuracy), then evaluated on the validation set three ways: the
    deterministic test-mode net ('scaled', the inverted-dropout weight scaling), one random mask per
    example ('single_mean': accuracy averaged over max(ks) single masks), and
    the average of softmax probabilities over the first K of max(ks) random masks, for K in ks.
    Returns {"scaled": acc, "single_mean": acc, "single_min": acc, K: acc, ...,
    "agreement": fraction of validation predictions where 'scaled' and the max(ks)-mask average agree}."""
    model = train_network(data, hidden, seed, "sgd", lr, epochs, batch_size, keep_prob=keep_prob).model
    X, y = data["X_val"], data["y_val"]
    scaled = np.argmax(model.loss(X), axis=1)
    probabilities = sampled_dropout_probabilities(model, X, max(ks))
    singles = np.mean(probabilities.argmax(axis=2) == y, axis=1)
    result = {"scaled": float(np.mean(scaled == y)), "single_mean": float(singles.mean()),
              "single_min": float(singles.min())}
    for k in ks:
        result[k] = float(np.mean(probabilities[:k].mean(axis=0).argmax(axis=1) == y))
    result["agreement"] = float(np.mean(probabilities.mean(axis=0).argmax(axis=1) == scaled))
    return result


def mixup(alpha=0.2, num_classes=10):
    """mix(images, labels, rng) -> (images, soft labels (N, num_classes)): augmentation.mixup."""
    from .. import augmentation as aug

    return lambda x, y, rng: aug.mixup(x.astype(np.float64), y, rng, alpha=alpha, num_classes=num_classes)


def mixup_cutout_accuracies(raw, n_train, steps, seed=0, hidden=(100, 100), lr=0.05, alpha=1.0, cutout_size=7):
    """The same network trained on n_train raw training images (drawn with `seed`) with the same
    initialization, minibatch order and number of plain-SGD steps (train_augmented): as they are,
    with cutout (one cutout_size square per image), and with mixup (alpha). Accuracy of the final
    weights on the clean training images and the validation set.
    Returns {'none' | 'cutout' | 'mixup': {'train': acc, 'val': acc}}."""
    prep, images, labels = raw_training_subset(raw, n_train, seed)
    X_train, X_val = prep(images), prep(raw["X_val"])
    runs = {"none": (None, None), "cutout": (augmentations(cutout_size)["cutout"], None),
            "mixup": (None, mixup(alpha, int(np.max(raw["y_train"])) + 1))}
    result = {}
    for name, (augment, mix) in runs.items():
        model = train_augmented(images, labels, prep, augment, steps, seed, hidden, lr, mix=mix)
        result[name] = {"train": accuracy(model, X_train, labels), "val": accuracy(model, X_val, raw["y_val"])}
    return result


NORM_DROPOUT = {"neither": {}, "dropout": {"keep_prob": 0.5}, "batchnorm": {"normalization": "batchnorm"},
                "both": {"normalization": "batchnorm", "keep_prob": 0.5}}


def batchnorm_or_dropout(data, n_small, epochs, seed=0, hidden=(100, 100), lr=0.05, batch_size=50, variants=None):
    """The same network trained with plain SGD on n_small training examples (a random subset drawn
    with `seed`), once per variant: {label: FullyConnectedNet keywords}, default NORM_DROPOUT
    (neither, dropout keep_prob 0.5, batchnorm, both). Same rate, epochs, model seed and minibatch
    order. Returns {label: (train accuracy, validation accuracy, gap)} after the last epoch
    (final_accuracies)."""
    small = random_subset(data, n_small, seed)
    return {label: final_accuracies(train_network(small, hidden, seed, "sgd", lr, epochs, batch_size, **options))
            for label, options in (variants or NORM_DROPOUT).items()}
