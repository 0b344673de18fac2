"""What has been graded already: one record per student, so that a run can stop at any moment and
start again without losing or doubling work.

A record holds the key of what was graded (a hash of the submission's files, of the grading code
and of the course's notebooks and configuration, and of the grading depth), the hash of the
submission's files alone ("files", which `--checks-only` compares so that it regrades exactly what
was autograded), whether it succeeded, why not, and how long it took. The coordinator
(`autograde_all`) is the only writer: it writes a student's record after nbgrader has stored that
student's grades and feedback, by replacing the whole file atomically, so a run killed at any
point (SIGKILL included) leaves either the old record or the new one. A student whose record is missing or whose key differs is graded again; nbgrader's
`autograde --force` replaces whatever a killed run left of that student in the gradebook.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from contextlib import contextmanager
import tempfile
from pathlib import Path

from .layout import ASSIGNMENT, TIMESTAMP_FILE


LEDGER_FILE = ".trainlab_ledger.json"
TRUSTED_FOLDER = "trusted"  # course/trusted/<student>/<notebook>.json: every check's result, for the report
GRADER_ROOT = Path(__file__).resolve().parent.parent


def _hash_files(digest, root: Path, paths) -> None:
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def grading_version(course: Path) -> str:
    """A hash of everything that decides a grade besides the submission: the grader's code (checks,
    hidden checks, fixtures, sandbox), the course's source notebooks and its nbgrader_config.py."""
    digest = hashlib.sha256()
    _hash_files(digest, GRADER_ROOT, [p for p in GRADER_ROOT.rglob("*") if p.is_file()
                                      and p.suffix in (".py", ".npz", ".json") and "__pycache__" not in p.parts])
    course = Path(course)
    _hash_files(digest, course, [p for p in (course / "source").rglob("*") if p.is_file()
                                 and "__pycache__" not in p.parts] + [course / "nbgrader_config.py"])
    return digest.hexdigest()


def submission_key(folder: Path, version: str, depth: str) -> str:
    """The key of one grading job: the submission's files (names and contents), the grading
    version and the depth ('full' or 'checks')."""
    folder = Path(folder)
    digest = hashlib.sha256(f"{version}\0{depth}\0".encode())
    _hash_files(digest, folder, graded_files(folder))
    return digest.hexdigest()


def graded_files(folder: Path) -> list[Path]:
    """A submission's files that grading reads: regular files, links left out, and not the
    timestamp.txt nbgrader or the intake writes (when it was handed in changes no grade)."""
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and p != folder / TIMESTAMP_FILE]


def files_hash(folder: Path) -> str:
    """A hash of a submission's files alone (names and contents), links left out as in
    submission_key; "" when the folder does not exist."""
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return ""
    digest = hashlib.sha256()
    _hash_files(digest, folder, graded_files(folder))
    return digest.hexdigest()


def course_copy(course: Path, student: str) -> Path:
    """The course's copy of a student's submission (what nbgrader grades)."""
    return Path(course) / "submitted" / student / ASSIGNMENT


UNFINISHED = "grading started and did not finish (the run was stopped): run trainlab autograde again"


class Ledger:
    """The course's record of finished grading jobs (course/.trainlab_ledger.json)."""

    def __init__(self, course: Path):
        self.path = Path(course) / LEDGER_FILE
        try:
            self.records = json.loads(self.path.read_text()) if self.path.is_file() else {}
        except json.JSONDecodeError:  # never written half (atomic replace), but a hand edit could break it
            self.records = {}

    def done(self, student: str, key: str) -> bool:
        record = self.records.get(student, {})
        return record.get("key") == key and record.get("ok", False)

    def record(self, student: str, **entry) -> None:
        """Store a student's record; one with a key also gets the hash of the files that key graded
        (the course's copy, which stays as it was graded until the next take-in)."""
        if entry.get("key"):
            entry.setdefault("files", files_hash(course_copy(self.path.parent, student)))
        self.records[student] = entry
        self._write()

    def start(self, students: list[str], depth: str) -> None:
        """Mark the students whose grading begins, in one write. Their old records stop counting,
        since nbgrader is about to rewrite their grades: a run killed before a student's new record
        is written leaves that student to be graded again."""
        for student in students:
            self.records[student] = {"key": "", "ok": False, "error": UNFINISHED, "seconds": 0.0, "depth": depth}
        self._write()

    def _write(self) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".ledger-")
        with os.fdopen(fd, "w") as handle:
            json.dump(self.records, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


RUN_FILE = ".trainlab_run.json"  # in the course folder while a grading run is under way


@contextmanager
def grading_run(course: Path):
    """Mark the course as being graded (process id, host, start time) until the block ends, so the
    class report tells a run in progress from one that was stopped."""
    path = Path(course) / RUN_FILE
    path.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}))
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def run_in_progress(course: Path) -> dict | None:
    """The marker of a grading run that is still going ({"pid", "host", "started"}), or None when no
    run is under way (a run on this host whose process is gone was stopped)."""
    path = Path(course) / RUN_FILE
    try:
        run = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(run, dict) or not isinstance(run.get("pid"), int):
        return None
    if run.get("host") == socket.gethostname():
        try:
            os.kill(run["pid"], 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
    return run
