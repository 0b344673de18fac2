"""Messages name the mistake: the mutant a hint describes triggers it, correct code never does."""
import pytest

from grader.engine import FAILED, run_checks
from tests.mutants import all_mutants
from tests.variants import all_variants


def _failures(overrides, topic, reference_runner, seed=1):
    return [r for r in run_checks(topics=[topic], hidden=True, seed=seed, overrides=overrides,
                                  reference=reference_runner) if r.status == FAILED]


def test_spatial_batchnorm_test_mode_eps_hint(reference_runner):
    (m,) = [m for m in all_mutants() if "sqrt(running_var) + eps" in m.bug]
    failed = _failures({m.target: m.fn}, "normalization", reference_runner)
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
    failed = _failures({m.target: m.fn}, "normalization", reference_runner)
    assert any("keepdims=True" in r.message for r in failed), [r.message for r in failed][:3]
    for v in all_variants():
        assert not any("keepdims=True" in r.message for r in _failures(v.targets, v.topic, reference_runner))


HINTS = [  # (words of the mutant's bug, words of the hint it must trigger)
    ("mode 'test' uses running averages", "computes the same in train and test mode"),
    ("normalizes over the batch axis", "own mean and variance over its D features"),
    ("an integer mask ((x > 0).astype(int))", "astype(int) or .astype(float) is int64 or float64"),
    ("weight mask (rng.random(w.shape) < keep_prob) / keep_prob left float64", "rng.random(...) gives float64"),
    ("written as Nesterov: w - momentum", "this is Nesterov's look-ahead step"),
    ("plain momentum step (no look-ahead correction)", "this is the plain momentum step w + v"),
    ("rmsprop: no square root", "divide by the SQUARE ROOT"),
    ("adam: hard-coded epsilon 1e-7", "read it from config['epsilon']"),
    ("adam: epsilon inside the square root", "epsilon goes after the square root"),
    ("rmsprop: epsilon inside the square root", "epsilon goes after the square root"),
    ("adagrad: epsilon inside the square root", "epsilon goes after the square root"),
    ("adam: t never incremented", "increment t (t = t + 1) BEFORE the bias correction"),
    ("test mode leaves out gamma and beta", "test mode scales and shifts too"),
    ("batchnorm_forward: eps added outside the square root", "eps goes inside the square root"),
    ("at each pixel over the group's C/G channels", "not at each pixel over the channels only"),
    ("test mode returns keep_prob * x", "test mode returns x unchanged"),
]


@pytest.mark.parametrize("bug, hint", HINTS, ids=[h[0][:40] for h in HINTS])
def test_hint_fires_for_its_mistake_and_never_for_correct_code(bug, hint, reference_runner):
    (m,) = [m for m in all_mutants() if bug in m.id]
    failed = _failures({m.target: m.fn}, m.topic, reference_runner)
    assert any(hint in r.message for r in failed), [r.message for r in failed][:3]
    assert not any(hint in r.message for r in _failures({}, m.topic, reference_runner))
    for v in all_variants():
        if v.topic == m.topic:
            assert not any(hint in r.message for r in _failures(v.targets, v.topic, reference_runner)
                           if not r.name.startswith("float32")), v.id


def test_a_wrong_forward_is_named_in_the_backward_failure_of_a_self_check():
    """Without the reference (a student's own `trainlab check`) the backward gets the student's cache."""
    (m,) = [m for m in all_mutants() if m.id == "normalization.batchnorm_forward: unbiased variance (ddof=1)"]
    hint = "fix batchnorm_forward first"
    own = [r for r in run_checks(topics=["normalization"], overrides={m.target: m.fn}) if r.status == FAILED]
    assert any(r.function == "batchnorm_backward" and hint in r.message for r in own), [r.message for r in own][:4]
    assert not any(hint in r.message for r in run_checks(topics=["normalization"]) if r.status == FAILED)
    for v in all_variants():
        if v.topic == "normalization":
            assert not any(hint in r.message for r in run_checks(topics=[v.topic], overrides=v.targets)), v.id
