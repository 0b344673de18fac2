"""The sandbox worker and the wire format: plain data only, limits, isolation, the same verdicts."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import numpy as np
import pytest

from grader.sandbox.inside import wire
from grader.core.engine import run_checks
from grader.core.errors import CheckFailure, NotImplementedYet, SubmissionError
from grader.sandbox.host import DEFAULT_LIMITS, SandboxRunner, isolation

FAST = replace(DEFAULT_LIMITS, call_seconds=3.0, submission_seconds=60.0)


def _package(tmp_path, body, init=""):
    pkg = tmp_path / "src" / "trainlab"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(init)
    (pkg / "toy.py").write_text(textwrap.dedent(body))
    return tmp_path / "src"


@pytest.fixture
def toy(tmp_path):
    src = _package(tmp_path, """
        import os, sys, time
        import numpy as np
        class MyArray(np.ndarray):
            pass
        def double(x):
            return 2 * x, {"shape": x.shape, "x": x}
        def state(w, config):
            config["velocity"] = config.get("velocity", 0) + w
            return w, config
        def clip(x):
            x[x < 0] = 0
            return x
        def subclass(x):
            return x.view(MyArray)
        def objects(x):
            return np.array([object()])
        def function(x):
            return len
        def todo(x):
            raise NotImplementedError
        def boom(x):
            raise KeyError("k")
        def bad(x):
            raise ValueError("bad value 7")
        def loop(x):
            while True:
                pass
        def die(x):
            os._exit(3)
        def draw(rng):
            return rng.standard_normal(3)
        def scalar(x):
            return np.float32(1.5)
        def where():
            return sorted(os.listdir("/")), os.getcwd(), os.environ.get("HOME")
        def read(path):
            with open(path) as handle:
                return handle.read()[:20]
        """)
    with SandboxRunner(src, FAST) as runner:
        yield runner


def test_plain_values_cross_and_state_is_kept(toy):
    x = np.arange(6.0).reshape(2, 3)
    out, cache = toy.call("toy.double", x)
    np.testing.assert_array_equal(out, 2 * x)
    assert cache["shape"] == (2, 3) and cache["x"].dtype == x.dtype
    config = {}
    toy.call("toy.state", np.ones(2), config)
    np.testing.assert_array_equal(config["velocity"], np.ones(2))  # the caller's dict sees the new state
    scalar = toy.call("toy.scalar", x)
    assert type(scalar) is np.float32 and scalar == 1.5
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(toy.call("toy.draw", rng), np.random.default_rng(5).standard_normal(3))


def test_outcomes_match_the_in_process_runner(toy):
    np.testing.assert_array_equal(toy.call("toy.clip", np.array([-1.0, 2.0])), [0.0, 2.0])
    assert toy.last_changed == ["x"]
    with pytest.raises(NotImplementedYet):
        toy.call("toy.todo", 1)
    with pytest.raises(CheckFailure, match="raised KeyError"):
        toy.call("toy.boom", 1)
    with pytest.raises(CheckFailure, match="no function nothere"):
        toy.call("toy.nothere", 1)
    exc = toy.raises("toy.bad", 1)
    assert isinstance(exc, ValueError) and "7" in str(exc)


@pytest.mark.parametrize("name, words", [("subclass", "a MyArray; return a NumPy array"),
                                         ("objects", "dtype object"), ("function", "a builtin_function_or_method")])
def test_values_that_are_not_plain_data_are_refused_with_a_clear_message(toy, name, words):
    with pytest.raises(CheckFailure, match=f"{name} returned a value that cannot be graded") as info:
        toy.call(f"toy.{name}", np.ones(2))
    assert words in str(info.value)


def test_a_hanging_or_dying_call_costs_one_call_and_the_worker_comes_back(toy):
    with pytest.raises(CheckFailure, match="longer than 3 s"):
        toy.call("toy.loop", 1)
    with pytest.raises(CheckFailure, match="ended while running die.*exit status 3"):
        toy.call("toy.die", 1)
    np.testing.assert_array_equal(toy.call("toy.double", np.ones(1))[0], [2.0])
    assert toy.starts == 3


def test_the_submission_budget_ends_grading(tmp_path):
    src = _package(tmp_path, "def loop(x):\n    while True:\n        pass\n")
    with SandboxRunner(src, replace(FAST, call_seconds=2.0, submission_seconds=3.0)) as runner:
        with pytest.raises(CheckFailure):
            runner.call("toy.loop", 1)
        with pytest.raises(CheckFailure, match="is used up"):
            runner.call("toy.loop", 1)


@pytest.mark.skipif(isolation()[0] != "bubblewrap", reason="needs namespaces (bubblewrap)")
def test_inside_the_sandbox_only_python_and_the_submission_are_visible(toy, root):
    listing, cwd, home = toy.call("toy.where")
    assert cwd == "/tmp" and home == "/tmp"
    assert "work" not in listing and "home" not in listing
    for secret in (root / "src" / "trainlab" / "activations.py", root / "grader" / "hidden" / "__init__.py"):
        with pytest.raises(CheckFailure, match="FileNotFoundError"):
            toy.call("toy.read", str(secret))


def test_a_package_that_cannot_load_is_a_submission_error(tmp_path):
    src = _package(tmp_path, "", init="raise RuntimeError('broken init')\n")
    with pytest.raises(SubmissionError, match="broken init"):
        SandboxRunner(src, FAST).start()
    with pytest.raises(SubmissionError, match="No trainlab package"):
        SandboxRunner(tmp_path / "nowhere", FAST)


def test_reference_passes_every_check_in_the_sandbox_with_fresh_inputs(root):
    for seed in (0, 1):
        results = run_checks(root / "src", hidden=True, seed=seed, sandbox=True, fresh=True)
        assert len(results) > 400 and all(r.passed for r in results), [r.message for r in results if not r.passed][:3]


def test_fresh_inputs_make_memorised_fixture_answers_worthless(root, tmp_path):
    """A module answering only the stored public inputs passes replayed fixtures, fails fresh ones."""
    from tests.attacks import _memorised_module

    src = tmp_path / "src"
    import shutil

    shutil.copytree(root / "src", src)
    (src / "trainlab" / "activations.py").write_text(
        (root / "src" / "trainlab" / "activations.py").read_text() + _memorised_module(root))
    names = ("relu_forward", "sigmoid_forward")
    replayed = [r for r in run_checks(src, ["activations"]) if r.function in names and "reference output" in r.name]
    fresh = [r for r in run_checks(src, ["activations"], sandbox=True, fresh=True, seed=3)
             if r.function in names and "reference output" in r.name]
    assert replayed and all(r.passed for r in replayed)
    assert fresh and not any(r.passed for r in fresh)


def test_wire_round_trip_and_strict_decoding():
    value = {"a": (np.arange(3, dtype=np.int16), 1.5, None, True, "s", [np.float64(2.0)]), "nan": float("nan")}
    buffer = io.BytesIO()
    wire.write_message(buffer, value)
    buffer.seek(0)
    back = wire.read_message(buffer)
    assert back["a"][0].dtype == np.int16 and back["a"][1:5] == (1.5, None, True, "s") and np.isnan(back["nan"])
    assert type(back["a"][5][0]) is np.float64
    with pytest.raises(wire.WireError):
        wire.encode({1: 2})
    for tree in ({"a": 0, "b": 1}, {"x": 1}, 1.5, {"f": "zz"}, {"a": 5}, {"rng": {"d": [["bit_generator", "Evil"]]}}):
        with pytest.raises(wire.WireError):
            wire.decode(tree, [])
    blob = io.BytesIO()
    np.lib.format.write_array(blob, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError):
        wire.decode({"a": 0}, [blob.getvalue()])


def test_weaker_sandbox_is_announced_once(tmp_path):
    """Without namespaces the limits still apply, and the grader says once why the sandbox is weaker."""
    code = ("from grader.sandbox.host import SandboxRunner, isolation; import numpy as np\n"
            f"r = SandboxRunner({str(_package(tmp_path, 'def f(x):' + chr(10) + '    return x + 1' + chr(10)))!r})\n"
            "print(isolation()[0], r.call('toy.f', np.ones(2)).tolist(), r.call('toy.f', 1)); r.close()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "TRAINLAB_SANDBOX": "limits"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["limits", "[2.0,", "2.0]", "2"]
    assert done.stderr.count("resource limits only") == 1 and "TRAINLAB_SANDBOX=limits" in done.stderr


def test_every_reference_output_check_draws_new_inputs_at_grading():
    """What grading compares can never be a stored fixture: each case's inputs change with the seed."""
    from grader.catalogue import cases

    CASES = cases()

    def same(a, b):
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return np.shape(a) == np.shape(b) and bool(np.all(np.asarray(a) == np.asarray(b)))

    fixed = [c.key for c in CASES if same(c.make(np.random.default_rng(1), True), c.make(np.random.default_rng(2), True))]
    assert len(CASES) > 100 and fixed == []


def test_take_back_copies_only_regular_files_and_never_writes_through_a_link(tmp_path):
    """What a kernel leaves in its scratch folder reaches the autograded folder only as a regular
    file within its bound; a link there is replaced, never written through."""
    from grader.sandbox.kernel import take_back

    work, origin, victim = tmp_path / "work", tmp_path / "origin", tmp_path / "victim"
    work.mkdir(), origin.mkdir()
    victim.write_text("root only")
    victim.chmod(0o600)
    (work / "best_model.npz").write_bytes(b"weights")
    (origin / "best_model.npz").symlink_to(victim)  # as if a link had reached the autograded folder
    assert take_back(work, origin) == ["best_model.npz"]
    assert (origin / "best_model.npz").read_bytes() == b"weights" and not (origin / "best_model.npz").is_symlink()
    assert victim.read_text() == "root only" and victim.stat().st_mode & 0o777 == 0o600
    target = work / "best_model.npz"
    for make in (lambda p: p.symlink_to(victim), lambda p: os.mkfifo(p), lambda p: p.mkdir()):
        (origin / "best_model.npz").unlink(missing_ok=True)
        target.rmdir() if target.is_dir() and not target.is_symlink() else target.unlink(missing_ok=True)
        make(target)
        assert take_back(work, origin) == [] and not (origin / "best_model.npz").exists()
    target.rmdir()
    target.write_bytes(b"x" * 11)
    assert take_back(work, origin, keep={"best_model.npz": 10}) == []
