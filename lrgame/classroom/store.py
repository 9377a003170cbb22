"""The class in SQLite (WAL): every write is one transaction, so a server killed at any
moment restarts with everything it acknowledged.

An answer is written in the same transaction as what it answers: a submission id
that is in ``submissions`` has had its effect, and a resent submission gets the
answer it got the first time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "class.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (
    key TEXT PRIMARY KEY,           -- names.same_player_key(player)
    player TEXT NOT NULL,
    token_hash TEXT NOT NULL,       -- sha256 of the student's client token
    joined_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS files (  -- each student's latest accepted result file
    key TEXT PRIMARY KEY REFERENCES students(key),
    body TEXT NOT NULL,
    total_score INTEGER NOT NULL,
    levels TEXT NOT NULL,           -- JSON: grade's LevelFigures, in the challenge's order
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    player TEXT,
    status TEXT NOT NULL,           -- accepted | refused
    reason TEXT,
    answer TEXT NOT NULL,           -- the JSON answer, sent again to a resend
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feed (seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL, text TEXT);
"""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Student:
    key: str
    player: str
    token_hash: str


class ClassStore:
    """One class directory's database. Use from one thread at a time."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / FILE_NAME
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        with self.write() as db:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it is written, or none of it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- meta ------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- reading ---------------------------------------------------------------------------
    def students(self) -> list[Student]:
        rows = self._db.execute("SELECT key, player, token_hash FROM students ORDER BY joined_at")
        return [Student(*row) for row in rows]

    def file_of(self, key: str) -> tuple[str, int, list[dict]] | None:
        row = self._db.execute(
            "SELECT body, total_score, levels FROM files WHERE key = ?", (key,)
        ).fetchone()
        return (row[0], row[1], json.loads(row[2])) if row else None

    def files(self) -> dict[str, tuple[str, int, list[dict]]]:
        rows = self._db.execute("SELECT key, body, total_score, levels FROM files")
        return {key: (body, total, json.loads(levels)) for key, body, total, levels in rows}

    def answer(self, submission_id: str) -> dict | None:
        row = self._db.execute(
            "SELECT answer FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def refusals(self) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT id, player, reason, at FROM submissions WHERE status = 'refused' ORDER BY at"
        )
        return [{"id": i, "player": p, "reason": r, "at": at} for i, p, r, at in rows]

    def feed(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT seq, at, text FROM feed ORDER BY seq DESC LIMIT ?", (limit,)
        )
        return [{"seq": s, "at": at, "text": t} for s, at, t in rows]

    # -- writing (each one transaction) ----------------------------------------------------
    def join(self, key: str, player: str, token: str) -> None:
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO students VALUES (?, ?, ?, ?)",
                (key, player, token_hash(token), time.time()),
            )
            db.execute(
                "INSERT INTO feed (at, text) VALUES (?, ?)", (time.time(), f"{player} joined")
            )

    def settle(
        self,
        submission_id: str,
        answer: dict[str, Any],
        *,
        student: tuple[str, str, str] | None = None,
        accepted: tuple[str, str, int, list[dict]] | None = None,
        events: list[str] = (),
    ) -> None:
        """Record a submission's answer, with the student it registers (key, player,
        token), the file it makes the student's latest (key, body, total, levels) and the
        feed's lines, all in one transaction."""
        now = time.time()
        with self.write() as db:
            if student is not None:
                key, player, token = student
                db.execute(
                    "INSERT OR IGNORE INTO students VALUES (?, ?, ?, ?)",
                    (key, player, token_hash(token), now),
                )
            if accepted is not None:
                key, body, total, levels = accepted
                db.execute(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                    (key, body, total, json.dumps(levels), now),
                )
            db.execute(
                "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?)",
                (
                    submission_id,
                    answer.get("player"),
                    answer["status"],
                    answer.get("reason"),
                    json.dumps(answer),
                    now,
                ),
            )
            for text in events:
                db.execute("INSERT INTO feed (at, text) VALUES (?, ?)", (now, text))
