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
