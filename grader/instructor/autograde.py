"""Autograde a class: resumable, one nbgrader process per student, in a local pool or on a Dask cluster.

nbgrader's autograde handles submissions one after another; trainlab runs one `nbgrader autograde
--student S` process per student, as many at once as there are cores, so that a submission that
crashes or hangs the kernel costs only its own grade, never the run.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from .cluster import grade_on_cluster
from .gradebook import name_students, scores
from .intake import take_in
from .job import grade_one, one_blas_thread, report_progress
from .layout import ASSIGNMENT, last_error, nbgrader, student_ids
from .ledger import Ledger, grading_run, grading_version, submission_key

WORKERS = max(1, os.cpu_count() or 1)  # students graded at once: one per core



def autograde_all(course: Path, submitted: Path, progress=None, workers: int | None = None,
                  students: list[str] | None = None, force: bool = False, scheduler: str | None = None) -> dict[str, dict]:
    """Autograde the submissions (each in its own nbgrader process), then feedback and export.

    Resumable: a student whose submission, grading code and course are unchanged since their last
    recorded grading (ledger.py) is skipped, unless `force`; `students` limits the run to those ids
    and grades them again. `workers` students at once (default WORKERS, one per core), or every job
    on the Dask cluster at `scheduler` (cluster.py).
    Returns {student: {"ok": bool, "error": str, "seconds": float, "skipped": bool}}. A failing
    student never stops the run.
    """
    course = Path(course).resolve()
    submitted = Path(submitted).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"{course} is not a trainlab course folder; build one with `trainlab course --out DIR`.")
    found = student_ids(submitted)
    if not found:
        raise FileNotFoundError(f"no submissions in {submitted}: expected {submitted}/<student>/{ASSIGNMENT}/.")
    unknown = sorted(set(students or []) - set(found))
    if unknown:
        raise FileNotFoundError(f"no submission of {unknown[0]} in {submitted}: expected {submitted}/{unknown[0]}/{ASSIGNMENT}/.")
    ledger, version = Ledger(course), grading_version(course)
    in_gradebook = set(scores(course))
    status, keys = {}, {}
    for student in students or found:
        refused, left_out = take_in(submitted, course, student)
        if refused:
            status[student] = {"ok": False, "error": refused, "seconds": 0.0, "skipped": False}
            ledger.record(student, key="", ok=False, error=refused, seconds=0.0, depth="full")
            continue
        keys[student] = submission_key(course / "submitted" / student / ASSIGNMENT, version, "full")
        if not (force or students) and student in in_gradebook and ledger.done(student, keys[student]):
            status[student] = {**ledger.records[student], "skipped": True}
        else:
            status[student] = {"ok": False, "error": "not graded", "seconds": 0.0, "skipped": False}
        if left_out:
            status[student]["left_out"] = left_out
    todo = [s for s in keys if not status[s]["skipped"]]
    name_students(course, todo)
    ledger.start(todo, depth="full")  # a kill from here on leaves them to the next run, even after --force

    def finish(student: str, result: dict) -> None:  # the coordinator's only write per student
        status[student].update(result)
        ledger.record(student, key=keys[student], depth="full", **result)

    with grading_run(course):
        if scheduler:
            grade_on_cluster(course, scheduler, todo, finish, progress, len(keys) - len(todo))
        else:
            grade_in_pool(course, workers or WORKERS, todo, finish, progress, len(keys) - len(todo))
    done = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader export failed: {last_error(done)}")
    return status



def grade_in_pool(course: Path, workers: int, todo: list[str], finish, progress, kept: int) -> None:
    """Grade in this machine's processes: one nbgrader run per student, `workers` at a time, in the
    course folder. The gradebook's short writes are serialised by SQLite; a lock clash is retried.
    The progress bar counts notebooks: nbgrader writes each autograded notebook as it finishes."""
    retry, failed, finished = [], 0, set()
    env = one_blas_thread() if workers > 1 else None
    per_student = len(list((course / "source" / ASSIGNMENT).glob("*.ipynb"))) or 1
    since = time.time() - 1
    bar = progress(None, total=len(todo) * per_student, unit="notebook") if progress else None
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(grade_one, course, student, env=env): student for student in todo}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=2, return_when=FIRST_COMPLETED)
            for future in done:
                student, result = futures[future], future.result()
                if "database is locked" in result["error"]:
                    retry.append(student)
                else:
                    finish(student, result)
                failed += not result["ok"]
                finished.add(student)
            if bar is not None:
                count = sum(per_student if s in finished else graded_notebooks(course, s, since) for s in todo)
                bar.update(min(count, bar.total) - bar.n)
                report_progress(bar, failed, kept)
    if bar is not None:
        bar.close()
    for student in retry:
        finish(student, grade_one(course, student, env=env))


def graded_notebooks(course: Path, student: str, since: float) -> int:
    """How many of `student`'s notebooks nbgrader has autograded since `since` (its files, not links)."""
    folder = course / "autograded" / student / ASSIGNMENT
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    return sum(e.name.endswith(".ipynb") and e.is_file(follow_symlinks=False)
               and e.stat(follow_symlinks=False).st_mtime >= since for e in entries)
