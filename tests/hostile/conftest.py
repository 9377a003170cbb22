"""Running the real command line on untrusted files, bounded in memory and time."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Address space of one lrgame process: numpy, sympy and pydantic fit in well under this.
MEMORY_LIMIT = 1536 * 2**20
#: A process still running after this many seconds is killed and the test fails.
HARD_TIMEOUT = 300  # wall seconds: a hang guard, for a machine under any load


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@dataclass
class Finished:
    """A finished lrgame process: exit code, output, and what it cost."""

    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float  # user + system time of the child: load on the machine barely moves it
    wall_seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_lrgame(*args: str, cwd: Path, timeout: float = HARD_TIMEOUT) -> Finished:
    """``python -m lrgame ARGS`` in ``cwd``, under RLIMIT_AS, output decoded leniently.

    The child's CPU time comes from its own rusage (wait4), so several may run at once.
    """
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrgame", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_memory,
    )
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=(name, stream), daemon=True)
        for name, stream in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for r in readers:
        r.start()
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    for r in readers:
        r.join()
    proc.stdout.close()
    proc.stderr.close()
    wall = time.perf_counter() - start
    if wall >= timeout:
        raise subprocess.TimeoutExpired(proc.args, timeout)
    return Finished(
        proc.returncode,
        chunks["out"].decode("utf-8", "backslashreplace"),
        chunks["err"].decode("utf-8", "backslashreplace"),
        usage.ru_utime + usage.ru_stime,
        wall,
    )


def run_many(jobs: dict[str, tuple[tuple[str, ...], Path]], workers: int = 2) -> dict:
    """Run ``{key: (args, cwd)}`` two at a time (the machine has two cores); key -> Finished
    or the exception it raised."""

    def one(item):
        key, (args, cwd) = item
        try:
            return key, run_lrgame(*args, cwd=cwd)
        except Exception as exc:  # reported by the test that reads it
            return key, exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, jobs.items()))


@pytest.fixture(scope="session")
def lrgame_cli():
    """``lrgame_cli(*args, cwd=...)``: see run_lrgame."""
    return run_lrgame


@pytest.fixture(scope="session")
def lrgame_many():
    """``lrgame_many({key: (args, cwd)})``: see run_many."""
    return run_many


@pytest.fixture
def in_tmp_cwd(tmp_path, monkeypatch) -> Path:
    """A fresh, empty working folder (where a CANARY would land)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd
