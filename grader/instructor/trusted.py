"""nbgrader records only trusted scores: the TrustedScores preprocessor.

Under autograde the notebook kernel runs student code, so nothing it prints can be trusted: a
module can patch `grade`, silence the display, or print any number. This preprocessor runs after
Execute (the course's nbgrader_config.py puts it there, so stock `nbgrader autograde` uses it too)
and, for every autograded test cell, throws away what the kernel wrote and puts in its place:

* for a cell calling `grade(topic, functions)` (or `grade(..., hidden=True)` in its hidden-tests
  region): the lines and points of that cell's checks (the public or the hidden ones), computed
  here by grader code from the submission's src/ as it was submitted (the
  course's submitted/ copy, which the kernel never sees), with the student code running in the
  sandbox worker and every check drawing fresh inputs from a seed that mixes the course's secret
  with the student id;
* for the "best model" cell: the accuracy of the weights the cell saved (read within size and
  shape bounds, grader/challenge/saved_model.py), evaluated here with the reference model code on held-out
  images no student has (grader/heldout/).

Any other graded code cell would keep its kernel output; tests/test_notebooks.py asserts that the
course has none.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import replace
from pathlib import Path

from nbformat.v4 import new_output

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float

from ..core.engine import reference_src, run_checks
from ..challenge import BEST_MODEL_CELL, BEST_MODEL_FILE, evaluate_saved_model
from ..core.report import text_report
from ..mistakes.collect import record as record_fingerprint
from ..mistakes.collect import taker
from ..sandbox.host import DEFAULT_LIMITS
from .layout import TRUSTED_MARK

SECRET_FILE = ".trainlab_secret"


def make_secret(course: Path) -> None:
    path = Path(course) / SECRET_FILE
    path.write_text(secrets.token_hex(32) + "\n")
    path.chmod(0o600)


def grading_seed(course: Path, student: str) -> int:
    """The seed of one student's checks: unknown to students, stable across regrades."""
    path = Path(course) / SECRET_FILE
    secret = path.read_text().strip() if path.is_file() else ""
    digest = hashlib.sha256(f"{secret}\0{student}".encode()).digest()
    return int.from_bytes(digest[:4], "little") % 2**31


def record_results(course: Path, student: str, notebook: str, results: list) -> None:
    """Keep every check's result of one notebook of one student (course/trusted/<student>/<notebook>.json)
    for `trainlab report`: written by grader code, from results the grader computed."""
    import json

    from .ledger import TRUSTED_FOLDER

    folder = Path(course) / TRUSTED_FOLDER / student
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notebook}.json").write_text(json.dumps([r.as_dict() for r in results], indent=0))


def trusted_outputs(text: str, points: float, count, possible: float | None = None) -> list:
    """A test cell's outputs after grading: the grader's report, then its points (the plain text
    is what nbgrader reads as the cell's score; pages show the markdown line)."""
    from ..core.report import points_line

    data = {"text/plain": f"{points:g}"}
    if possible is not None:
        data["text/markdown"] = points_line(points, possible, "checks, run by the grader")
    return [new_output("stream", name="stdout", text=text),
            new_output("execute_result", data=data, execution_count=count)]


def autograde_steps() -> list:
    """nbgrader's autograde steps, in order, with TrustedScores and SanitizeOutputs right after Execute.

    Built from nbgrader's own default list so that its other steps stay as the installed version has
    them; TrustedScores must come after the kernel has finished and before SaveAutoGrades reads
    the cells' outputs; SanitizeOutputs (sanitize.py) cleans every output and written answer before
    nbgrader stores the autograded notebook that the formgrader and feedback pages render.
    """
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    if steps.index(Execute) > steps.index(SaveAutoGrades):
        raise RuntimeError("this nbgrader saves grades before executing notebooks; trusted scores cannot be placed")
    from .cluster import IMPORT_ENV, ImportExecuted
    from .sanitize import SanitizeOutputs

    at = steps.index(Execute)
    if os.environ.get(IMPORT_ENV):  # the coordinator imports what a cluster job executed and scored
        steps[at:at + 1] = [ImportExecuted, SanitizeOutputs]
    else:
        steps[at + 1:at + 1] = [TrustedScores, SanitizeOutputs]
    return steps


class TrustedScores(NbGraderPreprocessor):
    """Replace every autograded test cell's output with the trusted result."""

    call_seconds = Float(DEFAULT_LIMITS.call_seconds, config=True,
                         help="Wall-clock limit for one call of a student function in the sandbox.")
    submission_seconds = Float(DEFAULT_LIMITS.submission_seconds, config=True,
                               help="Wall-clock limit for all checks of one notebook of one student.")

    def limits(self):
        """The sandbox limits of this course's grading (its nbgrader_config.py may set them)."""
        return replace(DEFAULT_LIMITS, call_seconds=self.call_seconds, submission_seconds=self.submission_seconds)

    def preprocess(self, nb, resources):
        from .cells import checks_of_cell, is_test_cell

        student = resources["nbgrader"]["student"]
        assignment = resources["nbgrader"]["assignment"]
        coursedir = CourseDirectory(config=self.config)
        submission = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        course = Path(coursedir.root)
        cells = [c for c in nb.cells if is_test_cell(c)]
        wanted = {cell.metadata.nbgrader.grade_id: checks_of_cell(cell.source) for cell in cells}
        checks = [c for cell_list in wanted.values() for c in cell_list]
        results = {}
        if checks:
            seed = grading_seed(course, student)
            limits = self.limits()
            prints = {}  # the submission's fingerprint (grader/mistakes), taken in the same sandbox
            for result in run_checks(submission / "src", checks=checks, seed=seed, sandbox=True, fresh=True,
                                     limits=limits, then=taker(submission / "src", prints)):
                results[result.id] = result
            if "__error__" in prints:
                self.log.warning("no fingerprint for %s: %s", student, prints.pop("__error__"))
            record_fingerprint(course, student, resources.get("unique_key", "notebook"), prints)
        record_results(course, student, resources.get("unique_key", "notebook"), list(results.values()))
        for cell in cells:
            grade_id = cell.metadata.nbgrader.grade_id
            if wanted[grade_id]:
                mine = [results[c.id] for c in wanted[grade_id]]
                text, points = text_report(mine, "trusted grader"), sum(r.points for r in mine if r.passed)
            elif grade_id == BEST_MODEL_CELL:
                text, passed = evaluate_saved_model(Path(resources["metadata"]["path"]) / BEST_MODEL_FILE,
                                                    reference_src())
                points = float(cell.metadata.nbgrader.points) if passed else 0.0
            else:
                continue
            cell.outputs = trusted_outputs(text, points, cell.get("execution_count"),
                                           float(cell.metadata.nbgrader.points))
            self.log.info("%s %s/%s: %g", TRUSTED_MARK, student, grade_id, points)
        return nb, resources


def course_limits(course: Path):
    """The sandbox limits a course's nbgrader_config.py sets for TrustedScores (the defaults where it
    sets none): `trainlab autograde --checks-only` grades with the same limits as a full autograde."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(Path(course).resolve())).load_config()
    return TrustedScores(config=config).limits()
