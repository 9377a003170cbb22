"""The child-and-dogs view: the dogs the child has met, its idea of a dog, the quiz.

The same keys as the board (``PlayScreen``): ``l``, ``[``, ``]`` set the rate, space
shows the child the next dog at that rate, ``u``/``x`` undo and reset. Instead of a
landscape it draws the animals, the idea per feature (mean, spread and the range the
child accepts as "a dog"), and the quiz answers. Everything comes from the level
model and its ``ChildRun``; the screen computes nothing.
"""

from __future__ import annotations

import dataclasses
import math

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Static

from ...judging.diagnose import Diagnosis, Situation
from ...levels.kinds.child_and_dogs import label, step_words
from ...text import num
from ..screens.play import PlayScreen
from ..widgets.lr_field import LrField
from ..widgets.story import story_then

#: Width of the bar that shows a feature from 0 to 1.
BAR = 17


def idea_bar(mean: float, spread: float, threshold: float, seen: float | None) -> Text:
    """A feature from 0 to 1: the stretch the child accepts as a dog (mean ± threshold
    spreads) drawn ━, the mean ●, and the last dog's value ▲ (when there is one)."""
    cells = ["·"] * BAR
    styles = ["dim"] * BAR
    if math.isfinite(mean) and math.isfinite(spread):
        lo, hi = mean - threshold * spread, mean + threshold * spread
        for i in range(BAR):
            x = i / (BAR - 1)
            if lo <= x <= hi:
                cells[i], styles[i] = "━", "green"
        i = min(BAR - 1, max(0, round(mean * (BAR - 1))))
        cells[i], styles[i] = "●", "bold"
    if seen is not None and math.isfinite(seen):
        i = min(BAR - 1, max(0, round(seen * (BAR - 1))))
        cells[i], styles[i] = "▲", "bold yellow"
    text = Text()
    for c, s in zip(cells, styles):
        text.append(c, style=s)
    return text


class DogsScreen(PlayScreen):
    """The child meets new dogs at the player's rate; then the quiz."""

    CSS_PATH = "child_and_dogs.tcss"

    BINDINGS = [
        Binding("space", "step", "Next dog", id="step", tooltip="Show the child the next dog"),
        Binding("r", "run", "All dogs", id="run", tooltip="Show the child every dog left"),
        Binding("g", "log_scale", "Log", show=False),  # no loss chart on this screen
        Binding("p", "preview", "Peek", show=False),  # no landscape to draw a path on
    ]

    def compose(self) -> ComposeResult:
        yield Static(self._heading(), id="level-head")
        yield DataTable(id="herd", cursor_type="row", zebra_stripes=True, header_height=2)
        with Horizontal(id="idea-row"):
            yield DataTable(id="idea", cursor_type="none")
            yield Static(id="quiz")
        with Horizontal(id="status-row"):
            yield Static(id="status")
            yield LrField(
                self.lr,
                self.level.lr.min,
                self.level.lr.max,
                cursor_blink=getattr(self.app, "cursor_blink", True),
                id="lr-field",
            ).data_bind(PlayScreen.lr)
        yield Static(id="hint-line")
        yield Static(id="diagnosis")
        yield from self.mode_bars()
        yield Footer(compact=True, show_command_palette=False)

    def _heading(self) -> Text:
        level = self.level
        first = sum(1 for a in level.animals() if a.part == "first")
        text = Text(level.title, style="bold")
        text.append("  ·  each new dog: idea ← idea + lr × (dog − idea)", style="italic")
        text.append(
            f"\ngoal: after the {len(level.stream)} new dogs, the quiz all right "
            f"(the first {first} dogs were learned at lr {num(level.first_dogs.lr)})",
            style="dim",
        )
        return text

    def _mount_board(self) -> None:
        herd = self.query_one("#herd", DataTable)
        herd.border_title = "the dogs the child has met"
        # as wide as the longest name after "→ " (the next dog's row shows all of it)
        widest = max(len(a.name) for a in self.level.animals()) + 2
        herd.add_column("dog", key="dog", width=widest)
        for f in self.level.features:  # headed as the idea's rows are: colour, barking...
            # on two lines ("chasing / sticks"), so the table fits 80 columns more nearly
            head = label(self.level, f).replace("-", "-\n", 1).replace(" ", "\n", 1)
            herd.add_column(head, key=f)
        herd.add_column("lr", key="lr")
        idea = self.query_one("#idea", DataTable)
        idea.border_title = "the child's idea of a dog"
        for h in ("feature", "idea ± spread", "0 … a dog … 1"):
            idea.add_column(h, key=h)
        self.query_one("#quiz", Static).border_title = "the quiz, asked now"
        self._board_focus()
        self._refresh_board()
        self._compute_par()

    def _board_focus(self) -> None:
        self.query_one("#herd", DataTable).focus()

    # -- drawing ---------------------------------------------------------------------
    def result_chart(self):
        """The quiz over time: which animals the child got right after each dog."""
        from ..widgets.quiz_chart import QuizChart

        return QuizChart(self.level, self.run, id="quiz-chart")

    def _draw_board(self) -> None:
        self._show_herd()
        self._show_idea()
        self._show_quiz()
        self._show_status()
        self._show_diagnosis()

    def _show_herd(self) -> None:
        herd = self.query_one("#herd", DataTable)
        herd.clear()
        feats = list(self.level.features)
        seen = self.run.iteration
        stream = 0
        for a in self.level.animals():
            if a.part == "stream":
                if stream >= seen:
                    break
                lr = self.run.steps[stream + 1].lr
                stream += 1
                name = Text(a.name, style="bold yellow")
            else:
                lr = a.lr
                name = Text(a.name)
            values = [num(a.features[f], 2) for f in feats]
            herd.add_row(name, *values, num(lr), key=f"{a.part}-{a.name}")
        if seen < len(self.level.stream):
            nxt = self.level.stream[seen].name
            herd.add_row(Text(f"→ {nxt}", style="italic dim"), *[""] * len(feats), "")
        herd.move_cursor(row=herd.row_count - 1)

    def _show_idea(self) -> None:
        step = self.run.current
        threshold = self.level.decision.threshold
        table = self.query_one("#idea", DataTable)
        table.clear()
        for i, f in enumerate(self.level.features):
            mean, spread = float(step.params[i]), float(step.spread[i])
            seen = None if step.features is None else float(step.features[i])
            table.add_row(
                label(self.level, f),
                f"{num(mean, 2)} ± {num(spread, 2)}",
                idea_bar(mean, spread, threshold, seen),
            )

    def _answers(self):
        return self.level.answers_at(self.run.current)

    def _show_quiz(self) -> None:
        text = Text()
        for a in self._answers():
            mark, style = ("✓", "green") if a.right else ("✗", "bold red")
            text.append(f"{mark} ", style=style)
            says = "a dog" if a.says_dog else "not a dog"
            text.append(f"{a.name}: {says}", style=None if a.right else "red")
            if not a.says_dog and a.because:
                text.append(f" ({label(self.level, a.because)})", style="dim")
            text.append("\n")
        text.rstrip()
        self.query_one("#quiz", Static).update(text)

    def _show_status(self) -> None:
        run = self.run
        wrong = int(run.loss) if math.isfinite(run.loss) else len(self._answers())
        text = Text()
        text.append(f"dog {run.iteration}", style="bold")
        text.append(f"/{len(self.level.stream)}", style="dim")
        text.append(" · ")
        text.append(f"{wrong} wrong", style="bold")
        text.append(" · ")
        text.append(f"lr {num(self.lr)}", style="bold")
        window = self.level.good_window() if self._par is not None else None
        if window is not None and run.over:
            text.append(f" · good rates {num(window.lo)} to {num(window.hi)}", style="dim")
        if self.running:
            text.append(" · running", style="italic")
        self.query_one("#status", Static).update(text)

    def _show_diagnosis(self) -> None:
        text, kind = self._words()
        widget = self.query_one("#diagnosis", Static)
        widget.update(text)
        widget.set_classes(f"-{kind.value}")

    def _words(self) -> tuple[Text, Situation]:
        """What is happening, in plain words: the story, each dog, then the verdict."""
        run, level = self.run, self.level
        if run.iteration == 0:
            nxt = level.stream[0].name
            question = Text(
                f"Press space: {nxt} comes along, learned at lr {num(self.lr)}, "
                f"{self._pct(self.lr)} of the way from the idea to the dog."
            )
            # the story shortened to fit, the question always whole (i: the whole story)
            return (story_then(self, question) if level.story else question), Situation.START
        text = Text(step_words(level, run.steps[-2], run.steps[-1]))
        if not run.over:
            return text, Situation.DESCENDING
        rates = {round(r, 12) for r in run.lrs}
        if len(rates) == 1:
            text = Text(level.explain(run.lrs[0]))
        else:
            text.append(
                " You changed the rate between dogs; the quiz above is what the child "
                "learned from that mix."
            )
        return text, Situation.CLEARED if run.loss == 0 else Situation.OUT_OF_BUDGET

    @staticmethod
    def _pct(lr: float) -> str:
        return f"{lr * 100:.3g}%"

    def watch_lr(self, lr: float) -> None:
        self._show_status()
        if not self.running:
            self._show_diagnosis()

    def action_log_scale(self) -> None:
        self.notify("This level has no loss chart: the quiz is its loss.")

    def action_preview(self) -> None:
        self.notify("This level has no preview: show the child the dogs and watch the quiz.")

    def action_autopilot(self) -> None:
        n = len(self.level.stream)
        self.notify(
            f"This level has no autopilot race: every run shows the child all {n} new dogs "
            "and the quiz judges the end, so there are no steps to race for.",
            title="No autopilot",
        )

    # -- the end ---------------------------------------------------------------------
    def _show_result(self, result, n_steps: int, hidden: str | None = "") -> None:
        # the result screen explains the run in this level's words, not a landscape's
        if len(self.run.steps) == n_steps and self.run.over:
            text, kind = self._words()
            result = dataclasses.replace(result, diagnosis=Diagnosis(kind, text.plain))
        super()._show_result(result, n_steps, hidden=hidden)


#: The play screen of the child-and-dogs kind (see ``ui.kinds``).
VIEW = DogsScreen
