"""Start the Textual game (imported only when the game is asked for)."""

from __future__ import annotations

import sys


def start_game(args) -> int:
    """`lrgame` and `lrgame play LEVEL|FOLDER [--watch]`. A bad level (or pack) is reported
    before any screen opens."""
    level = source = watcher = None
    if getattr(args, "command", None) == "play":
        from ..levels import LevelError, LevelNotFound
        from ..levels.packs import LoadedPack, is_pack, play_target

        try:
            if getattr(args, "watch", False):
                if is_pack(args.level):
                    print(
                        f"lrgame play: {args.level}: --watch follows one level file, "
                        "not a pack folder",
                        file=sys.stderr,
                    )
                    return 2
                watcher, level = _watch(args.level)
            else:
                target = play_target(args.level)
                if isinstance(target, LoadedPack):
                    source = target
                else:
                    level = target
        except LevelNotFound as exc:
            print(f"lrgame play: {exc}", file=sys.stderr)
            return 2
        except LevelError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    from ..ui.app import make_app

    app = make_app(
        level, unlock_all=getattr(args, "unlock_all", False), source=source, watcher=watcher
    )
    app.run()
    return app.return_code or 0


def _watch(ref: str):
    """A watcher on the level file ``ref`` names, and its first good version."""
    from ..levels import resolve
    from ..levels.watch import LevelWatcher

    watcher = LevelWatcher(resolve(ref))
    return watcher, watcher.load()


def start_challenge(session) -> int:
    """`lrgame challenge FILE --player NAME`: play the challenge; every attempt is saved
    in the session's result file as it is recorded."""
    from ..ui.app import make_app

    app = make_app(session=session)
    app.run()
    print(handin_text(session))
    return app.return_code or 0


def handin_text(session) -> str:
    """Where the player's results are, and what to do with them."""
    n = len(session.attempts)
    if n == 0:
        return f"No attempts recorded yet: {session.path} has not been written."
    return (
        f"{n} attempt{'s' if n != 1 else ''} recorded in {session.path.resolve()}\n"
        f"Hand in that file. Run the same command again to go on with the challenge."
    )
