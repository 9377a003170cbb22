"""The player's progress: best result per level, kept in SQLite. No Textual here.

The database lives in ``platformdirs.user_data_dir("lrgame")``, or in ``$LRGAME_HOME``
when that is set (tests point it at a temporary directory). Every write is one
``BEGIN IMMEDIATE`` transaction in WAL mode, and a best is replaced only by a better
one inside that transaction, so a crash mid-write or a second game writing at the same
moment never loses a result already saved. A file that is not a healthy SQLite
database is moved aside and a fresh one started, with a notice for the player.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "progress.db"
SCHEMA_VERSION = 1
#: How long a writer waits for another game's transaction before giving up.
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS best (
    level_id   TEXT PRIMARY KEY,
    stars      INTEGER NOT NULL,
    iterations INTEGER NOT NULL,
    score      INTEGER NOT NULL,
    lrs        TEXT NOT NULL,     -- JSON list: the rate of every step of the best run
    saved_at   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# A best is replaced only by a better run: a higher score, or the same score in fewer
# steps. The WHERE makes the comparison part of the write, so two games cannot race.
_RECORD = """
INSERT INTO best (level_id, stars, iterations, score, lrs, saved_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(level_id) DO UPDATE SET
    stars = excluded.stars,
    iterations = excluded.iterations,
    score = excluded.score,
    lrs = excluded.lrs,
    saved_at = excluded.saved_at
WHERE excluded.score > best.score
   OR (excluded.score = best.score AND excluded.iterations < best.iterations)
"""

_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Best:
    """The best cleared run of one level."""

    level_id: str
    stars: int
    iterations: int
    score: int
    lrs: tuple[float, ...]  # the replay: the rate of every step
    saved_at: float


def home() -> Path:
    """The directory that holds the progress database."""
    env = os.environ.get("LRGAME_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("lrgame"))


class Store:
    """Progress in one SQLite file. Each call opens its own connection, so the store
    can be used from worker threads and by two games at once."""

    def __init__(self, path: Path, notice: str | None = None):
        self.path = path
        #: Something the player should be told, e.g. that a corrupt file was moved aside.
        self.notice = notice

    @classmethod
    def open(cls, directory: Path | None = None) -> Store:
        """Open (or create) the progress database, replacing a corrupt one."""
        directory = home() if directory is None else Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / DB_NAME
        notice = None
        problem = _health_problem(path)
        if problem is not None:
            moved = _move_aside(path)
            notice = (
                f"Your progress file was damaged ({problem}). It was moved to {moved.name} "
                f"in {directory} and a fresh one was started."
            )
        store = cls(path, notice)
        with store._connect() as db:
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return store

    @classmethod
    def open_anywhere(cls, directory: Path | None = None) -> Store:
        """Open the progress database; if its directory cannot hold one (read-only, full,
        not a directory), keep this session's results in a temporary one and say so."""
        try:
            return cls.open(directory)
        except (OSError, sqlite3.Error) as exc:
            import tempfile

            where = home() if directory is None else Path(directory)
            store = cls.open(Path(tempfile.mkdtemp(prefix="lrgame-")))
            store.notice = (
                f"Progress cannot be saved in {where} ({exc}). This session's results are "
                f"kept in {store.path.parent} until the computer cleans it up."
            )
            return store

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that takes the write lock up front (no upgrade deadlocks)."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- results ---------------------------------------------------------------------
    def record(
        self, level_id: str, stars: int, iterations: int, score: int, lrs: list[float]
    ) -> bool:
        """Save a cleared run if it beats the best so far; True if it became the best."""
        with self._write() as db:
            cur = db.execute(
                _RECORD,
                (level_id, stars, iterations, score, json.dumps(list(lrs)), time.time()),
            )
            return cur.rowcount == 1

    def best(self, level_id: str) -> Best | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT level_id, stars, iterations, score, lrs, saved_at FROM best "
                "WHERE level_id = ?",
                (level_id,),
            ).fetchone()
        return _best(row) if row else None

    def bests(self) -> dict[str, Best]:
        """Every level's best, by level id."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT level_id, stars, iterations, score, lrs, saved_at FROM best"
            ).fetchall()
        return {r[0]: _best(r) for r in rows}

    # -- settings --------------------------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _best(row: tuple) -> Best:
    return Best(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5])


def _health_problem(path: Path) -> str | None:
    """Why the file at ``path`` is not a usable database, or None (also when absent)."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if head and head != _SQLITE_MAGIC:
        return "not a SQLite database"
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            result = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return f"SQLite says: {exc}"
    if result != [("ok",)]:
        return f"integrity check failed: {result[0][0]}"
    return None


def _move_aside(path: Path) -> Path:
    """Rename the database (and its WAL and shared-memory files) out of the way."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target
