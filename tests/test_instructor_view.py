"""What an instructor sees in the class report: autograded points apart from written ones, the
submissions that scored nothing or failed in one line instead of in every table, and a run in
progress told apart from a stopped one."""
import os
import subprocess
import sys

from grader.instructor.class_report import IN_PROGRESS, render_report
from grader.instructor.ledger import RUN_FILE, UNFINISHED, grading_run, run_in_progress


def row(check, passed):
    return {"id": check, "function": check.split(".")[0], "points": 1.0, "hidden": False, "passed": passed,
            "message": "" if passed else f"{check} is off."}


def a_class():
    checks = [f"relu_forward.c{i}" for i in range(30)]
    scores = {"ana": {"01": 28.0}, "bo": {"01": 29.0}, "blank": {"01": 0.0}, "broken": {"01": 0.0}, None: {"01": 30.0}}
    results = {"ana": [row(c, i > 1) for i, c in enumerate(checks)], "bo": [row(c, i > 0) for i, c in enumerate(checks)],
               "blank": [row(c, False) for c in checks], "broken": []}
    ledger = {"ana": {"ok": True, "seconds": 3.0}, "bo": {"ok": True, "seconds": 4.0}, "blank": {"ok": True, "seconds": 1.0},
              "broken": {"ok": False, "seconds": 0.0, "error": "autograde failed: NotJSONError"}}
    written = {s: {"autograded_score": sum(scores[s].values()), "autograded_max": 30.0, "written_score": 0.0,
                   "written_max": 43.0, "written_to_grade": 3 if s != "blank" else 0}
               for s in ("ana", "bo", "blank", "broken")}
    return scores, results, ledger, written


def test_autograded_and_written_points_are_told_apart():
    scores, results, ledger, written = a_class()
    page = render_report("c / training", scores, results, ledger, written)
    assert "total score" not in page
    assert "Autograded points: median 28 of 30" in page and "Written answers: 43 more points" in page
    assert "3 of 4 submissions still have answers to grade" in page


def test_submissions_that_scored_nothing_take_one_line_not_every_table():
    scores, results, ledger, written = a_class()
    page = render_report("c / training", scores, results, ledger, written)
    assert "2 submissions scored no autograded point or could not be graded" in page and "blank, broken" in page
    assert "(2 of 30 checks failed by someone)" in page  # without the blank submission: 30 of 30


def test_a_run_in_progress_is_not_called_stopped(tmp_path):
    scores, results, ledger, written = a_class()
    ledger["bo"] = {"key": "", "ok": False, "error": UNFINISHED, "seconds": 0.0}
    stopped = render_report("c / training", scores, results, ledger, written)
    assert "the run was stopped" in stopped and "in progress" not in stopped
    with grading_run(tmp_path):
        running = run_in_progress(tmp_path)
        assert running and running["pid"] == os.getpid()
        page = render_report("c / training", scores, results, ledger, written, running)
    assert "Grading is in progress" in page and IN_PROGRESS in page and "the run was stopped" not in page
    assert run_in_progress(tmp_path) is None and not (tmp_path / RUN_FILE).exists()


def test_a_run_whose_process_is_gone_counts_as_stopped(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import json
    import socket

    (tmp_path / RUN_FILE).write_text(json.dumps({"pid": int(gone.stdout), "host": socket.gethostname(),
                                                 "started": "2026-12-04 10:00 UTC"}))
    assert run_in_progress(tmp_path) is None
    (tmp_path / RUN_FILE).write_text("not json")
    assert run_in_progress(tmp_path) is None


def test_the_grading_bar_counts_notebooks_as_they_finish(tmp_path, monkeypatch):
    """`trainlab autograde` and `trainlab demo` show progress per notebook, not per student: the bar
    counts students x notebooks and moves each time nbgrader writes an autograded notebook."""
    import threading

    from grader.instructor import autograde
    from grader.instructor.layout import ASSIGNMENT

    course = tmp_path / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    for name in ("01", "02", "03"):
        (course / "source" / ASSIGNMENT / f"{name}.ipynb").write_text("{}")
    release = threading.Event()

    def fake_grade_one(course, student, env=None):
        folder = course / "autograded" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "01.ipynb").write_text("{}")
        (folder / "elsewhere.ipynb").symlink_to(course / "source" / ASSIGNMENT / "02.ipynb")  # not counted
        release.wait(20)
        return {"ok": True, "error": "", "seconds": 0.0}

    seen = []

    class Bar:
        def __init__(self, items, total, unit):
            self.total, self.unit, self.n = total, unit, 0

        def update(self, k):
            self.n += k
            seen.append(self.n)
            if self.n == 2:  # each student's first notebook is counted while they are still graded
                release.set()

        def set_postfix(self, **kw):
            pass

        def close(self):
            seen.append("closed")

    bars = []
    monkeypatch.setattr(autograde, "grade_one", fake_grade_one)
    finished = []
    autograde.grade_in_pool(course, 2, ["ana", "bo"], lambda s, r: finished.append(s),
                            lambda items, total, unit: bars.append(Bar(items, total, unit)) or bars[-1], 0)
    assert bars[0].total == 6 and bars[0].unit == "notebook"
    assert 2 in seen and seen[-2:] == [6, "closed"] and sorted(finished) == ["ana", "bo"]
