"""Charging a mistake once when one student function calls another.

Some student functions are built on others: spatial_batchnorm_forward calls batchnorm_forward,
pca_whiten calls pca_project, the Kaiming initializers call fan_in_and_fan_out. A wrong inner
function then also makes the outer one's checks fail, although the outer function's own code is
right. So when a check of an outer function fails at grading time (the reference is at hand), it
runs once more with the outer function replaced by a *faithful* stand-in: the reference's code
for the outer function, calling the student's inner functions. The rerun draws new inputs (its
own rng), and on every call of the outer function the stand-in runs first and the student's
version second, on a copy of the same arguments, so an inner function cannot answer from what the
outer one saw before. The outer function earns the check through the stand-in only if, on every
call of the rerun:

* the student's outer function gives what the stand-in gives (results, state written into the
  caller's dicts, writes into the arguments), and
* the stand-in's result shows work: the first float array of its result is finite, not constant
  and not one of the arguments; or, where an inner function raised, the student's outer function
  raised that same error (same exception and message). A stand-in that fails in the
  reference's own code, or on an inner function that is not implemented, proves nothing; for a
  call that must raise, the stand-in must raise.

The second condition is what makes the stand-in prove the outer function right: a function that
does nothing (returns zeros, NaN, its input or None) can agree with a stand-in only when the inner
results make the stand-in's answer one of those, and then nothing is learnt. When both hold, the
outer function does its own part right, the difference comes from the inner function, whose own
checks count it, and the check passes with a note naming the inner function; otherwise the first
failure stands.

The stand-in is grader code running on plain data: it only calls the student's functions through
the runner (the sandbox at grading time).
"""
from __future__ import annotations

import copy
import re
import types

import numpy as np

from .compare import TOL_EXACT, rel_error
from .errors import CheckFailure, NotImplementedYet
from .registry import CHECKS


def _names(code) -> set:
    """Global names used by a code object and the functions and comprehensions inside it."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _helpers_and_graded(fn, graded: set) -> tuple[set, set]:
    """The module's own functions that `fn` calls, directly or through ungraded helpers
    (kaiming_normal -> _kaiming_fan -> fan_in_and_fan_out): (helpers, graded functions)."""
    helpers, found, todo = set(), set(), [fn]
    while todo:
        current = todo.pop()
        for n in _names(current.__code__):
            target = current.__globals__.get(n)
            if not isinstance(target, types.FunctionType):
                continue
            if n in graded:  # whatever module it was defined in (a test's stand-in for a student function)
                found.add(n)
            elif target.__module__ == fn.__module__ and n not in helpers:
                helpers.add(n)
                todo.append(target)
    return helpers, found


def inner_functions(reference, name: str) -> tuple:
    """The graded functions of the same module that the reference's `name` calls."""
    module, _, short = name.rpartition(".")
    graded = {c.function for c in CHECKS if c.topic == module and c.points > 0}
    try:
        fn = reference.function(name)
    except Exception:
        return ()
    _, found = _helpers_and_graded(fn, graded)
    return tuple(sorted(f"{module}.{n}" for n in found - {short}))


def faithful(reference, name: str, inner: tuple, student_call):
    """The reference's `name`, with its calls of the `inner` functions (also those made through
    the module's helpers) going to `student_call`."""
    fn = reference.function(name)
    shorts = {dotted.rpartition(".")[2] for dotted in inner}
    helpers, _ = _helpers_and_graded(fn, shorts)
    scope = dict(fn.__globals__)

    def rebound(f):
        copy_ = types.FunctionType(f.__code__, scope, f.__name__, f.__defaults__, f.__closure__)
        copy_.__kwdefaults__ = f.__kwdefaults__
        return copy_

    for helper in helpers:
        scope[helper] = rebound(fn.__globals__[helper])
    for dotted in inner:
        scope[dotted.rpartition(".")[2]] = lambda *a, _name=dotted, **k: student_call(_name, *a, **k)
    return rebound(fn)


def agree(a, b) -> bool:
    """Same structure, equal non-array parts, arrays of one shape within TOL_EXACT."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False  # an array never agrees with a list, a tuple or a number
        if a.shape != b.shape or a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
            return a.shape == b.shape and bool(np.all(a == b))
        return a.dtype == b.dtype and (a.size == 0 or rel_error(a, b) <= TOL_EXACT)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(agree(a[k], b[k]) for k in a)
    if isinstance(a, np.random.Generator) or isinstance(b, np.random.Generator):
        return True  # a generator's state is compared through the values drawn from it
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return agree(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return bool(a == b) if type(a) is type(b) else False


def _float_arrays(value):
    """The float arrays inside a result or argument list, in order (tuples, lists, dict values)."""
    if isinstance(value, np.ndarray):
        return [value] if value.dtype.kind == "f" else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in _float_arrays(v)]
    return []


def shows_work(result, arguments) -> bool:
    """The first float array of `result` is finite, not constant and not one of the `arguments`:
    an answer that no function doing nothing (zeros, NaN, its input, None) gives."""
    arrays = _float_arrays(result)
    if not arrays:
        return False
    out = arrays[0]
    if out.size == 0 or not np.all(np.isfinite(out)) or (out.size > 1 and np.ptp(out) == 0):
        return False
    return not any(a.shape == out.shape and np.array_equal(a, out) for a in _float_arrays(arguments))


def _error_text(failure: Exception) -> str:
    """What a student function raised, without the function that passed it on or the line."""
    message = getattr(failure, "message", str(failure))
    return re.sub(r" \(at [^()]* line \d+\)\.$", ".", message.partition(" raised ")[2] or message)


class FaithfulRunner:
    """The student's runner, except that calls of `name` go to the faithful stand-in and are
    compared with the student's own `name` on the same arguments (see the module docstring)."""

    def __init__(self, runner, reference, name: str, inner: tuple):
        self.runner, self.name, self.inner = runner, name, inner
        self.stand_in = faithful(reference, name, inner, self._inner_call)
        self.calls = 0
        self.differs = False  # the student's outer function gave another answer than the stand-in
        self.proves_nothing = False  # a stand-in answer that a function doing nothing could give
        self.last_changed: list[str] = []
        self._inner_changed: list[str] = []
        self._inner_error: str | None = None

    def _inner_call(self, name, *args, **kwargs):
        try:
            out = self.runner.call(name, *args, **kwargs)
        except CheckFailure as failure:
            self._inner_error = _error_text(failure)
            raise
        self._inner_changed.extend(self.runner.last_changed)
        return out

    def _student(self, args, kwargs):
        try:
            out = self.runner.call(self.name, *args, **kwargs)
            return "returned", out, list(self.runner.last_changed)
        except (CheckFailure, NotImplementedYet) as failure:
            return "raised", _error_text(failure), list(self.runner.last_changed)

    def _stand_in(self, args, kwargs):
        self._inner_changed, self._inner_error = [], None
        try:
            with np.errstate(all="ignore"):  # inf or NaN from odd inner results: shows_work refuses them
                return "returned", self.stand_in(*args, **kwargs)
        except NotImplementedYet:
            self.proves_nothing = True
            raise
        except Exception:  # the inner results made the reference code fail, as they would the student's
            return "raised", None

    def _judge(self, stand_in, student, given, student_args, stand_in_args) -> None:
        """Record whether the student's call agrees with the stand-in's and whether the stand-in's
        answer shows work (see the module docstring)."""
        (kind, out), (student_kind, student_out, student_changed) = stand_in, student
        if kind == "raised":  # only the inner function's own error, passed on unchanged, shows its part
            self.proves_nothing |= self._inner_error is None or student_out != self._inner_error
        else:
            self.proves_nothing |= not shows_work(out, given)
        # The stand-in ran on the caller's arguments, so their state dicts hold its updates; the
        # student's copies hold the student's. Writes into the arguments are the inner functions'
        # only if the stand-in's inner calls made some too.
        self.differs |= (kind != student_kind or (kind == "returned" and not agree(student_out, out))
                         or not agree(student_args, stand_in_args) or bool(student_changed and not self._inner_changed))

    def call(self, name, *args, **kwargs):
        if name != self.name:
            out = self.runner.call(name, *args, **kwargs)
            self.last_changed = self.runner.last_changed
            return out
        self.calls += 1
        student_args, given = copy.deepcopy((args, kwargs)), copy.deepcopy((args, kwargs))
        kind, out = self._stand_in(args, kwargs)  # first: the inner functions see these inputs first
        student = self._student(*student_args)
        self._judge((kind, out), student, given, student_args, (args, kwargs))
        self.last_changed = list(self._inner_changed)
        if kind == "raised":
            inner = ", ".join(n.rpartition(".")[2] for n in self.inner)
            raise CheckFailure(f"{self.name.rpartition('.')[2]} could not use the results of {inner}.")
        return out

    def raises(self, name, *args, **kwargs):
        if name != self.name:
            return self.runner.raises(name, *args, **kwargs)
        self.calls += 1
        kind, _ = self._stand_in(copy.deepcopy(args), copy.deepcopy(kwargs))
        exc = self.runner.raises(name, *args, **kwargs)
        self.differs |= (exc is not None) != (kind == "raised")
        self.proves_nothing |= kind != "raised"  # a function doing nothing does not raise either
        return exc

    @property
    def agreed(self) -> bool:
        return self.calls > 0 and not self.differs and not self.proves_nothing
