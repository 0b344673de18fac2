"""One student's grading job in a course folder: nbgrader autograde and feedback in their own processes."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from ..sandbox.host import BLAS_THREADS
from .layout import ASSIGNMENT, STUDENT_TIMEOUT, last_error, nbgrader
from .layout import TRUSTED_MARK


def report_progress(bar, failed: int, kept: int) -> None:
    if hasattr(bar, "set_postfix"):  # a tqdm bar: failed and kept beside done and the rate
        bar.set_postfix(failed=failed, kept=kept, refresh=False)



def one_blas_thread() -> dict:
    """Environment for a grading job that shares the machine's cores with other jobs: one BLAS
    thread per kernel, unless the instructor set the thread counts."""
    return {var: "1" for var in BLAS_THREADS if var not in os.environ}



def grade_one(course: Path, student: str, extra: tuple = (), feedback: bool = True, env: dict | None = None,
               mark: str = TRUSTED_MARK) -> dict:
    """One grading job in the course folder: nbgrader autograde (and feedback) for one student, in
    their own processes. `extra` arguments go to both commands; `mark` must appear in autograde's
    log, as proof that the trusted grader (or the import of its results) ran."""
    started = time.perf_counter()
    result = {"ok": False, "error": ""}
    try:
        done = nbgrader(course, "autograde", ASSIGNMENT, "--student", student, "--force", *extra, env=env)
        if done.returncode != 0:
            result["error"] = f"autograde failed: {last_error(done)}"
        elif mark not in done.stdout + done.stderr:  # e.g. a broken nbgrader_config.py, which nbgrader skips
            result["error"] = ("autograde ran without the trusted grader; check the course's "
                               f"nbgrader_config.py ({last_error(done)})")
        elif feedback:
            done = nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", student, "--force", *extra)
            result = {"ok": done.returncode == 0,
                      "error": "" if done.returncode == 0 else f"feedback failed: {last_error(done)}"}
        else:
            result["ok"] = True
    except subprocess.TimeoutExpired:
        result["error"] = f"grading took longer than {STUDENT_TIMEOUT} s and was stopped"
    return {**result, "seconds": round(time.perf_counter() - started, 2)}
