"""The `trainlab check` command as a student uses it."""
import json
import subprocess
import sys

import pytest

from grader.core.registry import TOPICS


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
                      "augmentation", "optimizers", "schedules", "babysit")


def test_the_report_is_one_line_per_function_then_the_failures(tmp_path, root):
    """Unwritten functions take one row each, and the one real failure is printed in full below them."""
    import shutil

    from grader.instructor.strip import strip_solutions
    from grader.core.report import by_function, text_report
    from grader.core.engine import run_checks

    shutil.copytree(root / "src" / "trainlab", tmp_path / "trainlab")
    path = tmp_path / "trainlab" / "normalization.py"
    path.write_text(strip_solutions(path.read_text(), path.name))  # every function unwritten ...
    act = tmp_path / "trainlab" / "activations.py"
    act.write_text(act.read_text() + "\n\ndef relu_backward(dout, cache):\n    return dout\n")  # ... and one bug
    done = trainlab("check", "normalization", "activations", "--src", str(tmp_path), "--failures-only")
    assert done.returncode == 1
    results = run_checks(tmp_path, ["normalization", "activations"])
    functions = {f"{r.topic}.{r.function}" for r in results if r.topic == "normalization"}
    table = [line for line in done.stdout.splitlines() if line.startswith("│")]
    start = next(i for i, line in enumerate(table) if line.startswith("│ normalization"))  # the topic heads its rows
    rows = []
    for line in table[start + 1:]:
        if not line.startswith("│   "):
            break
        rows.append(line)
    assert len(rows) == len(functions) < sum(r.topic == "normalization" for r in results)
    assert all("not implemented yet" in row for row in rows)
    assert "FAILED relu_backward" in done.stdout and "not implemented yet" not in done.stdout.split("FAILED")[1]
    text = text_report(results)
    assert text.count("\n") < len(results) and "failures:\n  relu_backward" in text
    assert {s.status for s in by_function(results)} == {"passed", "failed", "not implemented yet"}
