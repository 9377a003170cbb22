"""Where the autopilot race is not offered, the key says why in one line: in a
challenge (it would show where a rate leads before the run is played, as the preview
would), and on the child and the dogs (every run takes every dog: no steps to race)."""

from __future__ import annotations

import json

from lrgame import autopilot, levels
from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.classroom.grade import Grader
from lrgame.ui.app import make_app
from lrgame.ui.screens.challenge import ChallengeScreen

CHALLENGE = """\
title: Week 6
levels: [momentum-kick]
rules:
  attempts: 2
"""


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_no_race_in_a_challenge_and_the_attempt_is_graded_as_ever(ui, tmp_path):
    path = tmp_path / "week6.yaml"
    path.write_text(CHALLENGE)
    session = ChallengeSession.open(load_challenge(path), "ada", tmp_path / "week6-ada.json")
    app = make_app(session=session, cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE, notifications=True) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, ChallengeScreen)
        await pilot.press("enter")
        await ui.settle(pilot)
        await pilot.press("a")
        await ui.settle(pilot)
        assert app.screen.autopilot is None
        assert not app.screen.query_one("#autopilot-line").has_class("-shown")
        assert any("autopilot race is off in a challenge" in n for n in notes(app))
        await pilot.press("f")  # the attempt is played and saved as without the key
        await ui.wait_for(pilot, lambda: session.path.exists())
        await ui.settle(pilot)
    (attempt,) = json.loads(session.path.read_text())["attempts"]
    assert attempt["level"] == "momentum-kick" and "autopilot" not in json.dumps(attempt)
    entry = Grader(load_challenge(path)).grade(str(session.path))
    assert entry.status == "accepted", entry.reason


async def test_the_dogs_say_why_there_is_no_race(ui):
    app = ui.game("child-and-dogs")
    async with app.run_test(size=ui.SIZE, notifications=True) as pilot:
        await ui.settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        n = len(levels.find_level("child-and-dogs").stream)
        assert any(f"all {n} new dogs" in m and "no steps to race" in m for m in notes(app))


def test_a_level_too_big_for_a_race_says_so(monkeypatch):
    from lrgame.autopilot import autopilot_for

    level = levels.find_level("x-squared")
    assert autopilot_for(level)[1] == ""
    monkeypatch.setattr(autopilot, "MAX_AUTOPILOT_PARAMS", 0)  # now even its twin is too big
    opt, why = autopilot_for(level)
    assert opt is None and "no smaller twin" in why
    opt, why = autopilot_for(levels.find_level("child-and-dogs"))
    assert opt is None and "takes no optimizers" in why
