"""Predict, then step: the board of a ``predict: true`` level asks before each step.

``space`` opens the question (``PredictModal``): l, f, r or w for where the parameter
will land (left of the floor, on it, right of it, past the far wall), or a number;
enter answers, escape takes no step. The step is then the engine's, and the answer is
scored against where it landed (``lrgame.judging.predict``); the line under the board keeps
the tally. ``r`` and ``f`` still run without asking.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from ...judging.predict import KEYS, Question, Tally, Verdict, Where, parse_answer, question, score
from .play import PlayScreen


class PredictModal(ModalScreen):
    """The question before a step; dismissed with a Where, a number, or None (no step)."""

    DEFAULT_CSS = """
    PredictModal { align: center middle; background: $background 100%; }
    #predict-box { width: 100%; max-width: 78; height: auto; padding: 0 1;
                   border: round $accent; }
    #predict-box Static { height: auto; margin-bottom: 1; }
    #predict-box #predict-error { color: $text-error; margin-bottom: 0; }
    """
    BINDINGS = [Binding("escape", "no_step", "No step", id="no-step")]

    def __init__(self, q: Question) -> None:
        super().__init__()
        self.q = q

    def compose(self) -> ComposeResult:
        q = self.q
        choices = Text()
        for key, w in KEYS.items():
            choices.append(f"  {key}  ", style="bold")
            choices.append(f"{w.value}{self._range(w)}\n")
        choices.append(f"  or type the {q.name} you think it lands on", style="dim")
        with Vertical(id="predict-box"):
            yield Static(Text("Predict, then step", style="bold"))
            yield Static(q.text())
            yield Static(choices)
            yield Input(placeholder="l, f, r, w or a number, then enter", id="predict-input")
            yield Static(id="predict-error")
        yield Footer(compact=True)

    def _range(self, w: Where) -> str:
        q, n = self.q, self.q.name
        if w is Where.FLOOR:
            return f" ({n} = {q.floor:g}, give or take a hundredth of the way there)"
        if w is Where.WALL:
            return f" ({n} beyond {q.far_wall:g}: higher than you stand now)"
        return ""

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _answered(self, event: Input.Submitted) -> None:
        answer = parse_answer(event.value)
        if answer is None:
            self.query_one("#predict-error", Static).update(
                f"{event.value.strip()[:40]!r} is not l, f, r, w or a number"
            )
            return
        self.dismiss(answer)

    def action_no_step(self) -> None:
        self.dismiss(None)


class PredictPlayScreen(PlayScreen):
    """The play screen of a level that asks for a prediction before each single step."""

    def __init__(self, level, **kw) -> None:
        super().__init__(level, **kw)
        self.tally = Tally()
        self.last: Verdict | None = None

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, Footer):
                yield Static(self._line(), id="predict-line")
            yield widget

    def _line(self) -> Text:
        text = Text(self.tally.text(), style="bold")
        if self.last is not None:
            text.append(f" · {self.last.words}", style="green" if self.last.right else "yellow")
        else:
            text.append(" · space asks where the step will land before it is taken", style="dim")
        return text

    @property
    def asks(self) -> bool:
        """The question is told as x − lr × slope: asked under plain descent only, not
        under an optimiser the player picked (momentum's step is not lr × slope)."""
        return self.run.optimizer.plain

    def action_step(self) -> None:
        if self.running or self.run.over or not self.asks:
            super().action_step()  # stops a run, or says the run is over
            return
        x = float(self.run.params[0])
        q = question(self.landscape, x, self.rate_now())
        self.app.push_screen(PredictModal(q), lambda answer: self._predicted(q, answer))

    def _predicted(self, q: Question, answer) -> None:
        if answer is None:
            self.notify("No step taken: space asks again.")
            return
        before = self.run.iteration
        super().action_step()
        if self.run.iteration != before + 1:
            return
        landed = self.run.current
        self.last = score(q, answer, float(landed.params[0]), float(landed.loss))
        self.tally.add(self.last)
        self.query_one("#predict-line", Static).update(self._line())
