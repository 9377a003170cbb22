"""Start the Textual game (imported only when the game is asked for)."""

from __future__ import annotations

import sys


def start_game(args) -> int:
    print(
        "lrgame: the game screen is not built yet; try `lrgame run x-squared --lr 0.1`.",
        file=sys.stderr,
    )
    return 1
