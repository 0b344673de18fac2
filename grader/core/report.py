"""Check results for a person: one line per function, then the failures in detail.

Used by `trainlab check` (a rich table), by the notebook test cells and by the trusted grader's
cell outputs (plain text); `--all-checks` lists every check, `--json` prints one object per check.
"""
from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from .engine import FAILED, NOT_IMPLEMENTED, PASSED, score

STYLE = {PASSED: "green", FAILED: "red", NOT_IMPLEMENTED: "yellow"}


@dataclass
class FunctionSummary:
    topic: str
    function: str
    status: str  # PASSED when every check passed, NOT_IMPLEMENTED when nothing ran, else FAILED
    passed: int
    total: int
    earned: float
    possible: float


def by_function(results) -> list[FunctionSummary]:
    """One summary per function, in the order the results first name them."""
    groups: dict = {}
    for r in results:
        groups.setdefault((r.topic, r.function), []).append(r)
    out = []
    for (topic, function), rs in groups.items():
        statuses = {r.status for r in rs}
        status = PASSED if statuses == {PASSED} else NOT_IMPLEMENTED if statuses == {NOT_IMPLEMENTED} else FAILED
        out.append(FunctionSummary(topic, function, status, sum(r.passed for r in rs), len(rs),
                                   sum(r.points for r in rs if r.passed), sum(r.points for r in rs)))
    return out


TEXT_WIDTH = 100  # failure lines wrap here, between words: a number is never cut


def failure_lines(results) -> list[str]:
    """Each failure as "function: check" and its message wrapped between words; a hint already
    given for the same function is not repeated."""
    lines, hinted = [], {}
    for r in (r for r in results if r.status == FAILED):
        message, _, hint = r.message.partition(" Hint: ")
        if hint and hinted.get(r.function) == hint:
            message += " (Hint: as above.)"
        elif hint:
            hinted[r.function] = hint
            message += f" Hint: {hint}"
        lines.append(f"  {r.function}: {r.name}")
        lines += textwrap.wrap(message, TEXT_WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6,
                               break_long_words=False, break_on_hyphens=False)
    return lines


def unfinished_summary(results) -> str:
    """One line per function that does not pass yet: not started (and the file to write it in), or
    the checks it fails. "" when every check passes. This is what `nbgrader validate` prints for
    the cell (a cell's stderr), instead of its stock "Partial credit" line."""
    lines = []
    for s in by_function(results):
        if s.status == NOT_IMPLEMENTED:
            module = next(r.topic for r in results if r.function == s.function)
            lines.append(f"{s.function}: not started (write it in src/trainlab/{module}.py)")
        elif s.status == FAILED:
            names = [r.name for r in results if r.function == s.function and r.status == FAILED]
            lines.append(f"{s.function}: fails {len(names)} of {s.total} checks: " + "; ".join(names))
    return "\n".join(lines)


def points_line(earned: float, possible: float, where: str) -> str:
    """The line a test cell shows under its table (markdown): its points, out of what it is worth."""
    return f"**{earned:g} of {possible:g} points** from this cell's {where}"


def text_report(results, title: str = "checks") -> str:
    """Plain text: a line per function, the failures in detail, a total line."""
    summaries = by_function(results)
    width = max((len(s.function) for s in summaries), default=8)
    lines = [f"{s.function:<{width}}  {s.status:<19}  {s.passed}/{s.total} checks  {s.earned:g}/{s.possible:g} points"
             for s in summaries]
    failures = failure_lines(results)
    if failures:
        lines.append("failures:")
        lines += failures
    earned, possible = score(results)
    lines.append(f"{title}: {sum(r.passed for r in results)}/{len(results)} passed, {earned:g}/{possible:g} points")
    return "\n".join(lines) + "\n"


def print_json(results, file=sys.stdout) -> None:
    for r in results:
        file.write(json.dumps(r.as_dict()) + "\n")


def given(summary: FunctionSummary) -> bool:
    """A function given complete in the library: its checks run and carry no points."""
    return summary.possible == 0 and summary.total > 0


def totals(results) -> str:
    """The summary line: the students' functions, then the given ones apart."""
    summaries = by_function(results)
    mine = {(s.topic, s.function) for s in summaries if not given(s)}
    counts = {s: sum(r.status == s and (r.topic, r.function) in mine for r in results) for s in STYLE}
    earned, possible = score(results)
    line = (f"{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[NOT_IMPLEMENTED]} not implemented yet; "
            f"points {earned:g}/{possible:g}")
    gifts = [s for s in summaries if given(s)]
    if gifts:
        broken = [s.function for s in gifts if s.status != PASSED]
        line += (f"; given functions ({', '.join(s.function for s in gifts)}): "
                 + (f"{', '.join(broken)} changed, restore {'it' if len(broken) == 1 else 'them'}" if broken
                    else "unchanged"))
    return line


def print_table(results, console: Console | None = None, show_passed: bool = True, all_checks: bool = False) -> None:
    """The per-function table (or one row per check), then every failure, then the totals. The
    per-function table fits 80 columns: the topic heads its functions instead of taking a column."""
    console = console or Console(highlight=False)
    table = Table(title="trainlab checks", show_lines=False)
    if all_checks:
        for column in ("topic", "function", "check", "points", "result"):
            table.add_column(column)
        for r in results:
            if show_passed or not r.passed:
                table.add_row(r.topic, r.function, r.name + (" [dim](hidden)[/]" if r.hidden else ""),
                              f"{r.points:g}", f"[{STYLE[r.status]}]{r.status}[/]")
    else:
        for column, justify in (("function", "left"), ("result", "left"), ("checks", "right"), ("points", "right")):
            table.add_column(column, no_wrap=True, justify=justify)
        topic = None
        for s in by_function(results):
            if not (show_passed or s.status != PASSED):
                continue
            if s.topic != topic:
                topic = s.topic
                table.add_row(f"[bold]{topic}[/]", "", "", "")
            status = ("given" if s.status == PASSED else "given, changed") if given(s) else s.status
            table.add_row(f"  {s.function}", f"[{STYLE[s.status]}]{status}[/]", f"{s.passed}/{s.total}",
                          "-" if given(s) else f"{s.earned:g}/{s.possible:g}")
    console.print(table)
    for r in (r for r in results if r.status == FAILED):
        console.print(f"[red]FAILED[/] {r.function} - {r.name}: {r.message}", soft_wrap=True)
    console.print(totals(results))


def print_check_list(checks, console: Console | None = None) -> None:
    """Every check of the selection, grouped by function in report order: its name, points and
    whether it is hidden (instructor side) or a style check (GRADING_RULES.md, rule 3)."""
    from .cases import is_style

    console = console or Console(highlight=False)
    table = Table(title="trainlab checks by function", show_lines=False)
    for column in ("topic", "function", "check", "points", "kind"):
        table.add_column(column, no_wrap=column in ("topic", "points", "kind"))
    order = {}
    for chk in checks:
        order.setdefault((chk.topic, chk.function), []).append(chk)
    for (topic, function), group in order.items():
        for i, chk in enumerate(group):
            kind = "hidden" if chk.hidden else "style" if is_style(chk) else "public"
            table.add_row(topic if i == 0 else "", function if i == 0 else "", chk.name, f"{chk.points:g}", kind)
        table.add_section()
    console.print(table)
    total = sum(c.points for c in checks)
    console.print(f"{len(checks)} checks on {len(order)} functions; {total:g} points "
                  f"({sum(c.points for c in checks if c.hidden):g} of them in hidden checks).")
