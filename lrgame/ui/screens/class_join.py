"""A live class in a browser (``lrgame serve --class``): the game asks for the player's
name first, claims it in the class, then plays the class's challenge."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static


class ClassJoinScreen(Screen):
    """Your name, then the challenge. ``claim(name)`` returns a ChallengeSession or
    raises ValueError with the reason (a name taken, a class that does not answer)."""

    DEFAULT_CSS = """
    ClassJoinScreen Vertical { width: 64; height: auto; margin: 2 4; }
    ClassJoinScreen #why { color: $error; margin-top: 1; }
    """

    def __init__(self, title: str, claim) -> None:
        super().__init__()
        self.class_title = title
        self.claim = claim

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(
                f"[b]{self.class_title}[/b]\n\nA live class. Type your name and press enter.",
                markup=True,
            )
            yield Input(placeholder="your name", max_length=40, id="name")
            yield Static("", id="why")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if name:
            self.query_one("#why", Static).update("Joining…")
            self._claim(name)

    @work(thread=True, exclusive=True)
    def _claim(self, name: str) -> None:
        try:
            session = self.claim(name)
        except ValueError as exc:
            self.app.call_from_thread(self.query_one("#why", Static).update, str(exc))
            return
        self.app.call_from_thread(self.app.start_session, session)
