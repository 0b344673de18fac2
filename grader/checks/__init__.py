"""Public checks, one module per topic of the student library.

The modules are imported in the order of grader.registry.TOPICS, which is also the report order.
"""
import importlib

from ..registry import TOPICS

for _topic in TOPICS:
    importlib.import_module(f"{__name__}.{_topic}")
