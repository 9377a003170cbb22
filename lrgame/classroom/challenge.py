"""Classroom challenges: a set of levels played under rules, and the player's attempts.

A challenge file (YAML, validated like a level file)::

    title: Week 3 — finding the rate
    levels:
      - x-squared                 # a shipped level, by id
      - valleys/my-valley.yaml    # a file, relative to this challenge file
      - id: steep                 # or a whole level, written inline
        title: Steep walls
        ...
      - level: long-valley        # any of those, with the optimiser set for it
        optimizer: momentum:beta=0.9
    rules:
      lr_changes: false           # may the rate change during a run? (default true)
      attempts: 3                 # runs allowed per level (default 3)
      time_limit_minutes: 20      # optional

``ChallengeSession`` is the pure bookkeeping the game (and ``lrgame run --challenge``)
drives: which level may still be tried, whether the rate may change, the time left,
and the result file, rewritten atomically after every attempt.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Annotated, Any

from pydantic import Field, StrictBool

from .. import levels as L
from ..engine import Run
from ..engine.optimizers import OptimizerError, parse_optimizer
from ..fileformat import content_hash, level_hash, sub_document, validate_model
from ..judging.replay import (
    AttemptRecord,
    ChallengeRef,
    ResultError,
    ResultFile,
    attempt_from_run,
    check_player,
    new_result,
    read_result,
    replay,
    write_result,
)
from ..legal import optimizer_problem, run_problem
from ..yamlsafe import InputError, load_yaml_file
from .pinned import pin_optimizer

MAX_CHALLENGE_LEVELS = 50
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Rules(L.Model):
    """How the levels of a challenge may be played."""

    lr_changes: StrictBool = Field(
        True, description="may the learning rate change during a run (schedules, by hand)"
    )
    attempts: Annotated[int, Field(strict=True, ge=1, le=1000)] = Field(
        3, description="runs allowed per level; an abandoned run counts"
    )
    time_limit_minutes: Annotated[float, Field(strict=True, gt=0, le=10080)] | None = Field(
        None, description="minutes from the start of the challenge to its last attempt"
    )


class ChallengeSpec(L.Model):
    """A challenge file: a title, its levels and its rules."""

    title: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(max_length=4000)] = ""
    author: Annotated[str, Field(max_length=80)] = ""
    levels: Annotated[
        list[str | dict[str, Any]], Field(min_length=1, max_length=MAX_CHALLENGE_LEVELS)
    ] = Field(
        description="each a shipped level id, a path to a level file relative to this "
        "file (ending in .yaml), a whole level written inline, or a mapping "
        "{level: one of those, optimizer: SPEC} that sets the optimiser the level is "
        "played with (sgd, or one the level offers, as it offers it)"
    )
    rules: Rules = Field(default_factory=Rules)


@dataclass
class LoadedChallenge:
    """A validated challenge with its levels loaded, in order."""

    path: Path
    spec: ChallengeSpec
    levels: dict[str, L.Level]
    #: level id -> the optimiser spec the challenge sets on it (``optimizer:``)
    pins: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def rules(self) -> Rules:
        return self.spec.rules

    @property
    def hash(self) -> str:
        """The title, the rules and every level's content: what a result is made against.

        The description, the author and the way levels are referred to (id, path or
        inline) do not count; moving a level file does not change it.
        """
        content = {
            "title": self.spec.title,
            "rules": self.spec.rules.model_dump(mode="json"),
            "levels": [level_hash(level) for level in self.levels.values()],
        }
        if self.pins:  # left out when none: a challenge from before pins hashes as it did
            content["optimizers"] = self.pins
        return content_hash(content)

    @property
    def ref(self) -> ChallengeRef:
        return ChallengeRef(title=self.title, hash=self.hash)

    def pin_problem(self, level_id: str, optimizer: str) -> str | None:
        """Why a run with ``optimizer`` breaks the optimiser the challenge sets on the
        level, or None (no pin, or that very optimiser)."""
        pinned = self.pins.get(level_id)
        if pinned is None:
            return None
        try:
            used = parse_optimizer(optimizer)
        except OptimizerError:
            return None  # not an optimiser at all: legal.run_problem says so
        if used == parse_optimizer(pinned):
            return None
        return (
            f"the challenge sets the optimizer on {level_id} to {pinned}: this run used "
            f"{used.spec()}"
        )

    def campaign_ids(self) -> list[tuple[str, str]]:
        """(chapter title, level id) in order, like ``levels.campaign_ids()``."""
        return [(self.title, lid) for lid in self.levels]

    def level(self, level_id: str) -> L.Level:
        try:
            return self.levels[level_id]
        except KeyError:
            known = ", ".join(self.levels)
            raise L.LevelNotFound(
                f"{level_id}: not a level of the challenge {self.title!r} (its levels: {known})"
            ) from None


def load_challenge(path: str | os.PathLike) -> LoadedChallenge:
    """Read and validate a challenge file and its levels; raise LevelError with every fault."""
    path = Path(path)
    try:
        doc = load_yaml_file(path)
    except InputError as exc:
        raise L.LevelError([exc]) from None
    spec = validate_model(ChallengeSpec, doc, "a challenge file")
    errors: list[InputError] = []
    loaded: dict[str, L.Level] = {}
    pins: dict[str, str] = {}
    for i, entry in enumerate(spec.levels):
        loc = ("levels", i)
        pin = None
        try:
            if isinstance(entry, dict) and "level" in entry:
                entry, pin = _entry_with_settings(entry, doc, loc)
                loc = (*loc, "level")
            if isinstance(entry, dict):
                level = L.parse_level(sub_document(doc, loc))
            else:
                level = L.load_level(_entry_path(entry, path, doc, loc))
            if pin is not None:
                level = _pinned(level, pin, spec.rules, doc, ("levels", i, "optimizer"))
        except L.LevelError as exc:
            errors.extend(exc.errors)
            continue
        if level.id in loaded:
            errors.append(doc.error(loc, f"levels: the id {level.id!r} comes twice"))
            continue
        loaded[level.id] = level
        if pin is not None:
            pins[level.id] = level.pinned_optimizer.spec()
    if errors:
        raise L.LevelError(errors)
    return LoadedChallenge(path=path, spec=spec, levels=loaded, pins=pins)


_ENTRY_KEYS = ("level", "optimizer")


def _entry_with_settings(entry: dict, doc, loc) -> tuple[Any, str | None]:
    """A ``{level: ..., optimizer: SPEC}`` entry: the level, and the optimiser it is set to."""
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise L.LevelError(
                [
                    doc.error(
                        (*loc, key),
                        f"levels: {str(key)[:40]!r} is not a key of a level entry with "
                        f"settings (its keys: {', '.join(_ENTRY_KEYS)})",
                    )
                ]
            )
    ref = entry["level"]
    if not isinstance(ref, (str, dict)):
        raise L.LevelError(
            [doc.error((*loc, "level"), "levels: level: a level id, a file or a whole level")]
        )
    pin = entry.get("optimizer")
    if "optimizer" in entry and not isinstance(pin, str):
        raise L.LevelError(
            [
                doc.error(
                    (*loc, "optimizer"),
                    "levels: optimizer: a spec such as sgd or momentum:beta=0.9",
                )
            ]
        )
    return ref, pin


def _pinned(level: L.Level, pin: str, rules: Rules, doc, loc) -> L.Level:
    """The challenge's copy of ``level`` played with optimiser ``pin`` only."""
    try:
        optimizer = parse_optimizer(pin)
    except OptimizerError as exc:
        raise L.LevelError([doc.error(loc, f"levels: optimizer {pin[:60]!r}: {exc}")]) from None
    problem = optimizer_problem(level, pin, rules.lr_changes)
    if problem:
        raise L.LevelError(
            [doc.error(loc, f"levels: optimizer {pin[:60]!r} on {level.id}: {problem}")]
        )
    return pin_optimizer(level, optimizer)


def _entry_path(entry: str, challenge_path: Path, doc, loc) -> Path:
    """A ``levels`` entry: a file beside the challenge (ends in .yaml) or a shipped id."""
    if entry.endswith((".yaml", ".yml")) or "/" in entry or "\\" in entry:
        rel = PurePath(entry)
        if rel.is_absolute() or ".." in rel.parts or "\\" in entry:
            # Keep a challenge and its levels one folder that can be zipped and handed out.
            raise L.LevelError(
                [
                    doc.error(
                        loc,
                        f"levels: {entry!r}: a level file is given relative to the challenge "
                        "file, inside its folder (no leading /, no ..)",
                    )
                ]
            )
        path = challenge_path.parent / rel
        if not path.is_file():
            raise L.LevelError([doc.error(loc, f"levels: no level file {path}")])
        return path
    if _ID.match(entry) and L.shipped_path(entry).is_file():
        return L.shipped_path(entry)
    raise L.LevelError(
        [
            doc.error(
                loc,
                f"levels: no shipped level has the id {entry!r} (see `lrgame levels`; "
                "a file's name ends in .yaml)",
            )
        ]
    )


# -- a player's session ------------------------------------------------------------------


class ChallengeRuleError(Exception):
    """An attempt the challenge's rules do not allow (or a result file that is not this one's)."""


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _iso(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ChallengeSession:
    """One player's way through a challenge; every attempt is saved as it is recorded."""

    def __init__(
        self,
        challenge: LoadedChallenge,
        player: str,
        path: str | os.PathLike,
        *,
        now: Callable[[], _dt.datetime] = _utcnow,
    ):
        self.challenge = challenge
        self.player = check_player(player)
        self.path = Path(path)
        self._now = now
        self.started_at = now().replace(microsecond=0)
        self.attempts: list[AttemptRecord] = []
        #: called after every attempt is saved (a live class sends the file); its answer,
        #: (a line for the player, whether it is good news), is kept in ``note``
        self.on_saved: Callable[[ChallengeSession], tuple[str, bool]] | None = None
        self.note: tuple[str, bool] | None = None

    @classmethod
    def open(
        cls,
        challenge: LoadedChallenge,
        player: str,
        path: str | os.PathLike,
        *,
        now: Callable[[], _dt.datetime] = _utcnow,
    ) -> ChallengeSession:
        """A new session, or the one saved at ``path`` (same player, same challenge)."""
        session = cls(challenge, player, path, now=now)
        if not session.path.exists():
            return session
        try:
            saved = read_result(session.path)
        except ResultError as exc:
            raise ChallengeRuleError(f"{exc.path}: cannot continue it: {exc.reason}") from None
        if saved.player != session.player:
            raise ChallengeRuleError(
                f"{path} holds the results of {saved.player!r}, not {session.player!r}: "
                "choose another result file"
            )
        if saved.challenge is None or saved.challenge.hash != challenge.hash:
            raise ChallengeRuleError(
                f"{path} holds results of another challenge (or of changed levels): "
                "choose another result file"
            )
        session.attempts = list(saved.attempts)
        if saved.started_at:
            try:
                session.started_at = _dt.datetime.fromisoformat(
                    saved.started_at.replace("Z", "+00:00")
                )
            except ValueError:
                raise ChallengeRuleError(f"{path}: started_at is not a time") from None
        return session

    # -- what the rules allow ----------------------------------------------------------
    @property
    def rules(self) -> Rules:
        return self.challenge.rules

    @property
    def lr_changes(self) -> bool:
        """False when the rate is fixed for the whole of each run (the game locks its field)."""
        return self.rules.lr_changes

    def attempts_used(self, level_id: str) -> int:
        return sum(1 for a in self.attempts if a.level == level_id)

    def attempts_left(self, level_id: str) -> int:
        return max(self.rules.attempts - self.attempts_used(level_id), 0)

    def elapsed_seconds(self) -> float:
        return max((self._now() - self.started_at).total_seconds(), 0.0)

    def time_left(self) -> float | None:
        """Seconds left, or None without a time limit."""
        limit = self.rules.time_limit_minutes
        if limit is None:
            return None
        return max(limit * 60 - self.elapsed_seconds(), 0.0)

    def check_can_attempt(self, level_id: str) -> L.Level:
        """The level, if one more attempt at it is allowed now; else ChallengeRuleError."""
        try:
            level = self.challenge.level(level_id)
        except L.LevelNotFound as exc:
            raise ChallengeRuleError(str(exc)) from None
        if self.attempts_left(level_id) == 0:
            raise ChallengeRuleError(
                f"no attempts left on {level_id}: the rules allow {self.rules.attempts}"
            )
        if self.time_left() == 0.0:
            raise ChallengeRuleError(
                f"time is up: the challenge allows {self.rules.time_limit_minutes:g} minutes"
            )
        return level

    # -- recording ----------------------------------------------------------------------
    def trials_before(self, level_id: str) -> int:
        """Runs of the level recorded so far: each is a trial run before the next one."""
        return self.attempts_used(level_id)

    def record_run(self, level_id: str, run: Run, schedule: str = "manual") -> AttemptRecord:
        """Record a run the game played (ended, or abandoned) and save the result file.

        ``schedule`` labels the rates (``legal.label_of``); a run the grader would not
        accept is refused here (the game does not let a player make one)."""
        level = self.check_can_attempt(level_id)
        problem = attempt_problem(
            self.challenge, level, run.set_lrs, schedule, run.optimizer.spec()
        )
        if problem:
            raise ChallengeRuleError(problem)
        record = attempt_from_run(level, run, schedule, self.trials_before(level_id))
        self.attempts.append(record)
        self.save()
        if self.on_saved is not None:
            self.note = self.on_saved(self)
        return record

    def play(
        self,
        level_id: str,
        lrs: list[float],
        schedule: str = "manual",
        optimizer: str | None = None,
    ) -> AttemptRecord:
        """Headless: play ``lrs`` on a level (until the run ends) and record it, with
        ``optimizer`` (by default the one the challenge sets on the level, else sgd)."""
        level = self.check_can_attempt(level_id)
        if optimizer is None:
            optimizer = self.challenge.pins.get(level_id, "sgd")
        return self.record_run(level_id, replay(level, lrs, optimizer), schedule)

    def result(self) -> ResultFile:
        elapsed = self.elapsed_seconds()
        return new_result(
            self.player,
            list(self.attempts),
            self.challenge.ref,
            started_at=_iso(self.started_at),
            elapsed_seconds=round(elapsed, 3) if math.isfinite(elapsed) else None,
        )

    def save(self) -> Path:
        return write_result(self.path, self.result())


def attempt_problem(challenge, level, lrs, label: str, optimizer: str) -> str | None:
    """Why a run could not come from the game on a level of ``challenge`` (None: it could):
    the optimiser the challenge sets on the level, then ``legal.run_problem``."""
    lr_changes = challenge is None or challenge.rules.lr_changes
    if challenge is not None:
        problem = challenge.pin_problem(level.id, optimizer)
        if problem:
            return problem
    return run_problem(level, lrs, label, lr_changes=lr_changes, optimizer=optimizer)


def default_result_path(challenge: LoadedChallenge, player: str) -> Path:
    """``<challenge file's stem>-<player>.json`` in the current folder."""
    slug = re.sub(r"[^\w-]+", "-", player.strip()).strip("-") or "player"
    return Path(f"{challenge.path.stem}-{slug}.json")
