"""The schedule picker: which schedule sets the rate of each step, and its settings.

Shown on levels that offer ``schedules``. ``s`` on the board cycles through the
level's schedules; ``S`` opens the spec (``step:step_size=5,gamma=0.5``) for editing,
checked by ``engine.parse_schedule`` with the error shown inline. A sparkline shows
the rate of every step of the budget, from the base rate, so the player sees the
rate change over the run before taking a step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Sparkline, Static

from ...engine import CONSTANT, Schedule, ScheduleError, parse_schedule
from ...text import num


def planned_rates(
    schedule: Schedule, lr: float, steps: int, lr_max: float = math.inf
) -> np.ndarray:
    """The rate of each step 0 .. steps-1 from base rate ``lr``, held at ``lr_max`` as
    the board holds it (``legal.scheduled_rate``)."""
    base = np.array([lr], dtype=float)
    return np.array([min(float(schedule.rates(base, t)[0]), lr_max) for t in range(steps)])


class SchedulePicker(Horizontal):
    """The schedule in force, its spec (editable), and the rate per step as a sparkline."""

    DEFAULT_CSS = """
    SchedulePicker { height: 1; padding: 0 1; }
    SchedulePicker > Label { padding: 0 1 0 0; }
    SchedulePicker > Input { width: 34; }
    SchedulePicker > Sparkline { width: 1fr; min-width: 8; height: 1; margin: 0 1; }
    SchedulePicker > #schedule-rates { width: auto; color: $text-muted; }
    SchedulePicker > #schedule-message { width: auto; color: $text-error; padding: 0 1; }
    """

    BINDINGS = [Binding("escape", "done", "Done", show=False)]

    @dataclass
    class Chosen(Message):
        """The player chose a schedule (by cycling or by typing a valid spec)."""

        picker: SchedulePicker
        schedule: Schedule

    @dataclass
    class Done(Message):
        """The player left the spec field: focus can go back to the board."""

        picker: SchedulePicker

    def __init__(
        self,
        tools: list[Schedule],
        budget: int,
        *,
        check: Callable[[Schedule], str | None] | None = None,
        lr_max: float = math.inf,
        cursor_blink: bool = True,
        **kw,
    ):
        super().__init__(**kw)
        self.tools = list(tools) or [CONSTANT]
        self.check = check  # why the level does not allow a typed schedule, or None
        self.lr_max = lr_max
        self.budget = budget
        self.schedule = self.tools[0]
        self._blink = cursor_blink
        self._lr = 0.1

    def compose(self) -> ComposeResult:
        yield Label("schedule", id="schedule-label")
        field = Input(self.schedule.spec(), id="schedule-input", compact=True)
        field.cursor_blink = self._blink
        field.tooltip = "s: next schedule · S: type one, e.g. exponential:gamma=0.7"
        yield field
        yield Static("", id="schedule-message")
        yield Sparkline([], id="schedule-sparkline")
        yield Static("", id="schedule-rates")

    @property
    def input(self) -> Input:
        return self.query_one("#schedule-input", Input)

    def cycle(self) -> Schedule:
        """The next of the level's schedules."""
        specs = [t.spec() for t in self.tools]
        i = specs.index(self.schedule.spec()) if self.schedule.spec() in specs else -1
        self._choose(self.tools[(i + 1) % len(self.tools)])
        return self.schedule

    def edit(self) -> None:
        self.input.focus()

    def show(self, lr: float) -> None:
        """Draw the rate of every step of the budget from base rate ``lr``."""
        self._lr = lr
        rates = planned_rates(self.schedule, lr, self.budget, self.lr_max)
        self.query_one("#schedule-sparkline", Sparkline).data = rates.tolist()
        first, last = rates[0], rates[-1]
        words = f"lr {num(first)}" if first == last else f"lr {num(first)} → {num(last)}"
        self.query_one("#schedule-rates", Static).update(words)

    def _choose(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.input.value = schedule.spec()
        self.query_one("#schedule-message", Static).update("")
        self.show(self._lr)
        self.post_message(self.Chosen(self, schedule))

    @on(Input.Submitted, "#schedule-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            schedule = parse_schedule(event.value)
        except ScheduleError as exc:  # too long for the line: the whole of it in a notice
            self.query_one("#schedule-message", Static).update("not a schedule")
            self.notify(str(exc), title="Schedule", severity="warning")
            return
        problem = self.check(schedule) if self.check else None
        if problem:  # too long for the line: the whole reason goes in a notice
            self.query_one("#schedule-message", Static).update("not allowed here")
            self.notify(problem, title="Schedule not allowed", severity="warning")
            return
        self._choose(schedule)
        self.post_message(self.Done(self))

    def action_done(self) -> None:
        self.query_one("#schedule-message", Static).update("")
        self.input.value = self.schedule.spec()
        self.post_message(self.Done(self))
