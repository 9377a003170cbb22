"""The play screen: choose a learning rate, step descent, watch what the rate does.

The screen holds an engine ``Run`` (the model) and never computes descent itself:
every step is ``run.step(lr)``. After each change it redraws the charts, the step
table, the status line and the diagnosis from the run.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from ...diagnose import diagnose_level, judged_loss
from ...engine import CONSTANT
from ...legal import field_rate, schedule_problem, scheduled_rate
from ...text import num
from ..widgets.charts import LandscapeChart, LossChart
from ..widgets.lr_field import LrField
from ..widgets.schedule_picker import SchedulePicker
from ..widgets.step_table import StepTable
from ..widgets.story import StoryScreen, story_then

#: `[` and `]` divide or multiply the rate by this: four presses make a factor of ten.
LR_FACTOR = 10 ** (1 / 4)
#: The run animation: this many steps a second for a short budget...
STEPS_PER_SECOND = 8
#: ...and a longer budget is sped up to finish in about this many seconds.
RUN_SECONDS = 3.0
#: Fastest timer tick (a frame); beyond it several steps are taken per frame.
MAX_TICKS_PER_SECOND = 30
#: A frame stops stepping after this long and paints, so keys are answered between
#: frames even where a step is slow (a million parameters).
FRAME_BUDGET_S = 0.05


class PlayScreen(Screen):
    """One level: the landscape, the loss, the step table and what is happening."""

    is_play_screen = True  # lets the command palette offer level commands

    BINDINGS = [
        Binding("space", "step", "Step", id="step", tooltip="Take one step of gradient descent"),
        Binding("r", "run", "Run", id="run", tooltip="Run to the end of the budget (r stops)"),
        Binding("f", "finish", "End", id="finish", tooltip="Finish the run at once"),
        Binding(
            "p",
            "preview",
            "Peek",
            id="preview",
            tooltip="Preview: the path the rate set would take from here (a practice run)",
        ),
        Binding("u", "undo", "Undo", id="undo", tooltip="Take back the last step"),
        Binding("x", "reset", "Reset", id="reset", tooltip="Back to iteration 0"),
        Binding("l", "edit_lr", "lr", id="edit-lr", tooltip="Type a learning rate"),
        Binding(
            "left_square_bracket",
            "lr_down",
            "÷",
            key_display="[",
            id="lr-down",
            tooltip="Divide the learning rate by 10^(1/4)",
        ),
        Binding(
            "right_square_bracket",
            "lr_up",
            "×",
            key_display="]",
            id="lr-up",
            tooltip="Multiply the learning rate by 10^(1/4)",
        ),
        # g and q stay off the footer so a level's tools (s, t) fit in 80 columns;
        # the help screen and the command palette list them
        Binding("g", "log_scale", "Log", show=False, id="log"),
        Binding("q", "app.quit", "Quit", show=False, id="quit-board"),
        Binding("h", "hint", "Hint", id="hint", tooltip="Show the next hint"),
        Binding("i", "story", "Story", show=False, id="story", tooltip="The whole story"),
        # escape (like g and q) is in the help, so that f and p fit in 80 columns
        Binding("escape", "back", "Back", show=False, id="back", tooltip="Stop the run, or back"),
        # shown only on levels that offer them (check_action)
        Binding("s", "next_schedule", "Sched", id="schedule", tooltip="Next schedule"),
        Binding("S", "edit_schedule", "Edit schedule", show=False, id="edit-schedule"),
        Binding("t", "range_test", "Range", id="range-test", tooltip="Run a range test"),
    ]

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    #: Narrow: the rate field drops its label, so that its range still fits (app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide")]

    lr: reactive[float] = reactive(0.1, init=False)
    running: reactive[bool] = reactive(False, init=False)
    #: Explore mode (p): the board draws the path the rate set would take from here.
    preview: reactive[bool] = reactive(False, init=False)

    def __init__(self, level) -> None:
        super().__init__()
        self.level = level
        self.landscape = level.landscape()
        self.run = level.new_run()  # a kind with its own learner plays by its own rules
        self.goal = self.run.goal
        self.set_reactive(PlayScreen.lr, float(level.lr.default))
        self._timer: Timer | None = None
        self._steps_per_tick = 1
        self._pace = (0.0, 0, float(STEPS_PER_SECOND))
        self.frames = 0  # frames painted by the last run (r or f): the animation's length
        #: The preview was on during this run: it is practice (no stars, nothing saved).
        self.explored = False
        self._preview_asked = 0  # forecasts asked for; only the latest one is shown
        #: The forecast the preview shows (None: none shown).
        self.preview_forecast = None
        self._status_width = 0
        self._hint = 0
        self._par = None
        #: Par is told once a run has ended (or the player cleared this level before):
        #: before a try, "par 1" would give the answer away.
        self._par_told = False
        self._judging = False
        self._stochastic = bool(getattr(self.landscape, "stochastic", False))
        self.schedule = CONSTANT  # sets each step's rate from the base rate self.lr
        self.trials = 0  # runs abandoned or finished before this one (levels with trials)

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        level = self.level
        yield Static(self._heading(), id="level-head")
        with Horizontal(id="charts"):
            names = [self.landscape.names[i] for i in self.run.trace_index]
            extra = getattr(level, "chart", None)  # a level kind's own view, if any
            yield LandscapeChart(
                self.landscape, names, extra=extra if callable(extra) else None, id="landscape"
            )
            yield LossChart(id="loss-chart")
        yield StepTable(self.landscape.names, self.run.steps[0].params is not None, id="steps")
        with Horizontal(id="status-row"):
            yield Static(id="status")
            yield LrField(
                self.lr,
                level.lr.min,
                level.lr.max,
                cursor_blink=getattr(self.app, "cursor_blink", True),
                id="lr-field",
            )
        yield Static(id="preview-line")
        if len(level.schedule_tools()) > 1 and self.schedules_allowed:
            yield SchedulePicker(
                level.schedule_tools(),
                level.goal.max_iterations,
                check=lambda schedule: schedule_problem(level, schedule),
                lr_max=level.lr.max,
                cursor_blink=getattr(self.app, "cursor_blink", True),
                id="schedule",
            )
        yield Static(id="hint-line")
        yield Static(id="diagnosis")
        # the palette (ctrl+p) is in the help; its footer entry would push keys off 80 columns
        yield Footer(compact=True, show_command_palette=False)

    #: False where the rules keep one rate per run (a challenge): no schedule picker.
    schedules_allowed = True

    def _heading(self) -> Text:
        level, land = self.level, self.landscape
        text = Text()
        text.append(level.title, style="bold")
        formula = land.loss_formula() if level.show_loss else "?"
        if formula:
            text.append(f"  ·  loss = {formula}")
        slopes = (land.slope_formulas() or {}) if level.show_loss else {}
        if slopes and land.n_params <= 3:
            one = land.n_params == 1
            parts = [
                f"slope {f}" if one else f"∂loss/∂{n} = {f}" for n, f in list(slopes.items())[:3]
            ]
            text.append("  ·  " + "   ".join(parts), style="italic")
        elif land.n_params > 3:
            text.append(f"  {land.n_params:,} parameters", style="italic")
        goal = self.goal
        hold = getattr(goal, "hold", 1)
        stay = f", and stay there {hold} steps in a row" if hold > 1 else ""
        text.append(
            f"\ngoal: loss within {num(goal.loss_below)} of {num(land.minimum)} "
            f"in at most {goal.max_iterations:,} steps{stay}",
            style="dim",
        )
        return text

    def action_story(self) -> None:
        if self.level.story:
            self.app.push_screen(StoryScreen(self.level.title, self.level.story))

    def on_resize(self) -> None:  # the story is fitted to the message box's size
        if self.run.iteration == 0 and self.is_mounted:
            self.call_after_refresh(self._show_diagnosis)

    def on_mount(self) -> None:
        self.query_one("#landscape").border_title = "landscape"
        self.query_one("#steps", StepTable).focus()
        self._refresh_board()
        self._compute_par()

    @work(thread=True, exclusive=True, group="par", exit_on_error=False)
    def _compute_par(self) -> None:
        par = self.level.compute_par()
        try:
            cleared_before = self.app.store.best(self.level.id) is not None
        except Exception:  # no store to ask: par waits for a run's end
            cleared_before = False
        self.app.call_from_thread(self._got_par, par, cleared_before)

    def _got_par(self, par, cleared_before: bool = False) -> None:
        self._par = par
        self._par_told = self._par_told or cleared_before
        self._show_status()

    # -- drawing ---------------------------------------------------------------------
    def _refresh_board(self) -> None:
        run = self.run
        self.query_one("#steps", StepTable).show_run(run, self.rate_now())
        chart = self.query_one("#landscape", LandscapeChart)
        chart.show(run.steps, run.params if chart.extra is not None else None, self.lr)
        self.query_one("#loss-chart", LossChart).show(
            [judged_loss(s) for s in run.steps],
            self.landscape.minimum,
            self.goal.loss_below,
            batch=[s.loss for s in run.steps] if self._stochastic else None,
        )
        self._show_status()
        self._show_diagnosis()
        self._ask_preview()

    def _show_status(self) -> None:
        run = self.run
        text = Text()
        text.append(f"iteration {run.iteration}", style="bold")
        text.append(f"/{self.goal.max_iterations:,}", style="dim")
        text.append(" · ")
        text.append(f"loss {num(run.loss)}", style="bold")
        if self._stochastic:  # the batch's loss above; the outcome is judged on all the data
            text.append(f" · all data {num(judged_loss(run.current))}", style="bold")
        text.append(" · ")
        text.append(f"lr {num(self.lr)}", style="bold")
        if self.schedule is not CONSTANT and self.rate_now() != self.lr:
            # the schedule's rate for the next step, short: the lr range must still fit
            text.append(f"→{num(self.rate_now())}", style="bold")
        if self.level.trials is not None:
            text.append(f" · trial {self.trials + 1}")
            if self.trials:
                text.append(f" (−{self.level.trials.cost * self.trials} points)")
        self._par_told = self._par_told or self.run.over
        if self._par is not None and self._par.par is not None:
            text.append(f" · par {self._par.par if self._par_told else '?'}", style="dim")
        if self.explored:
            text.append(" · practice", style="italic")
        if self.running:
            text.append(" · running", style="italic")
        # padded to the widest it has been: only a wider line moves the rate field, so
        # only then is a new layout needed (a layout costs a repaint of the whole board)
        wider = text.cell_len > self._status_width
        self._status_width = max(self._status_width, text.cell_len)
        text.pad_right(self._status_width - text.cell_len)
        self.query_one("#status", Static).update(text, layout=wider)

    def _show_diagnosis(self) -> None:
        d = diagnose_level(self.level, self.run, None if self.run.over else self.rate_now())
        text = Text(d.text)
        if self.run.iteration == 0 and self.level.story:  # cut to fit, never the diagnosis
            text = story_then(self, text)
        widget = self.query_one("#diagnosis", Static)
        widget.update(text, layout=False)  # its height is fixed (app.tcss)
        widget.set_classes(f"-{d.kind.value}")

    def watch_lr(self, lr: float) -> None:
        self.query_one("#lr-field", LrField).show(lr)
        self.query_one("#steps", StepTable).show_run(self.run, self.rate_now())
        for picker in self.query(SchedulePicker):
            picker.show(lr)
        self._show_status()
        if not self.running:
            self._show_diagnosis()
        self._ask_preview()

    def watch_running(self, running: bool) -> None:
        self._show_status()
        if not running:
            self._ask_preview()  # stopped mid-run: the preview from where it stands

    # -- the preview (p): where the rate set would take the run from here ---------------
    def action_preview(self) -> None:
        self.preview = not self.preview

    def watch_preview(self, on: bool) -> None:
        self.query_one("#preview-line", Static).set_class(on, "-shown")
        if on:
            self.explored = True
            self.notify(
                "The board shows where the rate set would take this run, as you change it. "
                "A run played with the preview is practice: no stars, nothing saved.",
                title="Preview on",
            )
            self._ask_preview()
        else:
            self._preview_asked += 1  # a forecast still on its way is not shown
            self._show_preview(None, "")
        self._show_status()

    def _ask_preview(self) -> None:
        """Forecast the run from here at the rate set, in a worker: a key is never kept
        waiting, and only the forecast for the latest rate and iteration is shown."""
        if not self.preview or self.running:
            return
        self._preview_asked += 1
        if self.run.over:
            self._show_preview(None, "This run has ended: x starts a new one from the start.")
            return
        from ...engine.forecast import RateRule

        rule = RateRule(self.lr, self.schedule)
        self._forecast_preview(self._preview_asked, _snapshot(self.run), rule)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _forecast_preview(self, asked: int, run, rule) -> None:
        """First the budget alone (quick: the words and the path land at once), then,
        for a run that runs out of budget, the look past it (up to thousands of steps)."""
        from textual.worker import get_current_worker

        from ...engine import Outcome
        from ...engine.forecast import forecast
        from ...preview import preview_words

        minimum = self.landscape.minimum
        f = forecast(run, rule, horizon=0, path=True)
        self.app.call_from_thread(self._got_preview, asked, f, preview_words(f, rule, minimum))
        if f.outcome is not Outcome.OUT_OF_BUDGET or get_current_worker().is_cancelled:
            return
        f = forecast(run, rule, path=True)
        self.app.call_from_thread(self._got_preview, asked, f, preview_words(f, rule, minimum))

    def _got_preview(self, asked: int, forecast, words: str) -> None:
        if asked != self._preview_asked or not self.preview:
            return  # the rate or the run has changed since: a newer forecast is on its way
        self._show_preview(forecast, words)

    def _show_preview(self, forecast, words: str) -> None:
        self.preview_forecast = forecast
        line = self.query_one("#preview-line", Static)
        line.update(Text(words, style="italic") if words else Text(), layout=False)
        self.query_one("#landscape", LandscapeChart).show_preview(
            None if forecast is None else forecast.params
        )
        self.query_one("#loss-chart", LossChart).show_preview(
            None if forecast is None else forecast.losses
        )

    # -- actions ---------------------------------------------------------------------
    def _board_focus(self) -> None:
        self.query_one("#steps", StepTable).focus()

    def _take_step(self) -> bool:
        """One step at the current rate; False (and a word to the player) if the run is over."""
        if self.run.over:
            self.notify(
                "This run has ended: u takes back the last step, x starts again.",
                title="Run over",
            )
            return False
        self.run.step(self.rate_now())
        return True

    def rate_now(self) -> float:
        """The rate of the next step: the schedule's, from the base rate self.lr, held
        at lr.max (``legal.scheduled_rate``: the grader expects the same)."""
        return scheduled_rate(self.level, self.schedule, self.lr, self.run.iteration)

    def action_step(self) -> None:
        if self.running:
            self._stop()
            return
        if self._take_step():
            self._after_step()

    def _after_step(self) -> None:
        self._refresh_board()
        if self.run.over:
            self._stop()
            self._finish()

    def action_run(self) -> None:
        if self.running:
            self._stop()
            return
        self._start_run(finish=False)

    def action_finish(self) -> None:
        """Take every step left at once (the schedule's rates from the rate set)."""
        if self.running:  # the animation: every step left in this frame
            self._steps_per_tick = self.goal.max_iterations
            self._tick()
            return
        self._start_run(finish=True)

    def _start_run(self, finish: bool) -> None:
        """Step to the end of the budget: animated within about RUN_SECONDS, or at once."""
        if self.run.over:
            self._take_step()  # says why nothing happens
            return
        left = self.goal.max_iterations - self.run.iteration
        rate = max(STEPS_PER_SECOND, left / RUN_SECONDS)
        ticks = min(rate, MAX_TICKS_PER_SECOND)
        self._steps_per_tick = left if finish else max(1, math.ceil(rate / ticks))
        # where the animation should be by now: a slow repaint is caught up, not waited for
        self._pace = (time.perf_counter(), self.run.iteration, rate)
        self.frames = 0
        self.running = True
        self._tick()
        if self.running:
            self._timer = self.set_interval(1 / ticks, self._tick)

    def _tick(self) -> None:
        """One frame of a run: its share of steps (fewer if they take longer than a
        frame's budget: the rest follow in the next frames), then a repaint."""
        if not self.running:  # a tick the timer had queued before the run ended
            return
        self.frames += 1
        t0 = time.perf_counter()
        began, start, rate = self._pace
        due = start + math.ceil((t0 - began) * rate) - self.run.iteration
        for _ in range(max(self._steps_per_tick, due)):
            if self.run.over or not self._take_step():
                break
            if time.perf_counter() - t0 > FRAME_BUDGET_S:
                break
        self._after_step()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.running = False

    def action_undo(self) -> None:
        self._stop()
        if self.run.undo():
            self._refresh_board()
        else:
            self.notify("Nothing to undo: this is iteration 0.")

    def action_reset(self) -> None:
        self._stop()
        if self.run.iteration > 0:
            self.trials += 1  # a run tried and left behind: on a trials level it costs
        self.run.reset()
        self.explored = self.preview  # a new run: practice only if the preview is still on
        self._refresh_board()

    def action_edit_lr(self) -> None:
        self._stop()
        self.query_one("#lr-field", LrField).edit()

    def _set_lr(self, lr: float) -> None:
        self.lr = field_rate(self.level, lr)

    def action_lr_down(self) -> None:
        self._set_lr(self.lr / LR_FACTOR)

    def action_lr_up(self) -> None:
        self._set_lr(self.lr * LR_FACTOR)

    def action_log_scale(self) -> None:
        chart = self.query_one("#loss-chart", LossChart)
        chart.log_scale = not chart.log_scale

    def action_hint(self) -> None:
        hints = self.level.hints
        line = self.query_one("#hint-line", Static)
        if not hints:
            line.update(Text("No hints for this level: the diagnosis below is your guide."))
        else:
            k = self._hint % len(hints)
            line.update(Text(f"Hint {k + 1}/{len(hints)}: {hints[k]}", style="italic"))
            self._hint += 1
        line.add_class("-shown")

    def action_back(self) -> None:
        if self.running:
            self._stop()
            return
        self.app.show_campaign()

    # -- the tools some levels offer: schedules, the range test -------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("next_schedule", "edit_schedule"):
            return bool(self.query(SchedulePicker))
        if action == "range_test":
            return self.level.range_test is not None
        return True

    def action_next_schedule(self) -> None:
        self._stop()
        self.query_one(SchedulePicker).cycle()

    def action_edit_schedule(self) -> None:
        self._stop()
        self.query_one(SchedulePicker).edit()

    @on(SchedulePicker.Chosen)
    def _schedule_chosen(self, event: SchedulePicker.Chosen) -> None:
        self.schedule = event.schedule
        self.watch_lr(self.lr)

    @on(SchedulePicker.Done)
    def _schedule_done(self) -> None:
        self._board_focus()

    def action_range_test(self) -> None:
        from .range_test import RangeTestScreen

        self._stop()

        def chosen(lr: float | None) -> None:
            if lr is not None:
                self._set_lr(lr)

        self.app.push_screen(RangeTestScreen(self.level), chosen)

    @on(LrField.Chosen)
    def _lr_chosen(self, event: LrField.Chosen) -> None:
        self._set_lr(event.lr)

    @on(LrField.Done)
    def _lr_done(self) -> None:
        self._board_focus()

    # -- the end of a run ------------------------------------------------------------
    def _finish(self) -> None:
        if not self._judging:
            self._judging = True
            self._judge(len(self.run.steps), self.explored)

    @work(thread=True, exclusive=True, group="judge", exit_on_error=False)
    def _judge(self, n_steps: int, explored: bool = False) -> None:
        from ...results import judge, practice, save

        try:
            result = judge(self.level, self.run, self.trials)  # each run tried before costs
            if explored:  # played with the preview on: practice
                result = practice(result)
            try:
                result = save(result, self.app.store)
            except Exception as exc:  # the result still shows; the player is told why
                self.app.call_from_thread(
                    self.notify, f"Could not save this result: {exc}", severity="error"
                )
            hidden = self.par_rate_hidden(result)
        finally:
            self.app.call_from_thread(setattr, self, "_judging", False)
        self.app.call_from_thread(self._show_result, result, n_steps, hidden=hidden)

    def par_rate_hidden(self, result) -> str | None:
        """Why the result may not name the rate that reaches par yet (None: it may).
        Called in the judging worker."""
        from ...results import par_rate_hidden

        return par_rate_hidden(self.level, result)

    def _show_result(self, result, n_steps: int, hidden: str | None = "") -> None:
        if len(self.run.steps) != n_steps or not self.run.over:
            return  # the player undid or reset meanwhile
        from .result import ResultScreen

        self.app.push_screen(ResultScreen(result, hidden=hidden))

    def retry(self) -> None:
        self.action_reset()

    def open_next(self) -> bool:
        """Open the next level where a mode keeps its own order (practice: the next
        seed) and say True; False: the result screen opens the campaign's next level."""
        return False


def _snapshot(run):
    """A copy of ``run`` as it stands, for a worker thread to forecast from while the
    board goes on (a step rebinds the run's params and appends to its steps: the copy's
    list and arrays stay as they were)."""
    import copy

    snap = copy.copy(run)
    snap.steps = list(run.steps)
    return snap
