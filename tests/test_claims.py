"""The notebooks' quantitative sentences, asserted over several seeds with the functions that
produce their numbers (trainlab/experiments.py). notebooks/README.md maps each claim to its
notebook cell, figure and test."""
import numpy as np
import pytest

from trainlab.experiments import zigzag_convergence

SEEDS = (0, 1, 2)


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
    from trainlab.experiments import positive_and_centred_inputs

    positive, centred = positive_and_centred_inputs(seed=3)
    assert np.isclose(np.mean(np.sum(positive ** 2, 1)), np.mean(np.sum(centred ** 2, 1)))
    assert np.allclose(centred.mean(axis=0), 0) and np.all(positive > 0)
