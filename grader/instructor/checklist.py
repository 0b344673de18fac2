"""The checklist for a graded function (CONTRIBUTING.md), checked: `trainlab checklist`.

Every function that checks give points to must be (1) written in src/trainlab/<topic>.py with its
body in a solution region, so that the release hands students a stub; (2) declared with checks in
grader/checks/<topic>.py; (3) stored in the public fixtures (`trainlab fixtures <topic>`); (4)
graded by a public test cell and, where it has hidden checks, a hidden test cell of a notebook;
(5) worth in each cell the points its checks carry (`trainlab sync-notebooks`). Each problem is
one sentence that names the fix. The mutant that shows its checks catch a real mistake is the
test suite's part (tests/test_mutants.py).
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from ..catalogue import cases, select
from ..core.errors import CheckFailure
from ..core.fixture_store import Fixtures
from .cells import graded_calls, sync_points
from .layout import notebooks
from .strip import BEGIN


def solution_functions(root: Path, topic: str) -> dict[str, bool]:
    """The module's public functions: name -> whether its body holds a solution region."""
    path = root / "src" / "trainlab" / f"{topic}.py"
    if not path.is_file():
        return {}
    text = path.read_text()
    lines = text.splitlines()
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            found[node.name] = any(line.strip() == BEGIN for line in lines[node.lineno - 1:node.end_lineno])
    return found


def problems(root: Path) -> list[str]:
    root = Path(root)
    checks = select(hidden=True)
    out = []
    graded = {}  # (topic, function) -> {"public": points, "hidden": points}
    for chk in checks:
        entry = graded.setdefault((chk.topic, chk.function), {"public": 0.0, "hidden": 0.0})
        entry["hidden" if chk.hidden else "public"] += chk.points
    topics = sorted({topic for topic, _ in graded})
    in_src = {topic: solution_functions(root, topic) for topic in topics}
    for (topic, function), points in graded.items():
        if not points["public"] + points["hidden"]:
            continue  # a given function: checked, worth nothing
        if function not in in_src[topic]:
            out.append(f"{function} has checks but no function in src/trainlab/{topic}.py: write it there.")
        elif not in_src[topic][function]:
            out.append(f"{function} in src/trainlab/{topic}.py has no solution region: put its body between "
                       f"{BEGIN} and ### END SOLUTION so that the release gives students a stub.")
    for topic in topics:
        for function, region in in_src[topic].items():
            if region and (topic, function) not in graded:
                out.append(f"{function} in src/trainlab/{topic}.py has a solution region but no check: declare "
                           f"its checks in grader/checks/{topic}.py.")
    fixtures = Fixtures(root / "grader" / "fixtures")
    stale = set()
    for case in cases():
        try:
            fixtures.case(case)
        except CheckFailure:
            stale.add(case.topic)
    out += [f"the public fixtures of {topic} lack cases: run `trainlab fixtures {topic}`." for topic in sorted(stale)]
    books = {path: nbformat.read(path, as_version=4) for path in notebooks(root)}
    cells = {(topic, function, hidden): path for path, nb in books.items()
             for topic, functions, hidden in graded_calls(nb) for function in functions}
    home = {topic: path for (topic, _, _), path in sorted(cells.items(), key=lambda kv: str(kv[1]), reverse=True)}
    for (topic, function), points in graded.items():
        where = f"notebooks/{home[topic].name}" if topic in home else f"the notebook of {topic}"
        for hidden, kind in ((False, "public"), (True, "hidden")):
            if points[kind] and (topic, function, hidden) not in cells:
                call = f'grade("{topic}", ["{function}"]{", hidden=True" if hidden else ""})'
                out.append(f"{function} has {points[kind]:g} points of {kind} checks that no notebook cell grades: "
                           f"add a {kind} test cell calling {call} to {where}.")
    for path, nb in books.items():
        if sync_points(nb):
            out.append(f"notebooks/{path.name} has test cells whose points differ from their checks': "
                       "run `trainlab sync-notebooks`.")
    return out


def sync_notebooks(root: Path) -> dict[str, int]:
    """Write each test cell's points (and a hidden cell's "(N points)") into notebooks/; return the
    cells changed per notebook that changed."""
    changed = {}
    for path in notebooks(Path(root)):
        nb = nbformat.read(path, as_version=4)
        count = sync_points(nb)
        if count:
            nbformat.write(nb, path)
            changed[path.name] = count
    return changed
