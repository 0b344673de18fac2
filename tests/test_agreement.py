"""Self-check and grade agree (CONVENTIONS.md, 19e): the same code on the same inputs gets the same
verdict from every public check in the student release (`trainlab check`: no reference at hand,
the stored fixtures) and at grading (the reference at hand, the same seed, fresh inputs off), for
the reference, every correct variant and every mutant of the catalogues. The full sweep runs in
this process; a sample runs at grading in the sandbox, where grades are decided.
"""
import shutil

import numpy as np
import pytest

from grader.core.engine import run_checks
from grader.core.registry import TOPICS
from tests.mutants import all_mutants
from tests.variants import all_variants

SEED = 1
SUBJECTS = ([(f"reference: {topic}", topic, {}) for topic in TOPICS]
            + [(f"variant {v.id}", v.topic, v.targets) for v in all_variants()]
            + [(f"mutant {m.id}", m.topic, m.overrides) for m in all_mutants()])


def verdicts(topic, reference=None, **kwargs) -> dict:
    np.random.seed(0)  # code that draws from the global np.random draws the same in both runs
    return {r.id: r.status for r in run_checks(topics=[topic], seed=SEED, reference=reference, **kwargs)}


def differences(release: dict, grading: dict) -> list:
    assert release.keys() == grading.keys()
    return [f"{key}: {release[key]} in the release, {grading[key]} at grading"
            for key in release if release[key] != grading[key]]


@pytest.mark.parametrize("topic, overrides", [s[1:] for s in SUBJECTS], ids=[s[0] for s in SUBJECTS])
def test_release_and_grading_agree(topic, overrides, reference_runner):
    release = verdicts(topic, overrides=overrides)
    grading = verdicts(topic, reference_runner, overrides=overrides)
    assert not differences(release, grading), differences(release, grading)


SIGMOID_OWN_CACHE = {  # a forward that caches x, and a backward that recomputes s from it
    "    cache = out\n    return out, cache\n\n\ndef sigmoid_backward": "    cache = x\n    return out, cache\n\n\n"
                                                                     "def sigmoid_backward",
    "    s = cache\n": "    s = 0.5 * (1 + np.tanh(0.5 * cache))\n",
}
SIGMOID_MIXED_UP = dict(list(SIGMOID_OWN_CACHE.items())[:1])  # caches x, backward reads it as the output s


def package(tmp_path, root, edits: dict):
    """A copy of the reference package with `edits` (old text -> new text) made to activations.py."""
    src = tmp_path / "src"
    shutil.copytree(root / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
    path = src / "trainlab" / "activations.py"
    text = path.read_text()
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text)
    return src


@pytest.mark.parametrize("edits, sigmoid_backward_passes", [({}, True), (SIGMOID_OWN_CACHE, True),
                                                            (SIGMOID_MIXED_UP, False)],
                         ids=["reference", "own cache layout", "cache read as another thing"])
def test_release_and_sandboxed_grading_agree(edits, sigmoid_backward_passes, tmp_path, root, reference_runner):
    src = package(tmp_path, root, edits)
    release = verdicts("activations", src=src)
    grading = verdicts("activations", reference_runner, src=src, sandbox=True)
    assert not differences(release, grading), differences(release, grading)
    backward = {key: status for key, status in grading.items() if ".sigmoid_backward." in key}
    assert backward and all((status == "passed") == sigmoid_backward_passes for status in backward.values())


@pytest.mark.parametrize("mutant", [m for m in all_mutants() if m.partners], ids=lambda m: m.id)
def test_a_cache_read_as_another_thing_fails_in_the_release_as_at_grading(mutant, reference_runner):
    """The mirror mutants: a forward that caches one thing and a backward that reads it as another
    is right only on the reference's cache, so it fails in a self-check as at grading, charged to
    the backward alone."""
    function = mutant.target.rpartition(".")[2]
    release = verdicts(mutant.topic, overrides=mutant.overrides)
    grading = verdicts(mutant.topic, reference_runner, overrides=mutant.overrides)
    assert not differences(release, grading), differences(release, grading)
    failed = {key for key, status in grading.items() if status != "passed"}
    assert failed and all(f".{function}." in key for key in failed), sorted(failed)


def test_the_catalogue_holds_mirror_mutants():
    assert len([m for m in all_mutants() if m.partners]) >= 3
