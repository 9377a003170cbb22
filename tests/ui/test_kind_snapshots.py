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


# -- each kind's own view, and the modes' bars ------------------------------------------
# The board draws a kind's own chart from level.chart: a bowl's loss per curvature and a
# regression's points and lines; the range test is the tool some levels offer (t).


def test_bowl_view_loss_per_curvature(snap_compare, ui):
    run_before = _steps(ui, "0.01", ["space", "space", "space"])
    assert snap_compare(ui.game("hundred-bowl"), run_before=run_before, terminal_size=WIDE)


def test_regression_view_points_and_lines(snap_compare, ui):
    run_before = _steps(ui, "0.3", ["space", "space"])
    assert snap_compare(ui.game("fit-a-line"), run_before=run_before, terminal_size=WIDE)


def test_range_test_view(snap_compare, ui):
    run_before = _steps(ui, "0.01", ["t"])
    assert snap_compare(ui.game("range-finder"), run_before=run_before, terminal_size=WIDE)


CHALLENGE = """\
title: Snapshots
levels:
  - {level}
rules:
  lr_changes: false
  attempts: 2
"""


def _challenge_app(tmp_path, level: str):
    from lrgame.classroom.challenge import ChallengeSession, load_challenge
    from lrgame.ui.app import make_app

    path = tmp_path / "snap.yaml"
    path.write_text(CHALLENGE.format(level=level))
    session = ChallengeSession.open(load_challenge(path), "ada", tmp_path / "snap-ada.json")
    return make_app(session=session, cursor_blink=False, theme="textual-dark")


def test_challenge_bar_on_the_board(snap_compare, ui, tmp_path):
    async def play(pilot) -> None:
        await ui.settle(pilot)
        await pilot.press("enter")  # the challenge's only level
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.1")
        await pilot.press("space")
        await ui.settle(pilot)

    app = _challenge_app(tmp_path, "x-squared")
    assert snap_compare(app, run_before=play, terminal_size=WIDE)


def test_challenge_bar_on_the_dogs_view(snap_compare, ui, tmp_path):
    async def play(pilot) -> None:
        await ui.settle(pilot)
        await pilot.press("enter")
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.3")
        await pilot.press("space")
        await ui.settle(pilot)

    app = _challenge_app(tmp_path, "child-and-dogs")
    assert snap_compare(app, run_before=play, terminal_size=WIDE)


def test_watch_bar(snap_compare, ui, tmp_path, monkeypatch):
    from lrgame.levels import shipped_path
    from lrgame.levels.watch import LevelWatcher
    from lrgame.ui.app import make_app

    monkeypatch.chdir(tmp_path)  # the bar shows the path as given: keep it the same
    (tmp_path / "valley.yaml").write_text(shipped_path("x-squared").read_text())
    watcher = LevelWatcher("valley.yaml")
    app = make_app(watcher.load(), watcher=watcher, cursor_blink=False, theme="textual-dark")
    assert snap_compare(app, run_before=_steps(ui, "0.3", ["space"]), terminal_size=WIDE)
