import os
import signal
from pathlib import Path

import pytest
from hypothesis import settings

from tests.processes import become_subreaper, descendants, kill_all

# Property tests run a fixed, derandomized budget by default, so a run is repeatable
# and bounded; HYPOTHESIS_PROFILE=hunt draws fresh examples each run (see README).
settings.register_profile("ci", derandomize=True, deadline=None, database=None)
settings.register_profile("hunt", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject.toml): one worker more than the CPUs this process may use, as
    cgroups limit them. The extra one runs while others wait on servers and browsers
    (measured on 2 CPUs: 3 workers 3:23, 2 workers 4:04). PYTEST_XDIST_AUTO_NUM_WORKERS=N
    still chooses N."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist reads it
    return _usable_cpus() + 1


def _usable_cpus() -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:  # a container's CPU quota (cgroup v2): "max 100000" or "200000 100000"
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cpus or 1)


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
    # Par, though, one folder for the whole session and all its workers: a stored par is
    # keyed by the level's content and the engine's code, so a level's par (30 s of CPU
    # for net-decay) is found once, not once per worker. Tests of that cache unset it.
    monkeypatch.setenv("LRGAME_PAR_CACHE_DIR", str(_shared_par_dir(tmp_path_factory)))
    return home


def _shared_par_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, above each worker's own
    return base / "lrgame-par-shared"


@pytest.fixture(autouse=True, scope="module")
def _no_process_left_behind(request):
    """After a test module, no process it started may still run: stop any, and fail."""
    before = set(descendants())
    yield
    left = {pid: cmd for pid, cmd in descendants().items() if pid not in before}
    if left:
        kill_all(list(left))
        pytest.fail(f"{request.module.__name__} left processes running: {sorted(left.values())}")
