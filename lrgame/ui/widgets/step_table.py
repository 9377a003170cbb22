"""The step table: the first article's walk-through as a live table.

Row k is iteration k: where descent stands, the slope there, the step that the
next learning rate makes of it (lr × slope), and the loss. The last row's step is
a preview with the rate now set, drawn dim until the step is taken.

It draws its lines itself (Textual's line API) rather than through a DataTable: a
step adds one row and changes two cells, and a DataTable re-renders every visible
cell through Rich each time (measured: as much time per step as a chart). Here a
line is a few segments, and a row's line is kept until that row changes.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...text import num

#: Up to this many parameters, the table has a column per parameter; above, norms.
FULL_COLUMNS_LIMIT = 3
#: Blank columns either side of a cell.
PAD = 1


class StepTable(ScrollView, can_focus=True):
    """Iteration, parameters, slope, lr × slope and loss, one row per iterate."""

    COMPONENT_CLASSES = {
        "step-table--header",
        "step-table--even-row",
        "step-table--cursor",
    }

    DEFAULT_CSS = """
    StepTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .step-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .step-table--even-row { background: $surface-lighten-1 50%; }
        &:dark > .step-table--even-row { background: $surface-darken-1 40%; }
        & > .step-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .step-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    def __init__(self, names: tuple[str, ...], keeps_params: bool, moves: bool = False, **kw):
        """``moves``: the board offers optimisers, whose step is not lr × slope: the table
        shows each step's move and the rate it used (``lr``) instead."""
        super().__init__(**kw)
        self.names = names
        self.full = keeps_params and len(names) <= FULL_COLUMNS_LIMIT
        self.moves = moves
        word = "step" if moves else "lr×slope"
        if self.full:
            one = len(names) == 1
            slope = ["slope" if one else f"slope {n}" for n in names]
            step = [word if one else f"{word} {n}" for n in names]
            self.headers = ["iter", *names, *slope, *step, "loss"]
        else:
            self.headers = [
                "iter",
                "|params|",
                "|gradient|",
                "|step|" if moves else "lr×|gradient|",
                "loss",
            ]
        if moves:
            self.headers.insert(len(self.headers) - 1, "lr")
        self._rows: list[list[Text]] = []
        self._widths = [len(h) for h in self.headers]
        self._lines: dict[tuple, Strip] = {}  # a row's drawn line, until it changes
        self._checking_bars = False

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose=False):
        """A row added or removed changes what scrolls inside the table, whose own size
        the CSS fixes: that needs the scrollbars updated, not a layout of the whole
        board (which repaints every chart), unless a scrollbar appears or goes."""
        if layout and not recompose and self.is_mounted and not self._checking_bars:
            self._checking_bars = True
            try:
                bars = (self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
                self._refresh_scrollbars()  # lays out by itself if one appears or goes
                if bars == (self.show_vertical_scrollbar, self.show_horizontal_scrollbar):
                    self._scroll_update(self.virtual_size)
                    layout = False
            finally:
                self._checking_bars = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    # -- what the tests and the board ask of a table ---------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row(self, key: str) -> list[Text]:
        """The cells of the row of iteration ``key``."""
        return list(self._rows[int(key)])

    # -- the rows ----------------------------------------------------------------------------
    def _row(self, step) -> list[Text]:
        cells = [str(step.iteration)]
        if self.full:
            cells += [num(float(v)) for v in step.params]
            cells += [num(float(g)) for g in step.gradient]
            cells += [""] * len(self.names)
        else:
            cells += [num(step.param_norm), num(step.gradient_norm), ""]
        if self.moves:
            cells.append("")
        cells.append(num(step.loss))
        return [Text(c) for c in cells]

    def _step_cells(self, step, lr: float | None, preview: bool) -> list[Text]:
        style = "dim italic" if preview else ""
        if lr is None:
            values = [""] * (len(self.names) if self.full else 1)
        elif self.full:
            values = [num(lr * float(g)) for g in step.gradient]
        else:
            values = [num(lr * step.gradient_norm)]
        return [Text(v, style=style) for v in values]

    def _set_step_cells(self, k: int, cells: list[Text]) -> None:
        first = 1 + len(self.names) * 2 if self.full else 3
        self._rows[k][first : first + len(cells)] = cells
        for cell, j in zip(cells, range(first, first + len(cells))):
            self._widths[j] = max(self._widths[j], cell.cell_len)

    def _move_cells(self, before, after, lr: float | None, preview: bool) -> list[Text]:
        """The move from ``before`` to ``after`` (params, or None), and the rate used."""
        style = "dim italic" if preview else ""
        if after is None:
            values = [""] * (len(self.names) if self.full else 1)
        elif self.full:
            values = [num(float(b - a)) for a, b in zip(before.params, after)]
        else:
            values = [num(float(np.linalg.norm(after)))]  # |step| for big landscapes
        values.append("" if lr is None else num(lr))
        return [Text(v, style=style) for v in values]

    def show_run(self, run, next_lr: float | None) -> None:
        """Bring the rows in line with the run (after a step, undo or reset)."""
        steps = run.steps
        old = len(self._rows)
        widths = list(self._widths)
        del self._rows[len(steps) :]
        for k in range(len(self._rows), len(steps)):
            row = self._row(steps[k])
            self._rows.append(row)
            for j, cell in enumerate(row):
                self._widths[j] = max(self._widths[j], cell.cell_len)
        lr = None if run.over else next_lr
        if self.moves:
            if len(steps) >= 2:
                a, b = steps[-2], steps[-1]
                moved = b.params if self.full else _step_length(a, b)
                self._set_step_cells(len(steps) - 2, self._move_cells(a, moved, b.lr, False))
            after, used = (None, None) if lr is None else _next_move(run, lr, self.full)
            self._set_step_cells(len(steps) - 1, self._move_cells(steps[-1], after, used, True))
        else:
            # the step actually taken from the row before the last
            if len(steps) >= 2:
                self._set_step_cells(
                    len(steps) - 2, self._step_cells(steps[-2], steps[-1].lr, False)
                )
            # the preview from the last row, with the rate now set
            self._set_step_cells(len(steps) - 1, self._step_cells(steps[-1], lr, True))
        if self._widths != widths:
            self._lines.clear()
        else:  # only the last rows (and the cursor, on the last row) changed
            for k in range(max(0, min(old, len(steps)) - 2), max(old, len(steps))):
                self._forget(k)
        self.virtual_size = Size(self._line_width(), 1 + len(self._rows))
        # force: the scrollbar that allows it may only appear with the next layout
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)
        self.refresh()

    def _forget(self, k: int) -> None:
        for key in [key for key in self._lines if key[0] == k]:
            del self._lines[key]

    # -- drawing -----------------------------------------------------------------------------
    def _line_width(self) -> int:
        return sum(w + 2 * PAD for w in self._widths)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # focus, theme or CSS changed: every line's colours may too

    def _cells_line(self, cells: list[Text], style: Style) -> Strip:
        segments = []
        for cell, width in zip(cells, self._widths):
            text = " " * (PAD + width - cell.cell_len) + cell.plain + " " * PAD
            own = style + Style.parse(str(cell.style)) if cell.style else style
            segments.append(Segment(text, own))
        return Strip(segments, self._line_width())

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:  # the header stays put
            key = ("header",)
            if key not in self._lines:
                header = self.get_component_rich_style("step-table--header")
                cells = [Text(h) for h in self.headers]
                self._lines[key] = self._cells_line(cells, base + header)
            strip = self._lines[key]
        else:
            k = y - 1 + scroll_y
            if k >= len(self._rows):
                return Strip.blank(width, base)
            cursor = k == len(self._rows) - 1
            key = (k, cursor)
            if key not in self._lines:
                style = base
                if k % 2 == 0:
                    style += self.get_component_rich_style("step-table--even-row")
                if cursor:
                    style += self.get_component_rich_style("step-table--cursor")
                self._lines[key] = self._cells_line(self._rows[k], style)
            strip = self._lines[key]
        return strip.crop_extend(scroll_x, scroll_x + width, base)


def _step_length(a, b) -> np.ndarray | None:
    """For many parameters: the step's length, as a one-entry array (where the params
    are not kept, the length the run measured under its optimiser; else None)."""
    if a.params is None or b.params is None:
        return None if b.move_norm is None else np.array([b.move_norm])
    return np.array([float(np.linalg.norm(b.params - a.params))])


def _next_move(run, lr: float, full: bool):
    """Where the next step at ``lr`` would take the params under the run's optimiser, and
    the rate it would use (the optimiser's state is copied, never changed)."""
    optimizer = run.optimizer
    step = run.current
    if step.params is None or step.gradient is None:
        return None, None
    P = step.params[None, :].astype(float).copy()
    with np.errstate(all="ignore"):
        if optimizer.plain:
            P -= lr * step.gradient[None, :]
            used = lr
        else:
            state = {k: v.copy() for k, v in run.state.items()}
            if run.iteration == 0 and optimizer.sets_own_rate:
                state["lr"][:] = lr
            used = float(
                optimizer.step(state, P, step.gradient[None, :], np.array([lr]), run.iteration)[0]
            )
    if not full:
        return np.array([float(np.linalg.norm(P[0] - step.params))]), used
    return P[0], used
