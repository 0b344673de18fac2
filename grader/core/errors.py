"""Outcomes a check can end with besides passing."""
from __future__ import annotations


class CheckFailure(AssertionError):
    """The student's code ran but gave a wrong answer; the message is written for the student."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message + (f" Hint: {self.hint}" if self.hint else "")


class NotImplementedYet(Exception):
    """The student's function still raises NotImplementedError."""


class SubmissionError(Exception):
    """The submission cannot be loaded at all (missing package, syntax error, missing function)."""
