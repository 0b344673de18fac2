"""Run every benchmark, in order, and write their tables to benchmarks/results.md.

    python benchmarks/run_all.py [--quick] [--out PATH]

Each script runs in its own process (so thread limits and imports do not leak between them); the
results file starts with a description of the machine, because absolute times only mean something
there. Exit status 1 if any benchmark failed (its error is written into the results).
"""
import argparse
import datetime
import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the order of the sections in results.md
SCRIPTS = [
    "bench_gradcheck.py",
    "bench_check_cli.py",
    "bench_sandbox.py",
    "bench_train_step.py",
    "bench_batchnorm_alt.py",
]


def version_of(distribution):
    """Installed version of a distribution, read from its metadata (nothing is imported)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_header(quick):
    threads = os.environ.get("BENCH_THREADS", "1")
    return "\n".join([
        "# trainlab benchmarks",
        "",
        f"Written by `python benchmarks/run_all.py{' --quick' if quick else ''}` on "
        f"{datetime.datetime.now().isoformat(timespec='seconds')}.",
        f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs; Python {platform.python_version()}, NumPy {version_of('numpy')}, "
        f"torch {version_of('torch')}; BLAS/torch threads: {threads} (BENCH_THREADS).",
        "Ratios are measured within one run; absolute times depend on this machine and its load.",
        "",
    ])


def run(script, quick):
    """stdout of one benchmark, or a section describing its failure."""
    cmd = [sys.executable, str(HERE / script)] + (["--quick"] if quick else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return False, f"## {script} FAILED (exit status {done.returncode})\n\n```\n{done.stderr.strip()[-2000:]}\n```\n"
    return True, done.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark (smoke run)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md", help="where to write the results")
    args = parser.parse_args(argv)
    sections, all_ok = [machine_header(args.quick)], True
    for script in SCRIPTS:
        print(f"running {script} ...", flush=True)
        ok, text = run(script, args.quick)
        all_ok &= ok
        sections.append(text)
        print(text, flush=True)
    args.out.write_text("\n".join(sections))
    print(f"wrote {args.out}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
