"""The campaign: every level in order, grouped in chapters, with stars and best results."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ...text import stars_text


class CampaignScreen(Screen):
    """Choose a level. A level opens when the one before it is cleared."""

    BINDINGS = [
        Binding("enter", "play", "Play", id="play", show=False),
        Binding(
            "U",
            "unlock_all",
            "Unlock all",
            id="unlock-all",
            tooltip="For teachers: open every level (press again to lock them back)",
        ),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the title"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._entries = []
        self._bests = {}
        self._unlocked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="campaign-body"):
            yield OptionList(id="levels")
            with VerticalScroll(id="level-detail"):
                yield Static("Loading the levels…", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#levels", OptionList).border_title = self.app.campaign_title
        self._load()

    def on_screen_resume(self) -> None:
        if self._entries:
            self._refresh()

    @work(thread=True, exclusive=True, group="campaign", exit_on_error=False)
    def _load(self) -> None:
        try:
            entries = self.app.campaign()
        except Exception as exc:  # a broken shipped level: say so, don't crash
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, entries)

    def _failed(self, message: str) -> None:
        self.query_one("#detail", Static).update(Text(f"Could not load the campaign:\n{message}"))

    def _loaded(self, entries) -> None:
        self._entries = entries
        self._refresh()
        self.query_one("#levels", OptionList).focus()

    def _refresh(self) -> None:
        """Redraw the list from the store (after a level is played, or unlocked)."""
        app = self.app
        self._bests = app.store.bests()
        self._unlocked = app.unlocked(self._entries, self._bests)
        levels = self.query_one("#levels", OptionList)
        keep = levels.highlighted_option.id if levels.highlighted_option else None
        levels.clear_options()
        chapter = None
        first_open = None
        for entry in self._entries:
            if entry.chapter != chapter:
                chapter = entry.chapter
                levels.add_option(Option(Text(chapter, style="bold"), disabled=True))
            levels.add_option(Option(self._prompt(entry), id=entry.level_id))
            if entry.level_id in self._unlocked and entry.level_id not in self._bests:
                first_open = first_open or entry.level_id
        played, self.app.last_level_id = self.app.last_level_id, None
        if played not in {e.level_id for e in self._entries}:
            played = None
        # back from a level (Next may have walked several): the cursor on the one played
        target = played or keep or first_open
        target = target or (self._entries[0].level_id if self._entries else None)
        if target is not None:
            levels.highlighted = levels.get_option_index(target)
            self._describe(target)

    def _prompt(self, entry) -> Text:
        best = self._bests.get(entry.level_id)
        # one line each: a wrapped row would start its second line at the left edge
        text = Text("  ", no_wrap=True, overflow="ellipsis")
        if entry.level_id not in self._unlocked:
            text.append("···", style="dim")
            text.append("  " + entry.title, style="dim")
            text.append("  locked", style="dim italic")
            return text
        text.append(stars_text(best.stars if best else 0), style="bold yellow" if best else "dim")
        text.append("  " + entry.title)
        if best:
            steps = f"{best.iterations} step{'s' if best.iterations != 1 else ''}"
            text.append(f"  {steps}", style="dim")  # points: in the detail pane
        return text

    @on(OptionList.OptionHighlighted, "#levels")
    def _show_detail(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option.id)

    def _describe(self, level_id: str | None) -> None:
        entry = self._entry(level_id)
        if entry is None:
            return
        text = Text()
        text.append(entry.title + "\n", style="bold")
        text.append(entry.chapter + "\n\n", style="italic")
        text.append(reflow(entry.story) + "\n\n")
        best = self._bests.get(entry.level_id)
        if entry.level_id not in self._unlocked:
            text.append("Locked: clear the level before it to open this one.", style="italic")
        elif best:
            text.append(
                f"Best: {stars_text(best.stars)}  {best.iterations} step"
                f"{'s' if best.iterations != 1 else ''}, {best.score} points\n"
                f"  with the rates {_rates(best.lrs)}\n\n"
            )
            text.append("Press enter to play it again.", style="italic")
        else:
            text.append("Press enter to play.", style="italic")
        self.query_one("#detail", Static).update(text)

    def _entry(self, level_id: str | None):
        return next((e for e in self._entries if e.level_id == level_id), None)

    @on(OptionList.OptionSelected, "#levels")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._play(event.option.id)

    def action_play(self) -> None:
        option = self.query_one("#levels", OptionList).highlighted_option
        if option is not None:
            self._play(option.id)

    def _play(self, level_id: str | None) -> None:
        if level_id is None:
            return
        if level_id not in self._unlocked:
            self.notify("Clear the level before it first (teachers: U unlocks all).")
            return
        self._open(level_id)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self, level_id: str) -> None:
        level = self.app.level(level_id)  # loaded already by the campaign: cheap
        self.app.call_from_thread(self.app.open_level, level)

    def action_unlock_all(self) -> None:
        app = self.app
        on_now = app.store.setting("unlock_all") == "1"
        app.set_unlock_all(not on_now)
        if app.unlock_all_flag:
            self.notify("Every level is open (started with --unlock-all).")
        else:
            self.notify("Every level is open." if not on_now else "Levels lock again.")
        self._refresh()

    def action_back(self) -> None:
        # the title is the app's named screen "title" (importing it here would be a cycle)
        app = self.app
        title = app.get_screen("title")
        if len(app.screen_stack) > 2 and app.screen_stack[-2] is title:
            app.pop_screen()
        else:
            app.switch_screen(title)


def reflow(story: str) -> str:
    """Join a YAML block's hard-wrapped lines into paragraphs the screen can wrap."""
    paragraphs = [" ".join(p.split()) for p in story.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _rates(lrs) -> str:
    """The replay of a best run: its rates, compressed where they repeat."""
    from ...text import num

    if not lrs:
        return "-"
    parts, i = [], 0
    while i < len(lrs):
        j = i
        while j + 1 < len(lrs) and lrs[j + 1] == lrs[i]:
            j += 1
        n = j - i + 1
        parts.append(num(lrs[i]) + (f" ×{n}" if n > 1 else ""))
        i = j + 1
    shown = ", ".join(parts[:6])
    return shown + (", …" if len(parts) > 6 else "")
