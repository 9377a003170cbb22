"""The network kind's screens: the board with the decision boundary, and the result that
lays the player's runs over one another.

The board is ``PlayScreen`` with its landscape chart swapped for ``NetworkBoard``: the
plane of the data, each cell shaded by what the network answers there (one colour for
label 1, the other for label 0, deeper where it is surer, dark along the boundary),
the data points on top coloured by label, and the accuracy over all of them. Every
number comes from the level (``NetworkLevel.chart``); the screen computes nothing.
"""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text
from textual import work

from ...diagnose import diagnose_level
from ...text import num
from ..widgets.charts import LandscapeChart
from .play import PlayScreen, _snapshot
from .result import ResultScreen

#: Colours (RGB) of label 1 and label 0: the points in full, the shading dimmed.
ONE = (255, 150, 40)
ZERO = (60, 150, 255)
DARK = (18, 18, 24)
#: Glyphs of the points by label (shape tells them apart without colour).
GLYPHS = {1: "●", 0: "○"}
#: How many earlier runs the result screen lays under this one.
EARLIER_RUNS = 3


def _mix(colour: tuple[int, int, int], depth: float) -> tuple[int, int, int]:
    return tuple(int(DARK[i] + (colour[i] - DARK[i]) * depth) for i in range(3))


def _shade(p: float) -> tuple[int, int, int]:
    """The region's colour where the network gives label 1 probability ``p``."""
    if not np.isfinite(p):
        return DARK
    sure = abs(2 * p - 1)  # 0 on the boundary, 1 where it is certain
    return _mix(ONE if p >= 0.5 else ZERO, 0.15 + 0.4 * sure)


def boundary_text(data: dict, cols: int, rows: int) -> Text:
    """The plane as ``rows`` lines of ``cols`` cells: each cell the upper and lower half of
    two grid rows (``▀``, foreground over background), and the points drawn on top.
    ``data`` is ``Network.chart`` with a grid of (cols, 2 * rows)."""
    prob = np.asarray(data["prob"], dtype=float)  # (2 * rows, cols), row 0 = lowest y
    gx, gy = np.asarray(data["grid_x"]), np.asarray(data["grid_y"])
    x = np.asarray(data["points"], dtype=float)
    labels = np.asarray(data["labels"], dtype=float)
    # which cell each point falls in (row 0 at the top of the screen)
    col = np.clip(np.round((x[:, 0] - gx[0]) / (gx[-1] - gx[0]) * (cols - 1)), 0, cols - 1)
    half = np.clip(np.round((x[:, 1] - gy[0]) / (gy[-1] - gy[0]) * (2 * rows - 1)), 0, None)
    row = np.clip(rows - 1 - half // 2, 0, rows - 1)
    votes = np.zeros((rows, cols))
    seen = np.zeros((rows, cols), dtype=bool)
    for r, c, y in zip(row.astype(int), col.astype(int), labels):
        votes[r, c] += 1 if y > 0.5 else -1
        seen[r, c] = True
    text = Text()
    for r in range(rows):
        upper, lower = prob[2 * (rows - 1 - r) + 1], prob[2 * (rows - 1 - r)]
        for c in range(cols):
            top, bottom = _shade(upper[c]), _shade(lower[c])
            if seen[r, c]:
                label = 1 if votes[r, c] >= 0 else 0
                back = tuple((a + b) // 2 for a, b in zip(top, bottom))
                colour = ONE if label else ZERO
                style = Style(color=f"rgb{colour}", bgcolor=f"rgb{back}", bold=True)
                text.append(GLYPHS[label], style=style)
            else:
                text.append("▀", style=Style(color=f"rgb{top}", bgcolor=f"rgb{bottom}"))
        if r < rows - 1:
            text.append("\n")
    return text


class NetworkBoard(LandscapeChart):
    """The decision boundary of the network at the current step, with the data on it."""

    DEFAULT_CSS = """
    NetworkBoard { height: 1fr; min-height: 5; border: round $primary-darken-2; }
    """

    def _data(self) -> dict | None:
        if self._params is None or not self._steps:
            return None
        cols = max(self.content_size.width, 4)
        rows = max(self.content_size.height, 2)
        t = self._steps[-1].iteration
        try:
            return self.landscape.chart(self._params, t, grid=(cols, 2 * rows))
        except Exception:  # drawing data must never break the board
            return None

    def show(self, steps, params=None, lr: float | None = None) -> None:
        super().show(steps, params, lr)
        self.border_title = "decision boundary"
        accuracy = None
        if params is not None:
            accuracy = float(self.landscape.accuracy(np.asarray(params)[None, :])[0])
        gap = "\u00a0"  # a border's title drops plain spaces beside markup
        legend = f"[rgb{ONE}]{GLYPHS[1]}{gap}1[/]{gap}{gap}[rgb{ZERO}]{GLYPHS[0]}{gap}0[/]"
        right = f"{gap}·{gap}accuracy {accuracy:.0%}" if accuracy is not None else ""
        self.border_subtitle = f"{legend}{right}"

    def render(self):
        data = self._data()
        if data is None:
            return super().render()
        return boundary_text(data, data["prob"].shape[1], data["prob"].shape[0] // 2)


def run_label(lrs) -> str:
    """A run named by its rate: ``lr 0.3``, or ``lr 3→0.03`` when a schedule moved it."""
    rates = [float(r) for r in lrs]
    if not rates:
        return "no steps"
    if max(rates) == min(rates):
        return f"lr {num(rates[0])}"
    return f"lr {num(rates[0])}→{num(rates[-1])}"


class NetworkResultScreen(ResultScreen):
    """The result, with the player's earlier runs of this board drawn under this one."""

    COLOURS = ("secondary", "accent", "error")

    def __init__(self, result, hidden: str | None = "", earlier=()) -> None:
        super().__init__(result, hidden)
        self.earlier = list(earlier)[-EARLIER_RUNS:]

    def _race(self):
        chart = super()._race()
        runs = [
            (label, list(losses), self.COLOURS[i % len(self.COLOURS)])
            for i, (label, losses) in enumerate(self.earlier)
        ]
        r = self.result
        given = [(label, list(losses), colour) for label, losses, colour in chart._runs]
        chart.show([*runs, *given], r.minimum, r.goal)
        return chart


class NetworkScreen(PlayScreen):
    """The board of a network level: the decision boundary beside the loss."""

    def __init__(self, level) -> None:
        super().__init__(level)
        self.past_runs: list[tuple[str, tuple[float, ...]]] = []  # finished runs, oldest first
        self._diagnoses_asked = 0  # only the latest diagnosis asked for is shown

    def _show_diagnosis(self) -> None:
        """The diagnosis forecasts thousands of steps of the network: made in a worker,
        so a step repaints at once and the words follow; none while a run animates."""
        if self.running:
            return
        self._diagnoses_asked += 1
        lr = None if self.run.over else self.rate_now()
        self._diagnose(self._diagnoses_asked, _snapshot(self.run), lr)

    @work(thread=True, exclusive=True, group="diagnosis", exit_on_error=False)
    def _diagnose(self, asked: int, run, lr: float | None) -> None:
        d = diagnose_level(self.level, run, lr)
        self.app.call_from_thread(self._got_diagnosis, asked, d)

    def _got_diagnosis(self, asked: int, d) -> None:
        if asked == self._diagnoses_asked and self.is_attached:
            self._paint_diagnosis(d)

    def watch_running(self, running: bool) -> None:
        super().watch_running(running)
        if not running:  # the animation stopped: the words for where it stands
            self._show_diagnosis()

    def compose(self):
        for widget in super().compose():
            if type(widget) is LandscapeChart:
                widget = NetworkBoard(self.landscape, [], extra=self.level.chart, id="landscape")
            yield widget

    def _show_result(self, result, n_steps: int, hidden: str | None = "") -> None:
        if len(self.run.steps) != n_steps or not self.run.over:
            return  # the player undid or reset meanwhile
        earlier = list(self.past_runs)
        self.past_runs.append((run_label(result.lrs), tuple(result.losses)))
        self.app.push_screen(NetworkResultScreen(result, hidden=hidden, earlier=earlier))
