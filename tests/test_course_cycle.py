"""The whole course cycle with stock nbgrader commands, for two students with their own home
folders and one exchange: release, fetch, validate, submit, collect, autograde, grading by hand
(through nbgrader's gradebook API, as the formgrader does), feedback, fetch_feedback, export.

The course holds notebook 03 only, to keep the test to about a minute; every step is the one an
instructor and a student run on the full assignment.
"""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.instructor import gradebook
from grader.instructor.course import build_course
from grader.instructor.layout import ASSIGNMENT, COURSE_ID, STUDENT_CONFIG_FILE, course_id_of
from grader.instructor.layout import TRUSTED_MARK

NOTEBOOK = "03_initialization.ipynb"
STUDENTS = ("alice", "bob")
COMMENT = "Right: identical rows get identical gradients, so symmetry is never broken."


def run(cwd: Path, *args: str, home: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    if home is not None:  # a student: their own home, so their own ~/.jupyter config and nbgrader cache
        env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, (done.args, (done.stdout + done.stderr)[-3000:])
    return done.stdout + done.stderr


def answer_written_questions(path: Path, text: str, only: str | None = None) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution") and (only is None or meta["grade_id"] == only):
            cell.source = text
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def cycle(root, tmp_path_factory):
    work = tmp_path_factory.mktemp("cycle")
    exchange = work / "shared" / "exchange"
    course = build_course(root, work / "course", only=["03_"], exchange=exchange)
    ok(run(course, "release_assignment", ASSIGNMENT))
    homes = {}
    for student in STUDENTS:
        home = homes[student] = work / "home" / student
        (home / ".jupyter").mkdir(parents=True)
        shutil.copy(course / STUDENT_CONFIG_FILE, home / ".jupyter" / "nbgrader_config.py")
        ok(run(home, "fetch_assignment", ASSIGNMENT, home=home))
    # alice completes the library and answers both questions; bob answers one and codes nothing
    mine = homes["alice"] / ASSIGNMENT
    shutil.copy(root / "src" / "trainlab" / "initialization.py", mine / "src" / "trainlab" / "initialization.py")
    answer_written_questions(mine / NOTEBOOK, "Identical weights give identical gradients.")
    answer_written_questions(homes["bob"] / ASSIGNMENT / NOTEBOOK, "Not sure.", only="q_symmetry")
    validated = {s: run(homes[s] / ASSIGNMENT, "validate", NOTEBOOK, home=homes[s]) for s in STUDENTS}
    for student in STUDENTS:
        ok(run(homes[student], "submit", ASSIGNMENT, "--student", student, home=homes[student]))
    ok(run(course, "collect", ASSIGNMENT))
    autograded = ok(run(course, "autograde", ASSIGNMENT))
    return {"course": course, "homes": homes, "exchange": exchange, "validated": validated,
            "autograde_log": autograded}


def test_the_course_writes_a_working_exchange_and_a_student_config(cycle):
    exchange = cycle["exchange"]
    assert exchange.stat().st_mode & 0o777 == 0o777
    assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / NOTEBOOK).is_file()
    assert repr(str(exchange)) in (cycle["course"] / STUDENT_CONFIG_FILE).read_text()
    assert course_id_of(cycle["course"]) == COURSE_ID


def test_validate_passes_a_complete_submission_and_names_the_failing_cells_of_another(cycle):
    alice, bob = cycle["validated"]["alice"], cycle["validated"]["bob"]
    assert "Success! Your notebook passes all the tests." in alice.stdout, alice.stdout[-2000:]
    assert "VALIDATION FAILED" in bob.stdout and 'grade("initialization", ["gaussian_init"])' in bob.stdout
    assert "hidden=True" not in bob.stdout  # hidden checks never reach a student's copy
    # what is left, by function, instead of the stock "Partial credit", and the question unanswered
    assert "gaussian_init: not started (write it in src/trainlab/initialization.py)" in bob.stdout
    assert "Partial credit" not in bob.stdout
    assert "Your answer to Question 2" in bob.stdout and "Your answer to Question 1" not in bob.stdout


def test_collect_and_autograde_record_both_students_with_trusted_scores(cycle):
    course = cycle["course"]
    for student in STUDENTS:
        assert (course / "submitted" / student / ASSIGNMENT / NOTEBOOK).is_file()
        assert f"{TRUSTED_MARK} {student}/" in cycle["autograde_log"]
    graded = gradebook.scores(course)
    expected_max = sum(c.metadata.nbgrader.points for c in nbformat.read(
        course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4).cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))
    assert graded["alice"]["autograded_score"] == graded["alice"]["autograded_max"] == expected_max > 0
    assert graded["bob"]["autograded_score"] == 0


def test_hand_grading_reaches_feedback_and_export(cycle):
    from nbgrader.api import Gradebook

    course, homes = cycle["course"], cycle["homes"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        written = {g.name: g for g in gb.find_submission_notebook(NOTEBOOK[:-6], ASSIGNMENT, "alice").grades
                   if g.cell.cell_type == "markdown"}
        assert set(written) == {"q_symmetry", "q_relu_variance"}
        assert all(g.needs_manual_grade for g in written.values())
        written["q_symmetry"].manual_score = 2.0
        written["q_relu_variance"].manual_score = 1.0
        comment = gb.find_comment("q_symmetry", NOTEBOOK[:-6], ASSIGNMENT, "alice")
        comment.manual_comment = COMMENT
        gb.db.commit()
    ok(run(course, "generate_feedback", ASSIGNMENT))
    ok(run(course, "release_feedback", ASSIGNMENT))
    for student in STUDENTS:
        ok(run(homes[student], "fetch_feedback", ASSIGNMENT, "--student", student, home=homes[student]))
    feedback = list((homes["alice"] / ASSIGNMENT / "feedback").glob(f"*/{NOTEBOOK[:-6]}.html"))
    assert len(feedback) == 1 and COMMENT in feedback[0].read_text()
    assert list((homes["bob"] / ASSIGNMENT / "feedback").glob(f"*/{NOTEBOOK[:-6]}.html"))
    ok(run(course, "export", "--to", str(course / "grades.csv")))
    rows = {row["student_id"]: row for row in csv.DictReader(open(course / "grades.csv"))}
    graded = gradebook.scores(course)
    assert float(rows["alice"]["raw_score"]) == graded["alice"]["autograded_max"] + 3.0
    assert float(rows["bob"]["raw_score"]) == 0.0
