"""20 browser sessions at once on `lrgame serve`, and no game process left behind.

Runs benchmarks/serve_load.py (real websocket clients speaking textual-serve's page
protocol, on 127.0.0.1 only): ~25 s on two cores, bounded by its own deadline and
by the timeout here.
"""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "serve_load.py"


def test_twenty_sessions_get_the_game_and_leave_nothing_behind():
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--sessions", "20", "--deadline", "120", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(proc.stdout)
    failed = [r for r in report.get("results", []) if not r["ok"]]
    assert report.get("passed") == 20, (report.get("error"), failed[:3])
    assert report["clean_after_close"], report["left_behind"]
    assert report["server_group_empty"]
    assert proc.returncode == 0
