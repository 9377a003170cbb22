"""Snapshots of every screen (SVG files under __snapshots__, reviewed like code).

Update them with ``pytest tests/ui/test_snapshots.py --snapshot-update``, then look.
"""

from __future__ import annotations

import pytest

WIDE = (100, 32)
SMALL = (80, 24)


def _steps(ui, lr: str, presses: list[str]):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await ui.type_lr(pilot, lr)
        await pilot.press(*presses)
        await ui.settle(pilot)

    return run_before


def test_title(snap_compare, ui):
    assert snap_compare(ui.game(), terminal_size=WIDE)


def test_campaign(snap_compare, ui):
    async def run_before(pilot) -> None:
        await pilot.press("enter")
        await ui.settle(pilot)

    assert snap_compare(ui.game(), run_before=run_before, terminal_size=WIDE)


def test_play_one_parameter_walk_through(snap_compare, ui):
    run_before = _steps(ui, "0.1", ["space"] * 3)
    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=WIDE)


def test_play_one_parameter_overshoot_zig_zag(snap_compare, ui):
    run_before = _steps(ui, "0.9", ["space"] * 4)
    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=WIDE)


def test_play_two_parameters(snap_compare, ui):
    run_before = _steps(ui, "0.085", ["space"] * 8)
    assert snap_compare(ui.game("stretched-bowl"), run_before=run_before, terminal_size=WIDE)


def test_play_many_parameters(snap_compare, ui):
    level = str(ui.LEVELS / "five-weights.yaml")
    run_before = _steps(
        ui,
        "0.15",
        ["space"] * 6,
    )
    assert snap_compare(ui.game(level), run_before=run_before, terminal_size=WIDE)


@pytest.mark.parametrize("log", [False, True])
def test_play_at_80x24(snap_compare, ui, log):
    run_before = _steps(ui, "0.3", ["space"] * 4 + (["g"] if log else []))
    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=SMALL)


def _preview(ui, lr: str, presses: list[str]):
    async def run_before(pilot) -> None:
        await _steps(ui, lr, presses)(pilot)
        pilot.app.clear_notifications()  # the "Preview on" note would cover the board
        await ui.settle(pilot)

    return run_before


def test_preview_one_parameter(snap_compare, ui):
    run_before = _preview(ui, "0.9", ["space", "space", "p", "left_square_bracket"])
    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=WIDE)


def test_preview_two_parameters_at_80x24(snap_compare, ui):
    run_before = _preview(ui, "0.05", ["space"] * 2 + ["p", "right_square_bracket"])
    assert snap_compare(ui.game("stretched-bowl"), run_before=run_before, terminal_size=SMALL)


def test_result_cleared(snap_compare, ui):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.3")
        await pilot.press("r")
        await ui.wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ResultScreen")
        await ui.settle(pilot)

    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=WIDE)


def test_result_diverged(snap_compare, ui):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "1.5")
        await pilot.press(*["space"] * 10)
        await ui.wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ResultScreen")
        await ui.settle(pilot)

    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=WIDE)


def test_help(snap_compare, ui):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await pilot.press("question_mark")
        await ui.settle(pilot)

    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=WIDE)
