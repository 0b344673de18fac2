"""`python -m tests.mutants [SEED]`: how many catalogued mistakes a hint names, and how many hints
describe another mistake than the one made (misleading), per topic and in total.

Each mutant is graded as at grading time (hidden checks, fresh inputs, the reference at hand). A
mutant is named when one of its failure messages carries a hint with the words it declares
(tests/mutants/__init__.py); a hint with none of them, and not one of the GENERIC_HINTS, is
misleading. tests/test_hint_catalogue.py asserts the goals (80% named, 0 misleading).
"""
import collections
import sys

from . import measure_hints


def main() -> None:
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    verdicts = measure_hints(seed)
    named, total, wrong = collections.Counter(), collections.Counter(), collections.Counter()
    for m, is_named, misleading in verdicts:
        total[m.topic] += 1
        named[m.topic] += is_named
        wrong[m.topic] += len(misleading)
        for text in misleading:
            print(f"misleading  {m.id}\n            -> {text}")
    for m, is_named, _ in verdicts:
        if not is_named:
            print(f"not named   {m.id}")
    n, t = sum(named.values()), sum(total.values())
    print(f"\n{n} of {t} mutants ({n / t:.0%}) get a hint naming their mistake; "
          f"{sum(wrong.values())} misleading hints (seed {seed})")
    for topic in total:
        print(f"  {topic:15s} named {named[topic]:3d}/{total[topic]:3d}  misleading {wrong[topic]}")


if __name__ == "__main__":
    main()
