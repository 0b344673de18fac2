"""The mistakes page: per function, the class's clusters by size, named or shown with their telling input.

A self-contained HTML page (no script, no outside resource). Everything in it that comes from a
submission (ids, values) is data the grader computed and is escaped.
"""
from __future__ import annotations

import html
from pathlib import Path

from .clusters import Cluster
from .notes import entry

PAGE_FILE = "mistakes.html"
MEMBERS_SHOWN = 40

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; max-width: 70em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; table-layout: fixed; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f0f0f0; }
tr.correct td { color: #555; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f7; padding: 0.4em; margin: 0.2em 0; }
.kind { font-weight: bold; }
.unnamed .kind { color: #a40; }
.named .kind { color: #06c; }
"""


def _e(value) -> str:
    return html.escape(str(value))


def _example(example: dict | None) -> str:
    if not example:
        return ""
    probe = example.get("probe", {})
    inputs = ", ".join(f"{k}: {v}" for k, v in example.get("inputs", {}).items())
    rows = [f"probe: {probe.get('case', '')} (seed {probe.get('seed', '')}"
            f"{', random shapes' if probe.get('random_shapes') else ''})",
            f"inputs: {inputs}"]
    if example.get("output"):
        rows.append(f"{example['output']} expected: {', '.join(f'{v:.4g}' if isinstance(v, float) else str(v) for v in example.get('expected', []))}")
        rows.append(f"{example['output']} got:      {', '.join(f'{v:.4g}' if isinstance(v, float) else str(v) for v in example.get('got', []))}")
    rows.append(f"relation: {example.get('relation', '')}")
    return f"<pre>{_e(chr(10).join(rows))}</pre>"


def _cluster_row(cluster: Cluster, notes: dict[str, str]) -> str:
    members = cluster.members[:MEMBERS_SHOWN]
    more = f" and {len(cluster.members) - MEMBERS_SHOWN} more" if len(cluster.members) > MEMBERS_SHOWN else ""
    if cluster.kind == "correct":
        return (f"<tr class='correct'><td class='kind'>correct</td><td>{len(cluster.members)}</td>"
                f"<td colspan='2'>{len(cluster.members)} students</td></tr>")
    note = notes.get(cluster.id, "")
    note_cell = (f"<p>Note sent with feedback:</p><pre>{_e(note)}</pre>" if note else
                 "<p>Add a note to <code>mistake_notes.toml</code>:</p>")
    return (f"<tr class='{_e(cluster.kind.replace(' ', '-'))}' id='{_e(cluster.id)}'>"
            f"<td><span class='kind'>{_e(cluster.kind)}</span><br>{_e(cluster.name)}<br><code>{_e(cluster.id)}</code></td>"
            f"<td>{len(cluster.members)}</td>"
            f"<td>{_e(', '.join(members) + more)}{_example(cluster.example)}</td>"
            f"<td>{note_cell}<pre>{_e(entry(cluster.id, note or ''))}</pre></td></tr>")


def render(clusters: dict[str, list[Cluster]], notes: dict[str, str], title: str, summary: str = "") -> str:
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_e(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{_e(title)}</h1>"]
    if summary:
        parts.append(f"<p>{_e(summary)}</p>")
    order = sorted(clusters, key=lambda f: (-sum(len(c.members) for c in clusters[f] if c.kind != "correct"), f))
    wrong = [f for f in order if any(c.kind != "correct" for c in clusters[f])]
    parts.append("<h2>Functions with mistakes</h2><ul>" + "".join(
        f"<li><a href='#{_e(f)}'>{_e(f)}</a>: {sum(len(c.members) for c in clusters[f] if c.kind != 'correct')} "
        f"students in {sum(c.kind != 'correct' for c in clusters[f])} clusters</li>" for f in wrong) + "</ul>")
    for function in wrong:
        parts.append(f"<h2 id='{_e(function)}'>{_e(function)}</h2><table>"
                     "<colgroup><col style='width:24%'><col style='width:6%'><col style='width:42%'><col style='width:28%'></colgroup>"
                     "<tr><th>cluster</th><th>students</th><th>members and the telling input</th><th>note</th></tr>")
        parts += [_cluster_row(c, notes) for c in clusters[function]]
        parts.append("</table>")
    correct = [f for f in order if f not in wrong]
    if correct:
        parts.append(f"<p>Every graded student is correct on: {_e(', '.join(correct))}.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_page(course: Path, out: Path | None = None) -> tuple[Path, dict]:
    """Cluster the course's fingerprints and write the page (course/mistakes.html by default);
    returns the page's path and the clusters."""
    from .clusters import cluster_class, read_fingerprints
    from .library import load
    from .notes import read_notes

    course = Path(course)
    prints = read_fingerprints(course)
    libraries = load()
    clusters = cluster_class(prints, libraries)
    named = sum(c.kind == "named" for cs in clusters.values() for c in cs)
    unnamed = sum(c.kind == "unnamed" for cs in clusters.values() for c in cs)
    summary = (f"{len(prints)} students fingerprinted on {sum(len(l.bank) for l in libraries.values())} probes; "
               f"{named} clusters name a catalogued mistake, {unnamed} are unnamed. Write a note per cluster "
               "into mistake_notes.toml in the course folder: the next feedback run gives it to every member.")
    path = Path(out) if out else course / PAGE_FILE
    path.write_text(render(clusters, read_notes(course), "Mistakes of the class", summary))
    return path, clusters
