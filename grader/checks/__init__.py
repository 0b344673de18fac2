"""Public checks, one module per topic of the student library.

The modules are imported in the order of grader.core.registry.TOPICS, which is also the report order.
"""
import importlib

from ..core.cases import add_inplace_checks
from ..core.registry import TOPICS

for _topic in TOPICS:
    importlib.import_module(f"{__name__}.{_topic}")
add_inplace_checks()  # in-place writes: one check of their own per function, never part of a value check
