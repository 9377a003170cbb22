"""Command palette (ctrl+p) commands: go to a level, restart, toggle the log scale.

Changing the theme is Textual's own system command, kept in ``App.COMMANDS``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: (text shown, what it does, help line)
Command = tuple[str, Callable[[], object], str]


class _CommandList(Provider):
    """A provider whose commands are a short list, matched fuzzily."""

    def commands(self) -> Iterator[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for text, command, help_ in self.commands():
            yield DiscoveryHit(text, command, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_ in self.commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_)


class LevelCommands(_CommandList):
    """Go to any level the player has unlocked."""

    async def startup(self) -> None:
        app = self.app
        entries = await asyncio.to_thread(app.campaign)
        bests = await asyncio.to_thread(app.store.bests)
        unlocked = app.unlocked(entries, bests)
        self._entries = [e for e in entries if e.level_id in unlocked]

    def _open(self, level_id: str) -> None:
        self.app.open_level(self.app.level(level_id))

    def commands(self) -> Iterator[Command]:
        for e in self._entries:
            yield f"Go to level: {e.title}", partial(self._open, e.level_id), e.chapter


class GameCommands(_CommandList):
    """Commands for the level being played."""

    def commands(self) -> Iterator[Command]:
        screen = self.screen
        if getattr(screen, "is_play_screen", False):
            yield "Restart level", screen.action_reset, "Back to iteration 0"
            yield "Toggle log scale", screen.action_log_scale, "Loss chart: linear or log"
            yield "Show the next hint", screen.action_hint, "A nudge towards a good rate"
