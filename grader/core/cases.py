"""Reference-output cases and gradient cases: each one yields a public and a hidden check.

A Case says how to make inputs and how to turn a runner's `call` into named outputs. The public
check replays inputs stored in grader/fixtures/<topic>.npz and compares with the outputs stored
there (written from the reference by `trainlab fixtures`); the hidden check, which exists only on
the instructor side, draws fresh random shapes and values from the per-student seed and compares
with the reference package computed live. One definition, two uses, so the two kinds never drift.

A GradCase compares a backward pass with centred differences of the student's own forward pass
along a few random directions (see grader/core/numgrad.py).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .compare import TOL_EXACT, TOL_GRAD, assert_close, assert_true, describe
from .errors import CheckFailure
from .numgrad import directional_gradient_check
from .registry import Check, register

Inputs = dict  # name -> ndarray | float | int | str


@dataclass(frozen=True)
class Case:
    topic: str
    function: str
    name: str
    make: Callable  # (rng, random_shapes: bool) -> Inputs
    run: Callable  # (call, inputs) -> dict[str, array]
    tol: float = TOL_EXACT
    points: float = 1.0
    hint: Callable | None = None  # (inputs, got, expected) -> str | None
    # Other correct formulations the docstring allows: each maps dotted names to grader-side
    # implementations; the student passes when they match the reference or any of these.
    alternatives: tuple = ()
    # A backward case: run(call, inputs, forward_call) builds its cache with the student's own
    # forward (forward_call is Context.forward), so the cache layout is the student's; a failure
    # that a wrong forward causes is charged to the forward (grader/core/engine.py, Grading.upstream).
    needs_forward: bool = False
    # A comparison of its own, (inputs, got, expected) -> None raising CheckFailure, for outputs
    # that the docstring does not pin down exactly (any correct dropout draw); None: the reference's.
    judge: Callable | None = None
    twin: bool = True  # False: no hidden twin (a small check of a convention, graded once)

    @property
    def key(self) -> str:
        return f"{self.function}/{self.name}"


@dataclass(frozen=True)
class GradCase:
    topic: str
    function: str  # the backward function being checked
    name: str
    make: Callable  # (rng, random_shapes) -> Inputs
    forward: Callable  # (call, inputs) -> (out, cache)
    backward: str  # dotted name, called as backward(dout, cache)
    wrt: tuple  # input names, in the order backward returns their gradients
    tol: float = TOL_GRAD
    points: float = 1.0




def compare_outputs(function: str, got: dict, expected: dict, tol: float, hint=None, floor: float = 0.0) -> None:
    """Compare every output; keys starting with "_" are context for hints, never graded."""
    for key, want in expected.items():
        if key.startswith("_"):
            continue
        assert_true(key in got, f"{function}: the output {key} is missing.")
        assert_close(f"{function} {key}", got[key], want, tol, hint, floor)


def run_case(case: Case, call, inputs: Inputs, forward_call=None) -> dict:
    """The outputs of `case` on copies of `inputs`; a backward case builds its cache with
    forward_call (default: `call`)."""
    if case.needs_forward:
        outputs = case.run(call, copy.deepcopy(inputs), forward_call or call)
    else:
        outputs = case.run(call, copy.deepcopy(inputs))
    return {k: (v if isinstance(v, np.ndarray) else np.asarray(v)) for k, v in outputs.items()}


def alternative_call(implementations: dict):
    """A `call` that runs grader-side implementations on copies of the arguments (never student code)."""

    def call(name, *args, **kwargs):
        return implementations[name](*copy.deepcopy(args), **copy.deepcopy(kwargs))

    return call


def compare_with_alternatives(what: str, got: dict, expected: dict, tol: float, alternatives, run_alternative,
                              floor: float = 0.0) -> None:
    """got against the reference's expected outputs or, failing that, against any other correct
    formulation (run_alternative(call) computes its outputs with alternative_call); the
    reference's failure is raised when none matches."""
    try:
        compare_outputs(what, got, expected, tol, floor=floor)
    except CheckFailure:
        for implementations in alternatives:  # another correct formulation the docstring allows
            try:
                compare_outputs(what, got, run_alternative(alternative_call(implementations)), tol, floor=floor)
                return
            except CheckFailure:
                pass
        raise


def _compare_with_hint(case: Case, inputs, got, expected):
    if case.judge is not None:
        case.judge(inputs, got, expected)
        return
    try:
        compare_with_alternatives(case.function, got, expected, case.tol, case.alternatives,
                                  lambda call: run_case(case, call, inputs))
    except CheckFailure as failure:
        if case.hint is not None and failure.hint is None:
            try:
                failure.hint = case.hint(inputs, got, expected)
            except Exception:  # an output too odd for the hint's formulas: the failure stands without one
                failure.hint = None
        raise


def add_case(case: Case) -> Case:
    """Declare a Case on its topic, with its public check (fixture replay)."""
    case.topic.cases.append(case)

    def public(ctx):
        if ctx.fresh:  # grading: the stored fixtures are public, so draw new shapes and values
            _need_reference(ctx)
            inputs = case.make(ctx.rng, True)
            expected = run_case(case, ctx.reference.call, inputs)
        else:
            inputs, expected = ctx.fixtures.case(case)
        got = run_case(case, ctx.call, inputs, ctx.forward)
        _compare_with_hint(case, inputs, got, expected)

    register(Check(case.topic, case.function, f"{case.name} (reference output)", case.points, False, public,
                   value=case.twin))  # a case without a twin checks a convention (rule 4)
    return case


def _need_reference(ctx) -> None:
    if ctx.reference is None:
        raise CheckFailure("these checks need the reference solutions, which are not installed here.")


def hidden_case_check(case: Case) -> Check:
    """The hidden twin of a Case: random shapes from the seed, reference computed live."""

    def hidden(ctx):
        _need_reference(ctx)
        inputs = case.make(ctx.rng, True)
        expected = run_case(case, ctx.reference.call, inputs)
        got = run_case(case, ctx.call, inputs, ctx.forward)
        _compare_with_hint(case, inputs, got, expected)

    return Check(case.topic, case.function, f"{case.name} (hidden, random shapes)", case.points, True, hidden,
                 value=True)


def add_grad_case(case: GradCase) -> GradCase:
    """Declare a gradient case on its topic, with its public check (fixed seed inside the check)."""
    case.topic.grad_cases.append(case)
    register(Check(case.topic, case.function, f"{case.name} (numeric gradient)", case.points, False,
                   lambda ctx: run_grad_case(case, ctx.call, case.make(ctx.rng, False), ctx.rng, ctx.forward),
                   value=True))
    return case


def hidden_grad_check(case: GradCase) -> Check:
    return Check(case.topic, case.function, f"{case.name} (hidden numeric gradient)", case.points, True,
                 lambda ctx: run_grad_case(case, ctx.call, case.make(ctx.rng, True), ctx.rng, ctx.forward),
                 value=True)


def run_grad_case(case: GradCase, call, inputs: Inputs, rng, forward_call=None) -> None:
    """The student's backward, on the cache its own forward built (forward_call: Context.forward),
    against centred differences of that forward pass along random directions."""
    forward_call = forward_call or call

    def loss(point: Inputs, dout):
        out, _ = case.forward(forward_call, point)
        return float(np.sum(out * dout))

    out, cache = case.forward(forward_call, copy.deepcopy(inputs))
    dout = rng.standard_normal(np.shape(out))
    grads = call(case.backward, dout, cache)
    grads = grads if isinstance(grads, tuple) else (grads,)
    short = case.backward.rpartition(".")[2]
    assert_true(len(grads) == len(case.wrt),
                f"{short} returned {len(grads)} value(s); expected {len(case.wrt)}: "
                f"the gradients with respect to {', '.join(case.wrt)}, in that order.")
    for name, grad in zip(case.wrt, grads):
        directional_gradient_check(f"{short}: d{name}", lambda p: loss(p, dout), inputs, name, grad, rng, case.tol)


def _short(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def add_layer_cases(topic: str, forward: str, backward: str | None, make, *, args=("x",), build=None,
                    wrt=("x",), name="random input", tol=TOL_EXACT, grad_tol=TOL_GRAD,
                    hint_forward=None, hint_backward=None, points=1.0, judge_forward=None,
                    judge_backward=None) -> None:
    """Register the standard checks of a forward/backward pair.

    * `forward`: output against the reference (Case, public fixture + hidden twin);
    * `backward`: gradients against the reference for the stored `dout` (Case);
    * `backward`: gradients against centred differences of the student's forward (GradCase).

    `make(rng, random_shapes)` returns the inputs, including "dout" of the output's shape when
    there is a backward. `build(inputs)` returns the forward's positional arguments (default: the
    inputs named in `args`, in order). `wrt` names the inputs whose gradients backward returns.
    `judge_forward` replaces the forward's comparison with the reference (see Case.judge);
    `judge_backward` the backward's, where any correct forward (another draw) changes the gradients.
    """
    build = build or (lambda inputs: tuple(inputs[a] for a in args))

    def run_forward(call, inputs):
        return call(forward, *build(inputs))

    add_case(Case(topic, _short(forward), f"{name}: output", make,
                  lambda call, inputs: {"out": run_forward(call, inputs)[0]}, tol, points, hint_forward,
                  judge=judge_forward))
    if backward is None:
        return

    def run_backward(call, inputs, forward_call):
        out, cache = run_forward(forward_call, inputs)
        grads = call(backward, inputs["dout"], cache)
        grads = grads if isinstance(grads, tuple) else (grads,)
        assert_true(len(grads) == len(wrt), f"{_short(backward)} returned {len(grads)} value(s); expected "
                    f"{len(wrt)}: the gradients with respect to {', '.join(wrt)}, in that order.")
        return {**{f"d{w}": g for w, g in zip(wrt, grads)}, "_forward_out": out}

    def backward_hint(inputs, got, expected):
        """Without the reference at hand the cache is the student's own: a wrong forward shows here."""
        ours, theirs = got.get("_forward_out"), expected.get("_forward_out")
        if ours is not None and theirs is not None and (np.shape(ours) != np.shape(theirs)
                                                        or not np.allclose(ours, theirs, rtol=1e-7, atol=1e-12)):
            return (f"{_short(forward)} gives another output than the reference on these inputs, and the "
                    f"cache comes from it: fix {_short(forward)} first (its own check says how).")
        return hint_backward(inputs, got, expected) if hint_backward else None

    add_case(Case(topic, _short(backward), f"{name}: gradients", make, run_backward, tol, points, backward_hint,
                  needs_forward=True, judge=judge_backward))
    add_grad_case(GradCase(topic, _short(backward), name, make, run_forward, backward, tuple(wrt), grad_tol, points))


INPLACE_NAME = "leaves its inputs unchanged (no in-place writes)"
ENTRY_HINT = ("compute new arrays (grads = [reg * W for W in Ws]); *=, += or out= on an array inside the "
              "caller's list or dict change the caller's array.")


def _inplace_check(case: Case):
    """A style check of its own: the function's inputs are the caller's, never written into."""

    def leaves_inputs(ctx):
        changed = []

        def call(name, *args, **kwargs):
            out = ctx.call(name, *args, **kwargs)
            if name.rpartition(".")[2] == case.function:  # only this function's writes count here
                changed.extend(ctx.runner.last_changed)
            return out

        run_case(case, call, case.make(ctx.rng, ctx.fresh), ctx.forward)
        if changed:
            entry = "[" in changed[0]
            raise CheckFailure(
                f"{case.function} changed its argument {changed[0]} in place.",
                (case.topic.inplace_entry_hint or ENTRY_HINT) if entry else
                f"compute the result into a new array ({case.topic.inplace_example}, "
                "or a .copy() before changing it); x[...] = ..., x *= ... and out=x write into the caller's array.")

    return leaves_inputs


def inplace_checks(topic) -> list[Check]:
    """One in-place check per function of `topic` that has a reference-output case and no style
    check covering writes into its inputs already (built by grader/catalogue.py after every topic)."""
    if not topic.array_inputs:
        return []
    covered = {c.function for c in topic.checks if c.style and c.name != DTYPE_NAME}
    first: dict = {}
    for case in topic.cases:
        first.setdefault(case.function, case)
    return [Check(topic, function, INPLACE_NAME, case.points, False, _inplace_check(case), style=True)
            for function, case in first.items() if function not in covered]


DTYPE_NAME = "float32 in, float32 out"


def is_style(chk) -> bool:
    """A style check (GRADING_RULES.md, rule 3): no in-place writes, float32 kept."""
    return chk.style


def float32_inputs(value):
    """`value` with every float64 array in it (inside dicts, lists and tuples too) made float32."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    if isinstance(value, dict):
        return {k: float32_inputs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(float32_inputs(v) for v in value)
    return value


def _not_float32(outputs: dict) -> list:
    return [key for key, value in outputs.items()
            if not key.startswith("_") and not (isinstance(value, np.ndarray) and value.dtype == np.float32)]


def add_dtype_check(topic, function: str, hint: str, names: tuple = ()) -> Check:
    """A style check of its own: the cases of `function` named in `names` (default: its first
    case), run on float32 inputs, return only float32 arrays. Registered only for functions whose
    docstring promises it. A backward gets its cache from the student's own forward."""
    cases = [c for c in topic.cases if c.function == function and (not names or c.name in names)]
    cases = cases if names else cases[:1]
    if not cases or (names and len(cases) != len(names)):
        raise ValueError(f"no cases named {names} for {function}")

    def keeps_float32(ctx):
        for case in cases:
            inputs = float32_inputs(case.make(ctx.rng, ctx.fresh))
            got = run_case(case, ctx.call, inputs, ctx.forward)
            wrong = _not_float32(got)
            if wrong:
                raise CheckFailure(f"{function} with float32 inputs ({case.name}) returned {wrong[0]} as "
                                   f"{describe(got[wrong[0]])}; expected float32.", hint)

    return register(Check(topic, function, DTYPE_NAME, 1.0, False, keeps_float32, style=True))
