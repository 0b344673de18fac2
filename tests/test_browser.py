"""Grading by hand in a real browser: JupyterLab on loopback, nbgrader's formgrader, headless
Chromium driven by Playwright. A written answer gets a score and a comment typed into the
formgrader; the gradebook holds them and the regenerated feedback shows them.

Needs Debian's `chromium` and the `playwright` package (both installed by .ci/run, which sets
TRAINLAB_REQUIRE_BROWSER=1 so that a missing browser fails there instead of skipping).
"""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from grader.instructor import gradebook
from grader.instructor.autograde import autograde_all
from grader.instructor.course import build_course
from grader.instructor.layout import ASSIGNMENT, COURSE_ID, STUDENT_CONFIG_FILE, nbgrader

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium as root in a container, on a machine without network: no sandbox, no background calls
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOK = "03_initialization"
QUESTION = "q_symmetry"
COMMENT = "Right idea: identical units get identical gradients. Say why random biases alone do not help."


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        sync_playwright = None
    if CHROMIUM and sync_playwright:
        return
    why = "needs Debian's chromium and the playwright package"
    if os.environ.get("TRAINLAB_REQUIRE_BROWSER"):
        pytest.fail(f"the browser test {why}; .ci/run installs both")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hand_in(root: Path, course: Path, mine: Path, answer: str, edit=None) -> None:
    """Write a submission into `mine`: the course's released notebooks with every written answer
    set to `answer` (and `edit(nb)` applied, if given), and the reference solutions as src/."""
    mine.mkdir(parents=True)
    for path in (course / "release" / ASSIGNMENT).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = answer
        if edit:
            edit(nb)
        nbformat.write(nb, mine / path.name)
    shutil.copytree(root / "src" / "trainlab", mine / "src" / "trainlab", ignore=shutil.ignore_patterns("__pycache__"))


@pytest.fixture(scope="module")
def graded_course(root, tmp_path_factory):
    work = tmp_path_factory.mktemp("browser")
    course = build_course(root, work / "course", only=["03_"])
    hand_in(root, course, work / "submitted" / "alice" / ASSIGNMENT,
            "Identical weights give identical gradients, so the hidden units stay copies.")
    assert autograde_all(course, work / "submitted")["alice"]["ok"]
    return course


@contextlib.contextmanager
def serve_jupyterlab(folder: Path, home: Path):
    """JupyterLab serving `folder` on loopback as a user whose home is `home`; stopped (with its
    kernels) on exit. Yields {"url", "token"}."""
    port, token = _free_port(), uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["HOME"] = str(home)
    args = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={folder}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log_path = home / f"lab-{port}.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(args, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab did not start: " + log_path.read_text()[-2000:])
                    time.sleep(0.5)
            yield {"url": url, "token": token}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@contextlib.contextmanager
def browser_page(lab: dict):
    """A headless Chromium page logged in to JupyterLab (entered through /lab: a formgrader
    sub-page opened with ?token= stays on "Loading")."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{lab['url']}/lab?token={lab['token']}")
            yield page
        finally:
            browser.close()


def open_nbgrader_menu(page, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click(timeout=90_000)
    page.locator(f".lm-Menu-itemLabel:text-is('{item}')").click()


@pytest.fixture(scope="module")
def jupyterlab(graded_course, tmp_path_factory):
    """The instructor's JupyterLab in the course folder."""
    _browser_or_skip()
    with serve_jupyterlab(graded_course, tmp_path_factory.mktemp("instructor-home")) as lab:
        yield {**lab, "course": graded_course}


def open_first_submission(page, notebook: str):
    """Open Submission #1 of `notebook` in the formgrader; return the formgrader's frame locator
    once the page's script has fetched the grades and comments and bound its fields."""
    open_nbgrader_menu(page, "Formgrader")
    formgrader = page.frame_locator("iframe[src*='formgrader']")
    formgrader.locator("a:text-is('Manual Grading')").click(timeout=60_000)
    formgrader.locator(f"a:text-is('{ASSIGNMENT}')").click()
    formgrader.locator(f"a:has-text('{notebook}')").first.click()
    formgrader.locator("a:has-text('Submission #1')").click()
    _frame(page, "/formgrader/submissions/").wait_for_function(
        "() => window.formgrader && formgrader.grades && formgrader.grades.loaded"
        " && formgrader.comments && formgrader.comments.loaded", timeout=60_000)
    return formgrader


def _frame(page, part: str, seconds: float = 60):
    """The page's frame whose address contains `part`, once it is there."""
    deadline = time.monotonic() + seconds
    while not any(part in f.url for f in page.frames):
        if time.monotonic() > deadline:
            raise AssertionError(f"no frame showing {part} after {seconds} s: {[f.url for f in page.frames]}")
        page.wait_for_timeout(200)
    return next(f for f in page.frames if part in f.url)


def _written_grade(course: Path):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        grade = gb.find_grade(QUESTION, NOTEBOOK, ASSIGNMENT, "alice")
        comment = gb.find_comment(QUESTION, NOTEBOOK, ASSIGNMENT, "alice")
        return grade.manual_score, comment.manual_comment


def test_a_score_and_comment_typed_in_the_formgrader_reach_gradebook_and_feedback(jupyterlab, tmp_path):
    course = jupyterlab["course"]
    assert _written_grade(course) == (None, None)
    with browser_page(jupyterlab) as page:
        formgrader = open_first_submission(page, NOTEBOOK)
        score = formgrader.locator(f"input#{QUESTION}")
        score.fill("1.5")
        score.press("Tab")  # the formgrader saves a field when it loses focus
        comment = formgrader.locator(f"textarea#{QUESTION}-comment")
        comment.fill(COMMENT)
        comment.press("Tab")
        deadline = time.monotonic() + 30
        while _written_grade(course) != (1.5, COMMENT) and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        page.screenshot(path=str(tmp_path / "formgrader.png"))
    assert _written_grade(course) == (1.5, COMMENT)
    written = gradebook.scores(course)["alice"]
    assert written["written_score"] == 1.5 and written["written_to_grade"] == 1  # q_relu_variance still waits
    done = nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    assert done.returncode == 0, done.stderr[-2000:]
    feedback = (course / "feedback" / "alice" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert COMMENT in feedback and "1.5 / 2" in feedback


def test_a_student_fetches_the_released_assignment_from_jupyterlab(graded_course, tmp_path):
    """With the course's student config in ~/.jupyter, JupyterLab's Assignment List lists the
    released assignment (not "Error fetching courses!") and its Fetch button brings it home."""
    _browser_or_skip()
    done = nbgrader(graded_course, "release_assignment", ASSIGNMENT, "--force")
    assert done.returncode == 0, done.stderr[-2000:]
    home = tmp_path / "student"
    (home / ".jupyter").mkdir(parents=True)
    shutil.copy(graded_course / STUDENT_CONFIG_FILE, home / ".jupyter" / "nbgrader_config.py")
    with serve_jupyterlab(home, home) as lab, browser_page(lab) as page:
        open_nbgrader_menu(page, "Assignment List")
        released = page.locator("#released_assignments_list")
        released.locator(f"text={ASSIGNMENT}").wait_for(timeout=60_000)
        assert "Error fetching courses" not in page.content()
        released.locator("button:has-text('Fetch')").click()
        deadline = time.monotonic() + 30
        while not (home / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file() and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        page.screenshot(path=str(tmp_path / "assignment-list.png"))
    assert (home / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
    assert (home / ASSIGNMENT / "src" / "trainlab" / "initialization.py").is_file()
