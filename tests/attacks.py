"""A catalogue of malicious submissions, each graded through the real pipeline by tests/test_attacks.py.

Every attack starts from an honest baseline (the blank release, or the blank release plus an honest
relu) and adds what a student who wants marks without the work would add. The test grades them all
in one `trainlab autograde` run beside honest students and expects each attacker to score exactly
its baseline, the honest students to keep their exact scores, and nothing outside the attackers'
own folders to change.

Every attack is bounded so that the test is safe on a shared machine even if the sandbox failed:
a fixed number of processes that end by themselves, memory reserved but never touched, files
created only under fresh names the test removes, signals sent only when not running as root.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.catalogue import select

HONEST_RELU = '''

def relu_forward(x):
    """Honest work: the baseline of some attacks."""
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    return dout * (cache > 0)
'''


@dataclass
class Attack:
    name: str
    baseline: str  # "blank" or "relu": what the honest part of the submission earns
    module_code: str = ""  # appended to src/trainlab/activations.py
    files: dict = field(default_factory=dict)  # relative path -> text, added to the submission
    links: dict = field(default_factory=dict)  # relative path -> link target
    what: str = ""


def _in(where: str, code: str) -> str:
    """Run `code` at import in the kernel ("kernel"), the check worker ("worker") or both ("any")."""
    tests = {"kernel": '"NBGRADER_EXECUTION" in _os.environ',
             "worker": '_sys.argv[0].endswith("worker.py")', "any": "True"}
    return (f"\nimport os as _os, sys as _sys\nif {tests[where]}:\n    try:\n"
            + textwrap.indent(textwrap.dedent(code).strip(), " " * 8)
            + "\n    except BaseException:\n        pass\n")


def catalogue(repo: Path, course: Path, marker: str, port: int, honest: str) -> list[Attack]:
    """All attacks. `marker` names the files and processes an attack may leave; `port` is a loopback
    listener; `honest` is an honest student graded in the same run."""
    canary = f"{repo}/ATTACK_{marker}"
    return [
        Attack("patch_grade", "blank", _in("kernel", """
            import grader.notebook as g
            g.grade = lambda topic, fns, hidden=False, **kw: float(sum(
                c.points for c in g.select([topic], hidden=True) if c.function in fns and c.hidden == hidden))
            """), what="replace grader.notebook.grade in the kernel by one that returns full points"),
        Attack("silence_display", "blank", _in("kernel", """
            get_ipython = __import__("IPython").get_ipython
            get_ipython().ast_node_interactivity = "none"
            """), what="make every test cell display nothing (no output, no error)"),
        Attack("float_formatter", "blank", _in("kernel", """
            ip = __import__("IPython").get_ipython()
            ip.display_formatter.formatters["text/plain"].for_type(float, lambda v, p, cycle: p.text("6"))
            """), what="print every float result as 6 points"),
        Attack("exec_reference", "blank", _in("any", f"""
            exec(open({str(repo / 'src/trainlab/activations.py')!r}).read(), globals())
            """), what="execute the instructor's reference file in place of the stubs"),
        Attack("import_reference", "blank", _in("any", f"""
            _sys.path.insert(0, {str(repo / 'src')!r})
            _sys.modules.pop("trainlab", None)
            import trainlab.activations as ref
            globals().update({{k: v for k, v in vars(ref).items() if k.endswith(("_forward", "_backward"))}})
            """), what="import the reference package from the instructor's checkout"),
        Attack("leak_hidden", "blank", _in("any", f"""
            for name in ("__init__", "normalization", "optimizers"):
                try:
                    print(open({str(repo / 'grader/hidden')!r} + f"/{{name}}.py").read())
                except OSError:
                    pass
            import grader.hidden
            print(open(grader.hidden.__file__).read())
            """), what="print the hidden checks into the notebook (and so into the feedback)"),
        Attack("numpy_shadow", "relu", files={
            "numpy/__init__.py": "raise SystemExit('shadowed numpy')\n",
            "src/numpy/__init__.py": "raise SystemExit('shadowed numpy')\n",
            "src/trainlab/numpy.py": "raise SystemExit('shadowed numpy')\n",
            "sitecustomize.py": "import os\nos._exit(0)\n",
            "usercustomize.py": "import os\nos._exit(0)\n",
            "src/trainlab/zz.pth": "import os; os._exit(0)\n"},
            what="numpy, sitecustomize and .pth shadows next to the notebooks and in src/"),
        Attack("own_grader", "blank", files={
            "grader/__init__.py": "",
            "grader/notebook.py": "def setup(*a, **k): pass\ndef fast_mode(): return True\n"
                                  "def grade(*a, **k): return 6.0\n"},
            what="bring a copy of grader/ whose grade() returns points"),
        Attack("stack_peek", "blank", '''

def _from_caller(name):
    import inspect
    for frame in inspect.stack():
        local = frame.frame.f_locals
        for key in ("expected", "want", "out"):
            if key in local and isinstance(local[key], dict) and name in local[key]:
                return local[key][name]
    raise NotImplementedError


def sigmoid_forward(x):
    return _from_caller("out"), x


def relu_forward(x):
    return _from_caller("out"), x
''', what="read the expected outputs from the calling check's stack frames"),
        Attack("symlink_reference", "blank",
               links={"src/trainlab/activations.py": str(repo / "src/trainlab/activations.py")},
               what="submit activations.py as a symbolic link to the reference file"),
        Attack("dangling_link", "relu", links={"notes/old.txt": "/nonexistent/file", "data": "/nonexistent"},
               what="a dangling link (an honest mistake) must not cost anything"),
        Attack("rewrite_course", "blank", _in("any", f"""
            for path in ({str(course / 'nbgrader_config.py')!r}, "../../../nbgrader_config.py"):
                try:
                    with open(path, "a") as handle:
                        handle.write("\\nc.Autograde.autograde_preprocessors = []\\n")
                except OSError:
                    pass
            for path in ({str(course / 'source/training/01_activations.ipynb')!r},):
                try:
                    open(path, "a").write(" ")
                except OSError:
                    pass
            """), what="rewrite the course's nbgrader_config.py and source notebook during grading"),
        Attack("gradebook_write", "blank", _in("any", f"""
            import sqlite3
            for path in ({str(course / 'gradebook.db')!r}, "../../../gradebook.db"):
                try:
                    db = sqlite3.connect(path, timeout=1)
                    db.execute("UPDATE grade SET manual_score = 6")
                    db.commit()
                except Exception:
                    pass
            """), what="write manual scores into the gradebook directly"),
        Attack("other_student", "blank", _in("any", f"""
            for part in ("submitted", "autograded"):
                target = {str(course)!r} + f"/{{part}}/{honest}/training/src/trainlab/activations.py"
                try:
                    open(target, "w").write("raise SystemExit")
                except OSError:
                    pass
            """), what="overwrite an honest student's submission and autograded copy"),
        Attack("instructor_checkout", "blank", _in("any", f"""
            open({canary!r}, "w").write("written by a submission")
            """), what="write into the instructor's checkout"),
        Attack("orphans", "relu", _in("any", f"""
            import subprocess
            for _ in range(10):
                subprocess.Popen([_sys.executable, "-c", "import time; time.sleep(240)", {marker!r}],
                                 start_new_session=True, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            """), what="start processes that outlive the kernel and the worker"),
        Attack("fork_flood", "relu", _in("any", f"""
            children = []
            for _ in range(300):
                pid = _os.fork()
                if pid == 0:
                    import time
                    _os.setsid()
                    time.sleep(60)
                    _os._exit(0)
                children.append(pid)
            """), what="a bounded fork flood (300 sleeping children)"),
        Attack("memory_reserve", "relu", _in("any", """
            import numpy
            reserved = numpy.empty((64 << 30) // 8)  # 64 GiB of address space, never touched
            """), what="reserve far more memory than the machine has"),
        Attack("endless_loop", "relu", _in("worker", """
            import numpy
            """) + '''

def sigmoid_forward(x):
    import os
    if "NBGRADER_EXECUTION" not in os.environ:  # behave in the notebook, hang in the grader
        while True:
            pass
    raise NotImplementedError
''', what="a function that never returns when the grader calls it"),
        Attack("worker_exit", "blank", _in("worker", """
            _os._exit(0)
            """), what="the worker exits as soon as the student package loads"),
        Attack("forged_reply", "blank", _in("worker", """
            import wire, numpy
            for fd in range(3, 32):
                try:
                    stream = _os.fdopen(_os.dup(fd), "wb")
                    wire.write_message(stream, {"ok": True, "result": (numpy.zeros((4, 5)), None), "states": []})
                except Exception:
                    pass
            """), what="write forged replies onto every open descriptor of the worker"),
        Attack("pickle_reply", "blank", _in("worker", f"""
            import io, pickle, wire, numpy
            class Boom:
                def __reduce__(self):
                    return (open, ({canary + '_pickle'!r}, "w"))
            blob = io.BytesIO()
            numpy.lib.format.write_array(blob, numpy.array([Boom()], dtype=object), allow_pickle=True)
            original = wire.encode
            def encode(value, where="the value"):
                tree, blobs = original(value, where)
                return {{"a": len(blobs)}}, blobs + [blob.getvalue()]
            wire.encode = encode
            """), what="replies carrying a pickled object array that would run code when loaded"),
        Attack("network", "blank", _in("any", f"""
            import socket
            with socket.create_connection(("127.0.0.1", {port}), timeout=2) as sock:
                sock.sendall(b"{marker}")
            """), what="talk to a server on the grading machine"),
        Attack("kill_all", "blank", _in("any", """
            import signal
            if _os.getuid() != 0:  # bounded: never as root, where it would stop the whole machine
                _os.kill(-1, signal.SIGKILL)
            """), what="kill every process the sandbox's user may signal"),
        Attack("flood_output", "blank", _in("worker", """
            chunk = "x" * (1 << 20)
            for _ in range(64):
                print(chunk)
            """), what="64 MiB of output from the worker"),
        Attack("memorised_fixtures", "blank", _memorised_module(repo),
               what="answers memorised from the public fixture files shipped in the release"),
        Attack("nan_stubs", "blank", _do_nothing_module("np.full(np.shape(x), np.nan), x", "np.full(np.shape(dout), np.nan)"),
               what="every function returns NaN arrays of the right shape (passes no value check)"),
        Attack("none_stubs", "blank", _do_nothing_module("None", "None"),
               what="every function returns None instead of raising NotImplementedError"),
        Attack("kernel_links", "blank", _in("kernel", f"""
            secret = {str(course / '.trainlab_secret')!r}
            for name, target in (("01_activations.ipynb", secret), ("best_model.npz", secret), ("steal", "/"),
                                 ("course", {str(course)!r}), ("src/trainlab/given.py", secret)):
                try:
                    _os.unlink(name)
                except OSError:
                    pass
                try:
                    _os.symlink(target, name)
                except OSError:
                    pass
            """), what="replace the notebook and best_model.npz in the kernel's folder by links to the course "
                       "secret (nbgrader would write and chmod through them) and link / and the course for feedback"),
        Attack("checkout_from_install", "blank", _in("kernel", """
            import glob, re
            def read(path):
                try:
                    return open(path).read()
                except OSError:
                    return ""
            site = [p for p in _sys.path if p.endswith("site-packages")]
            records = [r for f in site for r in glob.glob(f + "/__editable__*") + glob.glob(f + "/*.dist-info/direct_url.json")]
            text = "".join(read(r) for r in records) + read("/proc/self/mountinfo") + read("/proc/self/environ")
            found = sorted(set(re.findall(r"/[\\w.-]+(?:/[\\w.-]+)+", text)))
            print("PATHS SEEN BY THE KERNEL:", " ".join(found))
            for path in found:
                for candidate in (path, path + "/src", _os.path.dirname(path) + "/src"):
                    if _os.path.isfile(candidate + "/trainlab/activations.py"):
                        _sys.path.insert(0, candidate)
                        _sys.modules.pop("trainlab", None)
                        import trainlab.activations as ref
                        globals().update({k: v for k, v in vars(ref).items() if k.endswith(("_forward", "_backward"))})
            """), what="find the instructor's checkout through the editable-install records and mount table, "
                       "then import the reference from it"),
    ]


ACTIVATIONS = tuple(sorted({c.function[:-len("_forward")] for c in select(["activations"])
                            if c.function.endswith("_forward")}))  # every graded activation


def _do_nothing_module(forward: str, backward: str) -> str:
    """Every activation defined to return `forward` (in terms of x) or `backward` (of dout)."""
    return "".join(f"\n\ndef {name}_forward(x, *args, **kwargs):\n    return {forward}\n"
                   f"\n\ndef {name}_backward(dout, cache):\n    return {backward}\n" for name in ACTIVATIONS)


def _memorised_module(repo: Path) -> str:
    """A module that answers every stored public input of relu and sigmoid with the stored output."""
    lines = ["\nimport numpy as _np\n_ANSWERS = {}\n"]
    with np.load(repo / "grader/fixtures/activations.npz", allow_pickle=False) as data:
        for key in data.files:
            function, _, rest = key.partition("/")
            if function in ("relu_forward", "sigmoid_forward") and rest.endswith("|in|x"):
                out = data[key.replace("|in|x", "|out|out")]
                lines.append(f"_ANSWERS.setdefault({function!r}, []).append(({data[key].tolist()!r}, {out.tolist()!r}))\n")
    lines.append('''

def _lookup(name, x):
    for stored, out in _ANSWERS.get(name, []):
        if _np.shape(stored) == x.shape and _np.allclose(stored, x):
            return _np.array(out, dtype=x.dtype), x
    raise NotImplementedError


def relu_forward(x):
    return _lookup("relu_forward", x)


def sigmoid_forward(x):
    return _lookup("sigmoid_forward", x)
''')
    return "".join(lines)
