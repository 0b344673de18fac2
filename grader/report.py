"""Print check results as a table (rich) or as JSON lines."""
from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

from .engine import FAILED, NOT_IMPLEMENTED, PASSED, score

STYLE = {PASSED: "green", FAILED: "red", NOT_IMPLEMENTED: "yellow"}


def print_json(results, file=sys.stdout) -> None:
    for r in results:
        file.write(json.dumps(r.as_dict()) + "\n")


def print_table(results, console: Console | None = None, show_passed: bool = True) -> None:
    console = console or Console(highlight=False)
    table = Table(title="trainlab checks", show_lines=False)
    for column in ("topic", "function", "check", "points", "result"):
        table.add_column(column)
    for r in results:
        if r.passed and not show_passed:
            continue
        status = f"[{STYLE[r.status]}]{r.status}[/]"
        table.add_row(r.topic, r.function, r.name + (" [dim](hidden)[/]" if r.hidden else ""),
                      f"{r.points:g}", status)
    console.print(table)
    failures = [r for r in results if r.status == FAILED]
    for r in failures:
        console.print(f"[red]FAILED[/] {r.function} - {r.name}: {r.message}", soft_wrap=True)
    earned, possible = score(results)
    counts = {s: sum(r.status == s for r in results) for s in STYLE}
    console.print(f"{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[NOT_IMPLEMENTED]} not implemented yet; "
                  f"points {earned:g}/{possible:g}")
