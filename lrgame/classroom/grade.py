"""``lrgame grade``: re-simulate every replay and rank the players who told the truth.

A result file is *accepted* only if every attempt re-simulates, with the engine's own
``Run`` and the recorded rates, to exactly the outcome, iterations, stars and score
it claims, on a level whose content hash equals the grader's copy, within the rules.
Otherwise it is *rejected*, with the first reason found. Result files are untrusted
(see ``replay.read_result``); nothing in them is executed.

``final_loss`` is compared to a relative 1e-9, not exactly: everything that decides
a result (the rates, the level) is carried exactly, but a loss with exp or sin may
differ in its last bits between two machines' maths libraries.
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import levels as L
from ..errors import printable
from ..fileformat import level_hash
from ..judging.replay import (
    AttemptRecord,
    ResultError,
    ResultFile,
    player_problem,
    read_result,
    replay,
)
from ..judging.verdict import verdict
from ..names import looks_like, same_player_key
from ..text import num, stars_text
from .challenge import attempt_problem

LOSS_RTOL = 1e-9

#: The work of replaying one step, in units: this fixed part (a step of a small level
#: costs about what touching a thousand numbers does) plus the numbers a step touches.
STEP_OVERHEAD = 1000
#: The most work grade spends on one file: about 15 s of CPU on a laptop, counted
#: before anything is replayed. A file the game could have written is always within
#: reach: the bound rises to what the challenge's rules allow an honest file, or,
#: without a challenge, to one full-budget attempt of its costliest level.
MAX_FILE_WORK = 1_000_000_000
#: Without a challenge (and its attempts rule), attempts a file may hold per level;
#: ``lrgame run --replay`` writes one.
MAX_LONE_ATTEMPTS = 10


def step_work(level: L.Level) -> int:
    """Units of work to replay one step of ``level`` (see STEP_OVERHEAD)."""
    return STEP_OVERHEAD + max(level.step_cost(), level.n_params)


def honest_work(challenge) -> int:
    """The most work a file the game records for ``challenge`` can take to grade."""
    rules = challenge.rules
    return sum(
        rules.attempts * level.engine_goal.max_iterations * step_work(level)
        for level in challenge.levels.values()
    )


@dataclass
class LevelFigures:
    """A player's best attempt at one level."""

    level: str
    attempts: int
    outcome: str
    iterations: int | None
    stars: int
    score: int
    final_loss: float | None
    #: the optimiser of that attempt (its spec); None when the level was not played
    optimizer: str | None = None


@dataclass
class Entry:
    """One result file's line of the leaderboard."""

    file: str
    player: str | None
    status: str  # accepted | rejected
    reason: str | None
    total_score: int = 0
    rank: int | None = None
    levels: list[LevelFigures] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # for the teacher: names that collide


class Grader:
    """Checks result files against one set of levels and rules.

    With a challenge: its levels, its rules, and results must be made for it (same
    hash). Without: shipped levels by id, and levels given by path; no rules.
    """

    def __init__(self, challenge=None, extra_levels: list[L.Level] | None = None):
        self.challenge = challenge
        self.levels: dict[str, L.Level] = dict(challenge.levels) if challenge else {}
        self._honest: int | None = None  # honest_work(challenge), computed once
        for level in extra_levels or []:
            self.levels[level.id] = level

    def level(self, level_id: str) -> L.Level | None:
        if level_id not in self.levels and self.challenge is None:
            path = L.shipped_path(level_id)
            if path.is_file():
                self.levels[level_id] = L.load_level(path)
        return self.levels.get(level_id)

    def grade(self, path: str) -> Entry:
        name = printable(path)  # a student names the file: its escapes are shown, not sent
        try:
            result = read_result(path)
        except ResultError as exc:
            return Entry(file=name, player=None, status="rejected", reason=exc.reason)
        try:
            figures = self._check(result)
        except _Reject as exc:
            return Entry(file=name, player=result.player, status="rejected", reason=str(exc))
        total = sum(f.score for f in figures)
        return Entry(name, result.player, "accepted", None, total, None, figures)

    # -- the checks ------------------------------------------------------------------
    def _check(self, result: ResultFile) -> list[LevelFigures]:
        problem = player_problem(result.player)
        if problem:
            raise _Reject(problem)
        ch = self.challenge
        if ch is not None:
            if result.challenge is None:
                raise _Reject(f"not made for the challenge {ch.title!r} (no challenge in it)")
            if result.challenge.hash != ch.hash:
                raise _Reject(
                    f"made for a different challenge ({result.challenge.title!r}), or for "
                    "different levels or rules"
                )
            rules = ch.rules
            limit = rules.time_limit_minutes
            if limit is not None:
                if result.elapsed_seconds is None:
                    raise _Reject("the challenge has a time limit, and the file records no time")
                if result.elapsed_seconds > limit * 60:
                    raise _Reject(
                        f"over the time limit: {result.elapsed_seconds / 60:.1f} minutes "
                        f"(the rules allow {limit:g})"
                    )
        by_level: dict[str, list[AttemptRecord]] = {}
        for a in result.attempts:
            by_level.setdefault(a.level, []).append(a)
        allowed = ch.rules.attempts if ch is not None else MAX_LONE_ATTEMPTS
        for lid, attempts in by_level.items():
            if len(attempts) > allowed:
                who = "the rules allow" if ch is not None else "without a challenge, grade allows"
                raise _Reject(f"too many attempts: {len(attempts)} on {lid} ({who} {allowed})")
        self._check_work(result)
        counts: dict[str, int] = {}
        for a in result.attempts:
            counts[a.level] = counts.get(a.level, 0) + 1
            # every earlier attempt at the level is a trial run (it costs on a trials level)
            trials = counts[a.level] - 1
            self._check_attempt(a, f"{a.level}, attempt {counts[a.level]}", result, trials)
        order = list(ch.levels) if ch is not None else list(by_level)
        return [self._best(lid, by_level.get(lid, [])) for lid in order]

    def _check_work(self, result: ResultFile) -> None:
        """Refuse, before replaying anything, a file whose replay costs more than the bound."""
        work, one_attempt = 0, 0
        for a in result.attempts:
            level = self.level(a.level)
            if level is not None:  # an unknown level is refused with its attempt
                per_step = step_work(level)
                work += len(a.lrs) * per_step
                one_attempt = max(one_attempt, level.engine_goal.max_iterations * per_step)
        if self.challenge is not None:
            if self._honest is None:
                self._honest = honest_work(self.challenge)
            limit = max(MAX_FILE_WORK, self._honest)
        else:
            limit = max(MAX_FILE_WORK, one_attempt)
        if work > limit:
            steps = sum(len(a.lrs) for a in result.attempts)
            raise _Reject(
                f"too costly to grade: replaying its {steps:,} steps is {work:,} units of work "
                f"(a step is {STEP_OVERHEAD:,} plus the numbers it touches); grade allows "
                f"{limit:,} per file"
            )

    def _check_attempt(self, a: AttemptRecord, where: str, result: ResultFile, trials: int) -> None:
        level = self.level(a.level)
        if level is None:
            if self.challenge is not None:
                raise _Reject(f"{where}: not a level of the challenge")
            hint = (
                f"; the file was made for the challenge {result.challenge.title!r}: "
                "grade it with --challenge FILE"
                if result.challenge is not None
                else ""
            )
            raise _Reject(f"{where}: unknown level (not shipped, nor given with --level){hint}")
        if a.level_hash != level_hash(level):
            raise _Reject(
                f"{where}: different level: its content is not the grader's copy of {a.level}"
            )
        budget = level.engine_goal.max_iterations
        if len(a.lrs) > budget:
            raise _Reject(f"{where}: {len(a.lrs)} steps, more than the level's budget of {budget}")
        problem = attempt_problem(self.challenge, level, a.lrs, a.schedule, a.optimizer)
        if problem:
            raise _Reject(f"{where}: {problem}")
        run = replay(level, a.lrs, a.optimizer)
        if run.iteration < len(a.lrs):
            raise _Reject(
                f"{where}: the run ends after {run.iteration} steps; the replay goes on "
                f"for {len(a.lrs) - run.iteration} more"
            )
        judged = verdict(level, run, trials)
        outcome, true_stars, true_score = judged.outcome, judged.stars, judged.score
        if a.iterations != run.iteration:
            raise _Reject(
                f"{where}: changed iterations: claims {a.iterations}, the replay takes "
                f"{run.iteration}"
            )
        if a.outcome != outcome:
            raise _Reject(f"{where}: changed outcome: claims {a.outcome}, the replay is {outcome}")
        if a.score != true_score:
            raise _Reject(
                f"{where}: changed score: claims {a.score} points, the replay scores {true_score}"
            )
        if a.stars != true_stars:
            raise _Reject(
                f"{where}: changed stars: claims {a.stars}, the replay earns {true_stars}"
            )
        loss = run.loss
        claimed = a.final_loss
        if not math.isfinite(loss):
            same = claimed is None
        else:
            same = claimed is not None and math.isclose(claimed, loss, rel_tol=LOSS_RTOL, abs_tol=0)
        if not same:
            raise _Reject(
                f"{where}: changed final loss: claims {num(claimed)}, the replay ends at {num(loss)}"
            )

    @staticmethod
    def _best(level_id: str, attempts: list[AttemptRecord]) -> LevelFigures:
        if not attempts:
            return LevelFigures(level_id, 0, "not played", None, 0, 0, None)
        best = max(attempts, key=lambda a: (a.score, -a.iterations))
        return LevelFigures(
            level_id,
            len(attempts),
            best.outcome,
            best.iterations,
            best.stars,
            best.score,
            best.final_loss,
            best.optimizer,
        )


class _Reject(Exception):
    pass


def flag_names(entries: list[Entry]) -> list[Entry]:
    """Flag accepted files that are one player's (``Alice`` and ``alice``), or whose
    names look alike (``alice`` and ``аlice`` with a Cyrillic ``а``): the teacher decides."""
    accepted = [e for e in entries if e.status == "accepted" and e.player is not None]
    for e in accepted:
        same = [
            o
            for o in accepted
            if o is not e and same_player_key(o.player) == same_player_key(e.player)
        ]
        if same:
            files = ", ".join(o.file for o in same)
            e.flags.append(f"one player, more than one file: {e.player!a} is also in {files}")
        for o in accepted:
            if o is not e and looks_like(e.player, o.player):
                e.flags.append(f"name {e.player!a} looks like {o.player!a} in {o.file}")
    return entries


def rank(entries: list[Entry]) -> list[Entry]:
    """Accepted files by total score (ties share a rank), then the rejected ones."""
    accepted = sorted(
        (e for e in entries if e.status == "accepted"),
        key=lambda e: (-e.total_score, (e.player or "").casefold(), e.file),
    )
    previous, place = None, 0
    for i, e in enumerate(accepted, 1):
        if e.total_score != previous:
            place, previous = i, e.total_score
        e.rank = place
    return accepted + [e for e in entries if e.status != "accepted"]


# -- output -----------------------------------------------------------------------------


def _iterations_cell(f: LevelFigures) -> str:
    its = "-" if f.iterations is None else str(f.iterations)
    if f.outcome not in ("cleared", "not played"):
        its += f" ({f.outcome.replace('_', ' ')})"
    return its


def leaderboard_text(entries: list[Entry]) -> str:
    n_ok = sum(e.status == "accepted" for e in entries)
    flagged = [e for e in entries if e.flags]
    also = f" ({len(flagged)} flagged: check their names)" if flagged else ""
    lines = [f"{len(entries)} result files: {n_ok} accepted{also}, {len(entries) - n_ok} rejected"]
    accepted = [e for e in entries if e.status == "accepted"]
    if accepted:
        # max() of one number fails: a file with no attempts has no levels
        player_w = max([6, *(len(e.player or "") for e in accepted)])
        level_w = max([5, *(len(f.level) for e in accepted for f in e.levels)])
        # "2 (diverged)" and "50 (out of budget)" are wider than the heading: the column
        # is as wide as its widest cell, so every row lines up
        its_w = max([10, *(len(_iterations_cell(f)) for e in accepted for f in e.levels)])
        # an optimiser column only when some best attempt was not plain descent
        shown_opt = any(f.optimizer not in (None, "sgd") for e in accepted for f in e.levels)
        lines.append("")
        lines.append(
            f"{'rank':>4}  {'player':<{player_w}}  {'total':>6}  {'level':<{level_w}}  "
            f"{'iterations':>{its_w}}  {'stars':<5}  {'score':>6}"
            + ("  optimizer" if shown_opt else "")
        )
        for e in accepted:
            first = True
            for f in e.levels or [LevelFigures("-", 0, "not played", None, 0, 0, None)]:
                head = (
                    f"{e.rank:>4}  {e.player:<{player_w}}  {e.total_score:>6}"
                    if first
                    else f"{'':>4}  {'':<{player_w}}  {'':>6}"
                )
                its = _iterations_cell(f)
                shown_stars = "-" if f.outcome == "not played" else stars_text(f.stars)
                opt = f"  {f.optimizer or '-'}" if shown_opt else ""
                lines.append(
                    f"{head}  {f.level:<{level_w}}  {its:>{its_w}}  {shown_stars:<5}  {f.score:>6}"
                    + opt
                )
                first = False
    if flagged:
        lines.append("")
        lines.extend(f"{e.file}: flagged: {flag}" for e in flagged for flag in e.flags)
    rejected = [e for e in entries if e.status != "accepted"]
    if rejected:
        lines.append("")
        lines.extend(f"{e.file}: rejected: {e.reason}" for e in rejected)
    return "\n".join(lines)


def entries_json(entries: list[Entry]) -> dict[str, Any]:
    return {"entries": [asdict(e) for e in entries]}


CSV_COLUMNS = [
    "rank", "file", "player", "status", "reason", "total_score",
    "level", "attempts", "outcome", "iterations", "stars", "score", "optimizer", "flags",
]  # fmt: skip


def _cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one starting with = + - @ (a file's name
    is the student's) would be read as a formula, so it gets a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_csv(entries: list[Entry], out) -> None:
    """One row per file and level (one row for a rejected file)."""
    rows = [CSV_COLUMNS]
    for e in entries:
        head = [e.rank, e.file, e.player, e.status, e.reason, e.total_score]
        flags = "; ".join(e.flags)
        if not e.levels:
            rows.append([*head, "", "", "", "", "", "", "", flags])
        for f in e.levels:
            rows.append(
                [*head, f.level, f.attempts, f.outcome, f.iterations, f.stars, f.score]
                + [f.optimizer or "", flags]
            )
    csv.writer(out, lineterminator="\n").writerows([_cell(v) for v in row] for row in rows)
