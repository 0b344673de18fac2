"""What the notebooks call: set up the student's library and grade a group of functions.

Each group of functions has two graded test cells. The public one runs `grade(topic, functions)`
and ends with its value, the points earned; it is worth the public checks' points. The hidden one
holds `grade(topic, functions, hidden=True)` inside nbgrader's hidden-tests markers and is worth
the hidden checks' points: the release keeps only its comment, so the cell displays nothing and
`nbgrader validate` counts it as passed, and a student whose public checks all pass sees validate
succeed. At grading the trusted grader scores both cells itself (grader/instructor/trusted.py), so
the autograded total is the points of every check that passed.

`grade` runs the checks of those functions on the student's own src/ (never the installed
reference), prints one line per check to stdout (nothing goes to stderr, which would zero the
cell), and returns the points earned. nbgrader reads a number as the cell's last value as partial
credit, so a student loses exactly the points of the checks that fail. Each cell's points in its
nbgrader metadata are its checks' points (`cell_points`), kept in step by `trainlab course`.
"""
from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

from .core.engine import run_checks
from .catalogue import select
from .core.registry import hidden_available

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
    _one_line_for_missing_functions()
    return src


def missing_function(tb) -> tuple[str, str] | None:
    """(function, module) of the student library function whose stub raised NotImplementedError
    in traceback `tb` (the innermost frame in trainlab's own modules), or None."""
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith("trainlab.") and module.count(".") == 1:
            found = (code.co_name, module.rpartition(".")[2])
        tb = tb.tb_next
    return found


def _one_line_for_missing_functions() -> None:
    """In a notebook, an experiment that reaches a function the student has not written yet stops
    with one line naming it and its file, instead of a traceback, and leaves no empty figure."""
    try:
        shell = get_ipython()  # noqa: F821  (defined inside IPython only)
    except NameError:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        where = missing_function(tb)
        if where is None:
            return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")  # the figure this cell began stays empty: drop it
        function, module = where
        print(f"this experiment needs {function}: implement it in src/trainlab/{module}.py, then run this cell again.")
        return None

    shell.set_custom_exc((NotImplementedError,), handler)


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


def cell_checks(topic: str, functions, hidden: bool | None = None) -> list:
    """The checks of `functions` a test cell stands for: the public ones (hidden=False), the hidden
    ones (hidden=True) or both (None)."""
    return [c for c in select([topic], hidden=True)
            if c.function in functions and (hidden is None or c.hidden == hidden)]


def cell_points(topic: str, functions, hidden: bool | None = None) -> float:
    """Points of the checks of `functions` a test cell stands for (what the nbgrader cell is worth)."""
    return sum(c.points for c in cell_checks(topic, functions, hidden))


class CellPoints(float):
    """The points a test cell earned. nbgrader reads a cell's plain-text result as its partial
    credit, so the plain text stays the number; a notebook shows one line, "7 of 9 points", instead
    of a bare 7.0 under the table."""

    def __new__(cls, earned: float, possible: float, where: str = "public checks"):
        value = super().__new__(cls, earned)
        value.possible, value.where = float(possible), where
        return value

    def __repr__(self) -> str:
        return repr(float(self))

    def _repr_markdown_(self) -> str:
        from .core.report import points_line

        return points_line(float(self), self.possible, self.where)


def grade(topic: str, functions, hidden: bool = False, seed: int | None = None, quiet: bool = False) -> float:
    """Run the public (or only the hidden) checks of `functions`; print them; return points earned.

    Under autograde this runs in the sandboxed kernel, where the hidden checks do not exist: the
    trusted grader replaces the cell's output with its own result afterwards.
    """
    functions = [functions] if isinstance(functions, str) else list(functions)
    if hidden and not hidden_available():
        print("hidden checks run at grading time, by the grader, outside this notebook")
        return 0.0
    checks = _selected(topic, functions, hidden)
    if not checks:
        raise ValueError(f"no {'hidden' if hidden else 'public'} checks for {functions} in topic {topic!r}.")
    results = run_checks(find_src(), checks=checks, seed=student_seed() if seed is None else seed)
    earned = CellPoints(sum(r.points for r in results if r.passed), sum(r.points for r in results),
                        "hidden checks" if hidden else "public checks")
    if not quiet:
        from .core.report import text_report, unfinished_summary

        print(text_report(results, f"{'hidden' if hidden else 'public'} checks"), end="")
        summary = unfinished_summary(results)
        if summary and os.environ.get("NBGRADER_EXECUTION") == "validate":
            # `nbgrader validate` shows a failing cell's stderr in place of its stock "Partial credit"
            # line: what is left, by function. Only there: anywhere else stderr would zero the cell.
            print(summary, file=sys.stderr)
    return earned
