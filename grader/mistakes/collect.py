"""Fingerprints at grading: taken in the sandbox right after a notebook's checks, kept with its results.

`TrustedScores` (full autograde) and `check_student` (--checks-only regrades) call
`fingerprint_submission` with the results they just computed, then `record` writes
course/trusted/<student>/<notebook>.fingerprint next to the check results, so a Dask worker's
fingerprints travel back with its results. Fingerprinting never costs a grade: if it fails, the
notebook is graded as before and the failure is logged.
"""
from __future__ import annotations

import json
from pathlib import Path

from .clusters import FINGERPRINT_SUFFIX


def fingerprint_submission(src: Path, results: list, limits=None, runner=None, reference=None) -> dict:
    """The fingerprints of the functions `results` graded, with the student's code in the sandbox
    (`runner`: the sandboxed runner the checks just used, still open; else a new one)."""
    from ..core.engine import reference_src
    from ..core.runner import Runner
    from ..sandbox.host import DEFAULT_LIMITS, SandboxRunner
    from .fingerprint import fingerprint
    from .probes import counted_functions, failed_by_function
    from .library import load

    libraries = load()
    failed = failed_by_function(results)
    functions = [f for f in failed if f in libraries]
    ref_src = reference_src()
    if not functions or ref_src is None:
        return {}
    reference = reference or Runner(ref_src)
    if runner is not None:
        return fingerprint(runner, reference, libraries, functions, failed, counted_functions(results))
    runner = SandboxRunner(src, limits or DEFAULT_LIMITS)
    try:
        runner.start()
        return fingerprint(runner, reference, libraries, functions, failed, counted_functions(results))
    finally:
        runner.close()


def taker(src: Path, found: dict):
    """A `then` for run_checks: the fingerprints, taken with the checks' own sandboxed runner, go
    into `found` (left empty if fingerprinting fails: no grade depends on it)."""

    def take(runner, reference, results):
        try:
            found.update(fingerprint_submission(src, results, runner=runner, reference=reference))
        except Exception as exc:  # the grade stands whatever fingerprinting does
            found["__error__"] = f"{type(exc).__name__}: {exc}"

    return take


def record(course: Path, student: str, notebook: str, prints: dict) -> None:
    from ..instructor.ledger import TRUSTED_FOLDER

    folder = Path(course) / TRUSTED_FOLDER / student
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notebook}{FINGERPRINT_SUFFIX}").write_text(json.dumps(prints, indent=0, sort_keys=True))
