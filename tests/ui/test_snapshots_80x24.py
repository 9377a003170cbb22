"""Snapshots at 80x24 of the boards issue 16 changed: the campaign with results (a row
never wraps), the predict question, a schedule level's status line and lr range, and a
practice level with its streak. Update with ``--snapshot-update``, then look."""

from __future__ import annotations

from lrgame import levels
from lrgame.store import Store

SMALL = (80, 24)


def test_campaign_with_results_at_80x24(snap_compare, ui, lrgame_home):
    store = Store.open(lrgame_home)
    for _, lid in levels.campaign_ids()[:12]:
        store.record(lid, 3, 136, 1000, [0.1])

    async def run_before(pilot) -> None:
        await pilot.press("enter")
        await ui.settle(pilot)

    assert snap_compare(ui.game(), run_before=run_before, terminal_size=SMALL)


def test_predict_question_at_80x24(snap_compare, ui):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await pilot.press("space")
        await ui.settle(pilot)

    assert snap_compare(ui.game("which-way"), run_before=run_before, terminal_size=SMALL)


def test_schedule_level_keeps_the_lr_range_at_80x24(snap_compare, ui):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await pilot.press("s", "s", "space", "space")
        await ui.settle(pilot)

    assert snap_compare(ui.game("slow-down"), run_before=run_before, terminal_size=SMALL)


def test_practice_board_at_80x24(snap_compare, ui):
    from lrgame.ui.practice_app import PracticeApp

    async def run_before(pilot) -> None:
        await ui.settle(pilot)

    app = PracticeApp(42, cursor_blink=False, theme="textual-dark")
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_dogs_story_leaves_the_question_whole_at_80x24(snap_compare, ui):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)

    assert snap_compare(ui.game("child-and-dogs"), run_before=run_before, terminal_size=SMALL)
