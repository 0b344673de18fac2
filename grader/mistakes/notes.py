"""Instructor notes on clusters: written once in the course folder, shown to every member.

`course/mistake_notes.toml` holds one entry per cluster id (the mistakes page shows each id with
its entry ready to copy):

    ["activations.relu_backward#1f0c2a9d3e"]
    note = "Your mask comes from dout; the gradient flows where the forward's input was positive."

The next feedback run adds each note to the feedback of every student whose fingerprint lands in
that cluster, current and future: the cluster id comes from the student's own fingerprint and the
library (clusters.label), never from the rest of the class.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

NOTES_FILE = "mistake_notes.toml"
MAX_NOTES_BYTES = 1 << 20


def read_notes(course: Path) -> dict[str, str]:
    """cluster id -> note, from the course's notes file ({} when there is none)."""
    path = Path(course) / NOTES_FILE
    if not path.is_file():
        return {}
    if path.stat().st_size > MAX_NOTES_BYTES:
        raise ValueError(f"{path} is larger than {MAX_NOTES_BYTES} bytes; keep one short note per cluster.")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML ({exc}); each entry is [\"<cluster id>\"] then note = \"...\".") from None
    return {cid: str(entry["note"]).strip() for cid, entry in data.items()
            if isinstance(entry, dict) and str(entry.get("note", "")).strip()}


def entry(cluster_id: str, note: str = "") -> str:
    """The notes-file entry of one cluster, as the page shows it."""
    return f'["{cluster_id}"]\nnote = {json.dumps(note)}\n'


def notes_for(course: Path, student: str, notebook: str, libraries=None) -> list[tuple[str, str]]:
    """(function, note) for each function of `notebook` whose cluster has a note, for `student`."""
    from .clusters import FINGERPRINT_SUFFIX, cluster_id, label
    from .library import load
    from ..instructor.ledger import TRUSTED_FOLDER

    notes = read_notes(course)
    path = Path(course) / TRUSTED_FOLDER / student / f"{notebook}{FINGERPRINT_SUFFIX}"
    if not notes or not path.is_file() or path.is_symlink():
        return []
    libraries = libraries or load()
    out = []
    for function, record in sorted(json.loads(path.read_text()).items()):
        if function in libraries:
            key, _, _ = label(record, libraries[function])
            note = notes.get(cluster_id(function, key))
            if note:
                out.append((function, note))
    return out


class MistakeNotes(Preprocessor):
    """Feedback step: a markdown cell at the top with the instructor's notes on this student's clusters."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.enabled = True

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_markdown_cell

        info = resources["nbgrader"]
        from nbgrader.coursedir import CourseDirectory

        course = Path(CourseDirectory(config=self.config).root).resolve()
        try:
            found = notes_for(course, info["student"], info["notebook"])
        except ValueError as exc:  # a broken notes file: feedback goes out without notes, and says why in the log
            self.log.warning("%s", exc)
            found = []
        if found:
            lines = ["**Notes from your instructor on your code**", ""]
            lines += [f"- `{function.partition('.')[2]}`: {note}" for function, note in found]
            nb.cells.insert(0, new_markdown_cell("\n".join(lines), metadata={"trainlab": {"mistake_notes": True}}))
        return nb, resources
