"""No chance verdicts: a check that catches a catalogued mistake at seed 0 catches it at every
seed (grading draws each student's inputs from a seed, so identical code must get identical
grades). Seeds: tests/seeds.py (a sample in CI, TRAINLAB_SEEDS=0-199 for the full sweep)."""
import numpy as np
import pytest

from grader.core.engine import FAILED, run_checks
from tests.mutants import all_mutants
from tests.seeds import seeds

MUTANTS = all_mutants()


def failures(m, seed, reference_runner) -> set:
    np.random.seed(0)  # mutants that draw from the global np.random
    return {r.id for r in run_checks(topics=[m.topic], hidden=True, seed=seed, overrides=m.overrides,
                                     reference=reference_runner, fresh=True) if r.status == FAILED}


@pytest.mark.parametrize("m", MUTANTS, ids=[m.id for m in MUTANTS])
def test_a_mistake_caught_at_seed_0_is_caught_at_every_seed(m, reference_runner):
    at_zero = failures(m, 0, reference_runner)
    assert at_zero, f"no check catches {m.id} at seed 0"
    for seed in seeds():
        missed = at_zero - failures(m, seed, reference_runner)
        assert not missed, f"seed {seed}: {sorted(missed)} no longer catch {m.id}"
