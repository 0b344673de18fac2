"""The nbgrader pipeline end to end: course, release, autograde, feedback, export (slow)."""
import csv
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.instructor import gradebook
from grader.instructor.autograde import autograde_all
from grader.instructor.course import build_course
from grader.instructor.layout import ASSIGNMENT
from grader.instructor.demo import BUGS, run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    run_demo(out, log=lambda *_: None)
    return out


def test_demo_scores(demo):
    summary = json.loads((demo / "summary.json").read_text())["students"]
    assert {"reference", "blank", *BUGS} <= summary.keys() and len(BUGS) >= 3
    ref = summary["reference"]
    assert ref["ok"] and ref["autograded_max"] > 0
    assert ref["autograded_score"] == ref["autograded_max"], ref
    assert ref["checks_failed"] == []
    assert summary["blank"]["autograded_score"] == 0
    for student in BUGS:
        entry = summary[student]
        assert entry["ok"] and entry["checks_failed"], student
        # a buggy student loses exactly the points of the checks the bugs break
        assert entry["autograded_max"] - entry["autograded_score"] == pytest.approx(entry["check_points_lost"]), entry
        assert entry["autograded_max"] == ref["autograded_max"]


def test_the_gradebook_names_each_student_and_dates_each_submission(demo):
    """Graded without a roster, a student shows in the formgrader under their id (not "None, None"),
    and a submission handed over as a folder under the time its newest file was written."""
    from nbgrader.api import Gradebook

    from grader.instructor.layout import ASSIGNMENT, course_id_of, db_url_of

    course = demo / "course"
    with Gradebook(db_url_of(course), course_id_of(course)) as gb:
        students = {s.id: (s.last_name, s.first_name) for s in gb.students}
        stamps = {s: gb.find_submission(ASSIGNMENT, s).timestamp for s in students}
    assert "reference" in students and all(last == sid for sid, (last, _) in students.items())
    assert all(stamp is not None for stamp in stamps.values()), stamps


def test_demo_gives_the_formgrader_written_answers_to_grade(demo, root):
    """The reference hands in the model answers and each buggy student answers of their own, so
    every written question of theirs waits for a hand grade; the summary reports written points
    apart from the autograded ones."""
    import nbformat

    from grader.instructor.answers import model_answer, written_cells

    summary = json.loads((demo / "summary.json").read_text())["students"]
    sources = {p.name: nbformat.read(p, as_version=4) for p in (root / "notebooks").glob("*.ipynb")}
    questions = [(name, c) for name, nb in sources.items() for c in written_cells(nb)]
    written_max = sum(c.metadata.nbgrader.points for _, c in questions)
    assert len(questions) >= 20 and all(entry["written_max"] == written_max for entry in summary.values())
    assert summary["reference"]["written_to_grade"] == len(questions)
    assert summary["blank"]["written_to_grade"] == 0
    for student in BUGS:
        assert summary[student]["written_to_grade"] >= len(questions) // 2, student
    name, cell = questions[0]
    handed_in = nbformat.read(demo / "submitted" / "reference" / ASSIGNMENT / name, as_version=4)
    answer = next(c for c in handed_in.cells if c.metadata.get("nbgrader", {}).get("grade_id") == cell.metadata.nbgrader.grade_id)
    assert answer.source == model_answer(cell.source) and "Marking guide" not in answer.source
    assert "Marking guide" in (demo / "course" / "marking_guide.md").read_text()


def test_demo_writes_feedback_grades_and_release(demo):
    course = demo / "course"
    summary = json.loads((demo / "summary.json").read_text())["students"]
    rows = {row["student_id"]: row for row in csv.DictReader(open(course / "grades.csv"))}
    assert rows.keys() >= summary.keys()
    assert float(rows["reference"]["raw_score"]) == summary["reference"]["autograded_score"]
    for student in summary:
        assert list((course / "feedback" / student / ASSIGNMENT).glob("*.html")), student
    assert list((demo / "release" / "notebooks").glob("*.ipynb"))
    assert (demo / "release" / "src" / "trainlab" / "activations.py").is_file()


def test_feedback_says_what_is_not_graded_yet_and_shows_points_not_a_bare_number(demo):
    """Before anyone grades the written answers, the feedback says "not graded yet" for each of
    them (nbgrader would show 0 points), and a test cell's result reads "N of M points"."""
    student = next(iter(BUGS))
    pages = sorted((demo / "course" / "feedback" / student / ASSIGNMENT).glob("*.html"))
    text = "\n".join(p.read_text() for p in pages)
    written = re.findall(r"Written response</a> \(Score: ([^)]*)\)", text)
    assert written and all(score.startswith("not graded yet / ") for score in written), written
    assert "written answers not graded yet" in text
    assert re.search(r"<strong>\d+ of \d+ points</strong> from this cell's checks, run by the grader", text)
    tests = re.findall(r"Test cell</a> \(Score: ([\d.]+) / ([\d.]+)\)", text)
    assert tests and any(float(a) < float(b) for a, b in tests)  # a buggy student's failing cell keeps its score


def test_the_demo_s_mistakes_page_groups_its_students_and_fits_the_browser(demo, tmp_path):
    """`trainlab demo` writes the mistakes page: the buggy students' functions each form a group
    with its member, blank's stubs are "not implemented yet", and the page fits a 1046-pixel window."""
    summary = json.loads((demo / "summary.json").read_text())
    page = Path(summary["mistakes_page"])
    text = page.read_text()
    for function in ("activations.prelu_backward", "preprocessing.fit_pca", "activations.elu_backward",
                     "activations.sigmoid_backward"):
        assert f"id='{function}'" in text, function
    assert "local gradient s instead of s * (1 - s)" in text  # carol's bug, named by its catalogued mistake
    assert "<script" not in text.lower()
    from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, _browser_or_skip

    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        view = browser.new_page(viewport={"width": 1046, "height": 800})
        view.goto(page.as_uri())
        wide = view.evaluate("document.documentElement.scrollWidth")
        groups = view.eval_on_selector_all("tr.named, tr.unnamed", "rows => rows.length")
        browser.close()
    assert wide <= 1046 and groups >= 4, (wide, groups)


def test_a_broken_submission_affects_only_itself(root, tmp_path):
    """Graded in one run: an honest reference, a submission with a syntax error and a malformed
    notebook, and one that brings its own grader. (Stock `nbgrader autograde` on the course is
    exercised by tests/test_course_cycle.py; this course holds notebook 01 to keep it quick.)"""
    from grader.instructor.demo import _answered

    course = build_course(root, tmp_path / "course", only=["01_"])
    release, source = course / "release" / ASSIGNMENT, course / "source" / ASSIGNMENT
    submitted = tmp_path / "submitted"
    good = submitted / "good" / ASSIGNMENT
    shutil.copytree(release, good)
    shutil.copytree(root / "src" / "trainlab", good / "src" / "trainlab", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for path in good.glob("*.ipynb"):
        nbformat.write(_answered(path, source / path.name, "reference", {}), path)
    broken = submitted / "broken" / ASSIGNMENT
    shutil.copytree(good, broken)
    (broken / "src" / "trainlab" / "activations.py").write_text("def relu_forward(x:\n")
    sorted(broken.glob("*.ipynb"))[0].write_text("{ this is not a notebook")
    # a submission that brings its own grader, which would award every point, with stubbed code
    cheater = submitted / "cheater" / ASSIGNMENT
    shutil.copytree(release / "src", cheater / "src")
    for path in good.glob("*.ipynb"):
        shutil.copy(path, cheater / path.name)
    for fake in (cheater / "grader", cheater / "src" / "grader"):
        fake.mkdir()
        (fake / "__init__.py").write_text("")
        (fake / "notebook.py").write_text("def setup(*a, **k):\n    pass\n\n"
                                          "def fast_mode():\n    return True\n\n"
                                          "def grade(*a, **k):\n    return 1e-9\n")
    status = autograde_all(course, submitted)
    scores = gradebook.scores(course)
    assert status["good"]["ok"] and scores["good"]["autograded_score"] == scores["good"]["autograded_max"] > 0
    broken_score = scores.get("broken", {}).get("autograded_score", 0.0)
    assert not status["broken"]["ok"] or broken_score < scores["good"]["autograded_max"]
    assert scores["cheater"]["autograded_score"] == 0


def test_autograde_refuses_to_record_a_run_without_the_trusted_grader(root, tmp_path):
    """A broken nbgrader_config.py makes nbgrader fall back to its defaults; that run must not count."""
    course = build_course(root, tmp_path / "course", only=["01_"])
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("raise RuntimeError('broken config')\n")
    submitted = tmp_path / "submitted"
    shutil.copytree(course / "release" / ASSIGNMENT, submitted / "s1" / ASSIGNMENT)
    status = autograde_all(course, submitted)
    assert not status["s1"]["ok"] and "without the trusted grader" in status["s1"]["error"]


def test_feedback_of_a_buggy_student_fits_its_frame_in_chromium(demo, tmp_path):
    """A failure's lines wrap (text_report), so no check output of a student with failures overflows
    its box in a 1046-pixel-wide feedback frame."""
    from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, _browser_or_skip

    student = next(iter(BUGS))
    pages = sorted((demo / "course" / "feedback" / student / ASSIGNMENT).glob("*.html"))
    texts = {p: p.read_text() for p in pages}
    page_path = next(p for p, text in texts.items() if "failures:" in text)
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1046, "height": 800})
        page.goto(page_path.as_uri())
        shown = page.eval_on_selector_all("pre", "els => els.filter(e => e.textContent.includes('failures:')).length")
        overflowing = page.eval_on_selector_all(
            "pre", "els => els.filter(e => e.textContent.includes('failures:'))"  # the trusted check outputs
                   ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 80))")
        browser.close()
    assert shown >= 1 and overflowing == [], overflowing  # (code cells of the notebook itself may be wider)
