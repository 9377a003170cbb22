"""The tools some levels offer, played with keys: schedules, the range test, trials."""

from __future__ import annotations

import pytest

from lrgame import levels
from lrgame.text import num
from lrgame.ui.screens.range_test import RangeTestScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.schedule_picker import SchedulePicker


async def _play_out(ui, pilot, app) -> ResultScreen:
    await pilot.press("r")
    await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
    return app.screen


@pytest.mark.parametrize("lr", ["1", "2.5", "8.66"])
async def test_on_slow_down_no_constant_rate_clears(ui, lr):
    app = ui.game("slow-down")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, lr)
        result = (await _play_out(ui, pilot, app)).result
        assert not result.cleared


async def test_on_slow_down_a_decay_schedule_clears(ui):
    app = ui.game("slow-down")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        picker = app.screen.query_one(SchedulePicker)
        while app.screen.schedule.name != "exponential":
            await pilot.press("s")
        assert "exponential:gamma=0.7" in picker.input.value
        await ui.type_lr(pilot, "8.66")
        assert "lr 8.66 ·" in ui.status_text(app)  # the first step's rate is the base rate
        await pilot.press("space")
        assert "lr 8.66→6.062 ·" in ui.status_text(app)  # 8.66 × 0.7: it falls each step
        assert app.screen.run.lrs == [pytest.approx(8.66)]
        result = (await _play_out(ui, pilot, app)).result
        assert result.cleared and result.stars == 3
        assert result.lrs[1] == pytest.approx(8.66 * 0.7)  # every step's rate is recorded


async def test_a_typed_schedule_is_checked_inline(ui):
    app = ui.game("slow-down")
    async with app.run_test(size=ui.SIZE, notifications=True) as pilot:
        await ui.settle(pilot)
        await pilot.press("S")
        picker = app.screen.query_one(SchedulePicker)
        picker.input.value = "step:gamma=0.5"
        await pilot.press("enter")
        # a short word on the line; the whole reason, however long, in a notice
        assert str(picker.query_one("#schedule-message").render()) == "not a schedule"
        assert any("needs step_size" in n.message for n in app._notifications)
        assert app.screen.schedule.name == "constant"  # unchanged
        picker.input.value = "step:step_size=4,gamma=0.25"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.schedule.spec() == "step:step_size=4,gamma=0.25"
        await pilot.press("space")  # the board has the keys back
        assert app.screen.run.iteration == 1


async def test_levels_without_schedules_have_no_picker(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert not app.screen.query(SchedulePicker)
        await pilot.press("s", "t")
        assert app.screen.schedule.name == "constant"
        assert not isinstance(app.screen, RangeTestScreen)


async def test_the_range_test_suggests_a_rate_and_enter_takes_it(ui):
    app = ui.game("range-finder")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("t")
        await ui.settle(pilot)
        assert isinstance(app.screen, RangeTestScreen)
        chart = str(app.screen.query_one("#range-chart").render())
        assert "learning rate (log scale)" in chart and "suggested" in chart
        suggested = levels.find_level("range-finder").run_range_test().suggested_lr
        assert "Suggested: lr" in str(app.screen.query_one("#range-words").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.lr == pytest.approx(suggested)
        await pilot.press("t")
        await ui.settle(pilot)
        await pilot.press("escape")  # back without changing the rate
        assert app.screen.lr == pytest.approx(suggested)


async def test_each_trial_run_costs_points(ui):
    app = ui.game("coarse-to-fine")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert "trial 1 ·" in ui.status_text(app) and "−0" not in ui.status_text(app)
        await ui.type_lr(pilot, "0.001")
        await pilot.press("space", "space", "x")  # a trial, abandoned
        assert "trial 2 (−50 points)" in ui.status_text(app)
        await pilot.press("x")  # a reset with no steps is not a trial
        assert "trial 2 (−50 points)" in ui.status_text(app)
        await ui.type_lr(pilot, "0.0125")
        screen = await _play_out(ui, pilot, app)
        result = screen.result
        assert result.cleared and result.trials == 1 and result.trial_cost == 50
        assert result.score == levels.find_level("coarse-to-fine").trial_score(result.score + 50, 1)
        head = str(screen.query_one("#result-head").render())
        assert f"({result.score + 50:,} less 50 for 1 trial run)" in head
        # cleared, yet on a trials level the rate that reaches par is never named
        assert f"lr {num(result.best_lr)}" not in head and "finding the rate is the game" in head
        await pilot.pause()  # the result screen has drawn its race chart
        assert [r[0] for r in screen.query_one("#race")._runs if r[3] == "○"] == ["par ghost"]
        await pilot.press("r")  # retry: the finished run was a trial too
        await pilot.pause()
        assert "trial 3 (−100 points)" in ui.status_text(app)


async def test_a_run_that_scores_nothing_after_a_trial_says_so_plainly(ui):
    app = ui.game("coarse-to-fine")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.001")
        await pilot.press("space", "x")  # a trial, abandoned
        await ui.type_lr(pilot, "1")  # blows up: 0 points, nothing to take the 50 from
        screen = await _play_out(ui, pilot, app)
        assert screen.result.score == 0 and screen.result.trials == 1
        head = str(screen.query_one("#result-head").render())
        assert "0 points (1 trial run before this one: nothing left to take off)" in head
        assert "−0" not in head


async def test_a_long_schedule_message_is_told_whole_and_the_lr_range_stays(ui):
    app = ui.game("slow-down")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ui.settle(pilot)
        await pilot.press("S")
        picker = app.screen.query_one(SchedulePicker)
        picker.input.value = "cos"
        await pilot.press("enter")
        notes = [n.message for n in app._notifications]
        whole = next(m for m in notes if m.startswith("unknown schedule 'cos'"))
        assert whole.rstrip(")").endswith("cyclic") or "cyclic" in whole  # not cut
        await pilot.press("escape")
        while app.screen.schedule.name != "exponential":
            await pilot.press("s")
        await pilot.press("space", "space", "space")
        await pilot.pause()
        # with a schedule active the status line still leaves room for the lr range
        rng = app.screen.query_one("#lr-range")
        assert rng.display and rng.region.right <= 80 and rng.region.width > 0
        assert "0.001–10" in str(rng.render())


async def test_at_80_columns_a_long_status_gives_way_to_the_rate_field(ui):
    app = ui.game("settle-the-noise")  # mini-batches and a schedule: the longest status
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.settle(pilot)
        await pilot.press("s")
        await _play_out(ui, pilot, app)  # the whole run: the status line at its widest
        await pilot.press("escape")  # back to the board
        await ui.wait_for(pilot, lambda: not isinstance(app.screen, ResultScreen))
        await pilot.pause()
        rng, field = app.screen.query_one("#lr-range"), app.screen.query_one("#lr-input")
        assert rng.display and rng.region.width > 0 and rng.region.right <= 80
        assert field.region.width >= 8 and field.region.right <= rng.region.x
        assert "0.001–1" in str(rng.render())
