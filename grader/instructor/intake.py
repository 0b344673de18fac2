"""Submission intake: a handed-in folder enters the course only as a bounded copy of plain files."""
from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from ..core.errors import SubmissionError
from ..sandbox.host import copy_submission_tree
from .layout import ASSIGNMENT, TIMESTAMP_FILE

SUBMISSION_BYTES = 256 << 20  # a submission larger than this is refused

# What a submission may hold: notebooks, code, saved arrays, pictures and plain text. A page, an SVG
# or a script would be served by the formgrader (from the autograded folder, with the instructor's
# session) if a written answer linked to it, so any other file is left out.
SUBMISSION_SUFFIXES = (".ipynb", ".py", ".npz", ".npy", ".png", ".jpg", ".jpeg", ".gif", ".txt", ".md", ".csv",
                       ".json")



def take_in(submitted: Path, course: Path, student: str) -> tuple[str, list[str]]:
    """Copy one submission into the course's submitted/ folder as data.

    Returns (why it was refused or "", the paths left out). Symbolic links, device files, sockets,
    pipes and files of other kinds than SUBMISSION_SUFFIXES are left out (a link to someone else's
    file grades as a missing file); a tree over SUBMISSION_BYTES is refused whole. A submission
    already inside the course is rewritten the same way, so stock nbgrader never meets a link either.
    """
    inbox = course / "submitted" / student / ASSIGNMENT
    source = submitted / student / ASSIGNMENT
    with tempfile.TemporaryDirectory(dir=course) as scratch:
        try:
            skipped = copy_submission_tree(source, Path(scratch) / "copy", max_bytes=SUBMISSION_BYTES,
                                           suffixes=SUBMISSION_SUFFIXES)
        except SubmissionError as exc:
            return f"submission refused: {exc}", []
        stamp_submission(source, Path(scratch) / "copy")
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(scratch) / "copy"), inbox)
    return "", skipped


def stamp_submission(source: Path, copy: Path) -> None:
    """Give a submission that came without nbgrader's timestamp.txt (handed over as a folder, not
    through `nbgrader collect`) the time its newest file was written, so that the formgrader and
    the gradebook show when it was handed in. Links are neither followed nor counted."""
    stamp = copy / TIMESTAMP_FILE
    if stamp.exists():
        return
    times = [os.lstat(os.path.join(folder, name)).st_mtime
             for folder, _, names in os.walk(source, followlinks=False) for name in names]
    when = datetime.fromtimestamp(max(times, default=os.lstat(source).st_mtime), tz=timezone.utc)
    stamp.write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
