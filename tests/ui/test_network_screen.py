"""The network kind's view: the decision boundary shaded from the network's answers, the
points by label, the accuracy; the result (the same screen as every kind's) laying the
player's earlier runs under this one; the diagnosis from the board's worker."""

from __future__ import annotations

import numpy as np
from rich.console import Console

from lrgame.text import percent
from lrgame.ui.kinds import view_for
from lrgame.ui.kinds.network import (
    GLYPHS,
    ONE,
    ZERO,
    NetworkBoard,
    NetworkScreen,
    boundary_text,
)
from lrgame.ui.screens.result import ResultScreen


def _cells(text):
    """(character, foreground rgb, background rgb) of every cell, line by line."""
    rows, row = [], []
    for span_text, style in _styled_chars(text):
        if span_text == "\n":
            rows.append(row)
            row = []
            continue
        fg = style.color.get_truecolor() if style and style.color else None
        bg = style.bgcolor.get_truecolor() if style and style.bgcolor else None
        row.append((span_text, tuple(fg) if fg else None, tuple(bg) if bg else None))
    rows.append(row)
    return rows


def _styled_chars(text):
    for segment in text.render(Console()):
        for ch in segment.text:
            yield ch, segment.style


def test_cells_take_the_colour_of_the_answer_and_points_their_label():
    cols, rows = 8, 3
    prob = np.zeros((2 * rows, cols))
    prob[:, cols // 2 :] = 0.95  # the right half says label 1, the left half label 0
    prob[:, : cols // 2] = 0.05
    gx, gy = np.linspace(0, 1, cols), np.linspace(0, 1, 2 * rows)
    points = np.array([[0.0, 1.0], [1.0, 0.0]])  # top left, bottom right
    data = {"prob": prob, "grid_x": gx, "grid_y": gy, "points": points, "labels": [1, 0]}
    cells = _cells(boundary_text(data, cols, rows))
    assert len(cells) == rows and all(len(r) == cols for r in cells)
    assert cells[0][0][0] == GLYPHS[1] and cells[0][0][1] == ONE  # a label-1 point
    assert cells[-1][-1][0] == GLYPHS[0] and cells[-1][-1][1] == ZERO
    left, right = cells[1][1], cells[1][-2]
    assert left[0] == right[0] == "▀"
    # the shade leans to the label's colour: blue on the left, orange on the right
    assert left[1][2] > left[1][0] and right[1][0] > right[1][2]


def test_the_kind_is_played_on_its_view():
    from lrgame.levels import load_shipped

    assert view_for(load_shipped("four-rates")) is NetworkScreen


async def test_the_board_shows_the_boundary_and_the_accuracy(ui):
    app = ui.game("four-rates")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, NetworkScreen)
        board = app.screen.query_one("#landscape", NetworkBoard)
        level = app.screen.level
        before = board.text()
        assert GLYPHS[0] in before and GLYPHS[1] in before
        start = level.landscape().accuracy(level.landscape().start[None, :])[0]
        assert f"accuracy {percent(start)}" in str(board.border_subtitle)
        await ui.type_lr(pilot, "2")
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("escape")
        await ui.settle(pilot)
        run = app.screen.run
        acc = level.landscape().accuracy(run.params[None, :])[0]
        assert acc > 0.9 and f"accuracy {percent(acc)}" in str(board.border_subtitle)


async def test_the_result_lays_earlier_runs_under_this_one(ui):
    app = ui.game("four-rates")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        for lr in ("0.03", "30", "2"):
            await ui.type_lr(pilot, lr)
            await pilot.press("f")
            await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
            if lr != "2":
                await pilot.press("r")
                await ui.wait_for(pilot, lambda: isinstance(app.screen, NetworkScreen))
        race = app.screen.query_one("#race")
        runs = race._runs
        # each earlier run is named by its rate, with a marker of its own
        assert [r[0] for r in runs[:2]] == ["lr 0.03", "lr 30"]
        assert runs[0][3] != runs[1][3]
        assert runs[-1][0] == "you"
        slow, wild = runs[0][1], runs[1][1]
        assert len(slow) == 301 and wild[-1] > 5 * wild[0]


async def test_the_result_names_each_curve_by_its_rate_at_80x24(ui, monkeypatch):
    """The course picture: several rates' losses on one chart, each named, readable
    without colour on the smallest terminal."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = ui.game("four-rates")
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.settle(pilot)
        for lr in ("0.03", "30", "10", "2"):
            await ui.type_lr(pilot, lr)
            await pilot.press("f")
            await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
            if lr != "2":
                await pilot.press("r")
                await ui.wait_for(pilot, lambda: isinstance(app.screen, NetworkScreen))
        await ui.settle(pilot)
        race = app.screen.query_one("#race")
        text = str(race.render())
        legend = next(line for line in text.splitlines() if "you" in line)
        # three earlier runs, each its rate with its marker (or the rate alone where the
        # row is short), your run and the ghost, all on the one legend row
        for marker, rate in (("·", "0.03"), ("+", "30"), ("×", "10")):
            assert f"{marker} lr {rate}" in legend or f"{marker} {rate} " in legend, legend
            assert marker in text.replace(legend, "")  # and on the plot
        assert "⠤● you" in legend and "○ par" in legend


async def test_the_diagnosis_follows_a_step_from_a_worker(ui):
    from lrgame.judging.diagnose import diagnose_level

    app = ui.game("spiral-arms")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "1.5")
        await pilot.press("space", "space")
        await ui.settle(pilot)
        screen = app.screen
        assert screen.run.iteration == 2
        words = diagnose_level(screen.level, screen.run, screen.rate_now()).text
        assert words and words in str(screen.query_one("#diagnosis").render())


ACCURACY_LEVEL = """\
kind: network
id: acc-board
title: Accuracy board
data: {shape: gaussian, points: 60, noise: 0.0, seed: 1}
network: {hidden: [], seed: 3}
goal:
  accuracy_at_least: 0.95
  max_iterations: 200
lr: {default: 0.1, min: 1e-3, max: 100}
"""


async def test_an_accuracy_goal_is_told_on_the_board_and_the_result(ui, tmp_path):
    path = tmp_path / "acc-board.yaml"
    path.write_text(ACCURACY_LEVEL)
    app = ui.game(str(path))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen.query_one("#landscape", NetworkBoard)
        assert "(goal\u00a095%)" in str(board.border_subtitle)
        assert "goal: accuracy at least 95% (all the points)" in str(
            app.screen.query_one("#level-head").render()
        )
        await pilot.press("f")  # lr 0.1 clears at the first step labelling 57 of 60 right
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        run_acc = app.screen.result.final_accuracy
        assert run_acc >= 0.95
        head = str(app.screen.query_one("#result-head").render())
        assert f"Accuracy {percent(run_acc)} of all the points (the goal: at least 95%)" in head
