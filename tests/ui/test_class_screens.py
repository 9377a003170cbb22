"""The live class on screen: a challenge's description, the name a browser visitor
gives, and the teacher's board."""

from __future__ import annotations

from rich.text import Text

from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.ui.app import make_app
from lrgame.ui.screens.challenge import ChallengeScreen
from lrgame.ui.screens.class_board import BoardApp, level_cell
from lrgame.ui.screens.class_join import ClassJoinScreen

CHALLENGE = """\
title: Two valleys
description: |
  Both valleys are bowls.
  Find each one's rate.
levels:
  - x-squared
rules:
  attempts: 2
"""


def session_in(tmp_path, player="Bea"):
    path = tmp_path / "c.yaml"
    path.write_text(CHALLENGE)
    return ChallengeSession.open(load_challenge(path), player, tmp_path / f"{player}.json")


def detail(app) -> str:
    return str(app.screen.query_one("#detail").render())


async def test_the_challenge_s_description_is_shown_when_it_starts(ui, tmp_path):
    app = make_app(session=session_in(tmp_path), cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, ChallengeScreen)
        assert "Both valleys are bowls. Find each one's rate." in detail(app)


async def test_a_visitor_names_themself_and_a_taken_name_is_refused(ui, tmp_path):
    tried = []

    def claim(name):
        tried.append(name)
        if name == "Ada":
            raise ValueError("not joined: the name 'Ada' is taken in this class: choose another")
        return session_in(tmp_path, name)

    app = make_app(join=("Two valleys", claim), cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, ClassJoinScreen)
        await pilot.press(*"Ada", "enter")
        await ui.settle(pilot)
        assert "is taken in this class" in str(app.screen.query_one("#why").render())
        assert isinstance(app.screen, ClassJoinScreen)
        await pilot.press(*["backspace"] * 3, *"Bea", "enter")
        await ui.settle(pilot)
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ChallengeScreen))
        await ui.settle(pilot)
        assert "for Bea" in detail(app)
        assert app.store.prefix == "challenge:c/"  # the challenge's own progress
    assert tried == ["Ada", "Bea"]


BOARD = {
    "title": "Two valleys",
    "version": 3,
    "levels": [{"id": "x-squared", "title": "The Valley", "par": 1}],
    "students": [
        {"player": "Ada", "total_score": 1000, "rank": 1, "latest": "cleared x-squared",
         "levels": [{"level": "x-squared", "attempts": 1, "outcome": "cleared", "iterations": 1,
                     "stars": 3, "score": 1000, "final_loss": 0.0, "par": 1}]},
        {"player": "Bob", "total_score": 0, "rank": 2, "latest": "diverged on x-squared at lr 2",
         "levels": [{"level": "x-squared", "attempts": 1, "outcome": "diverged",
                     "iterations": 9, "stars": 0, "score": 0, "final_loss": None, "par": 1}]},
    ],
    "rejected": [{"player": "Mal", "reason": "x-squared, attempt 1: changed score", "at": 0}],
    "feed": [{"seq": 2, "at": 0, "text": "Bob diverged on x-squared at lr 2"}],
}  # fmt: skip


def test_a_level_cell_shows_stars_and_steps_against_par_or_what_happened():
    assert level_cell(BOARD["students"][0]["levels"][0], 1).plain == "★★★ 1/1"
    assert level_cell(BOARD["students"][1]["levels"][0], 1).plain == "☆☆☆ diverged"
    assert level_cell(None, 1).plain == "-"
    momentum = {**BOARD["students"][0]["levels"][0], "optimizer": "momentum:beta=0.9"}
    assert level_cell(momentum, 1).plain == "★★★ 1/1 momentum"  # its name: one way per level
    assert level_cell({**momentum, "optimizer": "sgd"}, 1).plain == "★★★ 1/1"


async def test_the_board_shows_standings_feed_and_refusals(ui, tmp_path):
    app = BoardApp("http://127.0.0.1:9", "TEACHERKEY")  # nothing answers there: it says so
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.settle(pilot)
        app.show(BOARD)
        await pilot.pause()
        table = app.query_one("#standings")
        rows = [[c.plain if isinstance(c, Text) else c for c in table.get_row_at(i)]
                for i in range(table.row_count)]  # fmt: skip
        assert rows[0][:5] == ["1", "Ada", "1000", "1/1", "★★★ 1/1"]
        assert rows[1][:5] == ["2", "Bob", "0", "0/1", "☆☆☆ diverged"]
        assert "Bob diverged on x-squared at lr 2" in str(app.query_one("#feed").render())
        refused = str(app.query_one("#refused").render())
        assert "Mal: x-squared, attempt 1: changed score" in refused


async def test_the_class_s_answer_to_an_attempt_is_shown_to_the_player(ui, tmp_path):
    session = session_in(tmp_path)
    sent = []

    def on_saved(s):
        sent.append(len(s.attempts))
        return "The class refused your submission: changed score", False

    session.on_saved = on_saved
    app = make_app(session=session, cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert "Each attempt is sent to the class as it ends" in detail(app)
        await pilot.press("enter")
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")  # x² from 2 at 0.5: the bottom in one step
        await ui.wait_for(pilot, lambda: sent == [1])
        await ui.settle(pilot)
        shown = [(n.message, n.severity) for n in app._notifications]
        assert ("The class refused your submission: changed score", "error") in shown
