"""Every benchmark runs to completion with --quick. Timings are reported, never asserted."""
import subprocess
import sys

import pytest

from benchmarks import run_all


@pytest.mark.parametrize("script", run_all.SCRIPTS)
def test_benchmark_runs_quick(script, root):
    done = subprocess.run([sys.executable, str(root / "benchmarks" / script), "--quick"],
                          capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    assert "| " in done.stdout  # it printed its table


def test_run_all_writes_the_results_file(tmp_path, monkeypatch):
    monkeypatch.setattr(run_all, "SCRIPTS", ["bench_batchnorm_alt.py"])  # the scripts are tested above
    out = tmp_path / "results.md"
    assert run_all.main(["--quick", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# trainlab benchmarks") and "batchnorm_backward_alt" in text
