"""At 80x24 the board's diagnosis and the result's are read whole, with the race and
the optimiser picker on: the boxes grow for the diagnosis' words, the charts give way."""

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
