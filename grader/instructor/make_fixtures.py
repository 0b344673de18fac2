"""Write grader/fixtures/<topic>.npz from the reference solutions (`trainlab fixtures`).

With each case's outputs go its derived values (grader/core/derived.py): what its checks need
from a correct implementation beyond the reference's outputs, computed here on the instructor side.
"""
from __future__ import annotations

import zlib

import numpy as np

from ..core.cases import run_case
from ..core.fixture_store import FIXTURE_DIR, save_topic
from ..hidden.derived import derive
from ..catalogue import cases

FIXTURE_SEED = 231


def make_fixtures(reference, directory=FIXTURE_DIR, topics=None) -> dict[str, int]:
    """Run every Case (of the given topics) on the reference with fixed inputs; return cases per topic."""
    by_topic: dict[str, dict] = {}
    for case in cases():
        if topics and case.topic not in topics:
            continue
        rng = np.random.default_rng([FIXTURE_SEED, zlib.crc32(case.key.encode())])
        inputs = case.make(rng, False)
        outputs = run_case(case, reference.call, inputs)
        by_topic.setdefault(case.topic, {})[case.key] = (inputs, {**outputs, **derive(case.function, inputs, outputs)})
    for topic, entries in by_topic.items():
        save_topic(directory / f"{topic}.npz", entries)
    return {topic: len(entries) for topic, entries in by_topic.items()}
