"""The step table: the first article's walk-through as a live table.

Row k is iteration k: where descent stands, the slope there, the step that the
next learning rate makes of it (lr × slope), and the loss. The last row's step is
a preview with the rate now set, drawn dim until the step is taken.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable

from ...text import num

#: Up to this many parameters, the table has a column per parameter; above, norms.
FULL_COLUMNS_LIMIT = 3


class StepTable(DataTable):
    """Iteration, parameters, slope, lr × slope and loss, one row per iterate."""

    DEFAULT_CSS = """
    StepTable { height: 1fr; }
    """

    def __init__(self, names: tuple[str, ...], keeps_params: bool, **kw):
        super().__init__(cursor_type="row", zebra_stripes=True, **kw)
        self.names = names
        self.full = keeps_params and len(names) <= FULL_COLUMNS_LIMIT
        self._shown = 0  # rows on screen
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

    def on_mount(self) -> None:
        if self.full:
            one = len(self.names) == 1
            slope = ["slope" if one else f"slope {n}" for n in self.names]
            step = ["lr×slope" if one else f"lr×slope {n}" for n in self.names]
            heads = ["iter", *self.names, *slope, *step, "loss"]
        else:
            heads = ["iter", "|params|", "|gradient|", "lr×|gradient|", "loss"]
        for h in heads:
            self.add_column(Text(h, justify="right"), key=h)

    def _row(self, step) -> list[Text]:
        cells = [str(step.iteration)]
        if self.full:
            cells += [num(float(v)) for v in step.params]
            cells += [num(float(g)) for g in step.gradient]
            cells += [""] * len(self.names)
        else:
            cells += [num(step.param_norm), num(step.gradient_norm), ""]
        cells.append(num(step.loss))
        return [Text(c, justify="right") for c in cells]

    def _step_cells(self, step, lr: float | None, preview: bool) -> list[Text]:
        style = "dim italic" if preview else ""
        if lr is None:
            values = [""] * (len(self.names) if self.full else 1)
        elif self.full:
            values = [num(lr * float(g)) for g in step.gradient]
        else:
            values = [num(lr * step.gradient_norm)]
        return [Text(v, style=style, justify="right") for v in values]

    def _step_keys(self) -> list[str]:
        if self.full:
            one = len(self.names) == 1
            return ["lr×slope" if one else f"lr×slope {n}" for n in self.names]
        return ["lr×|gradient|"]

    def show_run(self, run, next_lr: float | None) -> None:
        """Bring the rows in line with the run (after a step, undo or reset)."""
        steps = run.steps
        if self._shown > len(steps):
            for k in range(len(steps), self._shown):
                self.remove_row(str(k))
            self._shown = len(steps)
        for k in range(self._shown, len(steps)):
            self.add_row(*self._row(steps[k]), key=str(k))
        self._shown = len(steps)
        keys = self._step_keys()
        # the step actually taken from the row before the last
        if len(steps) >= 2:
            prev = steps[-2]
            for key, cell in zip(keys, self._step_cells(prev, steps[-1].lr, False)):
                self.update_cell(str(len(steps) - 2), key, cell)
        # the preview from the last row, with the rate now set
        last = steps[-1]
        lr = None if run.over else next_lr
        for key, cell in zip(keys, self._step_cells(last, lr, True)):
            self.update_cell(str(len(steps) - 1), key, cell)
        self.move_cursor(row=len(steps) - 1, animate=False, scroll=False)
        # Follow the last row now: every row is one line, so the scrollable height is
        # known, and the table is painted once per step (DataTable would scroll only
        # after the next refresh, and paint again).
        height = (self.header_height if self.show_header else 0) + len(steps)
        self.virtual_size = Size(self.virtual_size.width, height)
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
