"""The level's story, collapsed to what fits: the question under it is never cut.

At iteration 0 the board's message box shows the story, then what to do now (the
diagnosis, or on the dogs level the question of the next dog). The box has a fixed
height; on a small terminal the whole story would push that question out of sight.
``fit_story`` keeps the question whole and shortens the story to the words that fit,
ending ``… (i: the whole story)``; ``i`` opens ``StoryScreen`` with all of it.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

MORE = " … (i: the whole story)"
#: Where no word of the story fits, it is named before the question, on its first row.
SHORT = "(i: the story) "


def _rows(text: Text, width: int) -> int:
    console = Console(width=max(1, width), file=None, color_system=None, legacy_windows=False)
    return len(text.wrap(console, max(1, width)))


def reflowed(story: str) -> str:
    return " ".join(story.split())


def fit_story(story: str, after: Text, width: int, rows: int) -> Text:
    """The story (italic) then ``after`` on a new line, in at most ``rows`` rows of
    ``width`` cells if it can be done by shortening the story; ``after`` is kept whole.
    A size not known yet (0): everything, as before."""
    words = reflowed(story)
    whole = Text(words, style="italic") + Text("\n") + after if words else after.copy()
    if not words or width <= 0 or rows <= 0 or _rows(whole, width) <= rows:
        return whole
    parts = words.split(" ")
    lo, hi = 0, len(parts)  # the most words of the story that still fit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        trial = Text(" ".join(parts[:mid]) + MORE, style="italic") + Text("\n") + after
        if _rows(trial, width) <= rows:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:  # not a word of it fits: a row of its own would only cut the question
        return Text(SHORT, style="italic") + after
    head = Text(" ".join(parts[:lo]) + MORE, style="italic")
    return head + Text("\n") + after


class StoryScreen(ModalScreen):
    """The whole story of a level, over the board; escape or i closes it."""

    DEFAULT_CSS = """
    StoryScreen { align: center middle; }
    #story-box { width: 100%; max-width: 84; height: auto; max-height: 90%;
                 padding: 0 1; border: round $accent; background: $surface; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Close", id="close-story"),
        Binding("i", "app.pop_screen", "Close", show=False, id="close-story-i"),
    ]

    def __init__(self, title: str, story: str) -> None:
        super().__init__()
        self.title_text, self.story = title, story

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="story-box"):
            yield Static(Text(self.title_text, style="bold"))
            for paragraph in self.story.strip().split("\n\n"):
                yield Static(Text(reflowed(paragraph), style="italic"))
        yield Footer(compact=True)


def story_then(screen, after: Text) -> Text:
    """The story then ``after``, fitted to the screen's ``#diagnosis`` box."""
    box = screen.query_one("#diagnosis")
    return story_in_box(box, screen.level.story, after, screen._show_diagnosis)


def story_in_box(box, story: str, after: Text, again) -> Text:
    """The story then ``after``, fitted to ``box`` (its max-height where it grows with
    its text). Before the box has a size, everything, and ``again()`` once it has one."""
    width = box.content_size.width
    rows = box.content_size.height
    styles = box.styles
    if styles.height is not None and styles.height.is_auto and styles.max_height is not None:
        rows = int(styles.max_height.value)
    if width <= 0:
        box.call_after_refresh(again)
    return fit_story(story, after, width, rows)
