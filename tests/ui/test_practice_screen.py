"""The practice screen: a seed's level on the board, the streak under it, n for the next."""

from __future__ import annotations

from lrgame.levels import practice as P
from lrgame.store import Store
from lrgame.ui.practice_app import PracticeApp
from lrgame.ui.screens.practice import PracticePlayScreen, StreakBar
from lrgame.ui.screens.result import ResultScreen


def practice_game(seed: int, ui) -> PracticeApp:
    return PracticeApp(seed, cursor_blink=False, theme="textual-dark")


def bar(app) -> str:
    return str(app.screen.query_one(StreakBar).render())


async def finish(ui, pilot, app, lr: str) -> ResultScreen:
    await ui.type_lr(pilot, lr)
    await pilot.press("r")
    await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
    return app.screen


async def test_a_par_clear_adds_to_the_streak_and_next_opens_the_next_seed(ui, lrgame_home):
    app = practice_game(42, ui)  # a valley of curvature 10: par 1 at lr 0.1
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, PracticePlayScreen)
        assert app.screen.level.id == "practice-42"
        assert "seed 42" in bar(app) and "streak 0" in bar(app)
        result = (await finish(ui, pilot, app, "0.1")).result
        assert result.cleared and result.stars == 3
        assert P.read_streak(app.store) == P.Streak(1, 1)
        await pilot.press("n")  # Next on the result: the next seed's level
        await ui.wait_for(pilot, lambda: isinstance(app.screen, PracticePlayScreen))
        await ui.wait_for(pilot, lambda: app.screen.level.id == "practice-43")
        assert "streak 1" in bar(app)
        crawl = str(app.screen.level.lr.min)
        result = (await finish(ui, pilot, app, crawl)).result  # a crawl: not at par
        assert not result.cleared
        assert P.read_streak(app.store) == P.Streak(0, 1)
        await pilot.press("escape")
        await pilot.pause()
        assert "streak 0 (best 1)" in bar(app)
        # a second finished run of the same level does not count again
        await pilot.press("x")
        await finish(ui, pilot, app, str(app.screen.level.compute_par().best_lr))
        assert P.read_streak(app.store) == P.Streak(0, 1)
    assert P.read_streak(Store.open(lrgame_home)) == P.Streak(0, 1)


async def test_n_on_the_board_opens_the_next_level(ui):
    app = practice_game(7, ui)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("n")
        await ui.wait_for(pilot, lambda: app.screen.level.id == "practice-8")
        assert "seed 8" in bar(app)


async def test_practice_opens_from_the_title(ui):
    """A player with no command line (a browser through lrgame serve) reaches practice
    from the title: p opens a fresh seed's level, its streak on the board."""
    from lrgame.ui.screens.title import TitleScreen

    app = ui.game()
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("p")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, PracticePlayScreen))
        seed = app.screen.seed
        assert app.screen.level.id == f"practice-{seed}"
        assert f"seed {seed}" in bar(app)
        await pilot.press("n")
        await ui.wait_for(pilot, lambda: app.screen.level.id == f"practice-{seed + 1}")
