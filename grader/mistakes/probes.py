"""Probes: one case of a topic, on inputs drawn from a fixed seed, and what an implementation gives there.

A probe is a reference-output case (grader/core/cases.py) with fixed inputs: the same for every
student of every course, so outputs can be compared across a class. Its token says how an output
relates to the reference and to the catalogued mistakes: "ok", "m:<mistake>" (matches that
mistake's output), "e:<error>" (raised, or returned something unusable), "u:<digest>" (none of
these: a digest of the output rounded so that floating-point noise does not split groups),
"u:varies" (a wrong output that changes from call to call on the same inputs, a draw from a global
random state: no digest can group those) or "?" (a backward judged on a cache its own wrong
forward built: no verdict of its own).
"""
from __future__ import annotations

import copy
import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np

from ..catalogue import topic as topic_of
from ..core.cases import compare_outputs, compare_with_alternatives, run_case
from ..core.errors import CheckFailure, NotImplementedYet, SubmissionError

BANK_SEED = 20261204
CANDIDATE_SEEDS = (0, 1, 2)
OK, UNJUDGED, NOT_IMPLEMENTED, VARIES = "ok", "?", "e:not implemented", "u:varies"


@dataclass(frozen=True)
class Probe:
    function: str  # "topic.function"
    case: str  # the case's key, "function/name"
    seed: int
    random_shapes: bool

    @property
    def topic(self) -> str:
        return self.function.partition(".")[0]

    def spec(self) -> dict:
        return {"function": self.function, "case": self.case, "seed": self.seed, "random_shapes": self.random_shapes}

    def the_case(self):
        for case in topic_of(self.topic).cases:
            if case.key == self.case:
                return case
        raise KeyError(f"no case {self.case!r} in topic {self.topic!r}")

    def inputs(self) -> dict:
        rng = np.random.default_rng([BANK_SEED, zlib.crc32(self.case.encode()), self.seed])
        return self.the_case().make(rng, self.random_shapes)


def candidates(function: str) -> list[Probe]:
    """Every probe the bank may choose from for `function` ("topic.function")."""
    topic, _, short = function.partition(".")
    return [Probe(function, case.key, seed, shapes) for case in topic_of(topic).cases if case.function == short
            for shapes in (False, True) for seed in CANDIDATE_SEEDS]


class Outcome:
    """What one implementation gave on one probe: its outputs, or the error it raised, and the
    arguments the graded function wrote into in place."""

    def __init__(self, outputs: dict | None = None, error: str = "", upstream_wrong: bool = False, writes=()):
        self.outputs, self.error, self.upstream_wrong, self.writes = outputs, error, upstream_wrong, tuple(writes)


def error_token(message: str) -> str:
    """An error's kind without its numbers: the same mistake raises the same words."""
    words = re.sub(r"[-+]?\d[\d.e+-]*", "#", message)[:160]
    return "e:" + hashlib.sha1(words.encode()).hexdigest()[:10]


def run_probe(probe: Probe, runner, reference=None) -> Outcome:
    """`runner`'s outputs on the probe (its own forward builds a backward's cache) and what the graded
    function wrote into; with the `reference` runner, note whether that forward's output was wrong
    (its backward is then not judged)."""
    case, inputs = probe.the_case(), probe.inputs()
    wrong, writes = [], set()

    def call(name, *args, **kwargs):
        result = runner.call(name, *args, **kwargs)
        if name == probe.function:
            writes.update(runner.last_changed)
        return result

    def forward(name, *args, **kwargs):
        try:
            result = runner.call(name, *args, **kwargs)
        except Exception:
            wrong.append(name)  # a forward that fails has no cache to judge its backward on
            raise
        if runner.last_changed:
            wrong.append(name)  # it wrote into its inputs, which its cache may hold
        if reference is not None:
            want = reference.call(name, *copy.deepcopy(args), **copy.deepcopy(kwargs))
            try:
                compare_outputs(name, {"out": _first(result)}, {"out": _first(want)}, case.tol)
            except CheckFailure:
                wrong.append(name)
        return result

    try:
        outputs = run_case(case, call, inputs, forward)
    except NotImplementedYet:
        return Outcome(error=NOT_IMPLEMENTED, upstream_wrong=bool(wrong))
    except (CheckFailure, SubmissionError) as failure:
        return Outcome(error=error_token(str(failure)), upstream_wrong=bool(wrong), writes=sorted(writes))
    except Exception as exc:  # a case's own arithmetic on an odd result (a tuple where an array belongs)
        return Outcome(error=error_token(f"{type(exc).__name__}: {exc}"), upstream_wrong=bool(wrong),
                       writes=sorted(writes))
    return Outcome(outputs=outputs, upstream_wrong=bool(wrong), writes=sorted(writes))


def varies(probe: Probe, runner, first: Outcome) -> bool:
    """Whether `runner` gives another outcome than `first` when the probe is run again on the same
    inputs (asked only of wrong outputs, so correct code pays nothing)."""
    return not matches(probe, run_probe(probe, runner), first)


def _first(result):
    return result[0] if isinstance(result, tuple) and result else result


def matches(probe: Probe, got: Outcome, expected: Outcome, alternatives_call=None) -> bool:
    """Whether `got` is `expected` on this probe, within the case's tolerance (its own judge, and
    the other correct formulations it accepts, when `expected` is the reference)."""
    if got.writes != expected.writes:
        return False
    if got.outputs is None or expected.outputs is None:
        return got.outputs is None and expected.outputs is None and got.error == expected.error
    case = probe.the_case()
    try:
        if alternatives_call is not None and case.judge is not None:
            case.judge(probe.inputs(), got.outputs, expected.outputs)
        elif alternatives_call is not None:
            inputs = probe.inputs()
            compare_with_alternatives(case.function, got.outputs, expected.outputs, case.tol, case.alternatives,
                                      lambda call: run_case(case, call, copy.deepcopy(inputs)))
        else:
            compare_outputs(case.function, got.outputs, expected.outputs, case.tol)
    except CheckFailure:
        return False
    return True


def digest(outcome: Outcome, expected: Outcome | None) -> str:
    """A token for an output that matches nothing known: its values rounded (relative to the
    reference's scale), so two students with the same mistake share it."""
    writes = f"+w:{','.join(outcome.writes)}" if outcome.writes else ""
    if outcome.outputs is None:
        return outcome.error + writes
    parts = [writes]
    scale = {k: float(np.max(np.abs(v))) if np.size(v) and np.issubdtype(np.asarray(v).dtype, np.number) else 1.0
             for k, v in ((expected.outputs or {}) if expected else {}).items()}
    for key in sorted(outcome.outputs):
        if key.startswith("_"):
            continue
        value = np.asarray(outcome.outputs[key])
        if not np.issubdtype(value.dtype, np.number):
            parts.append(f"{key}:{value.dtype}:{value.shape}")
            continue
        s = scale.get(key, 1.0) or 1.0
        rounded = np.round(np.nan_to_num(value.astype(np.float64) / s, nan=7e7, posinf=8e8, neginf=-8e8), 4) + 0.0
        parts.append(f"{key}:{value.shape}:" + hashlib.sha1(rounded.tobytes()).hexdigest()[:12])
    return "u:" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:10]


# The checks a function failed: what outputs alone cannot show (a write into an argument, a float64
# result for float32 inputs, a dict of state left unchanged, a missing argument check).
TWIN_MARKS = re.compile(r"\s*\((hidden, random shapes|reference output|hidden numeric gradient|numeric gradient)\)"
                        r"|,\s*random shapes$")


def check_name(name: str) -> str:
    """A check's name without the marks that tell a public check from its hidden twin."""
    return TWIN_MARKS.sub("", name).strip()


def failed_by_function(results) -> dict[str, list[str]]:
    """`topic.function` -> sorted names of the checks it failed (results: engine Results or their dicts)."""
    failed: dict[str, set] = {}
    for r in results:
        r = r if isinstance(r, dict) else r.as_dict()
        names = failed.setdefault(f"{r['topic']}.{r['function']}", set())
        if r["status"] != "passed":
            names.add(check_name(r["name"]))
    return {f: sorted(names) for f, names in failed.items()}


def counted_functions(results) -> set[str]:
    """Functions with a check counted as passed on another function's account: they call (or read
    the cache of) a student function that is wrong, so their own outputs cannot be judged."""
    from ..core.engine import COUNTED

    out = set()
    for r in results:
        r = r if isinstance(r, dict) else r.as_dict()
        if r["status"] == "passed" and r.get("message", "").startswith(COUNTED):
            out.add(f"{r['topic']}.{r['function']}")
    return out
