"""Hidden-only checks for trainlab/activations.py (instructor side), and the formulas of the
known mistakes that need a correct forward (grader/checks/activations.py, BACKWARD_MISTAKES)."""
import numpy as np

from ..checks.activations import SELU_ALPHA, SELU_SCALE
from .derived import formula


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


@formula("sigmoid_backward", "local gradient s")
def sigmoid_local_s(i):
    return {"dx": i["dout"] * _sigmoid(i["x"])}


@formula("sigmoid_backward", "sigmoid of the output")
def sigmoid_of_the_output(i):
    s = _sigmoid(_sigmoid(i["x"]))
    return {"dx": i["dout"] * s * (1 - s)}


@formula("tanh_backward", "tanh of the output")
def tanh_of_the_output(i):
    return {"dx": i["dout"] * (1 - np.tanh(np.tanh(i["x"])) ** 2)}


@formula("elu_backward", "local gradient out")
def elu_local_out(i):
    return {"dx": i["dout"] * np.where(i["x"] > 0, 1.0, _elu(i["x"], i.get("alpha", 1.0)))}


@formula("selu_backward", "local gradient out + alpha")
def selu_local_out_plus_alpha(i):
    return {"dx": i["dout"] * np.where(i["x"] > 0, SELU_SCALE, SELU_SCALE * _elu(i["x"], SELU_ALPHA) + SELU_ALPHA)}
