"""The given library: layers, composite layers, FullyConnectedNet, Solver and gradient_check.

Gradients are compared with element-by-element centred differences on small shapes.
"""
import math

import numpy as np
import pytest

from grader.core.compare import rel_error as grader_rel_error
from trainlab import layer_utils
from trainlab.layer_utils import ACTIVATIONS
from trainlab.gradient_check import (
    directional_gradient_check,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)
from trainlab.layers import affine_backward, affine_forward, softmax_loss
from trainlab.model import FullyConnectedNet
from trainlab.solver import Solver

GRAD_TOL = 1e-6  # rel_error of analytic vs centred-difference gradients in float64
# a gradient that is exactly zero (the bias before batchnorm) has numeric noise ~ h^2 + eps / h,
# about 1e-10 for h = 1e-5: accept that absolute error instead of a relative one
ZERO_GRAD_ATOL = 1e-8


def assert_grad_close(analytic, numeric, what):
    err = rel_error(analytic, numeric)
    assert err < GRAD_TOL or np.max(np.abs(analytic - numeric)) < ZERO_GRAD_ATOL, f"{what}: rel error {err:.3g}"


def synthetic(rng, N=50, shape=(3, 4, 4), C=10):
    X = rng.standard_normal((N, *shape))
    y = rng.integers(C, size=N)
    return X, y


# --- layers -----------------------------------------------------------------------------------

def test_affine_gradients_match_numeric():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 4))
    w = rng.standard_normal((8, 5))
    b = rng.standard_normal(5)
    dout = rng.standard_normal((3, 5))
    out, cache = affine_forward(x, w, b)
    assert out.shape == (3, 5)
    np.testing.assert_allclose(out, x.reshape(3, 8) @ w + b)
    dx, dw, db = affine_backward(dout, cache)
    assert_grad_close(dx, eval_numerical_gradient_array(lambda v: affine_forward(v, w, b)[0], x, dout), "dx")
    assert_grad_close(dw, eval_numerical_gradient_array(lambda v: affine_forward(x, v, b)[0], w, dout), "dw")
    assert_grad_close(db, eval_numerical_gradient_array(lambda v: affine_forward(x, w, v)[0], b, dout), "db")


def test_softmax_loss_gradient_matches_numeric():
    rng = np.random.default_rng(1)
    scores = rng.standard_normal((6, 4))
    y = rng.integers(4, size=6)
    loss, dscores = softmax_loss(scores, y)
    numeric = eval_numerical_gradient(lambda s: softmax_loss(s, y)[0], scores)
    assert_grad_close(dscores, numeric, "dscores")
    assert loss > 0


def test_softmax_loss_is_about_log_c_for_small_weights():
    rng = np.random.default_rng(2)
    C = 10
    X = rng.standard_normal((500, 20))
    w = 1e-3 * rng.standard_normal((20, C))
    loss, _ = softmax_loss(*affine_forward(X, w, np.zeros(C))[:1], rng.integers(C, size=500))
    assert abs(loss - math.log(C)) < 0.01


def test_softmax_loss_is_stable_for_huge_scores():
    scores = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, 1e4]])
    with np.errstate(all="raise", under="ignore"):  # as the grader's runner: underflow to 0 is harmless
        loss, dscores = softmax_loss(scores, np.array([0, 1]))
    assert np.isfinite(loss) and np.all(np.isfinite(dscores))
    assert abs(loss - 1e4) < 1e-6  # the second example has log p = -2e4, the first 0: mean 1e4


# --- composite layers -------------------------------------------------------------------------

@pytest.mark.parametrize("name,extra", [
    ("affine_relu", ()),
    ("affine_bn_relu", ("bn",)),
    ("affine_ln_relu", ("ln",)),
])
def test_composite_gradients_match_numeric(name, extra):
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    args = [x, w, b]
    if extra:
        args += [1 + 0.1 * rng.standard_normal(3), 0.1 * rng.standard_normal(3), {"mode": "train"}]
    forward = getattr(layer_utils, f"{name}_forward")
    backward = getattr(layer_utils, f"{name}_backward")
    dout = rng.standard_normal((5, 3))
    _, cache = forward(*args)
    grads = backward(dout, cache)
    n_arrays = 3 if not extra else 5
    assert len(grads) == n_arrays
    for i in range(n_arrays):
        def f(v, i=i):
            return forward(*args[:i], v, *args[i + 1:])[0]
        assert_grad_close(grads[i], eval_numerical_gradient_array(f, args[i], dout), f"{name} grad {i}")


def test_unknown_activation_raises_value_error():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="swish"):
        layer_utils.affine_norm_act_dropout_forward(x, np.ones((3, 2)), np.zeros(2), activation="swish")


# --- FullyConnectedNet --------------------------------------------------------------------------

@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("keep_prob", [1.0, 0.75])
def test_model_gradients_match_numeric(normalization, keep_prob):
    rng = np.random.default_rng(4)
    X, y = synthetic(rng, N=6, shape=(5,), C=4)
    model = FullyConnectedNet([7, 6], 5, 4, normalization=normalization, keep_prob=keep_prob, reg=0.3, seed=0)
    model.use_fixed_dropout_masks(seed=11)
    loss, grads = model.loss(X, y)
    assert set(grads) == set(model.params)
    for name, param in model.params.items():
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], param)
        assert_grad_close(grads[name], numeric, f"{normalization}/{keep_prob}: {name}")


@pytest.mark.parametrize("activation", sorted(set(ACTIVATIONS) - {"relu"}))  # relu: the tests above
def test_model_gradients_for_every_activation(activation):
    rng = np.random.default_rng(5)
    X, y = synthetic(rng, N=5, shape=(4,), C=3)
    model = FullyConnectedNet([6], 4, 3, activation=activation, init="xavier", reg=0.1, seed=1)
    _, grads = model.loss(X, y)
    for name, param in model.params.items():
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], param)
        assert_grad_close(grads[name], numeric, f"{activation}: {name}")


def test_model_parameter_names_shapes_and_dtype():
    model = FullyConnectedNet([5, 4], 12, 3, normalization="batchnorm", dtype=np.float32, seed=0)
    expected = {"W1": (12, 5), "b1": (5,), "gamma1": (5,), "beta1": (5,), "W2": (5, 4), "b2": (4,),
                "gamma2": (4,), "beta2": (4,), "W3": (4, 3), "b3": (3,)}
    assert {k: v.shape for k, v in model.params.items()} == expected
    assert all(v.dtype == np.float32 for v in model.params.values())


def test_model_reg_adds_half_reg_times_squared_weights():
    rng = np.random.default_rng(6)
    X, y = synthetic(rng, N=4, shape=(3,), C=2)
    plain = FullyConnectedNet([4], 3, 2, seed=0)
    regularized = FullyConnectedNet([4], 3, 2, reg=0.7, seed=0)
    penalty = 0.5 * 0.7 * sum(np.sum(plain.params[w] ** 2) for w in ("W1", "W2"))
    assert abs(regularized.loss(X, y)[0] - plain.loss(X, y)[0] - penalty) < 1e-12


def test_model_test_mode_is_deterministic_and_seeded():
    rng = np.random.default_rng(7)
    X, y = synthetic(rng, N=8, shape=(6,), C=3)
    a = FullyConnectedNet([5, 5], 6, 3, normalization="batchnorm", keep_prob=0.5, seed=3)
    b = FullyConnectedNet([5, 5], 6, 3, normalization="batchnorm", keep_prob=0.5, seed=3)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    a.loss(X, y)  # one train-mode pass updates the running statistics
    assert np.array_equal(a.loss(X), a.loss(X))
    train_1, train_2 = a.loss(X, y)[0], a.loss(X, y)[0]
    assert train_1 != train_2  # fresh dropout masks in train mode


def test_model_records_hidden_activations():
    rng = np.random.default_rng(8)
    X, y = synthetic(rng, N=9, shape=(4,), C=3)
    model = FullyConnectedNet([6, 5, 4], 4, 3, activation="tanh", seed=0)
    model.loss(X, y, record=True)
    assert [a.shape for a in model.activations] == [(9, 6), (9, 5), (9, 4)]
    assert all(np.all(np.abs(a) <= 1) for a in model.activations)
    assert [a.shape for a in model.hidden_activations(X, mode="test")] == [(9, 6), (9, 5), (9, 4)]


def test_model_rejects_unknown_options():
    with pytest.raises(ValueError, match="groupnorm"):
        FullyConnectedNet([3], 2, 2, normalization="groupnorm")
    with pytest.raises(ValueError, match="swish"):
        FullyConnectedNet([3], 2, 2, activation="swish")
    with pytest.raises(ValueError, match="orthogonal"):
        FullyConnectedNet([3], 2, 2, init="orthogonal")


# --- Solver -------------------------------------------------------------------------------------

def make_data(seed=9, N=50):
    rng = np.random.default_rng(seed)
    X, y = synthetic(rng, N=N)
    return {"X_train": X, "y_train": y, "X_val": X[:10], "y_val": y[:10]}


def test_solver_overfits_small_data_with_batchnorm():
    data = make_data()
    model = FullyConnectedNet([100, 100], 48, 10, normalization="batchnorm", seed=0)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-2}, batch_size=25,
                    num_epochs=10, verbose=False, progress=False, seed=0)
    solver.train()
    assert solver.train_acc_history[-1] == 1.0
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 11
    assert len(solver.loss_history) == len(solver.lr_history) == 20
    assert all(len(r) == 20 for r in solver.update_ratio_history.values())
    assert set(solver.update_ratio_history) == {"W1", "W2", "W3"}
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


def test_solver_gives_each_parameter_its_own_config():
    data = make_data()
    model = FullyConnectedNet([8], 48, 10, seed=0)
    config = {"learning_rate": 1e-3}
    solver = Solver(model, data, update_rule="adam", optim_config=config, num_epochs=1, batch_size=25,
                    verbose=False, progress=False, seed=0)
    solver.train()
    assert config == {"learning_rate": 1e-3}
    assert solver.optim_configs["W1"]["m"].shape == (48, 8)
    assert solver.optim_configs["b2"]["m"].shape == (10,)


def test_solver_follows_the_learning_rate_schedule():
    data = make_data()
    model = FullyConnectedNet([8], 48, 10, seed=0)
    solver = Solver(model, data, optim_config={"learning_rate": 0.1}, lr_schedule="step_decay",
                    schedule_params={"drop": 0.5, "every": 1}, batch_size=25, num_epochs=3,
                    verbose=False, progress=False, seed=0)
    solver.train()
    np.testing.assert_allclose(solver.lr_history, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def test_solver_rejects_an_unknown_rule():
    model = FullyConnectedNet([4], 48, 10, seed=0)
    with pytest.raises(ValueError):
        Solver(model, make_data(), update_rule="sgd_with_magic")


def test_solver_stops_quietly_when_the_loss_diverges(capsys):
    data = make_data()
    model = FullyConnectedNet([100, 100], 48, 10, seed=0)
    solver = Solver(model, data, optim_config={"learning_rate": 1e8}, batch_size=25, num_epochs=10,
                    print_every=1, verbose=True, progress=True, seed=0)
    solver.train()
    captured = capsys.readouterr()
    assert captured.err == ""
    assert solver.stopped_early
    assert not np.isfinite(solver.loss_history[-1])
    assert len(solver.loss_history) < 20
    assert "stopped" in captured.out and "learning rate" in solver.stop_reason
    assert all(np.all(np.isfinite(v)) for v in model.params.values())  # the checkpoint came back


def test_solver_is_silent_when_asked(capsys):
    model = FullyConnectedNet([4], 48, 10, seed=0)
    Solver(model, make_data(), num_epochs=1, batch_size=25, verbose=False, progress=False).train()
    assert capsys.readouterr() == ("", "")


# --- gradient_check -----------------------------------------------------------------------------

def test_rel_error_matches_the_grader_definition():
    rng = np.random.default_rng(10)
    for _ in range(20):
        x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
        y[0, 0] = x[0, 0] = 0.0
        assert rel_error(x, y) == grader_rel_error(x, y)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0


def test_numeric_gradient_restores_x_and_directional_check_tells_right_from_wrong():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((4, 3))
    before = x.copy()

    def f(v):
        return float(np.sum(np.sin(v) * v))

    exact = np.cos(x) * x + np.sin(x)
    assert_grad_close(exact, eval_numerical_gradient(f, x), "sin(x) * x")
    assert np.array_equal(x, before)
    assert directional_gradient_check(f, x, exact, rng) < GRAD_TOL
    assert directional_gradient_check(f, x, exact + 1e-3 * rng.standard_normal(x.shape), rng) > 1e-5
    assert np.array_equal(x, before)
