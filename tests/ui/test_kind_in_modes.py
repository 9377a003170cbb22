"""Any kind plays in any mode: child-and-dogs on its own view under a challenge's rules
and in a watched file (it used to open the generic board there, reading "loss 2")."""

from __future__ import annotations

import json

from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.levels import shipped_path
from lrgame.levels.watch import LevelWatcher
from lrgame.ui.app import make_app
from lrgame.ui.kinds.child_and_dogs import DogsScreen
from lrgame.ui.modes.challenge import ChallengeRules
from lrgame.ui.modes.watch import Watch
from lrgame.ui.screens.result import ResultScreen

CHALLENGE = """\
title: Dogs
levels:
  - child-and-dogs
rules:
  lr_changes: false
  attempts: 1
"""


def _quiz(app) -> str:
    return str(app.screen.query_one("#quiz").render())


async def test_child_and_dogs_in_a_challenge_plays_on_its_own_view_under_the_rules(ui, tmp_path):
    path = tmp_path / "dogs.yaml"
    path.write_text(CHALLENGE)
    session = ChallengeSession.open(load_challenge(path), "ada", tmp_path / "dogs-ada.json")
    app = make_app(session=session, cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("enter")
        await ui.settle(pilot)
        screen = app.screen
        assert isinstance(screen, DogsScreen) and isinstance(screen.rules, ChallengeRules)
        # the kind's own view: the herd, the idea and the quiz, and its own status line
        assert screen.query_one("#herd") and screen.query_one("#idea") and _quiz(app)
        status = ui.status_text(app)
        assert "dog 0/2" in status and "loss" not in status
        assert "1 of 1 attempt left" in str(screen.query_one("#challenge-bar").render())
        await ui.type_lr(pilot, "0.3")
        await pilot.press("space")
        await pilot.press("u")  # no undo in a challenge
        await pilot.pause()
        assert "dog 1/2" in ui.status_text(app)
        await ui.type_lr(pilot, "0.01")  # the rate is locked for the run
        assert app.screen.lr == 0.3
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        result = app.screen.result
        assert result.cleared and result.stars == 3
        await ui.wait_for(pilot, lambda: session.path.exists())
        (attempt,) = json.loads(session.path.read_text())["attempts"]
        assert attempt["level"] == "child-and-dogs" and attempt["lrs"] == [0.3, 0.3]
        assert attempt["outcome"] == "cleared" and attempt["stars"] == 3


async def test_child_and_dogs_watched_plays_on_its_own_view_and_reloads_onto_it(ui, tmp_path):
    path = tmp_path / "dogs.yaml"
    path.write_text(shipped_path("child-and-dogs").read_text())
    watcher = LevelWatcher(path)
    app = make_app(watcher.load(), watcher=watcher, cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, DogsScreen) and isinstance(app.screen.watch, Watch)
        assert "watching" in str(app.screen.query_one("#watch-bar").render())
        assert "dog 0/2" in ui.status_text(app)
        await ui.type_lr(pilot, "0.3")
        path.write_text(path.read_text().replace("title:", "title: Edited -", 1))
        await ui.wait_for(pilot, lambda: app.screen.level.title.startswith("Edited"))
        await ui.settle(pilot)
        screen = app.screen
        assert isinstance(screen, DogsScreen) and isinstance(screen.watch, Watch)
        assert screen.lr == 0.3 and "reloaded" in str(screen.query_one("#watch-bar").render())
