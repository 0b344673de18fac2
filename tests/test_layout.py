"""The grader's layout tells its design (grader/README.md): no import circle anywhere in grader/
or src/, no private name imported from another module, and the sandbox's inside/ folder imports
nothing but itself, the standard library and NumPy (it is all that the box receives)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"grader": ROOT / "grader", "trainlab": ROOT / "src" / "trainlab",
            "trainlab_datasets": ROOT / "datasets" / "trainlab_datasets"}


def modules() -> dict[str, Path]:
    found = {}
    for name, base in PACKAGES.items():
        for path in base.rglob("*.py"):
            parts = [name, *path.relative_to(base).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(module: str, path: Path, known: dict) -> list[tuple[str, list[str]]]:
    """(imported module, names) of every import in the file, function-level ones included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            names = [alias.name for alias in node.names]
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            out += [(m, []) for m in submodules]
            out.append((base, [n for n in names if f"{base}.{n}" not in known]))
    return [(m, names) for m, names in out if m in known]


def graph() -> dict[str, set]:
    known = modules()
    return {m: {target for target, _ in imports(m, path, known) if target != m} for m, path in known.items()}


def circles(edges: dict[str, set]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert not circles(graph()), "import circles: " + "; ".join(" - ".join(c) for c in circles(graph()))


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_name_is_imported_from_another_module():
    known = modules()
    private = [f"{m} imports {target}.{name}" for m, path in known.items()
               for target, names in imports(m, path, known) for name in names
               if name.startswith("_") and not name.startswith("__")]
    assert not private, private


@pytest.mark.parametrize("module", sorted(m for m in modules() if m.startswith("grader.sandbox.inside.")))
def test_what_runs_in_the_box_imports_only_the_box(module):
    """inside/ is copied into the box whole and nothing else of the grader is: its modules import
    each other by plain name, the standard library, NumPy and (the kernel launcher) ipykernel."""
    path = modules()[module]
    inside = {p.stem for p in path.parent.glob("*.py")}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{module}: relative import (the box has no package around it)"
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) else []
        for name in names:
            top = name.split(".")[0]
            assert top not in ("grader", "trainlab_datasets"), f"{module} imports {name}, which is not in the box"
            assert top in inside or top in ("numpy", "zmq", "ipykernel", "resource") or _stdlib(top), (module, name)


def _stdlib(name: str) -> bool:
    import sys

    return name in sys.stdlib_module_names or name == "__future__"


def test_no_tracked_file_is_one_git_ignores():
    """Artefacts of a run (coverage data, the model notebook 07 saves) stay out of the repository."""
    import subprocess

    done = subprocess.run(["git", "ls-files", "-ci", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    assert not done.stdout.split(), done.stdout


def test_the_grader_readme_maps_every_folder_and_module():
    """grader/README.md names every folder of grader/ and every top-level and instructor module."""
    text = (ROOT / "grader" / "README.md").read_text()
    grader = ROOT / "grader"
    names = [p.name for p in grader.iterdir() if p.is_dir() and p.name != "__pycache__"]
    names += [p.name for p in grader.glob("*.py") if p.name != "__init__.py"]
    names += [p.stem for p in (grader / "instructor").glob("*.py") if p.name != "__init__.py"]
    missing = [n for n in names if f"`{n}" not in text]
    assert not missing, f"grader/README.md does not name {missing}"
