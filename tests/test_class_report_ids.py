"""The class report shows any student id, error message and check message as text: a hostile id
neither stops the report (matplotlib mathtext) nor reaches the page as markup."""
import html

import pytest

from grader.instructor.class_report import render_report

HOSTILE = ["x$\\foo{$", "$\\frac{1}{0}$", "<script>alert(1)</script>", '"onmouseover="x', "a" * 5000,
           "ünïcødé-学生-🙂", "back\\slash$", "bad\udcffbyte"]


def class_of(ids):
    scores = {s: {"01_activations": float(i)} for i, s in enumerate(ids)}
    scores[None] = {"01_activations": 10.0}
    results = {s: [{"id": "relu_forward.values", "function": "relu_forward", "points": 1.0, "hidden": False,
                    "passed": False, "message": f"relu_forward gave {s}. Hint: {s}"}] for s in ids}
    ledger = {s: {"ok": i % 2 == 0, "seconds": 1.0 + i, "error": f"autograde failed: {s}"}
              for i, s in enumerate(ids)}
    return scores, results, ledger


def test_hostile_ids_are_reported_as_text(tmp_path):
    page = render_report("course / training", *class_of(HOSTILE))
    out = tmp_path / "report.html"
    out.write_text(page, encoding="utf-8")  # valid Unicode throughout
    assert out.stat().st_size > 0
    assert "<script>alert(1)</script>" not in page and "onmouseover=\"x" not in page
    assert html.escape("<script>alert(1)</script>") in page
    assert html.escape('"onmouseover="x') in page
    assert html.escape("x$\\foo{$") in page and "a" * 5000 in page and "ünïcødé-学生-🙂" in page
    assert page.count("<img") == 2  # the histograms and the timing plot were drawn
    assert page.count("<script") == 0
    assert "bad\\udcffbyte" in page  # an undecodable byte of a folder name is shown escaped


@pytest.mark.parametrize("student", HOSTILE)
def test_each_hostile_id_alone_gives_a_report(student):
    page = render_report("course / training", *class_of([student]))
    shown = student.encode("utf-8", "backslashreplace").decode()
    assert "id='timing'" in page and html.escape(shown[:60]) in page
