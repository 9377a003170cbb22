"""The progress store under faults: a writer killed mid-save, a damaged file, two writers.

A child process saves in a loop and prints each save once ``record`` has returned; the
test kills it with SIGKILL at a random moment, several times over. Every save it
printed, and the progress saved before it started, must still be there, and the
database must pass SQLite's integrity_check.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lrgame.store import DB_NAME, Store

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from lrgame.store import Store

    store = Store.open(Path(sys.argv[1]))
    tag, start, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    go = Path(sys.argv[5]) if len(sys.argv) > 5 else None
    print("ready", flush=True)
    while go is not None and not go.exists():
        pass
    for i in range(start, start + count):
        # a new level every time, and one shared level whose best keeps rising
        store.record(f"{tag}-{i}", 3, 1 + i % 7, i, [0.1] * 50)
        store.record("shared", 3, 1, i, [0.2])
        print(i, flush=True)
    """
)


def _writer(home: Path, tag: str, start: int, count: int, go: Path | None = None):
    args = [sys.executable, "-c", WRITER, str(home), tag, str(start), str(count)]
    if go is not None:
        args.append(str(go))
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


@pytest.mark.slow
def test_a_writer_killed_mid_save_loses_nothing_it_had_saved(tmp_path):
    home = tmp_path / "home"
    store = Store.open(home)
    store.record("x-squared", 3, 1, 1000, [0.5])  # the player's earlier progress
    store.set_setting("unlock_all", "1")
    rng = random.Random(20250304)
    saved: set[int] = set()
    next_i = 0
    for _ in range(6):
        proc = _writer(home, "lvl", next_i, 1_000_000)
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        done = [int(line) for line in out.split() if line.isdigit()]
        saved.update(done)
        next_i = (max(done) + 1 if done else next_i) + 10  # new levels in every round

        reopened = Store.open(home)
        assert reopened.notice is None  # not taken for a damaged file
        assert _integrity(home / DB_NAME) == "ok"
        bests = reopened.bests()
        assert bests["x-squared"].score == 1000 and bests["x-squared"].lrs == (0.5,)
        assert reopened.setting("unlock_all") == "1"
        missing = [i for i in saved if f"lvl-{i}" not in bests]
        assert not missing, f"saves reported done but lost after SIGKILL: {missing[:10]}"
        if saved:
            assert bests["shared"].score >= max(saved)
    assert len(saved) > 6, "the writer never got going: the test proved nothing"


@pytest.mark.slow
def test_two_writers_at_once_lose_nothing(tmp_path):
    home = tmp_path / "home"
    Store.open(home)
    go = tmp_path / "go"
    a = _writer(home, "a", 0, 150, go)
    b = _writer(home, "b", 1000, 150, go)
    go.touch()  # both start together
    out_a, _ = a.communicate(timeout=120)
    out_b, _ = b.communicate(timeout=120)
    assert a.returncode == 0 and b.returncode == 0
    bests = Store.open(home).bests()
    assert {f"a-{i}" for i in range(150)} <= bests.keys()
    assert {f"b-{i}" for i in range(1000, 1150)} <= bests.keys()
    assert bests["shared"].score == 1149  # the best of both, whoever wrote last
    assert _integrity(home / DB_NAME) == "ok"


def _saved_store(home: Path) -> Path:
    store = Store.open(home)
    for i in range(200):
        store.record(f"level-{i}", 3, 1, i, [0.1] * 100)
    # fold the WAL into the main file, so the damage below hits the data itself
    db = sqlite3.connect(store.path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return store.path


def _assert_moved_aside(home: Path, what: str):
    store = Store.open(home)
    assert store.notice and "moved" in store.notice and what in store.notice, store.notice
    aside = list(home.glob(f"{DB_NAME}.corrupt-*"))
    assert len(aside) == 1
    store.record("x-squared", 3, 1, 1000, [0.5])  # a fresh start that works
    assert Store.open(home).best("x-squared").score == 1000
    assert Store.open(home).notice is None
    return aside[0]


def test_a_truncated_database_is_moved_aside_with_a_message(tmp_path):
    home = tmp_path / "home"
    path = _saved_store(home)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)
    aside = _assert_moved_aside(home, "damaged")
    assert aside.stat().st_size == size // 2  # kept as it was, for anyone who can rescue it


def test_a_database_with_garbage_pages_is_moved_aside(tmp_path):
    home = tmp_path / "home"
    path = _saved_store(home)
    data = bytearray(path.read_bytes())
    rng = random.Random(7)
    for page in range(2, len(data) // 4096):  # keep the header page, scramble the rest
        start = page * 4096
        data[start : start + 4096] = rng.randbytes(4096)
    path.write_bytes(bytes(data))
    _assert_moved_aside(home, "damaged")


def test_a_garbage_file_and_a_directory_in_the_database_s_place(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / DB_NAME).write_bytes(os.urandom(10_000))
    _assert_moved_aside(home, "not a SQLite database")

    other = tmp_path / "other"
    (other / DB_NAME / "inside").mkdir(parents=True)
    store = Store.open(other)  # not a file: it cannot be damaged progress, leave it alone
    assert "is not a regular file, so it was left as it is" in store.notice
    assert (other / DB_NAME / "inside").is_dir() and sorted(os.listdir(other)) == [DB_NAME]
    assert store.path.parent != other


def test_a_garbage_write_ahead_log_costs_at_most_the_unsaved(tmp_path):
    home = tmp_path / "home"
    path = _saved_store(home)
    (home / (DB_NAME + "-wal")).write_bytes(os.urandom(50_000))
    store = Store.open(home)  # SQLite ignores a log whose checksums fail
    assert store.notice is None
    assert len(store.bests()) == 200 and _integrity(path) == "ok"


# -- busy, locked, unreadable, linked: not damaged, so never moved aside ------------------

LOCKER = textwrap.dedent(
    """
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA locking_mode = EXCLUSIVE")
    db.execute("BEGIN EXCLUSIVE")
    db.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('locker', 'here')")
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until told to let go
    db.execute("ROLLBACK")
    db.close()
    print("released", flush=True)
    """
)


class _Locker:
    """Another program holding the progress file with an EXCLUSIVE lock, killed (with its
    process group) on every path out of the test."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "released"

    def __enter__(self) -> _Locker:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def _snapshot(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(home.iterdir()) if p.is_file()}


def test_a_database_another_program_holds_is_waited_for_then_left_alone(tmp_path, monkeypatch):
    import lrgame.store as store_module

    monkeypatch.setattr(store_module, "OPEN_WAIT_MS", 100)
    home = tmp_path / "home"
    path = _saved_store(home)
    with _Locker(path) as locker:
        before = _snapshot(home)
        store = Store.open_anywhere(home)
        assert "is in use by another program" in store.notice
        assert "left as it is" in store.notice and "damaged" not in store.notice
        assert store.path.parent != home  # this session plays without saving there
        store.record("x-squared", 3, 1, 1000, [0.5])  # ... and can still record
        assert _snapshot(home) == before
        assert not list(home.glob("*corrupt*"))
        locker.release()
    again = Store.open(home)
    assert again.notice is None and len(again.bests()) == 200 and _integrity(path) == "ok"


def test_a_lock_let_go_while_waiting_is_no_problem_at_all(tmp_path, monkeypatch):
    import threading

    import lrgame.store as store_module

    monkeypatch.setattr(store_module, "OPEN_WAIT_MS", 60_000)  # wait as long as it takes
    home = tmp_path / "home"
    path = _saved_store(home)
    opened = []
    with _Locker(path) as locker:
        opener = threading.Thread(target=lambda: opened.append(Store.open(home)))
        opener.start()
        time.sleep(0.3)
        locker.release()
        opener.join(60)
    (store,) = opened
    assert store.notice is None and store.path == path and len(store.bests()) == 200


def test_an_unreadable_shared_memory_file_left_by_a_crash_is_not_damage(tmp_path):
    home = tmp_path / "home"
    path = _saved_store(home)
    shm = home / (DB_NAME + "-shm")
    if shm.exists():
        shm.unlink()
    os.mkfifo(shm)  # cannot be read as shared memory (chmod 000 does not stop root)
    before = path.read_bytes()
    store = Store.open_anywhere(home)
    assert "left as it is" in store.notice and "damaged" not in store.notice
    assert path.read_bytes() == before and not list(home.glob("*corrupt*"))
    shm.unlink()  # the player (or a reboot) clears it: everything is still there
    assert Store.open(home).notice is None and len(Store.open(home).bests()) == 200


def _other_programs_database(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE mail (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO mail (body) VALUES ('hello')")
    db.commit()
    db.close()


def test_a_progress_file_that_is_a_link_into_another_programs_database_is_not_touched(
    tmp_path,
):
    other = tmp_path / "mail" / "mail.db"
    other.parent.mkdir()
    _other_programs_database(other)
    before = (other.read_bytes(), other.stat().st_mtime_ns)
    home = tmp_path / "home"
    home.mkdir()
    (home / DB_NAME).symlink_to(other)
    store = Store.open_anywhere(home)
    assert f"leads to {other}" in store.notice and "left as it is" in store.notice
    store.record("x-squared", 3, 1, 1000, [0.5])
    assert (other.read_bytes(), other.stat().st_mtime_ns) == before
    assert sorted(os.listdir(other.parent)) == ["mail.db"]  # no -wal or -shm made beside it
    assert sorted(os.listdir(home)) == [DB_NAME]


def test_a_linked_side_file_is_refused_too(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    home = tmp_path / "home"
    _saved_store(home)
    wal = home / (DB_NAME + "-wal")
    if wal.exists():
        wal.unlink()
    wal.symlink_to(target)
    store = Store.open_anywhere(home)
    assert "progress.db-wal leads to" in store.notice
    assert target.read_bytes() == b""
