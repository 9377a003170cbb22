"""The range test: one run whose rate rises every step, charted as loss against rate.

Opened with ``t`` on a level with ``range_test``. The test runs in a worker (it is one
run, but on a big level that is still a moment), then the chart (log axis, the
suggested rate marked) shows; ``enter`` takes the suggested rate, ``escape`` goes back
to choose one by hand.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...text import num


class RangeTestScreen(ModalScreen[float | None]):
    """The level's range test; dismisses with the chosen rate, or None."""

    BINDINGS = [
        Binding("enter", "use", "Use the suggested rate", id="use-suggested"),
        Binding("escape", "close", "Back", id="close"),
    ]

    def __init__(self, level) -> None:
        super().__init__()
        self.level = level
        self.result = None

    def compose(self) -> ComposeResult:
        with Vertical(id="range-box"):
            yield Static(Text("Running the range test…", style="italic"), id="range-chart")
            yield Static(id="range-words")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#range-box").border_title = "range test: loss against the learning rate"
        self._run()

    @work(thread=True, exclusive=True, group="range-test", exit_on_error=False)
    def _run(self) -> None:
        result = self.level.run_range_test()
        self.app.call_from_thread(self._show, result)

    def _show(self, result) -> None:
        from ...textcharts import range_test_chart

        self.result = result
        box = self.query_one("#range-chart", Static)
        width = max(40, box.size.width or 78)
        height = max(10, (self.size.height or 24) - 10)
        box.update(Text(range_test_chart(self.level, result, width, height)))
        words = Text()
        n = int(result.lrs.size)
        words.append(
            f"One run of {n} steps, each at a larger rate, from {num(result.lrs[0])} up to "
            f"{num(result.lrs[-1])}"
            + (" (it stopped there: the loss shot up). " if result.stopped_early else ". ")
        )
        if result.suggested_lr is None:
            words.append("The loss never fell: no rate to suggest. Escape, and pick by hand.")
        else:
            words.append(f"Suggested: lr {num(result.suggested_lr)}", style="bold")
            words.append(
                f", {result.rule}. Enter takes it; escape to pick your own, "
                "a little below where the loss turns up."
            )
        self.query_one("#range-words", Static).update(words)

    def action_use(self) -> None:
        if self.result is not None and self.result.suggested_lr is not None:
            self.dismiss(self.result.suggested_lr)

    def action_close(self) -> None:
        self.dismiss(None)
