import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.mutants, benchmarks

# The suite runs one worker per core (`-n 2`); a BLAS that also starts a thread per core in every
# worker oversubscribes the machine and slows the training experiments of the claim tests several
# times over. One BLAS thread per test process.
threadpool_limits(1)


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def reference_runner():
    from grader.runner import Runner

    return Runner(ROOT / "src")
