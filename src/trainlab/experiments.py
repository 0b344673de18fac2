"""The measurements behind the notebooks' quantitative sentences, as functions that return numbers.

A notebook calls one of these for its figure and its printed numbers; tests/test_claims*.py call
the same function over several seeds and assert the direction and rough size of what the
notebook says. So a sentence that the data stops supporting fails a test instead of misleading
a student. Nothing here is graded: it is given code, like layers.py and solver.py.
"""
from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------- training one network

def _num_classes(data):
    """The number of classes of a Solver data dict: one more than the largest label in it."""
    return int(max(np.max(data["y_train"]), np.max(data["y_val"]))) + 1


def _random_subset(data, n, seed):
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
    from .model import FullyConnectedNet
    from .solver import Solver

    model = FullyConnectedNet(list(hidden), data["X_train"].shape[1], _num_classes(data), seed=seed, **model_options)
    solver = Solver(model, data, update_rule=update_rule, optim_config={"learning_rate": lr}, lr_schedule=schedule,
                    schedule_params=schedule_params, batch_size=batch_size, num_epochs=epochs, verbose=False,
                    progress=False, seed=seed)
    with np.errstate(all="ignore" if ignore_overflow else None):
        solver.train()
    return solver


# ---------------------------------------------------------------- 01: zero-centred inputs

def sgd_path(inputs, w_star, lr=0.5, steps=400, seed=0):
    """Per-example gradient descent on 0.5 * (w.x - w_star.x)^2 from w = 0.

    inputs: (n, 2); each step draws one row. Returns the visited weights, (steps + 1, 2).
    """
    rng = np.random.default_rng(seed)
    w = np.zeros(2)
    path = [w.copy()]
    for i in rng.integers(0, len(inputs), size=steps):
        x = inputs[i]
        w = w - lr * (w @ x - w_star @ x) * x
        path.append(w.copy())
    return np.array(path)


def positive_and_centred_inputs(seed=0, n=500):
    """Inputs like sigmoid outputs (uniform in [0.1, 0.9]^2), and the same points centred and
    rescaled to the same mean squared norm E|x|^2: the two sets differ only in their mean, so a
    difference in convergence speed cannot come from the step size the inputs imply."""
    rng = np.random.default_rng(seed)
    positive = rng.uniform(0.1, 0.9, size=(n, 2))
    centred = positive - positive.mean(axis=0)
    centred *= np.sqrt(np.mean(np.sum(positive ** 2, axis=1)) / np.mean(np.sum(centred ** 2, axis=1)))
    return positive, centred


def steps_to_reach(path, w_star, tol=0.01):
    """The first step at which the path is within tol of w_star (len(path) if it never is)."""
    hits = np.flatnonzero(np.linalg.norm(path - w_star, axis=1) < tol)
    return int(hits[0]) if hits.size else len(path)


def zigzag_convergence(seed=0, lr=0.5, steps=2000, tol=0.01):
    """Steps to within tol of w* = (1, -1) from positive inputs and from centred inputs of the
    same E|x|^2, and the fraction of updates that move both weights the same way in each case.

    Returns {"positive": steps, "centred": steps, "same_sign_positive": f, "same_sign_centred": f}.
    """
    w_star = np.array([1.0, -1.0])
    result = {}
    for name, inputs in zip(("positive", "centred"), positive_and_centred_inputs(seed)):
        path = sgd_path(inputs, w_star, lr=lr, steps=steps, seed=seed)
        moves = np.diff(path, axis=0)
        moves = moves[np.abs(moves).min(axis=1) > 1e-9]  # once converged, the moves are rounding
        result[name] = steps_to_reach(path, w_star, tol)
        result[f"same_sign_{name}"] = float(np.mean(np.sign(moves[:, 0]) == np.sign(moves[:, 1])))
    return result


# ---------------------------------------------------------------- 06: learning-rate schedules

def schedule_table(epochs):
    """label -> (schedule function, its parameters): every decaying schedule ends at about a
    tenth of lr0 after `epochs` epochs (cosine and linear at 0), so they differ only in their shape."""
    from . import schedules

    return {
        "constant": (schedules.constant, {}),
        "step": (schedules.step_decay, {"drop": 0.3, "every": epochs / 3}),
        "exponential": (schedules.exponential_decay, {"k": np.log(10) / epochs}),
        "1/t": (schedules.inverse_time_decay, {"k": 9 / epochs}),
        "cosine": (schedules.cosine_decay, {"total": epochs}),
        "linear": (schedules.linear_decay, {"total": epochs}),
        "1/sqrt(t)": (schedules.inverse_sqrt_decay, {"k": 99 / epochs}),
    }


def train_under_schedules(data, lr0, epochs, seed=0, hidden=(100, 100), batch_size=20, labels=None,
                          iterate=iter):
    """One SGD-with-momentum run per schedule of schedule_table(epochs), same model seed and
    minibatch order. data: a Solver data dict. Returns {label: trained Solver}; `iterate` wraps
    the list of labels (a progress bar)."""
    table = schedule_table(epochs)
    return {label: train_network(data, hidden, seed, "sgd_momentum", lr0, epochs, batch_size, *table[label])
            for label in iterate(list(labels or table))}


def final_training_loss(solver):
    """The mean training loss over the last epoch: the level a run ends at, averaged over enough
    minibatches that their noise does not decide a comparison."""
    return float(np.mean(solver.loss_history[-solver.iterations_per_epoch:]))


# ---------------------------------------------------------------- 07: babysitting

def sgd_runs(data, learning_rates, epochs, seed=0, hidden=(100, 100), batch_size=50, normalization=None,
             iterate=iter):
    """One plain-SGD run per learning rate, same model seed and minibatch order; diverging runs
    overflow on purpose, with NumPy's warnings silenced for them. normalization: as for
    FullyConnectedNet. Returns {lr: trained Solver}."""
    return {lr: train_network(data, hidden, seed, "sgd", lr, epochs, batch_size, ignore_overflow=True,
                              normalization=normalization)
            for lr in iterate(list(learning_rates))}


def epoch_mean_losses(solver):
    """The mean training loss of every epoch (inf or nan when the run diverged in it): a single
    minibatch's loss moves by its noise alone, an epoch's mean by what the run learned."""
    per_epoch = solver.iterations_per_epoch
    losses = np.asarray(solver.loss_history, dtype=float)
    return [float(np.mean(losses[i:i + per_epoch])) for i in range(0, len(losses), per_epoch)]


def initial_losses(data, regs, n=500, seed=0, hidden=(100,)):
    """The loss before any training on the first n training examples, for small Gaussian weights
    (std 1e-2) and for Kaiming weights, at each L2 strength in regs.
    Returns {"gaussian": {reg: loss}, "kaiming": {reg: loss}}."""
    from .model import FullyConnectedNet

    X, y = data["X_train"][:n], data["y_train"][:n]
    classes = _num_classes(data)
    inits = {"gaussian": {"init": "gaussian", "weight_scale": 1e-2}, "kaiming": {"init": "kaiming"}}
    return {name: {reg: float(FullyConnectedNet(list(hidden), X.shape[1], classes, reg=reg, seed=seed,
                                                **options).loss(X, y)[0]) for reg in regs}
            for name, options in inits.items()}


def ratio_summary(solver):
    """What the first layer's update-to-weight ratio says about one run: {"ratio": the median of
    ||dW1|| / ||W1|| over the steps, "peak": its largest value, "val_acc": the final validation
    accuracy, "diverged": whether the Solver stopped the run}."""
    ratios = solver.update_ratio_history["W1"]
    return {"ratio": float(np.median(ratios)), "peak": float(np.max(ratios)),
            "val_acc": float(solver.val_acc_history[-1]), "diverged": solver.stop_reason is not None}


def flat_loss_rising_accuracy(data, lr=2e-3, epochs=5, seed=0, hidden=(100,)):
    """Small Gaussian weights (std 1e-2) and a small learning rate: the class scores stay close to
    each other, so the softmax loss hardly moves from ln C, yet the largest score is already the
    right one more and more often. Returns {"losses": epoch-mean training losses,
    "val_acc": validation accuracy before training and after every epoch}."""
    solver = train_network(data, hidden, seed, "sgd", lr, epochs, init="gaussian", weight_scale=1e-2)
    return {"losses": epoch_mean_losses(solver), "val_acc": [float(a) for a in solver.val_acc_history]}


def loss_curve_shapes(data, epochs=10, seed=0, lr=0.05, n_small=50, small_epochs=40):
    """Two loss-curve shapes made on purpose. (a) Three hidden layers with tiny Gaussian weights
    (std 0.03) against the same net with Kaiming weights, SGD with momentum: iterations until the
    loss first falls below 0.9 ln C. (b) Hidden [500, 500], no regularization, n_small examples:
    the final train and validation accuracy.
    Returns {"plateau": {"gaussian": iterations, "kaiming": iterations}, "train_acc": a,
    "val_acc": a, "solvers": {"gaussian": Solver, "kaiming": Solver, "overfit": Solver}}."""
    plateau, solvers = {}, {}
    for init in ("gaussian", "kaiming"):
        solvers[init] = solver = train_network(data, (100, 100, 100), seed, "sgd_momentum", lr, epochs,
                                               init=init, weight_scale=0.03)
        below = np.flatnonzero(np.asarray(solver.loss_history) < 0.9 * np.log(_num_classes(data)))
        plateau[init] = int(below[0]) if below.size else len(solver.loss_history)
    small = {"X_train": data["X_train"][:n_small], "y_train": data["y_train"][:n_small],
             "X_val": data["X_val"], "y_val": data["y_val"]}
    solvers["overfit"] = overfit = train_network(small, (500, 500), seed, "sgd", lr, small_epochs, batch_size=10)
    return {"plateau": plateau, "train_acc": float(overfit.train_acc_history[-1]),
            "val_acc": float(overfit.val_acc_history[-1]), "solvers": solvers}


# ---------------------------------------------------------------- 01: SELU's fixed point

def activation_stats(forward, X, depth, width=256, input_scale=1.0, seed=0):
    """Mean and std of the activations after each layer of a plain stack of `depth` LeCun-normal
    layers (W ~ N(0, 1/fan-in), Klambauer et al. 2017) applied to standardized X (N, D) times
    input_scale, with `forward` (z -> (out, cache)) after every layer. Returns (means, stds)."""
    rng = np.random.default_rng(seed)
    h = input_scale * (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-3)
    means, stds = [], []
    for _ in range(depth):
        W = rng.standard_normal((h.shape[1], width)) * np.sqrt(1.0 / h.shape[1])
        h, _ = forward(h @ W)
        means.append(float(h.mean()))
        stds.append(float(h.std()))
    return np.array(means), np.array(stds)


# ---------------------------------------------------------------- 01: which activation trains fastest

def iterations_to_loss(loss_history, target, window=40):
    """The iteration at which the moving average (over `window` iterations) of the training loss
    first falls below target, or None if it never does."""
    smooth = np.convolve(np.asarray(loss_history, dtype=float), np.ones(window) / window, mode="valid")
    hits = np.flatnonzero(smooth < target)
    return int(hits[0]) + window if hits.size else None


def activation_race(data, activations, depth, lr=0.1, epochs=8, seed=0, width=100, iterate=iter):
    """One plain-SGD run per activation, same data, learning rate, seed and minibatch order, each
    with its usual initialization (Kaiming for ReLU, Xavier for the saturating ones).
    Returns {activation: trained Solver}."""
    return {name: train_network(data, [width] * depth, seed, "sgd", lr, epochs, activation=name,
                                init="kaiming" if "relu" in name else "xavier")
            for name in iterate(list(activations))}


# ---------------------------------------------------------------- 06: AdaGrad's shrinking step

def long_quadratic_run(rule, steps=3000, lr=0.1, seed=0, dim=10, start=20.0, noise=1.0):
    """`rule` (a name from trainlab.optimizers) on a long, noisy descent: f(w) = 0.5 sum_i h_i
    (w_i - 20)^2 with curvatures h from 1 to 10, started at w = 0, gradients with unit Gaussian
    noise. Returns (distance, effective_rate) per step: the RMS distance to the minimum and the
    median over coordinates of |step| / |gradient|, the learning rate the rule really applied."""
    from . import optimizers

    rng = np.random.default_rng(seed)
    h = np.logspace(0, 1, dim)
    w_star = np.full(dim, start)
    update, w, config = optimizers.get_rule(rule), np.zeros(dim), {"learning_rate": lr}
    distance, rate = [], []
    for _ in range(steps):
        g = h * (w - w_star) + noise * rng.standard_normal(dim)
        w_next, config = update(w, g, config)
        rate.append(float(np.median(np.abs(w_next - w) / np.maximum(np.abs(g), 1e-12))))
        distance.append(float(np.linalg.norm(w_next - w_star) / np.sqrt(dim)))
        w = w_next
    return np.array(distance), np.array(rate)


# ---------------------------------------------------------------- 02: whitening and edges

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
    from . import preprocessing as pre

    lam_max = pre.fit_pca(X_train)["eigenvalues"][0]
    result = {"centred": edge_energy(pre.subtract_mean(X_test, pre.fit_mean(X_train)), image_shape)}
    for fraction in eps_fractions:
        white = pre.zca_whiten(X_test, pre.fit_whitening(X_train, eps=fraction * lam_max))
        result[fraction] = edge_energy(white, image_shape)
    return result


# ---------------------------------------------------------------- 06: minibatch noise

def minibatch_gradient_noise(data, batch_sizes, seed=0, draws=20, hidden=(100, 100)):
    """How far a minibatch gradient is from the full-batch gradient, by batch size: the median
    over `draws` random minibatches of ||g_B - g|| / ||g||, for a freshly initialized network
    (all parameters' gradients concatenated). Returns {batch_size: relative deviation}."""
    from .model import FullyConnectedNet

    X, y = data["X_train"], data["y_train"]
    model = FullyConnectedNet(list(hidden), X.shape[1], int(np.max(y)) + 1, seed=seed)

    def gradient(idx):
        _, grads = model.loss(X[idx], y[idx])
        return np.concatenate([grads[name].ravel() for name in sorted(grads)])

    full = gradient(np.arange(len(y)))
    rng = np.random.default_rng(seed)
    return {B: float(np.median([np.linalg.norm(gradient(rng.choice(len(y), B, replace=False)) - full)
                                for _ in range(draws)]) / np.linalg.norm(full))
            for B in batch_sizes}


# ---------------------------------------------------------------- 07: model ensembles

def softmax_probabilities(scores):
    """Row-wise softmax of class scores (N, C), computed stably."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def ensemble_accuracy(data, seeds, epochs=8, hidden=(100, 100), lr=1e-3):
    """Train one network per seed (Adam, same hyperparameters; only the initialization and the
    minibatch order differ) and average their softmax probabilities on the validation set.
    Returns (validation accuracy of each member, of the ensemble)."""
    X, y = data["X_val"], data["y_val"]
    probabilities, members = [], []
    for seed in seeds:
        p = softmax_probabilities(train_network(data, hidden, seed, "adam", lr, epochs).model.loss(X))
        probabilities.append(p)
        members.append(float(np.mean(p.argmax(axis=1) == y)))
    return members, float(np.mean(np.mean(probabilities, axis=0).argmax(axis=1) == y))


# ---------------------------------------------------------------- 05: dropout on a small training set

def dropout_gap_runs(data, n_small, epochs, keep_probs=(1.0, 0.5), seed=0, hidden=(256, 256), iterate=iter):
    """The same network trained with plain SGD on n_small training examples (a random subset
    drawn with `seed`), once per keep_prob. Returns {keep_prob: trained Solver}."""
    small = _random_subset(data, n_small, seed)
    return {keep_prob: train_network(small, hidden, seed, "sgd", 0.05, epochs, batch_size=25, keep_prob=keep_prob)
            for keep_prob in iterate(list(keep_probs))}


# ---------------------------------------------------------------- 06: Polyak averaging

def polyak_average_run(data, lr=0.05, epochs=6, seed=0, hidden=(100, 100), batch_size=20):
    """Plain SGD at a constant rate, keeping the running mean of the weights over the last epoch
    (Polyak & Juditsky 1992). Returns {"last": (training loss, validation accuracy) of the final
    weights, "average": the same for the averaged weights}; training loss on the whole training
    set, without the weight penalty's noise (reg = 0)."""
    from .model import FullyConnectedNet

    X, y = data["X_train"], data["y_train"]
    model = FullyConnectedNet(list(hidden), X.shape[1], int(np.max(y)) + 1, seed=seed)
    rng = np.random.default_rng(seed)
    steps_per_epoch = max(1, len(y) // batch_size)
    average, count = None, 0
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for step in range(steps_per_epoch):
            batch = order[step * batch_size:(step + 1) * batch_size]
            _, grads = model.loss(X[batch], y[batch])
            model.params = {k: v - lr * grads[k] for k, v in model.params.items()}
            if epoch == epochs - 1:  # the running mean of the last epoch's iterates
                count += 1
                average = {k: v.copy() for k, v in model.params.items()} if average is None else \
                    {k: average[k] + (v - average[k]) / count for k, v in model.params.items()}

    def measure(params):
        model.params = params
        loss, _ = model.loss(X, y)
        return float(loss), accuracy(model, data["X_val"], data["y_val"])

    last = dict(model.params)
    return {"last": measure(last), "average": measure(average)}


# ---------------------------------------------------------------- 05: augmentation, on the fly

def pixel_preprocessing(images):
    """The notebooks' preprocessing, fitted on clean training images (N, C, H, W): a function
    images -> features (N, D), flattened, minus the mean training image, over the pixel std."""
    flat = images.reshape(len(images), -1)  # uint8 pixels: NumPy reduces them in float64
    mean, std = flat.mean(axis=0), float(flat.std())
    return lambda X: (X.reshape(len(X), -1) - mean) / std


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


def standardized(raw, n_train=None):
    """The Solver data dict the claims are measured on: raw images (a load_dataset dict) through
    pixel_preprocessing fitted on all of raw['X_train']; the first n_train training examples (all
    if None) and the whole validation set."""
    prep = pixel_preprocessing(raw["X_train"])
    return {"X_train": prep(raw["X_train"][:n_train]), "y_train": raw["y_train"][:n_train],
            "X_val": prep(raw["X_val"]), "y_val": raw["y_val"]}


def _raw_training_subset(raw, n_train, seed):
    """(prep, images, labels): pixel_preprocessing fitted on all of raw['X_train'], clean, and
    n_train raw training images with their labels, drawn at random with `seed`."""
    idx = np.random.default_rng(seed).permutation(len(raw["y_train"]))[:n_train]
    return pixel_preprocessing(raw["X_train"]), raw["X_train"][idx], raw["y_train"][idx]


def augmentations(cutout_size=7):
    """name -> augment(images, rng) or None (as is): 'flip', 'crop2'/'crop3'/'crop4' (random crops
    of the original size after zero padding by 2, 3, 4 pixels, i.e. shifts by up to that much),
    'cutout' (one cutout_size square; 7 is notebook 05's CUT on 28x28)."""
    from . import augmentation as aug

    table = {"none": None, "flip": lambda x, rng: aug.random_flip(x, rng),
             "cutout": lambda x, rng: aug.cutout(x, rng, size=cutout_size)}
    for pad in (2, 3, 4):
        table[f"crop{pad}"] = lambda x, rng, pad=pad: aug.random_crop(x, rng, padding=pad)
    return table


def train_augmented(images, labels, prep, augment, steps, seed=0, hidden=(256, 256), lr=0.05, batch_size=25,
                    final_fraction=0.25, **model_options):
    """A FullyConnectedNet trained by plain SGD for `steps` minibatches drawn from raw images
    (N, C, H, W), each minibatch passed through augment(batch, rng) (None: as is) and then the
    fixed function prep (images -> features). Model, minibatch order and augmentation seeded with
    `seed`. The last final_fraction of the steps run at lr / 10, so that the final weights are not
    one noisy iterate of a constant rate. Returns the trained model (its last weights)."""
    from .model import FullyConnectedNet

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
        _, grads = model.loss(prep(x), labels[batch])
        for name, g in grads.items():
            model.params[name] = model.params[name] - rate * g
    return model


def transformed_validation_sets(images, seed=0, padding=3, cutout_size=7):
    """Validation images (N, C, H, W) as they are and transformed once, for measuring what an
    augmentation makes a network robust to: {'clean', 'flipped' (all mirrored), 'shifted' (a random
    crop after zero padding by `padding`, i.e. shifted by up to that many pixels), 'cutout'}.
    The random shifts and squares are drawn with `seed`."""
    from . import augmentation as aug

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
    prep, images, labels = _raw_training_subset(raw, n_train, seed)
    val = {k: prep(v) for k, v in transformed_validation_sets(raw["X_val"], seed).items()}
    table = augmentations()
    result = {}
    for name in names:
        model = train_augmented(images, labels, prep, table[name], steps, seed, hidden, lr, batch_size)
        result[name] = {k: accuracy(model, X, raw["y_val"]) for k, X in val.items()}
    return result


# ---------------------------------------------------------------- 05: brightness / contrast jitter

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
    prep, images, labels = _raw_training_subset(raw, n_train, seed)
    n_val = len(raw["y_val"])
    X_val = {label: prep(brightness_contrast(raw["X_val"], np.full(n_val, b), np.full(n_val, c)))
             for label, (b, c) in shifts.items()}
    result = {}
    for name, augment in (("plain", None), ("jitter", jitter(brightness, contrast))):
        model = train_augmented(images, labels, prep, augment, steps, seed, hidden, lr)
        result[name] = {label: accuracy(model, X, raw["y_val"]) for label, X in X_val.items()}
    return result


# ---------------------------------------------------------------- 05: dropout, averaged at test time

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


# ---------------------------------------------------------------- 04: batchnorm's noise as a regularizer

def normalization_gap_runs(data, n_small=1000, batch_sizes=(4, 32), seed=0, lr=0.01, epochs=20,
                           hidden=(100, 100, 100), normalizations=(None, "batchnorm", "layernorm"),
                           iterate=iter):
    """The same network trained with plain SGD on n_small training examples (a random subset
    drawn with `seed`), once per normalization and batch size, same lr, epochs, model seed and
    minibatch order. Layer norm is the control: the same normalization of each layer's scale, but
    with per-example statistics, so no batch noise. Returns {(normalization, batch_size): Solver}."""
    small = _random_subset(data, n_small, seed)
    runs = [(normalization, bs) for bs in batch_sizes for normalization in normalizations]
    return {(normalization, bs): train_network(small, hidden, seed, "sgd", lr, epochs, batch_size=bs,
                                               normalization=normalization)
            for normalization, bs in iterate(runs)}


def final_accuracies(solver):
    """(training accuracy, validation accuracy, their gap) after the last epoch, both measured in
    test mode (batchnorm with its running averages). The last epoch, not the Solver's best one:
    the best epoch is chosen on the validation set and would shrink the gap by selection."""
    train, val = solver.train_acc_history[-1], solver.val_acc_history[-1]
    return float(train), float(val), float(train - val)


# ---------------------------------------------------------------- 01/03: a positive bias against dead ReLUs

def dead_relus_by_bias(X, y, biases=(0.0, 0.01, 0.1, 1.0), learning_rates=(0.3, 1.0), steps=100, seed=0,
                       hidden=100, batch_size=50):
    """Fraction of dead hidden ReLUs (output 0 for every row of X) of affine - relu - affine with
    Kaiming weights and every hidden bias set to `bias`, at initialization and after `steps`
    plain-SGD steps at each learning rate (same weights and minibatches for every bias).
    X: (N, D) raw pixels in [0, 1], as in notebook 01's dead-ReLU experiment; y: (N,) labels.
    Also what the first step does to a unit, for scale: the median over units of |change of the
    unit's mean pre-activation over X| (bias 0), to compare with the biases.
    Returns {"init": {bias: f}, lr: {bias: f}, "first_step_shift": {lr: median shift}}."""
    from .model import FullyConnectedNet

    classes = int(np.max(y)) + 1

    def fresh(bias):
        model = FullyConnectedNet([hidden], X.shape[1], classes, seed=seed)
        model.params["b1"] = np.full(hidden, float(bias))
        return model

    def dead(model):
        return float(np.mean(np.all(model.hidden_activations(X)[0] <= 0, axis=0)))

    def sgd(model, lr, steps):
        rng = np.random.default_rng(seed)
        with np.errstate(all="ignore"):  # the largest rates blow some units up on purpose
            for _ in range(steps):
                batch = rng.choice(len(y), batch_size, replace=False)
                loss, grads = model.loss(X[batch], y[batch])
                if not np.isfinite(loss):
                    break
                model.params = {k: v - lr * grads[k] for k, v in model.params.items()}
        return model

    def mean_preactivation(model):
        return (X @ model.params["W1"] + model.params["b1"]).mean(axis=0)

    result = {"init": {bias: dead(fresh(bias)) for bias in biases}, "first_step_shift": {}}
    for lr in learning_rates:
        start = fresh(0.0)
        shift = mean_preactivation(sgd(fresh(0.0), lr, 1)) - mean_preactivation(start)
        result["first_step_shift"][lr] = float(np.median(np.abs(shift)))
        result[lr] = {bias: dead(sgd(fresh(bias), lr, steps)) for bias in biases}
    return result


# ---------------------------------------------------------------- 01: ELU's noise-robust deactivation

NOISE_BINS = (-np.inf, np.log(0.01), np.log(0.1), -1.0, 0.0)  # e^z = 0.01 and 0.1: ELU's slope meets leaky ReLU's


def deactivated_noise_transmission(data, seed=0, width=256, epochs=5, sigma=0.1, n=2000, bins=NOISE_BINS):
    """How much input noise the deactivated units (pre-activation z < 0) of a real first layer let
    through, per activation: ReLU, leaky ReLU (0.01, 0.1) and ELU applied to the same z.

    The layer is the first of a width-wide ELU network trained `epochs` epochs with plain SGD on
    data (epochs=0: its Kaiming initialization). Gaussian noise of std sigma is added to the first
    n standardized training images; with dz the resulting change of z, the transmission of a set of
    entries is sqrt(mean (f(z + dz) - f(z))^2 / mean dz^2), about the RMS slope f'(z) there: 0 for
    ReLU, alpha for leaky ReLU, e^z for ELU. Returns {"all": {name: t over every z < 0},
    "by_bin": {name: [t per bin]}, "bin_share": [share of the z < 0 entries in each bin],
    "edges": bins}; the default bins split z < 0 at ln 0.01 and ln 0.1, where ELU's slope e^z
    equals leaky ReLU's alpha, and at -1."""
    from . import activations as act
    from .model import FullyConnectedNet

    if epochs:
        model = train_network(data, [width], seed, "sgd", 0.05, epochs, activation="elu").model
    else:
        model = FullyConnectedNet([width], data["X_train"].shape[1], seed=seed, activation="elu")
    W, b = model.params["W1"], model.params["b1"]
    X = data["X_train"][:n]
    z = X @ W + b
    dz = (sigma * np.random.default_rng(seed).standard_normal(X.shape)) @ W
    negative = z < 0
    which = np.digitize(z, bins[1:-1])
    functions = {"relu": act.relu_forward, "leaky_relu_0.01": lambda v: act.leaky_relu_forward(v, 0.01),
                 "leaky_relu_0.1": lambda v: act.leaky_relu_forward(v, 0.1), "elu": lambda v: act.elu_forward(v, 1.0)}

    def transmission(change, mask):
        return float(np.sqrt(np.mean(change[mask] ** 2) / np.mean(dz[mask] ** 2)))

    result = {"all": {}, "by_bin": {}, "edges": list(bins),
              "bin_share": [float(np.mean(which[negative] == k)) for k in range(len(bins) - 1)]}
    for name, f in functions.items():
        change = f(z + dz)[0] - f(z)[0]
        result["all"][name] = transmission(change, negative)
        result["by_bin"][name] = [transmission(change, negative & (which == k)) for k in range(len(bins) - 1)]
    return result
