"""The learning-rate field: type a rate, press enter; a bad one gets a message, never a crash."""

from __future__ import annotations

import math
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Static

from ...text import num


def parse_lr(text: str, lo: float, hi: float) -> float | tuple[str, str]:
    """The rate in ``text``, or (a short message, a longer explanation) of what is wrong."""
    t = text.strip()
    if not t:
        return "type a rate", "Type a learning rate, e.g. 0.1, .5 or 1e-3, then enter."
    try:
        value = float(t.replace("_", "x"))  # no 1_000: a typo should not pass as a number
    except ValueError:
        return "not a number", f"{t!r} is not a number: try 0.1, .5 or 1e-3."
    if math.isnan(value) or math.isinf(value):
        return "must be finite", f"{t} is not a learning rate: it must be a finite number."
    if value <= 0:
        return "must be above 0", (
            "The learning rate must be above 0: a step moves downhill by lr × slope."
        )
    if not lo <= value <= hi:
        return f"{num(lo)} to {num(hi)}", (
            f"{t} is outside this level's range: rates from {num(lo)} to {num(hi)}."
        )
    return value


class LrField(Horizontal):
    """``lr [ 0.1 ]`` with its range, and a line for what was wrong with the last entry."""

    DEFAULT_CSS = """
    LrField { height: 1; width: 1fr; }
    LrField > Label { padding: 0 1 0 0; }
    LrField > Input { width: 12; }
    LrField > #lr-message { width: 1fr; padding: 0 1; color: $text-error; text-wrap: nowrap; }
    LrField > #lr-range { color: $text-muted; padding: 0 1; width: auto; }
    """

    BINDINGS = [Binding("escape", "done", "Done", show=False)]

    #: The rate in force: the play screen binds it to its own (``data_bind``).
    lr: reactive[float] = reactive(0.1, init=False)

    @dataclass
    class Chosen(Message):
        """The player entered a valid rate."""

        field: LrField
        lr: float

    @dataclass
    class Done(Message):
        """The player left the field (enter or escape): focus can go back to the board."""

        field: LrField

    def __init__(self, lr: float, lo: float, hi: float, *, cursor_blink: bool = True, **kw):
        super().__init__(**kw)
        self.lr, self.lo, self.hi = lr, lo, hi
        self._blink = cursor_blink

    def compose(self) -> ComposeResult:
        yield Label("set lr", id="lr-label")
        field = Input(num(self.lr), id="lr-input", compact=True, select_on_focus=True)
        field.cursor_blink = self._blink
        field.tooltip = "The learning rate: press l, type e.g. 0.1 or 1e-3, then enter"
        yield field
        yield Static(f"{num(self.lo)}–{num(self.hi)}", id="lr-range")
        yield Static("", id="lr-message")

    @property
    def input(self) -> Input:
        return self.query_one("#lr-input", Input)

    def watch_lr(self, lr: float) -> None:
        """Show the rate in force (unless the player is typing one). The field may not
        be composed yet, or already gone with its screen: then there is nothing to show."""
        for field in self.query("#lr-input").results(Input):
            if not field.has_focus:
                field.value = num(lr)

    def edit(self) -> None:
        # focus now, not on a later turn of the loop as ``Widget.focus`` does: with ``l``
        # a priority binding, the keys typed right after it then go to the field
        self.screen.set_focus(self.input)

    def say(self, message: str) -> None:
        """A short message where the range is shown (the range comes back when it clears)."""
        self.query_one("#lr-message", Static).update(message)
        self.query_one("#lr-range").display = not message

    @on(Input.Submitted, "#lr-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = parse_lr(event.value, self.lo, self.hi)
        if isinstance(value, tuple):
            short, long = value
            self.say(short)  # inline, beside the field; the whole story in a notice
            self.notify(long, title="Learning rate", severity="warning")
            return
        self.say("")
        self.lr = value
        self.post_message(self.Chosen(self, value))
        self.post_message(self.Done(self))

    @on(Input.Blurred, "#lr-input")
    def _blurred(self) -> None:
        self.input.value = num(self.lr)

    def action_done(self) -> None:
        self.say("")
        self.input.value = num(self.lr)
        self.post_message(self.Done(self))
