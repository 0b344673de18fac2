"""Every catalogued mistake is named by a hint, and no hint describes a mistake that was not made.

Each mutant declares the words of the hint that names its mistake (tests/mutants). Graded as at
grading time, at each seed of tests/seeds.py, every mutant must get a failure message carrying
those words, and none of its messages may carry a hint that is neither its own nor one of the
GENERIC_HINTS (statements of fact, or advice phrased as conditional on the other checks). The
same figures for the whole catalogue: `python -m tests.mutants [SEED]`.
"""
import pytest

from grader.core.registry import TOPICS
from tests.mutants import GENERIC_HINTS, all_mutants, judge_hints, measure_hints
from tests.seeds import seeds

MUTANTS = all_mutants()


def test_every_mutant_declares_the_hint_that_names_it():
    assert not [m.id for m in MUTANTS if not m.hints]


@pytest.mark.parametrize("seed", seeds())
@pytest.mark.parametrize("topic", TOPICS)
def test_hints_name_the_mistake_and_never_another(topic, seed, reference_runner):
    verdicts = measure_hints(seed, [m for m in MUTANTS if m.topic == topic], reference_runner)
    assert verdicts
    assert not [(m.id, text) for m, _, misleading in verdicts for text in misleading]
    assert not [m.id for m, named, _ in verdicts if not named]


def test_judge_counts_another_mistakes_hint_as_misleading():
    """The measurement itself can fail: a hint of another mutant is misleading, a generic one is not."""
    relu, sigmoid = (next(m for m in MUTANTS if m.target == target and m.hints != ("caller",))
                     for target in ("activations.relu_backward", "activations.sigmoid_backward"))

    class Failed:
        passed = False

        def __init__(self, message):
            self.message = message

    own = Failed("relu_backward dx: off. Hint: mask the gradient with x > 0, not with dout > 0.")
    other = Failed("relu_backward dx: off. Hint: the local gradient is s * (1 - s), not s.")
    generic = Failed(f"relu_backward dx: off. Hint: {GENERIC_HINTS[0]} 2 times the expected one.")
    assert judge_hints(relu, [own, generic]) == (True, [])
    named, misleading = judge_hints(relu, [other])
    assert not named and misleading == ["the local gradient is s * (1 - s), not s."]
    assert judge_hints(sigmoid, [other]) == (True, [])
