"""The course folder's layout: its names, where a course keeps what, and running stock nbgrader in it."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from ..core.registry import TOPICS

# Paths (relative to the project root) that never reach students: hidden checks, the instructor
# tools, the held-out images the best model is graded on, the catalogue of buggy implementations
# (near-solutions), benchmarks and CI. The grader/ ones are hidden from the notebook kernel too.
EXCLUDED = ("grader/hidden", "grader/instructor", "grader/heldout", "grader/mistakes", "tests", "benchmarks", ".ci", ".git")
TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's record of when a submission was handed in
TRUSTED_MARK = "trusted score for"  # in nbgrader's log: proof that the trusted grader (trusted.py) ran

ASSIGNMENT = "training"

COURSE_ID = "trainlab"

STUDENT_TIMEOUT = 3600  # seconds for one student's whole autograde run

STUDENT_CONFIG_FILE = "student_nbgrader_config.py"

DEFAULT_DB = "sqlite:///gradebook.db"  # relative to the course folder



def student_files() -> list[str]:
    return [f"src/trainlab/{topic}.py" for topic in TOPICS]



def nbgrader(course: Path, *args: str, timeout: float = STUDENT_TIMEOUT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a stock nbgrader command in the course folder (`env`: extra environment variables)."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **env} if env else None)



def notebooks(root: Path) -> list[Path]:
    return sorted((root / "notebooks").glob("*.ipynb"))



DB_LINE = re.compile(r'^c\.CourseDirectory\.db_url = (.+)$', re.M)



def db_url_of(course: Path) -> str:
    """The gradebook URL of a course (its nbgrader_config.py), a relative SQLite path made absolute."""
    config = Path(course).resolve() / "nbgrader_config.py"
    found = DB_LINE.search(config.read_text()) if config.is_file() else None
    url = ast.literal_eval(found.group(1)) if found else DEFAULT_DB
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{Path(course).resolve() / url[len('sqlite:///'):]}"
    return url



def course_id_of(course: Path) -> str:
    """The course id written in a course folder's nbgrader_config.py (COURSE_ID if none)."""
    config = Path(course) / "nbgrader_config.py"
    found = re.search(r'^c\.CourseDirectory\.course_id = "([^"]+)"', config.read_text(), re.M) if config.is_file() else None
    return found.group(1) if found else COURSE_ID

EXCEPTION_LINE = re.compile(r"^\s*[\w.]+(Error|Exception|Timeout): \S")



def last_error(done: subprocess.CompletedProcess) -> str:
    """The most telling line of a failed nbgrader run: its last exception line (e.g. "NotJSONError:
    Notebook does not appear to be JSON"), else its last ERROR line, else its last line."""
    lines = (done.stderr + done.stdout).strip().splitlines() or ["no output"]
    exceptions = [line.strip() for line in lines if EXCEPTION_LINE.match(line)]
    errors = [line for line in lines if "ERROR" in line or "Error" in line]
    return (exceptions or errors or lines)[-1][:500]



def student_ids(submitted: Path) -> list[str]:
    """Students with a submission of the assignment in nbgrader's submitted/<student>/<assignment>/ layout."""
    return sorted(p.parent.name for p in Path(submitted).glob(f"*/{ASSIGNMENT}") if p.is_dir())



def write_json(path: Path, data) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
