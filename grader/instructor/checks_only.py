"""`trainlab autograde --checks-only`: regrade the student modules with the trusted checks alone.

After a check changes, the notebooks need not run again: every test cell's score comes from the
checks (TrustedScores), so this regrades exactly those cells, without kernels. For each student
already autograded it runs the checks of every test cell on the submission's src/ in the sandbox
(the same seed as at autograde), writes the new scores into the gradebook through nbgrader's API,
the new check lines into the autograded notebook, and regenerates the feedback (one nbgrader run
for all of them). The
best-model cell and the written answers keep their grades.
"""
from __future__ import annotations

import time
from pathlib import Path

import nbformat

from ..engine import run_checks
from ..notebook import cell_checks
from ..report import text_report
from ..sandbox import DEFAULT_LIMITS
from . import course as nbg
from .trusted import grading_seed, record_results, trusted_outputs


def test_cells(course: Path) -> dict[str, list[tuple[str, list]]]:
    """notebook name -> [(grade_id, checks)] of every test cell that calls grade(...)."""
    cells = {}
    for path in sorted((course / "source" / nbg.ASSIGNMENT).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                checks = [c for topic, fns, hidden in nbg.grade_calls(cell.source) for c in cell_checks(topic, fns, hidden)]
                if checks:
                    cells.setdefault(path.stem, []).append((meta["grade_id"], checks))
    return cells


def regrade_one(course: Path, student: str, cells: dict) -> dict:
    from nbgrader.api import Gradebook

    started = time.perf_counter()
    checks = [c for cell_list in cells.values() for _, cell_checks_ in cell_list for c in cell_checks_]
    src = course / "submitted" / student / nbg.ASSIGNMENT / "src"
    results = {r.id: r for r in run_checks(src, checks=checks, seed=grading_seed(course, student), sandbox=True,
                                           fresh=True, limits=DEFAULT_LIMITS)}
    with Gradebook(nbg.db_url_of(course), nbg.course_id_of(course)) as gb:
        for notebook, cell_list in cells.items():
            record_results(course, student, notebook, [results[c.id] for _, cs in cell_list for c in cs])
            path = course / "autograded" / student / nbg.ASSIGNMENT / f"{notebook}.ipynb"
            nb = nbformat.read(path, as_version=4) if path.is_file() else None
            by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells} if nb else {}
            for grade_id, cell_checks_ in cell_list:
                mine = [results[c.id] for c in cell_checks_]
                points = float(sum(r.points for r in mine if r.passed))
                gb.find_grade(grade_id, notebook, nbg.ASSIGNMENT, student).auto_score = points
                if grade_id in by_id:
                    by_id[grade_id].outputs = trusted_outputs(text_report(mine, "trusted grader"), points,
                                                              by_id[grade_id].get("execution_count"))
            if nb is not None:
                nbformat.write(nb, path)
        gb.db.commit()
    return {"ok": True, "error": "", "seconds": round(time.perf_counter() - started, 2), "skipped": False}


def regrade_checks(course: Path, submitted: Path, progress=None, students: list[str] | None = None) -> dict[str, dict]:
    """Regrade every (or each named) already autograded student with the checks alone; export."""
    course, submitted = Path(course).resolve(), Path(submitted).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"{course} is not a trainlab course folder; give the folder `trainlab course` made.")
    graded = nbg.scores(course)
    cells = test_cells(course)
    status, todo = {}, []
    for student in students or nbg.student_ids(submitted):
        if student not in graded:
            status[student] = {"ok": False, "seconds": 0.0, "skipped": False,
                               "error": "not autograded yet: run trainlab autograde without --checks-only first"}
            continue
        refused, _ = nbg.take_in(submitted, course, student)
        if refused:
            status[student] = {"ok": False, "error": refused, "seconds": 0.0, "skipped": False}
        else:
            todo.append(student)
    for student in (progress(todo, total=len(todo)) if progress else todo):
        try:
            status[student] = regrade_one(course, student, cells)
        except Exception as exc:  # one broken record costs this student only
            status[student] = {"ok": False, "error": f"checks-only regrade failed ({type(exc).__name__}: {exc})"[:300],
                               "seconds": 0.0, "skipped": False}
    regraded = [s for s in todo if status[s]["ok"]]
    if regraded:  # one nbgrader process writes every regraded student's feedback
        others = sorted(set(graded) - set(regraded))
        done = nbg.nbgrader(course, "generate_feedback", nbg.ASSIGNMENT, "--force",
                            *([f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []))
        if done.returncode != 0:
            for student in regraded:
                status[student].update(ok=False, error=f"feedback failed: {nbg._last_error(done)}")
    nbg.nbgrader(course, "export", "--to", str(course / "grades.csv"))
    return status
