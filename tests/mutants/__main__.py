"""`python -m tests.mutants`: how many catalogued mistakes get a hint in their failure messages.

Each mutant is graded as at grading time (hidden checks, fresh inputs, seed 1, the reference at
hand); a mutant counts when at least one of its failure messages carries a hint. This is an upper
bound on "a hint that names the mistake": tests/test_hints.py checks the named ones both ways.
"""
import collections

import numpy as np

from grader.engine import FAILED, run_checks
from grader.runner import Runner, default_src

from . import all_mutants


def main() -> None:
    reference = Runner(default_src())
    hinted, total = collections.Counter(), collections.Counter()
    for m in all_mutants():
        np.random.seed(0)
        results = run_checks(topics=[m.topic], hidden=True, seed=1, overrides={m.target: m.fn},
                             reference=reference, fresh=True)
        total[m.topic] += 1
        hinted[m.topic] += any("Hint:" in r.message for r in results if r.status == FAILED)
    share = sum(hinted.values()) / sum(total.values())
    print(f"{sum(hinted.values())} of {sum(total.values())} mutants ({share:.0%}) get at least one hint")
    for topic in total:
        print(f"  {topic}: {hinted[topic]}/{total[topic]}")


if __name__ == "__main__":
    main()
