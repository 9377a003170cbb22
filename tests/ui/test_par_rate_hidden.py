"""The result screen never gives the answer away: the rate that reaches par is named
only once the player has cleared the level (the ghost is still drawn)."""

from __future__ import annotations

from lrgame.text import num
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.charts import RaceChart


def head(app) -> str:
    return str(app.screen.query_one("#result-head").render())


def ghost_label(app) -> str:
    return app.screen.query_one("#race", RaceChart)._runs[0][0]


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
