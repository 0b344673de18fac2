"""A fully connected network with a choice of activation, initialization, normalization, dropout
and L2 regularization, built from the layers of this package.

Architecture, for L = len(hidden_dims) + 1 affine layers:

    {affine -> [batchnorm | layernorm] -> activation -> [dropout]} x (L - 1) -> affine -> softmax

Parameters live in `model.params` under the names W1, b1, gamma1, beta1, ..., WL, bL (gamma and
beta only for hidden layers with normalization); `loss` returns gradients under the same names.
"""
import numpy as np

from .initialization import gaussian_init, kaiming_normal, xavier_normal
from .layer_utils import ACTIVATIONS, affine_norm_act_dropout_backward, affine_norm_act_dropout_forward
from .layers import affine_backward, affine_forward, softmax_loss
from .regularization import l2_penalty

INITS = ("kaiming", "xavier", "gaussian")
NORMALIZATIONS = (None, "batchnorm", "layernorm")
LEAKY_RELU_SLOPE = 0.01  # the default negative slope of activations.leaky_relu_forward


def _check_options(activation, init, normalization, keep_prob):
    """ValueError naming the first option that is not one of the known choices."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose from {', '.join(ACTIVATIONS)}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose from {', '.join(INITS)}")
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {normalization!r}; choose from None, batchnorm, layernorm")
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob!r}")


class FullyConnectedNet:
    """Multi-layer perceptron for classification of N examples of input_dim features into
    num_classes classes.

    hidden_dims: list of hidden layer sizes. activation: 'relu', 'leaky_relu', 'tanh', 'sigmoid',
    'elu' or 'selu'. init: 'kaiming' (He et al. 2015; slope of leaky_relu taken into account),
    'xavier' (Glorot & Bengio 2010) or 'gaussian' (std = weight_scale). normalization: None,
    'batchnorm' (Ioffe & Szegedy 2015) or 'layernorm' (Ba et al. 2016). keep_prob: dropout keep
    probability (Srivastava et al. 2014), 1.0 means no dropout. reg: L2 strength on the weights
    (not biases, gamma or beta), loss += 0.5 * reg * sum ||W||^2. seed: seeds the one
    np.random.Generator used for initialization and for the dropout masks.
    """

    def __init__(self, hidden_dims, input_dim, num_classes=10, *, activation="relu", init="kaiming",
                 weight_scale=1e-2, normalization=None, keep_prob=1.0, reg=0.0, dtype=np.float64, seed=None):
        _check_options(activation, init, normalization, keep_prob)
        self.hidden_dims = list(hidden_dims)
        self.num_layers = len(self.hidden_dims) + 1
        self.activation, self.init, self.weight_scale = activation, init, weight_scale
        self.normalization, self.keep_prob, self.reg, self.dtype = normalization, keep_prob, reg, dtype
        self.rng = np.random.default_rng(seed)
        self.params = {}
        self._init_params(input_dim, num_classes)
        # per hidden layer state dicts, owned here and updated by the layers
        self.norm_params = [{"mode": "train"} for _ in self.hidden_dims] if normalization else []
        self.dropout_params = ([{"mode": "train", "keep_prob": keep_prob, "rng": self.rng}
                                for _ in self.hidden_dims] if keep_prob < 1.0 else [])
        self.activations = []

    @property
    def bn_params(self):
        """The batchnorm state dicts, one per hidden layer (empty unless normalization='batchnorm')."""
        return self.norm_params if self.normalization == "batchnorm" else []

    def _init_weight(self, shape):
        """One weight matrix of shape (fan_in, fan_out) drawn with the chosen scheme."""
        if self.init == "gaussian":
            return gaussian_init(shape, self.weight_scale, self.rng)
        if self.init == "xavier":
            return xavier_normal(shape, self.rng)
        slope = LEAKY_RELU_SLOPE if self.activation == "leaky_relu" else 0.0
        return kaiming_normal(shape, self.rng, negative_slope=slope)

    def _init_params(self, input_dim, num_classes):
        dims = [input_dim] + self.hidden_dims + [num_classes]
        for i in range(1, self.num_layers + 1):
            fan_in, fan_out = dims[i - 1], dims[i]
            self.params[f"W{i}"] = self._init_weight((fan_in, fan_out))
            self.params[f"b{i}"] = np.zeros(fan_out)
            if self.normalization is not None and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(fan_out)
                self.params[f"beta{i}"] = np.zeros(fan_out)
        self.params = {k: np.asarray(v, dtype=self.dtype) for k, v in self.params.items()}

    def use_fixed_dropout_masks(self, seed=0):
        """Make every call draw the same dropout masks (layer i uses seed + i).

        A numeric gradient check evaluates the loss many times and needs the same masks each time;
        training wants fresh masks, which the shared generator gives (the default).
        """
        for i, param in enumerate(self.dropout_params):
            param.pop("rng", None)
            param["seed"] = seed + i

    def _set_mode(self, mode):
        for param in self.norm_params + self.dropout_params:
            param["mode"] = mode

    def _hidden_layer(self, i, x):
        """Forward of hidden layer i (1-based): x (N, M_{i-1}) -> out (N, M_i), cache."""
        norm_param = self.norm_params[i - 1] if self.norm_params else None
        dropout_param = self.dropout_params[i - 1] if self.dropout_params else None
        return affine_norm_act_dropout_forward(
            x, self.params[f"W{i}"], self.params[f"b{i}"],
            self.params.get(f"gamma{i}"), self.params.get(f"beta{i}"),
            normalization=self.normalization, norm_param=norm_param,
            activation=self.activation, dropout_param=dropout_param)

    def _forward(self, X, record):
        """Scores (N, num_classes) and the list of layer caches; records hidden outputs if asked."""
        out, caches = X.astype(self.dtype, copy=False), []
        if record:
            self.activations = []
        for i in range(1, self.num_layers):
            out, cache = self._hidden_layer(i, out)
            caches.append(cache)
            if record:
                self.activations.append(out)
        L = self.num_layers
        scores, cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        caches.append(cache)
        return scores, caches

    def _backward(self, dscores, caches):
        """Gradients of the data loss for every parameter, from dscores (N, num_classes)."""
        grads = {}
        L = self.num_layers
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, caches[L - 1])
        for i in range(L - 1, 0, -1):
            dout, dw, db, dgamma, dbeta = affine_norm_act_dropout_backward(dout, caches[i - 1])
            grads[f"W{i}"], grads[f"b{i}"] = dw, db
            if self.normalization is not None:
                grads[f"gamma{i}"], grads[f"beta{i}"] = dgamma, dbeta
        return grads

    def loss(self, X, y=None, record=False):
        """Classification loss and gradients, or scores.

        X: (N, d_1, ..., d_k), flattened to input_dim features per example; y: (N,) labels.
        y None: test mode (running batchnorm statistics, no dropout); returns scores (N, C).
        Otherwise train mode; returns (loss, grads) with grads[name] of the shape of params[name],
        loss = mean softmax cross-entropy + 0.5 * reg * sum_i ||W_i||^2.
        record=True stores the output of every hidden layer, (N, M_i) each, in self.activations.
        """
        self._set_mode("test" if y is None else "train")
        scores, caches = self._forward(X, record)
        if y is None:
            return scores
        data_loss, dscores = softmax_loss(scores, y)
        grads = self._backward(dscores, caches)
        if self.reg == 0:  # no penalty: the model then works before regularization.py is written
            return data_loss, grads
        names = [f"W{i}" for i in range(1, self.num_layers + 1)]
        reg_loss, reg_grads = l2_penalty([self.params[n] for n in names], self.reg)
        for name, dreg in zip(names, reg_grads):
            grads[name] = grads[name] + dreg
        return data_loss + reg_loss, grads

    def hidden_activations(self, X, mode="train"):
        """Outputs of every hidden layer for X, a list of (N, M_i) arrays (for plotting statistics).

        mode 'train' uses batch statistics and dropout (and updates batchnorm running averages);
        mode 'test' uses running statistics and no dropout.
        """
        if mode not in ("train", "test"):
            raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
        self._set_mode(mode)
        self._forward(X, record=True)
        return self.activations
