"""Which checks score which notebook cell: the `grade(...)` calls of a test cell, and its points."""
from __future__ import annotations

import ast

from ..notebook import cell_checks, cell_points


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



def sync_points(nb) -> int:
    """Set each check-calling test cell's points to the points of its checks; return cells changed."""
    changed = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        calls = grade_calls(cell.source)
        if calls:
            points = float(sum(cell_points(topic, functions, hidden) for topic, functions, hidden in calls))
            if meta.get("points") != points:
                meta["points"] = points
                changed += 1
    return changed
