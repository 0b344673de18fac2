"""The sandbox worker: loads one student package and calls its functions on request.

Started by grader.sandbox.host as `python -I worker.py SRC [--uid N]`, inside the sandbox, with this
file, wire.py and invoke.py in one read-only folder and nothing else of the grader. It talks to the
trusted grader over its standard input and output in grader/sandbox/inside/wire.py frames; whatever the student
code prints goes to the log that replaced standard output. Before any student code loads it sets
the resource limits it is given and, when started as root, drops to the unprivileged uid N.

Everything this process sends is treated by the grader as coming from the student: a student may
rewrite this loop, and all they can change is what their own functions appear to return.

Requests:  {"op": "call" | "raises", "name": "module.function", "args": [...], "kwargs": {...}}
Replies:   {"ok": True, "result": ..., "states": [[position or name, dict], ...], "changed": [str, ...]}
           {"ok": True, "raised": None | {"mro": [class names], "message": str}}
           {"ok": False, "kind": "not_implemented" | "failure" | "submission", "message": str, "hint": str | None}
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import confine  # noqa: E402  (all three beside this file)
import invoke  # noqa: E402
import wire  # noqa: E402


def channels():
    """The protocol streams; fd 0 and 1 are then pointed away so student output cannot reach them."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)  # student prints go to the capped log on fd 2
    return requests, replies


def failure(error: invoke.CallError) -> dict:
    return {"ok": False, "kind": error.kind, "message": error.message, "hint": error.hint}


def serve(package, src, request) -> dict:
    name = request["name"]
    short = name.rpartition(".")[2]
    fn = invoke.resolve(package, name, src)
    if request["op"] == "raises":
        exc = invoke.raised(fn, short, tuple(request["args"]), request["kwargs"])
        if exc is None:
            return {"ok": True, "raised": None}
        return {"ok": True, "raised": {"mro": [c.__name__ for c in type(exc).__mro__], "message": str(exc)[:2000]}}
    args = tuple(request["args"])
    result, states, changed = invoke.invoke(fn, short, args, request["kwargs"])
    try:
        wire.validate(result, f"what {short} returned")
        wire.validate(list(states.values()), f"the state dicts {short} was given")
    except wire.WireError as exc:
        raise invoke.CallError("failure", f"{short} returned a value that cannot be graded: {exc}.") from None
    return {"ok": True, "result": result, "states": [[k, v] for k, v in states.items()], "changed": changed}


def main(argv) -> int:
    (src,), options = confine.split_options(argv)
    requests, replies = channels()
    confine.restrict(options)
    try:
        package = invoke.load_package(src)
    except invoke.CallError as error:
        wire.write_message(replies, failure(error))
        return 0
    wire.write_message(replies, {"ok": True})
    while True:
        try:
            request = wire.read_message(requests)
        except EOFError:
            return 0
        try:
            reply = serve(package, src, request)
        except invoke.CallError as error:
            reply = failure(error)
        wire.write_message(replies, reply)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
