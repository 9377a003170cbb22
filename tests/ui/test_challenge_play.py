"""A challenge played in the game: its rules on the board, the result file, the grade."""

from __future__ import annotations

import json

from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.classroom.grade import Grader
from lrgame.text import num
from lrgame.ui.app import make_app
from lrgame.ui.modes.challenge import ChallengeRules
from lrgame.ui.screens.abandon import ConfirmAbandon
from lrgame.ui.screens.challenge import ChallengeScreen
from lrgame.ui.screens.play import PlayScreen
from lrgame.ui.screens.result import ResultScreen

CHALLENGE = """\
title: Two valleys
author: Ms Rivera
levels:
  - id: first
    title: The First Valley
    params: {x: 2.0}
    loss: "x**2"
    goal: {loss_below: 1e-6, max_iterations: 50}
    lr: {default: 0.1, min: 1e-3, max: 2}
  - id: second
    title: The Second Valley
    params: {x: 4.0}
    loss: "0.5*x**2"
    goal: {loss_below: 1e-6, max_iterations: 60}
    lr: {default: 0.1, min: 1e-3, max: 3}
rules:
  lr_changes: false
  attempts: {attempts}
  time_limit_minutes: 30
"""


def open_session(tmp_path, attempts=1):
    path = tmp_path / "week3.yaml"
    path.write_text(CHALLENGE.replace("{attempts}", str(attempts)))
    challenge = load_challenge(path)
    return ChallengeSession.open(challenge, "ada", tmp_path / "week3-ada.json")


def challenge_game(session):
    return make_app(session=session, cursor_blink=False, theme="textual-dark")


def bar(app) -> str:
    return str(app.screen.query_one("#challenge-bar").render())


def result_head(app) -> str:
    return str(app.screen.query_one("#result-head").render())


def saved(session) -> list[dict]:
    if not session.path.exists():
        return []
    return json.loads(session.path.read_text())["attempts"]


async def test_a_two_level_challenge_played_and_graded(ui, tmp_path):
    session = open_session(tmp_path, attempts=1)
    app = challenge_game(session)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, ChallengeScreen)
        detail = str(app.screen.query_one("#detail").render())
        assert "one rate for a whole run" in detail and "week3-ada.json" in detail
        await pilot.press("enter")
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen) and isinstance(app.screen.rules, ChallengeRules)
        assert "1 of 1 attempt left" in bar(app) and "left" in bar(app)

        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")  # x**2 from 2 at 0.5: the bottom in one step
        await ui.settle(pilot)
        await ui.wait_for(pilot, lambda: len(saved(session)) == 1)
        assert isinstance(app.screen, ResultScreen)
        # cleared, but the challenge goes on: the rate that reaches par stays hidden
        assert app.screen.result.cleared and "lr 0.5" not in result_head(app)
        assert "shows when the challenge is over" in result_head(app)

        await pilot.press("r")  # a second attempt: the rules allow one
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")
        await ui.settle(pilot)
        assert "iteration 0" in ui.status_text(app)
        assert len(saved(session)) == 1

        await pilot.press("escape")  # back to the challenge, on to the second level
        await ui.settle(pilot)
        assert isinstance(app.screen, ChallengeScreen)
        await pilot.press("down", "enter")
        await ui.settle(pilot)
        assert app.screen.level.id == "second"
        await ui.type_lr(pilot, "1")
        await pilot.press("r")
        await ui.wait_for(pilot, lambda: len(saved(session)) == 2)
        await ui.settle(pilot)
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        # the last attempt ended the challenge: now the rate may be named
        assert f"lr {num(app.screen.result.best_lr)}" in result_head(app)
        await pilot.press("c")
        await ui.settle(pilot)
        assert "The challenge is over" in str(app.screen.query_one("#detail").render())

    attempts = saved(session)
    assert [(a["level"], a["outcome"], a["lrs"]) for a in attempts] == [
        ("first", "cleared", [0.5]),
        ("second", "cleared", [1.0]),
    ]
    entry = Grader(load_challenge(tmp_path / "week3.yaml")).grade(str(session.path))
    assert entry.status == "accepted", entry.reason
    assert entry.total_score == 2000


async def test_the_rate_locks_and_giving_up_counts_after_a_warning(ui, tmp_path):
    session = open_session(tmp_path, attempts=2)
    app = challenge_game(session)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("enter")
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.01")
        await pilot.press("space", "space")
        assert "rate locked" in bar(app) and "attempt 1 of 2" in bar(app)
        await pilot.press("right_square_bracket")
        assert app.screen.lr == 0.01  # locked after the first step
        await pilot.press("u")
        assert "iteration 2" in ui.status_text(app)  # no undo

        await pilot.press("x")  # giving up is asked first...
        await pilot.pause()
        assert isinstance(app.screen, ConfirmAbandon)
        await pilot.press("n")
        await pilot.pause()
        assert "iteration 2" in ui.status_text(app) and saved(session) == []

        await pilot.press("x", "y")  # ...and then counts
        await ui.settle(pilot)
        assert "iteration 0" in ui.status_text(app)
        assert [a["outcome"] for a in saved(session)] == ["abandoned"]
        assert "1 of 2 attempts left" in bar(app)
        await pilot.press("right_square_bracket")  # a new run: the rate is free again
        assert app.screen.lr > 0.01

        await pilot.press("space", "escape")  # leaving mid-run asks too
        await pilot.pause()
        assert isinstance(app.screen, ConfirmAbandon)
        await pilot.press("y")
        await ui.settle(pilot)
        assert isinstance(app.screen, ChallengeScreen)
        assert [a["outcome"] for a in saved(session)] == ["abandoned", "abandoned"]
        await pilot.press("enter")  # no attempts left: the level does not open
        await ui.settle(pilot)
        assert isinstance(app.screen, ChallengeScreen)

    entry = Grader(load_challenge(tmp_path / "week3.yaml")).grade(str(session.path))
    assert entry.status == "accepted", entry.reason


# -- what the game records, the grader accepts (issue 11) ------------------------------------

TOOLS = """\
title: Tools
levels: [slow-down, x-squared, coarse-to-fine]
rules: {lr_changes: LR_CHANGES, attempts: 3}
"""


def tools_session(tmp_path, lr_changes: bool):
    path = tmp_path / "tools.yaml"
    path.write_text(TOOLS.replace("LR_CHANGES", str(lr_changes).lower()))
    return ChallengeSession.open(load_challenge(path), "ada", tmp_path / "tools-ada.json"), path


async def open_level(ui, pilot, app, level_id):
    """From the board or the result screen, back to the challenge, and open a level."""
    await pilot.press("c" if isinstance(app.screen, ResultScreen) else "escape")
    await ui.settle(pilot)
    assert isinstance(app.screen, ChallengeScreen)
    ids = list(app.session.challenge.levels)
    await pilot.press("home", *["down"] * ids.index(level_id), "enter")
    await ui.settle(pilot)
    assert app.screen.level.id == level_id


async def test_a_cosine_run_on_slow_down_is_recorded_as_cosine_and_accepted(ui, tmp_path):
    session, path = tools_session(tmp_path, lr_changes=True)
    app = challenge_game(session)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("down", "enter")  # x-squared: cleared at 0.5
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: len(saved(session)) == 1)
        await open_level(ui, pilot, app, "slow-down")
        await ui.type_lr(pilot, "0.02")
        await pilot.press("s", "s", "s")
        assert app.screen.schedule.spec() == "cosine:t_max=12,eta_min=0"
        await pilot.press("r")
        await ui.wait_for(pilot, lambda: len(saved(session)) == 2)
        await ui.settle(pilot)
        assert isinstance(app.screen, ResultScreen)
        shown = app.screen.result.score
    cosine = saved(session)[1]
    assert cosine["schedule"] == "cosine:t_max=12,eta_min=0" and min(cosine["lrs"]) < 1e-3
    entry = Grader(load_challenge(path)).grade(str(session.path))
    assert entry.status == "accepted", entry.reason
    assert entry.levels[0].score == cosine["score"] == shown


async def test_typed_schedules_the_level_does_not_offer_are_refused(ui, tmp_path):
    session, _ = tools_session(tmp_path, lr_changes=True)
    app = challenge_game(session)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("enter")  # slow-down offers step, exponential and cosine
        await ui.settle(pilot)
        await pilot.press("S", "ctrl+u", *"cyclic:base_lr=1,max_lr=2,step_size_up=2", "enter")
        await pilot.pause()
        assert str(app.screen.query_one("#schedule-message").render()) == "not allowed here"
        notes = [n.message for n in app._notifications]
        assert any("does not offer the cyclic schedule" in n for n in notes), notes
        assert app.screen.schedule.spec() == "constant"


async def test_one_rate_per_run_leaves_no_schedule_to_pick_and_every_run_counts(ui, tmp_path):
    session, path = tools_session(tmp_path, lr_changes=False)
    app = challenge_game(session)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("enter")  # slow-down, a level with schedules
        await ui.settle(pilot)
        assert not app.screen.query("#schedule")  # no picker...
        await pilot.press("s", "s")  # ...and s does nothing
        assert app.screen.schedule.spec() == "constant"
        for n, lr in enumerate(("1", "2"), 1):
            await ui.type_lr(pilot, lr)
            await pilot.press("r")
            await ui.wait_for(pilot, lambda n=n: len(saved(session)) == n)
            await ui.settle(pilot)
            await open_level(ui, pilot, app, "slow-down")
    assert [a["schedule"] for a in saved(session)] == ["constant", "constant"]
    entry = Grader(load_challenge(path)).grade(str(session.path))
    assert entry.status == "accepted", entry.reason


async def test_a_trial_then_par_scores_950_on_the_board_and_in_grade(ui, tmp_path):
    session, path = tools_session(tmp_path, lr_changes=False)
    level = session.challenge.level("coarse-to-fine")
    par = level.compute_par()
    app = challenge_game(session)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await open_level(ui, pilot, app, "coarse-to-fine")
        await ui.type_lr(pilot, "1")
        await pilot.press("r")  # blows up: a trial
        await ui.wait_for(pilot, lambda: len(saved(session)) == 1)
        await ui.settle(pilot)
        await open_level(ui, pilot, app, "coarse-to-fine")
        assert "trial 2 (−50 points)" in ui.status_text(app)
        await ui.type_lr(pilot, repr(par.best_lr))
        await pilot.press("r")
        await ui.wait_for(pilot, lambda: len(saved(session)) == 2)
        await ui.settle(pilot)
        assert isinstance(app.screen, ResultScreen)
        assert app.screen.result.score == 950 and app.screen.result.trial_cost == 50
    assert [a["score"] for a in saved(session)] == [0, 950]
    entry = Grader(load_challenge(path)).grade(str(session.path))
    assert entry.status == "accepted" and entry.total_score == 950, entry.reason


def test_the_sparkline_holds_a_growing_schedule_at_lr_max_as_the_board_does():
    from lrgame.engine import parse_schedule
    from lrgame.ui.widgets.schedule_picker import planned_rates

    rates = planned_rates(parse_schedule("exponential:gamma=2"), 1.0, 5, lr_max=3.0)
    assert rates.tolist() == [1.0, 2.0, 3.0, 3.0, 3.0]


async def test_a_challenge_refuses_the_preview(ui, tmp_path):
    app = challenge_game(open_session(tmp_path, attempts=2))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("enter")
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen) and isinstance(app.screen.rules, ChallengeRules)
        await pilot.press("p")
        await pilot.pause()
        assert not app.screen.preview and not app.screen.explored
        assert any("off in a challenge" in n.message for n in app._notifications)
        shown = [
            a.binding.description for a in app.screen.active_bindings.values() if a.binding.show
        ]
        assert "Peek" not in shown and "Step" in shown  # not offered on the footer either
