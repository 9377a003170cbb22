"""``lrgame class board URL``: the teacher's board of a live class.

The standings (levels cleared, steps against par, stars, the optimiser, the latest
outcome), a "what just happened" feed and the refused submissions, from the class
server's ``/api/board``, asked every half second (a new submission shows within a second).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

from ...text import stars_text

POLL_SECONDS = 0.5


def level_cell(figures: dict | None, par: int | None) -> Text:
    """One student's best at one level: stars, steps against par (or what happened), and
    the optimiser when it is not plain descent."""
    if not figures or figures["outcome"] == "not played":
        return Text("-", style="dim")
    text = Text(stars_text(figures["stars"]), style="yellow")
    if figures["outcome"] == "cleared":
        text.append(f" {figures['iterations']}" + (f"/{par}" if par is not None else ""))
    else:
        style = "red" if figures["outcome"] == "diverged" else "dim"
        text.append(" " + figures["outcome"].replace("_", " "), style=style)
    optimizer = figures.get("optimizer")
    if optimizer and optimizer != "sgd":  # its name: the level offers it one way only
        text.append(" " + optimizer.split(":")[0], style="dim")
    return text


def cleared(student: dict) -> int:
    return sum(f["outcome"] == "cleared" for f in student["levels"])


class BoardApp(App):
    """The board of the class at ``url`` (read-only)."""

    TITLE = "lrgame class board"
    CSS = """
    #standings { height: 1fr; }
    #below { height: 40%; min-height: 8; }
    #feed { width: 3fr; border-top: solid $primary; padding: 0 1; }
    #refused { width: 2fr; border-top: solid $error; padding: 0 1; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, url: str, key: str) -> None:
        super().__init__()
        self.url = url.rstrip("/")
        self.key = key  # the teacher's board key (X-Board-Key)
        self.version = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("connecting…", id="status")
        with Vertical():
            yield DataTable(id="standings", zebra_stripes=True, cursor_type="row")
            with Horizontal(id="below"):
                yield Static("", id="feed")
                yield Static("", id="refused")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(POLL_SECONDS, self._poll)
        self._poll()

    def _poll(self) -> None:
        self.run_worker(self._fetch, thread=True, exclusive=True, group="poll")

    def _fetch(self) -> None:
        request = urllib.request.Request(self.url + "/api/board", headers={"X-Board-Key": self.key})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                board = json.loads(response.read(20_000_000))
        except urllib.error.HTTPError as exc:
            why = (
                "wrong board key: give the one `lrgame class start` printed"
                if exc.code == 403
                else f"the class server at {self.url} answers HTTP {exc.code}"
            )
            self.call_from_thread(self._refused, why)
            return
        except (OSError, ValueError) as exc:
            self.call_from_thread(self._unreachable, str(exc))
            return
        self.call_from_thread(self.show, board)

    def _refused(self, why: str) -> None:
        self.query_one("#status", Static).update(Text(why, style="red"))

    def _unreachable(self, why: str) -> None:
        self.query_one("#status", Static).update(
            Text(f"the class server at {self.url} does not answer ({why[:80]})", style="red")
        )

    def show(self, board: dict) -> None:
        students, rejected = board["students"], board["rejected"]
        self.query_one("#status", Static).update(
            f"{len(students)} students, {len(rejected)} refused submissions  ·  {self.url}"
        )
        if board["version"] == self.version:
            return
        self.version = board["version"]
        self.sub_title = board["title"]
        table = self.query_one("#standings", DataTable)
        table.clear(columns=True)
        levels = board["levels"]
        table.add_columns("#", "player", "total", "cleared")
        for level in levels:
            par = f" (par {level['par']})" if level["par"] is not None else ""
            table.add_column(level["id"] + par)
        table.add_column("latest")
        for s in students:
            by = {f["level"]: f for f in s["levels"]}
            table.add_row(
                "-" if s["rank"] is None else str(s["rank"]),
                s["player"],
                Text(str(s["total_score"]), justify="right"),
                f"{cleared(s)}/{len(levels)}",
                *(level_cell(by.get(lv["id"]), lv["par"]) for lv in levels),
                Text(s.get("latest") or "-", style="dim"),
            )
        feed = Text("What just happened\n", style="bold")
        for item in board["feed"][:20]:
            feed.append("· " + item["text"] + "\n")
        self.query_one("#feed", Static).update(feed)
        refused = Text(f"Refused ({len(rejected)})\n", style="bold")
        for r in reversed(rejected[-10:]):
            refused.append(f"{r['player'] or '?'}: ", style="bold red")
            refused.append(r["reason"] + "\n")
        self.query_one("#refused", Static).update(refused)
