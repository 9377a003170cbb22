"""The game's App, and ``make_app``: the one factory the CLI and the tests both use.

The first frame must be fast, so this module imports only Textual and the title
screen. Levels (pydantic, sympy) and the engine (numpy) are loaded after the first
frame, in worker threads, by the screens that need them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from .commands import GameCommands, LevelCommands
from .screens.title import TitleScreen

if TYPE_CHECKING:
    from ..levels import Level
    from ..store import Store


@dataclass(frozen=True)
class CampaignEntry:
    """One level of the campaign, in order."""

    chapter: str
    level_id: str
    title: str
    story: str


def _help_screen():
    from .screens.help import HelpScreen  # Markdown is not needed for the first frame

    return HelpScreen()


class LrGameApp(App[int]):
    """lrgame: choose a learning rate, walk gradient descent down a loss landscape."""

    CSS_PATH = "app.tcss"
    TITLE = "lrgame"
    SUB_TITLE = "the learning rate of gradient descent"
    SCREENS = {"title": TitleScreen, "help": _help_screen}
    COMMANDS = App.COMMANDS | {LevelCommands, GameCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave lrgame (progress is saved)"),
        # Textual binds ctrl+c to "press ctrl+q to quit" (and to copy in inputs); a player's
        # reflex is to leave with it, from any screen, even while typing a rate.
        Binding("ctrl+c", "quit", show=False, priority=True, id="quit-ctrl-c"),
        Binding("ctrl+s", "save_board", show=False, priority=True, id="save-board"),
        Binding(
            "question_mark",
            "app.push_screen('help')",
            "Help",
            key_display="?",
            id="help",
            tooltip="How to play, and what the learning rate does",
        ),
    ]

    def __init__(
        self,
        level: Level | None = None,
        *,
        unlock_all: bool = False,
        cursor_blink: bool = True,
        theme: str | None = None,
        source: Any = None,
        session: Any = None,
        watcher: Any = None,
        join: tuple[str, Any] | None = None,
    ):
        super().__init__()
        #: a live class in a browser: (its title, claim(name) -> ChallengeSession)
        self.join = join
        self.start_level = level
        #: a ChallengeSession: the game plays its challenge, under its rules
        self.session = session
        #: a LoadedPack (or the challenge): played as the campaign instead of the shipped one
        self.source = session.challenge if session is not None else source
        #: a LevelWatcher: ``lrgame play FILE --watch`` reloads the level as it is edited
        self.watcher = watcher
        self.unlock_all_flag = unlock_all
        self.cursor_blink = cursor_blink
        if theme is not None:
            self.theme = theme
        self._store: Store | None = None
        self._levels: dict[str, Level] = {}
        self._campaign: list[CampaignEntry] | None = None
        #: The level opened last: the campaign's cursor goes back to it.
        self.last_level_id: str | None = None
        self._lock = threading.Lock()

    def on_mount(self) -> None:
        if self.join is not None and self.session is None:
            from .screens.class_join import ClassJoinScreen

            self.push_screen(ClassJoinScreen(*self.join))
            return  # the store opens once the challenge (its scope) is known
        if self.source is not None:
            from .screens.campaign import CampaignScreen

            self.sub_title = self.source.title
            if self.session is not None:
                from .screens.challenge import ChallengeScreen

                self.push_screen(ChallengeScreen())
            else:
                self.push_screen(CampaignScreen())
        elif self.start_level is not None:
            self._levels[self.start_level.id] = self.start_level
            self.push_screen(self.play_screen(self.start_level))
        else:
            self.push_screen("title")
        self.call_after_refresh(self._open_store)

    def start_session(self, session) -> None:
        """A live class's player has a name: play its challenge."""
        from .screens.challenge import ChallengeScreen

        self.session, self.source = session, session.challenge
        self.sub_title = session.challenge.title
        self.switch_screen(ChallengeScreen())
        self.call_after_refresh(self._open_store)

    def action_save_board(self) -> None:
        """ctrl+s: the screen as an SVG, for slides; the notice says where."""
        from .board_svg import save_board

        save_board(self)

    # -- progress --------------------------------------------------------------------
    def _open_store(self) -> None:
        store = self.store
        if store.notice:
            self.notify(store.notice, title="Progress file", severity="warning", timeout=20)

    @property
    def store(self) -> Store:
        """The progress store, opened on first use."""
        with self._lock:
            if self._store is None:
                from ..store import Store

                store = Store.open_anywhere()
                if self.source is not None:  # its ids are its own: keep them apart
                    from ..sources import ScopedStore, challenge_scope, pack_scope

                    scope = (
                        challenge_scope(self.source.path)
                        if self.session is not None
                        else pack_scope(self.source.folder)
                    )
                    store = ScopedStore(store, scope)
                self._store = store
            return self._store

    @property
    def unlock_all(self) -> bool:
        if self.session is not None:
            return True  # a challenge's levels are all open: its rules limit the attempts
        return self.unlock_all_flag or self.store.setting("unlock_all") == "1"

    def set_unlock_all(self, on: bool) -> None:
        self.store.set_setting("unlock_all", "1" if on else "0")

    # -- levels (call from worker threads: they import pydantic and sympy) -------------
    def campaign(self) -> list[CampaignEntry]:
        """The shipped campaign in order, loading every level once."""
        with self._lock:
            if self._campaign is not None:
                return self._campaign
        from .. import levels

        entries = []
        source = self.source if self.source is not None else levels
        for chapter, level_id in source.campaign_ids():
            level = self.level(level_id)
            entries.append(CampaignEntry(chapter, level_id, level.title, level.story))
        with self._lock:
            self._campaign = entries
        return entries

    def campaign_loaded(self) -> list[CampaignEntry] | None:
        return self._campaign

    def level(self, level_id: str) -> Level:
        """A shipped level by id (loaded once; raises levels.LevelError), or the pack's
        or challenge's when one is played."""
        if self.source is not None:
            return self.source.level(level_id)
        with self._lock:
            if level_id in self._levels:
                return self._levels[level_id]
        from .. import levels

        level = levels.load_shipped(level_id)
        with self._lock:
            return self._levels.setdefault(level_id, level)

    @property
    def campaign_title(self) -> str:
        return self.source.title if self.source is not None else "Campaign"

    def unlocked(self, entries: list[CampaignEntry], bests: dict[str, Any]) -> set[str]:
        """A level opens when the one before it in the campaign is cleared."""
        if self.unlock_all:
            return {e.level_id for e in entries}
        open_ = set()
        for i, e in enumerate(entries):
            if i == 0 or entries[i - 1].level_id in bests:
                open_.add(e.level_id)
        return open_

    def next_level_id(self, level_id: str) -> str | None:
        entries = self.campaign()
        ids = [e.level_id for e in entries]
        if level_id not in ids:
            return None
        i = ids.index(level_id)
        return ids[i + 1] if i + 1 < len(ids) else None

    # -- navigation ------------------------------------------------------------------
    def open_level(self, level: Level) -> None:
        """Show a level's play screen, with the campaign underneath for escape."""
        from .screens.campaign import CampaignScreen
        from .screens.play import PlayScreen

        if self.session is not None:
            from ..classroom.challenge import ChallengeRuleError

            try:
                self.session.check_can_attempt(level.id)
            except ChallengeRuleError as exc:
                self.notify(str(exc), title="Not allowed", severity="warning")
                return
        elif self.source is None:
            self._levels.setdefault(level.id, level)
        self.last_level_id = level.id
        if isinstance(self.screen, PlayScreen):
            self.switch_screen(self.play_screen(level))
            return
        while len(self.screen_stack) > 2 and not isinstance(
            self.screen, (CampaignScreen, TitleScreen)
        ):
            self.pop_screen()
        if isinstance(self.screen, TitleScreen):
            self.push_screen(CampaignScreen())
        elif not isinstance(self.screen, CampaignScreen):
            self.switch_screen(CampaignScreen())
        self.push_screen(self.play_screen(level))

    def play_screen(self, level: Level, *, watch: Any = None, lr: float | None = None):
        """The play screen of a level: its kind's view, in the game's modes (under the
        challenge's rules, or watching its file). ``watch``, ``lr``: a watched file's
        reload, which keeps its watch and the player's rate."""
        from .kinds import view_for

        rules = None
        if self.session is not None:
            from .modes.challenge import ChallengeRules

            rules = ChallengeRules(self.session)
        if watch is None and self.watcher is not None and level is self.watcher.level:
            from .modes.watch import Watch

            watch = Watch(self.watcher)
        return view_for(level)(level, rules=rules, watch=watch, lr=lr)

    def show_campaign(self) -> None:
        """Go back to the campaign from wherever the player is."""
        from .screens.campaign import CampaignScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, CampaignScreen):
            self.pop_screen()
        if not isinstance(self.screen, CampaignScreen):
            self.switch_screen(CampaignScreen())


def make_app(
    level: Level | str | None = None,
    *,
    unlock_all: bool = False,
    cursor_blink: bool = True,
    theme: str | None = None,
    source: Any = None,
    session: Any = None,
    watcher: Any = None,
    join: tuple[str, Any] | None = None,
) -> LrGameApp:
    """Build the game. ``level``: a loaded level, or a shipped id or YAML path, to play
    at once (a bad one raises levels.LevelError / LevelNotFound before any screen).
    ``source``: a LoadedPack to play as the campaign; ``session``: a ChallengeSession
    to play; ``watcher``: a LevelWatcher whose level (``level``) reloads as it is edited."""
    if isinstance(level, str):
        from ..levels import find_level

        level = find_level(level)
    return LrGameApp(
        level,
        unlock_all=unlock_all,
        cursor_blink=cursor_blink,
        theme=theme,
        source=source,
        session=session,
        watcher=watcher,
        join=join,
    )
