"""Hidden checks: instructor side only, never part of the student release.

Every reference-output Case and gradient case gets a twin here that draws random shapes and values
from the per-student seed; the modules imported below add hidden-only property checks.
"""
import importlib

from .. import checks  # noqa: F401  (registers the cases first)
from ..core.cases import CASES, GRAD_CASES, hidden_case_check, hidden_grad_check
from ..core.registry import TOPICS, register

for _case in CASES:
    if _case.twin:
        register(hidden_case_check(_case))
for _case in GRAD_CASES:
    register(hidden_grad_check(_case))

for _topic in TOPICS:  # hidden-only property checks, one module per topic
    importlib.import_module(f"{__name__}.{_topic}")
