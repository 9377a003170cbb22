import os
import signal

import pytest
from hypothesis import settings

from tests.processes import become_subreaper, descendants, kill_all

# Property tests run a fixed, derandomized budget by default, so a run is repeatable
# and bounded; HYPOTHESIS_PROFILE=hunt draws fresh examples each run (see README).
settings.register_profile("ci", derandomize=True, deadline=None, database=None)
settings.register_profile("hunt", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    # A timeout's SIGTERM (or a closed terminal's SIGHUP) unwinds like ctrl+c: fixtures
    # stop what they started and pytest_sessionfinish below runs, instead of the session
    # dying and leaving its servers to init.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    # Orphans of the processes a test starts (a server whose load script was killed)
    # come to this process, so the checks below can still find and stop them.
    config.stash[_SUBREAPER] = become_subreaper()


def pytest_sessionfinish(session, exitstatus):
    # Pass, fail or ctrl+c: nothing a test started outlives the session.
    kill_all(list(descendants()))


_SUBREAPER = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _lrgame_home(tmp_path, tmp_path_factory, monkeypatch):
    """Every test keeps its progress and settings in its own folder, and its compiled
    losses in a cache of its own, outside tmp_path (tests look at what is in there)."""
    home = tmp_path / "lrgame-home"
    monkeypatch.setenv("LRGAME_HOME", str(home))
    monkeypatch.setenv("LRGAME_CACHE_DIR", str(tmp_path_factory.mktemp("lrgame-cache")))
    return home


@pytest.fixture(autouse=True, scope="module")
def _no_process_left_behind(request):
    """After a test module, no process it started may still run: stop any, and fail."""
    before = set(descendants())
    yield
    left = {pid: cmd for pid, cmd in descendants().items() if pid not in before}
    if left:
        kill_all(list(left))
        pytest.fail(f"{request.module.__name__} left processes running: {sorted(left.values())}")
