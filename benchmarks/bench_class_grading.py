"""Grading a class: stock nbgrader against trainlab's pool, a Dask cluster and --checks-only.

The same submissions (a mix of reference, blank and buggy students) are graded from scratch, each
way in its own copy of one course (so every check draws the same inputs):

* stock: `nbgrader autograde training` (one process, students one after another), then
  `nbgrader generate_feedback training` and `nbgrader export`;
* `trainlab autograde --workers 1` and `--workers 2` (one nbgrader process per student, feedback
  and export included);
* `trainlab autograde --scheduler` on a local Dask cluster with 2 worker processes;
* `trainlab autograde --checks-only` on the pool's graded course (the checks alone, no kernels;
  nothing changed, so no feedback is rewritten), and `--checks-only --force` (every student's
  feedback rewritten, as after a check change that touches everyone).

Every way must give the same autograded scores; the script stops with an error otherwise. The
last table turns the measured cost per student into what a 700-student class costs.

    python benchmarks/bench_class_grading.py [--quick] [--count N]
    (--quick: notebook 03, 3 students; default: all seven notebooks, 20 students, about two hours
    on 2 cores; --count sets the number of students)
"""
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, parse_args, report
from grader.instructor import gradebook  # noqa: E402
from grader.instructor.course import build_course  # noqa: E402
from grader.instructor.layout import ASSIGNMENT, nbgrader  # noqa: E402
from grader.instructor.demo import BUGS, make_submissions  # noqa: E402
from grader.instructor.ledger import Ledger  # noqa: E402

CLASS_SIZE, CORES, MACHINES = 700, 16, 10


def submissions(course: Path, out: Path, count: int) -> list[str]:
    """`count` submissions cycling through reference, blank and the demo's buggy students."""
    made = out / "made"
    kinds = make_submissions(ROOT, course, made)  # reference, blank, alice, bob, carol
    names = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        name = f"{kind}{i:02d}"
        shutil.copytree(made / kind, out / "submitted" / name)
        names.append(name)
    shutil.rmtree(made)
    return names


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def trainlab(*args):
    done = subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr[-2000:])


def stock(course: Path, submitted: Path) -> None:
    shutil.copytree(submitted, course / "submitted", dirs_exist_ok=True)
    for args in (("autograde", ASSIGNMENT), ("generate_feedback", ASSIGNMENT),
                 ("export", "--to", str(course / "grades.csv"))):
        nbgrader(course, *args, timeout=24 * 3600)


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv, extra=lambda p: p.add_argument(
        "--count", type=int, default=None, help="how many submissions (default: 20, or 3 with --quick)"))
    only, count = (["03_"], 3) if args.quick else (None, 20)
    count = args.count or count
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = build_course(ROOT, tmp / "base", only=only)
        students = submissions(base, tmp, count)
        submitted = tmp / "submitted"
        runs, scores = {}, {}

        def course(name):
            shutil.copytree(base, tmp / name)
            return tmp / name

        runs["stock nbgrader autograde"] = seconds(lambda: stock(course("stock"), submitted))
        scores["stock nbgrader autograde"] = gradebook.scores(tmp / "stock")
        for workers in (1, 2):
            name = f"trainlab autograde --workers {workers}"
            where = course(f"pool{workers}")
            runs[name] = seconds(lambda: trainlab("autograde", str(submitted), "--course", str(where),
                                                  "--workers", str(workers)))
            scores[name] = gradebook.scores(where)
        from distributed import LocalCluster

        where = course("dask")
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          host="127.0.0.1") as cluster:
            name = "trainlab autograde --scheduler (Dask, 2 workers)"
            runs[name] = seconds(lambda: trainlab("autograde", str(submitted), "--course", str(where),
                                                  "--scheduler", cluster.scheduler_address))
            scores[name] = gradebook.scores(where)
        imports = [e["import_seconds"] for e in Ledger(where).records.values() if "import_seconds" in e]
        serial = sum(imports) / max(1, len(imports))  # the coordinator's import and feedback, per student
        for name, extra in (("trainlab autograde --checks-only (nothing changed)", ()),
                            ("trainlab autograde --checks-only --force (all feedback rewritten)", ("--force",))):
            runs[name] = seconds(lambda: trainlab("autograde", str(submitted), "--course", str(tmp / "pool2"),
                                                  "--checks-only", *extra))
            scores[name] = gradebook.scores(tmp / "pool2")
    reference = {s: v["autograded_score"] for s, v in scores["stock nbgrader autograde"].items()}
    for name, got in scores.items():
        if {s: v["autograded_score"] for s, v in got.items()} != reference:
            raise RuntimeError(f"{name} gave other scores than stock nbgrader: {got} vs {reference}")
    base_time = runs["stock nbgrader autograde"]
    rows = [[name, f"{t:.1f}", f"{t / len(students):.2f}", f"{base_time / t:.2f}x"] for name, t in runs.items()]
    report("Grading a class", f"{len(students)} submissions ({', '.join(['reference', 'blank', *BUGS])}, cycling), "
           f"{'notebook 03 only' if only else 'all seven notebooks'}; identical autograded scores in every row.",
           ["way", "seconds", "seconds per student", "speed vs stock"], rows)
    per_student = runs["trainlab autograde --workers 1"] / len(students)
    checks = runs["trainlab autograde --checks-only --force (all feedback rewritten)"] / len(students)
    paper = [[f"{CLASS_SIZE} students, stock nbgrader (one process)", f"{CLASS_SIZE * base_time / len(students) / 3600:.1f} h"],
             [f"{CLASS_SIZE} students, one {CORES}-core machine (--workers {CORES})",
              f"{CLASS_SIZE * per_student / CORES / 3600:.2f} h"],
             [f"{CLASS_SIZE} students, {MACHINES} machines x {CORES} cores (Dask)",
              f"{CLASS_SIZE * max(per_student / (CORES * MACHINES), serial) / 3600:.2f} h"],
             [f"{CLASS_SIZE} students, --checks-only --force on this machine", f"{CLASS_SIZE * checks / 3600:.2f} h"]]
    report("A class of 700 on paper", f"From the measured {per_student:.1f} s per student with one worker, assuming "
           "perfect scaling over cores (each student is independent; the gradebook writes are short). On a "
           "cluster the coordinator imports every result and writes its feedback, one student after another: "
           f"measured {serial:.1f} s per student in the Dask run, which bounds the cluster however many "
           "workers it has (the larger of the two is shown).",
           ["class", "time"], paper)


if __name__ == "__main__":
    main()
