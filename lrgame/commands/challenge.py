"""`lrgame challenge FILE`, and what `lrgame run` does with ``--challenge`` and ``--replay``."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import levels as L
from ..classroom.challenge import (
    ChallengeRuleError,
    ChallengeSession,
    Rules,
    attempt_problem,
    default_result_path,
    load_challenge,
)
from ..engine import Run
from ..errors import UsageError, printable
from ..judging.replay import attempt_from_run, check_player, new_result, write_result
from ..text import num


def _rules_text(rules: Rules) -> str:
    parts = [
        "the rate may change during a run" if rules.lr_changes else "one rate for a whole run",
        f"{rules.attempts} attempt{'s' if rules.attempts != 1 else ''} per level",
    ]
    if rules.time_limit_minutes is not None:
        parts.append(f"{rules.time_limit_minutes:g} minutes")
    return ", ".join(parts)


def cmd_challenge(args) -> int:
    """`lrgame challenge FILE`: check and summarise it; with --player, play it in the game."""
    challenge = load_challenge(args.file)
    if not args.player:
        by = f" by {challenge.spec.author}" if challenge.spec.author else ""
        name = printable(args.file)  # its name may hold escapes: shown, not sent
        print(f"{name}: ok — {challenge.title!r}{by}, {len(challenge.levels)} levels")
        print(f"  rules: {_rules_text(challenge.rules)}")
        for i, (lid, level) in enumerate(challenge.levels.items(), 1):
            par = level.compute_par()
            print(
                f"  {i:>2}. {lid:<24} par {par.par if par.par is not None else '-'}, "
                f"best lr {num(par.best_lr)}  {level.title}"
            )
            if lid in challenge.pins:
                print(f"      {'':<24} played with {challenge.pins[lid]} only")
        print(f"  hash {challenge.hash}")
        return 0
    try:
        player = check_player(args.player)
    except ValueError as exc:
        raise UsageError(f"--player: {exc}") from None
    out = Path(args.out) if args.out else default_result_path(challenge, player)
    try:
        session = ChallengeSession.open(challenge, player, out)
    except ChallengeRuleError as exc:
        raise UsageError(str(exc)) from None
    try:
        from .play import start_challenge  # the game's challenge mode (the UI branch)
    except ImportError:
        print(
            "lrgame challenge: the game cannot play challenges yet. Record attempts with\n"
            f"  lrgame run LEVEL --lr LR --challenge {args.file} --player {player!r} "
            f"--replay {out}",
            file=sys.stderr,
        )
        return 1
    return start_challenge(session)


def challenge_level(args) -> L.Level:
    """`lrgame run LEVEL --challenge FILE`: LEVEL is the id of one of the challenge's levels."""
    challenge = load_challenge(args.challenge)
    args._challenge = challenge  # loaded once, used again by save_run_replay
    try:
        return challenge.level(args.level)
    except L.LevelNotFound as exc:
        raise UsageError(str(exc)) from None


def save_run_replay(args, level: L.Level, run: Run, schedule) -> Path:
    """`lrgame run ... --replay PATH`: write the run as a result file.

    Alone, the file holds this one run (an existing file is replaced). With
    ``--challenge``, the run is one attempt, added to the player's result file under
    the challenge's rules (a new file is started if there is none).
    """
    if getattr(args, "max_iterations", None) is not None:
        raise UsageError("--replay records a run on the level's own budget: drop --max-iterations")
    challenge = getattr(args, "_challenge", None)
    problem = attempt_problem(challenge, level, run.set_lrs, schedule.spec(), run.optimizer.spec())
    if problem:
        raise UsageError(f"not recorded: {problem} (a grader would reject the replay)")
    spec = schedule.spec()
    try:
        player = check_player(args.player or _default_player())
    except ValueError as exc:
        raise UsageError(f"--player: {exc}") from None
    if challenge is None:
        result = new_result(player, [attempt_from_run(level, run, spec)])
        path = write_result(args.replay, result)
        print(f"replay written to {path}", file=sys.stderr)
        return path
    try:
        session = ChallengeSession.open(challenge, player, args.replay)
        record = session.record_run(level.id, run, spec)
    except ChallengeRuleError as exc:
        raise UsageError(f"not recorded: {exc}") from None
    print(
        f"attempt {session.attempts_used(level.id)} of {challenge.rules.attempts} on "
        f"{level.id} ({record.outcome}, {record.score} points) added to {session.path}",
        file=sys.stderr,
    )
    return session.path


def _default_player() -> str:
    import getpass

    try:
        name = getpass.getuser()
        check_player(name)
        return name
    except Exception:  # no user name, or one a result file cannot hold
        return "player"
