"""Giving up a run under way counts as an attempt in a challenge: ask first."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmAbandon(ModalScreen[bool]):
    """Giving up a run under way counts as an attempt: ask first."""

    CSS_PATH = "challenge.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Give it up"),
        Binding("n,escape", "answer(False)", "Keep playing"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="abandon-box"):
            yield Static(self.message, id="abandon-text")
            with Horizontal(id="abandon-buttons"):
                yield Button("Give it up (y)", id="yes", variant="warning")
                yield Button("Keep playing (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
