"""The quiz over time: the child-and-dogs result's chart.

The child's loss is how many quiz questions it gets wrong, a small whole number: on
the race chart's log axis it meant nothing. Here each quiz animal is a row and each
moment a column (before the new dogs, then after each one), marked ✓ (right) or ✗
(wrong), with what the child says, so the player sees which answer each dog changed.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static


def quiz_over_time(level, run) -> list[list]:
    """The quiz answers (``dogs.Answer``) after each step of ``run``: entry k, step k."""
    return [level.answers_at(step) for step in run.steps]


class QuizChart(Static):
    """Rows: the quiz animals; columns: before the new dogs, then after each dog."""

    DEFAULT_CSS = """
    QuizChart { height: 1fr; min-height: 5; padding: 0 1; }
    """

    def __init__(self, level, run, **kw) -> None:
        super().__init__(**kw)
        self.history = quiz_over_time(level, run)
        self.update(self._table())

    def _table(self) -> Table:
        table = Table(
            title="the quiz over time: ✓ right, ✗ wrong",
            title_style="bold",
            box=None,
            pad_edge=False,
            expand=False,
        )
        table.add_column("asked about")
        steps = len(self.history)
        for k in range(steps):
            table.add_column("before" if k == 0 else f"dog {k}", justify="center")
        if not self.history:
            return table
        for i, first in enumerate(self.history[0]):
            cells = []
            for answers in self.history:
                a = answers[i]
                says = "a dog" if a.says_dog else "not a dog"
                mark, style = ("✓", "green") if a.right else ("✗", "bold red")
                cells.append(Text(f"{mark} {says}", style=style))
            table.add_row(Text(first.name), *cells)
        wrong = [sum(not a.right for a in answers) for answers in self.history]
        table.add_row(
            Text("wrong answers", style="dim"), *[Text(str(w), style="dim") for w in wrong]
        )
        return table
