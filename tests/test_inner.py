"""A mistake in a function that another student function calls is charged once, to the function
that has it, and cannot be used to earn the calling function's points (grader/core/inner.py)."""
import numpy as np
import pytest

from grader.core.engine import FAILED, PASSED, run_checks
from grader.core.inner import agree
from trainlab import initialization as ref_init
from trainlab import normalization as ref_norm

SPATIAL, BN = "normalization.spatial_batchnorm_forward", "normalization.batchnorm_forward"


def bn_unbiased(x, gamma, beta, bn_param):
    """batchnorm_forward with the unbiased variance: a mistake of batchnorm_forward only."""
    out, cache = ref_norm.batchnorm_forward(x, gamma, beta, bn_param)
    N = x.shape[0]
    mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)
    if bn_param.get("mode", "train") == "train":
        out = gamma * (x - mu) / np.sqrt(var + bn_param.get("eps", 1e-5)) + beta
    return out, cache if N else cache


def spatial_scaled(x, gamma, beta, bn_param):
    """A spatial batchnorm with a mistake of its own: its output is 1% too large."""
    out, cache = ref_norm.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    return out * 1.01, cache


def spatial_forgets_bn_param(x, gamma, beta, bn_param):
    """Right output, but the running averages go into a private dict, never the caller's."""
    return ref_norm.spatial_batchnorm_forward(x, gamma, beta, {"mode": bn_param.get("mode", "train")})


def results(reference_runner, overrides, function):
    res = run_checks(topics=[function.partition(".")[0]], hidden=True, seed=3,
                     overrides=overrides, reference=reference_runner, fresh=True)
    return [r for r in res if r.function == function.rpartition(".")[2]]


def test_a_wrong_inner_function_is_not_charged_to_the_calling_function(reference_runner):
    spatial = results(reference_runner, {BN: bn_unbiased}, SPATIAL)
    assert spatial and all(r.status == PASSED for r in spatial), [r.message for r in spatial if not r.passed]
    excused = [r for r in spatial if "counted as passed" in r.message]
    assert excused, "the mutant should make some spatial checks differ from the reference"
    assert all("batchnorm_forward" in r.message for r in excused)
    bn = results(reference_runner, {BN: bn_unbiased}, BN)
    assert any(r.status == FAILED for r in bn)


@pytest.mark.parametrize("own_mistake", [spatial_scaled, spatial_forgets_bn_param])
def test_the_calling_function_keeps_its_own_mistakes_when_the_inner_one_is_wrong(reference_runner, own_mistake):
    spatial = results(reference_runner, {BN: bn_unbiased, SPATIAL: own_mistake}, SPATIAL)
    assert any(r.status == FAILED for r in spatial)


def test_a_wrong_fan_computation_is_charged_to_fan_in_and_fan_out_only(reference_runner):
    def swapped(shape):
        fan_in, fan_out = ref_init.fan_in_and_fan_out(shape)
        return fan_out, fan_in

    def kaiming_doubled(shape, rng, negative_slope=0.0, mode="fan_in"):
        return 2 * ref_init.kaiming_normal(shape, rng, negative_slope, mode)

    overrides = {"initialization.fan_in_and_fan_out": swapped}
    assert all(r.passed for r in results(reference_runner, overrides, "initialization.kaiming_normal"))
    assert any(not r.passed for r in results(reference_runner, overrides, "initialization.fan_in_and_fan_out"))
    overrides["initialization.kaiming_normal"] = kaiming_doubled
    assert any(r.status == FAILED for r in results(reference_runner, overrides, "initialization.kaiming_normal"))


def test_agree_compares_structure_values_and_dtypes():
    x = np.arange(6.0).reshape(2, 3)
    assert agree((x, {"a": 1.0}), (x * (1 + 1e-13), {"a": 1.0}))
    assert not agree((x,), (x * 1.001,))
    assert not agree(x, x.astype(np.float32))
    assert not agree(x, x.reshape(3, 2))
    assert not agree({"a": x}, {"b": x})
    assert not agree((x, x), (x,))
