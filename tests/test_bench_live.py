"""The live-latency benchmark (scripts/bench_live.py) at its small size, so it cannot rot.

It prints figures; these tests check it runs end to end against real server processes and
prints its table with measurements for every scenario, and that the page weight is reported.
Neither timing nor loss is asserted (a machine loaded by others drops sockets on ping timeout):
the figures are for a person to read.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, missing
from tests.test_scaleout_live import POSTGRES, REDIS, services_answer

pytestmark = pytest.mark.live

BENCH = [sys.executable, str(ROOT / "scripts" / "bench_live.py"), "--small"]
ROW = re.compile(r"^(?P<scenario>[a-d])\) .+? (?P<server>ours|floor)\s+(?P<samples>\d+)\s+"
                 r"(?:[\d.]+\s+){4}(?P<lost>\d+)\s+(?P<failed>\d+)\s+(?P<dropped>\d+)\s+[\d.]+",
                 re.M)


def run(*args):
    done = subprocess.run(BENCH + list(args), cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"the benchmark failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def rows(output):
    return {(m["scenario"], m["server"]): m for m in ROW.finditer(output)}


def test_the_small_benchmark_prints_every_scenario_for_us_and_the_floor():
    output = run()
    assert "p50 ms" in output and "p95 ms" in output and "p99 ms" in output
    assert "peak RSS MB" in output and "p95/floor" in output
    found = rows(output)
    assert set(found) == {(s, server) for s in "abcd" for server in ("ours", "floor")}, output
    for (scenario, server), row in found.items():
        assert int(row["samples"]) > 0, f"{scenario} {server} measured nothing"
    assert re.search(r"JavaScript \+ CSS, total\s+\d+\s+\d+\s+\(", output), output
    assert "server render time, median:" in output


def test_the_small_benchmark_runs_on_two_processes_with_postgresql_and_redis():
    problem = services_answer()
    if problem:
        missing(problem)
    output = run("--scenarios", "a,d", "--processes", "2", "--database", POSTGRES,
                 "--queue", REDIS, "--no-pages")
    assert "2 processes, PostgreSQL, Redis queue" in output
    found = rows(output)
    assert set(found) == {(s, server) for s in "ad" for server in ("ours", "floor")}, output
    assert all(int(row["samples"]) > 0 for row in found.values()), output


def test_every_gov_uk_component_a_template_uses_is_compiled_into_the_light_stylesheet():
    """static/src/govuk.scss ships only the components used; a new one must be added there."""
    scss = (ROOT / "static" / "src" / "govuk.scss").read_text()
    shipped = set(re.findall(r'@use "govuk-frontend/dist/govuk/components/([a-z-]+)"', scss))
    components = {p.name for p in (ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk" /
                                   "components").iterdir() if p.is_dir()}
    if not components:
        missing("node_modules/govuk-frontend is not installed (scripts/setup.sh installs it)")
    used = set()
    for folder in ("templates", "static/js", "facilitator"):
        for path in Path(ROOT, folder).rglob("*"):
            if path.suffix in {".html", ".js", ".py"}:
                used |= set(re.findall(r"govuk-([a-z]+(?:-[a-z]+)*)", path.read_text()))
    needed = {name for name in used if name in components}
    assert needed <= shipped, f"add to static/src/govuk.scss: {sorted(needed - shipped)}"
