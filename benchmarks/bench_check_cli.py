"""Wall time of `trainlab check` (all topics, in a fresh process) against `python -c "import numpy"`.

The baseline is the least any Python command using NumPy can cost; the ratio says how much the
grader adds on top of starting an interpreter. Exit status 1 (some check failed) still counts:
only the time is measured.

    python benchmarks/bench_check_cli.py [--quick]      (--quick: one topic, one run)
"""
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, ms, parse_args, ratio, report


def trainlab_command():
    """The console script next to this interpreter, else the same entry point through -m."""
    script = Path(sys.executable).with_name("trainlab")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "grader.cli"]


def wall_time(cmd, repeats, ok=(0,)):
    """Median seconds of running cmd to completion (output discarded); its last exit status."""
    samples, status = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        status = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        samples.append(time.perf_counter() - start)
        if status not in ok:
            raise SystemExit(f"{' '.join(cmd)} exited with status {status}; run it by hand to see why.")
    return statistics.median(samples), status


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    repeats = 1 if args.quick else 5
    topics = ["activations"] if args.quick else []
    check = trainlab_command() + ["check", *topics]
    baseline, _ = wall_time([sys.executable, "-c", "import numpy"], repeats)
    package, _ = wall_time([sys.executable, "-c", "import trainlab.model, trainlab.solver"], repeats)
    t_check, status = wall_time(check, repeats, ok=(0, 1))
    label = "trainlab check " + (" ".join(topics) or "(all topics)")
    rows = [
        ['python -c "import numpy"', ms(baseline), "1.0x"],
        ['python -c "import trainlab.model, trainlab.solver"', ms(package), ratio(package, baseline)],
        [label, ms(t_check), ratio(t_check, baseline)],
    ]
    report("Command line: trainlab check vs starting Python with NumPy",
           "Median wall time of a fresh process, run from the repository root.",
           ["command", "median ms", "ratio to import numpy"], rows,
           [f"Repeats: {repeats}. `trainlab check` exit status: {status} (1 means some check did not pass; "
            f"the time is still meaningful).{' QUICK run.' if args.quick else ''}"])


if __name__ == "__main__":
    main()
