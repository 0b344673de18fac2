"""Points are paid for work (GRADING_RULES.md, rules 1 and 3).

A submission whose functions do nothing (return None, zeros, NaN, their input, or these paired
with the state dict, or raise NotImplementedError) scores 0 on every topic, and an outer function
that does nothing cannot earn points through the stand-in of grader/core/inner.py with inner functions
that answer from memory.
"""
import inspect
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.core.cases import INPLACE_NAME
from grader.core.engine import PASSED, run_checks, score
from grader.core.inner import shows_work
from grader.instructor.strip import strip_solutions
from grader.catalogue import select
from grader.core.registry import TOPICS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 131)

LIKE = '''

import numpy as np


def _like(a, fill):
    """An array of a's shape (or of the shape a names) filled with fill."""
    if isinstance(a, tuple) and a and all(isinstance(d, int) for d in a):
        return np.full(a, fill, dtype=float)
    return np.full(np.shape(a), fill, dtype=float)
'''
# Bodies of functions that do nothing; {a} is the first parameter, {state} the state dict or None.
DO_NOTHING = {
    "return None": "return None",
    "return the input": "return {a}",
    "return zeros": "return _like({a}, 0.0)",
    "return NaN": "return _like({a}, np.nan)",
    "return the input and the state": "return {a}, {state}",
    "return zeros and the state": "return _like({a}, 0.0), {state}",
    "return NaN and the state": "return _like({a}, np.nan), {state}",
    "raise NotImplementedError": "raise NotImplementedError",
}


def blank(dest: Path) -> Path:
    """The student release's library: every solution region stubbed."""
    shutil.copytree(ROOT / "src", dest, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (dest / "trainlab").glob("*.py"):
        path.write_text(strip_solutions(path.read_text()))
    return dest


def graded_functions(topic: str) -> list:
    return sorted({c.function for c in select([topic], hidden=True) if c.points > 0})


def do_nothing_module(topic: str, body: str) -> str:
    """The release module of `topic` with every graded function redefined, from the reference
    signature, to do nothing in the way `body` says."""
    import importlib

    module = importlib.import_module(f"trainlab.{topic}")
    text = strip_solutions((ROOT / "src" / "trainlab" / f"{topic}.py").read_text()) + LIKE
    for name in graded_functions(topic):
        signature = inspect.signature(getattr(module, name))
        params = list(signature.parameters)
        state = next((p for p in params if p.endswith(("config", "param"))), "None")
        text += f"\n\ndef {name}{signature}:\n    {body.format(a=params[0], state=state)}\n"
    return text


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return blank(tmp_path_factory.mktemp("release") / "src")


def submission(release: Path, where: Path, topic: str, text: str) -> Path:
    dest = where / "src"
    shutil.copytree(release, dest)
    (dest / "trainlab" / f"{topic}.py").write_text(text)
    return dest


def test_every_graded_function_of_every_topic_gets_a_do_nothing_body():
    for topic in TOPICS:
        text = do_nothing_module(topic, DO_NOTHING["return NaN"])
        assert all(f"\ndef {name}(" in text for name in graded_functions(topic)), topic


@pytest.mark.parametrize("body", list(DO_NOTHING), ids=list(DO_NOTHING))
def test_functions_that_do_nothing_score_zero_on_every_topic(body, release, tmp_path, reference_runner):
    for topic in TOPICS:
        src = submission(release, tmp_path / topic, topic, do_nothing_module(topic, DO_NOTHING[body]))
        results = run_checks(src, topics=[topic], hidden=True, seed=7, reference=reference_runner, fresh=True)
        paid = [r.id for r in results if r.passed and r.points > 0]
        assert score(results)[0] == 0, (topic, paid[:5])


@pytest.mark.parametrize("topic", ["normalization", "preprocessing"])
def test_functions_that_do_nothing_score_zero_in_the_sandbox(topic, release, tmp_path, reference_runner):
    for i, body in enumerate(DO_NOTHING.values()):
        src = submission(release, tmp_path / str(i), topic, do_nothing_module(topic, body))
        results = run_checks(src, topics=[topic], hidden=True, seed=11, reference=reference_runner,
                             sandbox=True, fresh=True)
        assert score(results)[0] == 0, (body, [r.id for r in results if r.passed and r.points > 0][:5])


ZERO_SPATIAL = '''

_seen = {}


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    _seen["x"] = x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1]).copy()
    return np.zeros_like(x), None


def spatial_batchnorm_backward(dout, cache):
    C = dout.shape[1]
    _seen["dout"] = dout.transpose(0, 2, 3, 1).reshape(-1, C).copy()
    return np.zeros_like(dout), np.zeros(C, dout.dtype), np.zeros(C, dout.dtype)
'''
# Inner functions that answer only the reshaped input the outer function saw, with the answer
# that makes the reference's spatial code return what the outer function returned.
REMEMBERING_INNER = '''

def batchnorm_forward(x, gamma, beta, bn_param):
    seen = _seen.get("x")
    if seen is not None and seen.shape == x.shape and np.array_equal(seen, x):
        return np.zeros_like(x), None
    raise NotImplementedError


def batchnorm_backward_alt(dout, cache):
    seen = _seen.get("dout")
    if seen is not None and seen.shape == dout.shape and np.array_equal(seen, dout):
        C = dout.shape[1]
        return np.zeros_like(dout), np.zeros(C, dout.dtype), np.zeros(C, dout.dtype)
    raise NotImplementedError
'''


@pytest.mark.parametrize("sandbox", [False, True], ids=["in-process", "sandbox"])
def test_inner_functions_that_answer_from_memory_earn_the_outer_function_nothing(sandbox, release, tmp_path,
                                                                                  reference_runner):
    module = strip_solutions((ROOT / "src" / "trainlab" / "normalization.py").read_text())
    honest = submission(release, tmp_path / "honest", "normalization", module + ZERO_SPATIAL)
    attack = submission(release, tmp_path / "attack", "normalization", module + ZERO_SPATIAL + REMEMBERING_INNER)
    for seed in SEEDS:
        scores = [score(run_checks(src, topics=["normalization"], hidden=True, seed=seed, reference=reference_runner,
                                   sandbox=sandbox, fresh=True))[0] for src in (honest, attack)]
        assert scores == [0, 0], f"seed {seed}: honest baseline {scores[0]}, attack {scores[1]}"


def test_a_style_check_run_alone_asks_for_the_value_checks(release, tmp_path, reference_runner):
    """The verdict of a style check does not depend on which other checks run with it."""
    text = do_nothing_module("activations", DO_NOTHING["return NaN and the state"])
    src = submission(release, tmp_path, "activations", text)
    inplace = [c for c in select(["activations"]) if c.name == INPLACE_NAME]
    for fresh in (False, True):
        alone = run_checks(src, checks=inplace[:1], seed=3, reference=reference_runner, fresh=fresh)
        assert alone[0].status != PASSED and "must pass its value checks first" in alone[0].message
    together = run_checks(src, topics=["activations"], seed=3, reference=reference_runner, fresh=True)
    assert not any(r.passed for r in together if r.name == INPLACE_NAME)
    correct = run_checks(checks=inplace, seed=3, reference=reference_runner, fresh=True)
    assert all(r.passed for r in correct)


def test_shows_work_refuses_answers_a_function_doing_nothing_gives():
    x = np.arange(12.0).reshape(3, 4)
    assert shows_work((x * 2 - 1, None), ((x,), {}))
    assert not shows_work((np.zeros_like(x), None), ((x,), {}))
    assert not shows_work((np.full_like(x, np.nan), None), ((x,), {}))
    assert not shows_work((x.copy(), "cache"), ((x, {"mode": "train"}), {}))
    assert not shows_work(None, ((x,), {}))
    assert not shows_work(np.full_like(x, 3.0), ((x,), {}))
