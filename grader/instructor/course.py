"""The nbgrader course: build it, autograde submissions, write feedback and export grades.

Design notes (nbgrader 0.9):
* generate_assignment copies .py files verbatim, so the course's source/ gets the library with
  solutions already stubbed by our release step; the notebooks keep their solutions and hidden
  tests for nbgrader to strip.
* autograde overwrites every non-notebook file with the source copy unless it is listed in
  Autograde.exclude_overwriting: the student modules are listed, so each student is graded on their
  own code, while the given modules (layers, model, solver, ...) are restored to the instructor's.
* any stderr output zeroes a test cell: the checks print to stdout only.
* autograde handles submissions one after another; we run one `nbgrader autograde --student S`
  process per student, two at a time, so that a submission that crashes or hangs the kernel costs
  only its own grade, never the run, and the cores are used.
"""
from __future__ import annotations

import ast
import os
import re
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat

from ..notebook import cell_checks, cell_points
from ..registry import TOPICS
from ..errors import SubmissionError
from ..sandbox import BLAS_THREADS, copy_submission_tree
from .answers import GUIDE_FILE, write_marking_guide
from .ledger import Ledger, grading_version, submission_key
from .release import EXCLUDED
from .strip import has_solution, strip_solutions
from .trusted import TRUSTED_MARK, make_secret

ASSIGNMENT = "training"
COURSE_ID = "trainlab"
CELL_TIMEOUT = 600  # seconds per notebook cell under autograde (the "best model" cell trains)
STUDENT_TIMEOUT = 3600  # seconds for one student's whole autograde run
WORKERS = max(1, os.cpu_count() or 1)  # students graded at once: one per core
SUBMISSION_BYTES = 256 << 20  # a submission larger than this is refused
# What a submission may hold: notebooks, code, saved arrays, pictures and plain text. A page, an SVG
# or a script would be served by the formgrader (from the autograded folder, with the instructor's
# session) if a written answer linked to it, so any other file is left out.
SUBMISSION_SUFFIXES = (".ipynb", ".py", ".npz", ".npy", ".png", ".jpg", ".jpeg", ".gif", ".txt", ".md", ".csv",
                       ".json")

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
# Trusted grading (grader/instructor/kernel.py, grader/instructor/trusted.py): the kernel runs in the
# sandbox and sees only the public grader in kernel/; after it finishes, TrustedScores replaces every
# autograded test cell's output with the result the grader computed itself. Keep this order.
c.Execute.kernel_manager_class = "grader.instructor.kernel.SandboxedKernelManager"
c.SandboxedKernelManager.public_root = "kernel"
from grader.instructor.trusted import autograde_steps  # noqa: E402
c.Autograde.autograde_preprocessors = autograde_steps()
# Feedback pages show the hidden checks' results, not their source, and no script of a submission.
from grader.instructor.sanitize import feedback_steps  # noqa: E402
c.GenerateFeedback.preprocessors = feedback_steps()
# --- end trusted grading ---
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''


TRUSTED_BLOCK = ("# --- trusted grading ---", "# --- end trusted grading ---")  # benchmarks strip it

STUDENT_CONFIG_FILE = "student_nbgrader_config.py"
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
DEFAULT_DB = "sqlite:///gradebook.db"  # relative to the course folder
EXCHANGE_MODE = 0o777  # every user writes into the exchange (nbgrader's release_assignment sets the same)


def student_files() -> list[str]:
    return [f"src/trainlab/{topic}.py" for topic in TOPICS]


def nbgrader(course: Path, *args: str, timeout: float = STUDENT_TIMEOUT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a stock nbgrader command in the course folder (`env`: extra environment variables)."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **env} if env else None)


def grade_calls(source: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """The distinct (topic, functions, hidden) of the `grade(...)` calls in a test cell's source."""
    found = []
    for node in ast.walk(ast.parse(source.replace("%", "#"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "grade" and len(node.args) >= 2:
            topic, functions = ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1])
            hidden = any(k.arg == "hidden" and ast.literal_eval(k.value) for k in node.keywords)
            key = (topic, tuple([functions] if isinstance(functions, str) else functions), hidden)
            if key not in found:
                found.append(key)
    return found


def checks_of_cell(source: str) -> list:
    """The trusted checks that score one test cell: those of every grade(...) call in its source."""
    return [check for topic, functions, hidden in grade_calls(source) for check in cell_checks(topic, functions, hidden)]


def sync_points(nb) -> int:
    """Set each check-calling test cell's points to the points of its checks; return cells changed."""
    changed = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        calls = grade_calls(cell.source)
        if calls:
            points = float(sum(cell_points(topic, functions, hidden) for topic, functions, hidden in calls))
            if meta.get("points") != points:
                meta["points"] = points
                changed += 1
    return changed


def notebooks(root: Path) -> list[Path]:
    return sorted((root / "notebooks").glob("*.ipynb"))


def copy_stubbed_src(root: Path, dest: Path) -> None:
    """Copy src/trainlab to dest/src/trainlab with every solution region stubbed."""
    target = dest / "src" / "trainlab"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((root / "src" / "trainlab").glob("*.py")):
        text = path.read_text()
        (target / path.name).write_text(strip_solutions(text, path.name) if has_solution(text) else text)


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
            raise RuntimeError(f"nbgrader generate_assignment failed: {_last_error(done)}")
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


DB_LINE = re.compile(r'^c\.CourseDirectory\.db_url = (.+)$', re.M)


def db_url_of(course: Path) -> str:
    """The gradebook URL of a course (its nbgrader_config.py), a relative SQLite path made absolute."""
    config = Path(course).resolve() / "nbgrader_config.py"
    found = DB_LINE.search(config.read_text()) if config.is_file() else None
    url = ast.literal_eval(found.group(1)) if found else DEFAULT_DB
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{Path(course).resolve() / url[len('sqlite:///'):]}"
    return url


def use_gradebook(course: Path, db_url: str) -> None:
    """Point the course at another gradebook (written into nbgrader_config.py, so that stock
    nbgrader, the formgrader and trainlab all use it) and fill it with the assignment."""
    config = Path(course) / "nbgrader_config.py"
    text = config.read_text()
    if not DB_LINE.search(text):
        raise ValueError(f"{config} sets no CourseDirectory.db_url; rebuild the course with `trainlab course`.")
    config.write_text(DB_LINE.sub(lambda _: f"c.CourseDirectory.db_url = {db_url!r}", text, count=1))
    done = nbgrader(Path(course), "generate_assignment", ASSIGNMENT, "--force")
    if done.returncode != 0:
        raise RuntimeError(f"the gradebook {db_url} cannot be used: {_last_error(done)}")


def course_id_of(course: Path) -> str:
    """The course id written in a course folder's nbgrader_config.py (COURSE_ID if none)."""
    config = Path(course) / "nbgrader_config.py"
    found = re.search(r'^c\.CourseDirectory\.course_id = "([^"]+)"', config.read_text(), re.M) if config.is_file() else None
    return found.group(1) if found else COURSE_ID


EXCEPTION_LINE = re.compile(r"^\s*[\w.]+(Error|Exception|Timeout): \S")


def _last_error(done: subprocess.CompletedProcess) -> str:
    """The most telling line of a failed nbgrader run: its last exception line (e.g. "NotJSONError:
    Notebook does not appear to be JSON"), else its last ERROR line, else its last line."""
    lines = (done.stderr + done.stdout).strip().splitlines() or ["no output"]
    exceptions = [line.strip() for line in lines if EXCEPTION_LINE.match(line)]
    errors = [line for line in lines if "ERROR" in line or "Error" in line]
    return (exceptions or errors or lines)[-1][:500]


def student_ids(submitted: Path) -> list[str]:
    """Students with a submission of the assignment in nbgrader's submitted/<student>/<assignment>/ layout."""
    return sorted(p.parent.name for p in Path(submitted).glob(f"*/{ASSIGNMENT}") if p.is_dir())


def autograde_all(course: Path, submitted: Path, progress=None, workers: int | None = None,
                  students: list[str] | None = None, force: bool = False, scheduler: str | None = None) -> dict[str, dict]:
    """Autograde the submissions (each in its own nbgrader process), then feedback and export.

    Resumable: a student whose submission, grading code and course are unchanged since their last
    recorded grading (ledger.py) is skipped, unless `force`; `students` limits the run to those ids
    and grades them again. `workers` students at once (default WORKERS, one per core), or every job
    on the Dask cluster at `scheduler` (jobs.py).
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
    ledger.start(todo, depth="full")  # a kill from here on leaves them to the next run, even after --force

    def finish(student: str, result: dict) -> None:  # the coordinator's only write per student
        status[student].update(result)
        ledger.record(student, key=keys[student], depth="full", **result)

    if scheduler:
        _grade_on_cluster(course, scheduler, todo, finish, progress, len(keys) - len(todo))
    else:
        _grade_in_pool(course, workers or WORKERS, todo, finish, progress, len(keys) - len(todo))
    done = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader export failed: {_last_error(done)}")
    return status


def _report_progress(bar, failed: int, kept: int) -> None:
    if hasattr(bar, "set_postfix"):  # a tqdm bar: failed and kept beside done and the rate
        bar.set_postfix(failed=failed, kept=kept, refresh=False)


def one_blas_thread() -> dict:
    """Environment for a grading job that shares the machine's cores with other jobs: one BLAS
    thread per kernel, unless the instructor set the thread counts."""
    return {var: "1" for var in BLAS_THREADS if var not in os.environ}


def _grade_in_pool(course: Path, workers: int, todo: list[str], finish, progress, kept: int) -> None:
    """Grade in this machine's processes: one nbgrader run per student, `workers` at a time, in the
    course folder. The gradebook's short writes are serialised by SQLite; a lock clash is retried."""
    retry, failed = [], 0
    env = one_blas_thread() if workers > 1 else None
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(_grade_one, course, student, env=env): student for student in todo}
        bar = progress(as_completed(futures), total=len(futures)) if progress else as_completed(futures)
        for future in bar:
            student, result = futures[future], future.result()
            if "database is locked" in result["error"]:
                retry.append(student)
            else:
                finish(student, result)
            failed += not result["ok"]
            _report_progress(bar, failed, kept)
    for student in retry:
        finish(student, _grade_one(course, student, env=env))


def _grade_on_cluster(course: Path, scheduler: str, todo: list[str], finish, progress, kept: int) -> None:
    """Grade on a Dask cluster: each submission goes to a worker as data (jobs.grade_submission),
    its results come back as data, and this process imports them into the course and gradebook."""
    from .jobs import DaskExecutor, import_result

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
            _report_progress(bar, failed, kept)
    finally:
        executor.close()


def take_in(submitted: Path, course: Path, student: str) -> tuple[str, list[str]]:
    """Copy one submission into the course's submitted/ folder as data.

    Returns (why it was refused or "", the paths left out). Symbolic links, device files, sockets,
    pipes and files of other kinds than SUBMISSION_SUFFIXES are left out (a link to someone else's
    file grades as a missing file); a tree over SUBMISSION_BYTES is refused whole. A submission
    already inside the course is rewritten the same way, so stock nbgrader never meets a link either.
    """
    inbox = course / "submitted" / student / ASSIGNMENT
    source = submitted / student / ASSIGNMENT
    with tempfile.TemporaryDirectory(dir=course) as scratch:
        try:
            skipped = copy_submission_tree(source, Path(scratch) / "copy", max_bytes=SUBMISSION_BYTES,
                                           suffixes=SUBMISSION_SUFFIXES)
        except SubmissionError as exc:
            return f"submission refused: {exc}", []
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(scratch) / "copy"), inbox)
    return "", skipped


def _grade_one(course: Path, student: str, extra: tuple = (), feedback: bool = True, env: dict | None = None,
               mark: str = TRUSTED_MARK) -> dict:
    """One grading job in the course folder: nbgrader autograde (and feedback) for one student, in
    their own processes. `extra` arguments go to both commands; `mark` must appear in autograde's
    log, as proof that the trusted grader (or the import of its results) ran."""
    started = time.perf_counter()
    result = {"ok": False, "error": ""}
    try:
        done = nbgrader(course, "autograde", ASSIGNMENT, "--student", student, "--force", *extra, env=env)
        if done.returncode != 0:
            result["error"] = f"autograde failed: {_last_error(done)}"
        elif mark not in done.stdout + done.stderr:  # e.g. a broken nbgrader_config.py, which nbgrader skips
            result["error"] = ("autograde ran without the trusted grader; check the course's "
                               f"nbgrader_config.py ({_last_error(done)})")
        elif feedback:
            done = nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", student, "--force", *extra)
            result = {"ok": done.returncode == 0,
                      "error": "" if done.returncode == 0 else f"feedback failed: {_last_error(done)}"}
        else:
            result["ok"] = True
    except subprocess.TimeoutExpired:
        result["error"] = f"grading took longer than {STUDENT_TIMEOUT} s and was stopped"
    return {**result, "seconds": round(time.perf_counter() - started, 2)}


def scores(course: Path) -> dict[str, dict]:
    """Per student: autograded score and maximum (code test cells), written score and maximum
    (answers graded by hand), how many written answers still need a hand grade, total and maximum."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url_of(course), course_id_of(course)) as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:  # no submission for this student
                continue
            to_grade = sum(1 for nb in sub.notebooks for grade in nb.grades
                           if grade.cell.cell_type == "markdown" and grade.needs_manual_grade)
            out[student.id] = {"autograded_score": float(sub.code_score), "autograded_max": float(sub.max_code_score),
                               "written_score": float(sub.written_score), "written_max": float(sub.max_written_score),
                               "written_to_grade": to_grade,
                               "score": float(sub.score), "max_score": float(sub.max_score)}
    return out


def write_json(path: Path, data) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
