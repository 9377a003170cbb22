"""The result of a run: outcome, iterations against par, stars, score, and the par ghost."""

from __future__ import annotations

import weakref

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Static

from ...judging.diagnose import without_rates
from ...text import OUTCOME_WORDS, num, percent, stars_text
from ..widgets.charts import RaceChart

#: How many of the player's earlier runs on a level the race chart overlays.
EARLIER_RUNS = 3
#: Each game's finished runs per level, this session (the store keeps only the best).
_RUNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def earlier_runs(app, level_id: str, losses: list[float], label: str = "earlier run") -> list:
    """(label, losses) of the last EARLIER_RUNS runs of ``level_id`` this game finished
    before this one (oldest first); this one is remembered for the next under ``label``."""
    runs = _RUNS.setdefault(app, {}).setdefault(level_id, [])
    before = runs[-EARLIER_RUNS:]
    runs.append((label, losses))
    del runs[:-EARLIER_RUNS]
    return before


def rate_label(lrs) -> str:
    """A run named by its rate, as the course picture labels its curves: 'lr 0.3', or
    'lr 0.3→0.01' where the rate changed along the run (a schedule, or set by hand)."""
    lrs = [float(v) for v in lrs]
    if not lrs:
        return "no step"
    first, last = num(lrs[0], 3), num(lrs[-1], 3)
    if all(v == lrs[0] for v in lrs):
        return f"lr {first}"
    return f"lr {first}→{last}"


class ResultScreen(Screen[str]):
    """Shown when a run ends. Escape goes back to the board to study the run.

    Dismissed with the player's choice: "retry" or "board" (the play screen that
    pushed it acts on it); the next level and the campaign are the app's to open."""

    BINDINGS = [
        Binding("r", "retry", "Retry", id="retry", tooltip="Play this level again"),
        Binding("n", "next", "Next level", id="next", tooltip="On to the next level"),
        Binding("c", "campaign", "Campaign", id="campaign", tooltip="Back to the campaign"),
        Binding(
            "escape", "board", "Board", id="board", tooltip="Back to the board to study the run"
        ),
    ]

    AUTO_FOCUS = "#retry"

    def __init__(
        self,
        result,
        hidden: str | None = "",
        chart: Widget | None = None,
        autopilot=None,
        own_next: bool = False,
    ) -> None:
        """``hidden``: why the rate that reaches par is not named yet (None: it is
        earned, see ``results.par_rate_hidden``; the default hides it). ``chart``: the
        kind's own chart of the run (the play screen's ``result_chart``), else the race
        of losses. ``autopilot``: the autopilot's race (``autopilot.Race``) when the
        player raced it. ``own_next``: Next dismisses with "next" and the play screen
        opens what comes next (practice: the next seed), else the campaign's next level."""
        super().__init__()
        self.own_next = own_next
        self.result = result
        self.autopilot = autopilot
        self.hidden = hidden
        self.show_rate = hidden is None
        self.chart = chart

    def compose(self) -> ComposeResult:
        with Vertical(id="result-box"):
            yield Static(self._headline(), id="result-head")
            yield self._race()
            if self.autopilot is not None:
                from ...autopilot import compare

                verdict = compare(self.result.outcome.value, self.result.iterations, self.autopilot)
                yield Static(
                    Text(f"{verdict} {self.autopilot.words()}", style="bold"),
                    id="result-autopilot",
                )
            yield Static(Text(self._diagnosis_text()), id="result-diagnosis")
            with Horizontal(id="result-buttons"):
                yield Button("Retry (r)", id="retry", variant="primary")
                yield Button("Next level (n)", id="next", variant="success")
                yield Button("Campaign (c)", id="campaign")
                yield Button("Board (esc)", id="board")
        yield Footer(compact=True)

    def _headline(self) -> Text:
        r = self.result
        text = Text()
        word = OUTCOME_WORDS[r.outcome.value].capitalize()
        style = "bold green" if r.cleared else "bold red"
        text.append(f"{r.title}: {word}", style=style)
        text.append(f"   {stars_text(r.stars)}", style="bold yellow")
        text.append(f"   {r.score} points")
        if r.trials:
            runs = f"{r.trials} trial run{'s' if r.trials != 1 else ''}"
            if r.trial_cost:
                paid = f"{r.score + r.trial_cost:,} less {r.trial_cost:,} for {runs}"
            else:
                paid = f"{runs} before this one: nothing left to take off"
            text.append(f" ({paid})", style="dim")
        text.append("\n")
        steps = f"{r.iterations} step{'s' if r.iterations != 1 else ''}"
        if r.par is None:
            text.append(f"{steps}. No constant rate clears this level: par is unknown.")
        elif self.show_rate:
            how = (
                f"the best constant rate, lr {num(r.best_lr)}"
                if r.par_schedule == "constant"
                else f"lr {num(r.best_lr)} with the schedule {r.par_schedule}"
            )
            if r.par_optimizer != "sgd":
                how = how.replace("the best constant rate, ", "") + f" by {r.par_optimizer}"
            text.append(f"{steps} against par {r.par} ({how}, needs {r.par}).")
        else:  # the rate is the answer: it is not given away before it is earned
            text.append(f"{steps} against par {r.par}.")
        text.append(f"  Final loss {num(r.final_loss)}.")
        if r.goal_accuracy is not None:  # rounded down: never reads as the goal too early
            text.append(
                f" Accuracy {percent(r.final_accuracy)} of all the points "
                f"(the goal: at least {num(r.goal_accuracy * 100)}%)."
            )
        text.append("\n")
        if r.explored:
            text.append(
                "Practice: this run was played with the preview on, so it earns no stars "
                "and is not saved.",
                style="bold",
            )
        elif r.new_best:
            text.append("New best! Saved.", style="bold")
        elif r.previous is not None:
            p = r.previous
            text.append(
                f"Your best stays {stars_text(p.stars)} in {p.iterations} "
                f"step{'s' if p.iterations != 1 else ''} "
                f"({p.score} points).",
                style="dim",
            )
        elif not r.cleared:
            text.append("Not cleared: nothing saved. Try another rate.", style="dim")
        if self.hidden:
            text.append(f" {self.hidden}", style="dim")
        return text

    def _diagnosis_text(self) -> str:
        """The run's diagnosis; until the rate is earned, its advice keeps to a direction
        ("A bigger rate gets there.") and names no rate that clears."""
        text = self.result.diagnosis.text
        return text if self.show_rate else without_rates(text)

    def _race(self):
        """The race chart, filled as it is made: nothing to look up once mounted (a
        screen closed at once, as a test's end closes it, has no children to find).
        A kind with a chart of its own (the child's quiz over time) shows that."""
        r = self.result
        if self.chart is not None:
            return self.chart
        # each earlier run named by its rate, with a marker of its own (one per name), so
        # the chart reads as the course picture: several rates' losses on one chart
        before = earlier_runs(self.app, r.level_id, list(r.losses), rate_label(r.lrs))
        names = list(dict.fromkeys(label for label, _ in before))
        runs = [
            (label, losses, "foreground-muted", RaceChart.EARLIER_MARKERS[names.index(label)])
            for label, losses in before
        ]
        if r.ghost_losses:  # drawn before the player's own line, which lies on top
            label = f"par ghost, lr {num(r.best_lr)}" if self.show_rate else "par ghost"
            runs.append((label, list(r.ghost_losses), "primary", RaceChart.GHOST))
        if self.autopilot is not None:
            from ...judging.diagnose import judged_loss

            losses = [judged_loss(s) for s in self.autopilot.run.steps]
            runs.append(("autopilot", losses, "secondary", RaceChart.AUTOPILOT))
        runs.append(("you", list(r.losses), "warning", RaceChart.YOU))
        chart = RaceChart(id="race")
        chart.show(runs, r.minimum, r.goal)
        return chart

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        self.dismiss("retry")  # the play screen under it starts again

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.own_next:
            self.dismiss("next")  # the play screen under it keeps its own order
            return
        self._open_next()

    @work(thread=True, exclusive=True, group="next", exit_on_error=False)
    def _open_next(self) -> None:
        # the campaign may not be loaded yet (``lrgame play``): load it off the UI thread
        app = self.app
        next_id = app.next_level_id(self.result.level_id)
        if next_id is None:
            app.call_from_thread(
                self.notify, "That was the last level of the campaign. Well walked!"
            )
            return
        if next_id not in app.unlocked(app.campaign(), app.store.bests()):
            app.call_from_thread(self.notify, "Clear this level first to open the next one.")
            return
        app.call_from_thread(app.open_level, app.level(next_id))

    @on(Button.Pressed, "#campaign")
    def action_campaign(self) -> None:
        self.app.show_campaign()

    @on(Button.Pressed, "#board")
    def action_board(self) -> None:
        self.dismiss("board")
