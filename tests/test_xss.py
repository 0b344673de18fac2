"""No script of a submission runs in a page an instructor or student opens.

The vectors of tests/xss_vectors.py are first shown to be live: rendered by nbconvert as stock
nbgrader's feedback renders them, most of them run in Chromium. Then a student hands them in
(kernel outputs, a written answer, saved widget state), the submission is graded through
`trainlab autograde`, and neither the formgrader (in JupyterLab, with the instructor's session)
nor the feedback page runs any of them: no flag is set and no file is written through the
Jupyter API.
"""
from __future__ import annotations


import nbformat
import pytest
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from grader.instructor.autograde import autograde_all
from grader.instructor.course import build_course
from grader.instructor.layout import ASSIGNMENT
from grader.instructor.sanitize import HIDDEN_NOTE, SanitizeOutputs
from tests import xss_vectors
from tests.test_browser import (CHROMIUM, CHROMIUM_FLAGS, _browser_or_skip, _frame, browser_page, hand_in,
                                open_first_submission, serve_jupyterlab)

pytestmark = pytest.mark.slow
NOTEBOOK = "03_initialization"
ACTIVE_FILES = ("plot.html", "figure.svg", "page.xhtml", "run.js")
WIDGET_STATE = {"application/vnd.jupyter.widget-state+json": {
    "state": {"m": {"model_name": "</script><script>" + xss_vectors.payload("widget_state") + "</script>"}},
    "version_major": 2, "version_minor": 0}}


def _payload_notebook():
    cell = new_code_cell("# outputs a kernel produced", execution_count=1)
    cell.outputs = [new_output("display_data", data=bundle) for bundle in xss_vectors.output_bundles().values()]
    cell.outputs.append(new_output("stream", name="stdout", text="<script>" + xss_vectors.payload("stream_text") + "</script>"))
    nb = new_notebook(cells=[new_markdown_cell(xss_vectors.markdown_answer()), cell])
    nb.metadata["widgets"] = WIDGET_STATE
    return nb


def _fired(page) -> list[str]:
    page.wait_for_timeout(1500)
    found = []
    for frame in page.frames:
        try:
            found += frame.evaluate("() => window.__pwned || []")
        except Exception:  # a frame that navigated away or is cross-origin
            continue
    links = sum(frame.locator(f"a[href^='{xss_vectors.LINK_MARK}']").count() for frame in page.frames)
    return sorted(set(found)) + ["javascript_links"] * bool(links)


def _open_static(html: str, tmp_path, name: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    path = tmp_path / f"{name}.html"
    path.write_text(html)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(path.as_uri())
            return _fired(page)
        finally:
            browser.close()


def test_the_vectors_are_live_when_nothing_sanitizes(tmp_path):
    _browser_or_skip()
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(_payload_notebook())
    fired = _open_static(html, tmp_path, "stock")
    assert len(xss_vectors.NAMES) >= 15
    assert len(fired) >= 8, fired  # the vectors are real: most of them run in a stock page


def test_sanitized_outputs_run_nothing_and_keep_text(tmp_path):
    _browser_or_skip()
    nb, _ = SanitizeOutputs().preprocess(_payload_notebook(), {})
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert _open_static(html, tmp_path, "sanitized") == []
    assert "My answer." in html and "widget-state" not in html


@pytest.fixture(scope="module")
def xss_course(root, tmp_path_factory):
    work = tmp_path_factory.mktemp("xss")
    course = build_course(root, work / "course", only=["03_"])
    mine = work / "submitted" / "mallory" / ASSIGNMENT

    def add_payloads(nb):
        nb.cells.insert(1, new_code_cell(xss_vectors.display_code()))
        nb.metadata["widgets"] = WIDGET_STATE

    hand_in(root, course, mine, xss_vectors.markdown_answer(), edit=add_payloads)
    for name in ACTIVE_FILES:  # pages the formgrader would serve from the autograded folder
        (mine / name).write_text(f"<svg xmlns='http://www.w3.org/2000/svg'><script>{xss_vectors.payload(name)}</script></svg>")
    status = autograde_all(course, work / "submitted")["mallory"]
    assert sorted(status["left_out"]) == sorted(ACTIVE_FILES)
    assert status["ok"], status
    return course


def test_graded_payloads_are_stored_sanitized(xss_course):
    nb = nbformat.read(xss_course / "autograded" / "mallory" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    kinds = {kind for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs for kind in out.get("data", {})}
    assert kinds and not kinds & {"application/javascript", "image/svg+xml", "application/vnd.jupyter.widget-view+json"}
    assert "widgets" not in nb.metadata
    assert not any((xss_course / "autograded" / "mallory" / ASSIGNMENT / name).exists() for name in ACTIVE_FILES)
    assert all("<script" not in cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_the_formgrader_runs_no_payload(xss_course, tmp_path_factory, tmp_path):
    _browser_or_skip()
    with serve_jupyterlab(xss_course, tmp_path_factory.mktemp("xss-home")) as lab, browser_page(lab) as page:
        open_first_submission(page, NOTEBOOK)
        grading = _frame(page, "/formgrader/submissions/")
        grading.locator("text=My answer.").first.wait_for(timeout=30_000)  # the answer is shown, as text
        fired = _fired(page)
        page.screenshot(path=str(tmp_path / "formgrader-xss.png"))
    assert fired == []
    assert sorted(p.name for p in xss_course.rglob("pwned_*")) == []


def test_the_feedback_runs_no_payload_and_shows_no_hidden_test_source(xss_course, tmp_path):
    _browser_or_skip()
    page = xss_course / "feedback" / "mallory" / ASSIGNMENT / f"{NOTEBOOK}.html"
    html = page.read_text()
    assert "BEGIN HIDDEN TESTS" not in html and "hidden=True" not in html and HIDDEN_NOTE.split(":")[0] in html
    assert _open_static(html, tmp_path, "feedback") == []
