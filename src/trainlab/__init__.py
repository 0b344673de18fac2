"""trainlab: a NumPy library for training neural networks, layer by layer.

Modules (import the ones you need; this package imports none of them eagerly, so one unfinished
module never stops another from loading):

    activations, initialization, preprocessing, normalization, regularization, augmentation,
    optimizers, schedules    the functions you implement
    layers, layer_utils      affine layer, softmax loss and composite layers
    model                    FullyConnectedNet
    solver                   Solver: minibatch training with histories and checkpoints
    gradient_check           rel_error and numeric gradients
"""

__version__ = "0.1.0"
