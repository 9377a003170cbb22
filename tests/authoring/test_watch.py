"""LevelWatcher: reload on a real change, report a broken edit, keep the last good level."""

import os

import pytest

from lrgame import levels as L
from lrgame.commands.new import write_new_level
from lrgame.levels.watch import POLL_SECONDS, Broken, LevelWatcher, Reloaded, keep_lr


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t

    def tick(self, dt=POLL_SECONDS):
        self.t += dt


@pytest.fixture
def watched(tmp_path):
    path = write_new_level("valley", tmp_path)
    clock = Clock()
    watcher = LevelWatcher(path, clock=clock)
    return path, clock, watcher


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_first_load_then_quiet_until_the_file_changes(watched):
    path, clock, watcher = watched
    level = watcher.load()
    assert level.id == "valley" and L.level_path(level) == str(path)
    assert watcher.poll() is None  # too soon
    clock.tick()
    assert watcher.poll() is None  # nothing changed
    os.utime(path)  # touched, same bytes
    clock.tick()
    assert watcher.poll() is None


def test_an_edit_reloads_and_a_comment_edit_keeps_the_content(watched):
    path, clock, watcher = watched
    watcher.load()
    edit(path, "  max: 2", "  max: 0.9")
    assert watcher.poll() is None  # not yet time to look
    clock.tick()
    event = watcher.poll()
    assert isinstance(event, Reloaded) and event.changed
    assert watcher.level.lr.max == 0.9
    edit(path, "# The name the player sees", "# The name shown")
    clock.tick()
    event = watcher.poll()
    assert isinstance(event, Reloaded) and not event.changed


def test_a_broken_edit_is_reported_and_the_last_good_level_stays(watched):
    path, clock, watcher = watched
    good = watcher.load()
    edit(path, 'loss: "(x - 3)**2 + 1"', 'loss: "(x - 3)^2 + 1"')
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if ln.startswith("loss"))
    clock.tick()
    event = watcher.poll()
    assert isinstance(event, Broken)
    assert (
        str(event.error) == f"{path}:{line}: loss: '^' is not an operator here: write ** for powers"
    )
    assert watcher.level is good and watcher.error is event.error
    clock.tick()
    assert watcher.poll() is None  # reported once
    edit(path, "^2", "**2")
    clock.tick()
    event = watcher.poll()
    assert isinstance(event, Reloaded) and not event.changed and watcher.error is None


def test_a_file_that_vanishes_mid_save_and_comes_back(watched):
    path, clock, watcher = watched
    watcher.load()
    text = path.read_text()
    path.unlink()
    clock.tick()
    event = watcher.poll()
    assert isinstance(event, Broken) and "cannot open file" in str(event.error)
    clock.tick()
    assert watcher.poll() is None
    path.write_text(text)
    clock.tick()
    assert isinstance(watcher.poll(), Reloaded)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_the_level_s_place_does_not_hang(watched):
    path, clock, watcher = watched
    watcher.load()
    path.unlink()
    os.mkfifo(path)
    clock.tick()
    event = watcher.poll()
    assert isinstance(event, Broken) and "not a regular file" in str(event.error)


def test_a_bad_first_load_raises():
    with pytest.raises(L.LevelError, match="cannot open file"):
        LevelWatcher("/no/such/level.yaml").load()


def test_keep_lr_stays_inside_the_new_range(watched):
    _, _, watcher = watched
    level = watcher.load()  # lr from 1e-4 to 2
    assert keep_lr(0.3, level) == 0.3
    assert keep_lr(5.0, level) == 2
    assert keep_lr(1e-9, level) == 1e-4
