"""Correct code in other styles gets full marks on every value check (the mirror of test_mutants.py).

Each variant fails exactly the style checks it declares, on the functions it replaces, and nothing
else: no value check, and no check of another function.
"""
import numpy as np
import pytest

from grader.core.cases import INPLACE_NAME
from grader.checks.regularization import DRAW_NAME
from grader.core.engine import PASSED, run_checks
from tests.seeds import seeds
from tests.variants import STYLES, all_variants

VARIANTS = all_variants()


def style_of(result) -> str | None:
    if result.name == INPLACE_NAME:
        return "in-place"
    if "float32" in result.name:
        return "dtype"
    if result.name.startswith(DRAW_NAME):
        return "draw"
    return None


def test_catalogue_is_large_and_spans_the_topics():
    assert len(VARIANTS) >= 30
    assert len({v.id for v in VARIANTS}) == len(VARIANTS)
    assert {v.topic for v in VARIANTS} >= {"activations", "normalization", "regularization", "optimizers",
                                           "preprocessing", "augmentation"}
    assert all(set(v.breaks) <= set(STYLES) for v in VARIANTS)


@pytest.mark.parametrize("v", VARIANTS, ids=[v.id for v in VARIANTS])
def test_variant_loses_only_the_style_checks_it_breaks(v, reference_runner):
    for seed in seeds():
        np.random.seed(seed)
        results = run_checks(topics=[v.topic], hidden=True, seed=seed, overrides=v.targets,
                             reference=reference_runner, fresh=True)
        failed = [r for r in results if r.status != PASSED]
        unexpected = [f"{r.id}: {r.message}" for r in failed
                      if style_of(r) not in v.breaks or f"{r.topic}.{r.function}" not in v.targets]
        assert not unexpected, f"seed {seed}: {unexpected[:3]}"
        broken = {style_of(r) for r in failed}
        assert broken == set(v.breaks), f"seed {seed}: declared {v.breaks}, failed {sorted(broken)}"
