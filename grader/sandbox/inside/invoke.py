"""Calling one student function: the part of the runner that runs wherever the student code runs.

Used in-process by grader.core.runner.Runner (self-checks) and inside the sandbox worker (grading), so
it imports only the standard library and NumPy, and reports outcomes as CallError with a `kind`:

* "not_implemented": the function still raises NotImplementedError;
* "failure": it raised, hit a floating-point error, or cannot be found;
* "submission": the package itself cannot be loaded.

The function gets deep copies of its arguments; afterwards the caller's arrays are compared with
what was handed over, so an in-place write is reported (by name) instead of silently corrupting the
check's data. Parameter dicts (bn_param, config, ...) are the caller's state: their new contents are
returned for the caller to keep. NumPy floating-point warnings become errors, because a warning on
stderr zeroes an nbgrader cell and usually signals an unstable formula.
"""
from __future__ import annotations

import copy
import importlib
import importlib.util
import inspect
import itertools
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

PACKAGE = "trainlab"
_counter = itertools.count()


class CallError(Exception):
    def __init__(self, kind: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.kind, self.message, self.hint = kind, message, hint


# The generic hint of a floating-point error; the grader replaces it by the function's own where
# its topic module has one (FLOAT_ERROR_HINTS, see grader/core/engine.py).
FLOAT_HINT = ("an intermediate value overflowed, divided by zero or became invalid; look for a division by a "
              "quantity that can be 0, a log or sqrt of a negative number, or an exp of a large one.")


def load_package(src_dir):
    """Import src_dir/trainlab under a fresh private name and return the package module."""
    pkg_dir = Path(src_dir) / PACKAGE
    init = pkg_dir / "__init__.py"
    if not init.is_file():
        raise CallError("submission", f"No {PACKAGE} package under {Path(src_dir)}: expected the file {init}.")
    alias = f"_{PACKAGE}_under_test_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(alias, init, submodule_search_locations=[str(pkg_dir)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken __init__ loses only this submission
        del sys.modules[alias]
        raise CallError("submission", f"{init} could not be imported ({one_line(exc)}); fix it and run again.") from None
    return module


def one_line(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError in {Path(exc.filename or '?').name} line {exc.lineno}: {exc.msg}"
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]


def _where(exc: BaseException) -> str:
    """File and line of the innermost frame inside a trainlab package, if any."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).parent.name == PACKAGE:
            return f" (at {Path(frame.filename).name} line {frame.lineno})"
    return ""


def resolve(package, name: str, src_dir):
    """The function "module.function" inside the package, with a student-readable error."""
    module_name, _, attr = name.rpartition(".")
    try:
        module = importlib.import_module(f"{package.__name__}.{module_name}")
    except ModuleNotFoundError:
        raise CallError("failure", f"{PACKAGE}/{module_name}.py is missing from {src_dir}.") from None
    except Exception as exc:
        raise CallError("failure", f"{PACKAGE}/{module_name}.py could not be imported: {one_line(exc)}.") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise CallError("failure", f"{PACKAGE}/{module_name}.py has no function {attr}; keep the given name and signature.")
    return fn


def snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    return copy.deepcopy(value)


def not_implemented(fn, short: str) -> str:
    """What a student reads for a stub: the function and the file to write it in."""
    module = getattr(fn, "__module__", "") or ""
    where = f": write it in src/trainlab/{module.rpartition('.')[2]}.py" if module else ""
    return f"{short} is not implemented yet{where}"


def _same(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def invoke(fn, short: str, args: tuple, kwargs: dict):
    """Call fn on copies of args; return (result, new contents of dict args, arguments changed in place).

    The new contents are keyed by position or keyword; the changed arguments are named as the
    function's signature names them ("dout", "config['velocity']"). An in-place write does not stop
    the call: value checks compare the values, and a separate check reports the write.
    """
    given = [snapshot(a) for a in args]
    given_kw = {k: snapshot(v) for k, v in kwargs.items()}
    # arrays inside dict arguments, kept alive so that no new array can reuse their id
    handed = {id(v): v for d in [*given, *given_kw.values()] if isinstance(d, dict)
              for v in d.values() if isinstance(v, np.ndarray)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise", under="ignore"):
                result = fn(*given, **given_kw)
    except NotImplementedError:
        raise CallError("not_implemented", not_implemented(fn, short)) from None
    except FloatingPointError as exc:
        raise CallError("failure", f"{short} hit a floating-point error: {exc}{_where(exc)}.", FLOAT_HINT) from None
    except Exception as exc:
        raise CallError("failure", f"{short} raised {one_line(exc)}{_where(exc)}.") from None
    names = argument_names(fn, len(args))
    pairs = [(i, names[i], args[i], given[i]) for i in range(len(args))] + \
            [(k, k, kwargs[k], given_kw[k]) for k in kwargs]
    states, changed = {}, []
    for key, label, orig, passed in pairs:
        changed += _changes(label, orig, passed, handed)
        if isinstance(orig, dict) and isinstance(passed, dict):
            states[key] = passed  # the caller owns the state dict: it keeps what the function wrote
    return result, states, changed


def argument_names(fn, count: int) -> list[str]:
    """The names of the first `count` positional parameters of fn ("argument 3" where unknown)."""
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(count)]


def _changes(label, orig, passed, handed) -> list[str]:
    """What of one argument the call wrote into in place: [label], [label['key'], ...], [label[0], ...] or []."""
    if isinstance(orig, np.ndarray):
        return [] if _same(orig, passed) else [label]
    if isinstance(orig, (list, tuple)) and isinstance(passed, (list, tuple)) and len(orig) == len(passed):
        return [f"{label}[{i}]" for i, (a, b) in enumerate(zip(orig, passed))
                if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and not _same(a, b)]
    if isinstance(orig, dict) and isinstance(passed, dict):
        # the same array object we handed in, with new contents: an in-place write
        return [f"{label}[{key!r}]" for key, value in passed.items()
                if id(value) in handed and key in orig and not _same(value, orig[key])]
    return []


def raised(fn, short: str, args: tuple, kwargs: dict):
    """Call a function that should raise; return the exception it raised, or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fn(*[snapshot(a) for a in args], **{k: snapshot(v) for k, v in kwargs.items()})
    except NotImplementedError:
        raise CallError("not_implemented", not_implemented(fn, short)) from None
    except Exception as exc:
        return exc
    return None
