"""The result screen never gives the answer away: the rate that reaches par is named
only once the player has cleared the level (the ghost is still drawn)."""

from __future__ import annotations

import re

from lrgame.text import num
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.charts import RaceChart


def head(app) -> str:
    return str(app.screen.query_one("#result-head").render())


def ghost_label(app) -> str:
    runs = app.screen.query_one("#race", RaceChart)._runs
    return next(label for label, _, _, marker in runs if marker == RaceChart.GHOST)


async def play(ui, pilot, app, lr: str) -> ResultScreen:
    await ui.type_lr(pilot, lr)
    await pilot.press("r")
    await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
    await pilot.pause()  # mounted: its race chart drawn
    return app.screen


async def test_a_miss_before_clearing_hides_the_rate_then_clearing_earns_it(ui):
    app = ui.game("x-squared")  # par 1 at lr 0.5
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        result = (await play(ui, pilot, app, "1.5")).result  # diverges
        assert not result.cleared and result.par == 1 and result.ghost_losses
        rate = f"lr {num(result.best_lr)}"
        assert "par 1" in head(app) and rate not in head(app)
        assert "Clear this level to see the rate" in head(app)
        assert ghost_label(app) == "par ghost"  # the ghost is drawn, without its rate

        await pilot.press("r")  # retry, and clear it
        assert (await play(ui, pilot, app, "0.5")).result.cleared
        assert rate in head(app) and rate in ghost_label(app)

        await pilot.press("r")  # a miss after clearing: the store knows it was earned
        assert not (await play(ui, pilot, app, "1.5")).result.cleared
        assert rate in head(app)


async def test_a_level_cleared_in_an_earlier_game_shows_the_rate_after_a_miss(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert (await play(ui, pilot, app, "0.5")).result.cleared
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        result = (await play(ui, pilot, app, "0.001")).result  # a crawl: out of budget
        assert not result.cleared and result.previous is not None
        assert f"lr {num(result.best_lr)}" in head(app)


async def test_the_status_line_says_par_only_after_a_run_has_ended(ui):
    app = ui.game("x-squared")  # par 1: told before a try, it would be the answer
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.wait_for(pilot, lambda: app.screen._par is not None)
        assert "par ?" in ui.status_text(app) and "par 1" not in ui.status_text(app)
        await pilot.press("space")  # a step is not the end of a run
        assert "par ?" in ui.status_text(app)
        await play(ui, pilot, app, "1.5")  # diverges: the run has ended
        await pilot.press("escape")  # back to the board
        await pilot.pause()
        assert "par 1" in ui.status_text(app)
        await pilot.press("x")  # a new run: par stays told
        assert "par 1" in ui.status_text(app)


async def test_a_level_cleared_before_tells_par_at_once(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert (await play(ui, pilot, app, "0.5")).result.cleared
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.wait_for(pilot, lambda: app.screen._par is not None)
        assert "par 1" in ui.status_text(app)


def advice(app) -> str:
    return str(app.screen.query_one("#result-diagnosis").render())


async def test_a_miss_names_no_rate_that_clears_until_the_level_is_cleared(ui):
    """The diagnosis's advice after a miss ("started over, lr X reaches the goal in N
    steps") is the answer too: before the level is cleared it keeps to a direction."""
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        screen = await play(ui, pilot, app, "0.001")  # a crawl: out of budget
        assert not screen.result.cleared
        named = re.search(r"started over, (lr \S+) reaches", screen.result.diagnosis.text)
        assert named  # the advice exists: hiding it is tested
        assert "reaches the goal" not in advice(app) and named[1] not in advice(app)
        assert "A bigger rate gets there." in advice(app)
        await pilot.press("escape")  # the board after the run names no rate either
        await ui.settle(pilot)
        assert "reaches the goal" not in str(app.screen.query_one("#diagnosis").render())

        await pilot.press("x")  # a new run, and clear it
        assert (await play(ui, pilot, app, "0.5")).result.cleared
        await pilot.press("r")  # a miss after clearing: the advice is earned
        assert not (await play(ui, pilot, app, "0.001")).result.cleared
        assert "started over, lr " in advice(app) and "reaches the goal in" in advice(app)


async def test_a_trials_level_never_names_a_rate_that_clears(ui):
    app = ui.game("coarse-to-fine")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        screen = await play(ui, pilot, app, "0.001")  # crawls: out of budget
        assert not screen.result.cleared
        named = re.search(r"started over, (lr \S+) reaches", screen.result.diagnosis.text)
        assert named, "the advice exists: hiding it is tested"
        assert "reaches the goal" not in advice(app) and named[1] not in advice(app)
        assert screen.hidden  # and the headline says why


async def test_a_challenge_not_over_names_no_rate_in_the_advice(ui):
    """A challenge's play screen hides the rate with its own reason (see
    ChallengeRules.par_rate_hidden): the advice follows the same switch."""
    from textual.app import App

    from lrgame.judging.results import result_of as judge
    from lrgame.levels import find_level

    level = find_level("x-squared")
    run = level.new_run()
    while not run.over:
        run.step(0.001)
    result = judge(level, run, 0)
    named = re.search(r"started over, (lr \S+) reaches", result.diagnosis.text)
    assert named

    hidden = "The rate that reaches par shows when the challenge is over."
    app = App()
    async with app.run_test(size=ui.SIZE) as pilot:
        await app.push_screen(ResultScreen(result, hidden=hidden))
        await pilot.pause()
        assert named[1] not in advice(app) and "A bigger rate gets there." in advice(app)
    app = App()
    async with app.run_test(size=ui.SIZE) as pilot:  # once over: named
        await app.push_screen(ResultScreen(result, hidden=None))
        await pilot.pause()
        assert named[1] in advice(app)
