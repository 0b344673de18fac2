"""`trainlab autograde --checks-only`: regrade the student modules with the trusted checks alone.

After a check changes, the notebooks need not run again: every test cell's score comes from the
checks (TrustedScores), so this regrades exactly those cells, without kernels. For each student
already autograded (and whose last autograde neither failed nor was cut short), a worker process
runs the checks of every test cell on the course's copy of the submission's src/ in the sandbox
(the same seed as at autograde) and hands the results back as data. This process
alone writes: the new scores into the gradebook through nbgrader's API, the new check lines into
the autograded notebook, and then the feedback of the students whose grades or check lines
changed (one nbgrader run for all of them; `force` regenerates everyone's). The best-model cell
and the written answers keep their grades.

It grades exactly what the last full autograde graded: a student whose submission's files (in the
folder given and in the course's copy) differ from those the ledger recorded then is refused, with
the command that autogrades the new submission.
"""
from __future__ import annotations

import multiprocessing
import shlex
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from ..core.engine import run_checks
from ..core.report import text_report
from . import gradebook
from .autograde import WORKERS
from .cells import checks_of_cell, is_test_cell
from .layout import ASSIGNMENT, course_id_of, db_url_of, last_error, nbgrader, student_ids
from .ledger import Ledger, course_copy, files_hash
from ..mistakes.collect import record as record_fingerprint
from ..mistakes.collect import taker
from .trusted import course_limits, grading_seed, record_results, trusted_outputs


def test_cells(course: Path) -> dict[str, list[tuple[str, list]]]:
    """notebook name -> [(grade_id, checks)] of every test cell that calls grade(...)."""
    cells = {}
    for path in sorted((Path(course) / "source" / ASSIGNMENT).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if is_test_cell(cell):
                checks = checks_of_cell(cell.source)
                if checks:
                    cells.setdefault(path.stem, []).append((cell.metadata.nbgrader.grade_id, checks))
    return cells


def check_student(course: str, student: str) -> tuple[list, float]:
    """The grading job of one student (run in a worker process): every test cell's checks on the
    submission, in the sandbox, and its fingerprints (grader/mistakes). Writes nothing; returns
    (results, seconds, fingerprints by notebook)."""
    started = time.perf_counter()
    course = Path(course)
    checks = [c for cell_list in test_cells(course).values() for _, cs in cell_list for c in cs]
    src = course / "submitted" / student / ASSIGNMENT / "src"
    found = {}  # the fingerprints follow the new results (grader/mistakes), taken in the same sandbox
    results = run_checks(src, checks=checks, seed=grading_seed(course, student), sandbox=True, fresh=True,
                         limits=course_limits(course), then=taker(src, found))
    prints = {}
    if "__error__" not in found:  # no fingerprint costs no grade: the old ones are kept
        for notebook, cell_list in test_cells(course).items():
            functions = {f"{c.topic}.{c.function}" for _, cs in cell_list for c in cs}
            prints[notebook] = {f: record for f, record in found.items() if f in functions}
    return results, round(time.perf_counter() - started, 2), prints


def changed_submission(course: Path, submitted: Path, student: str, record: dict) -> str:
    """Why `student` may not be regraded with the checks alone ("" if they may): their submission's
    files, in `submitted` and in the course's copy, must be those of their last full autograde."""
    folders = {course_copy(course, student), Path(submitted) / student / ASSIGNMENT}
    if record.get("files") and all(files_hash(folder) == record["files"] for folder in folders):
        return ""
    command = shlex.join(["trainlab", "autograde", str(submitted), "--course", str(course), "--student", student])
    why = "the submission changed since its last autograde" if record.get("files") else \
        "the ledger holds no record of the files its last autograde graded"
    return f"{student}: {why}; run `{command}` to grade it"


def _shown(outputs) -> list[str]:
    """What a cell's outputs show: the text of each, without execution counts."""
    return [o.get("text") or o.get("data", {}).get("text/plain", "") for o in outputs]


def write_student(course: Path, student: str, cells: dict, results: list) -> bool:
    """Store one student's new check results (the coordinator's write); True if a grade or a
    cell's check lines changed."""
    from nbgrader.api import Gradebook

    by_check = {r.id: r for r in results}
    changed = False
    with Gradebook(db_url_of(course), course_id_of(course)) as gb:
        for notebook, cell_list in cells.items():
            record_results(course, student, notebook, [by_check[c.id] for _, cs in cell_list for c in cs])
            path = course / "autograded" / student / ASSIGNMENT / f"{notebook}.ipynb"
            nb = nbformat.read(path, as_version=4) if path.is_file() else None
            by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells} if nb else {}
            notebook_changed = False
            for grade_id, checks in cell_list:
                mine = [by_check[c.id] for c in checks]
                points = float(sum(r.points for r in mine if r.passed))
                grade = gb.find_grade(grade_id, notebook, ASSIGNMENT, student)
                if grade.auto_score != points:
                    grade.auto_score, changed = points, True
                if grade_id in by_id:
                    cell = by_id[grade_id]
                    outputs = trusted_outputs(text_report(mine, "trusted grader"), points, cell.get("execution_count"),
                                              float(cell.metadata.nbgrader.points))
                    if _shown(cell.outputs) != _shown(outputs):
                        cell.outputs, notebook_changed = outputs, True
            if notebook_changed:
                nbformat.write(nb, path)
                changed = True
        gb.db.commit()
    return changed


def regrade_checks(course: Path, submitted: Path, progress=None, students: list[str] | None = None,
                   workers: int | None = None, force: bool = False) -> dict[str, dict]:
    """Regrade every (or each named) already autograded student with the checks alone, `workers`
    students at once (default: one per core); feedback for those that changed (all with `force`);
    export. Each status carries "changed"."""
    course, submitted = Path(course).resolve(), Path(submitted).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"{course} is not a trainlab course folder; give the folder `trainlab course` made.")
    graded, last = gradebook.scores(course), Ledger(course).records
    cells = test_cells(course)
    status, todo = {}, []
    for student in students or student_ids(submitted):
        if student not in graded or not last.get(student, {}).get("ok", True):
            why = "not autograded yet" if student not in graded else "its last autograde failed or did not finish"
            status[student] = {"ok": False, "seconds": 0.0, "skipped": False,
                               "error": f"{why}: run trainlab autograde without --checks-only first"}
            continue
        # the course's copy is graded as it is: it holds exactly the files of the last autograde
        refused = changed_submission(course, submitted, student, last.get(student, {}))
        if refused:
            status[student] = {"ok": False, "error": refused, "seconds": 0.0, "skipped": False}
        else:
            todo.append(student)
    workers = max(1, min(workers or WORKERS, len(todo) or 1))
    # spawn: the workers start clean, without this process's threads (tqdm's) or open gradebook
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(check_student, str(course), student): student for student in todo}
        for future in (progress(as_completed(futures), total=len(futures)) if progress else as_completed(futures)):
            student = futures[future]
            try:
                results, seconds, prints = future.result()
                changed = write_student(course, student, cells, results)
                for notebook, found in prints.items():
                    record_fingerprint(course, student, notebook, found)
                status[student] = {"ok": True, "error": "", "seconds": seconds, "skipped": False, "changed": changed}
            except Exception as exc:  # one broken submission or record costs this student only
                status[student] = {"ok": False, "seconds": 0.0, "skipped": False,
                                   "error": f"checks-only regrade failed ({type(exc).__name__}: {exc})"[:300]}
    renew = [s for s in todo if status[s]["ok"] and (force or status[s]["changed"])]
    if renew:  # one nbgrader process writes the feedback of every student whose grades changed
        others = sorted(set(graded) - set(renew))
        done = nbgrader(course, "generate_feedback", ASSIGNMENT, "--force",
                            *([f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []))
        if done.returncode != 0:
            for student in renew:
                status[student].update(ok=False, error=f"feedback failed: {last_error(done)}")
    done = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader export failed: {last_error(done)}")
    return status
