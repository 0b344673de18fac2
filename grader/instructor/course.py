"""Build the nbgrader course folder: configuration, source notebooks and stubbed library, kernel tree.

Design notes (nbgrader 0.9):
* generate_assignment copies .py files verbatim, so the course's source/ gets the library with
  solutions already stubbed by our release step; the notebooks keep their solutions and hidden
  tests for nbgrader to strip.
* autograde overwrites every non-notebook file with the source copy unless it is listed in
  Autograde.exclude_overwriting: the student modules are listed, so each student is graded on their
  own code, while the given modules (layers, model, solver, ...) are restored to the instructor's.
* any stderr output zeroes a test cell: the checks print to stdout only.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from .answers import GUIDE_FILE, write_marking_guide
from .cells import sync_points
from .layout import (ASSIGNMENT, COURSE_ID, DEFAULT_DB, STUDENT_CONFIG_FILE, last_error, nbgrader, notebooks,
                     student_files)
from .layout import EXCLUDED
from .strip import has_solution, strip_solutions
from .trusted import make_secret

CELL_TIMEOUT = 600  # seconds per notebook cell under autograde (the "best model" cell trains)



CONFIG = '''\
"""nbgrader configuration of the trainlab course (written by `trainlab course`)."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course_id}"
c.CourseDirectory.db_url = {db_url!r}
# The exchange: release_assignment and release_feedback write into it, students' fetch and submit
# read and write it, collect reads it. Students point their own nbgrader at the same folder and
# course id: see student_nbgrader_config.py next to this file.
c.Exchange.root = {exchange!r}
# "grader*" and "trainlab_datasets": a submission must not bring its own copy of the grading code,
# which would shadow the instructor's (the kernel imports from the notebook's folder first).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.egg-info",
                            "grader", "grader.py", "trainlab_datasets", "sitecustomize.py", "usercustomize.py"]
# Students edit these modules; autograde must grade their copy, not restore the stub.
c.Autograde.exclude_overwriting = {{"{assignment}": {student_files!r}}}
c.Execute.timeout = {timeout}
# --- trusted grading ---
# Trusted grading (grader/sandbox/kernel.py, grader/instructor/trusted.py): the kernel runs in the
# sandbox and sees only the public grader in kernel/; after it finishes, TrustedScores replaces every
# autograded test cell's output with the result the grader computed itself. Keep this order.
c.Execute.kernel_manager_class = "grader.sandbox.kernel.SandboxedKernelManager"
c.SandboxedKernelManager.public_root = "kernel"
from grader.instructor.trusted import autograde_steps  # noqa: E402
c.Autograde.autograde_preprocessors = autograde_steps()
# Feedback pages show the hidden checks' results, not their source, and no script of a submission.
from grader.instructor.sanitize import feedback_steps, feedback_template  # noqa: E402
c.GenerateFeedback.preprocessors = feedback_steps()
feedback_template(c)  # written answers nobody graded yet say so, instead of 0 points
# --- end trusted grading ---
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''

TRUSTED_BLOCK = ("# --- trusted grading ---", "# --- end trusted grading ---")  # benchmarks strip it

STUDENT_CONFIG = '''\
"""nbgrader configuration for the students of the {course_id} course (written by `trainlab course`).

Copy it to ~/.jupyter/nbgrader_config.py on the machine where you work; then
`nbgrader fetch_assignment {assignment}`, `nbgrader submit {assignment}` and JupyterLab's
Assignment List use the course's exchange.
"""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course_id}"
c.Exchange.root = {exchange!r}
'''

EXCHANGE_MODE = 0o777  # every user writes into the exchange (nbgrader's release_assignment sets the same)



def copy_stubbed_src(root: Path, dest: Path) -> None:
    """Copy src/trainlab to dest/src/trainlab with every solution region stubbed."""
    target = dest / "src" / "trainlab"
    target.mkdir(parents=True, exist_ok=True)
    package = root / "src" / "trainlab"
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        text, dest_path = path.read_text(), target / path.relative_to(package)
        dest_path.parent.mkdir(parents=True, exist_ok=True)
        dest_path.write_text(strip_solutions(text, path.name) if has_solution(text) else text)



PUBLIC_PARTS = (("grader", "grader"), ("datasets/trainlab_datasets", "trainlab_datasets"))



# grader parts the kernel must never see: those the student release leaves out
PRIVATE = tuple(path.split("/", 1)[1] for path in EXCLUDED if path.startswith("grader/"))



def public_tree(root: Path, dest: Path) -> None:
    """The code a sandboxed notebook kernel may import: the public grader and the data loaders."""
    for source, name in PUBLIC_PARTS:
        shutil.copytree(root / source, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", *PRIVATE))
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)



def build_course(root: Path, out: Path, generate: bool = True, only: list[str] | None = None,
                 exchange: Path | None = None, course_id: str = COURSE_ID, db_url: str = DEFAULT_DB) -> Path:
    """Write an nbgrader course folder for the trainlab assignment; optionally generate the release.

    `only` keeps the notebooks whose file names start with one of its entries (e.g. ["01_"]).
    `exchange` is the folder nbgrader's exchange lives in (default: out/exchange), created with
    the permissions every user needs; `course_id` names the course in the exchange; `db_url` is
    the gradebook, any SQLAlchemy URL nbgrader accepts (default: SQLite in the course folder).
    """
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose a new folder for the course.")
    if not course_id or not all(ch.isalnum() or ch in "-_." for ch in course_id):
        raise ValueError(f"course id {course_id!r} must be letters, digits, '-', '_' or '.'.")
    exchange = make_exchange(Path(exchange) if exchange else out / "exchange")
    source = out / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (out / "nbgrader_config.py").write_text(CONFIG.format(
        course_id=course_id, assignment=ASSIGNMENT, student_files=student_files(), timeout=CELL_TIMEOUT,
        exchange=str(exchange), db_url=db_url))
    (out / STUDENT_CONFIG_FILE).write_text(STUDENT_CONFIG.format(
        course_id=course_id, assignment=ASSIGNMENT, exchange=str(exchange)))
    for path in notebooks(root):
        if only and not any(path.name.startswith(prefix) for prefix in only):
            continue
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # malformed JSON or schema: name the file, not a traceback
            raise ValueError(f"{path} is not a readable notebook ({type(exc).__name__}); restore it from git.") from None
        sync_points(nb)
        nbformat.write(nb, source / path.name)
    copy_stubbed_src(root, source)
    write_marking_guide(sorted(source.glob("*.ipynb")), out / GUIDE_FILE)
    public_tree(root, out / "kernel")
    make_secret(out)
    if generate:
        done = nbgrader(out, "generate_assignment", ASSIGNMENT, "--force")
        if done.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment failed: {last_error(done)}")
    return out



def make_exchange(folder: Path) -> Path:
    """Create nbgrader's exchange folder (or check an existing one): absolute, writable by everyone."""
    folder = Path(folder).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"the exchange {folder} is a file; give a folder with --exchange.")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if folder.stat().st_mode & 0o777 != EXCHANGE_MODE:
            folder.chmod(EXCHANGE_MODE)
    except PermissionError:
        raise PermissionError(f"cannot make the exchange {folder} writable by every user; "
                              f"run `chmod 777 {folder}` as its owner.") from None
    return folder
