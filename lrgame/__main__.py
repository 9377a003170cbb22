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

    s = sub.add_parser(
        "play", help="play one level (a shipped id or a YAML file), or a level pack (a folder)"
    )
    s.add_argument("level", metavar="LEVEL")
    s.add_argument(
        "--watch", action="store_true", help="reload the level file whenever it is saved"
    )

    s = sub.add_parser("levels", help="list the shipped levels in campaign order")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("run", help="one run of descent on a level, printed as a step table")
    s.add_argument("level")
    s.add_argument("--lr", required=True, help="the (base) learning rate, e.g. 0.1 or 1e-3")
    s.add_argument("--schedule", help="e.g. step:step_size=5,gamma=0.5 (default constant)")
    s.add_argument("--optimizer", help="e.g. momentum:beta=0.9, adam (default sgd)")
    s.add_argument("--max-iterations", type=int, help="override the level's budget")
    s.add_argument("--json", action="store_true")
    s.add_argument("--replay", metavar="PATH", help="write the run as a result file for grading")
    s.add_argument("--player", help="the name in the result file (default: your user name)")
    s.add_argument(
        "--challenge", metavar="FILE", help="LEVEL is this challenge's; add the run as an attempt"
    )

    s = sub.add_parser("sweep", help="one run per constant learning rate, charted")
    s.add_argument("level")
    s.add_argument("--min", help="lowest rate (default: the level's lr.min)")
    s.add_argument("--max", help="highest rate (default: the level's lr.max)")
    s.add_argument("--points", type=int, default=200)
    s.add_argument("--optimizer", help="e.g. momentum:beta=0.9, adam (default sgd)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser(
        "range-test",
        help="one run with a rate rising every step: where does the loss fall fastest?",
    )
    s.add_argument("level")
    s.add_argument("--min", help="first rate (default: the level's range_test or lr.min)")
    s.add_argument("--max", help="last rate (default: the level's range_test or lr.max)")
    s.add_argument("--steps", type=int, help="steps from min to max (default 100)")
    s.add_argument("--optimizer", help="e.g. momentum:beta=0.9, adam (default sgd)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser(
        "practice", help="a fresh level made from a seed (the same seed, the same level)"
    )
    s.add_argument("--seed", type=int, help="which level (default: a new one, shown)")
    s.add_argument("--yaml", action="store_true", help="print the level file instead of playing")

    s = sub.add_parser("validate", help="check level files (default: every shipped level)")
    s.add_argument("paths", nargs="*", help="level files or pack folders")
    s.add_argument("--chart", action="store_true", help="charts for every level, packs too")
    s.add_argument("--quiet", action="store_true", help="one line per level, no charts")

    s = sub.add_parser("export", help="a level's start, goal and data, to reproduce it elsewhere")
    s.add_argument("level")
    s.add_argument("--json", action="store_true")

    _add_authoring_commands(sub)
    return p


def _add_authoring_commands(sub) -> None:
    """Authoring and classroom commands (lrgame/authoring.py, challenge.py, grade.py, serve.py)."""
    s = sub.add_parser("new", help="write a commented starting level NAME.yaml")
    s.add_argument("name", help="the level's id, e.g. my-level")
    s.add_argument("--dir", default=".", help="the folder to write it in (default: here)")
    s.add_argument(
        "--schema", help="the $schema reference of its first line (default: the installed file)"
    )

    s = sub.add_parser("schema", help="print the JSON Schema of level files (or packs, challenges)")
    s.add_argument("format", nargs="?", default="level", choices=["level", "pack", "challenge"])

    s = sub.add_parser("challenge", help="check a classroom challenge; with --player, play it")
    s.add_argument("file")
    s.add_argument("--player", help="your name, as the result file records it")
    s.add_argument("--out", help="the result file (default: CHALLENGE-PLAYER.json here)")

    s = sub.add_parser("grade", help="re-simulate result files and print a leaderboard")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--challenge", metavar="FILE", help="grade against this challenge")
    s.add_argument(
        "--level", action="append", metavar="LEVEL", help="a level file replays may use (repeat)"
    )
    s.add_argument("--json", action="store_true")
    s.add_argument("--csv", action="store_true")

    s = sub.add_parser("serve", help="serve the game to browsers (one game per visitor)")
    s.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1: this machine only")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--public-url", help="the address browsers use, e.g. http://10.0.0.5:8000")
    s.add_argument("--class", dest="class_url", metavar="URL", help="visitors join this live class")
    s.add_argument("--code", help="the live class's code (with --class)")
    _add_class_commands(sub)


def _add_class_commands(sub) -> None:
    """A live class (lrgame/classroom/): the teacher's server and board, the students' client."""
    s = sub.add_parser("class", help="a live class: start its server, see its board, export grades")
    cls = s.add_subparsers(dest="class_command", metavar="ACTION", required=True)
    c = cls.add_parser("start", help="run the class server for one challenge")
    c.add_argument("challenge", metavar="CHALLENGE")
    c.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1: this machine only")
    c.add_argument("--port", type=int, default=8100, help="default 8100; 0: any free port")
    c.add_argument("--dir", help="the class folder (default: class-CHALLENGE here)")
    c.add_argument("--code", help="the class code (default: kept from the folder, or made up)")
    c.add_argument(
        "--board-key",
        help="the teacher's key to the board (default: kept from the folder, or made up)",
    )
    c = cls.add_parser("board", help="the teacher's board of a running class")
    c.add_argument("url", metavar="URL")
    c.add_argument("--key", help="the board key `lrgame class start` printed (or ?key= in URL)")
    c = cls.add_parser("export", help="the grades of a class folder")
    c.add_argument("dir", metavar="DIR")
    c.add_argument("--csv", action="store_true", help="as CSV (the default)")
    c.add_argument("--json", action="store_true")

    s = sub.add_parser("join", help="join a live class: play its challenge, each attempt sent")
    s.add_argument("url", metavar="URL")
    s.add_argument("--player", help="your name (default: the game asks)")
    s.add_argument("--code", help="the class code (or ?code= in URL)")

    s = sub.add_parser("submit", help="send a result file to a live class")
    s.add_argument("file", metavar="RESULT_FILE")
    s.add_argument("--to", required=True, metavar="URL")
    s.add_argument("--code", help="the class code (or ?code= in URL)")


#: Each command's module (in ``lrgame``) and the function that runs it. A command
#: imports its module when it runs: a command pays for its own imports only.
COMMANDS = {
    "levels": "commands.levels:cmd_levels",
    "run": "commands.run:cmd_run",
    "sweep": "commands.sweep:cmd_sweep",
    "validate": "commands.validate:cmd_validate",
    "range-test": "commands.range_test:cmd_range_test",
    "new": "commands.new:cmd_new",
    "practice": "commands.practice:cmd_practice",
    "schema": "commands.schema:cmd_schema",
    "export": "commands.export:cmd_export",
    "challenge": "commands.challenge:cmd_challenge",
    "grade": "commands.grade:cmd_grade",
    "serve": "serve:cmd_serve",
    "class": "commands.classroom:run",
    "join": "commands.classroom:run",
    "submit": "commands.classroom:run",
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "play"):
        from .commands.play import start_game

        return start_game(args)
    import importlib

    from .errors import LevelError, UsageError

    module, _, name = COMMANDS[args.command].partition(":")
    handler = getattr(importlib.import_module(f".{module}", __package__), name)
    try:
        return handler(args)
    except UsageError as exc:
        print(f"lrgame {args.command}: {exc}", file=sys.stderr)
        return 2
    except LevelError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except MemoryError:  # a backstop: every command's memory is bounded (README)
        print(f"lrgame {args.command}: out of memory", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
