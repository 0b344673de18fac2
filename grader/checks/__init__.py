"""Public checks, one module per topic of the student library (import order = report order)."""
from . import (  # noqa: F401
    activations,
    initialization,
    preprocessing,
    normalization,
    regularization,
    augmentation,
    optimizers,
    schedules,
)
