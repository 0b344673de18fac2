"""What a student sees: a stub's failure names the file to edit, `trainlab check` fits an 80-column
terminal and counts the given functions apart, and an experiment that reaches an unwritten function
stops with one line naming it, without a traceback or an empty figure."""
import os
import subprocess
import sys

import nbformat
import pytest

from grader.core.engine import run_checks
from grader.instructor.course import copy_stubbed_src


@pytest.fixture(scope="module")
def stubs(root, tmp_path_factory):
    """The student release's library: every solution region a stub."""
    dest = tmp_path_factory.mktemp("release")
    copy_stubbed_src(root, dest)
    return dest


def test_a_stub_names_the_file_to_edit(stubs):
    results = run_checks(stubs / "src", topics=["normalization"])
    assert results and all(r.status == "not implemented yet" for r in results)
    first = next(r for r in results if r.function == "batchnorm_forward")
    assert first.message.startswith("batchnorm_forward is not implemented yet: write it in src/trainlab/normalization.py")


def test_the_check_table_fits_80_columns_and_counts_given_functions_apart(stubs):
    done = subprocess.run([sys.executable, "-m", "grader.cli", "check", "--src", str(stubs / "src")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"}, timeout=600)
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and lines
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    table = [line for line in lines if line.startswith("│")]
    assert any("batchnorm_backward_alt" in line and "not implemented yet" in line and "0/5" in line for line in table)
    assert any(" sgd " in line and "given" in line for line in table)
    summary = " ".join(lines[-2:])
    assert summary.startswith("0 passed, 0 failed") and "given functions (sgd, get_rule, get_schedule)" in summary


def test_an_experiment_needing_an_unwritten_function_says_so_in_one_line(stubs):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from grader.notebook import setup\nsetup()"),
        nbformat.v4.new_code_cell("import numpy as np\nimport matplotlib\nmatplotlib.use('agg')\n"
                                  "import matplotlib.pyplot as plt\n%matplotlib inline\n"
                                  "fig, ax = plt.subplots()\nax.set_title('relu')\n"
                                  "from trainlab.layer_utils import affine_relu_forward\n"
                                  "affine_relu_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))"),
        nbformat.v4.new_code_cell("raise ValueError('another error keeps its traceback')"),
    ])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(stubs)}}).execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["stream"], outputs
    assert outputs[0].text.strip() == ("this experiment needs relu_forward: implement it in "
                                       "src/trainlab/activations.py, then run this cell again.")
    assert nb.cells[2].outputs[0].output_type == "error"


def test_a_failure_wraps_between_words_and_a_hint_is_given_once(tmp_path, root):
    """The notebook cell and the feedback show failures as text: long lines wrap between words (a
    number is never cut), and one function's hint is printed once."""
    import shutil

    from grader.core.report import TEXT_WIDTH, text_report

    shutil.copytree(root / "src" / "trainlab", tmp_path / "trainlab")
    act = tmp_path / "trainlab" / "activations.py"  # the slope on the wrong side: three checks say so
    act.write_text(act.read_text() + "\n\ndef leaky_relu_forward(x, alpha=0.01):\n"
                   "    out = np.where(x > 0, alpha * x, x)\n    return out, (x, alpha)\n")
    results = run_checks(tmp_path, ["activations"])
    failed = [r for r in results if r.function == "leaky_relu_forward" and "negative side" in r.message]
    assert len(failed) >= 2
    hint = failed[0].message.partition(" Hint: ")[2]
    text = text_report(results)
    assert " ".join(text.split()).count(" ".join(hint.split())) == 1 and "(Hint: as above.)" in text
    for line in text.splitlines():
        assert len(line) <= TEXT_WIDTH or " " not in line.strip(), line
    numbers = {token for r in failed for token in r.message.split() if any(ch.isdigit() for ch in token)}
    assert numbers <= set(text.split())  # every number of every message is whole on some line


def test_a_test_cell_shows_its_points_in_words_and_nbgrader_reads_the_number(stubs):
    """No bare 0.0 under the table: the cell shows "0 of 9 points", while the plain text that
    nbgrader reads as the cell's partial credit stays the number."""
    from nbclient import NotebookClient
    from nbgrader.utils import determine_grade

    cell = nbformat.v4.new_code_cell('from grader.notebook import grade\n'
                                     'grade("activations", ["sigmoid_forward", "sigmoid_backward"])')
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "t", "points": 9.0,
                                 "schema_version": 3}
    nb = nbformat.v4.new_notebook(cells=[cell])
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(stubs)}}).execute()
    result = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert len(result) == 1 and result[0].data["text/plain"] == "0.0"
    assert result[0].data["text/markdown"] == "**0 of 9 points** from this cell's public checks"
    assert determine_grade(cell) == (0.0, 9.0)
