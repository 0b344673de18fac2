"""Grading on a Dask cluster: one job per submission, plain data in and out, no shared filesystem.

`grade_submission(student, course_files, submission_files)` is a pure function of its arguments:
on whatever machine runs it, it unpacks the course's grading parts (nbgrader_config.py, the
secret, source/, kernel/) and the submission into a private temporary course with its own SQLite
gradebook, runs `nbgrader autograde` there (the sandboxed kernel, then TrustedScores), and
returns the executed notebooks and the trusted check results as bytes, with the log and timing.
It writes nothing outside its temporary folder. The worker needs the trainlab environment only.

The coordinator (`autograde_all` with a scheduler) stays the only writer of the course and the
gradebook: it stores the returned notebooks in a staging folder and runs `nbgrader autograde` for
that student once more with ImportExecuted in place of executing anything, so nbgrader's own
steps (OverwriteCells, SaveAutoGrades, ...) write the gradebook exactly as in a local run, then
generates the feedback. A local pool runs the same nbgrader commands in the course folder itself.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from .job import grade_one, one_blas_thread, report_progress
from .layout import ASSIGNMENT, last_error, nbgrader

COURSE_PARTS = ("nbgrader_config.py", ".trainlab_secret", "source", "kernel")
IMPORT_ENV = "TRAINLAB_IMPORT_EXECUTED"  # set only by the coordinator, for its import run
STAGING = ".trainlab_incoming"
IMPORT_MARK = "imported trusted notebook for"


def pack(root: Path, parts=None) -> dict[str, bytes]:
    """The regular files under root (or under its `parts`), as {relative path: bytes}."""
    root = Path(root)
    paths = [root / part for part in parts] if parts else [root]
    files = {}
    for top in paths:
        for path in ([top] if top.is_file() else sorted(top.rglob("*"))):
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                files[str(path.relative_to(root))] = path.read_bytes()
    return files


def unpack(files: dict[str, bytes], dest: Path) -> None:
    dest = Path(dest).resolve()
    for rel, data in files.items():
        target = (dest / rel).resolve()
        if dest not in target.parents:
            raise ValueError(f"refusing to write {rel!r} outside {dest}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def grade_submission(student: str, course_files: dict[str, bytes], submission_files: dict[str, bytes]) -> dict:
    """One grading job. Returns {"ok", "error", "seconds", "notebooks": {name: bytes},
    "trusted": {name: bytes}} (plain data)."""

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="trainlab-job-") as tmp:
        course = Path(tmp) / "course"
        unpack(course_files, course)
        (course / "kernel").chmod(0o755)
        unpack(submission_files, course / "submitted" / student / ASSIGNMENT)
        private_db = f"--CourseDirectory.db_url=sqlite:///{course / 'job.db'}"
        done = nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", private_db)
        if done.returncode != 0:
            result = {"ok": False, "error": f"the worker could not set up the course: {last_error(done)}"}
        else:
            result = grade_one(course, student, extra=(private_db,), feedback=False, env=one_blas_thread())
        autograded = course / "autograded" / student / ASSIGNMENT
        result["notebooks"] = {p.name: p.read_bytes() for p in sorted(autograded.glob("*.ipynb"))} if result["ok"] else {}
        result["trusted"] = pack(course / "trusted" / student) if (course / "trusted" / student).is_dir() else {}
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def import_result(course: Path, student: str, result: dict) -> dict:
    """The coordinator's half of a remote job: the returned notebooks into the gradebook (through a
    kernel-less nbgrader autograde), the trusted results into course/trusted/, then feedback."""
    from .ledger import TRUSTED_FOLDER

    if not result.get("ok"):
        return {k: result[k] for k in ("ok", "error", "seconds")}
    staging = Path(course) / STAGING / student
    shutil.rmtree(staging, ignore_errors=True)
    unpack(result["notebooks"], staging)
    trusted = Path(course) / TRUSTED_FOLDER / student
    shutil.rmtree(trusted, ignore_errors=True)
    unpack(result["trusted"], trusted)
    imported = grade_one(Path(course), student, env={IMPORT_ENV: str(Path(course).resolve() / STAGING)},
                          mark=IMPORT_MARK)
    shutil.rmtree(staging, ignore_errors=True)
    # seconds: the job on its worker; import_seconds: this process's serial share (import and feedback)
    return {"ok": imported["ok"], "error": imported["error"], "seconds": result["seconds"],
            "import_seconds": imported["seconds"]}


def _code_layout(nb) -> list:
    """The cells' types and the code cells' sources: what must match between a job's executed
    notebook and this run's (the job's markdown went through SanitizeOutputs, this run's does next)."""
    return [(c.cell_type, c.source if c.cell_type == "code" else None) for c in nb.cells]


class ImportExecuted(NbGraderPreprocessor):
    """Take every cell's outputs from the notebook a grading job executed (in the staging folder
    named by TRAINLAB_IMPORT_EXECUTED) instead of running a kernel. The cells must be the ones this
    run prepared (same order, types and code), or the import fails for this student."""

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        path = Path(os.environ[IMPORT_ENV]) / student / f"{resources['unique_key']}.ipynb"
        if not path.is_file():
            raise ValueError(f"the grading job returned no {path.name} for {student}")
        executed = nbformat.read(path, as_version=4)
        if _code_layout(executed) != _code_layout(nb):
            raise ValueError(f"the grading job's {path.name} does not match the course's cells for {student}")
        for cell, done in zip(nb.cells, executed.cells):
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = done.outputs, done.get("execution_count")
        self.log.info("%s %s/%s", IMPORT_MARK, student, resources["unique_key"])
        return nb, resources


class DaskExecutor:
    """Runs grading jobs on an existing Dask distributed cluster (`--scheduler ADDRESS`)."""

    def __init__(self, address: str, course: Path):
        from distributed import Client

        self.client = Client(address, timeout="30s")
        self.course_files = self.client.scatter(pack(course, COURSE_PARTS), broadcast=True)

    def submit(self, student: str, submission: Path):
        return self.client.submit(grade_submission, student, self.course_files, pack(submission),
                                  key=f"grade-{student}-{time.time_ns()}", pure=False, retries=0)

    def as_completed(self, futures):
        from distributed import as_completed

        return as_completed(futures)

    def close(self):
        self.client.close()


def grade_on_cluster(course: Path, scheduler: str, todo: list[str], finish, progress, kept: int) -> None:
    """Grade on a Dask cluster: each submission goes to a worker as data (grade_submission),
    its results come back as data, and this process imports them into the course and gradebook."""
    executor = DaskExecutor(scheduler, course)
    try:
        futures = {executor.submit(s, course / "submitted" / s / ASSIGNMENT): s for s in todo}
        bar = progress(executor.as_completed(futures), total=len(futures)) if progress else executor.as_completed(futures)
        failed = 0
        for future in bar:
            student = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker lost or a job that raised: this student only
                result = {"ok": False, "error": f"the grading job failed on the cluster ({type(exc).__name__}: {exc})"[:400],
                          "seconds": 0.0}
            result = import_result(course, student, result)
            finish(student, result)
            failed += not result["ok"]
            report_progress(bar, failed, kept)
    finally:
        executor.close()
