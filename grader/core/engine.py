"""Run a selection of checks against one student package and collect results."""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .cases import is_style
from .errors import CheckFailure, NotImplementedYet, SubmissionError
from .fixture_store import Fixtures
from .inner import FaithfulRunner, inner_functions
from ..sandbox.inside.invoke import FLOAT_HINT
from ..catalogue import select, topic
from .registry import CHECKS, Context, check_rng
from .runner import Runner, default_src

PASSED, FAILED, NOT_IMPLEMENTED = "passed", "failed", "not implemented yet"
# Built from parts so that this file, which ships to students, holds no marker line itself.
SOLUTION_MARK = "### BEGIN " + "SOLUTION"


@dataclass
class Result:
    id: str
    topic: str
    function: str
    name: str
    points: float
    hidden: bool
    status: str
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def reference_src() -> Path | None:
    """The source folder holding the reference solutions, or None in a student release."""
    src = default_src()
    package = src / "trainlab"
    if package.is_dir() and any(SOLUTION_MARK in p.read_text() for p in package.glob("*.py")):
        return src
    return None


def run_checks(src=None, topics=None, hidden=False, seed=0, overrides=None, reference=None, checks=None,
               sandbox=False, fresh=False, limits=None, then=None):
    """Run checks on the package under `src`; every check yields exactly one Result.

    `reference` is a Runner on the reference solutions (built on demand for hidden checks and
    fresh inputs). `checks` overrides the selection (used by tests). With `sandbox` the student
    code runs in a SandboxRunner (grader/sandbox/host.py), never in this process. With `fresh` every
    check, public ones included, draws new inputs from `seed` and compares with the reference
    computed live, so answers memorised from the stored fixtures are worth nothing (grading).
    `then(runner, reference, results)`, if given, runs after the checks with the same runner still
    open (grading takes the submission's fingerprint there, grader/mistakes/collect.py).
    """
    selected = checks if checks is not None else select(topics, hidden)
    src = Path(src) if src is not None else default_src()
    try:
        runner = _student_runner(src, overrides, sandbox, limits)
    except SubmissionError as exc:
        return [_result(c, FAILED, str(exc)) for c in selected]
    try:
        if reference is None and (fresh or any(c.hidden for c in selected)):
            ref_dir = reference_src()
            reference = Runner(ref_dir) if ref_dir is not None else None
        grading = Grading(runner, seed, reference, Fixtures(), fresh)
        results = [grading.result(chk) for chk in selected]
        if then is not None:
            then(runner, reference, results)
        return results
    finally:
        runner.close()


COUNTED = "counted as passed"  # how the message of a check passed on another function's account starts
NOT_GRADED = ("not graded: {function} must pass its value checks first (a function that does nothing passes "
              "this one).")


class Grading:
    """One run of checks: each check runs once, and a check that a function doing nothing would
    pass earns its points only when the function passes all its public value checks, which run
    here if the selection lacks them (GRADING_RULES.md, rule 3)."""

    def __init__(self, runner, seed, reference, fixtures, fresh):
        self.runner, self.seed, self.reference, self.fixtures, self.fresh = runner, seed, reference, fixtures, fresh
        self.done: dict[str, Result] = {}
        self.rerouted: dict = {}  # check id -> the runner it passed with, the reference's upstream in it
        self.busy: set[str] = set()  # checks running: a check never waits on itself

    def context(self, chk, runner=None) -> Context:
        return Context(runner or self.runner, check_rng(self.seed, chk.id), self.seed, self.reference,
                       self.fixtures, self.fresh)

    def own(self, chk) -> Result:
        if chk.id not in self.done:
            self.busy.add(chk.id)
            ctx = self.context(chk)
            result = run_one(chk, ctx)
            if result.status == FAILED and ctx.peers:
                result = self.peers(chk, ctx, result)
            if result.status == FAILED or (result.passed and ctx.upstream):
                result = self.upstream(chk, ctx, result)
            self.done[chk.id] = result
            self.busy.discard(chk.id)
        return self.done[chk.id]

    def wrong_upstream(self, chk, names) -> list:
        """Those of `names` (functions of chk's topic) that fail one of their own public checks (a
        writing into its arguments corrupts what it hands on too) or pass it only as counted."""
        wrong = []
        for name in sorted(set(names) - {chk.function}):
            theirs = [c for c in CHECKS if c.topic == chk.topic and c.function == name and not c.hidden
                      and c.id not in self.busy]
            if not all(self.own(c).passed and not self.own(c).message.startswith(COUNTED) for c in theirs):
                wrong.append(name)  # failed, or passed only because a function it uses is wrong
        return wrong

    def peers(self, chk, ctx, failure: Result) -> Result:
        """Two student functions that disagree: when the graded one passes its own public value
        checks and a peer fails its own, the disagreement is the peer's and the check counts as
        passed; otherwise it stands. Both verdicts are known without the reference, so a self-check
        and grading decide alike (GRADING_RULES.md, rule 1)."""
        wrong = self.wrong_upstream(chk, ctx.peers)
        mine = [c for c in value_checks(chk) if c.id != chk.id and c.id not in self.busy]
        if not wrong or not mine or not all(self.own(c).passed for c in mine):
            return failure
        names = " and ".join(wrong)
        return _result(chk, PASSED, f"{COUNTED}: {chk.function} passes its own value checks and {names} fails "
                                    f"its own; fix {names} first.")

    def upstream(self, chk, ctx, failure: Result) -> Result:
        """A verdict reached with a function the check used (a forward for its cache, a fit, an inner
        function) that fails its own checks is not the graded function's (GRADING_RULES.md, rule 1):
        with the reference at hand, the check runs again with the reference's version of that
        function and its verdict stands; on a self-check, where nothing else can tell, the check
        counts as passed until that function is fixed."""
        wrong = self.wrong_upstream(chk, ctx.upstream | set(self.inner(chk)))
        if not wrong:
            return failure
        names = " and ".join(wrong)
        if self.reference is None:
            return _result(chk, PASSED, f"counted as passed for now: fix {names} first; this check judges "
                                        f"{chk.function} on its results once {names} passes its own checks.")
        runner = FromReference(self.runner, self.reference, [f"{chk.topic}.{name}" for name in wrong])
        rerun = _attempt(chk, self.context(chk, runner))
        if rerun.passed:
            self.rerouted[chk.id] = runner
            return _result(chk, PASSED, f"counted as passed: {chk.function} is right on what the reference "
                                        f"{names} gives; fix {names} first (its own checks count it).")
        return rerun if failure.passed else failure

    def inner(self, chk) -> tuple:
        """On a self-check, the graded functions the student's own function calls (at grading the
        stand-in of grader/core/inner.py judges them)."""
        if self.reference is not None or not hasattr(self.runner, "function"):
            return ()
        return tuple(n.rpartition(".")[2] for n in inner_functions(self.runner, f"{chk.topic}.{chk.function}"))

    def result(self, chk) -> Result:
        result = self.own(chk)
        if not result.passed or all(self.own(c).passed for c in value_checks(chk)):
            return result
        runner = self.rerouted.get(chk.id, self.runner)  # the setting the check passed in
        if is_style(chk) or any(_passes(chk, self.context(chk, DoNothing(kind, runner, chk.function)))
                                for kind in DO_NOTHING):
            return _result(chk, FAILED, NOT_GRADED.format(function=chk.function))
        return result


def value_checks(chk) -> list:
    """The public value checks of chk's function: the same in a student release and at grading."""
    return [c for c in CHECKS if c.topic == chk.topic and c.function == chk.function and c.value and not c.hidden]


def _passes(chk, ctx) -> bool:
    try:
        chk.fn(ctx)
    except Exception:
        return False
    return True


def _like(value, fill):
    """An array of value's shape (or of the shape value is) filled with `fill`."""
    if isinstance(value, tuple) and value and all(isinstance(d, int) for d in value):
        return np.full(value, fill)
    return np.full(np.shape(value), fill, dtype=float)


def _first(args, kwargs):
    return args[0] if args else next(iter(kwargs.values()), None)


def _state(args, kwargs):
    """The last dict argument (config, bn_param): what a rule that does nothing hands back."""
    return next((a for a in reversed([*args, *kwargs.values()]) if isinstance(a, dict)), None)


# What a function that does nothing returns, from its arguments (args, kwargs).
DO_NOTHING = (
    lambda a, k: None,
    lambda a, k: copy.deepcopy(_first(a, k)),
    lambda a, k: _like(_first(a, k), 0.0),
    lambda a, k: _like(_first(a, k), np.nan),
    lambda a, k: (copy.deepcopy(_first(a, k)), _state(a, k)),
    lambda a, k: (_like(_first(a, k), 0.0), _state(a, k)),
    lambda a, k: (_like(_first(a, k), np.nan), _state(a, k)),
)


class FromReference:
    """The student's runner, except that the functions in `names` are the reference's."""

    def __init__(self, runner, reference, names):
        self.runner, self.reference, self.names = runner, reference, set(names)

    @property
    def last_changed(self) -> list:
        return self.runner.last_changed

    def call(self, name, *args, **kwargs):
        return (self.reference if name in self.names else self.runner).call(name, *args, **kwargs)

    def raises(self, name, *args, **kwargs):
        return (self.reference if name in self.names else self.runner).raises(name, *args, **kwargs)


class DoNothing:
    """The student's runner, with the graded function doing nothing in one way (DO_NOTHING): the
    functions a check uses but does not grade answer as they do in the real run, in a self-check
    as at grading."""

    def __init__(self, kind, runner, function: str):
        self.kind, self.runner, self.function, self.last_changed = kind, runner, function, []

    def call(self, name, *args, **kwargs):
        if name.rpartition(".")[2] == self.function:
            return self.kind(args, kwargs)
        return self.runner.call(name, *args, **kwargs)

    def raises(self, name, *args, **kwargs):
        return None if name.rpartition(".")[2] == self.function else self.runner.raises(name, *args, **kwargs)


def _student_runner(src: Path, overrides, sandbox: bool, limits):
    if not sandbox:
        return Runner(src, overrides=overrides)
    if overrides:
        raise ValueError("overrides are in-process test doubles; they cannot run in the sandbox")
    from ..sandbox.host import DEFAULT_LIMITS, SandboxRunner

    runner = SandboxRunner(src, limits or DEFAULT_LIMITS)
    runner.start()
    return runner


def run_one(chk, ctx) -> Result:
    result = _attempt(chk, ctx)
    if result.status == FAILED and ctx.reference is not None:
        result = _charge_inner(chk, ctx, result)
    return result


def _attempt(chk, ctx) -> Result:
    try:
        chk.fn(ctx)
    except NotImplementedYet as exc:
        return _result(chk, NOT_IMPLEMENTED, f"{exc}.")
    except CheckFailure as exc:
        if exc.hint == FLOAT_HINT:
            exc.hint = _float_error_hint(chk) or exc.hint
        elif exc.hint is None:
            exc.hint = _error_hint(chk, exc.message)
        return _result(chk, FAILED, str(exc))
    except Exception as exc:  # a defect in the check itself must not stop the run
        return _result(chk, FAILED, f"the check could not run ({type(exc).__name__}: {exc}).")
    return _result(chk, PASSED)


def _float_error_hint(chk) -> str | None:
    """The topic's own hint for a floating-point error in this function, if it has one."""
    return topic(chk.topic).float_error_hints.get(chk.function)


def _error_hint(chk, message: str) -> str | None:
    """The topic's hint for an error the student's function raised, recognised by words of its
    message (ERROR_HINTS: function -> [(words, hint)]), if it has one."""
    for words, hint in topic(chk.topic).error_hints.get(chk.function, ()):
        if f"{chk.function} raised" in message and words in message:
            return hint
    if "_backward" in chk.function and f"{chk.function} raised" in message and any(w in message for w in CACHE_ERRORS):
        return CACHE_HINT
    return None


CACHE_ERRORS = ("values to unpack", "index out of range", "is not subscriptable", "object is not iterable")
CACHE_HINT = ("a backward reads the cache its own forward built: the items your backward unpacks must be those "
              "of the forward's cache = ... line, in the same order (the layout is yours to choose).")


def _charge_inner(chk, ctx, failure: Result) -> Result:
    """A failure of a function built on other student functions is its own only if it does not
    behave exactly like the reference built on the student's inner functions (grader/core/inner.py)."""
    name = f"{chk.topic}.{chk.function}"
    inner = inner_functions(ctx.reference, name)
    if not inner:
        return failure
    stand_in = FaithfulRunner(ctx.runner, ctx.reference, name, inner)
    # New inputs: nothing the student's functions saw in the first attempt can be replayed here.
    _attempt(chk, replace(ctx, runner=stand_in, rng=check_rng(ctx.seed, f"{chk.id} (stand-in)")))
    if not stand_in.agreed:
        return failure
    names = ", ".join(n.rpartition(".")[2] for n in inner)
    return _result(chk, PASSED, f"counted as passed: {chk.function} does its own part right; the difference "
                                f"comes from {names}, whose own checks count it.")


def _result(chk, status, message="") -> Result:
    return Result(chk.id, chk.topic, chk.function, chk.name, chk.points, chk.hidden, status, message)


def score(results) -> tuple[float, float]:
    """(points earned, points possible)."""
    return sum(r.points for r in results if r.passed), sum(r.points for r in results)
