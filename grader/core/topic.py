"""A topic's declaration: what one check module (grader/checks/<topic>.py) says about its topic.

A Topic is the topic's name (a str, so f"{T}.relu_forward" names a student function) carrying the
module's declarations: its checks, its reference-output and gradient cases, the functions given
complete to students, and the words the framework needs from it (hints for errors a student's
function raises, the example of a new array in in-place messages). Declaring a check only adds it
to its Topic; nothing is graded until grader/catalogue.py builds the course's checks from every
Topic in one explicit pass (public checks, in-place checks, hidden twins, hidden-only checks).
"""
from __future__ import annotations


class Topic(str):
    def __new__(cls, name: str, *, given=(), array_inputs: bool = True, inplace_example: str = "out = x * mask",
                inplace_entry_hint: str | None = None, error_hints: dict | None = None,
                float_error_hints: dict | None = None):
        self = super().__new__(cls, name)
        self.given = frozenset(given)  # functions given complete: their checks run and carry no points
        self.array_inputs = array_inputs  # False: the functions take shapes and numbers only (no in-place check)
        self.inplace_example = inplace_example  # an expression that makes a new array, in the topic's words
        self.inplace_entry_hint = inplace_entry_hint  # the hint for a write into an entry of a list or dict argument
        self.error_hints = error_hints or {}  # function -> [(words of a raised error's message, hint)]
        self.float_error_hints = float_error_hints or {}  # function -> hint for a floating-point error inside it
        self.checks: list = []  # declared checks, in declaration order (public and hidden-only)
        self.cases: list = []  # reference-output cases (each gives a public check and a hidden twin)
        self.grad_cases: list = []  # gradient cases (each gives a public check and a hidden twin)
        return self

    def __reduce__(self):  # travels (pickled) as its name only: its declarations hold functions
        return str, (str(self),)

    @property
    def name(self) -> str:
        return str(self)
