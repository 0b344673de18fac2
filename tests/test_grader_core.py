"""The grader's building blocks: rel_error, the directional gradient check, the runner seam."""
import textwrap

import numpy as np
import pytest

from grader.core.compare import TOL_EXACT, TOL_GRAD, assert_close, rel_error
from grader.core.errors import CheckFailure, NotImplementedYet, SubmissionError
from grader.core.numgrad import directional_gradient_check, full_numeric_gradient
from grader.core.runner import Runner


def test_rel_error_definition():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert rel_error(np.zeros(3), np.full(3, 1e-12)) < 1e-3  # the floor keeps near-zeros close
    # rounding on an entry that cancels is measured against the array's scale
    assert rel_error(np.array([1e3, 1e-10 + 1e-13]), np.array([1e3, 1e-10])) < 1e-9
    assert rel_error(np.array([1e3, 2e-3]), np.array([1e3, 1e-3])) > 1e-7
    assert TOL_EXACT == 1e-9 and TOL_GRAD == 1e-6


def test_assert_close_reports_where_and_how_far():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] += 1.0
    with pytest.raises(CheckFailure) as info:
        assert_close("f(x) output", got, expected)
    message = str(info.value)
    assert "(1, 2)" in message and "max relative error" in message and "expected 5" in message
    with pytest.raises(CheckFailure, match="shape"):
        assert_close("f(x) output", got[0], expected)
    with pytest.raises(CheckFailure, match="NaN"):
        assert_close("f(x) output", np.full((2, 3), np.nan), expected)
    with pytest.raises(CheckFailure, match="expected array"):
        assert_close("f(x) output", None, expected)


def _square_loss(inputs):
    return float(np.sum(inputs["x"] ** 3))


@pytest.mark.parametrize("seed", range(20))
def test_directional_check_accepts_right_and_rejects_wrong_gradients(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((7, 5))
    right = 3 * x ** 2
    directional_gradient_check("d/dx", _square_loss, {"x": x}, "x", right, rng, TOL_GRAD)
    wrong = right.copy()
    wrong[rng.integers(7), rng.integers(5)] *= 1.01  # a 1% error in one entry
    with pytest.raises(CheckFailure, match="random direction"):
        directional_gradient_check("d/dx", _square_loss, {"x": x}, "x", wrong, rng, TOL_GRAD)


def test_full_numeric_gradient_agrees():
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(full_numeric_gradient(_square_loss, {"x": x}, "x"), 3 * x ** 2, rtol=1e-7)


def _package(tmp_path, body):
    pkg = tmp_path / "src" / "trainlab"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "toy.py").write_text(textwrap.dedent(body))
    return Runner(tmp_path / "src")


def test_runner_reports_in_place_writes_and_keeps_callers_data(tmp_path):
    runner = _package(tmp_path, """
        def clip(x):
            x[x < 0] = 0
            return x
        def update(w, config):
            config['velocity'] = w * 2
            return w + 1, config
        """)
    x = np.array([-1.0, 2.0])
    np.testing.assert_array_equal(runner.call("toy.clip", x), [0.0, 2.0])  # values are still compared
    assert runner.last_changed == ["x"]  # the write is reported by the argument's name
    np.testing.assert_array_equal(x, [-1.0, 2.0])  # and never reaches the caller's array
    config = {}
    runner.call("toy.update", np.ones(2), config)
    np.testing.assert_array_equal(config["velocity"], [2.0, 2.0])  # the caller's dict sees the new state


def test_runner_translates_errors(tmp_path):
    runner = _package(tmp_path, """
        import numpy as np
        def todo(x):
            raise NotImplementedError()
        def boom(x):
            return x['missing']
        def overflow(x):
            return np.exp(x)
        """)
    with pytest.raises(NotImplementedYet):
        runner.call("toy.todo", 1)
    with pytest.raises(CheckFailure, match="raised KeyError"):
        runner.call("toy.boom", {})
    with pytest.raises(CheckFailure, match="floating-point"):
        runner.call("toy.overflow", np.array([1000.0]))
    with pytest.raises(CheckFailure, match="no function nothere"):
        runner.call("toy.nothere", 1)
    with pytest.raises(CheckFailure, match="missing"):
        runner.call("nomodule.f", 1)


def test_broken_module_costs_only_its_own_checks(tmp_path):
    runner = _package(tmp_path, "def f(:\n")
    with pytest.raises(CheckFailure, match="SyntaxError"):
        runner.call("toy.f")
    with pytest.raises(SubmissionError, match="No trainlab package"):
        Runner(tmp_path / "nowhere")


def test_runner_reports_in_place_writes_inside_state_dicts(tmp_path):
    runner = _package(tmp_path, """
        def step(w, config):
            config['velocity'] *= 0.9
            return w, config
        """)
    config = {"velocity": np.ones(3)}
    held = config["velocity"]
    runner.call("toy.step", np.zeros(3), config)
    assert runner.last_changed == ["config['velocity']"]
    np.testing.assert_array_equal(held, np.ones(3))  # the caller's array is untouched
    np.testing.assert_array_equal(config["velocity"], 0.9 * np.ones(3))  # the dict holds the new state


def test_failure_messages_show_numbers_that_differ_on_screen():
    from grader.core.compare import assert_close, distinct

    assert distinct(0.4199931, 0.4199932) == ("0.4199931", "0.4199932")
    assert distinct(1.0, 2.0) == ("1", "2")
    with pytest.raises(CheckFailure) as info:
        assert_close("adam next_w", np.array([0.41999312345]), np.array([0.41999334567]), 1e-9)
    message = str(info.value)
    expected, got = message.split("expected ")[1].split(", got ")
    assert expected != got.split(" ")[0] and "difference" in message


def test_a_keepdims_shape_with_the_right_values_gets_a_hint_and_a_wrong_value_does_not():
    from grader.core.compare import assert_close

    expected = np.array([1.0, 2.0, 3.0])
    with pytest.raises(CheckFailure, match="keepdims=True") as info:
        assert_close("running_mean", expected[None, :], expected)
    assert "expected shape (3,), got shape (1, 3)" in str(info.value)
    with pytest.raises(CheckFailure) as info:
        assert_close("running_mean", 2 * expected[None, :], expected)
    assert "keepdims" not in str(info.value)


def test_every_float32_check_is_promised_by_the_docstring():
    """A dtype style check grades only what the student's docstring states (GRADING_RULES.md, rule 3)."""
    import importlib

    from grader.core.cases import DTYPE_NAME
    from grader.catalogue import select

    checked = {(c.topic, c.function) for c in select(hidden=True) if c.name == DTYPE_NAME}
    assert len(checked) >= 30
    for topic, function in checked:
        doc = getattr(importlib.import_module(f"trainlab.{topic}"), function).__doc__
        assert "float32 in, float32 out" in doc, f"{topic}.{function}"
