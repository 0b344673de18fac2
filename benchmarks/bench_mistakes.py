"""Mistake discovery on a synthetic class built from the catalogues (tests/synthetic_class.py).

Grades each student as grading does (checks on fresh inputs from their own seed, in process here),
then fingerprints them on the probe bank and clusters the class, and reports:
- per function, purity and completeness of the clusters against the planted mistakes;
- the held-out run: a fifth of the mistakes left out of the naming library, how many of them
  still form their own unnamed cluster;
- the time of fingerprinting and clustering, as a ratio to the time of the checks, and in seconds
  per student; and what fingerprints add to grading through the sandbox, notebook by notebook as
  grading runs, for a few students.

    python benchmarks/bench_mistakes.py             # 700 students (about 20-30 minutes on 2 busy cores)
    python benchmarks/bench_mistakes.py --quick     # 30 students
"""
import _common  # noqa: F401  (sets BLAS threads and sys.path first)

import statistics
import time

import numpy as np

from grader.core.engine import reference_src, run_checks
from grader.core.runner import Runner
from grader.instructor.autograde import WORKERS
from grader.mistakes import library as lib_mod
from grader.mistakes.clusters import cluster_class, purity_and_completeness
from grader.mistakes.fingerprint import fingerprint
from grader.mistakes.probes import counted_functions, failed_by_function
from tests.mutants import all_mutants
from tests.synthetic_class import CORRECT, Student, make_class


def grade_and_print(student, libraries, reference):
    src = reference_src()
    topics = sorted({f.partition(".")[0] for f in student.truth})
    start = time.perf_counter()
    results = run_checks(src, topics=topics, hidden=True, seed=student.seed, overrides=student.overrides,
                         fresh=True, reference=reference)
    checked = time.perf_counter()
    record = fingerprint(Runner(src, overrides=student.overrides), reference, libraries, list(student.truth),
                         failed_by_function(results), counted_functions(results))
    return record, checked - start, time.perf_counter() - checked


def main():
    args = _common.parse_args(__doc__.splitlines()[0],
                              extra=lambda p: p.add_argument("--students", type=int, default=700))
    size = 30 if args.quick else args.students
    libraries = lib_mod.load()
    reference = Runner(reference_src())
    students = make_class(size, seed=2026)
    prints, check_s, print_s = {}, 0.0, 0.0
    for s in students:
        prints[s.id], c, p = grade_and_print(s, libraries, reference)
        check_s, print_s = check_s + c, print_s + p
    start = time.perf_counter()
    clusters = cluster_class(prints, libraries)
    cluster_s = time.perf_counter() - start
    canonical = {b: a for lib in libraries.values() for a, b in lib.not_told_apart}
    rows = []
    for function, found in sorted(clusters.items()):
        truth = {s.id: canonical.get(s.truth[function], s.truth[function]) for s in students}
        purity, completeness = purity_and_completeness(found, truth)
        planted = sum(t != CORRECT for t in truth.values())
        rows.append((function, planted, len(found), purity, completeness))
    sizes = lib_mod.bank_sizes(libraries)
    print(f"## Mistake discovery, {size} students\n")
    print(f"Probe bank: {sum(sizes.values())} probes ({', '.join(f'{t} {n}' for t, n in sizes.items())}).\n")
    print("| function | planted mistakes | clusters | purity | completeness |\n|---|---|---|---|---|")
    for function, planted, n, purity, completeness in rows:
        print(f"| {function} | {planted} | {n} | {purity:.3f} | {completeness:.3f} |")
    worst_p, worst_c = min(r[3] for r in rows), min(r[4] for r in rows)
    print(f"\nLowest purity {worst_p:.3f}, lowest completeness {worst_c:.3f} "
          f"({sum(min(r[3], r[4]) >= 0.98 for r in rows)} of {len(rows)} functions at 0.98 or more).\n")
    print("| step | seconds | per student | ratio to the checks |\n|---|---|---|---|")
    for name, seconds in (("checks (grading, in process)", check_s), ("fingerprints (in process)", print_s),
                          ("clustering the class", cluster_s)):
        print(f"| {name} | {seconds:.1f} | {seconds / size:.3f} | {seconds / check_s:.2f} |")

    # the held-out run: a fifth of the mistakes out of the naming library
    rng = np.random.default_rng(5)
    mutants = all_mutants()
    held = {mutants[i].id for i in rng.choice(len(mutants), len(mutants) // 5, replace=False)}
    partial = lib_mod.build([m for m in mutants if m.id not in held], reference_src())
    held_students = []
    for n, m in enumerate(m for m in mutants if m.id in held):
        for k in range(2 if args.quick else 3):
            truth = {f: CORRECT for f in lib_mod.graded_functions()}
            truth[m.target] = m.id
            held_students.append(Student(f"h{n}_{k}", 900 + 10 * n + k, dict(m.overrides), truth))
    if args.quick:
        held_students = held_students[:20]
    held_prints = {s.id: grade_and_print(s, partial, reference)[0] for s in held_students}
    held_clusters = cluster_class(held_prints, partial)
    own, total = 0, 0
    for m_id in sorted({next(t for t in s.truth.values() if t != CORRECT) for s in held_students}):
        members = [s for s in held_students if m_id in s.truth.values()]
        target = next(f for f, t in members[0].truth.items() if t == m_id)
        homes = {next(c.id for c in held_clusters[target] if s.id in c.members) for s in members}
        clusters_of = [c for c in held_clusters[target] if c.id in homes]
        total += 1
        own += len(homes) == 1 and clusters_of[0].kind == "unnamed" and set(clusters_of[0].members) == {s.id for s in members}
    print(f"\nHeld out of the naming library: {len(held)} mistakes; {own} of the {total} tried form exactly one "
          "unnamed cluster of their own.")

    # what fingerprinting adds to grading through the sandbox, measured as grading runs: the checks of
    # each notebook's test cells in one sandbox (TrustedScores), the seven notebooks of a student in
    # one process, the fingerprint taken by the same hook with the sandbox still open; the hook's own
    # time is what fingerprinting adds (timing two whole gradings instead drowns it in the noise of a
    # busy machine)
    totals, hooks = [], []
    for s in students[:2 if args.quick else 5]:
        total, hook = grade_notebooks(s.seed)
        totals.append(total)
        hooks.append(hook)
    extra, grading = statistics.median(hooks), statistics.median(t - h for t, h in zip(totals, hooks))
    print(f"\nThrough the sandbox, notebook by notebook as grading runs (median of {len(totals)} students): "
          f"grading {grading:.2f} s per student; fingerprints add {extra:.2f} s ({extra / grading:.2f} of grading): "
          f"{extra * 700 / 60:.1f} min of one core for 700 students, {extra * 700 / 60 / WORKERS:.1f} min on this "
          f"machine's {WORKERS} grading workers; clustering {size} students took {cluster_s:.1f} s more.")


def grade_notebooks(seed: int) -> tuple[float, float]:
    """Seconds to grade the reference's seven notebooks as TrustedScores does, and the part of them
    spent taking fingerprints."""
    import nbformat

    from grader.instructor.cells import checks_of_cell, is_test_cell
    from grader.mistakes.collect import taker

    in_hook = 0.0
    start = time.perf_counter()
    for path in sorted((_common.ROOT / "notebooks").glob("0*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        checks = [c for cell in nb.cells if is_test_cell(cell) for c in checks_of_cell(cell.source)]
        found = {}
        take = taker(reference_src(), found)

        def timed(*args, take=take):
            nonlocal in_hook
            begun = time.perf_counter()
            take(*args)
            in_hook += time.perf_counter() - begun

        run_checks(reference_src(), checks=checks, seed=seed, sandbox=True, fresh=True, then=timed)
        assert found and "__error__" not in found, (path.name, found.get("__error__"))
    return time.perf_counter() - start, in_hook

if __name__ == "__main__":
    main()
