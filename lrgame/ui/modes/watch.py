"""``lrgame play FILE --watch``: the play screen of a level that reloads as it is edited.

A ``Watch`` is a mode given to the play screen of the watched level (of any kind):
it polls the ``LevelWatcher`` about every half second in a worker thread (a reload
parses YAML and compiles the loss with sympy). A reload that changes the level
starts a new screen on the new version, keeping the player's rate; a change to
comments or spacing keeps the run; a file that does not validate is shown on the
watch bar while the last good version stays playable.
"""

from __future__ import annotations

import time

from ...levels.watch import POLL_SECONDS, Broken, LevelWatcher, Reloaded, keep_lr
from ..widgets.watch_bar import WatchBar
from . import Mode


class Watch(Mode):
    """Watching the level file the screen plays."""

    def __init__(self, watcher: LevelWatcher, note: str = "") -> None:
        super().__init__()
        self.watcher = watcher
        self._note = note
        self._polling = False

    def bar(self) -> WatchBar:
        return WatchBar(str(self.watcher.path), id="watch-bar")

    def mounted(self) -> None:
        bar = self.screen.query_one(WatchBar)
        if self.watcher.error is not None:
            bar.broken(self.watcher.error)
        else:
            bar.watching(self._note)
        self.screen.set_interval(POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        # Only the screen on view reloads: a result or help on top waits for the return.
        if self._polling or not self.screen.is_current:
            return
        self._polling = True
        self.screen.run_worker(
            self._poll_file, thread=True, exclusive=True, group="watch", exit_on_error=False
        )

    def _poll_file(self) -> None:
        event = None
        try:
            event = self.watcher.poll()
        finally:
            self.screen.app.call_from_thread(self._polled, event)

    def _polled(self, event: Reloaded | Broken | None) -> None:
        self._polling = False
        screen = self.screen
        if event is None or not screen.is_attached:
            return
        bar = screen.query_one(WatchBar)
        if isinstance(event, Broken):
            bar.broken(event.error)
            return
        at = time.strftime("%H:%M:%S")
        if not event.changed:
            bar.watching(f"saved at {at}: the same level, so the run goes on")
            return
        screen._stop()
        lr = keep_lr(screen.lr, event.level)
        kept = "kept" if lr == screen.lr else "moved into the new range"
        note = f"reloaded at {at}: a new run, your lr {kept}"
        screen.app.switch_screen(
            screen.app.play_screen(event.level, watch=Watch(self.watcher, note), lr=lr)
        )
