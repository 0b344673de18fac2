"""Class-scale grading through the `trainlab` command: parallel jobs, resume after SIGKILL with
exactly the gradebook of an uninterrupted run, regrading one student, --checks-only, a Dask
cluster, a PostgreSQL gradebook, and the class report rendered in headless Chromium.

The course holds notebook 03 only, so that a full grading run takes seconds per student; the
students are a reference, a blank release, one with a known bug and one whose notebook is broken.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.instructor import gradebook
from grader.instructor.course import build_course
from grader.instructor.layout import ASSIGNMENT, COURSE_ID, db_url_of
from grader.instructor.ledger import LEDGER_FILE, UNFINISHED, Ledger
from grader.mistakes.clusters import read_fingerprints

pytestmark = pytest.mark.slow

NOTEBOOK = "03_initialization"
BUG = ("bound = np.sqrt(3.0 * var)", "bound = np.sqrt(var)")  # xavier_uniform: the variance of U(-a, a) is a^2/3


def trainlab(*args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, timeout=timeout)


def flat(table: str) -> str:
    """A printed table's text with borders and line breaks gone (a long cell wraps over lines)."""
    return " ".join(re.sub(r"[│┃║|]", " ", table).split())


def all_grades(course: Path) -> dict:
    """Every grade of every student: (notebook, cell) -> (auto score, manual score)."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url_of(course), COURSE_ID) as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:
                continue
            out[student.id] = {(nb.name, g.name): (g.auto_score, g.manual_score) for nb in sub.notebooks
                               for g in nb.grades}
    return out


@pytest.fixture(scope="module")
def setup(root, tmp_path_factory):
    work = tmp_path_factory.mktemp("class")
    base = build_course(root, work / "base", only=["03_"])
    release = base / "release" / ASSIGNMENT
    submitted = work / "submitted"
    for student in ("ref", "blank", "buggy", "broken"):
        mine = submitted / student / ASSIGNMENT
        shutil.copytree(release, mine)
        if student != "blank":
            shutil.copy(root / "src" / "trainlab" / "initialization.py", mine / "src" / "trainlab" / "initialization.py")
    module = submitted / "buggy" / ASSIGNMENT / "src" / "trainlab" / "initialization.py"
    module.write_text(module.read_text().replace(*BUG))
    (submitted / "broken" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").write_text("{ not a notebook")
    uninterrupted = work / "uninterrupted"
    shutil.copytree(base, uninterrupted)
    done = trainlab("autograde", str(submitted), "--course", str(uninterrupted), "--workers", "2")
    return {"work": work, "base": base, "submitted": submitted, "course": uninterrupted, "first": done}


def test_a_run_grades_every_student_and_marks_the_broken_one(setup):
    done, course = setup["first"], setup["course"]
    assert done.returncode == 1, done.stdout[-3000:]  # one submission failed
    assert "3 graded, 0 unchanged and kept, 1 failed" in done.stdout, done.stdout[-3000:]
    graded = gradebook.scores(course)
    assert graded["ref"]["autograded_score"] == graded["ref"]["autograded_max"] > 0
    assert graded["blank"]["autograded_score"] == 0
    assert 0 < graded["buggy"]["autograded_score"] < graded["ref"]["autograded_max"]
    ledger = Ledger(course).records
    assert not ledger["broken"]["ok"] and ledger["broken"]["error"]
    assert all(ledger[s]["ok"] and ledger[s]["seconds"] > 0 for s in ("ref", "blank", "buggy"))


def kill_mid_run(course: Path, submitted: Path, *extra: str) -> set[str]:
    """Start `trainlab autograde` with one worker, SIGKILL its whole process group once one student
    is recorded and the next is in flight; return the students recorded as graded at that moment."""
    args = [sys.executable, "-m", "grader.cli", "autograde", str(submitted), "--course", str(course),
            "--workers", "1", *extra]
    run = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600

    def recorded():
        records = Ledger(course).records.values() if (course / LEDGER_FILE).is_file() else []
        return sum(e["ok"] for e in records), sum(e.get("error") == UNFINISHED for e in records)

    graded, unfinished = recorded()
    while graded < 1 or unfinished < 2:  # one graded, at least two still to finish
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.1)
        graded, unfinished = recorded()
    time.sleep(2)  # well into the next student's nbgrader run
    os.killpg(run.pid, signal.SIGKILL)  # the coordinator, nbgrader, the kernel and the sandboxes at once
    run.wait()
    return {s for s, e in Ledger(course).records.items() if e["ok"]}


def test_killed_and_restarted_the_run_ends_with_the_uninterrupted_gradebook(setup):
    course = setup["work"] / "killed"
    shutil.copytree(setup["base"], course)
    recorded_before = kill_mid_run(course, setup["submitted"])
    assert 1 <= len(recorded_before) < 3
    done = trainlab("autograde", str(setup["submitted"]), "--course", str(course), "--workers", "1")
    assert f"{len(recorded_before)} unchanged and kept" in done.stdout, done.stdout[-3000:]
    assert all_grades(course) == all_grades(setup["course"])
    again = trainlab("autograde", str(setup["submitted"]), "--course", str(course))
    assert "0 graded, 3 unchanged and kept, 1 failed" in again.stdout, again.stdout[-3000:]
    assert all_grades(course) == all_grades(setup["course"])
    # a --force regrade killed mid-run: the students it had started lose their old records, so the
    # next run grades them again (nbgrader had begun rewriting their notebooks and grades)
    for notebook in (course / "autograded").rglob("*.ipynb"):
        notebook.chmod(0o644)
        notebook.unlink()
    recorded_before = kill_mid_run(course, setup["submitted"], "--force")
    assert 1 <= len(recorded_before) < 3
    done = trainlab("autograde", str(setup["submitted"]), "--course", str(course), "--workers", "1")
    assert f"{3 - len(recorded_before)} graded, {len(recorded_before)} unchanged and kept" in done.stdout, \
        done.stdout[-3000:]
    assert all_grades(course) == all_grades(setup["course"])
    for student in ("ref", "blank", "buggy"):  # every kept or regraded student's notebook is whole again
        assert (course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()


def _set_auto_scores(course: Path, student: str, count: int) -> list[str]:
    """Set the first `count` nonzero autograded test-cell scores of `student` to 0; return their cells."""
    from nbgrader.api import Gradebook

    changed = []
    with Gradebook(db_url_of(course), COURSE_ID) as gb:
        for notebook in gb.find_submission(ASSIGNMENT, student).notebooks:
            for grade in notebook.grades:
                if grade.name.startswith("test_") and grade.auto_score and len(changed) < count:
                    grade.auto_score = 0.0
                    changed.append(grade.name)
        gb.db.commit()
    assert len(changed) == count
    return changed


def test_one_student_regraded_alone_and_checks_only_after_a_check_change(setup):
    course = setup["work"] / "regrade"
    shutil.copytree(setup["course"], course)
    submitted = setup["work"] / "submitted-fixed"
    shutil.copytree(setup["submitted"], submitted)
    before = all_grades(course)
    done = trainlab("autograde", str(submitted), "--course", str(course), "--student", "ref")
    assert done.returncode == 0 and "1 graded, 0 unchanged" in done.stdout, done.stdout[-3000:]
    assert all_grades(course) == before
    # a check changed since autograde (simulated: two recorded grades of ref are stale):
    # --checks-only regrades the check cells, without kernels, and restores them
    stale = _set_auto_scores(course, "ref", 2)
    done = trainlab("autograde", str(submitted), "--course", str(course), "--checks-only", "--student", "ref")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "--checks-only updated the cells whose score comes from the checks" in done.stdout
    after = all_grades(course)
    assert after == before and all(after["ref"][(NOTEBOOK, cell)][0] > 0 for cell in stale)
    assert "grades or check lines changed for 1 students" in done.stdout
    # the buggy student fixes the bug: --checks-only refuses the changed submission, nothing moves
    module = submitted / "buggy" / ASSIGNMENT / "src" / "trainlab" / "initialization.py"
    module.write_text(module.read_text().replace(BUG[1], BUG[0]))
    done = trainlab("autograde", str(submitted), "--course", str(course), "--checks-only", "--student", "buggy")
    assert done.returncode == 1 and "changed since its last autograde" in flat(done.stdout), done.stdout[-3000:]
    assert "--student buggy" in flat(done.stdout) and all_grades(course) == after
    module.write_text(module.read_text().replace(*BUG))  # as autograded again
    # the whole class again: nothing changed, so no grade, notebook or feedback file is touched
    files = sorted((course / "feedback").rglob("*.html")) + sorted((course / "autograded").rglob("*.ipynb"))
    stamps = [f.stat().st_mtime_ns for f in files]
    done = trainlab("autograde", str(submitted), "--course", str(course), "--checks-only", "--workers", "2")
    assert "grades or check lines changed for 0 students" in done.stdout, done.stdout[-3000:]
    assert "3 graded, 0 unchanged and kept, 1 failed" in done.stdout  # broken's autograde failed: not regraded
    assert "its last" in done.stdout, done.stdout[-3000:]
    assert [f.stat().st_mtime_ns for f in files] == stamps
    assert all_grades(course) == after
    assert read_fingerprints(course)["ref"] == read_fingerprints(setup["course"])["ref"]  # taken again, the same
    refused = trainlab("autograde", str(submitted), "--course", str(setup["base"]), "--checks-only")
    assert refused.returncode == 1 and "not autograded yet" in refused.stdout  # nothing to regrade there


def test_a_dask_cluster_grades_exactly_as_the_local_pool(setup):
    """A real LocalCluster with 2 worker processes; the jobs get the course and the submissions as
    data and return results as data (cluster.py); the gradebook equals the pool's."""
    distributed = pytest.importorskip("distributed")
    course = setup["work"] / "dask"
    shutil.copytree(setup["base"], course)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        done = trainlab("autograde", str(setup["submitted"]), "--course", str(course),
                        "--scheduler", cluster.scheduler_address)
    assert "3 graded, 0 unchanged and kept, 1 failed" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    graded = {s for s, e in Ledger(setup["course"]).records.items() if e["ok"]}
    assert {s for s, e in Ledger(course).records.items() if e["ok"]} == graded
    assert {s: v for s, v in all_grades(course).items() if s in graded} == \
        {s: v for s, v in all_grades(setup["course"]).items() if s in graded}
    assert Ledger(course).records["broken"]["error"]
    for student in graded:  # feedback and the report's inputs exist in the course as after a local run
        assert (course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").is_file()
        assert (course / "trusted" / student / f"{NOTEBOOK}.json").is_file()
    local, remote = read_fingerprints(setup["course"]), read_fingerprints(course)  # the mistakes page's data
    assert graded <= set(remote) and {s: remote[s] for s in graded} == {s: local[s] for s in graded}
    assert not (course / ".trainlab_incoming").exists() or not any((course / ".trainlab_incoming").iterdir())


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A real PostgreSQL 16 server from the `pgserver` wheel (a test extra), started in a temporary
    folder where it listens only on a Unix-domain socket (no TCP port), stopped at the end. A
    wheel rather than Debian's `postgresql` package: no root, no system service, no apt, and the
    same server on any Linux machine the tests run on."""
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    server.psql("CREATE DATABASE trainlab_course;")
    yield server.get_uri("trainlab_course").replace("postgresql://", "postgresql+psycopg2://", 1)
    server.cleanup()


def test_grading_into_postgresql_with_two_workers_matches_sqlite(setup, postgres):
    course = setup["work"] / "postgres"
    shutil.copytree(setup["base"], course)
    done = trainlab("autograde", str(setup["submitted"]), "--course", str(course), "--workers", "2", "--db", postgres)
    assert "3 graded, 0 unchanged and kept, 1 failed" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    assert db_url_of(course) == postgres and "postgresql" in (course / "nbgrader_config.py").read_text()
    graded = {s for s, e in Ledger(course).records.items() if e["ok"]}
    assert graded == {"ref", "blank", "buggy"}
    assert {s: v for s, v in all_grades(course).items() if s in graded} == \
        {s: v for s, v in all_grades(setup["course"]).items() if s in graded}
    export = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", "grades.csv"], cwd=course,
                            capture_output=True, text=True, timeout=300)
    assert export.returncode == 0 and "buggy" in (course / "grades.csv").read_text()


def test_the_class_report_renders_in_chromium_with_every_image_and_table(setup, tmp_path):
    from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, _browser_or_skip

    out = tmp_path / "report.html"
    done = trainlab("report", "--course", str(setup["course"]), "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "xavier_uniform" in text and "broken" in text and "http" not in text.split("<body>", 1)[1]
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page()
        page.goto(out.as_uri())
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.id, e.complete && e.naturalWidth > 0])")
        tables = {t: page.locator(f"table#{t} tbody tr").count()
                  for t in ("failure-rates", "mistakes", "failed-students", "timing-table")}
        failing = page.locator("table#failed-students").inner_text()
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert sorted(images) == [["histograms", True], ["timing", True]]
    assert all(count >= 1 for count in tables.values()) and tables["timing-table"] == 4, tables
    assert "broken" in failing and "ref" not in failing
    assert fits
