"""Charts draw every kind of data they may be given, and survive missing or broken data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from textual.app import App

from lrgame.engine import Goal, QuadraticBowl, Run
from lrgame.ui.widgets.charts import LandscapeChart, LossChart, RaceChart, _nice_ticks


class ChartApp(App):
    def __init__(self, chart):
        super().__init__()
        self.chart = chart

    def compose(self):
        yield self.chart


def _text(chart) -> str:
    return str(chart.render())


def _run(n: int, lrs) -> Run:
    bowl = QuadraticBowl(np.linspace(1, 4, n), np.ones(n))
    return Run(bowl, Goal(1e-6, 50)).play(lrs)


def fit_view(params, t=None):
    x = np.linspace(0, 4, 12)
    return {
        "x": x,
        "y": 1.5 * x + 2,
        "line_x": (0.0, 4.0),
        "line_y": (params[1], params[0] * 4 + params[1]),
        "best_line_y": (2.0, 8.0),
        "batch": None,
    }


def curvature_view(params, t=None):
    return {"curvature": np.array([1.0, 10.0, 100.0]), "loss": np.array([0.5, 1e-3, 1e-9])}


def broken_view(params, t=None):
    raise RuntimeError("the level's data is broken")


@pytest.mark.parametrize(
    "n, extra, words",
    [
        (1, None, "loss along"),
        (2, None, "contours"),
        (5, None, "5 of 5 parameters"),
        (2, fit_view, "the data, your line"),
        (20_000, curvature_view, "each curvature"),
        (2, broken_view, "contours"),  # falls back on the usual view
        (2, lambda p, t=None: {"nothing": 1}, "contours"),
    ],
)
async def test_the_landscape_chart_draws_every_view(n, extra, words):
    run = _run(n, [0.1, 0.6, 0.6])
    names = [run.landscape.names[i] for i in run.trace_index]
    chart = LandscapeChart(run.landscape, names, extra=extra)
    async with ChartApp(chart).run_test(size=(90, 24)) as pilot:
        chart.show(run.steps, run.params, 0.1)
        await pilot.pause()
        assert words in _text(chart)


async def test_charts_survive_an_exploded_run_and_empty_data():
    run = _run(1, [5.0] * 400)  # diverged; then one more iterate, past overflow
    last = run.steps[-1]
    big = np.array([1e200])
    run.steps.append(
        dataclasses.replace(
            last, iteration=last.iteration + 1, loss=float("inf"), params=big, gradient=big
        )
    )
    chart = LandscapeChart(run.landscape, ["w0"])
    loss = LossChart()
    race = RaceChart()

    class Three(App):
        def compose(self):
            yield chart
            yield loss
            yield race

    async with Three().run_test(size=(90, 40)) as pilot:
        chart.show(run.steps)
        loss.show([s.loss for s in run.steps], 0.0, 1e-6)
        race.show([("you", [s.loss for s in run.steps], "warning")], 0.0, 1e-6)
        await pilot.pause()
        loss.log_scale = True
        await pilot.pause()
        for c in (chart, loss, race):
            assert "unavailable" not in _text(c)
        race.show([], 0.0, 1e-6)
        loss.show([], 0.0, 1e-6)
        await pilot.pause()


def test_ticks_are_round():
    ticks, labels = _nice_ticks(-0.3, 2.3, 6)
    assert ticks == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])
    assert labels == ["0", "0.5", "1", "1.5", "2"]
    assert _nice_ticks(0, 3.2, 8, whole=True)[0] == [0, 1, 2, 3]


async def test_the_race_chart_tells_its_runs_apart_without_colour():
    """you: a line ending in ●; the ghost: ○; earlier runs: ·. The legend has a row of
    its own, so it covers none of the first iterations."""
    chart = RaceChart()
    async with ChartApp(chart).run_test(size=(90, 24)) as pilot:
        ghost = [4 * 0.25**k for k in range(12)]
        you = [4 * 0.8**k for k in range(30)]
        earlier = [4 * 0.9**k for k in range(30)]
        chart.show(
            [
                ("earlier runs", earlier, "foreground-muted", RaceChart.EARLIER),
                ("par ghost", ghost, "primary", RaceChart.GHOST),
                ("you", you, "warning", RaceChart.YOU),
            ],
            0.0,
            1e-6,
        )
        await pilot.pause()
        lines = _text(chart).splitlines()
        legend = lines[1]
        assert "○ par ghost" in legend and "⠤● you" in legend and "· earlier runs" in legend
        assert "╌ goal" in legend  # the goal's line is dashes, not braille like yours
        plot = "\n".join(lines[2:])
        assert plot.count("○") >= 10 and "●" in plot and plot.count("·") >= 10
        # the first iterations, top left, are drawn below the legend's row
        assert "○" in lines[2] or "○" in lines[3]


@pytest.mark.parametrize(
    "params, words",
    [
        ((1.5, 2.0), None),  # the best line itself: inside, no marker
        ((10.0, 0.0), "↑"),  # leaves through the top
        ((0.0, -100.0), "↓ your line is off the chart"),
        ((0.0, 100.0), "↑ your line is off the chart"),
        ((float("nan"), 0.0), "your line: off the chart (not a number)"),
    ],
)
async def test_fit_a_line_draws_every_point_on_top_and_says_where_the_line_went(params, words):
    run = _run(2, [0.1])
    chart = LandscapeChart(run.landscape, ["w0", "w1"], extra=fit_view)
    async with ChartApp(chart).run_test(size=(90, 24)) as pilot:
        chart.show(run.steps, np.array(params), 0.1)
        await pilot.pause()
        text = _text(chart)
        assert text.count("•") == 12  # all twelve points, none hidden under a line
        if words is None:
            assert "↑" not in text and "↓" not in text and "off the chart" not in text
        else:
            assert words in text


def test_every_row_of_a_figure_is_as_wide_as_the_chart():
    """A row shorter than it claims shifts everything right of it on the terminal."""
    from rich.cells import cell_len
    from rich.style import Style

    from lrgame.ui.widgets.braille import Figure

    for width, height in [(90, 24), (41, 9), (13, 5)]:
        f = Figure()
        f.title("a title")
        f.plot([0, 1, 2], [0, 5, 1], label="a line")
        f.scatter([0.5, 1e300, float("nan")], [1, 2, 3], marker="●", label="points")
        f.text("2/lr", 1.5, 4)
        f.hline(2.5)
        f.xlabel("x")
        for strip in f.strips(width, height, Style(), (128, 128, 128)):
            assert strip.cell_length == width
            assert sum(cell_len(seg.text) for seg in strip) == width


def test_a_marker_keeps_its_colour_under_a_line_drawn_later():
    from rich.style import Style

    from lrgame.ui.widgets.braille import Figure

    f = Figure()
    f.xlim(0, 10)
    f.ylim(0, 10)
    f.scatter([5], [5], marker="○", color=(0, 0, 255))
    f.plot([0, 10], [0, 10], color=(255, 128, 0))
    rows = f.strips(30, 12, Style(), None)
    cells = [seg for row in rows for seg in row if "○" in seg.text]
    assert cells and all(seg.style.color.triplet == (0, 0, 255) for seg in cells)


def test_an_axis_gets_at_least_two_round_ticks():
    """A span of 6.2 asked for 3 ticks rounds its step up to 5, which left only 0 on the
    axis of a practice valley from x = -4 to its floor at 1."""
    from lrgame.ui.widgets.charts import _nice_ticks

    for lo, hi, count in [(-4.6, 1.6, 3), (-0.3, 1.3, 3), (0.1, 0.9, 2), (-1e-3, 4e-3, 2)]:
        ticks, labels = _nice_ticks(lo, hi, count)
        assert len(ticks) >= 2 and all(lo <= t <= hi for t in ticks), (lo, hi, ticks)
    assert _nice_ticks(-4.6, 1.6, 3)[1] == ["-4", "-2", "0"]
    labels = _nice_ticks(0.6896, 0.6904, 3)[1]  # a network's loss, barely moving
    assert len(set(labels)) == len(labels) >= 2, labels
