"""Predict, then step, played with keys: the question comes before the step, the step is
the engine's, and the verdict and tally are shown under the board."""

from __future__ import annotations

from textual.widgets import Input

from lrgame.ui.screens.play import PlayScreen
from lrgame.ui.screens.predict import PredictModal, PredictPlayScreen


def line(app) -> str:
    return str(app.screen.query_one("#predict-line").render())


async def answer(ui, pilot, app, text: str) -> None:
    await pilot.press("space")
    await ui.wait_for(pilot, lambda: isinstance(app.screen, PredictModal))
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await ui.wait_for(pilot, lambda: isinstance(app.screen, PredictPlayScreen))
    await pilot.pause()


async def test_which_way_asks_before_each_step_and_scores_the_answer(ui):
    app = ui.game("which-way")  # 2(x − 3)², from x = 0
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, PredictPlayScreen)
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, PredictModal))
        assert app.screen.q.floor == 3 and app.screen.q.far_wall == 6
        await pilot.press("escape")  # no answer: no step
        await ui.wait_for(pilot, lambda: isinstance(app.screen, PredictPlayScreen))
        assert app.screen.run.iteration == 0

        await answer(ui, pilot, app, "l")  # lr 0.1: 0 → 1.2, still left of the floor
        assert app.screen.run.iteration == 1
        assert abs(float(app.screen.run.params[0]) - 1.2) < 1e-12
        assert "1 of 1 right, 1 points" in line(app) and "left of the floor" in line(app)

        await ui.type_lr(pilot, "0.4")  # from 1.2: 3 + (1 − 1.6)(−1.8) = 4.08, across
        await answer(ui, pilot, app, "w")  # but lower than at 1.2: not the far wall
        assert "1 of 2 right" in line(app) and "right of the floor" in line(app)
        x = float(app.screen.run.params[0])
        assert abs(x - 4.08) < 1e-9

        await answer(ui, pilot, app, "2.35")  # 3 + (−0.6)(1.08) = 2.352: within a tenth
        assert "2 of 3 right, 3 points" in line(app) and "+2" in line(app)

        await ui.type_lr(pilot, "0.6")  # factor 1 − 2.4 = −1.4: across, and higher up
        await answer(ui, pilot, app, "w")
        assert "3 of 4 right, 4 points" in line(app) and "past the far wall" in line(app)


async def test_a_bad_answer_is_explained_and_asked_again(ui):
    app = ui.game("the-leap")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, PredictModal))
        app.screen.query_one(Input).value = "left"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PredictModal)
        assert "is not l, f, r, w or a number" in str(
            app.screen.query_one("#predict-error").render()
        )


async def test_a_level_without_predict_steps_at_once(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert type(app.screen) is PlayScreen
        await pilot.press("space")
        assert app.screen.run.iteration == 1


def test_the_question_is_asked_under_plain_descent_only():
    """The question is told as x − lr × slope: under momentum the step is not that, so
    the board steps without asking (a level may offer optimisers beside predict)."""
    from lrgame.engine.optimizers import parse_optimizer
    from lrgame.levels import find_level

    screen = PredictPlayScreen(find_level("which-way"))
    assert screen.asks
    screen.run = screen.level.new_run(optimizer=parse_optimizer("momentum:beta=0.9"))
    assert not screen.asks
