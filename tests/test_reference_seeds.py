"""The reference solutions pass every check, public and hidden, on fresh inputs for 200 different seeds."""
import pytest

from grader.core.engine import run_checks
from grader.catalogue import select

SEEDS = 200
CHUNK = 20


def test_every_topic_has_public_and_hidden_checks():
    public, everything = select(), select(hidden=True)
    hidden = [c for c in everything if c.hidden]
    assert len(public) >= 200 and len(hidden) >= 150
    for topic in {c.topic for c in everything}:
        assert any(c.topic == topic for c in public) and any(c.topic == topic for c in hidden), topic


@pytest.mark.parametrize("first", range(0, SEEDS, CHUNK))
def test_reference_passes_all_checks_for_many_seeds(first, reference_runner):
    failures = []
    for seed in range(first, first + CHUNK):
        results = run_checks(hidden=True, seed=seed, reference=reference_runner, fresh=True)
        failures += [f"seed {seed}: {r.id}: {r.message}" for r in results if not r.passed]
    assert not failures, "\n".join(failures[:10])
