"""One or two lines under the board of a watched level: what the file last did."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class WatchBar(Static):
    """``watching PATH``; after a save, ``reloaded``; a file that does not validate
    shows its first ``PATH:LINE: message`` until it is fixed."""

    DEFAULT_CSS = """
    WatchBar { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    WatchBar.-broken { color: $text-error; background: $error 10%; }
    """

    def __init__(self, path: str, **kw) -> None:
        super().__init__(**kw)
        self.path = path

    def watching(self, note: str = "") -> None:
        text = Text(f"watching {self.path}", style="bold")
        text.append(f" · {note}" if note else " · save the file to reload it (your lr is kept)")
        self.remove_class("-broken")
        self.update(text)

    def broken(self, error: Exception) -> None:
        lines = str(error).splitlines() or ["the level file cannot be read"]
        text = Text(lines[0])
        if len(lines) > 1:
            text.append(f" (+{len(lines) - 1} more)")
        text.append("\nstill playing the last good version: fix the file and save", style="italic")
        self.add_class("-broken")
        self.update(text)
