"""`--checks-only` grades exactly what the last full autograde graded: a submission whose files
changed since (in the folder given or in the course's copy) is refused with the command that
autogrades it."""
import os
import shutil
import subprocess
import sys

import pytest

from grader.instructor import gradebook
from grader.instructor.course import build_course
from grader.instructor.layout import ASSIGNMENT
from grader.instructor.checks_only import changed_submission
from grader.instructor.ledger import Ledger, files_hash


def submission(folder, student, activations="def relu_forward(x):\n    raise NotImplementedError\n"):
    mine = folder / student / ASSIGNMENT
    (mine / "src" / "trainlab").mkdir(parents=True)
    (mine / "src" / "trainlab" / "activations.py").write_text(activations)
    (mine / "01_activations.ipynb").write_text("{}")
    return mine


@pytest.fixture
def graded(tmp_path):
    """A course whose ledger recorded alice's full autograde, and the folder she was graded from."""
    course, outside = tmp_path / "course", tmp_path / "submitted"
    submission(outside, "alice")
    shutil.copytree(outside / "alice", course / "submitted" / "alice")
    Ledger(course).record("alice", key="k", ok=True, error="", seconds=1.0, depth="full")
    return course, outside


def test_the_ledger_records_the_hash_of_the_graded_files(graded):
    course, outside = graded
    record = Ledger(course).records["alice"]
    assert record["files"] == files_hash(course / "submitted" / "alice" / ASSIGNMENT)
    assert record["files"] == files_hash(outside / "alice" / ASSIGNMENT)
    Ledger(course).record("bob", key="", ok=False, error="submission refused", seconds=0.0, depth="full")
    assert "files" not in Ledger(course).records["bob"]  # nothing was graded


def test_an_unchanged_submission_is_regraded(graded):
    course, outside = graded
    for folder in (outside, course / "submitted"):
        assert changed_submission(course, folder, "alice", Ledger(course).records["alice"]) == ""


@pytest.mark.parametrize("where", ["outside", "course"])
@pytest.mark.parametrize("change", ["module replaced", "file added", "file removed", "file renamed"])
def test_a_changed_submission_is_refused_with_the_command_that_grades_it(graded, where, change):
    course, outside = graded
    mine = (outside if where == "outside" else course / "submitted") / "alice" / ASSIGNMENT
    module = mine / "src" / "trainlab" / "activations.py"
    if change == "module replaced":
        module.write_text("def relu_forward(x):\n    return x * (x > 0)\n")
    elif change == "file added":
        (mine / "src" / "trainlab" / "helpers.py").write_text("ANSWER = 1\n")
    elif change == "file removed":
        module.unlink()
    else:
        module.rename(module.with_name("activation.py"))
    why = changed_submission(course, outside, "alice", Ledger(course).records["alice"])
    assert why.startswith("alice: the submission changed since its last autograde; run `trainlab autograde ")
    assert f"--course {course} --student alice` to grade it" in why and str(outside) in why
    assert "\n" not in why


def test_a_record_without_the_files_hash_is_refused(graded):
    course, outside = graded
    record = dict(Ledger(course).records["alice"])
    del record["files"]  # a ledger written before files were recorded
    assert "holds no record of the files" in changed_submission(course, outside, "alice", record)
    assert "holds no record" in changed_submission(course, outside, "alice", {})


def test_a_hostile_student_id_is_quoted_in_the_command(tmp_path):
    why = changed_submission(tmp_path, tmp_path / "in", "x; rm -rf ~", {})
    assert "--student 'x; rm -rf ~'`" in why


def trainlab(*args):
    env = {**os.environ, "COLUMNS": "2000"}  # the status column whole, not wrapped by the table
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, timeout=900,
                          env=env)


@pytest.mark.slow
def test_replacing_a_module_after_autograde_does_not_change_the_grade(root, tmp_path):
    """A blank student autograded on a one-notebook course, whose activations.py is then replaced
    by the reference: --checks-only refuses, and the grade stays 0 until a full autograde."""
    course = build_course(root, tmp_path / "course", only=["01_"])
    outside = tmp_path / "submitted"
    shutil.copytree(course / "release" / ASSIGNMENT, outside / "blank" / ASSIGNMENT)
    done = trainlab("autograde", str(outside), "--course", str(course))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert gradebook.scores(course)["blank"]["autograded_score"] == 0
    module = outside / "blank" / ASSIGNMENT / "src" / "trainlab" / "activations.py"
    shutil.copy(root / "src" / "trainlab" / "activations.py", module)
    refused = trainlab("autograde", str(outside), "--course", str(course), "--checks-only")
    assert refused.returncode == 1 and "the submission changed since its last autograde" in refused.stdout
    assert gradebook.scores(course)["blank"]["autograded_score"] == 0
    again = trainlab("autograde", str(course / "submitted"), "--course", str(course), "--checks-only")
    assert again.returncode == 0, again.stdout[-3000:]  # the course's copy is still the graded one
    assert gradebook.scores(course)["blank"]["autograded_score"] == 0


def test_checks_only_grades_with_the_limits_the_course_config_sets(tmp_path):
    """--checks-only and a full autograde use one set of sandbox limits: the course's TrustedScores'."""
    from grader.instructor.trusted import course_limits
    from grader.sandbox.host import DEFAULT_LIMITS

    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert course_limits(tmp_path) == DEFAULT_LIMITS
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.TrustedScores.call_seconds = 7.5\n"
                                                 "c.TrustedScores.submission_seconds = 90\n")
    limits = course_limits(tmp_path)
    assert (limits.call_seconds, limits.submission_seconds) == (7.5, 90.0) and limits != DEFAULT_LIMITS
