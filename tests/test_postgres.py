"""The whole grading pipeline on a real PostgreSQL server, two students at a time.

The server comes from the `pgserver` package (PostgreSQL 16 binaries in a wheel, installed with
the test extras): the test starts it in its own temporary folder, where it listens only on a
Unix-domain socket (no TCP port at all), and stops it at the end. A wheel rather than Debian's
`postgresql` package because it needs no root, no system service and no apt, and the same
server runs on any Linux machine the tests run on.
"""
import shutil
import subprocess
import sys

import pytest

from grader.instructor import course as nbg

pytestmark = pytest.mark.slow

NOTEBOOK = "03_initialization"
BUG = ("bound = np.sqrt(3.0 * var)", "bound = np.sqrt(var)")


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    server.psql("CREATE DATABASE trainlab_course;")
    uri = server.get_uri("trainlab_course")  # postgresql://postgres:@/trainlab_course?host=<socket folder>
    yield uri.replace("postgresql://", "postgresql+psycopg2://", 1)
    server.cleanup()


def gradebook(course):
    from nbgrader.api import Gradebook

    with Gradebook(nbg.db_url_of(course), nbg.COURSE_ID) as gb:
        return {s.id: {(nb.name, g.name): (g.auto_score, g.manual_score)
                       for nb in gb.find_submission(nbg.ASSIGNMENT, s.id).notebooks for g in nb.grades}
                for s in gb.students}


def test_grading_into_postgresql_matches_sqlite_with_two_workers(root, postgres, tmp_path):
    base = nbg.build_course(root, tmp_path / "base", only=["03_"])
    submitted = tmp_path / "submitted"
    for student in ("ref", "blank", "buggy"):
        mine = submitted / student / nbg.ASSIGNMENT
        shutil.copytree(base / "release" / nbg.ASSIGNMENT, mine)
        if student != "blank":
            shutil.copy(root / "src" / "trainlab" / "initialization.py", mine / "src" / "trainlab" / "initialization.py")
    module = submitted / "buggy" / nbg.ASSIGNMENT / "src" / "trainlab" / "initialization.py"
    module.write_text(module.read_text().replace(*BUG))
    runs = {}
    for name, extra in (("sqlite", []), ("postgres", ["--db", postgres])):
        course = tmp_path / name
        shutil.copytree(base, course)  # the same secret, so the same inputs for every check
        done = subprocess.run([sys.executable, "-m", "grader.cli", "autograde", str(submitted), "--course", str(course),
                               "--workers", "2", *extra], capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
        runs[name] = course
    assert nbg.db_url_of(runs["postgres"]) == postgres and "postgresql" in (runs["postgres"] / "nbgrader_config.py").read_text()
    assert gradebook(runs["postgres"]) == gradebook(runs["sqlite"])
    scores = nbg.scores(runs["postgres"])
    assert scores["ref"]["autograded_score"] == scores["ref"]["autograded_max"] > scores["buggy"]["autograded_score"] > 0
    export = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", "grades.csv"], cwd=runs["postgres"],
                            capture_output=True, text=True, timeout=300)
    assert export.returncode == 0 and "buggy" in (runs["postgres"] / "grades.csv").read_text()
