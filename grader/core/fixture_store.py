"""Stored inputs and expected outputs for the public checks: grader/fixtures/<topic>.npz.

Keys are "<function>/<case name>|in|<input>" and "...|out|<output>". The files are written from the
reference solutions by `trainlab fixtures` (grader/instructor/make_fixtures.py), never by hand.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import CheckFailure

STORED = "_derived"  # present in a case's stored outputs when its derived values were stored with them
FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures"


def _decode(value: np.ndarray):
    if value.dtype.kind == "U":
        return str(value)
    if value.ndim == 0:
        return value.item()
    return value


class Fixtures:
    def __init__(self, directory: Path = FIXTURE_DIR):
        self.directory = Path(directory)
        self._topics: dict[str, dict] = {}

    def _load(self, topic: str) -> dict:
        if topic not in self._topics:
            path = self.directory / f"{topic}.npz"
            if not path.is_file():
                raise CheckFailure(f"the fixture file {path} is missing; reinstall the assignment files.")
            with np.load(path, allow_pickle=False) as data:
                self._topics[topic] = {k: data[k] for k in data.files}
        return self._topics[topic]

    def case(self, case) -> tuple[dict, dict]:
        """(inputs, expected outputs) stored for a Case."""
        data = self._load(case.topic)
        prefix = case.key + "|"
        inputs = {k.split("|", 2)[2]: _decode(v) for k, v in data.items() if k.startswith(prefix + "in|")}
        expected = {k.split("|", 2)[2]: v for k, v in data.items() if k.startswith(prefix + "out|")}
        if not expected:
            raise CheckFailure(f"no stored outputs for {case.key} in {self.directory}; run `trainlab fixtures`.")
        return inputs, expected


def save_topic(path: Path, entries: dict[str, tuple[dict, dict]]) -> None:
    """Write {case key: (inputs, outputs)} to one npz file."""
    flat = {}
    for key, (inputs, outputs) in entries.items():
        flat.update({f"{key}|in|{k}": np.asarray(v) for k, v in inputs.items()})
        flat.update({f"{key}|out|{k}": np.asarray(v) for k, v in outputs.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **flat)
