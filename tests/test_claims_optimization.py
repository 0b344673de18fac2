"""The claims of notebooks 04 and 06 and the learning-rate runs of 07, asserted like those of
tests/test_claims.py (a file of its own so that the claim tests spread over the test workers)."""
from functools import lru_cache

import numpy as np
import pytest

from tests.test_claims import SEEDS, _fashion, _standardized_per_pixel


@pytest.mark.parametrize("seed", SEEDS)
def test_a_constant_rate_levels_off_above_every_decaying_schedule(seed):
    """06, Experiment 5.1 (fast-mode sizes): at lr0 = 0.02 the constant run trains (it does not
    diverge) but ends with a training loss at least 1.2 times that of every decaying schedule (linear and
    inverse-sqrt decay included)."""
    from trainlab.experiments.training import final_training_loss
    from trainlab.experiments.optimizers import train_under_schedules

    runs = train_under_schedules(_fashion(2000), 0.02, 6, seed=seed)
    constant = final_training_loss(runs.pop("constant"))
    assert constant < 1.0, "the constant run diverged"
    assert all(constant > 1.2 * final_training_loss(s) for s in runs.values()), \
        {label: final_training_loss(s) for label, s in runs.items()}


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_linear_and_inverse_sqrt_decay_go_below_the_constant_rate(seed):
    """06, Experiment 5.1 in full mode (9000 examples, 20 epochs), reduced to the constant rate and
    the two schedules of recent practice (all seven schedules take about 80 s per seed): the
    constant run trains, and its last-epoch training loss is at least 1.2 times that of linear and
    of inverse-sqrt decay."""
    from trainlab.experiments.training import final_training_loss
    from trainlab.experiments.optimizers import train_under_schedules

    runs = train_under_schedules(_fashion_shared(9000), 0.02, 20, seed=seed, labels=["constant", "linear", "1/sqrt(t)"])
    final = {label: final_training_loss(s) for label, s in runs.items()}
    assert final["constant"] < 1.0, final
    assert final["constant"] > 1.2 * max(final["linear"], final["1/sqrt(t)"]), final


def test_at_a_larger_rate_the_constant_run_fails_to_train():
    """06, Experiment 5.1 trains at 0.02, "a rate that trains stably": at 0.05 the constant run fails to
    train (last-epoch loss above 1.0, against about 0.3 at 0.02), though it does not diverge."""
    from trainlab.experiments.training import final_training_loss
    from trainlab.experiments.optimizers import train_under_schedules

    runs = train_under_schedules(_fashion(2000), 0.05, 6, seed=0, labels=["constant"])
    assert final_training_loss(runs["constant"]) > 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_learning_rates_too_small_right_and_too_large(seed):
    """07, section 3 (fast-mode sizes): at 1e-6 the epoch-mean loss moves by less than 0.5%; at
    0.1 it falls below 0.3 ln C; at 5 the run either diverges (and is stopped) or never gets
    below 0.95 ln C."""
    from trainlab.experiments.training import epoch_mean_losses
    from trainlab.experiments.babysitting import sgd_runs

    runs = sgd_runs(_fashion(1200), [1e-6, 0.1, 5.0], 3, seed=seed)
    ln_c = np.log(10)
    tiny, right, large = (epoch_mean_losses(runs[lr]) for lr in (1e-6, 0.1, 5.0))
    assert abs(tiny[-1] - tiny[0]) < 0.005 * tiny[0]
    assert right[-1] < 0.3 * ln_c
    assert runs[5.0].stop_reason or min(large[1:]) > 0.95 * ln_c


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_learning_rates_too_small_right_and_too_large(seed):
    """07, section 3 in full mode (5000 examples, 10 epochs): at 1e-6 the epoch-mean loss moves by
    less than 1% in ten epochs; at 0.1 it falls below 0.3 ln C; at 5 the run either diverges or
    never gets below 0.95 ln C (seed 0, the notebook's, sticks at ln C; seeds 1 and 2 stop at a nan loss)."""
    from trainlab.experiments.training import epoch_mean_losses
    from trainlab.experiments.babysitting import sgd_runs

    runs = sgd_runs(_fashion(5000), [1e-6, 0.1, 5.0], 10, seed=seed)
    ln_c = np.log(10)
    tiny, right, large = (epoch_mean_losses(runs[lr]) for lr in (1e-6, 0.1, 5.0))
    assert abs(tiny[-1] - tiny[0]) < 0.01 * tiny[0], tiny
    assert right[-1] < 0.3 * ln_c, right
    assert runs[5.0].stop_reason or min(large[1:]) > 0.95 * ln_c, large


ADAGRAD_RATES, RMSPROP_RATES = [1, 3, 10, 30, 100], [0.03, 0.1, 0.3, 1.0]  # notebook 06's sweep


def _assert_adagrad_needs_a_rate_that_grows_with_the_run(descents, adagrad_best, adagrad_best_score, stall):
    """06, "A long run": on the noisy quadratic whose minimum moves every 1000 steps, each rule at
    its own best rate from the notebook's sweep (seeds 0-2): AdaGrad's best rate is `adagrad_best`,
    RMSProp's 0.1; at its best AdaGrad ends closer than RMSProp at its best (below
    adagrad_best_score; RMSProp between 0.1 and 0.15); AdaGrad's applied rate falls more than 3x
    between step 100 and the end while RMSProp's does not fall; at rate 1 AdaGrad stalls more than
    `stall` units behind, while RMSProp at a third of its best (0.03) is less than 1.5 behind."""
    from trainlab.experiments.optimizers import best_rate, long_quadratic_run, moving_minimum_sweep

    adagrad = moving_minimum_sweep("adagrad", ADAGRAD_RATES, descents)
    rmsprop = moving_minimum_sweep("rmsprop", RMSPROP_RATES, descents)
    assert best_rate(adagrad) == adagrad_best and best_rate(rmsprop) == 0.1, (adagrad, rmsprop)
    assert adagrad[adagrad_best].max() < adagrad_best_score < rmsprop[0.1].min(), (adagrad, rmsprop)
    assert 0.1 < rmsprop[0.1].min() <= rmsprop[0.1].max() < 0.15, rmsprop
    assert adagrad[1].min() > stall and rmsprop[0.03].max() < 1.5, (adagrad, rmsprop)
    for seed in SEEDS:
        _, rate = long_quadratic_run("adagrad", descents * 1000, adagrad_best, seed, move_every=1000)
        assert rate[-1] < rate[99] / 3, (seed, rate[99], rate[-1])
        _, rate = long_quadratic_run("rmsprop", descents * 1000, 0.1, seed, move_every=1000)
        assert rate[-1] > rate[99], (seed, rate[99], rate[-1])


def test_adagrad_needs_a_larger_rate_the_longer_the_run_where_rmsprop_does_not():
    """Fast-mode size, 6 descents: AdaGrad's best rate is 3 (0.03-0.04 from the minimum at the
    end); at 1 it stalls more than 5 units behind."""
    _assert_adagrad_needs_a_rate_that_grows_with_the_run(6, 3, 0.06, 5)


@pytest.mark.fullmode
def test_adagrad_needs_a_larger_rate_the_longer_the_run_at_full_size():
    """Full-mode size, 12 descents: AdaGrad's best rate is 10 (0.08 from the minimum at the end);
    at 1 it stalls more than 20 units behind."""
    _assert_adagrad_needs_a_rate_that_grows_with_the_run(12, 10, 0.1, 20)


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_trains_at_learning_rates_where_the_plain_network_diverges(seed):
    """04, "Learning rate" (fast-mode sizes): without batchnorm the 4-layer network diverges at
    learning rates 1 and 3; with it, it still reaches more than 55% validation accuracy there."""
    from trainlab.experiments.babysitting import sgd_runs

    data = _standardized_per_pixel(500)
    plain = sgd_runs(data, [1.0, 3.0], 10, seed=seed, hidden=(100,) * 4)
    normed = sgd_runs(data, [1.0, 3.0], 10, seed=seed, hidden=(100,) * 4, normalization="batchnorm")
    assert all(s.stop_reason for s in plain.values())
    assert all(not s.stop_reason and s.val_acc_history[-1] > 0.55 for s in normed.values())


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_batchnorm_trains_at_learning_rates_where_the_plain_network_fails(seed):
    """04, "Learning rate" in full mode (1000 images, 10 epochs): without batchnorm the runs at 1
    and 3 fail, diverging (seeds 0 and 2) or, their loss blown up short of inf, ending at chance
    (seed 1); with batchnorm they reach more than 65% validation accuracy."""
    from trainlab.experiments.babysitting import sgd_runs

    data = _standardized_per_pixel(1000)
    plain = sgd_runs(data, [1.0, 3.0], 10, seed=seed, hidden=(100,) * 4)
    normed = sgd_runs(data, [1.0, 3.0], 10, seed=seed, hidden=(100,) * 4, normalization="batchnorm")
    assert all(s.stop_reason or s.val_acc_history[-1] < 0.15 for s in plain.values()), \
        {lr: s.stop_reason or s.val_acc_history[-1] for lr, s in plain.items()}
    assert all(not s.stop_reason and s.val_acc_history[-1] > 0.65 for s in normed.values()), \
        {lr: s.stop_reason or s.val_acc_history[-1] for lr, s in normed.items()}


@pytest.mark.parametrize("seed", SEEDS)
def test_minibatch_gradient_error_shrinks_like_one_over_sqrt_batch(seed):
    """06, "the noise of minibatch gradients": log-log slope of ||g_B - g|| / ||g|| against B is
    -0.5 +- 0.15, and at B = 10 the error is larger than the gradient itself."""
    from trainlab.experiments.optimizers import minibatch_gradient_noise

    noise = minibatch_gradient_noise(_fashion(2000), [10, 40, 160, 640], seed=seed)
    slope = np.polyfit(np.log(list(noise)), np.log(list(noise.values())), 1)[0]
    assert -0.65 < slope < -0.35 and noise[10] > 1.0, (slope, noise)


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_minibatch_gradient_error_shrinks_like_one_over_sqrt_batch(seed):
    """06, "the noise of minibatch gradients" in full mode (9000 examples, the notebook's seven
    batch sizes 10-640): the same bounds, slope -0.5 +- 0.15 and an error above the gradient at B = 10."""
    from trainlab.experiments.optimizers import minibatch_gradient_noise

    noise = minibatch_gradient_noise(_fashion_shared(9000), [10, 20, 40, 80, 160, 320, 640], seed=seed)
    slope = np.polyfit(np.log(list(noise)), np.log(list(noise.values())), 1)[0]
    assert -0.65 < slope < -0.35 and noise[10] > 1.0, (slope, noise)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_average_of_the_last_epoch_beats_the_final_weights(seed):
    """06, "Averaging the iterates" (fast-mode sizes): at a constant rate of 0.05 the average of
    the last epoch's weights has at least 10% lower training loss and no lower validation accuracy."""
    from trainlab.experiments.optimizers import polyak_average_run

    run = polyak_average_run(_fashion(2000), lr=0.05, epochs=6, seed=seed)
    (last_loss, last_acc), (avg_loss, avg_acc) = run["last"], run["average"]
    assert avg_loss < 0.9 * last_loss and avg_acc >= last_acc, run


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_the_average_of_the_last_epoch_beats_the_final_weights(seed):
    """06, "Averaging the iterates" (full-mode size: 9000 examples, 20 epochs): the average's
    training loss is less than half the final weights', and its validation accuracy at least a
    point higher."""
    from trainlab.experiments.optimizers import polyak_average_run

    run = polyak_average_run(_fashion(9000), lr=0.05, epochs=20, seed=seed)
    (last_loss, last_acc), (avg_loss, avg_acc) = run["last"], run["average"]
    assert avg_loss < 0.5 * last_loss and avg_acc >= last_acc + 0.01, run


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_regularizes_only_through_small_batches(seed):
    """04, "Does batchnorm regularize?" (1000 images, 20 epochs): with batches of 4 the plain and
    the layer-norm networks memorize the training set while batchnorm stays below 0.90, so its gap
    is at least 8 points smaller than both, without a higher validation accuracy; with batches of
    32 the gaps are within 3 points."""
    from trainlab.experiments.training import final_accuracies
    from trainlab.experiments.normalization import normalization_gap_runs

    runs = {key: final_accuracies(s) for key, s in normalization_gap_runs(_fashion(9000), seed=seed).items()}
    (plain_tr, plain_val, plain_gap), (bn_tr, bn_val, bn_gap), (ln_tr, _, ln_gap) = (
        runs[(norm, 4)] for norm in (None, "batchnorm", "layernorm"))
    assert plain_tr >= 0.995 and ln_tr >= 0.995 and bn_tr <= 0.90, runs
    assert bn_gap <= plain_gap - 0.08 and bn_gap <= ln_gap - 0.08 and bn_val < plain_val + 0.01, runs
    assert abs(runs[("batchnorm", 32)][2] - runs[(None, 32)][2]) <= 0.03, runs


NET_LRS = dict(sgd=[0.05, 0.1, 0.2], sgd_momentum=[0.01, 0.02, 0.05], nesterov_momentum=[0.01, 0.02, 0.05],
               adagrad=[0.01, 0.03, 0.1], rmsprop=[1e-3, 3e-3, 1e-2], adam=[1e-3, 3e-3, 1e-2])  # notebook 06


def _six_rules(n_train, epochs):
    """06, section 4: each rule at the best of its three rates (seed 0), then seeds 1 and 2 at it.
    Returns ({rule: best validation accuracy per seed}, {rule: last-epoch training loss per seed})."""
    from trainlab.experiments.optimizers import rule_comparison
    from trainlab.experiments.training import final_training_loss

    runs = rule_comparison(_fashion(n_train), NET_LRS, epochs, seeds=SEEDS)
    return ({rule: [s.best_val_acc for s in run["solvers"]] for rule, run in runs.items()},
            {rule: [final_training_loss(s) for s in run["solvers"]] for rule, run in runs.items()})


def test_the_six_update_rules_cannot_be_told_apart_by_validation_accuracy():
    """06, section 4 (fast-mode size: 2000 examples, 5 epochs, seeds 0-2): every rule's best
    validation accuracy lies within 0.80-0.85 and the rules' means are within 1.5 points of each
    other; by training loss over the last epoch Nesterov momentum ends lowest and plain SGD highest,
    apart from the other four."""
    acc, loss = _six_rules(2000, 5)
    assert all(0.80 < min(a) <= max(a) < 0.85 for a in acc.values()), acc
    means = [np.mean(a) for a in acc.values()]
    assert max(means) - min(means) < 0.015, acc
    middle = [loss[rule] for rule in NET_LRS if rule not in ("sgd", "nesterov_momentum")]
    assert max(loss["nesterov_momentum"]) < min(map(min, middle)) and min(loss["sgd"]) > max(map(max, middle)), loss


@pytest.mark.fullmode
def test_at_full_size_the_six_update_rules_are_within_about_a_point():
    """06, section 4 (full-mode size: 9000 examples, 15 epochs, seeds 0-2): best validation
    accuracies within 0.86-0.89, the rules' means within 1.5 points, AdaGrad's and RMSProp's ranges
    above plain SGD's; by training loss every rule's range overlaps its neighbour's (by mean)."""
    acc, loss = _six_rules(9000, 15)
    assert all(0.86 < min(a) <= max(a) < 0.89 for a in acc.values()), acc
    means = [np.mean(a) for a in acc.values()]
    assert max(means) - min(means) < 0.015, acc
    assert min(acc["adagrad"]) > max(acc["sgd"]) and min(acc["rmsprop"]) > max(acc["sgd"]), acc
    ranked = sorted(loss.values(), key=np.mean)
    assert all(min(upper) <= max(lower) for lower, upper in zip(ranked, ranked[1:])), loss


@lru_cache(maxsize=2)
def _fashion_shared(n_train):
    """_fashion(n_train), loaded once for the parametrized warm-up and momentum tests (loading and
    preprocessing take longer than some of their runs); the experiments only read it."""
    return _fashion(n_train)


def _failed(loss):
    """A run that diverged (nan) or stuck near ln 10, the loss of guessing among 10 classes."""
    return np.isnan(loss) or loss > 2.0


def _assert_a_warm_up_lets_sgd_train_at_a_rate_where_it_fails_without(n_train, epochs, seed, trained_loss,
                                                                      trained_acc):
    """06, "Warm-up": plain SGD under a cosine schedule. At a peak rate of 0.5, with a one-epoch
    linear warm-up, the run trains (loss over the last epoch below trained_loss, best validation
    accuracy above trained_acc); without it, the same rate diverges or ends with at least 1.5
    times that loss and a lower best validation accuracy. At 0.8 both fail."""
    from trainlab.experiments.optimizers import loss_and_accuracy, warmup_run

    data = _fashion_shared(n_train)
    (cold_loss, cold_acc), (warm_loss, warm_acc) = (
        loss_and_accuracy(warmup_run(data, 0.5, epochs, warmup, seed)) for warmup in (0, 1))
    assert warm_loss < trained_loss and warm_acc > trained_acc, (warm_loss, warm_acc)
    assert (np.isnan(cold_loss) or cold_loss > 1.5 * warm_loss) and cold_acc < warm_acc, \
        (cold_loss, cold_acc, warm_loss, warm_acc)
    too_large = [loss_and_accuracy(warmup_run(data, 0.8, epochs, warmup, seed))[0] for warmup in (0, 1)]
    assert all(_failed(loss) for loss in too_large), too_large


@pytest.mark.parametrize("seed", SEEDS)
def test_a_warm_up_lets_plain_sgd_train_at_a_rate_where_it_fails_without(seed):
    """Fast-mode sizes: 2000 examples, 6 epochs."""
    _assert_a_warm_up_lets_sgd_train_at_a_rate_where_it_fails_without(2000, 6, seed, 0.35, 0.8)


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_a_warm_up_lets_plain_sgd_train_at_a_rate_where_it_fails_without(seed):
    """Full-mode sizes: 9000 examples, 20 epochs."""
    _assert_a_warm_up_lets_sgd_train_at_a_rate_where_it_fails_without(9000, 20, seed, 0.1, 0.86)


def _momentum_runs(n_train, epochs, seed, runs):
    """{(lr, final momentum, "constant" | "ramped"): (training loss over the last epoch, best
    validation accuracy)} for the runs named, SGD with momentum raised from 0.5 over the first half
    of the epochs or constant."""
    from trainlab.experiments.optimizers import loss_and_accuracy, momentum_annealing_run

    data = _fashion_shared(n_train)
    return {(lr, final, kind): loss_and_accuracy(momentum_annealing_run(
        data, lr, final, epochs // 2 if kind == "ramped" else 0, epochs, seed)) for lr, final, kind in runs}


@pytest.mark.parametrize("seed", SEEDS)
def test_annealing_the_momentum_helps_only_a_momentum_of_0_99(seed):
    """06, "Annealing the momentum" (fast-mode sizes: 2000 examples, 6 epochs, ramp over 3), at
    lr 0.01: momentum ramped from 0.5 to 0.99 ends with less than 0.9 times the training loss of a
    constant 0.99, and a higher best validation accuracy; ramped to 0.9 it ends with at least 1.15
    times the loss of a constant 0.9, and the constant 0.9 ends lowest of the four."""
    runs = _momentum_runs(2000, 6, seed, [(0.01, final, kind) for final in (0.9, 0.99)
                                          for kind in ("constant", "ramped")])
    (c9, c9_acc), (r9, _), (c99, c99_acc), (r99, r99_acc) = runs.values()
    assert r99 < 0.9 * c99 and r99_acc > c99_acc, runs
    assert r9 > 1.15 * c9 and c9 < min(r9, c99, r99), runs


@pytest.mark.fullmode
@pytest.mark.parametrize("seed", SEEDS)
def test_at_full_size_annealing_the_momentum_does_not_beat_a_constant_0_9(seed):
    """06, "Annealing the momentum" (full-mode sizes: 9000 examples, 20 epochs, ramp over 10): at
    lr 0.01 momentum ramped to 0.9 ends with at least 1.5 times the training loss of a constant
    0.9, and both runs with momentum 0.99 fail (the ramp only delays it); at lr 0.005 the ramped
    0.99 ends below the constant 0.99, and still above the constant 0.9 at lr 0.01."""
    runs = _momentum_runs(9000, 20, seed, [(0.01, 0.9, "constant"), (0.01, 0.9, "ramped"), (0.01, 0.99, "constant"),
                                           (0.01, 0.99, "ramped"), (0.005, 0.99, "constant"), (0.005, 0.99, "ramped")])
    c9, r9 = runs[(0.01, 0.9, "constant")][0], runs[(0.01, 0.9, "ramped")][0]
    assert r9 > 1.5 * c9, runs
    assert _failed(runs[(0.01, 0.99, "constant")][0]) and _failed(runs[(0.01, 0.99, "ramped")][0]), runs
    c99, r99 = runs[(0.005, 0.99, "constant")][0], runs[(0.005, 0.99, "ramped")][0]
    assert c9 < r99 < c99, runs
