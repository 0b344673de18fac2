"""Lecture claims measured in notebooks 02, 03 and 05 on a real network (preprocessing and
training speed, initialization and depth, mixup and cutout, batchnorm against dropout), asserted
at fast-mode sizes like those of tests/test_claims.py (a file of its own so that it can run on a
separate worker)."""
import numpy as np
import pytest

from tests.test_claims import SEEDS, _fashion, _raw

RACE_RATES = {"pixels 0..255": (1e-5, 1e-4, 3e-4, 1e-3), "0..1": (0.03, 0.1, 0.3, 1.0),
              "centred": (0.03, 0.1, 0.3, 1.0), "standardized": (0.03, 0.1, 0.3, 1.0)}


def _flat(n, subsample=1000):
    """Notebooks 02 and 03: the first n of `subsample` training images (all of them with None),
    flattened, as float pixels in 0..255, and their labels; fast mode subsamples 1000."""
    from trainlab_datasets import load_dataset

    data = load_dataset("fashion_mnist_subset", flatten=True, subsample=subsample)
    return data["X_train"][:n].astype(np.float64), data["y_train"][:n], data


@pytest.mark.parametrize("seed", SEEDS)
def test_centring_speeds_up_training_and_raw_pixels_never_reach_the_target(seed):
    """02, "Does preprocessing speed up training?" (1000 images, 200 iterations, each scaling at
    its best of four rates): raw pixels never reach loss 0.6 and end above 0.9; centred inputs
    reach it in at most half the iterations of the same inputs uncentred (0..1); standardized
    inputs end lower than centred ones."""
    from trainlab.experiments.preprocessing import preprocessing_race

    X, y, data = _flat(1000)
    r = preprocessing_race(X, y, data["X_test"][:200].astype(np.float64), data["y_test"][:200], RACE_RATES,
                           seeds=(seed,))
    raw, unit, centred, std = (r[name] for name in RACE_RATES)
    assert raw["iterations"] == [None] and raw["final"][raw["lr"]][0] > 0.9, raw
    assert centred["iterations"][0] and unit["iterations"][0] >= 1.8 * centred["iterations"][0], (unit, centred)
    assert std["final"][std["lr"]][0] < centred["final"][centred["lr"]][0], (std, centred)


def test_a_diverging_rate_in_the_race_is_an_infinite_loss_without_a_warning():
    """A run that overflows counts as an infinite final loss, and choosing the best rate averages
    infinities without an overflow warning (full mode's raw pixels printed one on stderr)."""
    import warnings

    from trainlab.experiments.preprocessing import preprocessing_race

    X, y, _ = _flat(100)
    rates = {"pixels 0..255": (1e-4, 1e200), "0..1": (0.1,), "centred": (0.1,), "standardized": (0.1,)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        r = preprocessing_race(X, y, X[:20], y[:20], rates, seeds=(0, 1), epochs=2)
    raw = r["pixels 0..255"]
    assert np.all(np.isposinf(raw["final"][1e200])) and raw["lr"] == 1e-4, raw["final"]


@pytest.mark.parametrize("seed", SEEDS)
def test_small_random_weights_train_a_shallow_net_but_not_a_deep_one(seed):
    """03, "Does it train?" (1000 standardized images, 200 SGD steps at 0.05): with std 0.01 the
    2-layer net ends below 0.6 and the 10-layer one within 0.01 of ln 10; Kaiming brings both
    below 0.4, and below the std-0.01 net of the same depth."""
    _small_init_trains_a_shallow_net_but_not_a_deep_one(_flat(1000)[:2], seed)


def _small_init_trains_a_shallow_net_but_not_a_deep_one(images, seed):
    """The assertions of notebook 03's "Does it train?" on (pixels, labels), standardized here."""
    from trainlab.experiments.initialization import depth_by_init_losses, last_epoch_losses

    X_raw, y = images
    X = (X_raw - X_raw.mean(axis=0)) / (X_raw.std(axis=0) + 1e-3)
    runs = depth_by_init_losses({"X_train": X, "y_train": y, "X_val": X[:100], "y_val": y[:100]}, seeds=(seed,))
    final = {key: float(last_epoch_losses(losses, 10)[0]) for key, losses in runs.items()}
    assert final[(2, "gaussian std 0.01")] < 0.6, final
    assert abs(final[(10, "gaussian std 0.01")] - np.log(10)) < 0.01, final
    assert final[(2, "Kaiming")] < min(0.4, final[(2, "gaussian std 0.01")]), final
    assert final[(10, "Kaiming")] < 0.4, final


def test_soft_label_gradients_are_those_of_the_cross_entropy_against_mixed_labels():
    """The mixup runs' gradients: lam * (gradients for one class) + (1 - lam) * (for the other)
    equal the analytic gradients of -mean(sum(y_soft * log softmax)), computed here directly."""
    from trainlab.experiments.regularization import mixup, soft_label_gradients
    from trainlab.layers import affine_backward, affine_forward, log_softmax
    from trainlab.model import FullyConnectedNet

    raw = _raw()
    model = FullyConnectedNet([], 784, 10, seed=0)  # one affine layer: its gradients by hand
    x, y_soft = mixup(alpha=1.0)(raw["X_train"][:16], raw["y_train"][:16], np.random.default_rng(0))
    X = x.reshape(16, -1) / 255.0
    scores, cache = affine_forward(X, model.params["W1"], model.params["b1"])
    _, dW, db = affine_backward((np.exp(log_softmax(scores)) - y_soft) / 16, cache)
    grads = soft_label_gradients(model, X, y_soft)
    assert np.allclose(grads["W1"], dW, rtol=1e-10, atol=1e-12) and np.allclose(grads["b1"], db)


@pytest.mark.parametrize("seed", SEEDS)
def test_mixup_and_cutout_do_not_change_validation_accuracy_on_a_small_set(seed):
    """05, "Mixup and cutout on a small training set" (200 images, 1000 SGD steps): every network
    fits its training images (at least 99%), and neither cutout nor mixup (alpha 1) moves the
    validation accuracy by 3 points or more from the network trained without them."""
    from trainlab.experiments.regularization import mixup_cutout_accuracies

    r = mixup_cutout_accuracies(_raw(), 200, 1000, seed, hidden=(100, 100), alpha=1.0)
    assert all(acc["train"] >= 0.99 for acc in r.values()), r
    assert abs(r["cutout"]["val"] - r["none"]["val"]) < 0.03 and abs(r["mixup"]["val"] - r["none"]["val"]) < 0.03, r


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_does_not_narrow_the_gap_that_dropout_narrows(seed):
    """05, "Can batchnorm replace dropout?" (500 images, 30 epochs, minibatches of 50): batchnorm
    alone leaves the gap within 3 points of no regularization; dropout, alone or with batchnorm,
    narrows it by at least 3 points; the four validation accuracies are within 3 points."""
    from trainlab.experiments.regularization import batchnorm_or_dropout

    r = batchnorm_or_dropout(_fashion(2000), 500, 30, seed, hidden=(100, 100))
    gap = {label: run[2] for label, run in r.items()}
    assert abs(gap["batchnorm"] - gap["neither"]) < 0.03, r
    assert gap["dropout"] <= gap["neither"] - 0.03 and gap["both"] <= gap["neither"] - 0.03, r
    vals = [run[1] for run in r.values()]
    assert max(vals) - min(vals) < 0.03, r


# The same claims at the sizes of full mode, as the notebooks' text gives them (`-m fullmode`).

@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_centring_speeds_up_training_and_raw_pixels_never_reach_the_target(seed):
    """02 in full mode (2000 images of the whole embedded set, 400 iterations): raw pixels never
    reach loss 0.6 and end above 0.85; the uncentred 0..1 inputs need at least 1.4 times the
    iterations of centred ones; standardized inputs reach the target no later than 1.2 times the
    centred ones."""
    from trainlab.experiments.preprocessing import preprocessing_race

    X, y, data = _flat(2000, subsample=None)
    r = preprocessing_race(X, y, data["X_test"][:200].astype(np.float64), data["y_test"][:200], RACE_RATES,
                           seeds=(seed,))
    raw, unit, centred, std = (r[name] for name in RACE_RATES)
    assert raw["iterations"] == [None] and raw["final"][raw["lr"]][0] > 0.85, raw
    assert centred["iterations"][0] and unit["iterations"][0] >= 1.4 * centred["iterations"][0], (unit, centred)
    assert std["iterations"][0] and std["iterations"][0] <= 1.2 * centred["iterations"][0], (std, centred)


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_small_random_weights_train_a_shallow_net_but_not_a_deep_one(seed):
    """03 in full mode (2000 standardized images, 400 SGD steps): as in fast mode, std 0.01 trains
    2 layers below 0.6 and leaves 10 layers at ln 10; Kaiming brings both below 0.4."""
    _small_init_trains_a_shallow_net_but_not_a_deep_one(_flat(2000, subsample=2000)[:2], seed)


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_mixup_and_cutout_do_not_change_validation_accuracy(seed):
    """05 in full mode (500 images, 2000 SGD steps): every network fits its training images, and
    neither cutout nor mixup moves the validation accuracy by 3 points or more."""
    from trainlab.experiments.regularization import mixup_cutout_accuracies

    r = mixup_cutout_accuracies(_raw(), 500, 2000, seed, hidden=(100, 100), alpha=1.0)
    assert all(acc["train"] >= 0.99 for acc in r.values()), r
    assert abs(r["cutout"]["val"] - r["none"]["val"]) < 0.03 and abs(r["mixup"]["val"] - r["none"]["val"]) < 0.03, r


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_batchnorm_does_not_narrow_the_gap_that_dropout_narrows(seed):
    """05 in full mode (1000 images, 30 epochs): batchnorm alone leaves the gap within 3 points of
    no regularization, dropout alone or with batchnorm narrows it by at least 3 points."""
    from trainlab.experiments.regularization import batchnorm_or_dropout

    r = batchnorm_or_dropout(_fashion(2000), 1000, 30, seed, hidden=(100, 100))
    gap = {label: run[2] for label, run in r.items()}
    assert abs(gap["batchnorm"] - gap["neither"]) < 0.03, r
    assert gap["dropout"] <= gap["neither"] - 0.03 and gap["both"] <= gap["neither"] - 0.03, r
