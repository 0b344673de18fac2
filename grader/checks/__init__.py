"""Public checks, one module per topic of the student library (import order = report order)."""
from . import activations  # noqa: F401
