"""The claims of notebooks 05 and 07, asserted like those of tests/test_claims.py (a file of its
own so that the two halves of the claim tests run on separate workers)."""
import numpy as np
import pytest

from tests.test_claims import ROOT, SEEDS, _fashion, _raw


@pytest.mark.parametrize("seed", SEEDS)
def test_augmentation_buys_invariance_not_clean_accuracy(seed):
    """05, "What augmentation buys" (500 images, 2000 SGD steps each): on the clean validation set
    neither flips nor crops help (flips within 2 points, crops of up to 3 pixels no higher); on
    mirrored validation images the flip-trained net is at least 15 points above the plain one, on
    images shifted by up to 3 pixels the crop-trained one at least 20 points above."""
    from trainlab.experiments.regularization import augmentation_invariance

    r = augmentation_invariance(_raw(), 500, 2000, seed, names=("none", "flip", "crop3"))
    none, flip, crop = r["none"], r["flip"], r["crop3"]
    assert abs(flip["clean"] - none["clean"]) < 0.02 and crop["clean"] <= none["clean"], r
    assert flip["flipped"] > none["flipped"] + 0.15, r
    assert crop["shifted"] > none["shifted"] + 0.2, r


@pytest.mark.parametrize("seed", SEEDS)
def test_brightness_contrast_jitter_keeps_accuracy_on_dark_low_contrast_images(seed):
    """05, "Colour jitter on grayscale images" (2000 images, 2000 SGD steps each): at 60%
    brightness and half contrast the plain net loses at least 20 points; the jittered net stays
    within 3 points of its clean accuracy, which is within 2 points of the plain net's."""
    from trainlab.experiments.regularization import jitter_robustness

    r = jitter_robustness(_raw(), 2000, 2000, seed)
    plain, jit = r["plain"], r["jitter"]
    assert plain["dark_low_contrast"] < plain["clean"] - 0.2, r
    assert jit["dark_low_contrast"] > jit["clean"] - 0.03 and jit["clean"] > plain["clean"] - 0.02, r


@pytest.mark.parametrize("seed", SEEDS)
def test_averaging_dropout_masks_approaches_the_scaled_network(seed):
    """05, "Randomness at training, its average at test" (keep_prob 0.5, 2000 images): one random
    mask is at least 4 points below the deterministic scaled net; averaging the softmax over more
    masks climbs (1 < 5 < 50) and 50 masks are within 2 points of it, agreeing on 95% of images."""
    from trainlab.experiments.regularization import dropout_mask_averaging

    r = dropout_mask_averaging(_fashion(2000), seed)
    assert r["single_mean"] < r["scaled"] - 0.04, r
    assert r[1] < r[5] < r[50] and abs(r[50] - r["scaled"]) < 0.02 and r["agreement"] > 0.95, r


def test_small_weights_start_at_ln_c_and_the_penalty_raises_the_first_loss():
    """07, section 1: with Gaussian weights of std 1e-2 the first loss is within 0.01 of ln C and
    rises with every increase of reg; Kaiming weights start at least 0.2 above ln C."""
    from trainlab.experiments.babysitting import initial_losses

    regs = [0.0, 0.1, 1.0, 10.0]
    for seed in SEEDS:
        losses = initial_losses(_fashion(500), regs, seed=seed)
        gaussian = [losses["gaussian"][r] for r in regs]
        assert abs(gaussian[0] - np.log(10)) < 0.01 and np.all(np.diff(gaussian) > 0), losses
        assert losses["kaiming"][0.0] > np.log(10) + 0.2, losses


def _assert_the_update_ratio_follows_the_learning_rate(n_train, seed):
    """07, section 4 (two epochs on the first n_train examples): for the runs that train, the first
    layer's median ratio grows in proportion to the learning rate (log-log slope 0.7-1.1); the run
    with a ratio of about 1e-2 ends more accurate than the one at about 1e-3; at lr 1e-5 (ratio
    about 1e-6) validation accuracy stays near chance; a diverging run has a step larger than its
    weights."""
    from trainlab.experiments.babysitting import ratio_summary, sgd_runs

    lrs = [1e-5, 1e-3, 1e-2, 1e-1, 1.0, 3.0]
    runs = {lr: ratio_summary(s) for lr, s in sgd_runs(_fashion(n_train), lrs, 2, seed=seed).items()}
    stable = lrs[:4]
    assert not any(runs[lr]["diverged"] for lr in stable), runs
    slope = np.polyfit(np.log(stable), np.log([runs[lr]["ratio"] for lr in stable]), 1)[0]
    assert 0.7 < slope < 1.1, slope
    assert 3e-4 < runs[1e-2]["ratio"] < 3e-3 and 3e-3 < runs[1e-1]["ratio"] < 3e-2, runs
    assert runs[1e-1]["val_acc"] > runs[1e-2]["val_acc"] + 0.03, runs
    assert runs[1e-5]["ratio"] < 1e-5 and runs[1e-5]["val_acc"] < 0.2, runs
    assert all(runs[lr]["peak"] > 1 for lr in (1.0, 3.0)), runs


@pytest.mark.parametrize("seed", SEEDS)
def test_the_update_ratio_follows_the_learning_rate_and_flags_both_failures(seed):
    """Fast-mode size, 1200 examples."""
    _assert_the_update_ratio_follows_the_learning_rate(1200, seed)


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_the_update_ratio_follows_the_learning_rate_and_flags_both_failures(seed):
    """Full-mode size, 5000 examples: the same bounds."""
    _assert_the_update_ratio_follows_the_learning_rate(5000, seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_loss_stays_flat_while_the_accuracy_rises(seed):
    """07, "loss flat, accuracy rising" (fast-mode size, 1200 examples): with small weights and
    lr 2e-3 the epoch-mean loss falls by less than 2% of ln C in five epochs while validation
    accuracy climbs from below 0.15 to above 0.4."""
    from trainlab.experiments.babysitting import flat_loss_rising_accuracy

    run = flat_loss_rising_accuracy(_fashion(1200), seed=seed)
    assert run["losses"][0] - run["losses"][-1] < 0.02 * np.log(10), run
    assert run["val_acc"][0] < 0.15 and run["val_acc"][-1] > 0.4, run


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_the_loss_falls_and_the_accuracy_peaks_then_slips(seed):
    """07, "loss flat, accuracy rising" (full-mode size, 5000 examples): the same five epochs take
    the run past the flat part: the loss falls by 10-16% of ln C, validation accuracy peaks at
    0.5-0.58 after epoch 3 and ends at least a point below its peak."""
    from trainlab.experiments.babysitting import flat_loss_rising_accuracy

    run = flat_loss_rising_accuracy(_fashion(5000), seed=seed)
    fall = (run["losses"][0] - run["losses"][-1]) / np.log(10)
    acc = np.array(run["val_acc"])
    assert 0.10 < fall < 0.16, run
    assert np.argmax(acc) == 3 and 0.5 < acc.max() < 0.58 and acc[-1] < acc.max() - 0.01, run


@pytest.mark.parametrize("seed", SEEDS)
def test_tiny_weights_make_a_plateau_and_a_small_set_a_gap(seed):
    """07, section 5 (fast-mode sizes, two epochs): (a) with Gaussian std 0.03 in three hidden
    layers the loss takes at least ten times as many iterations as with Kaiming weights to fall
    below 0.9 ln C, and it does fall; (b) on 50 examples training accuracy reaches 1 and
    validation accuracy stays more than 0.25 below."""
    from trainlab.experiments.babysitting import loss_curve_shapes

    run = loss_curve_shapes(_fashion(1200), epochs=2, seed=seed)
    plateau = run["plateau"]
    assert 10 * plateau["kaiming"] <= plateau["gaussian"] < len(run["solvers"]["gaussian"].loss_history), plateau
    assert run["train_acc"] == 1.0 and run["val_acc"] < 0.75, run


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_tiny_weights_make_a_plateau_and_a_small_set_a_gap(seed):
    """07, section 5 in full mode (5000 examples, the notebook's 20 epochs for (a) and 80 for the
    50 examples of (b)): the same bounds, a plateau at least ten times Kaiming's that ends, and a
    gap of more than 0.25."""
    from trainlab.experiments.babysitting import loss_curve_shapes

    run = loss_curve_shapes(_fashion(5000), epochs=20, seed=seed, small_epochs=80)
    plateau = run["plateau"]
    assert 10 * plateau["kaiming"] <= plateau["gaussian"] < len(run["solvers"]["gaussian"].loss_history), plateau
    assert run["train_acc"] == 1.0 and run["val_acc"] < 0.75, run


CHALLENGE_EPOCHS = "[256, 256], 10, None"  # the solution cell's hidden layers, epochs, examples on Fashion-MNIST


def _challenge_model(seed, search_config=None, epochs=None):
    """The notebook's section-7 solution cell, run in fast mode on the default data with model seed
    `seed`, trained with search_config (the learning rate and L2 strength section 6.3 leaves; None:
    the cell's hand-tuned ones). epochs: None for the cell's 10, or a shorter run of the same recipe
    (the cosine schedule spans the shorter run). Returns (data source, validation accuracy, held-out
    accuracy: on grader.challenge.grading_split, the images the challenge is graded on)."""
    import nbformat
    from grader.challenge import grading_split, predicted_accuracy

    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
             for c in nbformat.read(ROOT / "notebooks" / "07_babysitting.ipynb", as_version=4).cells}
    solution = cells["best_model_solution"]
    assert solution.count("seed=0") == 2 and solution.count(CHALLENGE_EPOCHS) == 1
    solution = solution.replace("seed=0", f"seed={seed}").replace("progress=True", "progress=False")
    if epochs is not None:
        solution = solution.replace(CHALLENGE_EPOCHS, CHALLENGE_EPOCHS.replace("10", str(epochs)))
    from trainlab.model import FullyConnectedNet
    from trainlab.solver import Solver
    from trainlab_datasets import load_dataset

    namespace = {"np": np, "FullyConnectedNet": FullyConnectedNet, "Solver": Solver,
                 "load_dataset": load_dataset, "FAST": True}
    if search_config is not None:
        namespace["search_config"] = dict(search_config)
    exec(cells["data_cell"], namespace)
    exec(solution, namespace)
    data, model, preprocess = namespace["data"], namespace["best_model"], namespace["preprocess"]
    X, y, _ = grading_split(data)
    return (data["source"], predicted_accuracy(model, preprocess(data["X_val"]), data["y_val"]),
            predicted_accuracy(model, preprocess(X), y))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_best_model_reaches_what_notebook_07_says(seed):
    """07, section 7: the reference solution cell, run in fast mode on the default data with another
    seed, clears the graded threshold and lands within 0.02 of the 0.884 the notebook states."""
    from grader.challenge import best_model_threshold

    source, accuracy, _ = _challenge_model(seed)
    assert accuracy >= best_model_threshold(source), accuracy
    if source == "fashion_mnist_subset":
        assert abs(accuracy - 0.884) < 0.02, accuracy


@pytest.mark.parametrize("seed", SEEDS)
def test_the_planted_bug_passes_the_loss_checks_and_fails_one_gradient_check(seed):
    """07, "Find the planted bug" (hidden [100, 100], the sizes the notebook uses in both modes):
    with small weights the first loss is within 0.01 of expected_initial_loss; the net memorises
    30 examples (tiny_overfit_report passes); the directional gradient check puts exactly one
    parameter above 1e-2 (near 1: (N - 1) / (N + 1) for a gradient N times too small) and every
    other below 1e-6; for that parameter numeric / analytic is the batch size, element by element.
    The weight matrices' gradients, all the update-to-weight ratios see, are FullyConnectedNet's."""
    from trainlab import babysit
    from trainlab.experiments.babysitting import gradient_check_errors, numeric_over_analytic, planted_bug_net
    from trainlab.model import FullyConnectedNet
    from trainlab.solver import Solver

    data = _fashion(1200)
    D, C = data["X_train"].shape[1], 10
    small = planted_bug_net([100, 100], D, C, init="gaussian", weight_scale=1e-2, seed=seed)
    first = small.loss(data["X_train"][:500], data["y_train"][:500])[0]
    assert abs(first - babysit.expected_initial_loss(C, small.params, 0.0)) < 0.01, first

    tiny = {"X_train": data["X_train"][:30], "y_train": data["y_train"][:30], "X_val": data["X_val"], "y_val": data["y_val"]}
    solver = Solver(planted_bug_net([100, 100], D, C, seed=seed), tiny, update_rule="sgd",
                    optim_config={"learning_rate": 0.1}, batch_size=10, num_epochs=30, verbose=False,
                    progress=False, seed=seed)
    solver.train()
    assert babysit.tiny_overfit_report(solver.train_acc_history, solver.loss_history,
                                       solver.iterations_per_epoch)["passed"]

    net = planted_bug_net([100, 100], D, C, seed=seed)
    _, grads = net.loss(data["X_train"][:50], data["y_train"][:50])
    _, correct = FullyConnectedNet([100, 100], D, C, seed=seed).loss(data["X_train"][:50], data["y_train"][:50])
    assert all(np.array_equal(grads[name], correct[name]) for name in ("W1", "W2", "W3")), "weight gradients differ"
    for n in (50, 10):
        X, y = data["X_train"][:n], data["y_train"][:n]
        errors = gradient_check_errors(net, X, y, seed=seed)
        wrong = [name for name, err in errors.items() if err > 1e-2]
        assert wrong == ["b3"] and errors["b3"] > 0.8, errors
        assert all(err < 1e-6 for name, err in errors.items() if name != "b3"), errors
        np.testing.assert_allclose(numeric_over_analytic(net, X, y, "b3"), n, rtol=1e-5)


SEARCH_RANGES = {"learning_rate": (1e-4, 1.0), "reg": (1e-6, 1.0)}  # 07, 6.1: 10 ** U(-4, 0), 10 ** U(-6, 0)


def _coarse_to_fine(n_train, seed):
    """07, "Is one epoch enough to rank the settings?": ten settings, one epoch against ten, on
    the first n_train training examples (the notebook's search_data)."""
    from trainlab.experiments.babysitting import coarse_to_fine

    return coarse_to_fine(_fashion(n_train), SEARCH_RANGES, 10, 10, seed=seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_one_epoch_ranks_the_settings_and_keeps_the_best_but_the_fine_round_finds_no_better_best(seed):
    """07, "Is one epoch enough to rank the settings?" (fast mode: 600 examples, ten settings,
    1 epoch against 10): the one-epoch accuracies rank the settings with a Spearman correlation
    above 0.7 with the ten-epoch ones (measured 0.81-0.85), and the best ten-epoch setting is among
    the three best one-epoch ones; the short run underrates small learning rates (the ranks a
    setting gains by training longer fall with its rate: correlation below -0.4, measured -0.54 to
    -0.93). The fine round raises the median run by more than 4 points (measured 6-12), but its best
    lies within 1.5 points below to 3 above the coarse round's best (measured -0.4 to +1.7): it is
    not reliably better. About 3 s per seed."""
    r = _coarse_to_fine(600, seed)
    assert r["spearman"] > 0.7 and r["top_has_best"], r
    assert r["lr_bias"] < -0.4, r
    assert np.median(r["fine"]["long"]) > np.median(r["coarse"]["long"]) + 0.04, r
    assert -0.015 < r["fine_best"] - r["coarse_best"] < 0.03, r


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_one_epoch_ranks_the_settings_and_the_fine_round_finds_no_better_best(seed):
    """07, "Is one epoch enough to rank the settings?" (full mode: 3000 examples): rank correlation
    above 0.8 (measured 0.85-0.90), the best ten-epoch setting among the three best one-epoch ones,
    small rates underrated (below -0.3, measured -0.38 to -0.66); the fine round's median more than
    2 points above the coarse round's (measured 3.5-5.8), its best within 1.5 points below to 3
    above the coarse best (measured -0.8 to +1.0). About 11 s per seed."""
    r = _coarse_to_fine(3000, seed)
    assert r["spearman"] > 0.8 and r["top_has_best"], r
    assert r["lr_bias"] < -0.3, r
    assert np.median(r["fine"]["long"]) > np.median(r["coarse"]["long"]) + 0.02, r
    assert -0.015 < r["fine_best"] - r["coarse_best"] < 0.03, r


CHALLENGE_RANGES = {"learning_rate": (3e-4, 1e-2), "reg": (1e-6, 1e-2)}  # 07, 6.3
TUNE_SIZES = {"fast": (1500, 4, 2), "full": (None, 12, 3)}  # training examples, trials, epochs


def _tune_challenge(mode, seed):
    from trainlab.experiments.babysitting import tune_challenge

    n_train, trials, epochs = TUNE_SIZES[mode]
    return tune_challenge(_fashion(n_train), CHALLENGE_RANGES, trials, epochs, seed=seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_fast_search_of_6_3_picks_a_large_rate_that_trains_the_challenge_model(seed):
    """07, 6.3, fast mode. The search exactly as the notebook runs it (4 trials of 2 epochs on 1500
    examples; `seed` for its generator and its models): the trial it picks is "good" and has a
    learning rate of 1.5e-3 to 6e-3 (measured 1.8e-3 to 5.2e-3; the full search picks below
    1.5e-3). The challenge model is then trained with the pick in a reduced run of the same recipe,
    the notebook's solution cell with 3 epochs instead of 10 (the 10-epoch run takes 6-11 s per
    seed, beyond the budget of the default run; the fullmode test runs it): it reaches 0.845 on the
    held-out images (measured 0.851-0.859), as the hand-tuned setting does in 3 epochs (0.849-0.853)."""
    tuning = _tune_challenge("fast", seed)
    config = tuning["config"]
    assert tuning["verdicts"][tuning["best"]] == "good" and 1.5e-3 < config["learning_rate"] < 6e-3, tuning
    source, _, heldout = _challenge_model(seed, config, epochs=3)
    assert source == "fashion_mnist_subset" and heldout > 0.845, (config, heldout)


@pytest.mark.fullmode
@pytest.mark.parametrize("mode", ["fast", "full"])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_search_of_6_3_trains_a_challenge_model_as_good_as_the_hand_tuned_one(mode, seed):
    """07, 6.3, as the notebook quotes it: the search at the mode's size (fast: 4 trials of 2 epochs
    on 1500 examples; full: 12 trials of 3 epochs on all 9000), then the challenge model of section 7
    trained for its full 10 epochs with the pick. The fast search picks a rate of 1.5e-3 to 6e-3,
    the full one a smaller rate, 5e-4 to 1.5e-3 (measured 7.7e-4 to 1.3e-3); either way the model
    clears the graded 0.855 and lands within 0.005 of the hand-tuned 0.864 on the held-out images
    (measured 0.861-0.865), and 0.87-0.90 on the validation set (measured 0.873-0.891). The fast
    mode's search is here too because its 10-epoch training is slow, not because of its size:
    6-11 s per seed, with the full search about 25 s."""
    from grader.challenge import best_model_threshold

    tuning = _tune_challenge(mode, seed)
    config = tuning["config"]
    low, high = (1.5e-3, 6e-3) if mode == "fast" else (5e-4, 1.5e-3)
    assert tuning["verdicts"][tuning["best"]] == "good" and low < config["learning_rate"] < high, tuning
    source, val, heldout = _challenge_model(seed, config)
    assert heldout >= best_model_threshold(source) and abs(heldout - 0.864) < 0.005, (config, heldout)
    assert 0.87 < val < 0.90, (config, val)
