"""Game modes: how a level is played, whatever its kind.

The play screen (``ui.screens.play.PlayScreen`` or a kind's view built on it) is given
one rules object and, optionally, a watch: free play (``FreePlay``, the default), a
challenge's rules (``challenge.ChallengeRules``), and ``watch.Watch`` for
``lrgame play FILE --watch``. A mode is an object, not a subclass of the screen, so
any kind plays in any mode: the screen asks its modes at a few declared points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding
from textual.widget import Widget


class Mode:
    """What every mode may add to a play screen: keys, a bar above the footer, and work
    when the screen is mounted and after it redraws the board."""

    #: Keys this mode binds on the screen, replacing the screen's own for those keys.
    BINDINGS: ClassVar[list[Binding]] = []

    def __init__(self) -> None:
        self.screen = None

    def attach(self, screen) -> None:
        """Called once by the play screen it belongs to, before it is composed."""
        self.screen = screen

    def bar(self) -> Widget | None:
        """A line above the footer (the challenge's or the watched file's), or None."""
        return None

    def mounted(self) -> None:
        """The screen is mounted and its board drawn."""

    def refreshed(self) -> None:
        """The screen has redrawn its board after a change to the run."""


class FreePlay(Mode):
    """The rules of free play (the campaign, a pack, a level file): anything goes."""

    #: The player may pick a schedule (it changes the rate during a run).
    schedules_allowed = True

    def optimizer_tools(self, level) -> list:
        """The optimisers the player may pick on ``level`` under these rules (sgd first)."""
        return level.optimizer_tools()

    @property
    def lr_locked(self) -> bool:
        """The rate may not change now; ``refuse_lr`` says why."""
        return False

    def refuse_lr(self) -> None:
        """Tell the player why the rate is locked."""

    def refusal(self, action: str) -> str | None:
        """Why ``action`` ("undo", "preview") is off under these rules, or None."""
        return None

    def may_start(self) -> bool:
        """Before a run's first step (or any step): may the player step now?"""
        return True

    def stepping(self) -> None:
        """A step of the run is about to be taken at the screen's rate."""

    def new_run(self) -> None:
        """The run has been reset to its start."""

    def leave(self, what: str, then: Callable[[], object]) -> None:
        """The player asks to ``what`` ("start again", "leave this level", "quit"): do
        ``then`` now, or after asking, or not at all."""
        then()

    def finished(self) -> None:
        """The run has ended (before it is judged)."""

    def unmounted(self) -> None:
        """The screen has gone."""

    def par_rate_hidden(self, result) -> str | None:
        """Why the result may not name the rate that reaches par yet (None: it may).
        Called in the judging worker."""
        from ...judging.results import par_rate_hidden

        return par_rate_hidden(self.screen.level, result)
