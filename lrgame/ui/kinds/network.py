"""The network kind's view (``VIEW``): the board with the decision boundary.

The board is ``PlayScreen`` with its landscape chart swapped for ``NetworkBoard``: the
plane of the data, each cell shaded by what the network answers there (one colour for
label 1, the other for label 0, deeper where it is surer, dark along the boundary),
the data points on top coloured by label, and the accuracy over all of them. Every
number comes from the level (``NetworkLevel.chart``); the screen computes nothing.
The diagnosis (a forecast of thousands of network steps) is made in the board's worker
(``DiagnosisView``) and the result overlays the player's earlier runs, as for every kind.
"""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ...text import num, percent
from ..screens.play import PlayScreen
from ..widgets.charts import LandscapeChart

#: Colours (RGB) of label 1 and label 0: the points in full, the shading dimmed.
ONE = (255, 150, 40)
ZERO = (60, 150, 255)
DARK = (18, 18, 24)
#: Glyphs of the points by label (shape tells them apart without colour).
GLYPHS = {1: "●", 0: "○"}


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

    #: The level's accuracy_at_least, shown beside the accuracy (None: a loss goal).
    goal_accuracy: float | None = None

    DEFAULT_CSS = """
    NetworkBoard { height: 1fr; min-height: 5; border: round $primary-darken-2; }
    """

    def _now(self) -> np.ndarray | None:
        """The parameters at the current step (the play screen hands over its run)."""
        if self._params is not None:
            return np.asarray(self._params)
        run = getattr(self, "_run", None)
        return None if run is None else np.asarray(run.params)

    def _data(self, cols: int, rows: int) -> dict | None:
        params = self._now()
        if params is None or not self._steps:
            return None
        t = self._steps[-1].iteration
        try:
            return self.landscape.chart(params, t, grid=(max(cols, 4), 2 * max(rows, 2)))
        except Exception:  # drawing data must never break the board
            return None

    def show(self, steps, params=None, lr: float | None = None, run=None) -> None:
        super().show(steps, params, lr, run=run)
        self.border_title = "decision boundary"
        now = self._now()
        accuracy = None
        if now is not None:
            accuracy = float(self.landscape.accuracy(now[None, :])[0])
        gap = "\u00a0"  # a border's title drops plain spaces beside markup
        legend = f"[rgb{ONE}]{GLYPHS[1]}{gap}1[/]{gap}{gap}[rgb{ZERO}]{GLYPHS[0]}{gap}0[/]"
        right = f"{gap}·{gap}accuracy {percent(accuracy)}" if accuracy is not None else ""
        target = self.goal_accuracy
        if right and target is not None:  # rounded down, so it never reads as the goal early
            right += f"{gap}(goal{gap}{num(target * 100)}%)"
        self.border_subtitle = f"{legend}{right}"

    def _draw_strips(self, width: int, height: int) -> list[Strip]:
        data = self._data(width, height)
        if data is None:
            return super()._draw_strips(width, height)
        self.draws += 1
        text = boundary_text(data, data["prob"].shape[1], data["prob"].shape[0] // 2)
        console = self.app.console
        return [
            Strip(list(line.render(console))).adjust_cell_length(width, self.rich_style)
            for line in text.split("\n")
        ]


class NetworkScreen(PlayScreen):
    """The board of a network level: the decision boundary beside the loss."""

    def compose(self):
        for widget in super().compose():
            if type(widget) is LandscapeChart:
                widget = NetworkBoard(self.landscape, [], extra=self.level.chart, id="landscape")
                widget.goal_accuracy = self.level.goal.accuracy_at_least
            yield widget


VIEW = NetworkScreen
