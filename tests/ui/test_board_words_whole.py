"""The board says its words whole: at 80x24 the diagnosis and the result's, with the
race and the optimiser picker on (the boxes grow for the diagnosis' words, the charts
give way), and at 100x32 the rate field's range beside a long status line."""

from __future__ import annotations

from textual.widgets import Footer

from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.diagnosis_view import DiagnosisView

SMALL = (80, 24)


def shown(app, widget) -> str:
    """The widget's words as the screen draws them, one space between them (its
    left border, if any, dropped)."""
    r = widget.region
    strips = app.screen._compositor.render_strips()[r.y : r.bottom]
    rows = [s.text[r.x : r.right].lstrip("▌█") for s in strips]
    return " ".join(" ".join(rows).split())


async def test_a_long_diagnosis_is_read_whole_at_80x24(ui):
    app = ui.game("two-scales")
    async with app.run_test(size=SMALL) as pilot:
        await ui.settle(pilot)
        await pilot.press("o")  # adam: its long name is in the diagnosis twice
        await ui.type_lr(pilot, "0.03")
        await pilot.press("a", "space", "space", "space", "space")
        await ui.wait_for(pilot, lambda: app.screen.autopilot is not None)
        await ui.settle(pilot)
        view = app.screen.query_one(DiagnosisView)
        words = " ".join(view.text.plain.split())
        assert len(words) > 5 * 77  # over five rows of it: more than the old box held (4)
        assert shown(app, view).endswith(words)
        footer = app.screen.query_one(Footer).region
        assert view.region.bottom <= footer.y
        assert app.screen.query_one("#autopilot-line").region.height == 2
        await pilot.press("f")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await ui.settle(pilot)
        box = app.screen.query_one("#result-diagnosis")
        assert shown(app, box).endswith(" ".join(app.screen._diagnosis_text().split())[-60:])


async def test_a_long_status_line_leaves_the_rate_range_at_100x32(ui):
    """Momentum's velocity makes the status line long: at 100 columns it gives way (cut
    with an ellipsis) so that the rate field keeps its range, as at 80."""
    app = ui.game("long-valley")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("o")
        await ui.type_lr(pilot, "0.004")
        await pilot.press("space", "space", "space")
        await ui.settle(pilot)
        assert "velocity (26.95, 135)" in ui.status_text(app)
        row = app.screen.query_one("#status-row")
        assert shown(app, row).endswith("0.0001–1")
        await pilot.press("x")  # a short status line again: the field as it was
        await ui.settle(pilot)
        app.screen._status_width = 0
        app.screen._show_status()
        await pilot.pause()
        assert not app.screen.has_class("-crowded")


async def test_a_shorter_status_line_at_80x24_ends_in_no_ellipsis(ui):
    """Narrow, the status line takes the row's rest: padded to its widest (as on a wide
    screen) it would be cut, ending in "…" with nothing left out."""
    app = ui.game("momentum-kick")
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.settle(pilot)
        await pilot.press("o", "space", "space", "space")  # momentum's velocity: long
        await ui.settle(pilot)
        assert "…" in shown(app, app.screen.query_one("#status-row"))
        await pilot.press("x")
        await ui.settle(pilot)
        row = shown(app, app.screen.query_one("#status-row"))
        assert "…" not in row and row.endswith("0.4 0.001–1")


async def test_preview_and_race_together_fit_80x24(ui):
    """The preview's words take one row when they fit one: with the race, the picker
    and a five-row diagnosis, the board still fits 24 rows (no scrolling)."""
    app = ui.game("long-valley")
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.settle(pilot)
        await pilot.press("o")
        await ui.type_lr(pilot, "0.004")
        await pilot.press("a", "p", "space", "space", "space")
        await ui.wait_for(pilot, lambda: app.screen.autopilot is not None)
        await ui.settle(pilot)
        screen = app.screen
        assert screen.query_one("#preview-line").region.height == 1
        assert screen.query_one(DiagnosisView).region.height >= 5
        assert screen.virtual_size.height <= 24 and not screen.show_vertical_scrollbar
        footer = screen.query_one(Footer).region
        assert screen.query_one(DiagnosisView).region.bottom <= footer.y
