"""The title, the campaign's locks, the command palette and how the game is started."""

from __future__ import annotations

import subprocess
import sys

from lrgame import levels
from lrgame.store import Store
from lrgame.ui.screens.campaign import CampaignScreen, reflow
from lrgame.ui.screens.play import PlayScreen
from lrgame.ui.screens.title import TitleScreen


def _second() -> tuple[str, str]:
    """The id and title of the campaign's second level (the first one it locks)."""
    level_id = levels.campaign_ids()[1][1]
    return level_id, levels.find_level(level_id).title


def _prompts(screen) -> list[str]:
    levels = screen.query_one("#levels")
    return [str(levels.get_option_at_index(i).prompt) for i in range(levels.option_count)]


async def test_title_then_campaign_then_the_first_level(ui):
    app = ui.game()
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert "lrgame" in str(app.screen.query_one("#tagline").render())
        await pilot.press("enter")
        await ui.settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        prompts = _prompts(app.screen)
        assert prompts[0] == levels.campaign_ids()[0][0]  # a chapter heading
        assert any(_second()[1] in p and "locked" in p for p in prompts)
        await pilot.press("enter")
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen) and app.screen.level.id == "x-squared"
        await pilot.press("escape")
        await ui.settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, TitleScreen)


async def test_a_locked_level_does_not_open(ui):
    app = ui.game()
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.press("enter")
        await ui.settle(pilot)
        await pilot.press("down", "enter")  # the second level: still locked
        await ui.settle(pilot)
        assert isinstance(app.screen, CampaignScreen)


async def test_a_teacher_unlocks_everything_with_a_key(ui):
    app = ui.game()
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.press("enter")
        await ui.settle(pilot)
        await pilot.press("U")
        assert not any("locked" in p for p in _prompts(app.screen))
        await pilot.press("down", "enter")
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.level.id == _second()[0]
    assert Store.open().setting("unlock_all") == "1"  # remembered for the next lesson


async def test_the_unlock_all_flag(ui):
    app = ui.game(unlock_all=True)
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.press("enter")
        await ui.settle(pilot)
        assert not any("locked" in p for p in _prompts(app.screen))


async def test_a_saved_best_shows_on_the_campaign(ui):
    Store.open().record("x-squared", 2, 2, 500, [0.4, 0.6])
    app = ui.game()
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.press("enter")
        await ui.settle(pilot)
        first = _prompts(app.screen)[1]
        assert "★★☆" in first and "2 steps" in first
        assert _second()[1] in str(app.screen.query_one("#detail").render())
        await pilot.press("up")  # the cleared level, with its replay
        await pilot.pause()
        detail = str(app.screen.query_one("#detail").render())
        assert "0.4, 0.6" in detail and "500 points" in detail


async def test_a_corrupt_progress_file_is_reported(ui, lrgame_home):
    lrgame_home.mkdir(parents=True)
    (lrgame_home / "progress.db").write_bytes(b"definitely not sqlite" * 100)
    app = ui.game()
    async with app.run_test(size=ui.SIZE, notifications=True) as pilot:
        await ui.settle(pilot)
        assert any("moved" in n.message for n in app._notifications)
    assert list(lrgame_home.glob("progress.db.corrupt-*"))


async def test_the_palette_goes_to_a_level_and_offers_play_commands(ui):
    from lrgame.ui.commands import GameCommands, LevelCommands

    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        play = app.screen
        levels = LevelCommands(play)
        await levels.startup()
        texts = [t for t, _, _ in levels.commands()]
        assert texts == ["Go to level: The Valley of x²"]  # only unlocked levels
        game = [t for t, _, _ in GameCommands(play).commands()]
        assert {"Restart level", "Toggle log scale"} <= set(game)
        await pilot.press("space", "space")
        dict((t, c) for t, c, _ in GameCommands(play).commands())["Restart level"]()
        assert play.run.iteration == 0
        dict((t, c) for t, c, _ in GameCommands(play).commands())["Toggle log scale"]()
        assert play.query_one("#loss-chart").log_scale
        app.set_unlock_all(True)
        await levels.startup()
        go = dict((t, c) for t, c, _ in levels.commands())
        go["Go to level: The Stretched Bowl"]()
        await ui.settle(pilot)
        assert app.screen.level.id == "stretched-bowl"


async def test_the_palette_opens(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press(*"log scale")
        # the palette searches in the background: wait for a match, not for a fixed time
        from textual.widgets import OptionList

        def matched() -> bool:
            found = app.screen.query(OptionList)
            return bool(found) and found.first().option_count > 0

        await ui.wait_for(pilot, matched)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.query_one("#loss-chart").log_scale


def test_reflow_joins_hard_wrapped_story_lines():
    assert reflow("one\ntwo\n\nthree\n") == "one two\n\nthree"


def test_a_bad_level_exits_1_with_path_line_errors_before_any_screen(ui):
    bad = ui.LEVELS / "broken.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "play", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines and all(line.startswith(f"{bad}:") for line in lines)


def test_an_unknown_level_is_a_usage_error(ui):
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "play", "no-such-level"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert "no-such-level" in proc.stderr


async def test_back_on_the_campaign_the_cursor_is_on_the_level_last_played(ui):
    app = ui.game(unlock_all=True)
    async with app.run_test(size=ui.SIZE) as pilot:
        await pilot.press("enter")
        await ui.settle(pilot)
        options = app.screen.query_one("#levels")
        options.highlighted = options.get_option_index("double-well")
        await pilot.press("enter")  # Two Valleys, from the campaign
        await ui.wait_for(pilot, lambda: isinstance(app.screen, PlayScreen))
        # then Next after Next, to the last level, as the result screen does
        for lid in ("raised-floor", "settle-the-noise"):
            await ui.settle(pilot)
            app.open_level(app.level(lid))
            await ui.wait_for(pilot, lambda: getattr(app.screen, "level", None) is not None)
            await ui.settle(pilot)
            assert app.screen.level.id == lid
        app.show_campaign()
        await ui.wait_for(pilot, lambda: isinstance(app.screen, CampaignScreen))
        await pilot.pause()
        highlighted = app.screen.query_one("#levels").highlighted_option
        assert highlighted is not None and highlighted.id == "settle-the-noise"
