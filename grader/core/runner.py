"""The one seam through which student code is called.

Checks never import student modules. They ask a runner to call a function by its dotted name
("normalization.batchnorm_forward") with plain arguments (arrays, numbers, dicts of them) and get
plain results back. Two runners share that interface:

* `Runner` calls the package in this process. It serves self-checks (a student can only fool
  themselves), the reference solutions and the test catalogue of buggy implementations.
* `grader.sandbox.host.SandboxRunner` calls it in a restricted child process and receives the results
  as plain data (grader/sandbox/inside/wire.py). Grades are decided only through it.

Both report outcomes the same way: NotImplementedYet for an unfinished function, CheckFailure (with
a message written for the student) for anything else that went wrong, SubmissionError when the
package cannot be loaded at all. Both keep, in `last_changed`, the names of the arguments the last
call wrote into in place; only the in-place checks look at it. The calling itself (copies of the arguments, in-place write
detection, floating-point errors as failures) lives in grader/sandbox/inside/invoke.py, shared by both.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ..sandbox.inside import invoke
from .errors import CheckFailure, NotImplementedYet, SubmissionError

PACKAGE = invoke.PACKAGE


def project_root() -> Path:
    """The folder that holds grader/ and src/ (the repository or a student release)."""
    return Path(__file__).resolve().parents[2]


def default_src() -> Path:
    return project_root() / "src"


def translate(error: invoke.CallError) -> Exception:
    """The grader's exception for an outcome reported by invoke (here or in the sandbox)."""
    if error.kind == "not_implemented":
        return NotImplementedYet(error.message)
    if error.kind == "submission":
        return SubmissionError(error.message)
    return CheckFailure(error.message, error.hint)


def keep_state(args: tuple, kwargs: dict, states: dict) -> None:
    """Write the new contents of state dicts back into the caller's dicts."""
    for key, contents in states.items():
        target = args[key] if isinstance(key, int) else kwargs[key]
        target.clear()
        target.update(contents)


class Runner:
    """Calls functions of one trainlab package found under `src_dir`, in this process."""

    def __init__(self, src_dir=None, overrides: dict | None = None):
        self.src_dir = Path(src_dir) if src_dir is not None else default_src()
        try:
            self.package = invoke.load_package(self.src_dir)
        except invoke.CallError as error:
            raise translate(error) from None
        # name -> replacement callable, used by the test catalogues of buggy and correct
        # implementations. It replaces the function inside this runner's private copy of the
        # package, so the package's own calls (spatial batchnorm calling batchnorm_forward) reach
        # it too, as they would in a student's package.
        for name, replacement in (overrides or {}).items():
            module_name, _, short = name.rpartition(".")
            setattr(importlib.import_module(f"{self.package.__name__}.{module_name}"), short, replacement)
        self.last_changed: list[str] = []  # arguments the last call wrote into in place, by name

    def function(self, name: str):
        try:
            return invoke.resolve(self.package, name, self.src_dir)
        except invoke.CallError as error:
            raise translate(error) from None

    def call(self, name: str, *args, **kwargs):
        """Call a student function on copies of the arguments; return its result."""
        fn = self.function(name)
        try:
            result, states, self.last_changed = invoke.invoke(fn, name.rpartition(".")[2], args, kwargs)
        except invoke.CallError as error:
            raise translate(error) from None
        keep_state(args, kwargs, states)
        return result

    def raises(self, name: str, *args, **kwargs) -> BaseException | None:
        """Call a function that should raise; return the exception it raised, or None."""
        fn = self.function(name)
        try:
            return invoke.raised(fn, name.rpartition(".")[2], args, kwargs)
        except invoke.CallError as error:
            raise translate(error) from None

    def close(self) -> None:
        """Nothing to release in-process (the sandboxed runner ends its worker here)."""
