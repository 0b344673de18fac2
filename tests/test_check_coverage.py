"""Every line and branch a student writes is exercised by some check: the reference solutions,
run through all checks (public and hidden, fresh inputs), leave no line between `### BEGIN
SOLUTION` and `### END SOLUTION` unexecuted and no branch there untaken. (What stays uncovered
is given scaffold, the argument validation.)"""
import json
from pathlib import Path

import coverage

from grader.core.engine import run_checks
from grader.catalogue import select

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "trainlab"
GRADED = ("activations", "augmentation", "babysit", "initialization", "normalization", "optimizers",
          "preprocessing", "regularization", "schedules")


def solution_lines(path: Path) -> set:
    inside, lines = False, set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def uncovered(reference_runner, tmp_path, checks=None) -> dict:
    """module -> sorted solution lines that no check runs, or where a branch is never taken."""
    cov = coverage.Coverage(branch=True, data_file=None, include=[str(PACKAGE / "*.py")])
    cov.start()
    try:
        run_checks(src=ROOT / "src", hidden=True, seed=0, reference=reference_runner, fresh=True, checks=checks)
    finally:
        cov.stop()
    report = tmp_path / "coverage.json"
    cov.json_report(outfile=str(report))
    files = {Path(name).stem: data for name, data in json.loads(report.read_text())["files"].items()}
    gaps = {}
    for name in GRADED:
        data = files.get(name, {"missing_lines": sorted(solution_lines(PACKAGE / f"{name}.py")), "missing_branches": []})
        lines = set(data["missing_lines"]) | {source for source, _ in data.get("missing_branches", [])}
        if lines & solution_lines(PACKAGE / f"{name}.py"):
            gaps[name] = sorted(lines & solution_lines(PACKAGE / f"{name}.py"))
    return gaps


def test_the_checks_run_every_line_and_branch_of_the_solutions(reference_runner, tmp_path):
    assert uncovered(reference_runner, tmp_path) == {}


def test_the_measure_sees_code_that_no_check_runs(reference_runner, tmp_path):
    only_activations = select(["activations"], hidden=True)
    gaps = uncovered(reference_runner, tmp_path, only_activations)
    assert "activations" not in gaps and "normalization" in gaps and "optimizers" in gaps
