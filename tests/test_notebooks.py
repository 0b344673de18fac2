"""Every notebook runs top to bottom on the reference (fast mode) with full marks, no stderr, and a
title and axis labels on every figure it shows."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grader.instructor.cells import is_test_cell, sync_points

from tests.figure_audit import MARKER

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Run first in the kernel: every shown figure is checked for a title and axis labels (the rule and
# its exemptions are in tests/figure_audit.py), on the run that executes the notebook anyway.
AUDIT_CELL = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom tests.figure_audit import install\ninstall()"


def test_there_is_a_notebook_per_lecture_topic():
    names = [p.stem for p in NOTEBOOKS]
    assert len(names) == 7, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_the_reference(path, monkeypatch):
    monkeypatch.setenv("TRAINLAB_FAST", "1")
    nb = nbformat.read(path, as_version=4)
    assert sync_points(nb) == 0, "test cell points are out of step with the checks: run `trainlab sync-notebooks`"
    assert not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "commit without outputs"
    nb.cells.insert(0, nbformat.v4.new_code_cell(AUDIT_CELL))  # not shipped: this run only
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    audit, nb.cells = nb.cells[0], nb.cells[1:]
    assert not audit.outputs, f"the figure audit did not install: {audit.outputs}"
    unlabelled = [f"cell {i}: {line.split(MARKER, 1)[1].strip()}" for i, cell in enumerate(nb.cells)
                  if cell.cell_type == "code" for out in cell.outputs if out.output_type == "stream"
                  for line in out.text.splitlines() if line.startswith(MARKER)]
    assert unlabelled == [], (f"{path.name} shows figures without a title or axis labels (the rule is in "
                              "tests/figure_audit.py):\n" + "\n".join(unlabelled))
    graded = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), f"cell {i} wrote to stderr: {out.text[:300]}"
        meta = cell.metadata.get("nbgrader", {})
        if is_test_cell(cell):
            results = [o for o in cell.outputs if o.output_type == "execute_result"]
            if results:  # partial-credit cells end with the points earned
                assert float(results[0].data["text/plain"]) == meta["points"], f"cell {i} lost points"
            graded += 1
    assert graded >= 1


def test_every_autograded_code_cell_is_scored_by_the_trusted_grader():
    """TrustedScores rescores grade(...) cells and the best-model cell; any other graded code cell
    would keep whatever the student's kernel printed, so the course must have none."""
    from grader.instructor.cells import grade_calls
    from grader.challenge import BEST_MODEL_CELL

    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if is_test_cell(cell):
                assert grade_calls(cell.source) or meta["grade_id"] == BEST_MODEL_CELL, (path.name, meta["grade_id"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_has_a_title(path):
    """Every code cell that shows a figure gives it a title (set_title or suptitle), so that a
    figure says what it shows before the reader works it out from the axes."""
    import nbformat

    untitled = [i for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
                if cell.cell_type == "code" and "plt.show()" in cell.source
                and not any(call in cell.source for call in ("set_title(", "suptitle(", "plt.title("))]
    assert untitled == [], f"cells {untitled} of {path.name} show a figure without a title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_written_question_has_a_model_answer_and_a_marking_guide(path):
    """The instructor's answer cell holds the model answer and a guide whose items add up to the
    question's points, inside the solution region nbgrader strips from the release."""
    from grader.instructor.answers import marking_guide, model_answer, written_cells

    nb = nbformat.read(path, as_version=4)
    for cell in written_cells(nb):
        grade_id, points = cell.metadata.nbgrader.grade_id, cell.metadata.nbgrader.points
        assert len(model_answer(cell.source).split()) >= 40, (path.name, grade_id)
        total, guide = marking_guide(cell.source)
        assert len(guide) >= 2 and total == points == sum(p for p, _ in guide), (path.name, grade_id, guide)


PREDICT_FIRST = "**Predict first.**"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_students_predict_before_the_main_experiments(path):
    """At least two plain markdown cells per notebook ask for a guess about what the next figure
    will show, each directly before the code cell that makes it; they are the student's to edit
    and are not graded (no nbgrader metadata)."""
    cells = nbformat.read(path, as_version=4).cells
    asks = [i for i, cell in enumerate(cells) if cell.cell_type == "markdown" and cell.source.startswith(PREDICT_FIRST)]
    assert len(asks) >= 2, f"{path.name} has {len(asks)} prediction cells"
    for i in asks:
        assert i + 1 < len(cells) and cells[i + 1].cell_type == "code", f"cell {i} of {path.name} is not followed by code"
        assert "nbgrader" not in cells[i].metadata, f"cell {i} of {path.name} is graded"
        assert "Write your guess here before running the next cell:" in cells[i].source, (path.name, i)
