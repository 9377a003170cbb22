"""Every chart of the game. The ONLY module of the UI that touches textual-plotext/plotext.

textual-plotext reaches into plotext's internals and pins ``plotext<6``: keeping every
plot call here means a later switch of chart library touches this one file.

Each chart keeps the data it was last given and redraws it at render time, so it
follows resizes (the contour grid, for one, depends on the chart's size).
"""

from __future__ import annotations

import math

import numpy as np
from textual.color import Color
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from ...text import num

#: Points beyond this size are left out: plotext cannot place them, and a run that
#: has exploded is told by the diagnosis, not by a chart squashed to one pixel.
HUGE = 1e100
#: At most this many iterates are drawn; longer runs are thinned (the last ones kept).
MAX_POINTS = 400
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


class Chart(PlotextPlot):
    """A plotext chart that redraws from its data at every render, in the app's colours."""

    DEFAULT_CSS = """
    Chart { height: 1fr; min-height: 5; }
    """

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

    def render(self):
        self.plt.clear_figure()
        try:
            self.draw()
        except Exception as exc:  # a chart must never take the game down
            self.plt.clear_figure()
            self.plt.title(f"(chart unavailable: {type(exc).__name__})")
        return super().render()


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
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(step, 1)
    first = math.ceil(lo / step) * step
    ticks = [first + i * step for i in range(int((hi - first) / step) + 1)]
    ticks = [0.0 if abs(t) < step * 1e-9 else t for t in ticks]
    return ticks, [num(t, 3) for t in ticks]


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
        self.refresh()

    def show(self, losses, minimum: float, goal: float, batch=None) -> None:
        """``losses``: the loss judged at each iteration; ``batch``: each mini-batch's own
        loss, on a stochastic level (drawn as dots behind the line)."""
        self._losses = np.asarray(losses, dtype=float)
        self._batch = None if batch is None else np.asarray(batch, dtype=float)
        self._minimum, self._goal = minimum, goal
        self.refresh()

    def watch_log_scale(self) -> None:
        self.refresh()

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
        self.refresh()

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

    def show(self, steps, params=None, lr: float | None = None) -> None:
        """``params``: the current parameters, for a level's own view; ``lr``: the rate set."""
        self._steps = list(steps)
        self._params, self._lr = params, lr
        self.refresh()

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
        if self.extra is None or self._params is None:
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
        """Regression: the points, your line, and the best line."""
        plt = self.plt
        x, y = np.asarray(data["x"], dtype=float), np.asarray(data["y"], dtype=float)
        keep = _finite(x, y)
        x, y = x[keep], y[keep]
        idx = np.unique(np.linspace(0, x.size - 1, min(x.size, 300)).astype(int))
        plt.title("the data, your line and the best line")
        plt.scatter(x[idx].tolist(), y[idx].tolist(), marker="dot", color=self.colour("primary"))
        batch = data.get("batch")
        if batch is not None and len(batch):
            b = np.asarray(batch, dtype=int)
            plt.scatter(x[b].tolist(), y[b].tolist(), marker="●", color=self.colour("secondary"))
        lx = [float(v) for v in data["line_x"]]
        best = data.get("best_line_y")
        if best is not None:
            plt.plot(lx, [float(v) for v in best], marker="braille", color=self.colour("success"))
        ly = np.array([float(v) for v in data["line_y"]])
        ys = np.concatenate([y, [float(v) for v in best]] if best is not None else [y])
        y0, y1 = _span(ys, pad=0.1)
        if np.all(np.isfinite(ly)):  # your line, clipped to the data's range of y
            plt.plot(
                lx, np.clip(ly, y0, y1).tolist(), marker="braille", color=self.colour("warning")
            )
        x0, x1 = _span(x, pad=0.05)
        plt.xlabel("x")
        self._limits(x0, x1, y0, y1)

    def _draw_curvatures(self, data: dict) -> None:
        """A big bowl: the loss each curvature holds, and the edge 2 / lr beyond which
        the rate set makes those directions explode."""
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
        if self._lr:
            # past curvature 2 / lr a direction explodes: show the edge if it is near
            edge = math.log10(2 / self._lr)
            if x0 - 1.5 <= edge <= x1 + 1.5:
                x0, x1 = min(x0, edge - 0.1), max(x1, edge + 0.3)
                plt.vline(edge, color=self.colour("error"))
                plt.text("2/lr", edge, y1, color=self.colour("error"))
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
        """The path, plus the lowest point of the curve near it, so the valley floor shows."""
        lo, hi = float(xs.min()), float(xs.max())
        reach = max(hi - lo, abs(float(xs[0])), 1.0)
        wide = np.linspace(lo - reach, hi + reach, 801)
        with np.errstate(all="ignore"):
            loss = self.landscape.loss(wide[:, None], 0)
        if not np.isfinite(loss).any():
            return xs
        return np.append(xs, wide[int(np.nanargmin(np.where(np.isfinite(loss), loss, np.nan)))])

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
        for xs, ys, shade in self._contours(x0, x1, y0, y1):
            plt.scatter(xs, ys, marker="braille", color=shade)
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
        """Contour points of the window, one (xs, ys, colour) per level, cached: they
        change only when the window, the chart's size or the theme does."""
        w, h = max(self.size.width, 10), max(self.size.height, 5)
        key = (x0, x1, y0, y1, w, h, self.app.theme)
        if getattr(self, "_contour_key", None) == key:
            return self._contour_cache
        gx, gy = np.linspace(x0, x1, 2 * w), np.linspace(y0, y1, 4 * h)
        X, Y = np.meshgrid(gx, gy)
        with np.errstate(all="ignore"):
            Z = self.landscape.loss(np.column_stack([X.ravel(), Y.ravel()]), 0).reshape(X.shape)
            L = np.log10(np.maximum(Z - self.landscape.minimum, 1e-300))
        out = []
        levels = self._contour_levels()
        if levels is not None:
            band = np.digitize(np.where(np.isfinite(L), L, np.inf), levels)
            edge = np.zeros(band.shape, dtype=bool)
            edge[:, 1:] |= band[:, 1:] != band[:, :-1]
            edge[1:, :] |= band[1:, :] != band[:-1, :]
            low, high = Color(*self.colour("success")), Color(*self.colour("primary"))
            for k in np.unique(band[edge]):
                mask = edge & (band == k)
                shade = low.blend(high, float(k) / len(levels)).rgb
                out.append((X[mask].tolist(), Y[mask].tolist(), shade))
        self._contour_key, self._contour_cache = key, out
        return out

    def _contour_levels(self) -> np.ndarray | None:
        """log10 loss levels every half decade from just above the start's loss down,
        so the walk from the start crosses them one by one."""
        gap = self._steps[0].loss - self.landscape.minimum
        if not (math.isfinite(gap) and gap > 0):
            return None
        top = math.log10(gap) + 0.25
        return np.array([top - 0.5 * k for k in range(9)][::-1])

    def _window2(self, P: np.ndarray) -> np.ndarray:
        """The path, plus the lowest point of the landscape near it."""
        lo, hi = P.min(axis=0), P.max(axis=0)
        reach = np.maximum(hi - lo, np.maximum(np.abs(P[0]), 1.0))
        gx = np.linspace(lo[0] - reach[0], hi[0] + reach[0], 81)
        gy = np.linspace(lo[1] - reach[1], hi[1] + reach[1], 81)
        X, Y = np.meshgrid(gx, gy)
        with np.errstate(all="ignore"):
            Z = self.landscape.loss(np.column_stack([X.ravel(), Y.ravel()]), 0)
        if not np.isfinite(Z).any():
            return P
        k = int(np.nanargmin(np.where(np.isfinite(Z), Z, np.nan)))
        return np.vstack([P, [X.ravel()[k], Y.ravel()[k]]])

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


class RaceChart(Chart):
    """The player's run beside the par ghost: loss above the minimum, on a log axis."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self._runs: list[tuple[str, np.ndarray, str]] = []
        self._minimum = 0.0
        self._goal = 0.0

    def show(self, runs: list[tuple[str, list[float], str]], minimum: float, goal: float):
        """``runs``: (label, losses, theme colour variable) each."""
        self._runs = [(label, np.asarray(ls, dtype=float), c) for label, ls, c in runs]
        self._minimum, self._goal = minimum, goal
        self.refresh()

    def draw(self) -> None:
        plt = self.plt
        plt.title("loss − minimum per iteration (log scale)")
        plt.xlabel("iteration")
        floor = self._goal / 100 if self._goal > 0 else 1e-16
        every = []
        longest = 1
        for label, losses, colour in self._runs:
            ys = _log10_gap(losses, self._minimum, floor)
            xs = np.arange(ys.size, dtype=float)
            keep = _finite(ys)
            idx = _thin(int(keep.sum()))
            xs, ys = xs[keep][idx], ys[keep][idx]
            if xs.size == 0:
                continue
            longest = max(longest, int(xs[-1]))
            every.append(ys)
            plt.plot(
                xs.tolist(), ys.tolist(), marker="braille", color=self.colour(colour), label=label
            )
            plt.scatter([xs[-1]], [ys[-1]], marker="●", color=self.colour(colour))
        if not every:
            return
        goal = math.log10(self._goal) if self._goal > 0 else None
        ys = np.concatenate(every + ([np.array([goal])] if goal is not None else []))
        if goal is not None:
            plt.hline(goal, color=self.colour("success"))
        ylo, yhi = _span(ys, pad=0.05)
        plt.ylim(ylo, yhi)
        plt.yticks(*_log_ticks(ylo, yhi, max(self.size.height // 4, 1)))
        plt.xlim(0, max(longest, 1))
        plt.xticks(*_nice_ticks(0, max(longest, 1), max(self.size.width // 10, 2), whole=True))
