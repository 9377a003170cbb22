"""Result files: a player's attempts, as replays the grader can re-simulate exactly.

A result file is JSON::

    {
      "format": "lrgame-result/1",
      "written_by": "lrgame 0.1.0",
      "player": "ada",
      "challenge": {"title": "Week 3", "hash": "sha256:..."},   (null for a lone run)
      "started_at": "2025-03-04T09:15:00Z",                     (optional)
      "elapsed_seconds": 312.5,                                 (optional)
      "attempts": [
        {"level": "x-squared", "level_hash": "sha256:...", "schedule": "constant",
         "lrs": [0.5], "outcome": "cleared", "iterations": 1, "final_loss": 0.0,
         "stars": 3, "score": 1000}
      ]
    }

``lrs`` holds the rate of every step, written with ``repr`` so it reads back to the
same float: with the level's content (``level_hash``, see ``fileformat.level_hash``)
they decide everything else, which the grader recomputes. ``schedule`` says where
the rates came from: ``constant``, the spec of the one schedule the whole run used,
or ``manual`` (changed during the run); ``legal.run_problem`` checks that the rates
are ones the game allows under that label. ``optimizer`` (``sgd`` when absent) is the
spec of the optimiser the run used, which the grader re-simulates; under the
hypergradient, ``lrs`` holds the rate the player set (where its own rate started).

Result files are untrusted: ``read_result`` refuses anything larger than
``MAX_RESULT_BYTES``, not UTF-8, not JSON, nested, duplicated, non-finite or off
the format, with one ``ResultError`` whose text is a single line.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import __version__
from .. import levels as L
from ..engine import Run
from ..fileformat import level_hash, read_capped
from ..names import mixed_scripts, normal_form
from ..yamlsafe import InputError, has_control
from .verdict import verdict

FORMAT = "lrgame-result/1"
#: Result files above this size are refused unread (a replay of 100,000 steps is ~2 MB).
MAX_RESULT_BYTES = 4_000_000
MAX_ATTEMPTS = 1000

# A letter or digit first (no spreadsheet formulas, no control or bidi characters
# to play tricks on the teacher's terminal), then letters, digits, space, . ' - _
PLAYER_PATTERN = r"^[^\W_][\w .'-]{0,39}$"
_PLAYER = re.compile(PLAYER_PATTERN)
HASH_PATTERN = r"^sha256:[0-9a-f]{64}$"

#: A schedule may bring the rate down to 0 (cosine at t_max): a step that does not move.
Rate = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True, ge=0, le=L.MAX_ITERATIONS_CAP)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttemptRecord(_Record):
    """One run of one level: the rates played, and what the player's game said came of them."""

    level: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    level_hash: Annotated[str, Field(pattern=HASH_PATTERN)]
    schedule: Annotated[str, Field(min_length=1, max_length=200)] = "manual"
    optimizer: Annotated[str, Field(min_length=1, max_length=200)] = "sgd"
    lrs: Annotated[list[Rate], Field(max_length=L.MAX_ITERATIONS_CAP)]
    outcome: Literal["cleared", "diverged", "out_of_budget", "abandoned"]
    iterations: Count
    final_loss: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None
    stars: Annotated[int, Field(strict=True, ge=0, le=3)]
    score: Annotated[int, Field(strict=True, ge=0, le=10**9)]


class ChallengeRef(_Record):
    title: Annotated[str, Field(min_length=1, max_length=80)]
    hash: Annotated[str, Field(pattern=HASH_PATTERN)]


class ResultFile(_Record):
    """A player's result file."""

    format: Literal["lrgame-result/1"]
    written_by: Annotated[str, Field(max_length=100)] = ""
    player: Annotated[str, Field(pattern=PLAYER_PATTERN)]
    challenge: ChallengeRef | None = None
    started_at: Annotated[str, Field(max_length=40)] | None = None
    elapsed_seconds: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)] | None = None
    attempts: Annotated[list[AttemptRecord], Field(max_length=MAX_ATTEMPTS)]


class ResultError(Exception):
    """A result file that cannot be accepted; ``str()`` is ``PATH: rejected: reason``."""

    def __init__(self, path: str, reason: str):
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: rejected: {self.reason}"


def check_player(name: str) -> str:
    """The player's name in its normal form (``names.normal_form``: NFKC, single spaces),
    or ValueError saying what a name may hold."""
    name = normal_form(name)
    if not _PLAYER.match(name):
        raise ValueError(
            f"player name {name[:40]!r} must start with a letter or digit and hold at most 40 "
            "letters, digits, spaces and . ' - _"
        )
    mixed = mixed_scripts(name)
    if mixed:
        raise ValueError(f"player name: {mixed}")
    return name


def player_problem(name: str) -> str | None:
    """Why a result file's player name is not one the game writes, or None."""
    if normal_form(name) != name:
        return (
            f"player name {name!a} is not written as the game writes names (the game "
            f"writes {normal_form(name)!a}: NFKC, single spaces)"
        )
    mixed = mixed_scripts(name)
    return f"player name: {mixed}" if mixed else None


# -- making records ---------------------------------------------------------------------


def new_run(level: L.Level, optimizer: str = "sgd") -> Run:
    """A fresh run of the level, as ``lrgame run`` and the game make it: the engine's
    ``Run``, or the kind's own run when it has one (``level.new_run(goal)``), under the
    optimiser with that spec."""
    from ..engine.optimizers import parse_optimizer

    return level.new_run(level.engine_goal, optimizer=parse_optimizer(optimizer))


def attempt_from_run(
    level: L.Level, run: Run, schedule: str = "manual", trials: int = 0
) -> AttemptRecord:
    """The record of a run (finished, or abandoned when it has not ended), after
    ``trials`` earlier runs of the level (they cost points on a level with trials)."""
    judged = verdict(level, run, trials)
    outcome, n_stars, points = judged.outcome, judged.stars, judged.score
    loss = run.loss
    return AttemptRecord(
        level=level.id,
        level_hash=level_hash(level),
        schedule=schedule,
        optimizer=run.optimizer.spec(),
        lrs=[float(x) for x in run.set_lrs],
        outcome=outcome,
        iterations=run.iteration,
        final_loss=loss if math.isfinite(loss) else None,
        stars=n_stars,
        score=points,
    )


def replay(level: L.Level, lrs: list[float], optimizer: str = "sgd") -> Run:
    """Re-run ``lrs`` on ``level`` under ``optimizer``, step by step, stopping where the
    run ends."""
    run = new_run(level, optimizer)
    for lr in lrs:
        if run.over:
            break
        run.step(lr)
    return run


def now_utc() -> str:
    return (
        _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )


def new_result(
    player: str, attempts: list[AttemptRecord], challenge: ChallengeRef | None = None, **extra
) -> ResultFile:
    return ResultFile(
        format=FORMAT,
        written_by=f"lrgame {__version__}",
        player=check_player(player),
        challenge=challenge,
        attempts=attempts,
        **extra,
    )


def dumps_result(result: ResultFile) -> str:
    """The file's text. json writes floats with repr, so every rate reads back exactly."""
    return json.dumps(result.model_dump(mode="python"), indent=2, allow_nan=False) + "\n"


def write_result(path: str | os.PathLike, result: ResultFile) -> Path:
    """Write atomically: a crash mid-write leaves the old file or the new, never half of one."""
    return write_atomic(path, dumps_result(result))


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path``: the old file or the new one survives a crash, never half."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


# -- reading untrusted files --------------------------------------------------------------


def read_result(path: str | os.PathLike) -> ResultFile:
    """Read and check a result file's form (not its claims); raise ResultError."""
    name = os.fsdecode(path)
    raw = _read_capped(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResultError(name, "broken file: not UTF-8 text") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except _Refused as exc:
        raise ResultError(name, f"broken file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ResultError(name, f"broken file: not JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise ResultError(name, "broken file: nested too deeply") from None
    except ValueError:  # Python refuses to read an integer of over 4,300 digits
        raise ResultError(name, "broken file: a number with too many digits") from None
    except MemoryError:
        raise ResultError(name, "broken file: too large to read") from None
    if not isinstance(data, dict):
        raise ResultError(name, "broken file: not an lrgame result (expected a JSON object)")
    if data.get("format") != FORMAT:
        found = data.get("format")
        what = "no format" if found is None else f"format {_short(repr(found))}"
        raise ResultError(
            name, f"broken file: not an lrgame result file ({what}; expected {FORMAT!r})"
        )
    try:
        return ResultFile.model_validate(data)
    except ValidationError as exc:
        raise ResultError(name, f"broken file: {_first_fault(exc)}") from None


def _read_capped(name: str) -> bytes:
    try:
        raw = read_capped(name, MAX_RESULT_BYTES)
    except InputError as exc:
        raise ResultError(name, exc.message) from None
    if len(raw) > MAX_RESULT_BYTES:
        raise ResultError(name, f"file is too large (over {MAX_RESULT_BYTES // 1_000_000} MB)")
    return raw


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {_short(repr(key))}")
        if isinstance(value, str) and has_control(value):  # the game writes none: forged
            raise _Refused(f"{_short(repr(key))} holds a control character or terminal escape")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise _Refused(f"{name} is not a number a result may hold")


def _first_fault(exc: ValidationError) -> str:
    err = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in err["loc"]) or "the file"
    msg = err["msg"].lower()
    if err["type"] == "extra_forbidden":
        return f"unknown key {_short(repr(str(err['loc'][-1])))}" + (
            f" in {where.rsplit('.', 1)[0]}" if len(err["loc"]) > 1 else ""
        )
    if err["type"] == "string_pattern_mismatch":  # say what is allowed, not the regex
        msg = {
            "player": "a name starts with a letter or digit and holds at most 40 letters, "
            "digits, spaces and . ' - _",
            "level": "a level id is lowercase letters, digits and dashes",
        }.get(str(err["loc"][-1]), "not a sha256: content hash")
    return f"{where}: {_short(msg, 120)}" + (
        f" (and {exc.error_count() - 1} more faults)" if exc.error_count() > 1 else ""
    )


def _short(text: str, limit: int = 60) -> str:
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= limit else text[: limit - 3] + "..."
