"""Start the Textual game (imported only when the game is asked for)."""

from __future__ import annotations

import sys


def start_game(args) -> int:
    """`lrgame` and `lrgame play LEVEL`. A bad level is reported before any screen opens."""
    level = None
    if getattr(args, "command", None) == "play":
        from .levels import LevelError, LevelNotFound, find_level

        try:
            level = find_level(args.level)
        except LevelNotFound as exc:
            print(f"lrgame play: {exc}", file=sys.stderr)
            return 2
        except LevelError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    from .ui.app import make_app

    app = make_app(level, unlock_all=getattr(args, "unlock_all", False))
    app.run()
    return app.return_code or 0
