import os
import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

from grader.sandbox.host import BLAS_THREADS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.mutants, benchmarks

# The suite runs one worker per core (`-n 2`); a BLAS that also starts a thread per core in every
# worker oversubscribes the machine and slows the training experiments of the claim tests several
# times over. One BLAS thread per test process, and per process it starts (kernels, nbgrader,
# sandboxes inherit the environment).
threadpool_limits(1)
for _var in BLAS_THREADS:
    os.environ.setdefault(_var, "1")

# With `--dist loadfile` xdist hands out whole files in collection order (addopts turns off its
# reordering by test count). The files that run longest start first, so that no long file is left
# to run alone at the end while the other worker idles. Order from the `--durations=30` lines of a
# .ci/run on 2 cores (test_course's demo setup ~390 s, test_class_scale ~300 s in all, test_attacks'
# setup ~265 s, test_notebooks ~200 s, then the claims); re-measure when files grow.
LONGEST_FIRST = ["test_course.py", "test_class_scale.py", "test_attacks.py", "test_notebooks.py",
                 "test_claims_optimization.py", "test_claims_training.py", "test_course_cycle.py", "test_claims.py",
                 "test_claims_lectures.py",
                 "test_benchmarks_smoke.py", "test_browser.py", "test_xss.py", "test_mutants.py", "test_hint_catalogue.py",
                 "test_release.py"]


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's own order stays
    _deselect_full_mode_claims(config, items)


def _deselect_full_mode_claims(config, items):
    """Tests marked `fullmode` assert a notebook's claims at its full-mode sizes (twelve minutes or
    more in all, most of it the six update rules, notebook 06's schedules and momentum runs and
    notebook 07's search), so the default run leaves them out; `-m fullmode` (any -m expression
    naming it) runs them. Not
    `addopts = -m "not fullmode"`: a -m given on the command line would replace it and let them in."""
    if "fullmode" in (config.getoption("markexpr") or ""):
        return
    full = [item for item in items if item.get_closest_marker("fullmode")]
    if full:
        config.hook.pytest_deselected(items=full)
        items[:] = [item for item in items if not item.get_closest_marker("fullmode")]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def reference_runner():
    from grader.core.runner import Runner

    return Runner(ROOT / "src")
