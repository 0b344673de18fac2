"""The checklist for a graded function (CONTRIBUTING.md), enforced: the repository passes
`trainlab checklist`, and a toy graded function (softsign) added to a copy of the repository passes
it only with every step done; each forgotten step fails with a message that names its fix."""
import shutil
import subprocess
import sys

import nbformat
import pytest

from grader.instructor.checklist import problems

SOFTSIGN = '''

def softsign_forward(x):
    """Softsign, out = x / (1 + |x|). x: array of any shape. Returns out of the same shape and the cache."""
    ### BEGIN SOLUTION
    out = x / (1 + np.abs(x))
    ### END SOLUTION
    return out, x


def softsign_backward(dout, cache):
    """dout: upstream gradient, shape of out; cache: what softsign_forward cached. Returns dx."""
    ### BEGIN SOLUTION
    dx = dout / (1 + np.abs(cache)) ** 2
    ### END SOLUTION
    return dx
'''
CHECKS = ('\n\nadd_layer_cases(T, f"{T}.softsign_forward", f"{T}.softsign_backward", make_elementwise)\n')
CELL = 'from grader.notebook import grade\ngrade("activations", ["softsign_forward", "softsign_backward"]{})'
HIDDEN = ("# The hidden checks of softsign_forward and softsign_backward (1 point) run at grading time.\n"
          "### BEGIN HIDDEN TESTS\n{}\n### END HIDDEN TESTS")
STEPS = ("src", "region", "checks", "fixtures", "cells", "points")
# What `trainlab checklist` must say when the step is forgotten: the words of its fix.
FIXES = {
    "src": "no function in src/trainlab/activations.py: write it there",
    "region": "has no solution region",
    "checks": "declare its checks in grader/checks/activations.py",
    "fixtures": "run `trainlab fixtures activations`",
    "cells": 'add a public test cell calling grade("activations", ["softsign_forward"]) to notebooks/01_activations.ipynb',
    "points": "run `trainlab sync-notebooks`",
}


def test_the_repository_passes_the_checklist(root):
    assert problems(root) == []


def cli(copy, *args):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=copy, capture_output=True, text=True,
                          timeout=600)


def add_cells(path):
    nb = nbformat.read(path, as_version=4)
    for grade_id, source in (("test_softsign", CELL.format("")),
                             ("test_softsign_hidden", HIDDEN.format(CELL.format(", hidden=True")))):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 0.0,
                                     "schema_version": 3, "solution": False, "task": False}
        nb.cells.append(cell)
    nbformat.write(nb, path)


def repository_with_softsign(root, dest, skip: str | None):
    """A copy of the repository with the toy function added, every step but `skip` done."""
    for part in ("src", "grader", "notebooks"):
        shutil.copytree(root / part, dest / part, ignore=shutil.ignore_patterns("__pycache__", "heldout", "*.npz")
                        if part == "notebooks" else shutil.ignore_patterns("__pycache__", "heldout"))
    if skip != "src":
        text = SOFTSIGN if skip != "region" else "\n".join(line for line in SOFTSIGN.splitlines()
                                                            if "SOLUTION" not in line)
        with open(dest / "src" / "trainlab" / "activations.py", "a") as f:
            f.write(text)
    if skip != "checks":
        with open(dest / "grader" / "checks" / "activations.py", "a") as f:
            f.write(CHECKS)
    if skip not in ("fixtures", "src", "checks"):
        done = cli(dest, "fixtures", "activations")
        assert done.returncode == 0, done.stderr
    if skip != "cells":
        add_cells(dest / "notebooks" / "01_activations.ipynb")
    if skip not in ("points", "cells"):
        assert cli(dest, "sync-notebooks").returncode == 0
    return dest


def test_with_every_step_done_the_toy_function_passes(root, tmp_path):
    done = cli(repository_with_softsign(root, tmp_path, None), "checklist")
    assert done.returncode == 0, done.stdout + done.stderr
    nb = nbformat.read(tmp_path / "notebooks" / "01_activations.ipynb", as_version=4)
    hidden = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_softsign_hidden")
    assert hidden.metadata.nbgrader.points > 0 and f"({hidden.metadata.nbgrader.points:g} points)" in hidden.source


@pytest.mark.parametrize("skip", STEPS)
def test_a_forgotten_step_is_named_with_its_fix(skip, root, tmp_path):
    done = cli(repository_with_softsign(root, tmp_path, skip), "checklist")
    assert done.returncode == 1, done.stdout + done.stderr
    assert FIXES[skip] in done.stdout, done.stdout
