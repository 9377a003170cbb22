"""The game under faults: extreme and nonsense rates typed in, the terminal resized to
40x12 mid-run, and ctrl+c on every screen. Each must end in a message, a named outcome
or a clean exit, never an exception (``run_test`` re-raises any the app hit).
"""

from __future__ import annotations

import re

import pytest

from lrgame import levels
from lrgame.engine import Outcome
from lrgame.ui.kinds.child_and_dogs import DogsScreen
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.play import PlayScreen
from lrgame.ui.screens.range_test import RangeTestScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.screens.title import TitleScreen

NAMED = set(Outcome)
WIDE = "lr: {default: 0.1, min: 1e-300, max: 1e300}\n"

#: One level of each kind that the play screen draws, with every rate allowed.
KINDS = {
    "landscape": 'id: wide-valley\ntitle: t\nparams: {x: 2.0}\nloss: "x**2"\n'
    "goal: {loss_below: 1e-6, max_iterations: 10}\n",
    "bowl": "id: wide-bowl\nkind: bowl\ntitle: t\nn: 1000\ncurvature: {min: 1, max: 100}\n"
    "start: {seed: 3}\ngoal: {loss_below: 1e-4, max_iterations: 10}\n",
    "regression": "id: wide-line\nkind: regression\ntitle: t\n"
    "generate: {seed: 5, n: 50, w: 1.5, b: 2.0, noise: 0.5}\nbatch_size: 10\nseed: 1\n"
    "start: {W: 0, b: 0}\ngoal: {loss_below: 1e-1, max_iterations: 10}\n",
}

#: What each typed text must give: a message in the field, or a rate the run accepts.
TYPED = {
    "inf": "finite",
    "nan": "finite",
    "-1": "above 0",
    "abc": "not a number",
    "1e999": "finite",
    "9" * 400: None,  # a finite float of 400 digits: 1e400 is too big, so a message
    "1e300": 1e300,
    "1e-300": 1e-300,
}


def _level_file(tmp_path, kind: str):
    path = tmp_path / f"{kind}.yaml"
    if kind == "child-and-dogs":  # the shipped level, with every rate allowed
        text = (levels.shipped_path("child-and-dogs")).read_text()
        text = text.replace("id: child-and-dogs", "id: wide-dogs")
        path.write_text(re.sub(r"\nlr:\n(  .*\n)+", "\n" + WIDE, text, count=1))
    else:
        path.write_text(KINDS[kind] + WIDE)
    return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("kind", [*KINDS, "child-and-dogs"])
async def test_extreme_and_nonsense_rates_give_a_message_or_a_named_outcome(ui, tmp_path, kind):
    app = ui.game(_level_file(tmp_path, kind))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        for typed, want in TYPED.items():
            screen = app.screen
            assert isinstance(screen, PlayScreen)
            before = screen.lr
            if len(typed) < 20:
                await pilot.press("l", *typed, "enter")
            else:  # pasted: 400 key presses would each repaint the board
                await pilot.press("l")
                screen.query_one("#lr-input").value = typed
                await pilot.press("enter")
            await pilot.pause()
            message = str(screen.query_one("#lr-message").render())
            if not isinstance(want, float):
                assert message and screen.lr == before, (typed, message)
                if want:
                    assert want in message, (typed, message)
                await pilot.press("escape")
                continue
            assert screen.lr == want and not message
            await pilot.press("r")  # run at this rate to the end of the run
            await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
            await pilot.pause()  # let the result screen compose
            assert screen.run.outcome in NAMED
            word = {Outcome.DIVERGED: "Diverged", Outcome.OUT_OF_BUDGET: "budget"}
            head = str(app.screen.query_one("#result-head").render())
            assert word.get(screen.run.outcome, "") in head, head
            await pilot.press("r")  # retry: a fresh run at the same rate
            await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen)


async def test_the_rate_keys_stop_at_the_ends_of_a_huge_range(ui, tmp_path):
    app = ui.game(_level_file(tmp_path, "landscape"))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "3e299")
        await pilot.press(*["right_square_bracket"] * 3)  # 10^(1/4) each: past 1e300
        assert app.screen.lr == 1e300
        await pilot.press("x")
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.pause()
        assert app.screen.result.outcome == Outcome.DIVERGED
        await pilot.press("escape")  # back to the board, then down to the floor of the range
        await ui.type_lr(pilot, "3e-300")
        await pilot.press(*["left_square_bracket"] * 3, "x", "space")
        await pilot.pause()
        assert app.screen.lr == 1e-300 and app.screen.run.iteration == 1


@pytest.mark.slow
@pytest.mark.parametrize("level_id", ["hundred-bowl", "noisy-line"])
async def test_resizing_to_40x12_and_back_mid_run(ui, level_id, monkeypatch):
    from lrgame.ui.screens import play

    # A run keeps pace with the clock (about 3 s): on a loaded machine it could end before
    # the resizes. At 4 steps a second the budget of 300 lasts 75 s, so every resize below
    # lands mid-run, and each waits for a frame painted at its size, not for a time.
    monkeypatch.setattr(play, "RUN_SECONDS", 1e6)
    monkeypatch.setattr(play, "STEPS_PER_SECOND", 4)
    app = ui.game(level_id)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("left_square_bracket")  # a small rate: the run lasts its whole budget
        await pilot.press("r")
        board = app.screen
        assert isinstance(board, PlayScreen) and board.running
        for size in ((40, 12), ui.SIZE, (40, 12), (20, 6), (200, 60), ui.SIZE):
            frames = board.frames
            await pilot.resize_terminal(*size)
            await ui.wait_for(pilot, lambda frames=frames: board.frames > frames)
            assert app.screen is board and board.running, size
        at = board.run.iteration
        assert 0 < at < board.goal.max_iterations
        await ui.wait_for(pilot, lambda: board.run.iteration > at)  # it still steps
        await pilot.press("f")  # the rest at once
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.resize_terminal(40, 12)  # and the result screen at 40x12
        await pilot.pause()
        await pilot.resize_terminal(*ui.SIZE)
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)


# -- ctrl+c ------------------------------------------------------------------------------


async def _to_title(pilot, ui):
    await pilot.pause()


async def _to_campaign(pilot, ui):
    await pilot.press("enter")
    await ui.settle(pilot)


async def _to_play(pilot, ui):
    await _to_campaign(pilot, ui)
    await pilot.press("enter")
    await ui.settle(pilot)


async def _to_play_running(pilot, ui):
    await _to_play(pilot, ui)
    await pilot.press("left_square_bracket", "r")
    await pilot.pause(0.2)


async def _to_lr_field(pilot, ui):
    await _to_play(pilot, ui)
    await pilot.press("l", "1")


async def _to_result(pilot, ui):
    await _to_play(pilot, ui)
    await ui.type_lr(pilot, "0.5")
    await pilot.press("space")
    await ui.wait_for(pilot, lambda: isinstance(pilot.app.screen, ResultScreen))


async def _to_help(pilot, ui):
    await pilot.press("question_mark")
    await pilot.pause()


async def _to_palette(pilot, ui):
    await pilot.press("ctrl+p")
    await pilot.pause()


async def _to_range_test(pilot, ui):
    await pilot.press("t")  # range-finder offers the range test
    await ui.settle(pilot)


SCREENS = {
    "title": (_to_title, TitleScreen),
    "campaign": (_to_campaign, CampaignScreen),
    "play": (_to_play, PlayScreen),
    "play-running": (_to_play_running, PlayScreen),
    "lr-field": (_to_lr_field, PlayScreen),
    "result": (_to_result, ResultScreen),
    "help": (_to_help, None),
    "palette": (_to_palette, None),
    "dogs": (_to_title, DogsScreen),
    "range-test": (_to_range_test, RangeTestScreen),
}
#: Screens reached by opening a level directly (lrgame play LEVEL).
START_AT = {"dogs": "child-and-dogs", "range-test": "range-finder"}


@pytest.mark.parametrize("where", list(SCREENS))
async def test_ctrl_c_exits_cleanly_from_every_screen(ui, where):
    go, screen_type = SCREENS[where]
    app = ui.game(START_AT.get(where))
    async with app.run_test(size=ui.SIZE) as pilot:
        await go(pilot, ui)
        if screen_type is not None:
            assert isinstance(app.screen, screen_type)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running, f"ctrl+c on the {where} screen did not exit"
    assert app.return_code in (0, None)
