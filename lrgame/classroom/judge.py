"""Each submission decided by the grader ``lrgame grade`` uses, then the class's own rules.

A submission is a student's whole result file as it stands after an attempt. It is
written to the class folder and graded with ``grade.Grader.grade``, the function
``lrgame grade`` calls on every file: the same re-simulation, rules and bounds on
work. On top of that, a class has three rules of its own:

- a name belongs to the first client (its token) that used it; the same name (after
  ``names.same_player_key``) or a lookalike of it from another client is refused;
- a file must continue the attempts already counted for its player (a fresh file
  cannot wipe out attempts, nor get more of them);
- the board is ``grade.rank`` of every student's latest accepted file, so it ranks
  exactly as ``lrgame grade`` ranks those files.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..judging.replay import ResultFile, player_problem
from ..names import looks_like, same_player_key
from ..text import num, stars_text
from .client import file_name
from .grade import Entry, Grader, LevelFigures, rank
from .store import ClassStore, token_hash

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class ClassJudge:
    """The class's verdicts. Not thread-safe: the server calls it from one thread."""

    def __init__(self, challenge, store: ClassStore):
        self.challenge = challenge
        self.store = store
        self.grader = Grader(challenge)
        self.incoming = store.folder / "incoming"
        self.incoming.mkdir(exist_ok=True)
        self.pars = {lid: level.compute_par().par for lid, level in challenge.levels.items()}
        self.version = 0
        self._board: dict[str, Any] | None = None

    # -- joining ---------------------------------------------------------------------------
    def name_problem(self, player: str, token: str) -> tuple[str | None, bool]:
        """(why the name cannot be this client's, or None; whether it is new to the class)."""
        key = same_player_key(player)
        for s in self.store.students():
            if s.key == key:
                if s.token_hash == token_hash(token):
                    return None, False
                return f"the name {s.player!r} is taken in this class: choose another", False
            if looks_like(player, s.player):
                return (
                    f"the name {player!a} looks like {s.player!r}, already in this class: "
                    "choose another",
                    False,
                )
        return None, True

    def join(self, player: str, token: str) -> dict[str, Any]:
        from ..judging.replay import check_player

        if not _TOKEN.match(token or ""):
            return {"status": "refused", "reason": "no client token", "player": None}
        try:
            player = check_player(player)
        except ValueError as exc:
            return {"status": "refused", "reason": str(exc), "player": None}
        problem, new = self.name_problem(player, token)
        if problem:
            return {"status": "refused", "reason": problem, "player": player}
        if new:
            self.store.join(same_player_key(player), player, token)
            self._changed()
        return {"status": "joined", "reason": None, "player": player}

    # -- a submission ----------------------------------------------------------------------
    def submit(self, submission_id: str, token: str, body: bytes) -> dict[str, Any]:
        """The answer to one submission (the same answer again for a resent one)."""
        if not _SAFE_ID.match(submission_id or ""):
            return {"status": "refused", "reason": "no submission id", "player": None}
        if not _TOKEN.match(token or ""):
            return {"status": "refused", "reason": "no client token", "player": None}
        earlier = self.store.answer(submission_id)
        if earlier is not None:
            return {**earlier, "resent": True}
        path = self.incoming / f"{submission_id}.json"
        path.write_bytes(body)
        try:
            entry = self.grader.grade(str(path))  # exactly what `lrgame grade` does to a file
            result = None
            if entry.status == "accepted":
                from ..judging.replay import read_result

                result = read_result(path)
        finally:
            os.unlink(path)
        player = entry.player
        if player is None:
            return self._refuse(submission_id, None, entry.reason or "broken file", None)
        problem, new = self.name_problem(player, token)
        if problem:
            return self._refuse(submission_id, player, problem, None)
        # a name is the student's once it is one the game writes (grade refuses others)
        student = (same_player_key(player), player, token) if new else None
        if player_problem(player) is not None:
            student = None
        if entry.status != "accepted":
            return self._refuse(submission_id, player, entry.reason or "rejected", student)
        assert result is not None
        key = same_player_key(player)
        before = self._counted(key)
        n = len(before)
        if [a.model_dump() for a in result.attempts[:n]] != before:
            why = (
                f"does not go on from the {n} attempt{'s' if n != 1 else ''} already counted "
                "for you: keep playing in the same result file"
            )
            return self._refuse(submission_id, player, why, student)
        events = [self.describe(player, a) for a in result.attempts[n:]]
        answer = {
            "status": "accepted",
            "reason": None,
            "player": player,
            "attempts": len(result.attempts),
            "total_score": entry.total_score,
        }
        levels = [asdict(f) for f in entry.levels]
        self.store.settle(
            submission_id,
            answer,
            student=student,
            accepted=(key, body.decode("utf-8-sig"), entry.total_score, levels),
            events=events,
        )
        self._changed()
        return answer

    def _counted(self, key: str) -> list[dict]:
        saved = self.store.file_of(key)
        if saved is None:
            return []
        return [a.model_dump() for a in accepted_file(saved[0]).attempts]

    def _refuse(self, sid: str, player: str | None, reason: str, student) -> dict[str, Any]:
        answer = {"status": "refused", "reason": reason, "player": player}
        who = player or "someone"
        self.store.settle(
            sid, answer, student=student, events=[f"{who}: a submission was refused: {reason}"]
        )
        self._changed()
        return answer

    def describe(self, player: str, a) -> str:
        """One line of the feed for an attempt: who, and what happened, in a few words."""
        return f"{player} {self.what_happened(a)}"

    def what_happened(self, a) -> str:
        rates = set(a.lrs)
        if len(rates) == 1:
            how = f"at lr {num(a.lrs[0])}"
        elif a.lrs:
            how = f"with {a.schedule} from lr {num(a.lrs[0])}"
        else:
            how = "before a step"
        if a.optimizer != "sgd" and a.lrs:
            how += f" with {a.optimizer}"
        steps = f"{a.iterations} step{'s' if a.iterations != 1 else ''}"
        if a.outcome == "cleared":
            par = self.pars.get(a.level)
            against = f" (par {par})" if par is not None else ""
            return f"cleared {a.level} in {steps}{against} {how}, {stars_text(a.stars)}"
        if a.outcome == "diverged":
            return f"diverged on {a.level} {how}"
        if a.outcome == "out_of_budget":
            return f"ran out of steps on {a.level} {how}"
        return f"gave up on {a.level} after {steps}"

    # -- the board -------------------------------------------------------------------------
    def _changed(self) -> None:
        self.version += 1
        self._board = None

    def entries(self) -> list[Entry]:
        return accepted_entries(self.store)

    def board(self) -> dict[str, Any]:
        """What ``GET /api/board`` answers (cached until the class changes)."""
        if self._board is not None:
            return self._board
        ranked = self.entries()
        students = []
        shown = set()
        players = {s.key: s.player for s in self.store.students()}
        bodies = {players[key]: body for key, (body, _, _) in self.store.files().items()}
        for e in ranked:
            shown.add(e.player)
            levels = [{**asdict(f), "par": self.pars.get(f.level)} for f in e.levels]
            attempts = accepted_file(bodies[e.player]).attempts
            latest = latest_text(attempts[-1]) if attempts else None
            students.append(
                {"player": e.player, "total_score": e.total_score, "rank": e.rank,
                 "levels": levels, "latest": latest}
            )  # fmt: skip
        for s in self.store.students():  # joined, nothing accepted yet
            if s.player not in shown:
                students.append(
                    {"player": s.player, "total_score": 0, "rank": None, "levels": [],
                     "latest": None}
                )  # fmt: skip
        self._board = {
            "title": self.challenge.title,
            "version": self.version,
            "levels": [
                {
                    "id": lid,
                    "title": level.title,
                    "par": self.pars[lid],
                    "optimizers": [t.spec() for t in level.optimizer_tools()],
                }
                for lid, level in self.challenge.levels.items()
            ],
            "students": students,
            "rejected": [
                {"player": r["player"], "reason": r["reason"], "at": r["at"]}
                for r in self.store.refusals()
            ],
            "feed": self.store.feed(),
            "at": time.time(),
        }
        return self._board


def accepted_file(body: str) -> ResultFile:
    """A stored file, read back as ``replay.read_result`` read it when it was accepted."""
    return ResultFile.model_validate(json.loads(body))


def latest_text(a) -> str:
    """A student's latest attempt, short enough for a board's column."""
    what = "gave up" if a.outcome == "abandoned" else a.outcome.replace("_", " ")
    rate = f", lr {num(a.lrs[0])}" if len(set(a.lrs)) == 1 else ""
    if a.optimizer != "sgd":
        rate += f", {a.optimizer.split(':')[0]}"
    return f"{a.level}: {what}{rate}"


def accepted_entries(store: ClassStore) -> list[Entry]:
    """Every student's latest accepted file as grade's entries, ranked by ``grade.rank``."""
    students = {s.key: s.player for s in store.students()}
    entries = []
    for key, (_, total, levels) in store.files().items():
        player = students[key]
        figures = [LevelFigures(**f) for f in levels]
        entries.append(Entry(file_name(player), player, "accepted", None, total, None, figures))
    return rank(entries)


def board_json(board: dict[str, Any]) -> str:
    return json.dumps(board, allow_nan=False, ensure_ascii=False)


def export_entries(folder: str | Path) -> list[Entry]:
    """The class's grades, read from its folder (no server): ranked students, then one
    rejected entry per refused submission."""
    store = ClassStore(folder)
    try:
        refused = [
            Entry(f"submission {r['id']}", r["player"], "rejected", r["reason"])
            for r in store.refusals()
        ]
        return accepted_entries(store) + refused
    finally:
        store.close()
