"""The title screen: the game's name, and the ways in: the campaign, or practice."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

LOGO = """\
█     ████    ████    ███   █   █  █████
█     █   █  █       █   █  ██ ██  █
█     ████   █  ███  █████  █ █ █  ████
█     █  █   █    █  █   █  █   █  █
█████ █   █   ████   █   █  █   █  █████"""

TAGLINE = "lrgame · a game about the learning rate of gradient descent"

PITCH = (
    "Every level is a valley. Pick a learning rate and walk down it, one step of "
    "gradient descent at a time. Too big a rate leaps over the bottom; too small a "
    "rate crawls. Reach the bottom in as few steps as the best constant rate."
)


class TitleScreen(Screen):
    """The first thing the player sees. Light: no levels are loaded to draw it."""

    BINDINGS = [
        Binding("enter", "start", "Start", id="start", tooltip="Open the campaign"),
        Binding("p", "practice", "Practice", id="practice", tooltip="A fresh level from a seed"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            yield Static(LOGO, id="logo")
            yield Static(TAGLINE, id="tagline")
            yield Static(PITCH, id="pitch")
            with Center(), Horizontal(id="title-buttons"):
                yield Button("Start", id="start", variant="primary")
                yield Button("Practice (p)", id="practice")
        yield Footer()

    def on_mount(self) -> None:
        # Load the campaign in the background once the title has painted.
        self.call_after_refresh(self._preload)

    @work(thread=True, exclusive=True, group="preload", exit_on_error=False)
    def _preload(self) -> None:
        self.app.campaign()

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        from .campaign import CampaignScreen

        self.app.push_screen(CampaignScreen())

    @on(Button.Pressed, "#practice")
    def action_practice(self) -> None:
        """A level made from a fresh seed (``lrgame practice``), its streak on the board:
        the way to practice for a player with no command line (``lrgame serve``)."""
        from ...levels.practice import fresh_seed
        from .practice import PracticePlayScreen

        self.app.push_screen(PracticePlayScreen(fresh_seed()))
