"""What the grading sandbox costs: checks in-process vs in the sandbox, and autograde per student.

1. `run_checks` on the reference with the hidden checks (what `trainlab check --hidden` runs), with
   the student code in this process vs in the sandbox worker (fresh inputs, as at grading).
2. One call of relu_forward on a (64, 256) array: in-process vs one round trip to the worker.
3. `nbgrader autograde` of one reference submission with the course's trusted-grading block
   (sandboxed kernel + TrustedScores) vs the same course with that block removed (stock nbgrader).

    python benchmarks/bench_sandbox.py [--quick]     (--quick: notebook 01 only, one repeat)
"""
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, median_time, ms, parse_args, ratio, report

import numpy as np  # noqa: E402  (after _common: BLAS threads)

from grader.core.engine import run_checks  # noqa: E402
import nbformat  # noqa: E402

from grader.instructor import gradebook  # noqa: E402
from grader.instructor.course import TRUSTED_BLOCK, build_course  # noqa: E402
from grader.instructor.layout import ASSIGNMENT, last_error, nbgrader  # noqa: E402
from grader.instructor.demo import _answered  # noqa: E402
from grader.core.runner import Runner  # noqa: E402
from grader.sandbox.host import SandboxRunner, isolation  # noqa: E402


def timed(fn, repeats):
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def checks_rows(repeats):
    src = ROOT / "src"
    plain = timed(lambda: run_checks(src, hidden=True, seed=1), repeats)
    boxed = timed(lambda: run_checks(src, hidden=True, seed=1, sandbox=True, fresh=True), repeats)
    x = np.random.default_rng(0).standard_normal((64, 256))
    local = Runner(src)
    with SandboxRunner(src) as box:
        box.start()
        one_local = median_time(lambda: local.call("activations.relu_forward", x), repeats + 2)
        one_boxed = median_time(lambda: box.call("activations.relu_forward", x), repeats + 2)
    count = len(run_checks(src, hidden=True, seed=1))
    return [[f"all checks with hidden ones ({count})", ms(plain), ms(boxed), ratio(boxed, plain)],
            ["one relu_forward call, (64, 256)", ms(one_local), ms(one_boxed), ratio(one_boxed, one_local)]]


def autograde_seconds(course: Path, submission: Path, student: str) -> float:
    shutil.copytree(submission, course / "submitted" / student / ASSIGNMENT)
    start = time.perf_counter()
    done = nbgrader(course, "autograde", ASSIGNMENT, "--student", student, "--force")
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"autograde failed: {last_error(done)}")
    return seconds


def strip_trusted_block(config: Path) -> None:
    begin, end = TRUSTED_BLOCK
    text = config.read_text()
    config.write_text(text[:text.index(begin)] + text[text.index(end) + len(end):])


def autograde_rows(quick):
    only = ["01_"] if quick else None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trusted = build_course(ROOT, tmp / "trusted", only=only)
        stock = build_course(ROOT, tmp / "stock", only=only)
        strip_trusted_block(stock / "nbgrader_config.py")
        submission = tmp / "reference"  # the release with every solution filled in, as the demo's reference
        shutil.copytree(trusted / "release" / ASSIGNMENT, submission)
        for path in (ROOT / "src" / "trainlab").glob("*.py"):
            shutil.copyfile(path, submission / "src" / "trainlab" / path.name)
        for path in sorted(submission.glob("*.ipynb")):
            nbformat.write(_answered(path, trusted / "source" / ASSIGNMENT / path.name, "reference", {}), path)
        t_stock = autograde_seconds(stock, submission, "s1")
        t_trusted = autograde_seconds(trusted, submission, "s1")
        scores = gradebook.scores(trusted)["s1"], gradebook.scores(stock)["s1"]
    label = "notebook 01 only" if quick else "all notebooks"
    return [[f"nbgrader autograde, one reference submission ({label})", f"{t_stock:.1f} s", f"{t_trusted:.1f} s",
             ratio(t_trusted, t_stock)]], scores


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    repeats = 1 if args.quick else 5
    mode, why = isolation()
    rows = checks_rows(repeats)
    more, (trusted, stock) = autograde_rows(args.quick)
    report("The grading sandbox: what isolation costs",
           "Median wall time, student code in this process (or stock nbgrader) vs in the sandbox.",
           ["what", "in-process / stock", "sandboxed", "ratio"], rows + more,
           [f"Isolation here: {mode}{' (' + why + ')' if why else ''}. Repeats: {repeats}. Autograded score of the "
            f"reference: {trusted['autograded_score']:g}/{trusted['autograded_max']:g} trusted, "
            f"{stock['autograded_score']:g}/{stock['autograded_max']:g} stock."
            f"{' QUICK run.' if args.quick else ''}"])


if __name__ == "__main__":
    main()
