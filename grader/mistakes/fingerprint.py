"""A submission's fingerprint: per graded function, its tokens on the probe bank and the checks it failed.

The tokens (probes.py) tell value mistakes apart; the failed checks (names without their hidden or
random-shape twin marks) tell apart what outputs alone cannot show: a write into an argument, a
float64 result for float32 inputs, a dict of state left unchanged, a missing argument check. For
the first probe where a function goes wrong, the fingerprint keeps a small example: the input's
shapes, a few expected and got values, and the simplest relation found between them.
Everything here is data computed by the grader from bounded replies; nothing a submission wrote.
"""
from __future__ import annotations

import numpy as np

from .library import FunctionLibrary, token
from .probes import OK, UNJUDGED, VARIES, Outcome, Probe, run_probe, varies

SHOWN = 6  # values of an example kept per side
def fingerprint(runner, reference, libraries: dict[str, FunctionLibrary], functions, failed: dict,
                counted=frozenset()) -> dict:
    """`function` -> {"tokens", "failed", "example"} for each of `functions` the library knows;
    a function in `counted` (counted_functions) keeps only its ok tokens, the others become "?"."""
    prints = {}
    for function in functions:
        lib = libraries.get(function)
        if lib is None:
            continue
        tokens, example = [], None
        for index, probe in enumerate(lib.bank):
            expected = run_probe(probe, reference)
            got = run_probe(probe, runner, reference)
            tok = token(probe, got, expected, lib.known_at(index))
            if tok.startswith("u:") and varies(probe, runner, got):
                tok = VARIES
            if function in counted and tok != OK:
                tok = UNJUDGED
            tokens.append(tok)
            if example is None and tok not in (OK, UNJUDGED):
                example = describe(probe, got, expected)
        prints[function] = {"tokens": tokens, "failed": list(failed.get(function, [])), "example": example}
    return prints


def _shown(value) -> list:
    flat = np.asarray(value).ravel()[:SHOWN]
    return [float(v) if np.issubdtype(flat.dtype, np.number) else str(v) for v in flat]


def describe(probe: Probe, got: Outcome, expected: Outcome) -> dict:
    """The example of a wrong output: what went in, what was expected, what came out, and how they relate."""
    inputs = probe.inputs()
    shown_inputs = {k: (f"array {np.asarray(v).shape} {np.asarray(v).dtype}" if np.ndim(v) else repr(v))
                    for k, v in inputs.items() if not k.startswith("_")}
    out = {"probe": probe.spec(), "inputs": shown_inputs}
    if got.outputs is None:
        return {**out, "output": "", "expected": [], "got": [], "relation": "raises an error or returns no usable result"}
    for key, want in (expected.outputs or {}).items():
        if key.startswith("_"):
            continue
        have = got.outputs.get(key)
        if have is None:
            return {**out, "output": key, "expected": _shown(want), "got": [], "relation": f"the output {key} is missing"}
        rel = relation(np.asarray(have), np.asarray(want), inputs, expected.outputs, key)
        if rel != "same":
            return {**out, "output": key, "expected": _shown(want), "got": _shown(have), "relation": rel}
    return {**out, "output": "", "expected": [], "got": [], "relation": "the outputs match; another check fails"}


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9 * (1 + np.max(np.abs(b), initial=0))))


def relation(got, want, inputs: dict, outputs: dict, key: str) -> str:
    """The simplest relation found between a wrong output and the expected one."""
    if not (np.issubdtype(got.dtype, np.number) and np.issubdtype(want.dtype, np.number)):
        return f"{got.dtype} values where {want.dtype} was expected"
    if got.shape != want.shape:
        if got.shape == want.T.shape and _close(got, want.T):
            return "transposed"
        if got.size == want.size and _close(got.reshape(want.shape), want):
            return f"the right values in shape {got.shape} instead of {want.shape}"
        return f"shape {got.shape} instead of {want.shape}"
    if _close(got, want):
        return "same"
    if not np.all(np.isfinite(got)):
        return "contains NaN or inf"
    if np.any(want) and _close(got, -want):
        return "sign flipped"
    nonzero = np.abs(want) > 1e-12
    if nonzero.any():
        factor = float(np.median(got[nonzero] / want[nonzero]))
        if abs(factor) > 1e-12 and _close(got, factor * want):
            return f"off by a factor {factor:.4g}"
    shift = float(np.median(got - want))
    if _close(got, want + shift):
        return f"shifted by {shift:.4g}"
    for name, value in inputs.items():
        if np.ndim(value) and np.shape(value) == got.shape and _close(got, value):
            return f"equals its input {name}"
    for name, value in outputs.items():
        if name != key and np.shape(value) == got.shape and _close(got, value):
            return f"equals the expected {name.lstrip('_')}"
    if not np.any(got):
        return "all zeros"
    err = np.abs(got - want) / (np.abs(want) + 1e-12)
    return f"differs (largest relative error {float(err.max()):.3g}, at {int((err > 1e-6).sum())} of {err.size} entries)"
