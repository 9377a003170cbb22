"""Snapshots of the charts issue 16 asked to fix, at the sizes where they were wrong
(SVG files under __snapshots__; update with --snapshot-update, then look at them).

Beside each, a test that reads the chart itself, so a snapshot is not the only check.
"""

from __future__ import annotations

from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.charts import LandscapeChart

WIDE = (100, 32)
SMALL = (80, 24)


def _steps(ui, lr: str | None, presses: list[str]):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        if lr is not None:
            await ui.type_lr(pilot, lr)
        await pilot.press(*presses)
        await ui.settle(pilot)

    return run_before


def _until_result(ui, runs: list[str]):
    """Play ``runs`` (rates) to their ends with r, retrying between them: the last
    result shows the earlier ones as well."""

    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        for k, lr in enumerate(runs):
            if k:
                await pilot.press("r")  # retry from the result screen
                await ui.settle(pilot)
            await ui.type_lr(pilot, lr)
            await pilot.press("f")
            await ui.wait_for(pilot, lambda: isinstance(pilot.app.screen, ResultScreen))
            await ui.settle(pilot)

    return run_before


def test_fit_a_line_points_on_top_and_the_line_leaving(snap_compare, ui):
    run_before = _steps(ui, "0.3", ["space"] * 2)
    assert snap_compare(ui.game("fit-a-line"), run_before=run_before, terminal_size=WIDE)


def test_fit_a_line_at_80x24(snap_compare, ui):
    run_before = _steps(ui, "0.05", ["space"] * 3)
    assert snap_compare(ui.game("fit-a-line"), run_before=run_before, terminal_size=SMALL)


def test_result_chart_ghost_you_and_earlier_runs_at_80x24(snap_compare, ui):
    run_before = _until_result(ui, ["0.001", "0.3", "0.9"])
    assert snap_compare(ui.game("x-squared"), run_before=run_before, terminal_size=SMALL)


def test_result_chart_at_100x32(snap_compare, ui):
    run_before = _until_result(ui, ["0.02", "0.085"])
    assert snap_compare(ui.game("stretched-bowl"), run_before=run_before, terminal_size=WIDE)


def test_contours_double_well_with_its_deep_valley(snap_compare, ui):
    run_before = _steps(ui, None, [])
    assert snap_compare(ui.game("double-well"), run_before=run_before, terminal_size=WIDE)


def test_contours_at_80x24(snap_compare, ui):
    run_before = _steps(ui, "0.085", ["space"] * 5)
    assert snap_compare(ui.game("stretched-bowl"), run_before=run_before, terminal_size=SMALL)


def test_a_floor_far_from_the_start(snap_compare, ui):
    level = str(ui.LEVELS / "floor-at-three.yaml")
    run_before = _steps(ui, "0.01", ["space"] * 2)
    assert snap_compare(ui.game(level), run_before=run_before, terminal_size=SMALL)


def test_range_test_at_80x24(snap_compare, ui):
    async def run_before(pilot) -> None:
        await ui.settle(pilot)
        await pilot.press("t")
        await ui.settle(pilot)

    assert snap_compare(ui.game("range-finder"), run_before=run_before, terminal_size=SMALL)


def test_dogs_result_the_quiz_over_time_at_80x24(snap_compare, ui):
    run_before = _until_result(ui, ["0.2"])
    assert snap_compare(ui.game("child-and-dogs"), run_before=run_before, terminal_size=SMALL)


# -- what the snapshots show, read from the charts ---------------------------------------


async def _landscape_xlim(ui, level) -> tuple[float, float]:
    app = ui.game(level)
    async with app.run_test(size=SMALL) as pilot:
        await ui.settle(pilot)
        chart = app.screen.query_one("#landscape", LandscapeChart)
        chart.text()  # drawn
        return chart.plt._xlim


async def test_the_view_holds_a_floor_far_from_the_start(ui):
    x0, x1 = await _landscape_xlim(ui, str(ui.LEVELS / "floor-at-three.yaml"))
    assert x0 <= 1 and x1 >= 3  # the start and the floor (it was [-0.3, 1.3])


async def test_the_view_holds_double_wells_deep_valley_from_the_start(ui):
    x0, x1 = await _landscape_xlim(ui, "double-well")
    assert x0 <= -1.04 and x1 >= 2  # the deep valley near x = -1.04, the start at 2
