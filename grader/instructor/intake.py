"""Submission intake: a handed-in folder enters the course only as a bounded copy of plain files."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..core.errors import SubmissionError
from ..sandbox.host import copy_submission_tree
from .layout import ASSIGNMENT

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
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(scratch) / "copy"), inbox)
    return "", skipped
