"""Which checks score which notebook cell: the autograded test cells, their `grade(...)` calls, and
their points (kept in step with the checks by `trainlab sync-notebooks` and `trainlab course`)."""
from __future__ import annotations

import ast
import re

from ..notebook import cell_checks, cell_points

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
POINTS_WORDS = re.compile(r"\((\d+(?:\.\d+)?) points?\)")  # "(4 points)" in a hidden cell's comment


def is_test_cell(cell) -> bool:
    """An autograded test cell: a code cell nbgrader grades that holds no solution."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def grade_calls(source: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """The distinct (topic, functions, hidden) of the `grade(...)` calls in a test cell's source."""
    found = []
    for node in ast.walk(ast.parse(source.replace("%", "#"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "grade" and len(node.args) >= 2:
            topic, functions = ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1])
            hidden = any(k.arg == "hidden" and ast.literal_eval(k.value) for k in node.keywords)
            key = (topic, tuple([functions] if isinstance(functions, str) else functions), hidden)
            if key not in found:
                found.append(key)
    return found


def checks_of_cell(source: str) -> list:
    """The trusted checks that score one test cell: those of every grade(...) call in its source."""
    return [check for topic, functions, hidden in grade_calls(source) for check in cell_checks(topic, functions, hidden)]


def graded_calls(nb) -> list[tuple[str, tuple[str, ...], bool]]:
    """Every (topic, functions, hidden) that some test cell of the notebook grades."""
    return [call for cell in nb.cells if is_test_cell(cell) for call in grade_calls(cell.source)]


def sync_points(nb) -> int:
    """Set each check-calling test cell's points to the points of its checks, and the "(N points)"
    of a hidden cell's comment (what the student reads in place of the cell) to the same; return
    the number of cells changed."""
    changed = 0
    for cell in nb.cells:
        calls = grade_calls(cell.source) if is_test_cell(cell) else []
        if not calls:
            continue
        meta = cell.metadata["nbgrader"]
        points = float(sum(cell_points(topic, functions, hidden) for topic, functions, hidden in calls))
        source = cell.source
        if HIDDEN_BEGIN in source:
            comment, marker, rest = source.partition(HIDDEN_BEGIN)
            words = f"{points:g} point{'s' if points != 1 else ''}"
            source = POINTS_WORDS.sub(f"({words})", comment) + marker + rest
        if meta.get("points") != points or source != cell.source:
            meta["points"], cell.source = points, source
            changed += 1
    return changed
