"""The notebooks' quantitative sentences, asserted over several seeds with the functions that
produce their numbers (src/trainlab/experiments/). notebooks/README.md maps each claim to its
notebook cell, figure and test."""
import numpy as np
import pytest
from pathlib import Path

from trainlab.experiments.activations import zigzag_convergence

SEEDS = (0, 1, 2)
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("seed", SEEDS)
def test_positive_inputs_zig_zag_and_converge_several_times_slower(seed):
    """01, "Experiment: sigmoid outputs are all positive": with the same E|x|^2, positive inputs
    need at least three times the steps of centred ones, and every one of their updates moves both
    weights the same way."""
    run = zigzag_convergence(seed)
    assert run["same_sign_positive"] == 1.0 and run["same_sign_centred"] < 0.75
    assert run["positive"] >= 3 * run["centred"], run


def test_the_zig_zag_claim_is_about_the_mean_not_the_step_size():
    """The two input sets have the same mean squared norm, so the speed-up is not a step-size effect."""
    from trainlab.experiments.activations import positive_and_centred_inputs

    positive, centred = positive_and_centred_inputs(seed=3)
    assert np.isclose(np.mean(np.sum(positive ** 2, 1)), np.mean(np.sum(centred ** 2, 1)))
    assert np.allclose(centred.mean(axis=0), 0) and np.all(positive > 0)


def _fashion(n_train):
    """The notebooks' preprocessing of the embedded data (experiments.standardized): flattened,
    minus the mean training image, divided by the pixel standard deviation; the first n_train
    training images."""
    from trainlab.experiments.training import standardized
    from trainlab_datasets import load_dataset

    return standardized(load_dataset("fashion_mnist_subset"), n_train)


@pytest.mark.parametrize("seed", SEEDS)
def test_selu_keeps_mean_zero_and_std_one_where_relu_collapses(seed):
    """01, "SELU normalizes itself" (depth 20, fast mode): SELU ends with std within 15% of 1 and
    |mean| < 0.1 from input scales 0.2, 1 and 3; ReLU's std collapses below 0.01 while its mean
    stays above 0.4 standard deviations; ELU's and tanh's spreads shrink below 0.3."""
    from trainlab import activations as act
    from trainlab.experiments.activations import activation_stats
    from trainlab_datasets import load_dataset

    X = load_dataset("fashion_mnist_subset", flatten=True, subsample=1000)["X_train"].astype(float)
    for scale in (0.2, 1.0, 3.0):
        means, stds = activation_stats(act.selu_forward, X, 20, input_scale=scale, seed=seed)
        assert abs(stds[-1] - 1) < 0.15 and abs(means[-1]) < 0.1, (scale, means[-1], stds[-1])
    means, stds = activation_stats(act.relu_forward, X, 20, seed=seed)
    assert stds[-1] < 0.01 and means[-1] / stds[-1] > 0.4
    for forward in (lambda z: act.elu_forward(z, 1.0), act.tanh_forward):
        assert activation_stats(forward, X, 20, seed=seed)[1][-1] < 0.3


def _assert_sigmoid_trains_far_slower_while_relu_and_tanh_are_close(data, seed):
    """01, "which activation trains fastest?" (8 epochs): at depth 2 sigmoid needs at least 5 times
    ReLU's iterations to reach training loss 0.8 (or never gets there), ReLU and tanh are within a
    factor 2 of each other; at depth 4 sigmoid's loss stays above 0.9 ln C."""
    from trainlab.experiments.activations import activation_race
    from trainlab.experiments.training import iterations_to_loss

    runs = activation_race(data, ["relu", "tanh", "sigmoid"], 2, seed=seed)
    relu, tanh, sigmoid = (iterations_to_loss(runs[a].loss_history, 0.8) for a in ("relu", "tanh", "sigmoid"))
    assert relu and tanh and relu <= 2 * tanh and tanh <= 2 * relu, (relu, tanh)
    assert sigmoid is None or sigmoid >= 5 * relu, (relu, sigmoid)
    deep = activation_race(data, ["sigmoid"], 4, seed=seed)["sigmoid"]
    assert np.mean(deep.loss_history[-40:]) > 0.9 * np.log(10)


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_trains_far_slower_while_relu_and_tanh_are_close(seed):
    """01 in fast mode (the notebook's 1000 images, 8 epochs): sigmoid never reaches 0.8 there."""
    _assert_sigmoid_trains_far_slower_while_relu_and_tanh_are_close(_notebook_01_data(1000)[1], seed)


def _notebook_01_data(subsample):
    """Notebook 01's data: `subsample` training images of the embedded set (1000 in fast mode,
    3000 in full mode), pixels in [0, 1]; the race's copy centred by their mean image and divided
    by their pixel std. Returns (X, race data dict)."""
    from trainlab_datasets import load_dataset

    data = load_dataset("fashion_mnist_subset", flatten=True, subsample=subsample)
    X = data["X_train"].astype(np.float64) / 255.0
    mean, std = X.mean(axis=0), X.std()
    return X, {"X_train": (X - mean) / std, "y_train": data["y_train"],
               "X_val": (data["X_val"].astype(np.float64) / 255.0 - mean) / std, "y_val": data["y_val"]}


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_sigmoid_trains_far_slower_while_relu_and_tanh_are_close(seed):
    """01 in full mode (the notebook's 3000 images, 8 epochs): the same bounds as in fast mode."""
    _assert_sigmoid_trains_far_slower_while_relu_and_tanh_are_close(_notebook_01_data(3000)[1], seed)


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_selu_keeps_mean_zero_and_std_one_where_relu_collapses(seed):
    """01, "SELU normalizes itself" in full mode (depth 50, the notebook's 3000 images): SELU ends
    with std within 15% of 1 and |mean| < 0.1 from input scales 0.2, 1 and 3; ReLU's std is below
    0.01 at depth 20 (about 1e-3, as the text says) and below 1e-6 at depth 50, its mean above 0.4
    standard deviations at every layer; ELU's and tanh's spreads end below 0.3."""
    from trainlab import activations as act
    from trainlab.experiments.activations import activation_stats

    X, _ = _notebook_01_data(3000)
    for scale in (0.2, 1.0, 3.0):
        means, stds = activation_stats(act.selu_forward, X, 50, input_scale=scale, seed=seed)
        assert abs(stds[-1] - 1) < 0.15 and abs(means[-1]) < 0.1, (scale, means[-1], stds[-1])
    means, stds = activation_stats(act.relu_forward, X, 50, seed=seed)
    assert stds[19] < 0.01 and stds[-1] < 1e-6 and np.all(means / stds > 0.4), (stds[19], stds[-1], means / stds)
    for forward in (lambda z: act.elu_forward(z, 1.0), act.tanh_forward):
        assert activation_stats(forward, X, 50, seed=seed)[1][-1] < 0.3


def _standardized_per_pixel(subsample):
    """Notebook 04's data: each pixel standardized with the training statistics, flattened."""
    from trainlab_datasets import load_dataset

    raw = load_dataset("fashion_mnist_subset", subsample=subsample)
    mu, sd = raw["X_train"].mean(axis=0), raw["X_train"].std(axis=0) + 1e-3

    def prep(X):
        return ((X - mu) / sd).reshape(len(X), -1).astype(np.float64)

    return {"X_train": prep(raw["X_train"]), "y_train": raw["y_train"], "X_val": prep(raw["X_val"]),
            "y_val": raw["y_val"]}


@pytest.mark.parametrize("seed", SEEDS)
def test_zca_whitening_moves_the_energy_to_edges(seed):
    """02, "Whitened images": ZCA with eps = 0.01 lam_max at least 2.5 times the centred images'
    share of energy in neighbouring-pixel differences; eps = 0.3 lam_max boosts it less, but
    still by 20%. Three training subsets of 1000 images."""
    from trainlab.experiments.preprocessing import zca_edge_boost
    from trainlab_datasets import load_dataset

    data = load_dataset("fashion_mnist_subset", flatten=True, subsample=1000, seed=seed)
    X_train, X_test = data["X_train"].astype(float), data["X_test"][:200].astype(float)
    edges = zca_edge_boost(X_train, X_test, data["image_shape"][1:])
    assert edges[0.01] > 2.5 * edges["centred"]
    assert 1.2 * edges["centred"] < edges[0.3] < edges[0.01]


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_zca_whitening_moves_the_energy_to_edges(seed):
    """02, "Whitened images" in full mode (all 9000 training images, the split drawn with `seed`):
    the same bounds, ZCA at eps = 0.01 lam_max at least 2.5 times the centred share, 0.3 lam_max
    at least 1.2 times and below 0.01's."""
    from trainlab.experiments.preprocessing import zca_edge_boost
    from trainlab_datasets import load_dataset

    data = load_dataset("fashion_mnist_subset", flatten=True, seed=seed)
    X_train, X_test = data["X_train"].astype(float), data["X_test"][:200].astype(float)
    assert len(X_train) == 9000
    edges = zca_edge_boost(X_train, X_test, data["image_shape"][1:])
    assert edges[0.01] > 2.5 * edges["centred"], edges
    assert 1.2 * edges["centred"] < edges[0.3] < edges[0.01], edges


@pytest.mark.parametrize("seed", SEEDS)
def test_photos_have_a_flat_mean_image_and_garments_do_not(seed):
    """02, "One mean per channel, or a mean image?": over 5000 photo patches the mean image stays
    within 0.1 pixel stds of its channel's mean (measured about 0.06); the Fashion-MNIST mean
    image departs by more than 0.8 (about 1) at its farthest and more than 0.4 (about 0.55) rms."""
    from trainlab.experiments.regularization import mean_image_departure
    from trainlab_datasets import load_dataset, photo_patches

    photo = mean_image_departure(photo_patches(5000, size=32, seed=seed))
    garments = mean_image_departure(load_dataset("fashion_mnist_subset", seed=seed)["X_train"])
    assert photo["max"] < 0.1 and photo["rms"] < 0.04
    assert garments["max"] > 0.8 and garments["rms"] > 0.4
    assert garments["rms"] > 10 * photo["rms"]


def _assert_the_ensemble_beats_its_members(n_train, group, over_mean, over_best):
    """07, "an ensemble of the same model": five networks differing only in their seeds (the
    notebook's group `group`: seeds 10 group .. 10 group + 4, on its first n_train examples); their
    averaged probabilities beat the mean member by over_mean and the best member by over_best."""
    from trainlab.experiments.babysitting import ensemble_accuracy

    members, ensemble = ensemble_accuracy(_fashion(n_train), seeds=range(10 * group, 10 * group + 5))
    assert ensemble >= np.mean(members) + over_mean and ensemble >= max(members) + over_best, (members, ensemble)


@pytest.mark.parametrize("group", SEEDS)
def test_an_ensemble_beats_its_average_member_and_matches_its_best(group):
    """Fast-mode size (1200 examples): +1 point over the mean member, +0.5 over the best."""
    _assert_the_ensemble_beats_its_members(1200, group, 0.01, 0.005)


@pytest.mark.fullmode
@pytest.mark.parametrize("group", SEEDS)
def test_at_full_size_an_ensemble_beats_its_average_member_and_its_best(group):
    """Full-mode size (5000 examples): the same bounds, +1 point over the mean member, +0.5 over the best."""
    _assert_the_ensemble_beats_its_members(5000, group, 0.01, 0.005)


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_narrows_the_gap_on_a_small_training_set(seed):
    """05, Experiment 1.2 (fast-mode epochs): on 50 examples both networks memorize the training
    set, and the one trained with keep_prob 0.5 ends at least one point higher on validation."""
    from trainlab.experiments.regularization import dropout_gap_runs

    runs = dropout_gap_runs(_fashion(2000), 50, 60, seed=seed)
    plain, dropout = runs[1.0], runs[0.5]
    assert plain.train_acc_history[-1] == dropout.train_acc_history[-1] == 1.0
    assert dropout.val_acc_history[-1] >= plain.val_acc_history[-1] + 0.01


def _dropout_gains_on_the_notebooks_examples(epochs):
    """05, Experiment 1.2 on the notebook's own data (the first 50 training examples), seeds 0-2:
    final validation accuracy with keep_prob 0.5 minus without dropout, one per seed; both
    networks memorize the training set."""
    from trainlab.experiments.regularization import dropout_gap_runs

    gains = []
    for seed in SEEDS:
        runs = dropout_gap_runs(_fashion(50), 50, epochs, seed=seed)
        assert runs[1.0].train_acc_history[-1] == runs[0.5].train_acc_history[-1] == 1.0
        gains.append(runs[0.5].val_acc_history[-1] - runs[1.0].val_acc_history[-1])
    return np.array(gains)


def test_on_the_notebooks_examples_dropout_is_never_worse_but_not_always_apart():
    """Fast mode (60 epochs): dropout ends 0 to 4 points higher in each seed, and within a point
    in at least one (the notebook says the two cannot always be told apart)."""
    gains = _dropout_gains_on_the_notebooks_examples(60)
    assert np.all((gains >= 0) & (gains < 0.04)) and gains.min() < 0.01, gains


@pytest.mark.fullmode
def test_at_full_size_dropout_ends_higher_in_every_seed():
    """Full mode (120 epochs): dropout ends 1 to 4 points higher in each seed."""
    gains = _dropout_gains_on_the_notebooks_examples(120)
    assert np.all((gains >= 0.01) & (gains < 0.04)), gains


def _raw():
    """The embedded data as images, (N, 1, 28, 28) pixels in 0..255."""
    from trainlab_datasets import load_dataset

    return load_dataset("fashion_mnist_subset")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_small_positive_bias_does_not_save_relus_from_dying(seed):
    """01, "Dead ReLUs": nothing is dead at initialization; after 100 steps at lr 1.0 at least 75%
    of the units are dead with bias 0 and within 8 points of that with bias 0.01 or 0.1, because
    the first step moves a unit's pre-activation by more than five times 0.1; only a bias of 1
    saves at least 5 points."""
    from trainlab.experiments.activations import dead_relus_by_bias

    raw = _raw()
    X, y = raw["X_train"][:2000].reshape(2000, -1).astype(float) / 255.0, raw["y_train"][:2000]
    r = dead_relus_by_bias(X, y, seed=seed)
    assert all(f == 0 for f in r["init"].values()), r
    dead = r[1.0]
    assert dead[0.0] >= 0.75 and abs(dead[0.01] - dead[0.0]) <= 0.08 and abs(dead[0.1] - dead[0.0]) <= 0.08, r
    assert dead[1.0] <= dead[0.0] - 0.05 and r["first_step_shift"][1.0] > 0.5, r


@pytest.mark.parametrize("seed", SEEDS)
def test_elu_damps_noise_only_far_below_zero(seed):
    """01, "Is ELU robust to noise?": on a real first layer (at initialization and after 5 epochs),
    ELU's below-zero units pass less noise than leaky ReLU's only where e^z is below the leaky
    slope (z < ln 0.1, fewer than 10% of them), and overall at least 2.5 times the noise of leaky
    ReLU with slope 0.1."""
    from trainlab.experiments.activations import deactivated_noise_transmission

    data = _fashion(2000)
    for epochs in (0, 5):
        r = deactivated_noise_transmission(data, seed=seed, epochs=epochs)
        elu, leaky = r["by_bin"]["elu"], r["by_bin"]["leaky_relu_0.1"]
        assert r["all"]["elu"] >= 2.5 * r["all"]["leaky_relu_0.1"], r
        assert elu[0] < r["by_bin"]["leaky_relu_0.01"][0] and elu[1] < 0.8 * leaky[1] and elu[3] > leaky[3], r
        assert r["bin_share"][0] + r["bin_share"][1] < 0.10, r
