"""The one seam through which student code is called.

Checks never import student modules. They ask a Runner to call a function by its dotted name
("normalization.batchnorm_forward") with plain arguments (arrays, numbers, dicts of them) and get
plain results back. The runner:

* loads the package from a source folder under a private module name, so a student package and
  the reference package can live in one process side by side;
* hands the function deep copies of its arguments and compares the caller's arrays afterwards,
  so an in-place write is reported instead of silently corrupting the check's data; parameter
  dicts (bn_param, config, ...) are the caller's state, so their new contents are copied back;
* turns NumPy floating-point warnings into errors, because a warning on stderr zeroes an nbgrader
  cell and usually signals an unstable formula;
* translates NotImplementedError into NotImplementedYet and any other exception into a
  CheckFailure that names the call.

Because arguments and results are plain data, the runner could move into a separate, restricted
process without changing a single check.
"""
from __future__ import annotations

import copy
import importlib
import importlib.util
import itertools
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

from .errors import CheckFailure, NotImplementedYet, SubmissionError

PACKAGE = "trainlab"
_counter = itertools.count()


def project_root() -> Path:
    """The folder that holds grader/ and src/ (the repository or a student release)."""
    return Path(__file__).resolve().parent.parent


def default_src() -> Path:
    return project_root() / "src"


def load_package(src_dir) -> object:
    """Import src_dir/trainlab under a fresh private name and return the package module."""
    pkg_dir = Path(src_dir) / PACKAGE
    init = pkg_dir / "__init__.py"
    if not init.is_file():
        raise SubmissionError(f"No {PACKAGE} package under {Path(src_dir)}: expected the file {init}.")
    alias = f"_{PACKAGE}_under_test_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(alias, init, submodule_search_locations=[str(pkg_dir)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken __init__ loses only this submission
        del sys.modules[alias]
        raise SubmissionError(f"{init} could not be imported ({_one_line(exc)}); fix it and run again.") from None
    return module


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError in {Path(exc.filename or '?').name} line {exc.lineno}: {exc.msg}"
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]


def _where(exc: BaseException) -> str:
    """File and line of the innermost frame inside a trainlab package, if any."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).parent.name == PACKAGE:
            return f" (at {Path(frame.filename).name} line {frame.lineno})"
    return ""


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _same(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


class Runner:
    """Calls functions of one trainlab package found under `src_dir`."""

    def __init__(self, src_dir=None, overrides: dict | None = None):
        self.src_dir = Path(src_dir) if src_dir is not None else default_src()
        self.package = load_package(self.src_dir)
        # name -> replacement callable; used by the test catalogue of buggy implementations
        self.overrides = dict(overrides or {})

    def function(self, name: str):
        """Resolve "module.function" inside the package, with a student-readable error."""
        if name in self.overrides:
            return self.overrides[name]
        module_name, _, attr = name.rpartition(".")
        full = f"{self.package.__name__}.{module_name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError:
            raise CheckFailure(f"{PACKAGE}/{module_name}.py is missing from {self.src_dir}.") from None
        except Exception as exc:
            raise CheckFailure(f"{PACKAGE}/{module_name}.py could not be imported: {_one_line(exc)}.") from None
        fn = getattr(module, attr, None)
        if not callable(fn):
            raise CheckFailure(f"{PACKAGE}/{module_name}.py has no function {attr}; keep the given name and signature.")
        return fn

    def call(self, name: str, *args, **kwargs):
        """Call a student function on copies of the arguments; return its result."""
        fn = self.function(name)
        short = name.rpartition(".")[2]
        given = [_snapshot(a) for a in args]
        given_kw = {k: _snapshot(v) for k, v in kwargs.items()}
        # arrays inside dict arguments, kept alive so that no new array can reuse their id
        handed = {id(v): v for d in [*given, *given_kw.values()] if isinstance(d, dict)
                  for v in d.values() if isinstance(v, np.ndarray)}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                with np.errstate(all="raise", under="ignore"):
                    result = fn(*given, **given_kw)
        except NotImplementedError:
            raise NotImplementedYet(f"{short} is not implemented yet") from None
        except (CheckFailure, NotImplementedYet):
            raise
        except FloatingPointError as exc:
            raise CheckFailure(
                f"{short} hit a floating-point error: {exc}{_where(exc)}.",
                "an intermediate value overflowed, divided by zero or became invalid; check the formula "
                "(for activations: only exponentiate non-positive numbers).",
            ) from None
        except Exception as exc:
            raise CheckFailure(f"{short} raised {_one_line(exc)}{_where(exc)}.") from None
        self._after_call(short, args, given, kwargs, given_kw, handed)
        return result

    def raises(self, name: str, *args, **kwargs) -> BaseException | None:
        """Call a function that should raise; return the exception it raised, or None."""
        fn = self.function(name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                fn(*[_snapshot(a) for a in args], **{k: _snapshot(v) for k, v in kwargs.items()})
        except NotImplementedError:
            raise NotImplementedYet(f"{name.rpartition('.')[2]} is not implemented yet") from None
        except Exception as exc:
            return exc
        return None

    @staticmethod
    def _after_call(short, args, given, kwargs, given_kw, handed):
        pairs = list(zip(args, given)) + [(kwargs[k], given_kw[k]) for k in kwargs]
        for i, (orig, passed) in enumerate(pairs):
            if isinstance(orig, np.ndarray) and not _same(orig, passed):
                raise CheckFailure(
                    f"{short} changed its argument number {i + 1} (an array of shape {orig.shape}) in place.",
                    "never write into an input array; compute the result into a new array "
                    "(e.g. y = x * mask or y = x.copy() before changing y).",
                )
            if isinstance(orig, dict) and isinstance(passed, dict):
                for key, value in passed.items():
                    # the same array object we handed in, with new contents: an in-place write
                    if id(value) in handed and not _same(value, orig[key]):
                        raise CheckFailure(
                            f"{short} changed the array {key!r} of its argument number {i + 1} in place.",
                            "build the new state as a new array and store it back into the dict "
                            f"(d[{key!r}] = <new array>), never with *=, += or out=.",
                        )
                orig.clear()
                orig.update(passed)  # the caller owns the state dict: keep what the function wrote
