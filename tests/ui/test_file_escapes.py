"""The game shows a level's title, story and hints without the terminal escapes in them
(the loader removes them: see tests/hostile/test_escapes.py)."""

from __future__ import annotations

from lrgame.ui.screens.play import PlayScreen

LEVEL = (
    'id: hostile-valley\ntitle: "Valley\\e]52;c;cm0gLXJmIH4K\\e\\\\"\n'
    'story: "\\e[2J\\e]0;owned\\e\\\\A valley with \\x9b31mred\\x9b0m walls.\\a"\n'
    'hints: ["look \\u202eright\\u202c", "one\\rtwo"]\n'
    'params: {x: 2.0}\nloss: "x**2"\n'
    "goal: {loss_below: 1e-6, max_iterations: 50}\nlr: {default: 0.1, min: 1e-5, max: 10}\n"
)


async def test_the_play_screen_shows_a_hostile_levels_text_without_its_escapes(ui, tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(LEVEL)
    app = ui.game(str(path))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("h")  # a hint, if the screen has the key
        await ui.settle(pilot)
        shown = app.export_screenshot()
    assert "Valley" in shown
    for payload in ("cm0gLXJmIH4K", "owned", "31m", "\x1b", "\x9b", "\x07", "\u202e"):
        assert payload not in shown, payload
