"""Replace every solution region in a Python source with a stub.

    ### BEGIN SOLUTION            ->   # YOUR CODE HERE
    ...reference lines...         ->   raise NotImplementedError()
    ### END SOLUTION

The stub keeps the indentation of the BEGIN line. Everything outside the markers is kept, so the
student sees the signature, the docstring and the scaffold around the region.
"""
from __future__ import annotations

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"


class MarkerError(ValueError):
    pass


def strip_solutions(text: str, filename: str = "<source>") -> str:
    out: list[str] = []
    inside_since = None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside_since is not None:
                raise MarkerError(f"{filename} line {number}: a solution region opens inside the one at line {inside_since}.")
            inside_since = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n")
        elif stripped == END:
            if inside_since is None:
                raise MarkerError(f"{filename} line {number}: {END} without a matching {BEGIN}.")
            inside_since = None
        elif inside_since is None:
            out.append(line)
    if inside_since is not None:
        raise MarkerError(f"{filename} line {inside_since}: the solution region is never closed.")
    return "".join(out)


def has_solution(text: str) -> bool:
    return any(line.strip() in (BEGIN, END) for line in text.splitlines())
