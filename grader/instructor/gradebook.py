"""The course's gradebook: point the course at one, and read every student's scores from it."""
from __future__ import annotations

from pathlib import Path

from .layout import ASSIGNMENT, DB_LINE, course_id_of, db_url_of, last_error, nbgrader


def use_gradebook(course: Path, db_url: str) -> None:
    """Point the course at another gradebook (written into nbgrader_config.py, so that stock
    nbgrader, the formgrader and trainlab all use it) and fill it with the assignment."""
    config = Path(course) / "nbgrader_config.py"
    text = config.read_text()
    if not DB_LINE.search(text):
        raise ValueError(f"{config} sets no CourseDirectory.db_url; rebuild the course with `trainlab course`.")
    config.write_text(DB_LINE.sub(lambda _: f"c.CourseDirectory.db_url = {db_url!r}", text, count=1))
    done = nbgrader(Path(course), "generate_assignment", ASSIGNMENT, "--force")
    if done.returncode != 0:
        raise RuntimeError(f"the gradebook {db_url} cannot be used: {last_error(done)}")



def scores(course: Path) -> dict[str, dict]:
    """Per student: autograded score and maximum (code test cells), written score and maximum
    (answers graded by hand), how many written answers still need a hand grade, total and maximum."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url_of(course), course_id_of(course)) as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:  # no submission for this student
                continue
            to_grade = sum(1 for nb in sub.notebooks for grade in nb.grades
                           if grade.cell.cell_type == "markdown" and grade.needs_manual_grade)
            out[student.id] = {"autograded_score": float(sub.code_score), "autograded_max": float(sub.max_code_score),
                               "written_score": float(sub.written_score), "written_max": float(sub.max_written_score),
                               "written_to_grade": to_grade,
                               "score": float(sub.score), "max_score": float(sub.max_score)}
    return out


def name_students(course: Path, students) -> None:
    """Give students the gradebook knows without a name (graded without a roster) their id as last
    name, so that the formgrader lists "alice" instead of "None, None"; a roster's names are kept."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url_of(course), course_id_of(course)) as gb:
        for student in students:
            try:
                found = gb.find_student(student)
            except MissingEntry:
                gb.add_student(student, last_name=student, first_name="")
                continue
            if found.last_name is None and found.first_name is None:
                gb.update_or_create_student(student, last_name=student, first_name="")
