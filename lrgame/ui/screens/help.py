"""The help screen: how to play, and what the learning rate does (Markdown)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

HELP = Path(__file__).with_name("help.md")


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Close", id="close"),
        Binding("question_mark", "app.pop_screen", "Close", key_display="?", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP.read_text(encoding="utf-8"))
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
