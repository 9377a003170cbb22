"""`lrgame`: the game, and its headless commands."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lrgame",
        description="A terminal game that teaches the learning rate of gradient descent.",
    )
    p.add_argument("--version", action="version", version=f"lrgame {__version__}")
    p.add_argument("--unlock-all", action="store_true", help="open every level of the campaign")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("play", help="play one level (a shipped id or a YAML file)")
    s.add_argument("level")

    s = sub.add_parser("levels", help="list the shipped levels in campaign order")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("run", help="one run of descent on a level, printed as a step table")
    s.add_argument("level")
    s.add_argument("--lr", required=True, help="the (base) learning rate, e.g. 0.1 or 1e-3")
    s.add_argument("--schedule", help="e.g. step:step_size=5,gamma=0.5 (default constant)")
    s.add_argument("--max-iterations", type=int, help="override the level's budget")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("sweep", help="one run per constant learning rate, charted")
    s.add_argument("level")
    s.add_argument("--min", help="lowest rate (default: the level's lr.min)")
    s.add_argument("--max", help="highest rate (default: the level's lr.max)")
    s.add_argument("--points", type=int, default=200)
    s.add_argument("--json", action="store_true")

    s = sub.add_parser(
        "range-test",
        help="one run with a rate rising every step: where does the loss fall fastest?",
    )
    s.add_argument("level")
    s.add_argument("--min", help="first rate (default: the level's range_test or lr.min)")
    s.add_argument("--max", help="last rate (default: the level's range_test or lr.max)")
    s.add_argument("--steps", type=int, help="steps from min to max (default 100)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("validate", help="check level files (default: every shipped level)")
    s.add_argument("paths", nargs="*")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "play"):
        from .game import start_game

        return start_game(args)
    from . import cli
    from .levels import LevelError

    handler = {
        "levels": cli.cmd_levels,
        "run": cli.cmd_run,
        "sweep": cli.cmd_sweep,
        "validate": cli.cmd_validate,
        "range-test": cli.cmd_range_test,
    }[args.command]
    try:
        return handler(args)
    except cli.UsageError as exc:
        print(f"lrgame {args.command}: {exc}", file=sys.stderr)
        return 2
    except LevelError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
