"""Model answers and marking guides of the written questions, kept in the instructor's notebooks.

Each written question's answer cell (a markdown cell with nbgrader `solution: true`) holds, in the
instructor's copy, one nbgrader solution region:

    ### BEGIN SOLUTION
    **Model answer.** ...the answer a strong student would give...

    **Marking guide (2 points).**
    - 1 point: ...what an answer must contain...
    - 1 point: ...
    ### END SOLUTION

`nbgrader generate_assignment` replaces the region with "YOUR ANSWER HERE", so neither the answer
nor the guide reaches the release (tests/test_release.py asserts it). `trainlab course` also
writes every guide into the course folder's marking_guide.md, for the person grading in the
formgrader, which shows only the student's answer.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .strip import BEGIN, END

MODEL_ANSWER = "**Model answer.**"
GUIDE_HEADING = re.compile(r"^\*\*Marking guide \((\d+(?:\.\d+)?) points?\)\.\*\*$", re.M)
GUIDE_ITEM = re.compile(r"^- (\d+(?:\.\d+)?) points?: (.+)$", re.M)
GUIDE_FILE = "marking_guide.md"


def _region(source: str) -> str:
    lines = source.splitlines()
    if BEGIN not in lines or END not in lines:
        return ""
    return "\n".join(lines[lines.index(BEGIN) + 1:lines.index(END)])


def model_answer(source: str) -> str:
    """The model answer in an instructor's answer cell, without its guide ("" if there is none)."""
    region = _region(source)
    heading = GUIDE_HEADING.search(region)
    answer = region[:heading.start()] if heading else region
    return answer.replace(MODEL_ANSWER, "", 1).strip()


def marking_guide(source: str) -> tuple[float, list[tuple[float, str]]]:
    """(points the guide says the question is worth, [(points, criterion), ...])."""
    region = _region(source)
    heading = GUIDE_HEADING.search(region)
    if not heading:
        return 0.0, []
    return float(heading.group(1)), [(float(p), text.strip()) for p, text in GUIDE_ITEM.findall(region[heading.end():])]


def written_cells(nb) -> list:
    """The answer cells of the written questions: markdown cells graded by hand."""
    return [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
            and c.metadata["nbgrader"].get("grade")]


def question_text(nb, cell) -> str:
    """The markdown cell just before an answer cell: the question."""
    index = nb.cells.index(cell)
    return nb.cells[index - 1].source.strip() if index > 0 else ""


def write_marking_guide(notebooks: list[Path], out: Path) -> Path:
    """marking_guide.md: every written question with its points, model answer and guide."""
    parts = ["# Marking guide\n\nEvery written question of the assignment, its model answer and how its points "
             "are given. Grade in the formgrader (`jupyter lab` in the course folder, then Nbgrader > Formgrader > "
             "Manage Submissions); this file is for the grader only, never for students.\n"]
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in written_cells(nb):
            meta = cell.metadata["nbgrader"]
            _, guide = marking_guide(cell.source)
            items = "\n".join(f"- {p:g}: {text}" for p, text in guide) or "- (no guide written)"
            parts.append(f"## {path.stem} / {meta['grade_id']} ({meta['points']:g} points)\n\n"
                         f"{question_text(nb, cell)}\n\n**Model answer.** {model_answer(cell.source) or '(none)'}\n\n"
                         f"**Marking guide.**\n{items}\n")
    out.write_text("\n".join(parts))
    return out
