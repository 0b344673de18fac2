"""Malicious submissions graded through the real pipeline (`trainlab course` + `trainlab autograde`).

One course holding notebook 01 (the activations) grades every attack of tests/attacks.py beside
three honest students in a single run. Each attacker must score exactly its honest baseline, the
honest students their exact scores, and nothing outside the attackers' folders may change.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from grader.instructor import gradebook
from grader.instructor.course import TRUSTED_BLOCK, build_course
from grader.instructor.layout import ASSIGNMENT, COURSE_ID, nbgrader
from grader.notebook import cell_points
from grader.catalogue import select
from tests.attacks import HONEST_RELU, catalogue

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
RELU = ["relu_forward", "relu_backward"]
HONEST = ("reference", "honest_relu", "blank")
# Attacks that stop their own kernel: nbgrader may then record no score at all, which costs only them.
SELF_DESTRUCTIVE = {"kill_all"}


def digest(path: Path) -> str:
    """sha256 of a file, or of a folder's names and contents (tree_digest)."""
    return tree_digest(path) if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Listener:
    """A loopback server that records whatever connects (no attack may reach it)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.received, self.stop = [], False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(100) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.sock.close()


def _write_submission(release: Path, dest: Path, root: Path, attack=None, honest=None) -> None:
    shutil.copytree(release, dest)
    activations = dest / "src" / "trainlab" / "activations.py"
    if honest == "reference":
        shutil.copyfile(root / "src" / "trainlab" / "activations.py", activations)
        return
    baseline = {"honest_relu": "relu", "blank": "blank"}[honest] if honest else attack.baseline
    if baseline == "relu":
        activations.write_text(activations.read_text() + HONEST_RELU)
    if attack is None:
        return
    activations.write_text(activations.read_text() + attack.module_code)
    for rel, text in attack.files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text)
    for rel, target in attack.links.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        if (dest / rel).exists():
            (dest / rel).unlink()
        os.symlink(target, dest / rel)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, root):
    work = tmp_path_factory.mktemp("attacks")
    course = build_course(root, work / "course", only=["01_"])
    with open(course / "nbgrader_config.py", "a") as config:  # short limits: hanging attacks end fast
        config.write("c.Execute.timeout = 120\nc.TrustedScores.call_seconds = 3\n"
                     "c.TrustedScores.submission_seconds = 120\n")
    release = course / "release" / ASSIGNMENT
    marker = f"trainlab-attack-{uuid.uuid4().hex[:12]}"
    listener = Listener()
    attacks = catalogue(root, course, marker, listener.port, honest="honest_relu")
    submitted = work / "submitted"
    for name in HONEST:
        _write_submission(release, submitted / name / ASSIGNMENT, root, honest=name)
    for attack in attacks:
        _write_submission(release, submitted / attack.name / ASSIGNMENT, root, attack=attack)
    protected = {"config": course / "nbgrader_config.py", "source": course / "source", "kernel": course / "kernel",
                 "repo src": root / "src", "repo grader": root / "grader", "secret": course / ".trainlab_secret"}
    before = {k: digest(p) for k, p in protected.items()}
    before["secret mode"] = oct((course / ".trainlab_secret").stat().st_mode)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "autograde", str(submitted), "--course", str(course)],
                          capture_output=True, text=True, timeout=3000, stdin=subprocess.DEVNULL)
    listener.close()
    after = {k: digest(p) for k, p in protected.items()}
    after["secret mode"] = oct((course / ".trainlab_secret").stat().st_mode)
    survivors = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    canaries = sorted(root.glob(f"ATTACK_{marker}*"))
    for path in canaries:  # never leave an attack's file in the checkout, even when the test fails
        path.unlink()
    for pid in survivors:
        subprocess.run(["kill", "-9", pid])
    return {"course": course, "attacks": attacks, "run": done, "before": before, "after": after,
            "survivors": survivors, "canaries": canaries, "received": listener.received,
            "scores": gradebook.scores(course), "root": root}


def _max_points() -> float:
    return float(sum(c.points for c in select(["activations"], hidden=True)))


def test_the_suite_is_large_and_the_run_finishes(graded):
    assert len(graded["attacks"]) >= 20
    assert "autograded scores" in graded["run"].stdout, graded["run"].stderr[-3000:]
    assert graded["scores"].keys() >= set(HONEST)


def test_honest_students_keep_their_exact_scores(graded):
    scores = graded["scores"]
    assert scores["reference"]["autograded_score"] == scores["reference"]["autograded_max"] == _max_points()
    assert scores["honest_relu"]["autograded_score"] == cell_points("activations", RELU) > 0
    assert scores["blank"]["autograded_score"] == 0


# the attack names, for parametrizing (the texts depend only on the paths, which these stand in for)
ATTACK_NAMES = [a.name for a in catalogue(ROOT, ROOT / "course", "marker", 0, honest="honest_relu")]


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_each_attack_scores_exactly_its_baseline(graded, name):
    (attack,) = [a for a in graded["attacks"] if a.name == name]
    expected = cell_points("activations", RELU) if attack.baseline == "relu" else 0.0
    entry = graded["scores"].get(attack.name)
    if attack.name in SELF_DESTRUCTIVE and entry is None:
        return  # it stopped its own grading: no score, and nobody else affected (other tests)
    assert entry is not None, f"{attack.name} ({attack.what}) got no score:\n{graded['run'].stdout[-3000:]}"
    assert entry["autograded_score"] == expected, f"{attack.name}: {attack.what}"


def test_nothing_outside_the_attackers_folders_changed(graded):
    assert graded["after"] == graded["before"]
    assert graded["canaries"] == []
    assert graded["survivors"] == [], "processes started by submissions outlived grading"
    assert graded["received"] == [], "a submission reached a server on the grading machine"


def test_nothing_a_kernel_made_reaches_autograded_or_feedback(graded):
    """The kernel writes into a scratch copy: no link it made is in the course, and no feedback page
    or file holds the course secret."""
    course = graded["course"]
    secret = (course / ".trainlab_secret").read_text().strip()
    for folder in ("autograded", "feedback", "submitted"):
        for path in (course / folder).rglob("*"):
            assert not path.is_symlink(), path
            if path.is_file() and path.stat().st_size < 64 << 20:
                assert secret not in path.read_text(errors="replace"), path


def test_no_path_inside_the_kernel_names_the_checkout_or_the_course(graded):
    import nbformat

    notebook = graded["course"] / "autograded" / "checkout_from_install" / ASSIGNMENT / "01_activations.ipynb"
    outputs = "".join(str(out.get("text", "")) for cell in nbformat.read(notebook, as_version=4).cells
                      if cell.cell_type == "code" for out in cell.outputs)
    assert "PATHS SEEN BY THE KERNEL:" in outputs  # the probe ran and printed what it found
    assert str(graded["root"]) not in outputs and str(graded["course"]) not in outputs


def test_no_score_was_written_outside_nbgrader(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}", COURSE_ID) as gb:
        for student in gb.students:
            for notebook in gb.find_submission(ASSIGNMENT, student.id).notebooks:
                assert all(grade.manual_score is None for grade in notebook.grades), student.id


def test_feedback_holds_no_hidden_check_code(graded):
    hidden_lines = [line.strip() for path in (graded["root"] / "grader/hidden").glob("*.py")
                    for line in path.read_text().splitlines()
                    if len(line.strip()) > 30 and not set(line) & set("<>&\"'")]  # lines HTML shows verbatim
    assert hidden_lines
    for page in (graded["course"] / "feedback").rglob("*.html"):
        text = page.read_text()
        leaked = [line for line in hidden_lines if line in text]
        assert not leaked, f"{page}: {leaked[:2]}"


STOCK_ATTACKS = ("patch_grade", "kernel_links")


def test_the_attacks_succeed_against_stock_nbgrader_settings(tmp_path, root):
    """The suite is not vacuous: with the trusted-grading block taken out of the course's
    nbgrader_config.py (stock nbgrader: an unconfined kernel in the autograded folder, its own
    outputs as scores), a patched grade() earns points and the kernel's links make nbgrader
    overwrite and chmod the course secret."""
    course = build_course(root, tmp_path / "course", only=["01_"])
    config = course / "nbgrader_config.py"
    begin, end = TRUSTED_BLOCK
    text = config.read_text()
    config.write_text(text[:text.index(begin)] + text[text.index(end) + len(end):] + "c.Execute.timeout = 120\n")
    secret = course / ".trainlab_secret"
    before = (secret.read_bytes(), secret.stat().st_mode)
    attacks = {a.name: a for a in catalogue(root, course, "stock", 0, honest="honest_relu")}
    for name in STOCK_ATTACKS:
        _write_submission(course / "release" / ASSIGNMENT, course / "submitted" / name / ASSIGNMENT, root,
                          attack=attacks[name])
        done = nbgrader(course, "autograde", ASSIGNMENT, "--student", name, "--force", timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
    assert gradebook.scores(course)["patch_grade"]["autograded_score"] > 0
    assert (secret.read_bytes(), secret.stat().st_mode) != before
