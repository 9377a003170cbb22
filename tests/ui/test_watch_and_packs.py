"""`lrgame play FILE --watch` and `lrgame play FOLDER`, driven as a player would."""

from __future__ import annotations

import os
import time

from lrgame.__main__ import main
from lrgame.levels.packs import load_pack
from lrgame.levels.watch import LevelWatcher
from lrgame.store import Store
from lrgame.ui.app import make_app
from lrgame.ui.modes.watch import Watch
from lrgame.ui.screens.campaign import CampaignScreen
from lrgame.ui.screens.play import PlayScreen

LEVEL = """\
id: {id}
title: {title}
params:
  x: {start}
loss: "{loss}"
goal:
  loss_below: 1e-6
  max_iterations: 50
lr:
  default: 0.1
  min: 1e-3
  max: 1.5
"""


def write_level(path, *, id="watched", title="A Watched Valley", start=2.0, loss="x**2"):
    path.write_text(LEVEL.format(id=id, title=title, start=start, loss=loss))
    # a second save within the same clock tick must still be seen: move mtime on
    t = time.time() + getattr(write_level, "tick", 0)
    write_level.tick = getattr(write_level, "tick", 0) + 1
    os.utime(path, (t, t))


def watched_game(ui, path):
    watcher = LevelWatcher(path)
    return make_app(watcher.load(), watcher=watcher, cursor_blink=False, theme="textual-dark")


async def test_an_edited_level_reloads_and_keeps_the_rate(ui, tmp_path):
    path = tmp_path / "valley.yaml"
    write_level(path)
    app = watched_game(ui, path)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen) and isinstance(app.screen.watch, Watch)
        await ui.type_lr(pilot, "0.3")
        await pilot.press("space")
        assert "iteration 1" in ui.status_text(app)

        write_level(path, start=3.0, loss="0.5*x**2")
        await ui.wait_for(pilot, lambda: "0.5*x**2" in _head(app))
        await ui.settle(pilot)
        assert app.screen.lr == 0.3  # the rate is kept
        assert "iteration 0" in ui.status_text(app)  # a new run on the new level
        assert app.screen.run.params[0] == 3.0
        assert "reloaded" in _bar(app)


async def test_a_broken_save_is_shown_and_the_last_good_level_plays_on(ui, tmp_path):
    path = tmp_path / "valley.yaml"
    write_level(path)
    app = watched_game(ui, path)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        screen = app.screen
        path.write_text(path.read_text().replace('loss: "x**2"', 'loss: "x**"'))
        await ui.wait_for(pilot, lambda: str(path) in _bar(app) and "last good" in _bar(app))
        assert f"{path}:5:" in _bar(app)  # PATH:LINE: message
        assert app.screen is screen
        await pilot.press("space", "space")
        assert "iteration 2" in ui.status_text(app)

        write_level(path, title="Fixed Again")  # fixing it reloads
        await ui.wait_for(pilot, lambda: "Fixed Again" in _head(app))
        assert "last good" not in _bar(app)


async def test_a_save_that_changes_nothing_keeps_the_run(ui, tmp_path):
    path = tmp_path / "valley.yaml"
    write_level(path)
    app = watched_game(ui, path)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        screen = app.screen
        await pilot.press("space", "space")
        path.write_text("# a comment\n" + path.read_text())
        await ui.wait_for(pilot, lambda: "the same level" in _bar(app))
        assert app.screen is screen and "iteration 2" in ui.status_text(app)


def test_watch_refuses_a_pack_folder(tmp_path, capsys):
    assert main(["play", str(tmp_path), "--watch"]) == 2
    assert "--watch follows one level file" in capsys.readouterr().err


def _head(app) -> str:
    # polled while the reload switches screens: the new one may not be composed yet
    heads = app.screen.query("#level-head")
    return str(heads.first().render()) if heads else ""


def _bar(app) -> str:
    bars = app.screen.query("#watch-bar")  # none while a reload switches screens
    return str(bars.first().render()) if bars else ""


# -- packs -------------------------------------------------------------------------------


def make_pack(folder):
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "title: Two Valleys\nauthor: Ms Rivera\norder: [second-valley, x-squared]\n"
    )
    # one of its ids is a shipped id: its progress must not be the shipped level's
    write_level(folder / "x-squared.yaml", id="x-squared", title="Pack's Own x²", start=1.0)
    write_level(folder / "second-valley.yaml", id="second-valley", title="First In Order")
    return folder


async def test_a_pack_is_its_own_campaign(ui, tmp_path, lrgame_home):
    pack = load_pack(make_pack(tmp_path / "valleys"))
    app = make_app(source=pack, cursor_blink=False, theme="textual-dark")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        levels = app.screen.query_one("#levels")
        assert levels.border_title == "Two Valleys"
        prompts = [str(levels.get_option_at_index(i).prompt) for i in range(levels.option_count)]
        assert "Two Valleys" in prompts[0]
        assert "First In Order" in prompts[1] and "Pack's Own x²" in prompts[2]
        assert "locked" in prompts[2]  # the pack's order: the second opens after the first

        await pilot.press("enter")
        await ui.settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.level.title == "First In Order"
        await ui.type_lr(pilot, "0.5")
        await pilot.press("space")
        await ui.settle(pilot)
        await pilot.press("n")  # next level, in the pack's order
        await ui.settle(pilot)
        assert app.screen.level.title == "Pack's Own x²"

    keys = set(Store.open(lrgame_home).bests())
    assert keys == {"pack:valleys/second-valley"}


def test_play_folder_reports_a_bad_pack(tmp_path, capsys):
    folder = make_pack(tmp_path / "valleys")
    (folder / "pack.yaml").write_text("title: Two Valleys\norder: [missing]\n")
    assert main(["play", str(folder)]) == 1
    assert "no level file missing.yaml" in capsys.readouterr().err


def test_the_command_line_hands_the_game_a_pack_or_a_watcher(tmp_path, monkeypatch):
    import lrgame.ui.app as app_module

    seen = {}

    class FakeApp:
        return_code = 0

        def run(self):
            pass

    def fake_make_app(level=None, **kw):
        seen.update(kw, level=level)
        return FakeApp()

    monkeypatch.setattr(app_module, "make_app", fake_make_app)
    folder = make_pack(tmp_path / "valleys")
    assert main(["play", str(folder)]) == 0
    assert seen["source"].title == "Two Valleys" and seen["level"] is None
    assert main(["play", str(folder / "second-valley.yaml"), "--watch"]) == 0
    assert seen["watcher"].level is seen["level"] and seen["level"].id == "second-valley"
