"""``lrgame play FILE --watch``: the play screen of a level that reloads as it is edited.

A ``WatchedPlayScreen`` is the play screen plus a ``LevelWatcher``, polled about
every half second in a worker thread (a reload parses YAML and compiles the loss
with sympy). A reload that changes the level starts a new screen on the new
version, keeping the player's rate; a change to comments or spacing keeps the run;
a file that does not validate is shown on the watch bar while the last good
version stays playable.
"""

from __future__ import annotations

import time

from textual import work
from textual.app import ComposeResult
from textual.widgets import Footer

from ..levels.watch import POLL_SECONDS, Broken, LevelWatcher, Reloaded, keep_lr
from .screens.play import PlayScreen
from .widgets.watch_bar import WatchBar


class WatchedPlayScreen(PlayScreen):
    """The play screen of a watched level file."""

    def __init__(self, level, watcher: LevelWatcher, *, lr: float | None = None, note: str = ""):
        super().__init__(level)
        self.watcher = watcher
        if lr is not None:
            self.set_reactive(PlayScreen.lr, lr)
        self._note = note
        self._polling = False

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, Footer):
                yield WatchBar(str(self.watcher.path), id="watch-bar")
            yield widget

    def on_mount(self) -> None:  # PlayScreen.on_mount runs too (Textual calls both)
        bar = self.query_one(WatchBar)
        if self.watcher.error is not None:
            bar.broken(self.watcher.error)
        else:
            bar.watching(self._note)
        self.set_interval(POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        # Only the screen on view reloads: a result or help on top waits for the return.
        if self._polling or not self.is_current:
            return
        self._polling = True
        self._poll_file()

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _poll_file(self) -> None:
        event = None
        try:
            event = self.watcher.poll()
        finally:
            self.app.call_from_thread(self._polled, event)

    def _polled(self, event: Reloaded | Broken | None) -> None:
        self._polling = False
        if event is None or not self.is_attached:
            return
        bar = self.query_one(WatchBar)
        if isinstance(event, Broken):
            bar.broken(event.error)
            return
        at = time.strftime("%H:%M:%S")
        if not event.changed:
            bar.watching(f"saved at {at}: the same level, so the run goes on")
            return
        self._stop()
        lr = keep_lr(self.lr, event.level)
        kept = "kept" if lr == self.lr else "moved into the new range"
        self.app.switch_screen(
            WatchedPlayScreen(
                event.level,
                self.watcher,
                lr=lr,
                note=f"reloaded at {at}: a new run, your lr {kept}",
            )
        )
