"""Shared helpers of the benchmark scripts: command line, timing, markdown tables.

Import this module before NumPy: it limits BLAS (and, in bench_train_step, torch) to
BENCH_THREADS threads, 1 by default, so the ratios compare implementations rather than thread
scheduling on a shared machine. Every script times with time.perf_counter, repeats each
measurement and reports the median, and prints its results as a markdown table of ratios
measured in the same run (absolute times depend on the machine; ratios much less). Nothing here
asserts a timing.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(THREADS))  # read by BLAS when NumPy is first imported

ROOT = Path(__file__).resolve().parent.parent
# run from a checkout even when the package is not installed: the repository's own src/ and grader/
for path in (str(ROOT), str(ROOT / "src")):
    if path not in sys.path:
        sys.path.insert(0, path)

MIN_SAMPLE_SECONDS = 0.02  # each timed sample loops until it lasts about this long (timer resolution)
WARMUP_CALLS = 3  # untimed calls first: lazy initialisation, caches, thread pools


def parse_args(description, argv=None, extra=None):
    """The common command line: --quick for a smoke run with small sizes and few repeats; `extra`
    adds a benchmark's own options to the parser."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes and one or two repeats (smoke test)")
    if extra:
        extra(parser)
    return parser.parse_args(argv)


def calls_per_sample(fn, min_seconds=MIN_SAMPLE_SECONDS):
    """How many calls of fn make one sample last at least min_seconds (one warm-up call included)."""
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    return max(1, int(min_seconds / max(once, 1e-9)))


def median_time(fn, repeats, number=None, warmup=WARMUP_CALLS):
    """Median over `repeats` samples of the seconds one call of fn takes, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    number = number or calls_per_sample(fn)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def markdown_table(header, rows):
    """A markdown table as a string; cells are formatted with str()."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report(title, what, header, rows, notes=()):
    """Print one benchmark's section: a title, what it measures, the table and notes."""
    print(f"## {title}\n\n{what}\n")
    print(markdown_table(header, rows))
    for note in notes:
        print(f"\n{note}")
    print()


def ms(seconds):
    return f"{seconds * 1e3:.3f}"


def ratio(a, b):
    """a / b as '12.3x' (two decimals below 10)."""
    if b <= 0:
        return "n/a"
    r = a / b
    return f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"
