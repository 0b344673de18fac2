"""Charging a mistake once when one student function calls another.

Some student functions are built on others: spatial_batchnorm_forward calls batchnorm_forward,
pca_whiten calls pca_project, the Kaiming initializers call fan_in_and_fan_out. A wrong inner
function then also makes the outer one's checks fail, although the outer function's own code is
right. So when a check of an outer function fails at grading time (the reference is at hand), it
runs once more with the outer function replaced by a *faithful* stand-in: the reference's code
for the outer function, calling the student's inner functions. Every call of the outer function
in that run also calls the student's version on the same arguments, and the two are compared.

* The student's outer function agrees with the stand-in on every call: it does its own part
  right and the difference comes from the inner function, whose own checks count it. The check
  passes, with a note naming the inner function.
* It differs on some call: the outer function has a mistake of its own; the first failure stands.

The stand-in is grader code running on plain data: it only calls the student's functions through
the runner (the sandbox at grading time). A student cannot earn the outer function's points by
breaking the inner one on purpose: the outer function must still return what the reference would
return from those inner results.
"""
from __future__ import annotations

import copy
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
            if not isinstance(target, types.FunctionType) or target.__module__ != fn.__module__:
                continue
            if n in graded:
                found.add(n)
            elif n not in helpers:
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
        a, b = np.asarray(a), np.asarray(b)
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


class FaithfulRunner:
    """The student's runner, except that calls of `name` go to the faithful stand-in and are
    compared with the student's own `name` on the same arguments (see the module docstring)."""

    def __init__(self, runner, reference, name: str, inner: tuple):
        self.runner, self.name, self.inner = runner, name, inner
        self.stand_in = faithful(reference, name, inner, self._inner_call)
        self.calls = 0
        self.differs = False
        self.last_changed: list[str] = []
        self._inner_changed: list[str] = []

    def _inner_call(self, name, *args, **kwargs):
        out = self.runner.call(name, *args, **kwargs)
        self._inner_changed.extend(self.runner.last_changed)
        return out

    def _student(self, args, kwargs):
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        try:
            out = self.runner.call(self.name, *args, **kwargs)
            return "returned", out, list(self.runner.last_changed), (args, kwargs)
        except (CheckFailure, NotImplementedYet):
            return "raised", None, list(self.runner.last_changed), (args, kwargs)

    def _stand_in(self, args, kwargs):
        self._inner_changed = []
        try:
            return "returned", self.stand_in(*args, **kwargs)
        except NotImplementedYet:
            raise
        except Exception:  # the inner results made the reference code fail, as they would the student's
            return "raised", None

    def call(self, name, *args, **kwargs):
        if name != self.name:
            out = self.runner.call(name, *args, **kwargs)
            self.last_changed = self.runner.last_changed
            return out
        self.calls += 1
        student_kind, student_out, student_changed, student_args = self._student(args, kwargs)
        kind, out = self._stand_in(args, kwargs)
        # The stand-in ran on the caller's arguments, so their state dicts hold its updates; the
        # student's copies hold the student's. Writes into the arguments are the inner functions'
        # only if the stand-in's inner calls made some too.
        if (kind != student_kind or not agree(student_out, out) or not agree(student_args, (args, kwargs))
                or (student_changed and not self._inner_changed)):
            self.differs = True
        self.last_changed = list(self._inner_changed)
        if kind == "raised":
            inner = ", ".join(n.rpartition(".")[2] for n in self.inner)
            raise CheckFailure(f"{self.name.rpartition('.')[2]} could not use the results of {inner}.")
        return out

    def raises(self, name, *args, **kwargs):
        exc = self.runner.raises(name, *args, **kwargs)
        if name == self.name:
            self.calls += 1
            kind, _ = self._stand_in(copy.deepcopy(args), copy.deepcopy(kwargs))
            self.differs |= (exc is not None) != (kind == "raised")
        return exc

    @property
    def agreed(self) -> bool:
        return self.calls > 0 and not self.differs
