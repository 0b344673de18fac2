"""`trainlab demo`: the whole instructor pipeline on the embedded default, end to end.

1. build the nbgrader course and the student release;
2. make synthetic submissions: `reference` (the reference solutions and the model answers of the
   written questions), `blank` (the untouched release) and three students whose code carries
   realistic bugs (BUGS below) and who write short answers of their own (demo_answers.json), so
   that the formgrader has written work to grade by hand;
3. autograde them through stock nbgrader, write feedback, export grades.csv;
4. check every student's own code directly with the grader (same per-student seed as the hidden
   tests under autograde) and write summary.json: per student the autograded score and maximum,
   the checks that failed and the points they carry.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import nbformat

from ..core.engine import FAILED, NOT_IMPLEMENTED, run_checks
from ..notebook import seed_for_student
from ..core.runner import Runner, project_root
from . import gradebook
from .autograde import autograde_all
from .course import build_course
from .layout import ASSIGNMENT, write_json
from .answers import model_answer
from .release import build_release

# notebook -> grade_id -> student -> that student's answer to the written question
DEMO_ANSWERS = Path(__file__).with_name("demo_answers.json")

# student -> [(module file, reference text, buggy text)]; each reference text must occur once.
# The bugs sit in functions the notebooks' "train your best model" cell does not use, so each
# student loses exactly the points of the checks that the bugs break.
BUGS = {
    "alice": [  # PReLU slope gradient taken on the wrong side; PCA eigenvalues left ascending
        ("activations.py", "dalpha = np.sum(dout * x * negative, axis=0)", "dalpha = np.sum(dout * x * ~negative, axis=0)"),
        ("preprocessing.py", "order = np.argsort(eigenvalues)[::-1]", "order = np.argsort(eigenvalues)"),
    ],
    "bob": [  # whitening divides by the eigenvalues instead of their square roots; ELU backward drops alpha
        ("preprocessing.py", 'scale = 1.0 / np.sqrt(stats["eigenvalues"] + eps)', 'scale = 1.0 / (stats["eigenvalues"] + eps)'),
        ("activations.py", "dx = np.where(x > 0, dout, dout * (out + alpha))", "dx = np.where(x > 0, dout, dout * out)"),
    ],
    "carol": [  # sigmoid local gradient s instead of s(1 - s); standardizes with the data's own mean
        ("activations.py", "    dx = dout * s * (1 - s)\n", "    dx = dout * s\n"),
        ("preprocessing.py", 'out = (X - stats["mean"]) / stats["std"]', 'out = (X - X.mean(axis=0)) / stats["std"]'),
    ],
}


def _release_notebooks(course: Path) -> list[Path]:
    return sorted((course / "release" / ASSIGNMENT).glob("*.ipynb"))


def _answered(release_nb: Path, source_nb: Path, student: str, answers: dict):
    """The release notebook with the solution cells filled in: code as in the source (the
    reference); written answers as the model answer for `reference`, else the student's own
    answer from `answers` (left unanswered where there is none)."""
    nb = nbformat.read(release_nb, as_version=4)
    sources = {c.metadata["nbgrader"]["grade_id"]: c.source
               for c in nbformat.read(source_nb, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    mine = answers.get(release_nb.name, {})
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution") or meta.get("grade_id") not in sources:
            continue
        if cell.cell_type == "code":
            cell.source = sources[meta["grade_id"]]
        elif student == "reference":
            cell.source = model_answer(sources[meta["grade_id"]]) or cell.source
        elif student in mine.get(meta["grade_id"], {}):
            cell.source = mine[meta["grade_id"]][student]
    return nb


def make_submissions(root: Path, course: Path, submitted: Path) -> list[str]:
    """Write submitted/<student>/<assignment>/ for reference, blank and the buggy students."""
    source = course / "source" / ASSIGNMENT
    release = course / "release" / ASSIGNMENT
    students = ["reference", "blank", *BUGS]
    answers = json.loads(DEMO_ANSWERS.read_text()) if DEMO_ANSWERS.is_file() else {}
    for student in students:
        dest = submitted / student / ASSIGNMENT
        if student == "blank":
            shutil.copytree(release, dest)
            continue
        dest.mkdir(parents=True)
        for path in _release_notebooks(course):
            nbformat.write(_answered(path, source / path.name, student, answers), dest / path.name)
        shutil.copytree(root / "src" / "trainlab", dest / "src" / "trainlab",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for filename, good, bad in BUGS.get(student, []):
            path = dest / "src" / "trainlab" / filename
            text = path.read_text()
            if text.count(good) != 1:
                raise RuntimeError(f"demo bug for {student} does not apply: {good!r} must occur once in {filename}.")
            path.write_text(text.replace(good, bad))
    return students


def direct_check(src: Path, student: str, reference: Runner) -> dict:
    """The grader's own verdict on a student's src (public and hidden checks, the student's seed)."""
    results = run_checks(src, hidden=True, seed=seed_for_student(student), reference=reference)
    lost = [r for r in results if r.status in (FAILED, NOT_IMPLEMENTED)]
    return {"checks": len(results), "checks_failed": sorted(r.id for r in lost),
            "check_points_lost": float(sum(r.points for r in lost))}


def run_demo(out: Path, progress=None, log=print) -> dict:
    root = project_root()
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose a new folder for the demo.")
    started = time.perf_counter()
    course = out / "course"
    log(f"building the nbgrader course in {course}")
    build_course(root, course)
    log(f"building the student release in {out / 'release'}")
    build_release(root, out / "release")
    submitted = out / "submitted"
    students = make_submissions(root, course, submitted)
    log(f"autograding {len(students)} submissions through nbgrader: {', '.join(students)}")
    status = autograde_all(course, submitted, progress=progress)
    graded = gradebook.scores(course)
    reference = Runner(root / "src")
    summary = {"assignment": ASSIGNMENT, "students": {}}
    for student in students:
        entry = {**graded.get(student, {}), **status[student]}
        entry.update(direct_check(submitted / student / ASSIGNMENT / "src", student, reference))
        summary["students"][student] = entry
    from ..mistakes.page import write_page

    summary["mistakes_page"] = str(write_page(course)[0])  # the class's mistakes, grouped (grader/mistakes)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    write_json(out / "summary.json", summary)
    return summary
