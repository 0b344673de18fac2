"""Every buggy implementation in the catalogue fails at least one check, and every check that carries
points fails for at least one of them."""
import numpy as np
import pytest

from grader.core.engine import FAILED, run_checks
from grader.catalogue import select
from grader.core.registry import TOPICS
from tests.mutants import all_mutants

MUTANTS = all_mutants()


def test_catalogue_is_large_and_covers_every_topic():
    assert len(MUTANTS) >= 40
    assert len({m.id for m in MUTANTS}) == len(MUTANTS)
    assert {m.topic for m in MUTANTS} == set(TOPICS)


def run_mutant(m, reference_runner):
    # Mutants that draw from the global np.random must give the same verdict on every run.
    np.random.seed(0)
    return run_checks(topics=[m.topic], hidden=True, seed=1, overrides=m.overrides,
                      reference=reference_runner)


@pytest.mark.parametrize("m", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_is_caught(m, reference_runner):
    caught = [r for r in run_mutant(m, reference_runner) if r.status == FAILED]
    assert caught, f"no check catches the bug: {m.id}"
    # the failure must be reported for a student: it names what went wrong
    assert all(r.message for r in caught)
    # and charged once, to the function that has the mistake (grader/GRADING_RULES.md, rule 1)
    function = m.target.rpartition(".")[2]
    elsewhere = sorted({r.id for r in caught if r.function != function})
    assert not elsewhere, f"{m.id} is also charged to {elsewhere}"


def test_every_check_catches_some_mutant(reference_runner):
    """The other direction: no point-bearing check is dead weight that no realistic bug can fail."""
    caught = set()
    for m in MUTANTS:
        caught.update(r.id for r in run_mutant(m, reference_runner) if r.status == FAILED)
    dead = sorted(c.id for c in select(hidden=True) if c.points > 0 and c.id not in caught)
    assert not dead, f"{len(dead)} checks catch no mutant, e.g. {dead[:5]}"
