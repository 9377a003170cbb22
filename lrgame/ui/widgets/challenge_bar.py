"""The challenge's line on the board: attempts left, time left, whether the rate is locked,
and the optimiser when the challenge sets it."""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import Static


def clock(seconds: float) -> str:
    """``12:05`` (minutes:seconds), or ``1:02:05`` past an hour."""
    s = max(int(math.ceil(seconds)), 0)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ChallengeBar(Static):
    """``challenge: Week 3 · attempt 1 of 2 · 12:05 left · one rate per run``."""

    DEFAULT_CSS = """
    ChallengeBar { height: 1; padding: 0 1; background: $primary 15%; }
    """

    def show(self, session, level_id: str, *, in_run: bool, locked: bool) -> None:
        used = session.attempts_used(level_id)
        allowed = session.rules.attempts
        text = Text()
        text.append("challenge", style="bold")
        if in_run:
            text.append(f" · attempt {used + 1} of {allowed}")
        else:
            left = session.attempts_left(level_id)
            text.append(f" · {left} of {allowed} attempt{'s' if allowed != 1 else ''} left")
        time_left = session.time_left()
        if time_left is not None:
            text.append(" · ")
            if time_left > 0:
                style = "bold red" if time_left < 60 else ""
                text.append(f"{clock(time_left)} left", style=style)
            else:
                text.append("time is up", style="bold red")
        pinned = session.challenge.pins.get(level_id)
        if pinned is not None:  # the challenge sets the optimiser: no picker on the board
            text.append(f" · {pinned} set", style="italic")
        if locked:
            text.append(" · rate locked for this run", style="italic")
        elif not session.lr_changes:
            text.append(" · one rate per run", style="italic")
        text.append(" · no undo", style="dim")
        self.update(text)
