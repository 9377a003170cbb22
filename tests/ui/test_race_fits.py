"""The autopilot's race on the board at 80x24 and 100x32: its two rows keep the rate's
bars inside the line and the line inside the screen, on the levels of each kind."""

from __future__ import annotations

import pytest

from lrgame.autopilot import SPARKS

SIZES = [(80, 24), (100, 32)]


def rows(app, widget) -> list[str]:
    """The widget's rows as the screen draws them (what the player sees of it)."""
    r = widget.region
    return [s.text[r.x : r.right] for s in app.screen._compositor.render_strips()[r.y : r.bottom]]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lid", ["momentum-kick", "beat-the-autopilot"])
async def test_the_race_and_its_rate_bars_fit_the_board(ui, size, lid):
    app = ui.game(lid)
    async with app.run_test(size=size) as pilot:
        await ui.settle(pilot)
        await pilot.press("a")
        await ui.wait_for(pilot, lambda: app.screen.autopilot is not None)
        await pilot.pause()
        line = app.screen.query_one("#autopilot-line")
        assert app.screen.region.contains_region(line.region)
        first, second = rows(app, line)
        assert "(a: hide)" in first
        assert sum(c in SPARKS for c in second) >= 8  # the rate per step, as bars
        ended, rate, _ = app.screen.autopilot.board_lines(size[0] - 2)
        assert first.strip().startswith(ended) and second.strip().startswith(rate)
        for wid in ("#diagnosis", "#status-row", "#steps"):  # nothing pushed off
            assert app.screen.region.contains_region(app.screen.query_one(wid).region)


def test_the_longest_race_words_fit_80_columns():
    """Nine-character numbers everywhere and a four-digit step: both rows still fit the
    78 cells inside the line's padding, with at least MIN_BARS bars."""
    from types import SimpleNamespace

    from lrgame.autopilot import MIN_BARS, Race
    from lrgame.engine.optimizers import parse_optimizer

    rates = [1.2345e-05 * (1 + k / 3000) for k in range(1500)] + [1.2346e-05]
    run = SimpleNamespace(lrs=rates)
    hd = parse_optimizer("hypergradient:beta=1.23e-05")
    race = Race(hd, 1.2345e-05, run, "out_of_budget", 1500)
    ended, rate, bars = race.board_lines(78)
    assert len(ended + "  (a: hide)") <= 78 and "1500 steps" in ended
    assert len(rate + " " + bars) <= 78 and len(bars) >= MIN_BARS
    assert rate.startswith("beta=1.23e-05, its rate 1.234e-05 → 1.851e-05 (step 1500) → 1.235e-05")
    assert race.board_lines(98)[1].startswith("hypergradient:beta=1.23e-05, its rate")
