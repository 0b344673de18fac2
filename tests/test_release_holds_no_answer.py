"""The student release holds no answer in any form: no function of its grader or data loaders,
called on the inputs of a public case, returns or computes along the way the correct output of a
graded function (its stored fixtures aside, which are public by design). That holds for every
graded function, the ones whose formula the docstring gives included: grader code that computes a
documented formula is still an answer a student could call instead of writing it. What a public
check needs from a correct implementation (another correct formulation's output, the values a hint
compares with) is computed by `trainlab fixtures` and stored with the fixtures.

Every function defined in the release's `grader` and `trainlab_datasets` packages is called in a
subprocess that sees only the release: in place of the student's function inside each case's own
run on its stored inputs (so it gets exactly the arguments the student's function gets), and each
case's comparison (its judge, its other correct formulations and its hint) runs on outputs that are
all zero, with the stored hint values at hand. A profiler looks at every value the release's code
returns and every local variable it holds when a frame ends; none may equal a correct output of the
case.
"""
import json
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from grader.catalogue import cases
from grader.core.cases import run_case
from grader.core.engine import reference_src
from grader.core.fixture_store import Fixtures
from grader.instructor.release import copy_tree, stub_modules
from grader.core.runner import Runner

PROBE = textwrap.dedent(r'''
    import copy, importlib, inspect, json, pickle, pkgutil, signal, sys
    release, data = sys.argv[1], sys.argv[2]
    sys.path[:0] = [release, release + "/datasets"]
    import numpy as np
    import grader, trainlab_datasets
    modules = []
    for package in (grader, trainlab_datasets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            try:
                modules.append(importlib.import_module(info.name))
            except Exception:
                pass
    from grader.catalogue import cases
    from grader.core.cases import _compare_with_hint, run_case
    CASES = cases()
    from grader.core.compare import rel_error
    SKIP = ("grader.core.fixture_store",)  # the stored public outputs
    ours = lambda f: (f.__module__.startswith(("grader", "trainlab_datasets")) and not f.__module__.startswith(SKIP)
                      and "<locals>" not in f.__qualname__)
    functions = sorted({(f.__module__, f.__qualname__): f for m in modules
                        for _, f in inspect.getmembers(m, inspect.isfunction) if ours(f)}.items())
    cases, found = pickle.loads(open(data, "rb").read()), set()

    def arrays(value, depth=0):
        if isinstance(value, np.ndarray):
            yield value
        elif depth < 2 and isinstance(value, (tuple, list)):
            for v in value[:20]:
                yield from arrays(v, depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for v in list(value.values())[:20]:
                yield from arrays(v, depth + 1)

    def watcher(key, answers, tol, where):
        def profile(frame, event, arg):
            if event != "return" or not frame.f_code.co_filename.startswith(release):
                return
            if frame.f_globals.get("__name__", "").startswith(SKIP):
                return
            for value in [arg, *frame.f_locals.values()]:
                for a in arrays(value):
                    for name, want in answers:
                        if a.shape == want.shape and a.dtype.kind in "fc" and rel_error(a, want) < tol:
                            found.add((key, name, f"{frame.f_globals.get('__name__')}.{frame.f_code.co_name}", where))
        return profile

    def alarm(*_):
        raise TimeoutError
    signal.signal(signal.SIGALRM, alarm)

    def guarded(run, key, answers, tol, where, seconds=0.5):
        sys.setprofile(watcher(key, answers, tol, where))
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return run()
        except BaseException:
            return None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.setprofile(None)

    probed = [c for c in CASES if c.key in cases]  # a snapshot: the functions called may register more
    for case in probed:
        if case.key not in cases:
            continue
        inputs, answers, stored = cases[case.key]
        zeros, ones = ({k: fill(v) for k, v in answers} for fill in (np.zeros_like, np.ones_like))
        guarded(lambda: _compare_with_hint(case, copy.deepcopy(inputs), zeros, {**stored, **ones}), case.key,
                answers, case.tol, "comparison", seconds=10.0)
        for (module, name), fn in functions:
            call = lambda _name, *args, **kwargs: fn(*args, **kwargs)
            guarded(lambda: run_case(case, call, inputs), case.key, answers, case.tol, f"{module}.{name}")
    print(json.dumps({"found": sorted(found), "cases": len(probed), "functions": len(functions)}))
''')


def nontrivial(outputs: dict, inputs: dict) -> list:
    """The outputs any code could produce without knowing the answer (zeros, constants, copies of
    an input) are left out."""
    given = [v for v in inputs.values() if isinstance(v, np.ndarray)]
    keep = []
    for key, value in outputs.items():
        value = np.asarray(value)
        if key.startswith("_") or value.size < 4 or value.dtype.kind not in "fc" or np.ptp(value) == 0:
            continue
        if any(g.shape == value.shape and np.allclose(g, value) for g in given):
            continue
        keep.append((key, value))
    return keep


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    """{case key: (stored inputs, the reference's nontrivial outputs on them, the stored hint values)}."""
    reference, fixtures, out = Runner(reference_src()), Fixtures(), {}
    for case in cases():
        inputs, stored = fixtures.case(case)
        kept = nontrivial(run_case(case, reference.call, inputs), inputs)
        if kept:
            out[case.key] = (inputs, kept, {k: v for k, v in stored.items() if k.startswith("_")})
    path = tmp_path_factory.mktemp("answers") / "answers.pkl"
    path.write_bytes(pickle.dumps(out))
    return path


COMPARISON = "comparison"  # the probe's name for a case's judge, other correct formulations and hint
CANARY = "import numpy as np\n\n\ndef positive_part(x):\n    return np.maximum(x, 0.0)\n"


def test_no_function_of_the_release_computes_a_graded_answer(root, tmp_path, answers):
    release = tmp_path / "student"
    release.mkdir()
    for step in (copy_tree, stub_modules):  # the release's code (its notebooks do not matter here)
        step(root, release)
    (release / "grader" / "zz_canary.py").write_text(CANARY)  # an answer the probe must find
    done = subprocess.run([sys.executable, "-I", "-c", PROBE, str(release), str(answers)], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["cases"] >= 100 and report["functions"] >= 300, report
    caught = {f[0].split("/")[0] for f in report["found"] if f[3] == "grader.zz_canary.positive_part"}
    assert caught == {"relu_forward"}, caught  # the probe finds an answer where there is one
    found = {}  # what computed an answer -> the outputs it computed
    for key, name, frame, how in report["found"]:
        if how != "grader.zz_canary.positive_part":
            culprit = how if how != COMPARISON else f"{frame}, in the case's comparison"
            found.setdefault(culprit, set()).add(f"{key.split('/')[0]} {name}")
    assert not found, "\n".join(f"{how} computes {', '.join(sorted(what))}" for how, what in sorted(found.items()))
