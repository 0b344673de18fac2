"""What the notebooks call: set up the student's library and grade a group of functions.

A graded test cell in a notebook runs `score = grade(topic, functions)`, then (inside nbgrader's
hidden-tests markers, so only the instructor's copy has it) `score += grade(topic, functions,
hidden=True)`, and ends with the bare expression `score`.

`grade` runs the checks of those functions on the student's own src/ (never the installed
reference), prints one line per check to stdout (nothing goes to stderr, which would zero the
cell), and returns the points earned. nbgrader reads a number as the cell's last value as partial
credit, so a student loses exactly the points of the checks that fail. The cell's points in its
nbgrader metadata are the sum of the public and hidden checks' points (`cell_points`), kept in
step by `trainlab course`.
"""
from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

from .engine import NOT_IMPLEMENTED, PASSED, run_checks
from .registry import select

FAST_ENV = ("NBGRADER_EXECUTION", "TRAINLAB_FAST")


def fast_mode() -> bool:
    """True while nbgrader autogrades or validates (or TRAINLAB_FAST is set): skip slow experiments."""
    return any(os.environ.get(name) for name in FAST_ENV)


def find_src(start: Path | None = None) -> Path:
    """The student's source folder: ./src or ../src from the notebook's folder."""
    start = Path(start or Path.cwd())
    for candidate in (start / "src", start.parent / "src"):
        if (candidate / "trainlab" / "__init__.py").is_file():
            return candidate
    raise FileNotFoundError(f"no src/trainlab folder next to {start}; open the notebook from the assignment folder.")


def setup(start: Path | None = None) -> Path:
    """Make `import trainlab` load the student's src/ (not an installed copy); return that folder.

    Also limits BLAS to one thread: the notebooks multiply small matrices, where a second thread
    competing for 2 cores with the autograder's other work made training runs 5-20 times slower.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    src = find_src(start)
    if sys.path[:1] != [str(src)]:
        sys.path.insert(0, str(src))
    for name in [m for m in sys.modules if m == "trainlab" or m.startswith("trainlab.")]:
        del sys.modules[name]  # pick up the student's latest edits
    return src


def student_seed(start: Path | None = None) -> int:
    """Seed for hidden checks: TRAINLAB_SEED if set, else derived from the student id.

    Under nbgrader autograde the notebook runs in autograded/<student>/<assignment>/, so the
    student id is the parent folder's name; elsewhere the seed is 0.
    """
    if os.environ.get("TRAINLAB_SEED"):
        return int(os.environ["TRAINLAB_SEED"])
    here = Path(start or Path.cwd()).resolve()
    if here.parent.parent.name == "autograded":
        return seed_for_student(here.parent.name)
    return 0


def seed_for_student(student_id: str) -> int:
    return zlib.crc32(student_id.encode()) % 2**31


def _selected(topic: str, functions, hidden: bool):
    return [c for c in select([topic], hidden=hidden) if c.function in functions and c.hidden == hidden]


def cell_points(topic: str, functions) -> float:
    """Points of the public and hidden checks of `functions` (what the nbgrader cell is worth)."""
    return sum(c.points for c in select([topic], hidden=True) if c.function in functions)


def grade(topic: str, functions, hidden: bool = False, seed: int | None = None, quiet: bool = False) -> float:
    """Run the public (or only the hidden) checks of `functions`; print them; return points earned."""
    functions = [functions] if isinstance(functions, str) else list(functions)
    checks = _selected(topic, functions, hidden)
    if not checks:
        raise ValueError(f"no {'hidden' if hidden else 'public'} checks for {functions} in topic {topic!r}.")
    results = run_checks(find_src(), checks=checks, seed=student_seed() if seed is None else seed)
    earned = sum(r.points for r in results if r.passed)
    if not quiet:
        mark = {PASSED: "ok  ", NOT_IMPLEMENTED: "todo"}
        for r in results:
            line = f"[{mark.get(r.status, 'FAIL')}] {r.function}: {r.name}"
            print(line if r.passed else f"{line}\n       {r.message}")
        kind = "hidden" if hidden else "public"
        print(f"{kind} checks: {sum(r.passed for r in results)}/{len(results)} passed, "
              f"{earned:g}/{sum(r.points for r in results):g} points")
    return float(earned)
