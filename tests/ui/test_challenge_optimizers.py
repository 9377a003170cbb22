"""Optimisers in a challenge played in the game: a level's own picker (o), a pinned one
with no picker, each attempt recorded with its optimiser and accepted by grade."""

from __future__ import annotations

import json

from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.classroom.grade import Grader
from lrgame.ui.app import make_app
from lrgame.ui.screens.challenge import ChallengeScreen
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.optimizer_picker import OptimizerPicker
from lrgame.ui.widgets.step_table import StepTable

CHALLENGE = """\
title: Week 5
levels:
  - momentum-kick
  - level: long-valley
    optimizer: momentum:beta=0.9
  - beat-the-autopilot
rules:
  attempts: 2
  lr_changes: LR_CHANGES
"""
MOMENTUM = "momentum:beta=0.9"


def open_session(tmp_path, lr_changes=True):
    path = tmp_path / "week5.yaml"
    path.write_text(CHALLENGE.replace("LR_CHANGES", str(lr_changes).lower()))
    challenge = load_challenge(path)
    return ChallengeSession.open(challenge, "ada", tmp_path / "week5-ada.json")


def saved(session) -> list[dict]:
    return json.loads(session.path.read_text())["attempts"] if session.path.exists() else []


def bar(app) -> str:
    return str(app.screen.query_one("#challenge-bar").render())


async def open_level(ui, pilot, app, level_id):
    if not isinstance(app.screen, ChallengeScreen):  # from a result screen, or a board
        await pilot.press("c" if isinstance(app.screen, ResultScreen) else "escape")
        await ui.settle(pilot)
    ids = list(app.session.challenge.levels)
    await pilot.press("home", *["down"] * ids.index(level_id), "enter")
    await ui.settle(pilot)
    assert app.screen.level.id == level_id


async def test_the_levels_picker_and_a_pinned_optimizer_recorded_and_graded(ui, tmp_path):
    session = open_session(tmp_path)
    app = make_app(session=session, cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("home", "down")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail").render())
        assert f"The challenge sets the optimizer on this level: {MOMENTUM}." in detail
        await open_level(ui, pilot, app, "momentum-kick")
        picker = app.screen.query_one(OptimizerPicker)  # offered as in the campaign
        assert picker.optimizer.spec() == "sgd"
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.run.optimizer.spec() == MOMENTUM
        await ui.type_lr(pilot, "0.3265")
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: len(saved(session)) == 1)
        await ui.settle(pilot)

        await open_level(ui, pilot, app, "long-valley")
        assert not app.screen.query(OptimizerPicker)  # the challenge sets it: nothing to pick
        assert app.screen.run.optimizer.spec() == MOMENTUM
        assert f"{MOMENTUM} set" in bar(app)
        assert app.screen.query_one(StepTable).moves  # "step", not "lr×slope", under momentum
        await pilot.press("o")  # no picker: o does nothing
        await pilot.pause()
        assert app.screen.run.optimizer.spec() == MOMENTUM
        await ui.type_lr(pilot, "0.004")
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: len(saved(session)) == 2)
        await ui.settle(pilot)
    kick, valley = saved(session)
    assert (kick["optimizer"], kick["iterations"], kick["stars"]) == (MOMENTUM, 4, 3)
    assert valley["optimizer"] == MOMENTUM and valley["outcome"] == "cleared"
    entry = Grader(load_challenge(tmp_path / "week5.yaml")).grade(str(session.path))
    assert entry.status == "accepted", entry.reason
    assert [f.score for f in entry.levels[:2]] == [kick["score"], valley["score"]]


async def test_one_rate_per_run_offers_no_hypergradient(ui, tmp_path):
    """The hypergradient changes the rate every step: under lr_changes: false it is not
    offered (beat-the-autopilot offers only it besides sgd: no picker at all)."""
    session = open_session(tmp_path, lr_changes=False)
    app = make_app(session=session, cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await open_level(ui, pilot, app, "beat-the-autopilot")
        assert not app.screen.query(OptimizerPicker)
        assert app.screen.run.optimizer.spec() == "sgd"
        await open_level(ui, pilot, app, "momentum-kick")
        assert app.screen.query_one(OptimizerPicker).tools[1].spec() == MOMENTUM
