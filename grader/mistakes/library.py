"""The naming library: the probe bank and what every catalogued mistake gives on it.

Built by the maintainers from the catalogue of buggy implementations (tests/mutants, each with the
words of the mistake) with `python -m grader.mistakes.library`, and stored as data beside this file
(library.json, library.npz), so grading needs neither the catalogue nor its code.

For each graded function the bank is chosen from its candidate probes (probes.candidates) by a
greedy cover: the probe that tells the most still-confused pairs apart (reference and mistakes,
two by two) joins the bank, until every pair that any candidate tells apart is told apart. Pairs
that no candidate separates behave alike on every input the cases can draw; they are listed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from ..catalogue import given_functions, topics
from .probes import OK, VARIES, Outcome, Probe, candidates, failed_by_function, matches, run_probe, varies

HERE = Path(__file__).resolve().parent
INDEX_FILE, OUTPUTS_FILE = HERE / "library.json", HERE / "library.npz"
MIN_BANK = 2  # probes per function at least: an unforeseen mistake may hide from one


@dataclass
class FunctionLibrary:
    function: str
    bank: list  # Probe, in bank order
    mistakes: list  # {"id", "bug", "tokens"}
    outputs: dict = field(default_factory=dict)  # (probe index, mistake id) -> Outcome
    not_told_apart: list = field(default_factory=list)  # pairs of mistake ids

    def known_at(self, index: int) -> list:
        """(mistake id, Outcome) of the stored mistakes on bank probe `index`, in library order."""
        return [(mid, out) for (i, mid), out in self.outputs.items() if i == index]


def graded_functions() -> list[str]:
    given = given_functions()
    return [f"{t}.{f}" for t in topics() for f in dict.fromkeys(c.function for c in t.cases) if f not in given]


def token(probe: Probe, got: Outcome, reference: Outcome, known: list) -> str:
    """The token of an outcome on a probe (see probes.py): against the reference (its judge and
    accepted alternatives included), then each stored mistake in order, then its own digest."""
    from .probes import UNJUDGED, digest

    if matches(probe, got, reference, alternatives_call=True):
        return OK
    if got.upstream_wrong:
        return UNJUDGED
    for mid, out in known:
        if matches(probe, got, out):
            return f"m:{mid}"
    return digest(got, reference)


CHECK_SEEDS = (11, 12, 13)  # the seeds a mistake's failed checks are read at (grading draws fresh inputs per student)


def failed_checks(mutant, reference_src) -> tuple[list, list]:
    """The checks of its function a mistake fails at every seed, and at some seed (as graded:
    hidden checks, fresh inputs)."""
    from ..core.engine import run_checks

    sets = []
    for seed in CHECK_SEEDS:
        results = run_checks(reference_src, topics=[mutant.topic], hidden=True, seed=seed,
                             overrides=mutant.overrides, fresh=True)
        sets.append(set(failed_by_function([r for r in results if f"{r.topic}.{r.function}" == mutant.target])
                        .get(mutant.target, [])))
    return sorted(set.intersection(*sets)), sorted(set.union(*sets))


def build(mutants, reference_src, functions=None) -> dict[str, FunctionLibrary]:
    """The library for `functions` (all graded ones by default) from `mutants` (tests.mutants.Mutant)."""
    from ..core.runner import Runner

    reference = Runner(reference_src)
    libraries = {}
    for function in functions or graded_functions():
        mine = [m for m in mutants if m.target == function]
        probes = candidates(function)
        ref = [run_probe(p, reference) for p in probes]
        runners = [Runner(reference_src, overrides=m.overrides) for m in mine]
        outs = [[run_probe(p, r) for p in probes] for r in runners]
        # a token per mistake and probe: the first earlier mistake it matches stands for both
        tokens = [[None] * len(probes) for _ in mine]
        for i, p in enumerate(probes):
            seen = []
            for j, m in enumerate(mine):
                if matches(p, outs[j][i], ref[i], alternatives_call=True):
                    tokens[j][i] = OK
                    continue
                if varies(p, runners[j], outs[j][i]):  # no stored output could stand for it
                    tokens[j][i] = VARIES
                    continue
                same = next((mine[k].id for k in seen if matches(p, outs[j][i], outs[k][i])), None)
                tokens[j][i] = f"m:{same or m.id}"
                if same is None:
                    seen.append(j)
        rows = [[OK] * len(probes)] + tokens  # the reference, then each mistake
        pairs = {(a, b) for a, b in combinations(range(len(rows)), 2)
                 if any(rows[a][i] != rows[b][i] for i in range(len(probes)))}
        chosen = []
        while pairs or len(chosen) < min(MIN_BANK, len(probes)):
            best = max((i for i in range(len(probes)) if i not in chosen),
                       key=lambda i: sum(rows[a][i] != rows[b][i] for a, b in pairs))
            chosen.append(best)
            pairs = {(a, b) for a, b in pairs if rows[a][best] == rows[b][best]}
        chosen.sort()
        bank = [probes[i] for i in chosen]
        lib = FunctionLibrary(function, bank, [])
        for n, i in enumerate(chosen):  # the stored outputs: one per distinct mistaken output
            for j, m in enumerate(mine):
                if tokens[j][i] == f"m:{m.id}":
                    lib.outputs[(n, m.id)] = outs[j][i]
        for j, m in enumerate(mine):
            always, ever = failed_checks(m, reference_src)
            lib.mistakes.append({"id": m.id, "bug": m.bug, "hints": list(m.hints),
                                 "tokens": [VARIES if tokens[j][i] == VARIES
                                            else token(p, outs[j][i], ref[i], lib.known_at(n))
                                            for n, (i, p) in enumerate(zip(chosen, bank))],
                                 "failed_always": always, "failed_ever": ever})
        lib.not_told_apart = sorted([a["id"], b["id"]] for a, b in combinations(lib.mistakes, 2)
                                    if a["tokens"] == b["tokens"] and a["failed_ever"] == b["failed_ever"])
        libraries[function] = lib
    return libraries


def save(libraries: dict[str, FunctionLibrary], index_file: Path = INDEX_FILE, outputs_file: Path = OUTPUTS_FILE):
    index, arrays = {}, {}
    for function, lib in libraries.items():
        stored = []
        for (i, mid), out in lib.outputs.items():
            entry = {"probe": i, "mistake": mid, "error": out.error, "outputs": sorted(out.outputs or {}),
                     "writes": list(out.writes)}
            for key, value in (out.outputs or {}).items():
                arrays[f"{function}|{i}|{len(stored)}|{key}"] = np.asarray(value)
            stored.append(entry)
        index[function] = {"bank": [p.spec() for p in lib.bank], "mistakes": lib.mistakes,
                           "stored": stored, "not_told_apart": lib.not_told_apart}
    index_file.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    np.savez_compressed(outputs_file, **arrays)


_LOADED: dict = {}  # (each file's path, mtime and size) -> the libraries read from them


def load(index_file: Path = INDEX_FILE, outputs_file: Path = OUTPUTS_FILE) -> dict[str, FunctionLibrary]:
    """The stored libraries, read once per process while the files stay as they are: grading takes
    the fingerprint of each notebook of a student in one process, and reading the files costs about
    as much as fingerprinting a notebook. Callers only read what this returns."""
    key = tuple((str(Path(f).resolve()), Path(f).stat().st_mtime_ns, Path(f).stat().st_size)
                for f in (index_file, outputs_file))
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = _read(index_file, outputs_file)
    return _LOADED[key]


def _read(index_file: Path, outputs_file: Path) -> dict[str, FunctionLibrary]:
    index = json.loads(Path(index_file).read_text())
    with np.load(outputs_file, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    libraries = {}
    for function, entry in index.items():
        lib = FunctionLibrary(function, [Probe(**spec) for spec in entry["bank"]], entry["mistakes"],
                              not_told_apart=entry["not_told_apart"])
        for n, stored in enumerate(entry["stored"]):
            outputs = {key: arrays[f"{function}|{stored['probe']}|{n}|{key}"] for key in stored["outputs"]}
            lib.outputs[(stored["probe"], stored["mistake"])] = Outcome(outputs or None, stored["error"],
                                                                        writes=stored["writes"])
        libraries[function] = lib
    return libraries


def bank_sizes(libraries: dict[str, FunctionLibrary]) -> dict[str, int]:
    """Probes per topic."""
    sizes: dict[str, int] = {}
    for function, lib in libraries.items():
        topic = function.partition(".")[0]
        sizes[topic] = sizes.get(topic, 0) + len(lib.bank)
    return sizes


def main() -> None:
    import sys

    from ..core.engine import reference_src
    from ..core.runner import project_root

    sys.path.insert(0, str(project_root()))
    from tests.mutants import all_mutants

    libraries = build(all_mutants(), reference_src())
    save(libraries)
    sizes = bank_sizes(libraries)
    print(f"probe bank: {sum(sizes.values())} probes ({', '.join(f'{t} {n}' for t, n in sizes.items())}); "
          f"{sum(len(lib.not_told_apart) for lib in libraries.values())} pairs of mistakes behave alike")


if __name__ == "__main__":
    main()
