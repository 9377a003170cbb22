"""The whole loop, driven by keys: open a level, set lr, step, undo, run, clear, save."""

from __future__ import annotations

import pytest

from lrgame import levels
from lrgame.judging.diagnose import Situation
from lrgame.store import Store
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.play import LR_FACTOR, PlayScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.step_table import StepTable


async def test_the_first_articles_walk_through(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert "iteration 0" in ui.status_text(app)
        await ui.type_lr(pilot, "0.1")
        assert app.screen.lr == 0.1
        assert isinstance(app.focused, StepTable)  # enter gave the board its focus back
        await pilot.press("space", "space", "space")
        status = ui.status_text(app)
        assert "iteration 3" in status and "loss 1.049" in status and "lr 0.1" in status
        table = app.screen.query_one(StepTable)
        assert table.row_count == 4
        assert [str(c) for c in table.get_row("1")][:4] == ["1", "1.6", "3.2", "0.32"]
        await pilot.press("u")
        assert "iteration 2" in ui.status_text(app)
        assert table.row_count == 3
        await pilot.press("x")
        assert "iteration 0" in ui.status_text(app)
        assert table.row_count == 1


async def test_the_slope_formula_is_shown(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        head = str(app.screen.query_one("#level-head").render())
        assert "x**2" in head and "2*x" in head


@pytest.mark.parametrize(
    "typed, message",
    [
        ("abc", "not a number"),
        ("inf", "must be finite"),
        ("nan", "must be finite"),
        ("-0.5", "above 0"),
        ("0", "above 0"),
        ("100", "1e-05 to 10"),
        ("1_0", "not a number"),
    ],
)
async def test_a_bad_rate_gets_a_message_not_a_crash(ui, typed, message):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("l", *typed, "enter")
        await pilot.pause()
        assert message in str(app.screen.query_one("#lr-message").render())
        assert app.screen.lr == 0.1  # unchanged
        await pilot.press("escape")  # leave the field: the board has the keys again
        await pilot.press("space")
        assert "iteration 1" in ui.status_text(app)


@pytest.mark.parametrize("typed, lr", [("1e-3", 1e-3), (".5", 0.5), (" 0.25 ", 0.25)])
async def test_rates_in_every_usual_spelling(ui, typed, lr):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, typed)
        assert app.screen.lr == pytest.approx(lr)


async def test_brackets_scale_the_rate_within_the_range(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("right_square_bracket")
        assert app.screen.lr == pytest.approx(0.1 * LR_FACTOR)
        await pilot.press(*["right_square_bracket"] * 3)
        assert app.screen.lr == pytest.approx(1.0)
        await pilot.press(*["right_square_bracket"] * 10)
        assert app.screen.lr == 10  # the level's lr.max
        await pilot.press("left_square_bracket")
        assert app.screen.lr == pytest.approx(10 / LR_FACTOR)


async def test_the_rate_can_change_between_steps(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("space")
        await ui.type_lr(pilot, "0.2")
        await pilot.press("space")
        assert app.screen.run.lrs == [0.1, 0.2]


async def test_a_good_rate_clears_shows_the_result_and_is_saved(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        result = app.screen.result
        assert result.cleared and result.stars == 3 and result.score == 1000
        assert result.par == 1 and result.new_best
        assert result.ghost_losses  # the par run is drawn beside the player's
        head = str(app.screen.query_one("#result-head").render())
        assert "Cleared" in head and "★★★" in head and "par 1" in head
    best = Store.open().best("x-squared")
    assert (best.stars, best.iterations, best.lrs) == (3, 1, (0.5,))

    # a new game reads it back: the campaign shows the stars and opens the next level
    app = ui.game()
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.press("enter")
        await ui.settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        options = app.screen.query_one("#levels")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        level_prompts = [p for p in prompts if "☆" in p or "★" in p or "locked" in p]
        assert "★★★" in level_prompts[0] and "Valley" in level_prompts[0]
        assert "locked" not in level_prompts[1]  # the next level opened
        assert "locked" in level_prompts[2]


async def test_run_animates_to_the_end_and_can_be_stopped(ui, monkeypatch):
    from lrgame.ui.screens import play

    monkeypatch.setattr(play, "RUN_SECONDS", 30.0)  # 8 steps a second: time to stop it
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.01")
        await pilot.press("r")
        assert app.screen.running
        await ui.wait_for(pilot, lambda: app.screen.run.iteration >= 1)
        await pilot.press("r")  # stop
        assert not app.screen.running
        stopped_at = app.screen.run.iteration
        assert 1 <= stopped_at < 50
        await pilot.pause(0.3)
        assert app.screen.run.iteration == stopped_at  # really stopped
        await pilot.press("r")
        await pilot.pause(0.2)
        await pilot.press("escape")  # escape stops a run, it does not leave the level
        assert isinstance(app.screen, PlayScreen) and not app.screen.running

        await ui.type_lr(pilot, "0.3")
        await pilot.press("x", "r")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.result.cleared
        await pilot.press("escape")  # back to the board to study the run
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("space")  # the run is over: a word, not a crash
        await pilot.press("r")
        await pilot.press("escape")  # dismiss nothing; leaves to the campaign
        await ui.settle(pilot)
        assert isinstance(app.screen, CampaignScreen)


async def test_divergence_is_explained(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "1.5")
        await pilot.press("space", "space", "space")
        await ui.settle(pilot)  # the diagnosis is worked out off the UI thread
        text = str(app.screen.query_one("#diagnosis").render())
        assert "the run diverges at step 10" in text  # the forecast: 4 * 4**10 > 4e6
        await pilot.press("r")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.pause()  # pushed, and its children composed (a busy machine is slow)
        result = app.screen.result
        assert result.diagnosis.kind is Situation.DIVERGED and result.stars == 0
        assert "too big" in str(app.screen.query_one("#result-diagnosis").render()) or (
            "yours is 1.5" in result.diagnosis.text
        )
    assert Store.open().best("x-squared") is None  # nothing saved for a failed run


async def test_a_crawl_is_explained(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.001")
        await pilot.press("space", "space")
        await ui.settle(pilot)
        assert "Slow crawl" in str(app.screen.query_one("#diagnosis").render())


async def test_retry_and_next_from_the_result(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("r")
        assert isinstance(app.screen, PlayScreen) and app.screen.run.iteration == 0
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await pilot.press("n")
        await ui.wait_for(
            pilot,
            lambda: isinstance(app.screen, PlayScreen) and app.screen.level.id != "x-squared",
        )
        assert app.screen.level.id == levels.campaign_ids()[1][1]
        await pilot.press("escape")
        await ui.settle(pilot)
        assert isinstance(app.screen, CampaignScreen)


async def test_hints_and_log_scale(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("h")
        assert "Hint 1/" in str(app.screen.query_one("#hint-line").render())
        await pilot.press("h")
        assert "Hint 2/" in str(app.screen.query_one("#hint-line").render())
        chart = app.screen.query_one("#loss-chart")
        await pilot.press("g")
        assert chart.log_scale
        await pilot.press("g")
        assert not chart.log_scale


async def test_help_opens_and_closes(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert isinstance(app.screen, PlayScreen)


@pytest.mark.parametrize("level", ["stretched-bowl", "five-weights"])
async def test_two_and_many_parameters_play(ui, level):
    ref = str(ui.LEVELS / "five-weights.yaml") if level == "five-weights" else level
    app = ui.game(ref)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press(*["space"] * 5, "g")
        await pilot.pause()
        assert "iteration 5" in ui.status_text(app)
        table = app.screen.query_one(StepTable)
        assert table.full == (level == "stretched-bowl")


async def test_small_terminal_and_resizes(ui):
    app = ui.game("stretched-bowl")
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.settle(pilot)
        await pilot.press("space", "space")
        assert "iteration 2" in ui.status_text(app)
        assert app.screen.has_class("-short")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert app.screen.has_class("-tall")
        assert "iteration 2" in ui.status_text(app)


async def test_a_rate_typed_in_a_burst_after_l_reaches_the_field(ui):
    """A terminal hands the keys over together when typed fast (or pasted): each is
    posted at once, as the driver does, not one per turn as Pilot presses them."""
    from textual import events

    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert app.screen.lr == 0.1
        for key, char in [("l", "l"), ("0", "0"), ("full_stop", "."), ("7", "7")]:
            app.post_message(events.Key(key, char))
        app.post_message(events.Key("enter", "\r"))
        await ui.wait_for(pilot, lambda: app.screen.lr == 0.7)
        await ui.wait_for(pilot, lambda: isinstance(app.focused, StepTable))
        await pilot.press("space")
        assert "lr 0.7" in ui.status_text(app) and app.screen.run.iteration == 1


async def test_an_l_typed_into_the_schedule_field_stays_there(ui):
    from lrgame.ui.widgets.schedule_picker import SchedulePicker

    app = ui.game("slow-down")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("S", "ctrl+u", *"exponential:gamma=0.9", "enter")
        await pilot.pause()
        assert app.screen.query(SchedulePicker)  # offered here
        assert app.screen.schedule.spec() == "exponential:gamma=0.9"  # its l was typed
