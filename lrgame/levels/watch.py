"""Watching a level file while its author edits it (``lrgame play PATH --watch``).

Pure, no Textual: the play screen calls ``LevelWatcher.poll()`` about every half
second (in a worker thread: a reload compiles the loss with sympy) and gets

* ``None``: nothing changed (or it is not time to look again yet);
* ``Reloaded(level, changed)``: a new good version; ``changed`` is False when only
  comments or spacing changed (same content hash), so the run can go on;
* ``Broken(error)``: the file no longer validates (or vanished mid-save); show
  ``str(error)`` and keep playing ``watcher.level``, the last good version.

A change is noticed by mtime and size, and confirmed by a sha256 of the bytes, so
a ``touch`` or an editor rewriting the same text does not reload. The bytes that
were hashed are the bytes that are parsed: no race between the two.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import levels as L
from ..fileformat import level_hash, read_capped
from ..yamlsafe import MAX_BYTES, InputError, load_yaml_text

POLL_SECONDS = 0.5
#: A file modified this recently is re-read even if mtime and size look unchanged
#: (file systems with coarse timestamps can hide a quick second save).
RECENT_SECONDS = 2.0


@dataclass(frozen=True)
class Reloaded:
    level: L.Level
    changed: bool  # False when the content hash is the last good version's


@dataclass(frozen=True)
class Broken:
    error: L.LevelError


class LevelWatcher:
    """Polls one level file; ``level`` is always the last version that validated."""

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        interval: float = POLL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.path = Path(path)
        self.interval = interval
        self._clock = clock
        self._next_poll = float("-inf")
        self._stat: tuple[int, int, int] | None = None
        self._digest: str | None = None
        self._unreadable = False
        self.level: L.Level | None = None
        self.error: L.LevelError | None = None

    def load(self) -> L.Level:
        """The first load, before play starts: raise LevelError if the file is bad."""
        event = self.poll(force=True)
        if isinstance(event, Broken):
            raise event.error
        assert self.level is not None
        return self.level

    def poll(self, force: bool = False) -> Reloaded | Broken | None:
        """Look at the file if ``interval`` has passed (or ``force``); report a change."""
        now = self._clock()
        if not force and now < self._next_poll:
            return None
        self._next_poll = now + self.interval
        try:
            st = os.stat(self.path)
        except OSError as exc:
            return self._broken(f"cannot open file: {exc.strerror or exc}")
        stat_key = (st.st_mtime_ns, st.st_size, st.st_ino)
        recent = time.time() - st.st_mtime < RECENT_SECONDS
        if stat_key == self._stat and not recent and not force:
            return None
        self._stat = stat_key
        try:
            raw = read_capped(self.path, MAX_BYTES)
        except InputError as exc:
            return self._broken(exc.message)
        self._unreadable = False
        digest = hashlib.sha256(raw).hexdigest()
        if digest == self._digest and not force:
            return None
        self._digest = digest
        try:
            level = L.parse_level(load_yaml_text(raw, str(self.path)))
        except InputError as exc:
            return self._report(L.LevelError([exc]))
        except L.LevelError as exc:
            return self._report(exc)
        level.set_source_path(self.path)
        changed = self.level is None or level_hash(level) != level_hash(self.level)
        self.level, self.error = level, None
        return Reloaded(level, changed)

    def _broken(self, message: str) -> Broken | None:
        # Report a missing file once, not every half second; a reappearing file is re-read.
        self._stat = self._digest = None
        if self._unreadable:
            return None
        self._unreadable = True
        return self._report(L.LevelError([InputError(str(self.path), message)]))

    def _report(self, error: L.LevelError) -> Broken:
        self.error = error
        return Broken(error)


def keep_lr(lr: float, level: L.Level) -> float:
    """The player's rate, kept across a reload: unchanged if the new level allows it,
    else the nearest end of the new level's range."""
    return min(max(lr, level.lr.min), level.lr.max)
