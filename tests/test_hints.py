"""Messages name the mistake: the mutant a hint describes triggers it, correct code never does."""
import pytest

from grader.core.engine import FAILED, run_checks
from grader.core.registry import TOPICS
from tests.mutants import DTYPE_WORDS, INPLACE_WORDS, all_mutants, hint_texts
from tests.seeds import seeds
from tests.variants import all_variants


def _failures(overrides, topic, reference_runner, seed=1):
    return [r for r in run_checks(topics=[topic], hidden=True, seed=seed, overrides=overrides,
                                  reference=reference_runner) if r.status == FAILED]


def test_spatial_batchnorm_test_mode_eps_hint(reference_runner):
    (m,) = [m for m in all_mutants() if "sqrt(running_var) + eps" in m.bug]
    failed = _failures(m.overrides, "normalization", reference_runner)
    assert failed and all(r.function == "spatial_batchnorm_forward" for r in failed)
    assert any("eps goes inside the square root" in r.message for r in failed)
    assert not any("eps goes inside" in r.message for r in _failures({}, "normalization", reference_runner))


def test_in_place_failures_name_the_argument_and_cost_one_check(reference_runner):
    for v in all_variants():
        if "in-place" not in v.breaks:
            continue
        failed = _failures(v.targets, v.topic, reference_runner)
        assert len(failed) == 1, [r.id for r in failed]
        message = failed[0].message
        assert " in place." in message and "argument number" not in message
        if v.id.startswith("activations.relu_backward"):
            assert "relu_backward changed its argument dout in place" in message
        if v.id.startswith("optimizers.sgd_momentum") and "velocity" in v.style:
            assert "changed its argument config['velocity'] in place" in message


def test_keepdims_hint_names_the_extra_axis(reference_runner):
    (m,) = [m for m in all_mutants() if "stored as (1, D)" in m.bug]
    failed = _failures(m.overrides, "normalization", reference_runner)
    assert any("keepdims=True" in r.message for r in failed), [r.message for r in failed][:3]
    for v in all_variants():
        assert not any("keepdims=True" in r.message for r in _failures(v.targets, v.topic, reference_runner))


@pytest.mark.parametrize("seed", seeds())
def test_correct_code_triggers_no_hint_of_a_mistake(seed, reference_runner):
    """The other direction of tests/test_hint_catalogue.py: the reference fails nothing, and a
    correct variant's only failures are the style checks it breaks on purpose, whose hints are the
    style hints (in place: whose array; float32: the float64 that crept in; the documented draw)."""
    for topic in TOPICS:
        assert not _failures({}, topic, reference_runner, seed), topic
    style_words = {"in-place": INPLACE_WORDS, "dtype": DTYPE_WORDS, "draw": "rng.random(x.shape)"}
    for v in all_variants():
        for text in hint_texts(_failures(v.targets, v.topic, reference_runner, seed)):
            assert any(style_words[style] in text for style in v.breaks), (v.id, text)


def test_a_wrong_forward_is_named_in_the_backward_check_and_charged_once(reference_runner):
    """A backward gets its own forward's cache; a failure its wrong forward causes is the forward's,
    in a self-check as at grading, and the backward's message names the forward to fix first."""
    (m,) = [m for m in all_mutants() if m.id == "normalization.batchnorm_forward: unbiased variance (ddof=1)"]
    hint = "fix batchnorm_forward first"
    for reference in (None, reference_runner):
        results = run_checks(topics=["normalization"], overrides=m.overrides, reference=reference)
        backward = [r for r in results if r.function == "batchnorm_backward"]
        assert all(r.passed for r in backward) and any(hint in r.message for r in backward)
    assert not any(hint in r.message for r in run_checks(topics=["normalization"]))
    for v in all_variants():
        if v.topic == "normalization":
            assert not any(hint in r.message for r in run_checks(topics=[v.topic], overrides=v.targets)), v.id
