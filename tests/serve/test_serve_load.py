"""A few browser sessions at once on `lrgame serve`, and no game process left behind.

Runs benchmarks/serve_load.py (real websocket clients speaking textual-serve's page
protocol, on 127.0.0.1 only) with three sessions: what a whole class does at once is
measured there (``--sessions 30``), not here. The script, its server and the games
are ended on every path out of the test, a timeout included.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import descendants, started

pytestmark = pytest.mark.slow  # see README: pytest -m "not slow"

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "serve_load.py"
SESSIONS = 3


def test_a_few_sessions_get_the_game_and_leave_nothing_behind():
    args = [sys.executable, str(SCRIPT), "--sessions", str(SESSIONS), "--deadline", "150"]
    with started([*args, "--json"], stdout=subprocess.PIPE, text=True) as proc:
        out, _ = proc.communicate(timeout=300)  # a hang guard: this takes ~10 s
    report = json.loads(out)
    failed = [r for r in report.get("results", []) if not r["ok"]]
    assert report.get("passed") == SESSIONS, (report.get("error"), failed[:3])
    assert report["clean_after_close"], report["left_behind"]
    assert report["server_group_empty"]
    assert proc.returncode == 0
    assert not [cmd for cmd in descendants().values() if "lrgame" in cmd]


def test_a_killed_load_script_leaves_no_server_behind():
    """The script is stopped mid-run, as a timeout would stop it: its server goes too."""
    args = [sys.executable, str(SCRIPT), "--sessions", "1", "--deadline", "150"]
    with started(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        # wait for the server to be up (the script prints nothing before the end)
        end = time.monotonic() + 120
        while time.monotonic() < end and not any(
            " serve " in cmd for cmd in descendants(proc.pid).values()
        ):
            time.sleep(0.1)
        assert any(" serve " in cmd for cmd in descendants(proc.pid).values())
    # the with block sent SIGTERM to the script's group; the script stops its server
    assert not [cmd for cmd in descendants().values() if " serve " in cmd]
