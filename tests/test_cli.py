"""The `trainlab check` command as a student uses it."""
import json
import subprocess
import sys

import pytest

from grader.registry import TOPICS


def trainlab(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_reference_passes_every_public_check():
    done = trainlab("check")
    assert done.returncode == 0, done.stdout[-3000:]
    assert " 0 failed" in done.stdout


def test_json_gives_one_object_per_check():
    done = trainlab("check", "activations", "--json")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) > 20
    assert all({"topic", "function", "name", "passed", "message"} <= row.keys() for row in rows)
    assert {row["topic"] for row in rows} == {"activations"}


def test_hidden_adds_checks_on_the_instructor_side():
    public = trainlab("check", "activations", "--json").stdout.splitlines()
    hidden = trainlab("check", "activations", "--json", "--hidden", "--seed", "5")
    assert hidden.returncode == 0
    assert len(hidden.stdout.splitlines()) > len(public)


def test_a_buggy_package_fails_with_a_readable_message(tmp_path, root):
    import shutil

    shutil.copytree(root / "src" / "trainlab", tmp_path / "trainlab")
    path = tmp_path / "trainlab" / "activations.py"
    path.write_text(path.read_text().replace("dx = dout * (x > 0)", "dx = dout * (dout > 0)"))
    done = trainlab("check", "activations", "--src", str(tmp_path))
    assert done.returncode == 1
    assert "relu_backward" in done.stdout and "Hint" in done.stdout and "not with dout > 0" in done.stdout


@pytest.mark.parametrize("args, message", [
    (("check", "nosuchtopic"), "unknown topic"),
    (("check", "--src", "/no/such/folder"), "is not a folder"),
])
def test_bad_input_gets_one_sentence(args, message):
    done = trainlab(*args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_package_is_reported_for_every_check(tmp_path):
    done = trainlab("check", "activations", "--src", str(tmp_path), "--json")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1 and rows and all("No trainlab package" in r["message"] for r in rows)


def test_topics_are_the_documented_ones():
    assert TOPICS == ("activations", "initialization", "preprocessing", "normalization", "regularization",
                      "augmentation", "optimizers", "schedules")
