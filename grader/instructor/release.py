"""Build the student release: the project tree with solutions stubbed and instructor parts left out.

The steps run in the order listed in RELEASE_STEPS; each takes (project root, output folder).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .layout import EXCLUDED
from .strip import has_solution, strip_solutions

COPIED = ("README.md", "pyproject.toml", "requirements.txt", "src", "grader", "datasets")
IGNORED_NAMES = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


def copy_tree(root: Path, out: Path) -> None:
    for name in COPIED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=IGNORED_NAMES, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, out / name)
    for name in EXCLUDED:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)


def stub_modules(root: Path, out: Path) -> None:
    for path in sorted(out.rglob("*.py")):
        text = path.read_text()
        if has_solution(text):
            path.write_text(strip_solutions(text, str(path.relative_to(out))))


def release_notebooks(root: Path, out: Path) -> None:
    """Student notebooks made by stock `nbgrader generate_assignment`: no solutions, hidden tests or outputs."""
    import tempfile

    from .layout import ASSIGNMENT, notebooks
    from .course import build_course

    if not notebooks(root):
        return
    with tempfile.TemporaryDirectory() as tmp:
        course = build_course(root, Path(tmp) / "course")
        target = out / "notebooks"
        target.mkdir(exist_ok=True)
        for path in sorted((course / "release" / ASSIGNMENT).glob("*.ipynb")):
            shutil.copy2(path, target / path.name)


STUDENT_README = """# trainlab: Training Neural Networks

Your assignment: a NumPy library of the parts that make neural networks train (activation
functions, data preprocessing, weight initialization, batch normalization, dropout and
regularization, optimizers and learning-rate schedules), and seven notebooks that explore each
topic with experiments, plots and written questions.

| folder | what it holds |
| --- | --- |
| `src/trainlab/` | the library you complete: every `# YOUR CODE HERE` is yours to write |
| `notebooks/` | one notebook per topic, with its experiments, questions and test cells |
| `grader/` | the public checks and the `trainlab check` command |
| `datasets/` | the data loaders, with a subset of Fashion-MNIST embedded (no download) |

Install it once, in a virtual environment: `pip install -r requirements.txt`.

"""
# README sections written for students, kept in the release after STUDENT_README.
STUDENT_SECTIONS = ("## Student workflow", "## Data", "## Fast mode")


def student_readme(root: Path, out: Path) -> None:
    """The release's README: written for students, with the project README's student sections."""
    kept, keeping = [], False
    for line in (root / "README.md").read_text().splitlines(keepends=True):
        if line.startswith("## "):
            keeping = line.strip() in STUDENT_SECTIONS
        if keeping:
            kept.append(line)
    (out / "README.md").write_text(STUDENT_README + "".join(kept))


def student_requirements(root: Path, out: Path) -> None:
    """What a student installs: the assignment and its runtime needs, none of the test or cluster tools."""
    (out / "requirements.txt").write_text("# What the assignment needs: `pip install -r requirements.txt`.\n-e .\n")


RELEASE_STEPS = [copy_tree, stub_modules, release_notebooks, student_readme, student_requirements]


def build_release(root: Path, out: Path, steps=None) -> Path:
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose a new folder for the release.")
    out.mkdir(parents=True, exist_ok=True)
    for step in steps or RELEASE_STEPS:
        step(Path(root), out)
    return out
