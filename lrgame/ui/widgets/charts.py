"""Every chart of the board and the result screen.

They draw with ``braille.Figure``, a small numpy plotter that writes Textual strips
directly (plotext through Rich cost about 10 ms a chart on every step). Each chart
keeps the data it was last given and draws it again only when that data, its size or
the theme changes; a repaint of the board for any other reason reuses its strips.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual.color import Color
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from ...text import num
from .braille import Figure

#: Points beyond this size are left out: plotext cannot place them, and a run that
#: has exploded is told by the diagnosis, not by a chart squashed to one pixel.
HUGE = 1e100
#: At most this many iterates are drawn; longer runs are thinned (the last ones kept).
MAX_POINTS = 400
#: The landscape view looks for the floor on grids up to 2**(this - 1) times as wide as
#: the path's own reach.
FLOOR_WIDENINGS = 8
#: Contour lines on a two-parameter landscape, a decade of loss apart.
CONTOUR_LEVELS = 4
#: The preview's path (the rate set, continued from here): a marker of its own, so it
#: stays apart from the run's ● and ◆ without colour (NO_COLOR), and a muted colour.
PREVIEW_MARKER = "·"
PREVIEW_COLOUR = "foreground-muted"
#: The autopilot's path (the second ghost, ``a`` on the board): a marker of its own.
AUTOPILOT_MARKER = "∘"
AUTOPILOT_COLOUR = "secondary"


def _finite(*arrays: np.ndarray) -> np.ndarray:
    """Mask of the positions where every array is finite and not huge."""
    mask = np.ones(arrays[0].shape, dtype=bool)
    for a in arrays:
        with np.errstate(invalid="ignore"):
            mask &= np.isfinite(a) & (np.abs(a) < HUGE)
    return mask


def _thin(n: int, keep: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``keep`` of ``n`` points: evenly spread, the last few all kept."""
    if n <= keep:
        return np.arange(n)
    tail = keep // 4
    head = np.linspace(0, n - tail - 1, keep - tail).astype(int)
    return np.unique(np.concatenate([head, np.arange(n - tail, n)]))


def _span(values: np.ndarray, pad: float = 0.15) -> tuple[float, float]:
    """A range that holds all the values, with a margin, never of zero width."""
    lo, hi = float(np.min(values)), float(np.max(values))
    width = hi - lo
    if width <= 0:
        width = max(abs(lo), 1.0)
        return lo - width * 0.5, hi + width * 0.5
    return lo - pad * width, hi + pad * width


class Chart(Widget):
    """A chart drawn from its data into strips, in the app's colours; drawn again only
    when ``changed`` is called or its size or style changes."""

    DEFAULT_CSS = """
    Chart { height: 1fr; min-height: 5; }
    """

    def __init__(self, **kw):
        super().__init__(**kw)
        self.plt = Figure()
        self._strips: list[Strip] | None = None
        self._key = None
        #: How many times the chart has been drawn (not painted): a test can tell a
        #: chart whose data did not change from one drawn again.
        self.draws = 0

    def changed(self) -> None:
        """The data changed: draw again, and repaint only the rows that differ (a step
        moves a few rows of a path; the terminal is sent those, not the whole chart)."""
        old, key = self._strips, self._key
        width, height = self.size
        if old is None or not self.is_mounted or key != self._size_key(width, height):
            self._strips = None
            self.refresh()
            return
        new = self._draw_strips(width, height)
        self._strips = new
        rows = [y for y, (a, b) in enumerate(zip(old, new)) if a != b]
        if len(old) != len(new):
            self.refresh()
        elif rows:
            self.refresh(*[Region(0, y, width, 1) for y in rows])

    def _size_key(self, width: int, height: int) -> tuple:
        return (width, height, self.app.theme, self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = None

    def _limits(self, x0: float, x1: float, y0: float, y1: float) -> None:
        """Set both axes' ranges, with round, short tick labels."""
        plt = self.plt
        plt.xlim(x0, x1)
        plt.ylim(y0, y1)
        plt.xticks(*_nice_ticks(x0, x1, max(self.size.width // 14, 2)))
        plt.yticks(*_nice_ticks(y0, y1, max(self.size.height // 4, 2)))

    def colour(self, variable: str, fallback: str = "#888888") -> tuple[int, int, int]:
        value = self.app.theme_variables.get(variable, fallback)
        try:
            return Color.parse(value).rgb
        except Exception:  # a theme variable we cannot read: a neutral grey
            return Color.parse(fallback).rgb

    def draw(self) -> None:
        """Plot the data on ``self.plt`` (already cleared)."""

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = self._size_key(width, height)
        if self._strips is None or key != self._key:
            self._key = key
            self._strips = self._draw_strips(width, height)
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, self.rich_style)

    def text(self) -> str:
        """The chart as plain text, one line per row (what a test reads)."""
        width, height = self.size
        return "\n".join(self.render_line(y).text for y in range(height))

    def render(self) -> Text:
        return Text(self.text())

    def _draw_strips(self, width: int, height: int) -> list[Strip]:
        self.draws += 1
        self.plt.clear_figure()
        try:
            self.draw()
        except Exception as exc:  # a chart must never take the game down
            self.plt.clear_figure()
            self.plt.title(f"(chart unavailable: {type(exc).__name__})")
        return self.plt.strips(width, height, self.rich_style, self.colour("foreground-muted"))


def _nice_ticks(
    lo: float, hi: float, count: int = 5, whole: bool = False
) -> tuple[list[float], list[str]]:
    """Round tick positions (1, 2 or 5 times a power of ten) with short labels;
    ``whole``: whole numbers only (iterations)."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [lo], [num(lo, 3)]
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    steps = [m * power for m in (0.5, 1, 2, 5, 10)]
    step = next(s for s in steps if s >= raw)
    if whole:
        step = max(step, 1)

    def at(step: float) -> list[float]:
        first = math.ceil(lo / step) * step
        return [first + i * step for i in range(int((hi - first) / step) + 1)]

    ticks = at(step)
    while len(ticks) < 2 and step > steps[0] and not (whole and step <= 1):
        step = max(s for s in steps if s < step)  # a round step too long for two ticks
        ticks = at(step)
    ticks = [0.0 if abs(t) < step * 1e-9 else t for t in ticks]
    digits = 3
    labels = [num(t, digits) for t in ticks]
    while len(set(labels)) < len(labels) and digits < 12:  # 0.6905, 0.691: not 0.69 twice
        digits += 1
        labels = [num(t, digits) for t in ticks]
    return ticks, labels


def _log10_gap(losses: np.ndarray, minimum: float, floor: float) -> np.ndarray:
    with np.errstate(all="ignore"):
        gap = np.abs(losses - minimum)
        return np.log10(np.maximum(gap, floor))


def _log_ticks(lo: float, hi: float, count: int = 5) -> tuple[list[float], list[str]]:
    """Powers of ten, ``count`` at most, so that no two labels share a row (plotext then
    picks one of them in no fixed order)."""
    a, b = math.floor(lo), math.ceil(hi)
    step = max(1, math.ceil((b - a) / max(count, 1)))
    ticks = list(range(a, b + 1, step))
    return [float(t) for t in ticks], [f"1e{t}" for t in ticks]


def _explodes_above(lr: float | None, optimizer=None) -> tuple[float, str] | None:
    """The curvature past which a bowl's direction explodes at rate ``lr``, and its
    formula: 2 / lr under plain descent; with momentum β (PyTorch's heavy ball)
    2(1 + β) / lr, with Nesterov's 2(1 + β) / ((1 + 2β) lr). None without a rate, and
    under Adam and the hypergradient, whose moves are not the rate set times the slope."""
    if not lr:
        return None
    if optimizer is None or optimizer.plain:
        return 2 / lr, "2/lr"
    if optimizer.name != "momentum":
        return None
    beta = optimizer.options["beta"]
    if optimizer.options.get("nesterov"):
        return 2 * (1 + beta) / ((1 + 2 * beta) * lr), "2(1+β)/((1+2β)lr)"
    return 2 * (1 + beta) / lr, "2(1+β)/lr"


def _grouped_curvatures(run) -> dict | None:
    """A big bowl's loss per distinct curvature, from its grouped twin (the start mass of
    each curvature times the product of (1 - lr c)^2 over the steps taken: the same
    numbers as summing over a million parameters, at the cost of a few hundred). Under
    an optimiser that product does not hold: None, and the chart sums the params."""
    from ...engine.forecast import GROUP_ABOVE, _grouped_now
    from ...engine.landscape import QuadraticBowl

    bowl = run.landscape
    if not isinstance(bowl, QuadraticBowl) or bowl.n_params <= GROUP_ABOVE:
        return None
    if not run.optimizer.plain:
        return None
    twin = _grouped_now(run)
    with np.errstate(all="ignore"):
        loss = 0.5 * twin.curvatures * twin.start**2
    return {"curvature": twin.curvatures, "loss": loss}


class LossChart(Chart):
    """Loss against iteration, linear or log (loss above the minimum, on a log axis)."""

    log_scale: reactive[bool] = reactive(False)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._losses = np.zeros(0)
        self._batch = None
        self._minimum = 0.0
        self._goal = 0.0
        self._preview = np.zeros(0)
        self._autopilot = np.zeros(0)

    def show_autopilot(self, losses=None) -> None:
        """The autopilot's losses from iteration 0 (None: no autopilot race)."""
        self._autopilot = np.zeros(0) if losses is None else np.asarray(losses, dtype=float)
        self.refresh()

    def show_preview(self, losses=None) -> None:
        """The preview's losses from the current iteration on (None: no preview)."""
        self._preview = np.zeros(0) if losses is None else np.asarray(losses, dtype=float)
        self.changed()

    def show(self, losses, minimum: float, goal: float, batch=None) -> None:
        """``losses``: the loss judged at each iteration; ``batch``: each mini-batch's own
        loss, on a stochastic level (drawn as dots behind the line)."""
        self._losses = np.asarray(losses, dtype=float)
        self._batch = None if batch is None else np.asarray(batch, dtype=float)
        self._minimum, self._goal = minimum, goal
        self.changed()

    def watch_log_scale(self) -> None:
        self.changed()

    def draw(self) -> None:
        plt = self.plt
        losses = self._losses
        its = np.arange(losses.size, dtype=float)
        if self.log_scale:
            floor = self._goal / 100 if self._goal > 0 else 1e-16
            ys = _log10_gap(losses, self._minimum, floor)
            plt.title("loss − minimum (log scale)")
        else:
            ys = losses
            plt.title("loss")
        keep = _finite(ys)
        idx = _thin(int(keep.sum()))
        xs, ys = its[keep][idx], ys[keep][idx]
        plt.xlabel("iteration")
        if xs.size == 0:
            return
        colour = self.colour("accent")
        if self._batch is not None and self._batch.size == losses.size:
            bs = self._batch
            if self.log_scale:
                bs = _log10_gap(bs, self._minimum, floor)
            bk = _finite(bs)
            plt.scatter(
                its[bk].tolist(), bs[bk].tolist(), marker="dot", color=self.colour("secondary")
            )
        plt.plot(xs.tolist(), ys.tolist(), marker="braille", color=colour)
        plt.scatter([xs[-1]], [ys[-1]], marker="●", color=self.colour("error"))
        x1 = max(float(xs[-1]), 1.0)
        span_ys = ys
        if self._preview.size > 1:
            px, py = self._preview_points(losses.size - 1, ys, floor if self.log_scale else None)
            if px.size:
                plt.scatter(
                    px.tolist(),
                    py.tolist(),
                    marker=PREVIEW_MARKER,
                    color=self.colour(PREVIEW_COLOUR),
                )
                x1 = max(x1, float(px[-1]))
                span_ys = np.concatenate([ys, py])
        if self._autopilot.size > 1:  # the second ghost, from iteration 0
            # _preview_points skips its first entry (the iterate now): pad one in
            saved, self._preview = self._preview, np.concatenate([[np.nan], self._autopilot])
            ax, ay = self._preview_points(-1, ys, floor if self.log_scale else None)
            self._preview = saved
            if ax.size:
                plt.scatter(
                    ax.tolist(),
                    ay.tolist(),
                    marker=AUTOPILOT_MARKER,
                    color=self.colour(AUTOPILOT_COLOUR),
                )
                x1 = max(x1, float(ax[-1]))
                span_ys = np.concatenate([span_ys, ay])
        plt.xlim(0, x1)
        plt.xticks(*_nice_ticks(0, x1, max(self.size.width // 10, 2), whole=True))
        if not self.log_scale:
            y0, y1 = _span(span_ys, pad=0.05)
            plt.ylim(y0, y1)
            plt.yticks(*_nice_ticks(y0, y1, max(self.size.height // 4, 2)))
        else:
            goal = math.log10(self._goal) if self._goal > 0 else float(np.min(ys))
            plt.hline(goal, color=self.colour("success"))
            ylo, yhi = _span(np.append(span_ys, goal), pad=0.05)
            plt.ylim(ylo, yhi)
            plt.yticks(*_log_ticks(ylo, yhi, max(self.size.height // 4, 1)))

    def _preview_points(self, start: int, ys: np.ndarray, floor: float | None):
        """The preview's (iteration, y) points after ``start``, thinned, without the ones
        far above the run's own losses (a diverging preview would flatten the chart)."""
        losses = self._preview[1:]
        its = np.arange(start + 1, start + 1 + losses.size, dtype=float)
        py = losses if floor is None else _log10_gap(losses, self._minimum, floor)
        keep = _finite(py)
        if floor is None and ys.size:
            top = float(np.max(ys))
            keep &= py <= top + max(top - float(np.min(ys)), abs(top), 1e-12)
        idx = _thin(int(keep.sum()))
        return its[keep][idx], py[keep][idx]


class LandscapeChart(Chart):
    """The landscape with the descent drawn on it.

    One parameter: the loss curve, every iterate marked and joined, so an overshoot
    shows as a zig-zag across the valley. Two: contour lines and the path. More: a few
    parameters' values against iteration (the engine's traces).

    A level kind may offer its own view through ``chart(params, t)`` on the level
    (``LevelBase.chart``; see ``levels/kinds/``): the data and the fitted line of a
    regression, or the loss each curvature of a big bowl holds. When it offers none,
    or its data is missing or broken, the chart falls back on the views above."""

    def __init__(self, landscape, trace_names: list[str], extra=None, **kw):
        super().__init__(**kw)
        self.landscape = landscape
        self.trace_names = trace_names
        self.extra = extra
        self._steps = []
        self._params = None
        self._lr = None
        self._preview = None  # the preview's params from the current iterate on, (k, d)
        self._autopilot = None  # the autopilot's params from iteration 0, (k, d)

    def show_autopilot(self, params=None) -> None:
        """The autopilot's path of params from iteration 0 (None: no autopilot race)."""
        self._autopilot = None if params is None else np.asarray(params, dtype=float)
        self.refresh()

    def _autopilot_rows(self, columns: list[int], window) -> np.ndarray | None:
        saved, self._preview = self._preview, self._autopilot
        try:
            return self._preview_rows(columns, window)
        finally:
            self._preview = saved

    def show_preview(self, params=None) -> None:
        """The preview's path of params from the current iterate on (None: no preview)."""
        self._preview = None if params is None else np.asarray(params, dtype=float)
        self.changed()

    def _preview_rows(self, columns: list[int], window) -> np.ndarray | None:
        """The preview's points in ``columns`` of params, inside ``window`` (per column
        (lo, hi)), thinned; None when there is no preview to draw."""
        P = self._preview
        if P is None or P.ndim != 2 or P.shape[0] < 2 or max(columns) >= P.shape[1]:
            return None
        P = P[1:, columns]
        keep = _finite(*[P[:, j] for j in range(P.shape[1])])
        for j, (lo, hi) in enumerate(window):
            with np.errstate(invalid="ignore"):
                keep &= (P[:, j] >= lo) & (P[:, j] <= hi)
        idx = _thin(int(keep.sum()))
        return P[keep][idx] if idx.size else None

    def show(self, steps, params=None, lr: float | None = None, run=None) -> None:
        """``params``: the current parameters, for a level's own view (or ``run``, whose
        params are then read only if that view is drawn); ``lr``: the rate set."""
        self._steps = list(steps)
        self._params, self._lr = params, lr
        self._run = run
        self.changed()

    def draw(self) -> None:
        n = self.landscape.n_params
        if not self._steps:
            return
        if self._draw_extra():
            return
        if n == 1 and self._steps[0].params is not None:
            self._draw_curve()
        elif n == 2 and self._steps[0].params is not None:
            self._draw_contours()
        else:
            self._draw_traces()

    # a level kind's own view ------------------------------------------------------
    def _extra_data(self) -> dict | None:
        if self.extra is None:
            return None
        run = getattr(self, "_run", None)
        if self._params is None and run is not None:
            grouped = _grouped_curvatures(run)
            if grouped is not None:
                return grouped
            self._params = run.params
        if self._params is None:
            return None
        t = self._steps[-1].iteration
        try:
            data = self.extra(self._params, t)  # LevelBase.chart(params, t)
        except Exception:  # a level's drawing data must never break the board
            return None
        return data if isinstance(data, dict) else None

    def _draw_extra(self) -> bool:
        data = self._extra_data()
        if data is None:
            return False
        self.plt.clear_figure()
        try:
            if "x" in data and "y" in data:
                self._draw_fit(data)
                return True
            if "curvature" in data and "loss" in data:
                self._draw_curvatures(data)
                return True
        except Exception:
            self.plt.clear_figure()
        return False

    def _draw_fit(self, data: dict) -> None:
        """Regression: the best line and yours, with the points drawn on top of both. Your
        line is clipped to the view; where it leaves, an arrow (↑ ↓) marks the edge, and
        a line wholly off the chart is said so in words."""
        plt = self.plt
        x, y = np.asarray(data["x"], dtype=float), np.asarray(data["y"], dtype=float)
        keep = _finite(x, y)
        x, y = x[keep], y[keep]
        idx = np.unique(np.linspace(0, x.size - 1, min(x.size, 300)).astype(int))
        plt.title("the data, your line and the best line")
        lx = np.array([float(v) for v in data["line_x"]])
        best = data.get("best_line_y")
        best = None if best is None else np.array([float(v) for v in best])
        ly = np.array([float(v) for v in data["line_y"]])
        y0, y1 = _span(np.concatenate([y, best] if best is not None else [y]), pad=0.1)
        x0, x1 = _span(x, pad=0.05)
        if best is not None:
            plt.plot(lx, best, marker="braille", color=self.colour("success"))
        warn = self.colour("warning")
        plt.plot(lx, ly, marker="braille", color=warn)  # the plotter clips it to the view
        self._mark_exits(lx, ly, x0, x1, y0, y1, warn)
        plt.scatter(x[idx], y[idx], marker="dot", color=self.colour("primary"))
        batch = data.get("batch")
        if batch is not None and len(batch):
            b = np.asarray(batch, dtype=int)
            b = b[(b >= 0) & (b < x.size)]
            plt.scatter(x[b], y[b], marker="●", color=self.colour("secondary"))
        plt.xlabel("x")
        self._limits(x0, x1, y0, y1)

    def _mark_exits(self, lx, ly, x0, x1, y0, y1, colour) -> None:
        """Arrows where the straight line through (lx, ly) leaves the view at the top (↑)
        or the bottom (↓), and words when none of it is inside."""
        plt = self.plt
        if not np.all(np.isfinite(ly)) or lx[1] == lx[0]:
            plt.text("your line: off the chart (not a number)", x0, y1, color=colour)
            return
        slope = (ly[1] - ly[0]) / (lx[1] - lx[0])
        with np.errstate(all="ignore"):
            at0 = ly[0] + slope * (x0 - lx[0])
            at1 = ly[0] + slope * (x1 - lx[0])
        mid = (x0 + x1) / 2
        if min(at0, at1) > y1 or max(at0, at1) < y0:
            up = min(at0, at1) > y1
            edge = y1 if up else y0
            plt.text(f"{'↑' if up else '↓'} your line is off the chart", mid, edge, color=colour)
            return
        for edge, arrow in ((y1, "↑"), (y0, "↓")):
            if slope == 0:
                continue
            xc = lx[0] + (edge - ly[0]) / slope
            outside = (at0 > edge or at1 > edge) if arrow == "↑" else (at0 < edge or at1 < edge)
            if outside and x0 <= xc <= x1:
                plt.scatter([xc], [edge], marker=arrow, color=colour)

    def _draw_curvatures(self, data: dict) -> None:
        """A big bowl: the loss each curvature holds, and the edge (2 / lr under plain
        descent) beyond which the rate set makes those directions explode."""
        plt = self.plt
        c = np.asarray(data["curvature"], dtype=float)
        loss = np.asarray(data["loss"], dtype=float)
        keep = _finite(c, loss) & (c > 0)
        c, loss = c[keep], loss[keep]
        plt.title("loss held along each curvature (log scales)")
        plt.xlabel("log10 curvature")
        if c.size == 0:
            return
        lx = np.log10(c)
        ly = _log10_gap(loss, 0.0, 1e-12)
        plt.scatter(lx.tolist(), ly.tolist(), marker="●", color=self.colour("warning"))
        x0, x1 = _span(lx, pad=0.1)
        y0, y1 = _span(ly, pad=0.1)
        run = getattr(self, "_run", None)
        explodes = _explodes_above(self._lr, run.optimizer if run is not None else None)
        if explodes is not None:
            # past that curvature a direction explodes: show the edge if it is near
            edge, label = math.log10(explodes[0]), explodes[1]
            if x0 - 1.5 <= edge <= x1 + 1.5:
                x0, x1 = min(x0, edge - 0.1), max(x1, edge + 0.3)
                plt.vline(edge, color=self.colour("error"))
                plt.text(label, edge, y1, color=self.colour("error"))
        plt.xlim(x0, x1)
        plt.xticks(*_nice_ticks(x0, x1, max(self.size.width // 14, 2)))
        plt.ylim(y0, y1)
        plt.yticks(*_log_ticks(y0, y1, max(self.size.height // 4, 1)))

    # one parameter ----------------------------------------------------------------
    def _draw_curve(self) -> None:
        plt = self.plt
        name = self.landscape.names[0]
        xs = np.array([float(s.params[0]) for s in self._steps])
        ys = np.array([s.loss for s in self._steps])
        keep = _finite(xs, ys)
        idx = _thin(int(keep.sum()))
        xs, ys = xs[keep][idx], ys[keep][idx]
        plt.title(f"loss along {name}")
        plt.xlabel(name)
        if xs.size == 0:
            return
        x0, x1 = _span(self._window(xs))
        grid = np.linspace(x0, x1, max(2 * self.size.width, 40))
        with np.errstate(all="ignore"):
            curve = self.landscape.loss(grid[:, None], 0)
        ok = _finite(curve)
        plt.plot(
            grid[ok].tolist(), curve[ok].tolist(), marker="braille", color=self.colour("primary")
        )
        y0, y1 = _span(np.concatenate([curve[ok], ys]), pad=0.05)
        ghost = self._autopilot_rows([0], [(x0, x1)])
        if ghost is not None:
            with np.errstate(all="ignore"):
                gy = self.landscape.loss(ghost, 0)
            inside = _finite(gy) & (gy >= y0) & (gy <= y1)
            plt.scatter(
                ghost[inside, 0].tolist(),
                gy[inside].tolist(),
                marker=AUTOPILOT_MARKER,
                color=self.colour(AUTOPILOT_COLOUR),
            )
        ahead = self._preview_rows([0], [(x0, x1)])
        if ahead is not None:  # drawn under the run's own path
            with np.errstate(all="ignore"):
                ay = self.landscape.loss(ahead, 0)
            inside = _finite(ay) & (ay >= y0) & (ay <= y1)
            plt.scatter(
                ahead[inside, 0].tolist(),
                ay[inside].tolist(),
                marker=PREVIEW_MARKER,
                color=self.colour(PREVIEW_COLOUR),
            )
        self._draw_path(xs, ys)
        self._limits(x0, x1, y0, y1)

    def _window(self, xs: np.ndarray) -> np.ndarray:
        """The path, plus the floor: the view always holds where the loss is lowest."""
        floor = self._floor(xs[:, None])
        return xs if floor is None else np.append(xs, floor[0])

    def _floor(self, P: np.ndarray) -> np.ndarray | None:
        """The point of the landscape where its loss is lowest near the path ``P`` (k, d):
        grids around the path, twice as wide each time, until one holds a point within
        a hundredth of the start's height above the level's minimum (a floor far from the
        start, or a deeper valley beyond a ridge); else the lowest point seen."""
        lo, hi = P.min(axis=0), P.max(axis=0)
        key = (lo.tobytes(), hi.tobytes(), P[0].tobytes())
        if getattr(self, "_floor_key", None) == key:  # a redraw of the same path
            return self._floor_at
        self._floor_key, self._floor_at = key, self._find_floor(P, lo, hi)
        return self._floor_at

    def _find_floor(self, P: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
        reach = np.maximum(hi - lo, np.maximum(np.abs(P[0]), 1.0))
        minimum = self.landscape.minimum
        start = self._steps[0].loss if self._steps else math.nan
        near = minimum + 0.01 * (start - minimum) if math.isfinite(start) else minimum
        best, best_loss = None, math.inf
        for k in range(FLOOR_WIDENINGS):
            wide = reach * 2.0**k
            axes = [
                np.linspace(lo[j] - wide[j], hi[j] + wide[j], 801 if P.shape[1] == 1 else 81)
                for j in range(P.shape[1])
            ]
            grid = np.column_stack([g.ravel() for g in np.meshgrid(*axes)])
            with np.errstate(all="ignore"):
                loss = self.landscape.loss(grid, 0)
            ok = np.isfinite(loss)
            if not ok.any():
                continue
            i = int(np.argmin(np.where(ok, loss, np.inf)))
            if loss[i] < best_loss:
                best, best_loss = grid[i], float(loss[i])
            if best_loss <= near:
                break
        return best

    def _draw_path(self, xs: np.ndarray, ys: np.ndarray) -> None:
        plt = self.plt
        path = self.colour("warning")
        if xs.size > 1:
            plt.plot(xs.tolist(), ys.tolist(), marker="braille", color=path)
            plt.scatter(xs[:-1].tolist(), ys[:-1].tolist(), marker="●", color=path)
        plt.scatter([xs[-1]], [ys[-1]], marker="◆", color=self.colour("error"))

    # two parameters ---------------------------------------------------------------
    def _draw_contours(self) -> None:
        plt = self.plt
        nx_name, ny_name = self.landscape.names
        P = np.array([s.params for s in self._steps], dtype=float)
        keep = _finite(P[:, 0], P[:, 1])
        idx = _thin(int(keep.sum()))
        P = P[keep][idx]
        plt.title(f"loss over ({nx_name}, {ny_name}): contours and path")
        plt.xlabel(nx_name)
        if P.size == 0:
            return
        W = self._window2(P)
        x0, x1 = _span(W[:, 0])
        y0, y1 = _span(W[:, 1])
        contours = self._contours(x0, x1, y0, y1)
        for xs, ys, shade, _, _ in contours:
            plt.scatter(xs, ys, marker="braille", color=shade)
        for _, _, shade, label, (lx, ly) in contours:  # labels over every line, under the path
            if label:
                plt.text(label, lx, ly, color=shade)
        ghost = self._autopilot_rows([0, 1], [(x0, x1), (y0, y1)])
        if ghost is not None:
            plt.scatter(
                ghost[:, 0].tolist(),
                ghost[:, 1].tolist(),
                marker=AUTOPILOT_MARKER,
                color=self.colour(AUTOPILOT_COLOUR),
            )
        ahead = self._preview_rows([0, 1], [(x0, x1), (y0, y1)])
        if ahead is not None:
            plt.scatter(
                ahead[:, 0].tolist(),
                ahead[:, 1].tolist(),
                marker=PREVIEW_MARKER,
                color=self.colour(PREVIEW_COLOUR),
            )
        path = self.colour("warning")
        if P.shape[0] > 1:
            plt.plot(P[:, 0].tolist(), P[:, 1].tolist(), marker="braille", color=path)
            plt.scatter(P[:-1, 0].tolist(), P[:-1, 1].tolist(), marker="●", color=path)
        plt.scatter([P[-1, 0]], [P[-1, 1]], marker="◆", color=self.colour("error"))
        self._limits(x0, x1, y0, y1)

    def _contours(self, x0: float, x1: float, y0: float, y1: float) -> list:
        """Contour lines of the window, one (xs, ys, colour, label, (lx, ly)) per level,
        cached: they change only when the window, the chart's size or the theme does.

        A line is one dot thick, on the lower side of its level, at about the plot's own
        dot spacing (so it does not alias into a speckle), and labelled with its loss at
        its highest point."""
        w, h = max(self.size.width, 10), max(self.size.height, 5)
        key = (x0, x1, y0, y1, w, h, self.app.theme)
        if getattr(self, "_contour_key", None) == key:
            return self._contour_cache
        # the plot is about 6 columns narrower (tick labels) and 3 rows shorter (title, axis)
        gx = np.linspace(x0, x1, 2 * max(w - 6, 4))
        gy = np.linspace(y0, y1, 4 * max(h - 3, 2))
        X, Y = np.meshgrid(gx, gy)
        with np.errstate(all="ignore"):
            Z = self.landscape.loss(np.column_stack([X.ravel(), Y.ravel()]), 0).reshape(X.shape)
            L = np.log10(np.maximum(Z - self.landscape.minimum, 1e-300))
        out = []
        levels = self._contour_levels()
        if levels is not None:
            band = np.digitize(np.where(np.isfinite(L), L, np.inf), levels)
            # a dot where a higher band is next door: each line drawn once, inside its level
            edge = np.zeros(band.shape, dtype=bool)
            edge[:, :-1] |= band[:, 1:] > band[:, :-1]
            edge[:, 1:] |= band[:, :-1] > band[:, 1:]
            edge[:-1, :] |= band[1:, :] > band[:-1, :]
            edge[1:, :] |= band[:-1, :] > band[1:, :]
            low, high = Color(*self.colour("success")), Color(*self.colour("primary"))
            taken: list[tuple[float, int, int]] = []  # (row, first column, last column)
            cols, rows = max(w - 6, 4), max(h - 3, 2)
            for k in np.unique(band[edge])[::-1]:  # the outer lines, met first, first
                if k >= len(levels):
                    continue
                mask = edge & (band == k)
                shade = low.blend(high, float(k + 1) / len(levels)).rgb
                xs, ys = X[mask], Y[mask]
                label = num(self.landscape.minimum + 10.0 ** levels[k], 2)
                at = _label_spot(xs, ys, label, (x0, x1, y0, y1), (cols, rows), taken)
                out.append((xs, ys, shade, label if at else "", at or (0.0, 0.0)))
            out.reverse()
        self._contour_key, self._contour_cache = key, out
        return out

    def _contour_levels(self) -> np.ndarray | None:
        """log10 of the loss above the minimum at four levels a decade apart, the first
        just below the start's, so the walk from the start crosses them one by one."""
        gap = self._steps[0].loss - self.landscape.minimum
        if not (math.isfinite(gap) and gap > 0):
            return None
        top = math.floor(math.log10(gap))
        if top == math.log10(gap):
            top -= 1  # the start sits on a level: the first one below it
        return np.array([top - k for k in range(CONTOUR_LEVELS)][::-1], dtype=float)

    def _window2(self, P: np.ndarray) -> np.ndarray:
        """The path, plus the floor (see ``_floor``)."""
        floor = self._floor(P)
        return P if floor is None else np.vstack([P, floor[None, :]])

    # many parameters --------------------------------------------------------------
    def _draw_traces(self) -> None:
        plt = self.plt
        T = np.array([s.trace for s in self._steps], dtype=float)
        its = np.arange(T.shape[0], dtype=float)
        n = self.landscape.n_params
        plt.title(f"{len(self.trace_names)} of {n:,} parameters against iteration")
        plt.xlabel("iteration")
        palette = ["primary", "warning", "success", "error", "secondary", "foreground"]
        keep_rows = _finite(*[T[:, j] for j in range(T.shape[1])]) if T.size else []
        idx = _thin(int(np.sum(keep_rows)))
        for j, name in enumerate(self.trace_names):
            xs, ys = its[keep_rows][idx], T[keep_rows, j][idx]
            if xs.size:
                colour = self.colour(palette[j % len(palette)])
                plt.plot(xs.tolist(), ys.tolist(), marker="braille", color=colour, label=name)
        x1 = max(float(its[-1]) if its.size else 1.0, 1.0)
        plt.xlim(0, x1)
        plt.xticks(*_nice_ticks(0, x1, max(self.size.width // 10, 2), whole=True))
        shown = T[keep_rows] if T.size else T
        if shown.size:
            y0, y1 = _span(shown.ravel(), pad=0.05)
            plt.ylim(y0, y1)
            plt.yticks(*_nice_ticks(y0, y1, max(self.size.height // 4, 2)))


def _label_spot(xs, ys, label: str, window, cells, taken: list) -> tuple[float, float] | None:
    """Where a contour's label goes: the line's highest point, else its lowest, leftmost
    or rightmost, the first whose cells (plotext centres a text on its point) are inside
    the plot and clear of the labels in ``taken`` (and a column either side), which it
    joins; None if none is, and the line goes unlabelled rather than overwritten."""
    x0, x1, y0, y1 = window
    cols, rows = cells
    for i in (int(np.argmax(ys)), int(np.argmin(ys)), int(np.argmin(xs)), int(np.argmax(xs))):
        x, y = float(xs[i]), float(ys[i])
        col = (x - x0) / max(x1 - x0, 1e-300) * cols
        row = (y - y0) / max(y1 - y0, 1e-300) * rows  # rows apart by less than one may meet
        first, last = round(col - len(label) / 2), round(col - len(label) / 2) + len(label) - 1
        if first < 0 or last >= cols:
            continue
        if any(abs(r - row) < 1 and first <= b + 1 and a <= last + 1 for r, a, b in taken):
            continue
        taken.append((row, first, last))
        return x, y
    return None


class RaceChart(Chart):
    """The player's run beside the par ghost (and the player's earlier runs on this level):
    loss above the minimum, on a log axis. Each kind of run has a marker of its own, so
    they stay apart without colour (NO_COLOR): your run a line ending in ●, the ghost
    ○ at its iterations, earlier runs ·, + and × (each named by its rate in the legend)."""

    #: Marker name -> what is drawn: "line" joins the points; any other is a glyph.
    YOU, GHOST, EARLIER, AUTOPILOT = "line", "○", "·", AUTOPILOT_MARKER
    #: Markers of earlier runs told apart (by their rates): one per run, oldest first.
    EARLIER_MARKERS = ("·", "+", "×")

    def __init__(self, **kw):
        super().__init__(**kw)
        self._runs: list[tuple[str, np.ndarray, str, str]] = []
        self._minimum = 0.0
        self._goal = 0.0

    def show(self, runs, minimum: float, goal: float):
        """``runs``: (label, losses, theme colour variable[, marker]) each, drawn in order
        (the last on top); marker ``YOU`` (the default), ``GHOST`` or ``EARLIER``. Runs
        of one label after the first share its legend entry."""
        self._runs = [
            (r[0], np.asarray(r[1], dtype=float), r[2], r[3] if len(r) > 3 else self.YOU)
            for r in runs
        ]
        self._minimum, self._goal = minimum, goal
        self.changed()

    def _fitted_labels(self, width: int, goal: bool) -> dict[str, str]:
        """Each run's legend label, shortened until the one-row legend fits ``width``
        (a legend too long for its row is not drawn): first 'lr 0.3' -> '0.3', then the
        ghost's rate, then 'par ghost' -> 'par'."""
        labels = list(dict.fromkeys(r[0] for r in self._runs))
        marks = {r[0]: ("⠤●" if r[3] == self.YOU else r[3]) for r in self._runs}
        shown = {label: label for label in labels}

        def fits() -> bool:
            used = sum(len(f" {marks[k]} {v}") for k, v in shown.items()) + 1
            return used + (len(" ╌ goal") if goal else 0) < width - 4

        steps = [
            lambda k, v: v[3:] if marks[k] in self.EARLIER_MARKERS and v.startswith("lr ") else v,
            lambda k, v: v.split(",")[0] if marks[k] == self.GHOST else v,
            lambda k, v: "par" if marks[k] == self.GHOST else v,
        ]
        for shorten in steps:
            if fits():
                break
            shown = {k: shorten(k, v) for k, v in shown.items()}
        return shown

    def draw(self) -> None:
        plt = self.plt
        plt.title("loss − minimum per iteration (log scale)")
        plt.xlabel("iteration")
        floor = self._goal / 100 if self._goal > 0 else 1e-16
        every = []
        longest = 1
        labelled = set()
        spots = max(self.size.width // 2, 8)  # the goal's dashes: one every other cell
        # a run's markers: one every five cells at most, so a line under them still shows
        marks = max(self.size.width // 5, 8)
        goal = math.log10(self._goal) if self._goal > 0 else None
        shown = self._fitted_labels(self.size.width, goal is not None)
        if goal is not None:  # dashes, not braille (apart from your line without colour),
            # under every run's marks
            end = max([r[1].size - 1 for r in self._runs] + [1])
            dashes = np.linspace(0, end, spots)
            green = self.colour("success")
            plt.scatter(dashes, np.full(dashes.size, goal), marker="╌", color=green, under=True)
        for label, losses, colour, marker in self._runs:
            ys = _log10_gap(losses, self._minimum, floor)
            xs = np.arange(ys.size, dtype=float)
            keep = _finite(ys)
            idx = _thin(int(keep.sum()))
            xs, ys = xs[keep][idx], ys[keep][idx]
            if xs.size == 0:
                continue
            longest = max(longest, int(xs[-1]))
            every.append(ys)
            rgb = self.colour(colour)
            name = None if label in labelled else shown.get(label, label)
            labelled.add(label)
            if marker == self.YOU:
                plt.plot(xs.tolist(), ys.tolist(), marker="braille", color=rgb)
                plt.scatter([xs[-1]], [ys[-1]], marker="●", color=rgb)
                if name:
                    plt.legend(name, "⠤●", rgb)
            else:
                few = np.unique(np.linspace(0, xs.size - 1, min(xs.size, marks)).astype(int))
                plt.scatter(xs[few], ys[few], marker=marker, color=rgb)
                if name:
                    plt.legend(name, marker, rgb)
        if not every:
            return
        if goal is not None:
            plt.legend("goal", "╌", self.colour("success"))
        ys = np.concatenate(every + ([np.array([goal])] if goal is not None else []))
        ylo, yhi = _span(ys, pad=0.05)
        plt.ylim(ylo, yhi)
        plt.yticks(*_log_ticks(ylo, yhi, max(self.size.height // 4, 1)))
        plt.xlim(0, max(longest, 1))
        plt.xticks(*_nice_ticks(0, max(longest, 1), max(self.size.width // 10, 2), whole=True))
