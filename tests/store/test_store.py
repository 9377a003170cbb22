"""Progress in SQLite: bests only improve, damage is moved aside, two games share a file."""

import sqlite3
import threading

import pytest

from lrgame import store
from lrgame.store import DB_NAME, Store


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LRGAME_HOME", str(tmp_path))
    return tmp_path


def test_the_home_directory_follows_lrgame_home(home):
    assert store.home() == home
    s = Store.open()
    assert s.path == home / DB_NAME
    assert s.notice is None


def test_a_best_is_saved_and_read_back_by_a_new_store(home):
    assert Store.open().record("x-squared", 2, 3, 333, [0.1, 0.2, 0.3])
    best = Store.open().best("x-squared")
    assert (best.stars, best.iterations, best.score) == (2, 3, 333)
    assert best.lrs == (0.1, 0.2, 0.3)
    assert Store.open().best("nowhere") is None


def test_a_best_is_only_replaced_by_a_better_run(home):
    s = Store.open()
    assert s.record("a", 3, 2, 500, [0.5, 0.5])
    assert not s.record("a", 2, 4, 250, [0.1] * 4)  # worse: kept the old one
    assert s.best("a").iterations == 2
    assert not s.record("a", 3, 2, 500, [0.4, 0.6])  # equal is not better
    assert s.best("a").lrs == (0.5, 0.5)
    assert s.record("a", 3, 1, 1000, [1.0])  # better
    assert s.best("a").score == 1000
    assert set(s.bests()) == {"a"}


def test_settings_persist(home):
    Store.open().set_setting("unlock_all", "1")
    assert Store.open().setting("unlock_all") == "1"
    assert Store.open().setting("missing", "no") == "no"


def test_a_file_that_is_not_sqlite_is_moved_aside(home):
    (home / DB_NAME).write_text("this is not a database, it is a shopping list\n" * 50)
    s = Store.open()
    assert s.notice and "moved" in s.notice
    aside = list(home.glob(f"{DB_NAME}.corrupt-*"))
    assert len(aside) == 1 and "shopping list" in aside[0].read_text()
    assert s.record("a", 1, 9, 100, [0.1])
    assert s.best("a").score == 100


def test_a_damaged_sqlite_file_is_moved_aside(home):
    s = Store.open()
    for i in range(300):  # enough rows to span many pages
        s.record(f"level-{i}", 1, i + 1, 1000 - i, [0.1] * 20)
    # fold the WAL into the main file, then scribble over the middle of it
    db = sqlite3.connect(home / DB_NAME)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    path = home / DB_NAME
    data = bytearray(path.read_bytes())
    assert len(data) > 4 * 4096
    data[4096 : 3 * 4096] = b"\xff" * (2 * 4096)
    path.write_bytes(bytes(data))

    fresh = Store.open()
    assert fresh.notice is not None
    assert list(home.glob(f"{DB_NAME}.corrupt-*"))
    assert fresh.bests() == {}


def test_two_games_writing_at_once_lose_nothing(home):
    a, b = Store.open(), Store.open()
    errors = []

    def play(s, prefix):
        try:
            for i in range(40):
                s.record(f"{prefix}-{i}", 1, 10, 100, [0.1])
                s.record("shared", 1, 50 - i, 1000 + i, [0.1])
        except Exception as exc:  # pragma: no cover - shown on failure
            errors.append(exc)

    threads = [threading.Thread(target=play, args=(s, p)) for s, p in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    bests = Store.open().bests()
    assert {f"a-{i}" for i in range(40)} | {f"b-{i}" for i in range(40)} <= set(bests)
    assert bests["shared"].score == 1039  # the best of both games survived


def test_a_reader_is_not_blocked_by_an_open_write(home):
    s = Store.open()
    s.record("a", 1, 5, 200, [0.1])
    other = sqlite3.connect(home / DB_NAME, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another game holds the write lock
    try:
        assert s.best("a").score == 200  # WAL: readers go on
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_kill_mid_write_keeps_what_was_saved(home):
    import subprocess
    import sys

    Store.open().record("kept", 3, 1, 1000, [0.5])
    # A child process starts a transaction, writes, and dies without committing.
    code = (
        "import os, sqlite3, sys\n"
        f"db = sqlite3.connect({str(home / DB_NAME)!r}, isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        'db.execute("DELETE FROM best")\n'
        "os._exit(9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code])
    assert proc.returncode == 9
    s = Store.open()
    assert s.notice is None
    assert s.best("kept").score == 1000


def test_an_unusable_directory_falls_back_to_a_temporary_store(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the progress directory should be")
    monkeypatch.setenv("LRGAME_HOME", str(blocker))
    s = Store.open_anywhere()
    assert s.notice and str(blocker) in s.notice
    assert s.record("a", 1, 3, 300, [0.1])
    assert s.best("a").score == 300
