"""Snapshots of the kind-specific play screens (SVG files under __snapshots__).

Update them with ``pytest tests/ui/test_kind_snapshots.py --snapshot-update``, then look.
"""

from __future__ import annotations

WIDE = (100, 32)
SMALL = (80, 24)


def _steps(ui, lr: str, presses: list[str]):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await ui.type_lr(pilot, lr)
        await pilot.press(*presses)
        await ui.settle(pilot)

    return run_before


def test_dogs_after_the_first_white_dog(snap_compare, ui):
    run_before = _steps(ui, "0.3", ["space"])
    assert snap_compare(ui.game("child-and-dogs"), run_before=run_before, terminal_size=WIDE)


def test_dogs_at_80x24(snap_compare, ui):
    run_before = _steps(ui, "1", ["space"])
    assert snap_compare(ui.game("child-and-dogs"), run_before=run_before, terminal_size=SMALL)


def test_network_boundary_after_forty_steps(snap_compare, ui):
    run_before = _steps(ui, "2", ["space"] * 40)
    assert snap_compare(ui.game("four-rates"), run_before=run_before, terminal_size=WIDE)


def test_network_at_80x24(snap_compare, ui):
    run_before = _steps(ui, "1.5", ["space"] * 20)
    assert snap_compare(ui.game("spiral-arms"), run_before=run_before, terminal_size=SMALL)
