"""`trainlab report --course DIR --out report.html`: how the class did, on one self-contained page.

Read from the course folder only: the gradebook (scores per notebook and in total, through
nbgrader's API), the trusted check results TrustedScores kept per student and notebook
(course/trusted/), and the grading ledger (failures and their reasons, grading time). Plots are
made with matplotlib and embedded as PNG data, so the page needs no other file and no network.

Student ids, error messages and check messages are the submissions' data: the page shows them as
text only (HTML-escaped in tables; plain text, never TeX or mathtext, in plots).
"""
from __future__ import annotations

import base64
import html
import os
import io
import json
from collections import Counter
from pathlib import Path
from .layout import ASSIGNMENT, course_id_of, db_url_of
from . import gradebook
from .ledger import TRUSTED_FOLDER, UNFINISHED, Ledger, run_in_progress

HINT_MARK = " Hint: "
IN_PROGRESS = "being graded now"


def notebook_scores(course: Path) -> dict[str, dict[str, float]]:
    """student -> notebook -> score, and the notebooks' maxima under the key None."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url_of(course), course_id_of(course)) as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:  # no submission
                continue
            out[student.id] = {nb.name: float(nb.score) for nb in sub.notebooks}
            out[None] = {nb.name: float(nb.max_score) for nb in sub.notebooks}
    return out


def check_results(course: Path) -> dict[str, list[dict]]:
    """student -> every trusted check result recorded for them."""
    out = {}
    for folder in sorted((Path(course) / TRUSTED_FOLDER).glob("*")):
        out[folder.name] = [r for path in sorted(folder.glob("*.json")) for r in json.loads(path.read_text())]
    return out


def failure_rates(results: dict[str, list[dict]]) -> list[dict]:
    """Per check: how many students failed it, most failed first."""
    seen, failed, info = Counter(), Counter(), {}
    for rows in results.values():
        for r in rows:
            seen[r["id"]] += 1
            failed[r["id"]] += not r["passed"]
            info[r["id"]] = r
    rows = [{"id": cid, "function": info[cid]["function"], "points": info[cid]["points"],
             "hidden": info[cid]["hidden"], "failed": failed[cid], "students": seen[cid],
             "rate": failed[cid] / seen[cid]} for cid in seen]
    return sorted(rows, key=lambda row: (-row["failed"], row["id"]))


def common_mistakes(results: dict[str, list[dict]]) -> list[tuple[str, str, int]]:
    """(function, hint, number of students) of the hints that fired, most frequent first."""
    counts = Counter()
    for rows in results.values():
        for hint in {(r["function"], r["message"].split(HINT_MARK, 1)[1].strip())
                     for r in rows if not r["passed"] and HINT_MARK in r["message"]}:
            counts[hint] += 1
    return [(fn, hint, n) for (fn, hint), n in counts.most_common()]


PLAIN_TEXT = {"usetex": False, "parse_math": False}  # a student id such as `x$\foo{$` is text, not mathtext
LABEL_CHARS = 40  # longer ids are cut in plots (the tables show them whole)


def _printable(text: str) -> str:
    """`text` as valid Unicode: undecodable bytes of a folder name (lone surrogates) become \\x.. escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _label(student: str) -> str:
    student = _printable(student)
    return student if len(student) <= LABEL_CHARS else student[:LABEL_CHARS - 1] + "…"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def score_histograms(scores: dict) -> str:
    """One histogram per notebook and one of the total, as an embedded PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    maxima = scores.get(None, {})
    students = [s for s in scores if s is not None]
    panels = [(name, [scores[s].get(name, 0.0) for s in students], top) for name, top in sorted(maxima.items())]
    panels.append(("total", [sum(scores[s].values()) for s in students], sum(maxima.values())))
    columns = min(4, len(panels))
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.4 * columns, 2.6 * rows), squeeze=False)
    for ax, (name, values, top) in zip(axes.flat, panels):
        ax.hist(values, bins=min(20, max(5, len(values))), range=(0, max(top, 1e-9)), color="#4477aa")
        ax.set_title(name, fontsize=9, **PLAIN_TEXT)
        ax.set_xlabel(f"score (of {top:g} points)")
        ax.set_ylabel("students")
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("Scores per notebook and in total")
    fig.tight_layout()
    return _png(fig)


def time_plot(ledger: dict) -> str | None:
    """Grading time per submission, slowest first, as an embedded PNG (None without records)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    timed = sorted(((entry.get("seconds", 0.0), student) for student, entry in ledger.items()), reverse=True)
    if not timed:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(timed) + 1.2))
    ax.barh(range(len(timed)), [t for t, _ in timed][::-1], color="#66aa55")
    ax.set_yticks(range(len(timed)), [_label(s) for _, s in timed][::-1], **PLAIN_TEXT)
    ax.set_xlabel("grading time (s)")
    ax.set_title("Grading time per submission")
    return _png(fig)


def _table(table_id: str, header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
         "table{border-collapse:collapse;margin:1em 0;max-width:100%}td,th{border:1px solid #ccc;"
         "padding:3px 8px;font-size:13px;text-align:left}td{overflow-wrap:anywhere}th{background:#eee}"
         "img{max-width:100%}")


def build_report(course: Path, out: Path) -> Path:
    course = Path(course).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"{course} is not a trainlab course folder; give the folder `trainlab course` made.")
    out = Path(out)
    from ..mistakes.page import write_page

    mistakes, _ = write_page(course)  # the class's clusters, on their own page (grader/mistakes)
    page = render_report(f"{course_id_of(course)} / {ASSIGNMENT}", notebook_scores(course),
                         check_results(course), Ledger(course).records, gradebook.scores(course),
                         run_in_progress(course), os.path.relpath(mistakes, out.resolve().parent))
    out.write_text(page, encoding="utf-8")
    return out


def points_summary(students: list, totals: list, maximum: float, written: dict | None) -> str:
    """The scores in words: autograded points apart from written ones, which wait for a hand grade."""
    if not totals:
        return "No student has been graded yet."
    if not written:
        return (f"{len(students)} students graded; total score of {maximum:g}: median "
                f"{totals[len(totals) // 2]:g}, lowest {totals[0]:g}, highest {totals[-1]:g}.")
    auto = sorted(written[s]["autograded_score"] for s in students if s in written)
    auto_max = max((written[s]["autograded_max"] for s in students if s in written), default=0.0)
    hand_max = max((written[s]["written_max"] for s in students if s in written), default=0.0)
    waiting = sum(written[s]["written_to_grade"] > 0 for s in students if s in written)
    text = (f"{len(students)} students graded. Autograded points: median {auto[len(auto) // 2]:g} of "
            f"{auto_max:g}, lowest {auto[0]:g}, highest {auto[-1]:g}.") if auto else f"{len(students)} students graded."
    if hand_max:
        text += (f" Written answers: {hand_max:g} more points, graded by hand in the formgrader; "
                 f"{waiting} of {len(students)} submissions still have answers to grade.")
    return text


def render_report(title: str, scores: dict, results: dict[str, list[dict]], ledger: dict,
                  written: dict | None = None, running: dict | None = None, mistakes: str | None = None) -> str:
    """The page, from plain data: scores as notebook_scores gives them, check results as
    check_results gives them, the ledger's records, per student the gradebook's autograded and
    written points (gradebook.scores) and the marker of a run in progress (ledger.run_in_progress).
    Submissions that scored no autograded point, and those whose grading failed, are counted in
    one line and left out of the check tables, which would otherwise list every check."""
    students = sorted(s for s in scores if s is not None)
    maximum = sum(scores.get(None, {}).values())
    totals = sorted((sum(scores[s].values()) for s in students))
    summary = points_summary(students, totals, maximum, written)
    broken = {s for s, e in ledger.items() if not e.get("ok")}
    def autograded(student):  # the gradebook's autograded points, or the notebooks' total without it
        return written[student]["autograded_score"] if written and student in written else sum(scores[student].values())

    empty = {s for s in students if autograded(s) == 0}
    left_out = sorted((broken | empty) & set(results))
    results = {s: rows for s, rows in results.items() if s not in left_out}
    rates = failure_rates(results)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>trainlab class report</title>"
             f"<style>{STYLE}</style></head><body><h1>Class report: {html.escape(title)}</h1>"
             f"<p id='summary'>{html.escape(summary)}</p>"]
    if mistakes:
        parts.append(f"<p id='mistakes'>The class's mistakes, grouped by what each function returns, with one "
                     f"note per group for feedback: <a href='{html.escape(mistakes)}'>{html.escape(mistakes)}</a>.</p>")
    if running:
        done = sum(1 for e in ledger.values() if e.get("error") != UNFINISHED)
        note = (f"Grading is in progress (started {running.get('started', '?')}): {done} of {len(ledger)} "
                "submissions have a result; this page shows them.")
        parts.append(f"<p id='in-progress'>{html.escape(note)}</p>")
    if left_out:
        shown = ", ".join(left_out[:20]) + (f" and {len(left_out) - 20} more" if len(left_out) > 20 else "")
        note = (f"{len(left_out)} submissions scored no autograded point or could not be graded, and are left "
                f"out of the check tables below: {shown}.")
        parts.append(f"<p id='left-out'>{html.escape(note)}</p>")
    if students:
        parts.append(f"<h2>Scores</h2><img id='histograms' alt='score histograms' "
                     f"src='data:image/png;base64,{score_histograms(scores)}'>")
    parts.append("<h2>Most common known mistakes (hints that fired)</h2>" + _table(
        "mistakes", ["function", "hint", "students"], [list(m) for m in common_mistakes(results)[:25]]
        or [["", "no hint fired", 0]]))
    failed = sorted((s, IN_PROGRESS if running and e.get("error") == UNFINISHED else e.get("error", ""))
                    for s, e in ledger.items() if not e.get("ok"))
    parts.append("<h2>Submissions whose grading failed or timed out</h2>" + _table(
        "failed-students", ["student", "reason"], [list(f) for f in failed] or [["none", ""]]))
    failing = [r for r in rates if r["failed"]]
    parts.append(f"<h2>Checks by failure rate ({len(failing)} of {len(rates)} checks failed by someone)</h2>" + _table(
        "failure-rates", ["check", "function", "points", "hidden", "students failing", "rate"],
        [[r["id"], r["function"], f"{r['points']:g}", "yes" if r["hidden"] else "no",
          f"{r['failed']} of {r['students']}", f"{r['rate']:.0%}"] for r in failing]
        or [["no check failed", "", "", "", "", ""]]))
    timing = time_plot(ledger)
    if timing:
        parts.append(f"<h2>Grading time</h2><img id='timing' alt='grading time per submission' "
                     f"src='data:image/png;base64,{timing}'>")
    parts.append(_table("timing-table", ["student", "seconds", "graded"],
                        [[s, f"{e.get('seconds', 0.0):.1f}", "ok" if e.get("ok") else "failed"]
                         for s, e in sorted(ledger.items())]))
    parts.append("</body></html>")
    return _printable("\n".join(parts))
