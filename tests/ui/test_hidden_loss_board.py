"""The board of a level with show_loss: false: no formula in its header."""

from __future__ import annotations

from lrgame import levels as L


async def test_the_board_header_hides_the_formula_and_an_ordinary_one_shows_it(ui):
    for lid, hidden in (("coarse-to-fine", True), ("stretched-bowl", False)):
        app = ui.game(lid)
        async with app.run_test(size=ui.SIZE) as pilot:
            await ui.settle(pilot)
            head = str(app.screen.query_one("#level-head").render())
            formula = L.find_level(lid).loss
            assert ("loss = ?" in head) is hidden
            assert ("∂loss" in head) is not hidden
            assert ("(x - 0.4)" in head or "30*" in head or formula in head) is not hidden
