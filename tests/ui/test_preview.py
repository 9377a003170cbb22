"""The preview (p): the path and the words for the rate set, checked against the run
actually continued at that rate; a run explored with it is practice. (A challenge
refuses it: tests/ui/test_challenge_play.py.)"""

from __future__ import annotations

import dataclasses
import re

import pytest

from lrgame.engine import Outcome, Run
from lrgame.store import Store
from lrgame.ui.screens.result import ResultScreen


def preview_text(app) -> str:
    return str(app.screen.query_one("#preview-line").render())


async def settled_preview(ui, pilot, app) -> str:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return preview_text(app)


STATED = re.compile(
    r"at (?P<lr>\S+): (?:(?P<word>clears|diverges) in (?P<steps>\d+) steps?"
    r"|runs out of budget at iteration (?P<budget>\d+))"
)


@pytest.mark.parametrize(
    "level, lr, steps_first, ups, outcome",
    [
        ("x-squared", "0.1", 2, 1, Outcome.CLEARED),  # from iteration 2 at 0.1778
        ("x-squared", "0.5", 0, 4, Outcome.DIVERGED),  # 0.5 × 10^(1/4)^4 = 5: flung out
        ("stretched-bowl", "0.001", 3, 2, Outcome.OUT_OF_BUDGET),
        ("stretched-bowl", "0.02", 1, 2, Outcome.CLEARED),
        ("fit-a-line", "0.01", 2, 1, None),  # whatever it says, it must come true
    ],
)
async def test_the_preview_says_what_the_run_then_does(ui, level, lr, steps_first, ups, outcome):
    app = ui.game(level)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen
        await ui.type_lr(pilot, lr)
        await pilot.press(*["space"] * steps_first)
        await pilot.press("p")
        assert board.preview
        before = await settled_preview(ui, pilot, app)
        assert before.startswith(f"at {lr}:")
        await pilot.press(*["right_square_bracket"] * ups)
        words = await settled_preview(ui, pilot, app)
        assert words != before  # updated on the key press
        stated = STATED.match(words)
        assert stated, words
        assert float(stated["lr"]) == pytest.approx(board.lr, rel=1e-3)
        start = board.run.iteration
        assert start == steps_first

        await pilot.press("f")  # play it out at that rate
        await ui.wait_for(pilot, lambda: board.run.over)
        ran = board.run
        if outcome is not None:
            assert ran.outcome is outcome
        if stated["budget"]:
            assert ran.outcome is Outcome.OUT_OF_BUDGET
            assert ran.iteration == int(stated["budget"])
        else:
            word = {"clears": Outcome.CLEARED, "diverges": Outcome.DIVERGED}[stated["word"]]
            assert ran.outcome is word
            assert ran.iteration - start == int(stated["steps"])
            if start > 0:
                assert f"at iteration {ran.iteration}" in words
        assert set(ran.lrs[start:]) == {board.lr}
        beyond = re.search(r"it would clear at iteration (\d+)", words)
        if beyond:  # past the budget: the same run given a longer budget clears there
            goal = dataclasses.replace(ran.goal, max_iterations=int(beyond[1]) + 10)
            longer = Run(ran.landscape, goal).play(ran.lrs[:start] + [board.lr] * int(beyond[1]))
            assert longer.outcome is Outcome.CLEARED and longer.iteration == int(beyond[1])


async def test_the_preview_draws_the_path_the_run_then_takes(ui):
    app = ui.game("stretched-bowl")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen
        await ui.type_lr(pilot, "0.05")
        await pilot.press("space", "p")
        await settled_preview(ui, pilot, app)
        path = board.query_one("#landscape")._preview
        assert path is not None and path.shape[1] == 2
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: board.run.over)
        ran = [s.params for s in board.run.steps[1:]]
        assert len(ran) == len(path)
        for drawn, taken in zip(path, ran):
            assert drawn == pytest.approx(taken, rel=1e-9, abs=1e-12)


async def test_p_again_turns_the_preview_off(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("p")
        assert await settled_preview(ui, pilot, app)
        await pilot.press("p")
        await pilot.pause()
        assert not app.screen.preview
        assert not app.screen.query_one("#preview-line").display
        assert app.screen.query_one("#landscape")._preview is None


async def test_a_run_explored_with_the_preview_earns_no_stars_and_is_not_saved(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("p")  # looked at, then turned off: still explored
        await pilot.press("p")
        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        result = app.screen.result
        assert result.cleared and result.explored
        assert result.stars == 0 and result.score == 0 and not result.new_best
        head = str(app.screen.query_one("#result-head").render())
        assert "Practice" in head and "not saved" in head
        assert "lr 0.5" not in head  # a practice clear does not earn the par rate either
        assert Store.open().best("x-squared") is None

        # a new run without the preview counts again
        await pilot.press("r")
        await pilot.pause()
        assert not app.screen.explored and "practice" not in ui.status_text(app)
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.result.stars == 3 and app.screen.result.new_best


async def test_the_preview_follows_the_schedule_chosen(ui):
    app = ui.game("slow-down")  # a level that offers schedules
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        board = app.screen
        await pilot.press("s", "space", "space", "p")
        words = await settled_preview(ui, pilot, app)
        spec = board.schedule.spec()
        assert spec != "constant" and words.startswith(f"at {spec} from base lr ")
        stated = re.search(
            r"runs out of budget at iteration (\d+)|(clears|diverges) in (\d+)", words
        )
        assert stated, words
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: board.run.over)
        if stated[1]:
            assert board.run.outcome is Outcome.OUT_OF_BUDGET
            assert board.run.iteration == int(stated[1])
        else:
            assert board.run.outcome.value.startswith(stated[2][:5])
            assert board.run.iteration - 2 == int(stated[3])


async def test_the_child_and_dogs_screen_has_no_preview(ui):
    app = ui.game("child-and-dogs")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert not app.screen.preview and not app.screen.explored
        assert any("no preview" in n.message for n in app._notifications)
