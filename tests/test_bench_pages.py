"""The pages benchmark (scripts/bench_pages.py) on a small world, so it cannot rot: every staff
page in the app's route map is measured and answers 200, with whole-number statement and row
counts, and the replay is measured at 0, 499 and 501 events behind. No timing is asserted: the
figures are for a person to read.

The world is `flask sample-authority --size team` at a twentieth of its size, on the test's own
database; no meeting of it has 600 events, so the script's --pad-events gives one enough cards.
The script runs in its own process (it counts rows by wrapping SQLAlchemy's fetches) and finds
the sample authority's password itself.
"""
import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "bench_pages.py"
EXPORTS = {"actions.plan_csv", "actions.plan_json", "audit.meeting_trail_csv",
           "audit.everything_csv"}


def excluded():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_pages
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return bench_pages.EXCLUDED


def test_the_benchmark_measures_every_staff_page(app, runner, tmp_path):
    built = runner.invoke(args=["sample-authority", "--size", "team", "--scale", "0.05"])
    assert built.exit_code == 0, built.output
    out = tmp_path / "pages.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--database", app.config["SQLALCHEMY_DATABASE_URI"],
         "--requests", "2", "--pad-events", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    report = json.loads(out.read_text())
    results = report["results"]

    staff_pages = {rule.endpoint for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint not in excluded()}
    assert report["unlisted"] == []
    assert staff_pages - {r["page"].split("?")[0] for r in results} == set()
    assert any(r["page"].startswith("stability.index?team=") for r in results)
    assert "| page | who | median ms | p95 ms | statements | rows | KB | notes |" in run.stdout
    for r in results:
        assert r["status"] == 200, r
        assert isinstance(r["statements"], int) and r["statements"] > 0, r
        assert isinstance(r["rows"], int) and r["rows"] >= 0, r
        assert r["median_ms"] > 0 and r["bytes"] > 0, r
        assert f"| {r['page']} | {r['who']} |" in run.stdout, r["page"]

    exports = {r["page"]: r["export"] for r in results if r["export"]}
    assert set(exports) == EXPORTS
    for export in exports.values():
        assert export["records"] > 0 and export["records_per_second"] > 0, export
        assert export["peak_bytes"] >= 0 and export["first_byte_ms"] > 0, export

    replay = {r["page"]: r for r in results if r["page"].startswith("meeting.join")}
    assert list(replay) == [f"meeting.join ({n} behind)" for n in (0, 499, 501)]
    assert "499 events replayed" in replay["meeting.join (499 behind)"]["notes"]
    assert "answer: reload" in replay["meeting.join (501 behind)"]["notes"]

    database = report["database"]["counts"]
    assert database["meetings"] > 0 and database["audit_events"] > 0
    assert "audit_events" in run.stdout.splitlines()[-1]
