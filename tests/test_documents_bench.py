"""The documents benchmark runs (at its small size) and prints its figures. No timing is
asserted: speed is for reading the figures, not for passing a test."""
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.live
def test_the_documents_benchmark_prints_its_figures():
    run = subprocess.run([sys.executable, "scripts/bench_documents.py", "--small"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "Documents benchmark (small meeting" in out
    for line in ("minutes PDF, WeasyPrint alone", "issue request, warm",
                 "live fan-out, no render running", "live fan-out, while rendering"):
        assert re.search(re.escape(line) + r".*\d+\.\d ms", out), (line, out)
