"""The student release: stubs instead of solutions, no hidden checks, no instructor code."""
import ast
import json
import os
import subprocess
import sys

import nbformat
import pytest

from grader.instructor.release import build_release
from grader.instructor.strip import BEGIN, END, MarkerError, strip_solutions

FORBIDDEN = (BEGIN, END, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


@pytest.fixture(scope="module")
def release(tmp_path_factory, root):
    return build_release(root, tmp_path_factory.mktemp("release") / "student")


def _run(release, *args):
    env = {**os.environ, "PYTHONPATH": str(release)}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=release, env=env,
                          capture_output=True, text=True, timeout=600)


def _regions(text):
    inside, lines = False, []
    for line in text.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            lines.append(line.strip())
    return lines


def test_strip_replaces_regions_and_rejects_broken_markers():
    text = f"def f(x):\n    y = 1\n    {BEGIN}\n    out = x * 2\n    {END}\n    return out\n"
    stub = strip_solutions(text)
    assert "out = x * 2" not in stub and "raise NotImplementedError()" in stub and "y = 1" in stub
    ast.parse(stub)
    with pytest.raises(MarkerError, match="never closed"):
        strip_solutions(f"{BEGIN}\nx = 1\n")
    with pytest.raises(MarkerError, match="without a matching"):
        strip_solutions(f"x = 1\n{END}\n")


def test_no_solution_hidden_or_instructor_material(release, root):
    for path in release.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".toml", ".txt"):
            text = path.read_text()
            assert not any(marker in text for marker in FORBIDDEN), path
    for excluded in ("grader/hidden", "grader/instructor", "tests", "benchmarks", ".ci"):
        assert not (release / excluded).exists(), excluded
    for ref_path in (root / "src" / "trainlab").glob("*.py"):
        reference = ref_path.read_text()
        outside = set(line.strip() for line in strip_solutions(reference).splitlines())
        released = set(line.strip() for line in (release / "src" / "trainlab" / ref_path.name).read_text().splitlines())
        leaked = [line for line in _regions(reference) if line and line not in outside and line in released]
        assert not leaked, f"{ref_path.name} leaks solution lines: {leaked[:3]}"


def test_release_readme_keeps_the_student_workflow_only(release):
    text = (release / "README.md").read_text()
    assert "## Student workflow" in text and "trainlab check" in text
    assert "trainlab demo" not in text and "trainlab course" not in text and "## Instructor workflow" not in text


def test_release_notebooks_have_no_solutions_tests_or_outputs(release, root):
    source = sorted(p.name for p in (root / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (release / "notebooks").glob("*.ipynb")) == source
    for path in (release / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            assert not cell.get("outputs"), f"{path.name} has outputs"
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                assert "YOUR CODE HERE" in cell.source or "YOUR ANSWER HERE" in cell.source, path.name


def test_release_holds_no_model_answer_or_marking_guide(release, root):
    """Every written question's model answer and guide stay in the instructor's notebooks."""
    from grader.instructor.answers import MODEL_ANSWER, marking_guide, model_answer, written_cells

    secrets = []
    for path in (root / "notebooks").glob("*.ipynb"):
        for cell in written_cells(nbformat.read(path, as_version=4)):
            secrets.append(model_answer(cell.source)[:80])
            secrets += [criterion[:80] for _, criterion in marking_guide(cell.source)[1]]
    assert len(secrets) > 40 and all(secrets)
    for path in release.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".json", ".txt"):
            text = path.read_text()
            assert MODEL_ANSWER not in text and "Marking guide" not in text, path
            text = nbformat.reads(text, as_version=4) if path.suffix == ".ipynb" else text
            text = "\n".join(c.source for c in text.cells) if path.suffix == ".ipynb" else text
            leaked = [secret for secret in secrets if secret in text]
            assert not leaked, f"{path.relative_to(release)} holds {leaked[:2]}"


def _stubbed_functions(release):
    names = set()
    for path in (release / "src" / "trainlab").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and "raise NotImplementedError()" in ast.unparse(node):
                names.add(node.name)
    return names


def test_stubs_import_and_every_stubbed_check_says_not_implemented(release):
    done = _run(release, "check", "--json")
    assert done.returncode == 1, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert results and not any(r["hidden"] for r in results)
    stubbed = _stubbed_functions(release)
    assert len(stubbed) >= 40
    for r in results:
        if r["function"] in stubbed:
            assert r["status"] == "not implemented yet", r
        else:  # checks of given code (e.g. sgd) pass in the release, and are worth nothing
            assert r["passed"] and r["points"] == 0, r


def test_release_refuses_hidden_checks(release):
    done = _run(release, "check", "--hidden")
    assert done.returncode == 2
    assert "not part of this release" in done.stderr and "Traceback" not in done.stderr


def test_given_functions_are_exactly_those_without_a_solution_region(root):
    from grader.catalogue import select
    from grader.catalogue import given_functions

    with_region, without = set(), set()
    for path in (root / "src" / "trainlab").glob("*.py"):
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                (with_region if BEGIN in ast.get_source_segment(text, node) else without).add(node.name)
    checked = {c.function for c in select(hidden=True)}
    assert checked <= with_region | without
    assert checked - with_region == set(given_functions())


def test_backward_docstrings_leave_the_derivation_to_the_student(release):
    """A backward the student derives is described by its contract (shapes, cache, what it returns),
    never by its formula for dx or the derivation, which stay in the reference's solution region."""
    import ast

    giveaways = ("dx =", "dx_i =", "d x_hat", "sum_j dout_j", "mean_d dx_hat", "N dout_i")
    checked = set()
    for path in sorted((release / "src" / "trainlab").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            stub = isinstance(node, ast.FunctionDef) and "NotImplementedError" in ast.unparse(node)
            if stub and node.name.endswith(("_backward", "_backward_alt")):
                doc = ast.get_docstring(node) or ""
                assert not [g for g in giveaways if g in doc], (path.name, node.name)
                checked.add(node.name)
    assert {"batchnorm_backward_alt", "layernorm_backward", "sigmoid_backward", "dropconnect_backward"} <= checked


def test_the_release_is_written_for_students(release):
    """A student installs only what the assignment needs and reads a README written for them."""
    requirements = (release / "requirements.txt").read_text()
    assert "-e ." in requirements and "[" not in requirements  # no test or cluster extras
    readme = (release / "README.md").read_text()
    assert "## Student workflow" in readme and "trainlab check" in readme and "YOUR CODE HERE" in readme
    for instructor_words in ("reference solution", "tests/", "benchmarks/", "## Instructor", "trainlab demo",
                             "python -m pytest"):
        assert instructor_words not in readme, instructor_words
