"""A long run animates within a few seconds' worth of frames, and `f` finishes it at once."""

from __future__ import annotations

import math

import pytest

from lrgame.ui.screens import play
from lrgame.ui.screens.play import MAX_TICKS_PER_SECOND, RUN_SECONDS, PlayScreen
from lrgame.ui.screens.result import ResultScreen

LONG = """\
id: long-crawl
title: A Long Crawl
params: {x: 2.0}
loss: "x**2"
minimum: 0
goal: {loss_below: 1e-6, max_iterations: 2000}
lr: {default: 1e-5, min: 1e-6, max: 10}
"""

#: The most frames an animated run may paint: about RUN_SECONDS at the fastest tick.
MAX_FRAMES = math.ceil(RUN_SECONDS * MAX_TICKS_PER_SECOND) + 1


@pytest.fixture
def no_frame_budget(monkeypatch):
    """Frames never stop stepping early, so the counts below do not hang on the
    machine's speed (the budget itself is tested on its own)."""
    monkeypatch.setattr(play, "FRAME_BUDGET_S", 1e9)


def long_level(tmp_path) -> str:
    path = tmp_path / "long-crawl.yaml"
    path.write_text(LONG)
    return str(path)


async def test_a_2000_step_run_animates_in_a_bounded_number_of_frames(
    ui, tmp_path, no_frame_budget
):
    app = ui.game(long_level(tmp_path))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen
        await pilot.press("r")
        # RUN_SECONDS is about 3 s: the guard only catches a hang (10x)
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), seconds=30)
        assert board.run.iteration == 2000 and board.run.outcome.value == "out_of_budget"
        assert 2 <= board.frames <= MAX_FRAMES  # animated, not instant, and not 2000 frames


async def test_f_finishes_the_run_at_once(ui, tmp_path, no_frame_budget):
    app = ui.game(long_level(tmp_path))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen
        await pilot.press("f")
        assert board.run.iteration == 2000 and board.frames == 1
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))


async def test_f_during_an_animated_run_finishes_it(ui, tmp_path, no_frame_budget, monkeypatch):
    monkeypatch.setattr(play, "RUN_SECONDS", 1e4)  # 8 steps a second: far from the end
    app = ui.game(long_level(tmp_path))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen
        await pilot.press("r")
        assert board.running and board.run.iteration < 2000
        await pilot.press("f")  # the rest in the frame f paints, not by the timer
        assert board.run.over and board.run.iteration == 2000


async def test_f_on_an_ended_run_says_so(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.5")
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("escape")
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("f")  # over: a word, not a crash
        assert app.screen.run.iteration == 1


async def test_a_frame_stops_stepping_when_its_budget_is_spent(ui, tmp_path, monkeypatch):
    # where steps are slow (a million parameters) the frame paints and keys are
    # answered between frames: with no budget at all, one step per frame
    monkeypatch.setattr(play, "FRAME_BUDGET_S", 0.0)
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen
        await ui.type_lr(pilot, "0.001")
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: board.run.over)
        assert board.run.iteration == 50 and board.frames == 50
