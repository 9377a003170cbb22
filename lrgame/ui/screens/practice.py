"""The practice screen: a generated level's board, with the streak under it.

The first finished run of each practice level counts: cleared at par (★★★) adds one
to the streak, anything else ends it; a run with the preview on is practice even
here, and does not win. ``n`` (or Next on the result) opens the next seed's level.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from ...levels.practice import Streak, generate, read_streak, record_run
from .play import PlayScreen


class StreakBar(Static):
    """``practice · seed 42 · streak 3 (best 5) · n: the next level``."""

    DEFAULT_CSS = "StreakBar { height: auto; max-height: 2; padding: 0 1; }"

    def show(self, seed: int, streak: Streak, note: str = "") -> None:
        text = Text(f"practice · seed {seed} · ", style="bold")
        text.append(f"streak {streak.now}", style="bold yellow")
        text.append(f" (best {streak.best})")
        text.append(f" · {note}" if note else " · n: the next level", style="dim")
        self.update(text)


class PracticePlayScreen(PlayScreen):
    """The play screen of ``lrgame practice``: one seed's level."""

    BINDINGS = [
        Binding("n", "next_practice", "Next", id="next-practice", tooltip="The next seed's level"),
    ]

    def __init__(self, seed: int, level=None, **kw) -> None:
        self.seed = seed
        super().__init__(level if level is not None else generate(seed).level, **kw)
        self.counted = False  # the first finished run decides the streak

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, Footer):
                yield StreakBar(id="streak-bar")
            yield widget

    def on_mount(self) -> None:  # PlayScreen.on_mount runs too (Textual calls both)
        self._show_streak(read_streak(self.app.store))

    def _show_streak(self, streak: Streak, note: str = "") -> None:
        self.query_one(StreakBar).show(self.seed, streak, note)

    def _show_result(self, result, n_steps: int, hidden: str | None = "") -> None:
        if not self.counted and self.run.over and len(self.run.steps) == n_steps:
            self.counted = True
            won = result.cleared and result.stars == 3 and not result.explored
            streak = record_run(self.app.store, won)
            self._show_streak(
                streak, "cleared at par: +1" if won else "not at par: the streak starts again"
            )
        super()._show_result(result, n_steps, hidden)

    OWN_NEXT = True

    def open_next(self) -> None:
        self.action_next_practice()

    def action_next_practice(self) -> None:
        from .result import ResultScreen

        self._stop()
        if isinstance(self.app.screen, ResultScreen):
            self.app.pop_screen()
        self.app.switch_screen(PracticePlayScreen(self.seed + 1))
