"""The player's progress: best result per level, kept in SQLite. No Textual here.

The database lives in ``platformdirs.user_data_dir("lrgame")``, or in ``$LRGAME_HOME``
when that is set (tests point it at a temporary directory). Every write is one
``BEGIN IMMEDIATE`` transaction in WAL mode, and a best is replaced only by a better
one inside that transaction, so a crash mid-write or a second game writing at the same
moment never loses a result already saved.

Only a damaged file is moved aside (and a fresh one started, with a notice): one that
is not SQLite, or that SQLite calls corrupt or that fails ``PRAGMA integrity_check``.
A healthy file that cannot be used now is left exactly as it is, and the session
plays without saving, with a notice: when another program holds it locked (after
waiting and trying again), when it cannot be opened or read (permissions, a
directory in its place, an unreadable ``-shm`` left by a crash), and when it or one
of its side files is a symbolic link (it may lead into another program's database).
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
        health = _health(path)
        if isinstance(health, _Unusable):
            return cls._unsaved(
                f"Your progress file {path} {health.reason}, so it was left as it is."
            )
        if health is not None:
            moved = _move_aside(path)
            notice = (
                f"Your progress file was damaged ({health}). It was moved to {moved.name} "
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
            where = home() if directory is None else Path(directory)
            return cls._unsaved(f"Progress cannot be saved in {where} ({exc}).")

    @classmethod
    def _unsaved(cls, why: str) -> Store:
        """A store in a fresh temporary folder, for a session that cannot save its results
        where they belong; its notice says ``why``."""
        import tempfile

        store = cls.open(Path(tempfile.mkdtemp(prefix="lrgame-")))
        store.notice = (
            f"{why} This session's results are kept in {store.path.parent} until the "
            "computer cleans it up."
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


#: Tries, and the wait of each, before a progress file another program holds is given up.
OPEN_TRIES = 3
OPEN_WAIT_MS = 1000
# SQLite's primary result codes that mean the file itself is damaged.
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SIDE_FILES = ("-wal", "-shm", "-journal")


class _Unusable(str):
    """Why a progress file that is not damaged cannot be used now (the file is left alone)."""

    @property
    def reason(self) -> str:
        return str(self)


def _health(path: Path) -> str | None:
    """None if ``path`` is usable (or absent); _Unusable(why) if it must be left alone;
    else why it is damaged (and may be moved aside)."""
    for name in (path.name, *(path.name + side for side in _SIDE_FILES)):
        link = path.with_name(name)
        if link.is_symlink():
            return _Unusable(
                f"is a link ({link.name} leads to {os.readlink(link)}), and may belong to "
                "another program"
            )
    if not path.exists():
        return None
    if not path.is_file():
        return _Unusable("is not a regular file")
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        return _Unusable(f"cannot be read ({exc.strerror})")
    if head and head != _SQLITE_MAGIC:
        return "not a SQLite database"
    for attempt in range(OPEN_TRIES):
        try:
            return _integrity_problem(path)
        except sqlite3.Error as exc:
            code = _error_code(exc)
            if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
                return f"SQLite says: {exc}"
            if code not in (_SQLITE_BUSY, _SQLITE_LOCKED):
                return _Unusable(f"cannot be opened (SQLite says: {exc})")
            if attempt + 1 == OPEN_TRIES:
                return _Unusable(f"is in use by another program (SQLite says: {exc})")
            time.sleep(0.2 * (attempt + 1))
    return None  # not reached


def _integrity_problem(path: Path) -> str | None:
    """Run SQLite's integrity_check on the file, read-only; raise sqlite3.Error."""
    uri = Path(path).resolve().as_uri() + "?mode=rw"
    db = sqlite3.connect(uri, uri=True, timeout=OPEN_WAIT_MS / 1000)
    try:
        db.execute(f"PRAGMA busy_timeout = {OPEN_WAIT_MS}")
        result = db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()
    if result != [("ok",)]:
        return f"integrity check failed: {result[0][0]}"
    return None


def _error_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of an error (Python 3.11+), else one read from its text."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return _SQLITE_BUSY
    if "not a database" in text or "malformed" in text:
        return _SQLITE_CORRUPT
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
