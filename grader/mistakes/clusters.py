"""Clusters: students whose fingerprints of one function agree, named where the library knows them.

A fingerprint's label decides its cluster. It is "correct" when every token is ok and no check
failed; the catalogued mistake whose tokens it has and whose failed checks it shows (every check
that mistake always fails, none that it never fails); or, for a mistake nobody catalogued, its
tokens and failed checks as they are. A token "?" (a backward judged on its own wrong forward's
cache) matches whatever the known label has there. The label depends on the student's own
fingerprint and the library only, so a cluster's id is the same in every run, and a submission
graded later lands in the cluster it belongs to (and gets its note, notes.py).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .library import FunctionLibrary
from .probes import NOT_IMPLEMENTED, OK, UNJUDGED

FINGERPRINT_SUFFIX = ".fingerprint"  # course/trusted/<student>/<notebook>.fingerprint (JSON)


@dataclass
class Cluster:
    function: str
    label: tuple
    kind: str  # "correct", "named", "unnamed", "not implemented"
    name: str  # the catalogued mistake's words, or a description
    members: list = field(default_factory=list)
    example: dict | None = None
    known: list = field(default_factory=list)  # ids of the catalogued mistakes it matches

    @property
    def id(self) -> str:
        return cluster_id(self.function, self.label)


def cluster_id(function: str, label: tuple) -> str:
    return f"{function}#" + hashlib.sha1(json.dumps(label).encode()).hexdigest()[:10]


def _fits(tokens, known_tokens) -> bool:
    return len(tokens) == len(known_tokens) and all(t == k or t == UNJUDGED for t, k in zip(tokens, known_tokens))


def label(record: dict, lib: FunctionLibrary) -> tuple[tuple, str, list]:
    """(label, kind, ids of the matching catalogued mistakes) of one function's fingerprint."""
    tokens, failed = list(record["tokens"]), set(record["failed"])
    if tokens and all(t == NOT_IMPLEMENTED for t in tokens):
        return ("not implemented",), "not implemented", []
    if _fits(tokens, [OK] * len(tokens)) and not failed:
        return ("correct",), "correct", []
    known = [m["id"] for m in lib.mistakes if _fits(tokens, m["tokens"])
             and set(m["failed_always"]) <= failed <= set(m["failed_ever"])]
    if known:
        return ("named", known[0]), "named", known
    return ("unnamed", tuple(tokens), tuple(sorted(failed))), "unnamed", []


def read_fingerprints(course: Path) -> dict[str, dict[str, dict]]:
    """student -> function -> fingerprint record, from every notebook graded (bounded files the grader wrote)."""
    from ..instructor.ledger import TRUSTED_FOLDER

    prints: dict[str, dict] = {}
    for folder in sorted((Path(course) / TRUSTED_FOLDER).iterdir() if (Path(course) / TRUSTED_FOLDER).is_dir() else []):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{FINGERPRINT_SUFFIX}")):
            if path.is_file() and not path.is_symlink() and path.stat().st_size < 4 << 20:
                prints.setdefault(folder.name, {}).update(json.loads(path.read_text()))
    return prints


def cluster_class(prints: dict[str, dict[str, dict]], libraries: dict[str, FunctionLibrary]) -> dict[str, list[Cluster]]:
    """function -> its clusters, largest first (ties: by name)."""
    found: dict[str, dict[tuple, Cluster]] = defaultdict(dict)
    by_id = {f: {m["id"]: m for m in lib.mistakes} for f, lib in libraries.items()}
    for student in sorted(prints):
        for function, record in prints[student].items():
            lib = libraries.get(function)
            if lib is None:
                continue
            key, kind, known = label(record, lib)
            cluster = found[function].get(key)
            if cluster is None:
                name = {"correct": "correct", "not implemented": "not implemented yet",
                        "named": " / ".join(by_id[function][k]["bug"] for k in known)}.get(kind, "")
                cluster = found[function][key] = Cluster(function, key, kind, name, known=known)
            cluster.members.append(student)
            if cluster.example is None and record.get("example"):
                cluster.example = record["example"]
    out = {}
    for function, clusters in found.items():
        for c in clusters.values():
            if c.kind == "unnamed":
                c.name = describe_unnamed(c)
        out[function] = sorted(clusters.values(), key=lambda c: (-len(c.members), c.kind != "correct", c.name))
    return out


def describe_unnamed(cluster: Cluster) -> str:
    relation = (cluster.example or {}).get("relation")
    failed = list(cluster.label[2]) if len(cluster.label) > 2 else []
    parts = []
    if relation and relation != "the outputs match; another check fails":
        parts.append(relation)
    if failed:
        parts.append("fails " + ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else ""))
    return "unnamed: " + ("; ".join(parts) if parts else "a mistake no catalogued one matches")


def purity_and_completeness(clusters: list[Cluster], truth: dict[str, str]) -> tuple[float, float]:
    """Purity (each cluster's share of its commonest true label) and completeness (each true
    label's share in its commonest cluster), over the students of `truth` (student -> label)."""
    members = [[s for s in c.members if s in truth] for c in clusters]
    total = sum(len(m) for m in members)
    if not total:
        return 1.0, 1.0
    purity = sum(max(Counter(truth[s] for s in m).values()) for m in members if m) / total
    where: dict[str, Counter] = defaultdict(Counter)
    for i, m in enumerate(members):
        for s in m:
            where[truth[s]][i] += 1
    completeness = sum(max(c.values()) for c in where.values()) / total
    return purity, completeness
