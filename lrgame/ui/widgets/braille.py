"""A small braille plotter that draws straight into Textual strips.

plotext draws a chart as a string that Rich then parses and styles again, which cost
about 10 ms a chart on every step. Here a figure is a few numpy arrays: each layer's
points become braille dots (2 x 4 per cell) with ``np.bitwise_or.at``, lines are
clipped to the view (Liang-Barsky, vectorised) and sampled one dot per pixel, and
each row of cells becomes a handful of segments, one per run of a colour.

``Figure`` keeps the part of plotext's API the charts use (``plot``, ``scatter``,
``hline``, ``vline``, ``text``, ``xlim``/``ylim``, ``xticks``/``yticks``, ``title``,
``xlabel``) so that a chart says what to draw, not how. ``Figure.strips`` lays it
out: the title on the first row, the y tick labels on the left, the x axis and its
labels on the last two rows, and the legend (``label=``) top right, on its own row
when there is one free, so it never covers data.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

#: Bit of the braille dot at (row in cell 0..3, column in cell 0..1).
BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
BRAILLE = 0x2800
#: Markers by plotext's names; any other one-character marker is drawn as itself.
MARKERS = {"dot": "•", "braille": None}
#: At most this many dots per line layer: a line is sampled one dot per pixel it
#: crosses inside the view, so this bounds a path of thousands of points.
MAX_DOTS = 200_000

RGB = tuple[int, int, int]


@functools.lru_cache(maxsize=256)
def _style(colour: RGB | None, base: Style, bold: bool = False) -> Style:
    if colour is None:
        return base + Style(bold=bold) if bold else base
    return base + Style(color=RichColor.from_rgb(*colour), bold=bold)


class Figure:
    """What a chart draws, in data coordinates; ``strips`` lays it out in cells."""

    def __init__(self) -> None:
        self.clear_figure()

    def clear_figure(self) -> None:
        self._layers: list[tuple] = []
        self._title = ""
        self._xlabel = ""
        self._xlim: tuple[float, float] | None = None
        self._ylim: tuple[float, float] | None = None
        self._xticks: tuple[list[float], list[str]] | None = None
        self._yticks: tuple[list[float], list[str]] | None = None
        self._legend: list[tuple[str, str, RGB | None]] = []

    # -- what to draw (plotext's names) ------------------------------------------------
    def title(self, text: str) -> None:
        self._title = text

    def xlabel(self, text: str) -> None:
        self._xlabel = text

    def xlim(self, lo: float, hi: float) -> None:
        self._xlim = (float(lo), float(hi))

    def ylim(self, lo: float, hi: float) -> None:
        self._ylim = (float(lo), float(hi))

    def xticks(self, ticks, labels=None) -> None:
        self._xticks = (list(ticks), list(labels) if labels is not None else None)

    def yticks(self, ticks, labels=None) -> None:
        self._yticks = (list(ticks), list(labels) if labels is not None else None)

    def plot(self, xs, ys, marker="braille", color=None, label=None) -> None:
        """Points joined by lines (braille); a ``marker`` other than braille also marks
        each point with that character."""
        xs, ys = _arrays(xs, ys)
        self._layers.append(("line", xs, ys, color))
        glyph = MARKERS.get(marker, marker)
        if glyph is not None:
            self._layers.append(("glyph", xs, ys, color, glyph))
        if label:
            self._legend.append((label, glyph or "⠤⠤", color))

    def scatter(self, xs, ys, marker="braille", color=None, label=None, under=False) -> None:
        """Points; a one-character ``marker`` covers any braille in its cell, unless
        ``under``: then it shows only in cells no braille dot falls in (a guide line)."""
        xs, ys = _arrays(xs, ys)
        glyph = MARKERS.get(marker, marker)
        if glyph is None:
            self._layers.append(("dots", xs, ys, color))
        else:
            self._layers.append(("under" if under else "glyph", xs, ys, color, glyph))
        if label:
            self._legend.append((label, glyph or "⠂⠂", color))

    def hline(self, y: float, color=None) -> None:
        self._layers.append(("hline", float(y), color))

    def vline(self, x: float, color=None) -> None:
        self._layers.append(("vline", float(x), color))

    def text(self, s: str, x: float, y: float, color=None) -> None:
        self._layers.append(("text", float(x), float(y), color, str(s)))

    def legend(self, label: str, marker: str, color=None) -> None:
        """A legend entry that is not tied to one layer (a marker drawn by hand)."""
        self._legend.append((label, marker, color))

    # -- layout ------------------------------------------------------------------------
    def strips(self, width: int, height: int, base: Style, muted: RGB | None) -> list[Strip]:
        """The figure as ``height`` strips of ``width`` cells on the ``base`` style."""
        with np.errstate(all="ignore"):  # points far off or not numbers are dropped
            return self._strips(width, height, base, muted)

    def _strips(self, width: int, height: int, base: Style, muted: RGB | None) -> list[Strip]:
        width, height = max(width, 1), max(height, 1)
        blank = Strip.blank(width, base)
        if width < 12 or height < 4:
            return [blank] * height
        axis = _style(muted, base)
        x0, x1 = self._xlim or self._data_range(0)
        y0, y1 = self._ylim or self._data_range(1)
        yt, yl = self._ticks(self._yticks, y0, y1)
        label_w = min(max((len(s) for s in yl), default=1), 10)
        top = 1 if self._title else 0
        cols = width - label_w - 2  # a blank column on the right, apart from a neighbour
        # the legend: on a row of its own under the title when the chart is tall enough,
        # else beside the title, else over the top row of the plot
        legend = self._legend_text_len()
        own_row = bool(legend) and height - top - 2 >= 9
        rows = height - top - 2 - (1 if own_row else 0)  # the x axis and its labels below
        if rows < 2 or cols < 4:
            return [blank] * height
        grid = _Grid(cols, rows, x0, x1, y0, y1)
        for layer in self._layers:
            grid.draw(layer)
        body = grid.strips(base)
        out: list[Strip] = []
        title_style = _style(None, base, bold=True)
        beside = legend and not own_row and len(self._title) + legend + 2 <= width
        if self._title and beside:
            head = Strip([Segment(" " + self._title, title_style)])
            out.append(self._with_legend(head, width, base))
        elif self._title:
            out.append(_centred(self._title, width, title_style, base))
        if own_row:
            out.append(self._with_legend(Strip.blank(width, base), width, base))
        plot_top = len(out)
        # y labels beside the rows their ticks fall in
        row_labels: dict[int, str] = {}
        for t, s in zip(yt, yl):
            r = grid.row_of(t)
            if r is not None and r not in row_labels:
                row_labels[r] = s[:label_w]
        for r, strip in enumerate(body):
            s = row_labels.get(r, "")
            tick = "┤" if s else "│"
            head = [Segment(s.rjust(label_w) + tick, axis)]
            out.append(Strip([*head, *strip, Segment(" ", base)], width))  # exactly wide
        if legend and not own_row and not beside:
            out[plot_top] = self._with_legend(out[plot_top], width, base)
        # the x axis, ticks, labels and the axis name
        xt, xl = self._ticks(self._xticks, x0, x1)
        line = ["─"] * cols
        labels = [" "] * width
        last_end = -1
        for t, s in zip(xt, xl):
            c = grid.col_of(t)
            if c is None:
                continue
            line[c] = "┬"
            at = label_w + 1 + c - len(s) // 2
            at = max(0, min(at, width - len(s)))
            if at > last_end:
                labels[at : at + len(s)] = list(s)
                last_end = at + len(s)
        name = self._xlabel
        if name and width - last_end > len(name) + 1:
            labels[width - len(name) : width] = list(name)
        elif name and last_end < width:  # no room at the end: just after the first label
            first_end = next((i for i in range(label_w + 2, width) if labels[i] == " "), width)
            gap = "".join(labels[first_end : first_end + len(name) + 2])
            if gap.strip() == "" and first_end + len(name) + 2 <= width:
                labels[first_end + 1 : first_end + 1 + len(name)] = list(name)
        out.append(Strip([Segment(" " * label_w + "└" + "".join(line) + " ", axis)], width))
        out.append(Strip([Segment("".join(labels)[:width], axis)], width))
        out = [s if s.cell_length == width else s.crop_extend(0, width, base) for s in out]
        return out[:height] + [blank] * max(0, height - len(out))

    def _legend_text_len(self) -> int:
        return sum(len(f" {m} {label}") for label, m, _ in self._legend) + 1 if self._legend else 0

    def _with_legend(self, strip: Strip, width: int, base: Style) -> Strip:
        """The legend laid over the right end of ``strip``."""
        segs: list[Segment] = []
        used = 0
        for label, marker, colour in self._legend:
            piece = f" {marker} {label}"
            segs.append(Segment(f" {marker}", _style(colour, base)))
            segs.append(Segment(f" {label}", base))
            used += len(piece)
        used += 1
        if used >= width - 4:
            return strip
        keep = strip.crop_extend(0, width - used, base)
        return Strip(list(keep) + segs + [Segment(" ", base)])

    def _data_range(self, axis: int) -> tuple[float, float]:
        vals = [layer[1 + axis] for layer in self._layers if layer[0] in ("line", "dots", "glyph")]
        vals = [v[np.isfinite(v)] for v in vals]
        vals = [v for v in vals if v.size]
        if not vals:
            return 0.0, 1.0
        allv = np.concatenate(vals)
        lo, hi = float(allv.min()), float(allv.max())
        return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)

    @staticmethod
    def _ticks(given, lo: float, hi: float) -> tuple[list[float], list[str]]:
        if given is not None:
            ticks, labels = given
            return ticks, labels if labels is not None else [f"{t:g}" for t in ticks]
        return [lo, hi], [f"{lo:.3g}", f"{hi:.3g}"]


def _arrays(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    xs = np.atleast_1d(np.asarray(xs, dtype=float))
    ys = np.atleast_1d(np.asarray(ys, dtype=float))
    n = min(xs.size, ys.size)
    return xs[:n], ys[:n]


def _centred(text: str, width: int, style: Style, base: Style) -> Strip:
    text = text[:width]
    left = (width - len(text)) // 2
    return Strip(
        [
            Segment(" " * left, base),
            Segment(text, style),
            Segment(" " * (width - left - len(text)), base),
        ],
        width,
    )


class _Grid:
    """Cells of braille dots and characters, each with the colour that drew it last."""

    def __init__(self, cols: int, rows: int, x0: float, x1: float, y0: float, y1: float):
        self.cols, self.rows = cols, rows
        self.x0, self.x1, self.y0, self.y1 = x0, x1, y0, y1
        self.w, self.h = 2 * cols, 4 * rows  # pixels
        self.bits = np.zeros(rows * cols, dtype=np.uint8)
        self.glyph = np.zeros(rows * cols, dtype=np.int32)  # 0: braille
        self.colour = np.full(rows * cols, -1, dtype=np.int32)
        self.under = np.zeros(rows * cols, dtype=np.int32)  # markers that yield to braille
        self.under_colour = np.full(rows * cols, -1, dtype=np.int32)
        self.colours: list[RGB | None] = []

    def _colour_id(self, colour) -> int:
        colour = None if colour is None else tuple(int(c) for c in colour)
        if colour in self.colours:
            return self.colours.index(colour)
        self.colours.append(colour)
        return len(self.colours) - 1

    # data -> pixel coordinates (floats; y grows downwards)
    def _px(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx = self.x1 - self.x0 or 1.0
        dy = self.y1 - self.y0 or 1.0
        px = (xs - self.x0) / dx * (self.w - 1)
        py = (self.y1 - ys) / dy * (self.h - 1)
        return px, py

    def col_of(self, x: float) -> int | None:
        px, _ = self._px(np.array([x]), np.array([self.y0]))
        p = px[0]
        if not math.isfinite(p) or p < -0.5 or p > self.w - 0.5:
            return None
        return min(max(int(round(p)) // 2, 0), self.cols - 1)

    def row_of(self, y: float) -> int | None:
        _, py = self._px(np.array([self.x0]), np.array([y]))
        p = py[0]
        if not math.isfinite(p) or p < -0.5 or p > self.h - 0.5:
            return None
        return min(max(int(round(p)) // 4, 0), self.rows - 1)

    def _dots(self, px: np.ndarray, py: np.ndarray, colour) -> None:
        ix, iy = np.rint(px), np.rint(py)
        ok = (ix >= 0) & (ix < self.w) & (iy >= 0) & (iy < self.h)
        ix, iy = ix[ok].astype(np.int64), iy[ok].astype(np.int64)
        if ix.size == 0:
            return
        cell = (iy // 4) * self.cols + ix // 2
        np.bitwise_or.at(self.bits, cell, BITS[iy % 4, ix % 2])
        # a marker drawn before keeps its cell, and its colour with it
        free = cell[self.glyph[cell] == 0]
        self.colour[free] = self._colour_id(colour)

    def _line(self, px: np.ndarray, py: np.ndarray, colour) -> None:
        if px.size == 1:
            self._dots(px, py, colour)
            return
        a_x, a_y, b_x, b_y = px[:-1], py[:-1], px[1:], py[1:]
        ok = np.isfinite(a_x) & np.isfinite(a_y) & np.isfinite(b_x) & np.isfinite(b_y)
        a_x, a_y, b_x, b_y = a_x[ok], a_y[ok], b_x[ok], b_y[ok]
        t0, t1 = clip_segments(a_x, a_y, b_x, b_y, 0.0, self.w - 1.0, 0.0, self.h - 1.0)
        keep = t0 <= t1
        if not keep.any():
            return
        a_x, a_y, dx, dy = a_x[keep], a_y[keep], (b_x - a_x)[keep], (b_y - a_y)[keep]
        t0, t1 = t0[keep], t1[keep]
        s_x, s_y = a_x + t0 * dx, a_y + t0 * dy
        e_x, e_y = a_x + t1 * dx, a_y + t1 * dy
        n = np.ceil(np.maximum(np.abs(e_x - s_x), np.abs(e_y - s_y))).astype(np.int64) + 1
        if n.sum() > MAX_DOTS:  # every segment still drawn, more coarsely
            n = np.maximum(2, (n * (MAX_DOTS / n.sum())).astype(np.int64))
        seg = np.repeat(np.arange(n.size), n)
        first = np.cumsum(n) - n
        k = np.arange(seg.size) - first[seg]
        f = k / np.maximum(n[seg] - 1, 1)
        self._dots(s_x[seg] + f * (e_x - s_x)[seg], s_y[seg] + f * (e_y - s_y)[seg], colour)

    def _glyphs(self, px: np.ndarray, py: np.ndarray, colour, glyph: str, under=False) -> None:
        ix, iy = np.rint(px), np.rint(py)
        ok = (ix >= 0) & (ix < self.w) & (iy >= 0) & (iy < self.h)
        if not ok.any():
            return
        cell = (iy[ok].astype(np.int64) // 4) * self.cols + ix[ok].astype(np.int64) // 2
        if under:
            self.under[cell] = ord(glyph[0])
            self.under_colour[cell] = self._colour_id(colour)
            return
        self.glyph[cell] = ord(glyph[0])
        self.colour[cell] = self._colour_id(colour)

    def draw(self, layer: tuple) -> None:
        kind = layer[0]
        if kind in ("line", "dots", "glyph", "under"):
            px, py = self._px(layer[1], layer[2])
            if kind == "line":
                self._line(px, py, layer[3])
            elif kind == "dots":
                self._dots(px, py, layer[3])
            else:
                self._glyphs(px, py, layer[3], layer[4], under=kind == "under")
        elif kind == "hline":
            xs = np.array([self.x0, self.x1])
            px, py = self._px(xs, np.array([layer[1], layer[1]]))
            self._line(px, py, layer[2])
        elif kind == "vline":
            ys = np.array([self.y0, self.y1])
            px, py = self._px(np.array([layer[1], layer[1]]), ys)
            self._line(px, py, layer[2])
        elif kind == "text":
            px, py = self._px(np.array([layer[1]]), np.array([layer[2]]))
            if not (np.isfinite(px[0]) and np.isfinite(py[0])):
                return
            c = min(max(int(round(px[0])) // 2, 0), self.cols - 1)
            r = min(max(int(round(py[0])) // 4, 0), self.rows - 1)
            text = layer[4][: self.cols]
            c = min(c, self.cols - len(text))
            cid = self._colour_id(layer[3])
            for j, ch in enumerate(text):
                self.glyph[r * self.cols + c + j] = ord(ch)
                self.colour[r * self.cols + c + j] = cid

    def strips(self, base: Style) -> list[Strip]:
        bits = self.bits.astype(np.int32)
        below = (self.glyph == 0) & (bits == 0) & (self.under > 0)
        flat = np.where(self.glyph > 0, self.glyph, np.where(bits > 0, BRAILLE + bits, 32))
        codes = np.where(below, self.under, flat).reshape(self.rows, self.cols)
        colour = np.where(below, self.under_colour, self.colour).reshape(self.rows, self.cols)
        colour = np.where(codes == 32, -1, colour)
        styles = [_style(c, base) for c in self.colours]
        out = []
        for r in range(self.rows):
            row = codes[r]
            text = "".join(map(chr, row.tolist()))
            cols = colour[r]
            cuts = np.flatnonzero(np.diff(cols)) + 1
            starts = [0, *cuts.tolist()]
            ends = [*cuts.tolist(), self.cols]
            segs = [
                Segment(text[a:b], base if cols[a] < 0 else styles[cols[a]])
                for a, b in zip(starts, ends)
            ]
            out.append(Strip(segs, self.cols))
        return out


def clip_segments(ax, ay, bx, by, x0, x1, y0, y1):
    """Liang-Barsky for many segments at once: the part t0..t1 (of 0..1) of each segment
    a -> b inside the box; t0 > t1 where a segment misses it."""
    dx, dy = bx - ax, by - ay
    t0 = np.zeros(ax.shape)
    t1 = np.ones(ax.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
            r = q / p
            parallel = p == 0
            t1 = np.where(parallel & (q < 0), -1.0, t1)  # parallel and outside
            entering = p < 0
            t0 = np.where(~parallel & entering, np.maximum(t0, r), t0)
            t1 = np.where(~parallel & ~entering, np.minimum(t1, r), t1)
        return t0, t1
