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
from textual.widgets import Footer, Input, Static

from ...engine import CONSTANT
from ...judging.diagnose import judged_loss
from ...legal import field_rate, schedule_problem, scheduled_rate
from ...text import goal_text, num
from ..modes import FreePlay, Mode
from ..widgets.charts import LandscapeChart, LossChart
from ..widgets.diagnosis_view import DELAY, DiagnosisView
from ..widgets.lr_field import LrField
from ..widgets.optimizer_picker import OptimizerPicker
from ..widgets.schedule_picker import SchedulePicker
from ..widgets.step_table import StepTable
from ..widgets.story import StoryScreen, _rows

_UNKNOWN = object()
#: `[` and `]` divide or multiply the rate by this: four presses make a factor of ten.
LR_FACTOR = 10 ** (1 / 4)
#: The run animation: this many steps a second for a short budget...
STEPS_PER_SECOND = 8
#: ...and a longer budget is sped up to finish in about this many seconds.
RUN_SECONDS = 3.0
#: Fastest timer tick (a frame); beyond it several steps are taken per frame.
MAX_TICKS_PER_SECOND = 30
#: The preview's quick forecast (the budget alone) is made on the key press, in the
#: frame it answers, while it typically takes less than a frame (60 a second); beyond,
#: in a worker.
PREVIEW_INLINE_S = 0.016
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
        # a priority binding runs as the key arrives, so the field has focus before the
        # keys typed right after it are handed on (see LrField.edit)
        Binding("l", "edit_lr", "lr", id="edit-lr", tooltip="Type a learning rate", priority=True),
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
        Binding("o", "next_optimizer", "Optim", id="optimizer", tooltip="Next optimizer"),
        # the autopilot race is on every level: off the footer (it is in the help)
        Binding(
            "a",
            "autopilot",
            "Autopilot",
            show=False,
            id="autopilot",
            tooltip="Race the hypergradient autopilot from the rate set",
        ),
    ]

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    #: Narrow: the rate field drops its label, so that its range still fits (app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide")]

    lr: reactive[float] = reactive(0.1, init=False)
    running: reactive[bool] = reactive(False, init=False)
    #: Explore mode (p): the board draws the path the rate set would take from here.
    preview: reactive[bool] = reactive(False, init=False)

    def __init__(self, level, *, rules=None, watch=None, lr: float | None = None) -> None:
        """``rules``: the mode's rules (a challenge's; free play when None); ``watch``: a
        ``modes.watch.Watch`` when the level's file is watched; ``lr``: the rate to start at."""
        super().__init__()
        self.level = level
        self.landscape = level.landscape()
        self.run = level.new_run()  # a kind with its own learner plays by its own rules
        self.goal = self.run.goal
        self.set_reactive(PlayScreen.lr, float(level.lr.default if lr is None else lr))
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
        self.autopilot = None  # the autopilot's race (autopilot.Race) while it is shown
        self._autopilot_asked = 0
        self._autopilot_opt = _UNKNOWN  # the autopilot's optimiser, found when first asked
        self.trials = 0  # runs abandoned or finished before this one (levels with trials)
        self.rules = rules if rules is not None else FreePlay()
        offered = self._optimizer_tools()
        if offered and not offered[0].plain:  # a challenge set it (classroom.pinned)
            self.run = level.new_run(optimizer=offered[0])
        self.watch = watch
        for mode in self.modes:
            mode.attach(self)
            for binding in mode.BINDINGS:  # a mode's keys replace the board's
                self._bindings.key_to_bindings[binding.key] = [binding]

    @property
    def modes(self) -> list[Mode]:
        """The modes this screen plays in: its rules, and the watch if any."""
        return [m for m in (self.rules, self.watch) if m is not None]

    def mode_bars(self) -> ComposeResult:
        """The modes' lines above the footer (a kind's view yields them too)."""
        for mode in self.modes:
            bar = mode.bar()
            if bar is not None:
                yield bar

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        level = self.level
        yield Static(self._heading(), id="level-head")
        with Horizontal(id="charts"):
            names = [self.landscape.names[i] for i in self.run.trace_index]
            # the kind's own chart where it has one (level.chart), else the landscape's
            yield LandscapeChart(self.landscape, names, extra=level.chart, id="landscape")
            yield LossChart(id="loss-chart")
        yield StepTable(
            self.landscape.names,
            self.run.steps[0].params is not None,
            moves=any(not t.plain for t in self._optimizer_tools()),
            id="steps",
        )
        with Horizontal(id="status-row"):
            yield Static(id="status")
            yield LrField(
                self.lr,
                level.lr.min,
                level.lr.max,
                cursor_blink=getattr(self.app, "cursor_blink", True),
                id="lr-field",
            ).data_bind(PlayScreen.lr)
        yield Static(id="preview-line")
        yield Static(id="autopilot-line")
        if len(self._optimizer_tools()) > 1:
            yield OptimizerPicker(self._optimizer_tools(), id="optimizer")
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
        yield DiagnosisView(id="diagnosis")
        yield from self.mode_bars()
        # the palette (ctrl+p) is in the help; its footer entry would push keys off 80 columns
        yield Footer(compact=True, show_command_palette=False)

    @property
    def schedules_allowed(self) -> bool:
        """False where the rules keep one rate per run (a challenge): no schedule picker."""
        return self.rules.schedules_allowed

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
            f"\ngoal: {goal_text(goal, land.minimum)} "
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
        self._crowd()
        if self.autopilot is not None and self.is_mounted:  # its bars fill the new width
            line = self.query_one("#autopilot-line", Static)
            line.update(_race_text(self.autopilot, self.size.width - 2))

    def on_mount(self) -> None:
        self._mount_board()
        for mode in self.modes:
            mode.mounted()

    def on_unmount(self) -> None:
        self.rules.unmounted()

    def _mount_board(self) -> None:
        """Set up the kind's view once it is mounted, draw it, and find par."""
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
        """Redraw everything from the run, then let the modes redraw their bars."""
        self._draw_board()
        for mode in self.modes:
            mode.refreshed()

    def _draw_board(self) -> None:
        """The kind's view of the run: charts, steps, status and diagnosis."""
        run = self.run
        self.query_one("#steps", StepTable).show_run(run, self.rate_now())
        chart = self.query_one("#landscape", LandscapeChart)
        chart.show(run.steps, None, self.lr, run=run)  # params read only if drawn
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
        text.append(_optimizer_status(run))
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
        if not (self.has_class("-narrow") or self.has_class("-crowded")):
            # (where the status takes the row's rest, padding would only be cut to "…")
            text.pad_right(self._status_width - text.cell_len)
        self.query_one("#status", Static).update(text, layout=wider)
        if wider:
            self._crowd()

    def _crowd(self) -> None:
        """A status line too long to leave the rate field its range: the row is laid out
        as on a narrow screen (app.tcss), the status cut short, the field whole."""
        need = self._status_width + _field_cells(self.level)
        self.set_class(need > self.size.width, "-crowded")

    def _show_diagnosis(self) -> None:
        """Ask for the diagnosis: worked out in a worker, shown when it lands."""
        story = ""
        if self.run.iteration == 0 and self.level.story:
            story = " ".join(self.level.story.split())
        lr = None if self.run.over else self.rate_now()
        self.query_one("#diagnosis", DiagnosisView).ask(self.level, self.run, lr, story)

    def watch_lr(self, lr: float) -> None:
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
        if not self._refused("preview"):
            self.preview = not self.preview

    def _refused(self, action: str) -> bool:
        """Tell the player and return True when the rules turn ``action`` off."""
        why = self.rules.refusal(action)
        if why:
            self.notify(why, title=f"No {action}")
        return bool(why)

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
        quick = None
        took = self._preview_took[-5:]
        if len(took) < 3 or sorted(took)[len(took) // 2] < PREVIEW_INLINE_S:
            # the budget alone, here: words and path in the frame that answers the key
            from ...engine.forecast import forecast
            from ...preview import preview_words, under_optimizer

            began = time.perf_counter()
            quick = forecast(self.run, rule, horizon=0, path=True)
            words = preview_words(quick, rule, self.landscape.minimum)
            words = under_optimizer(words, rule, self.run)
            self._show_preview(quick, words)
            # typically slower than a frame's share: from then on in the worker
            self._preview_took = [*took, time.perf_counter() - began]
        self._forecast_preview(self._preview_asked, _snapshot(self.run), rule, quick)

    #: How long the last quick preview forecasts made on a key press took.
    _preview_took: list = []
    #: The rows of the preview's words shown (its line is as high).
    _preview_rows = 0

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _forecast_preview(self, asked: int, run, rule, quick=None) -> None:
        """First the budget alone (quick: the words and the path land at once; ``quick``
        when already made on the key press), then, for a run that runs out of budget,
        the look past it (up to thousands of steps)."""
        from textual.worker import get_current_worker

        from ...engine import Outcome
        from ...engine.forecast import forecast
        from ...preview import preview_words, under_optimizer

        minimum = self.landscape.minimum

        def words(f) -> str:
            return under_optimizer(preview_words(f, rule, minimum), rule, run)

        f = quick
        if f is None:
            f = forecast(run, rule, horizon=0, path=True)
            self.app.call_from_thread(self._got_preview, asked, f, words(f))
        if f.outcome is not Outcome.OUT_OF_BUDGET or get_current_worker().is_cancelled:
            return
        time.sleep(DELAY)  # the long look only once the keys rest: a held ] asks for none
        if asked != self._preview_asked or get_current_worker().is_cancelled:
            return
        f = forecast(run, rule, path=True)
        self.app.call_from_thread(self._got_preview, asked, f, words(f))

    def _got_preview(self, asked: int, forecast, words: str) -> None:
        if asked != self._preview_asked or not self.preview:
            return  # the rate or the run has changed since: a newer forecast is on its way
        self._show_preview(forecast, words)

    def _show_preview(self, forecast, words: str) -> None:
        self.preview_forecast = forecast
        line = self.query_one("#preview-line", Static)
        text = Text(words, style="italic") if words else Text()
        # one row or two (app.tcss): a new height lays out the board, so only on a change
        rows = min(2, _rows(text, self.size.width - 2)) if words else 1
        line.update(text, layout=rows != self._preview_rows)
        self._preview_rows = rows
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
        self.rules.stepping()
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
        if self.rules.may_start() and self._take_step():
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
        if self.rules.may_start():
            self._start_run(finish=False)

    def action_finish(self) -> None:
        """Take every step left at once (the schedule's rates from the rate set)."""
        if self.running:  # the animation: every step left in this frame
            self._steps_per_tick = self.goal.max_iterations
            self._tick()
            return
        if self.rules.may_start():
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
        if self._refused("undo"):
            return
        self._stop()
        if self.run.undo():
            self._refresh_board()
        else:
            self.notify("Nothing to undo: this is iteration 0.")

    def action_reset(self) -> None:
        self._stop()
        self.rules.leave("start again", self._reset_run)

    def _reset_run(self) -> None:
        self._stop()
        self.rules.new_run()
        if self.run.iteration > 0:
            self.trials += 1  # a run tried and left behind: on a trials level it costs
        self.run.reset()
        self.explored = self.preview  # a new run: practice only if the preview is still on
        self._refresh_board()

    def action_edit_lr(self) -> None:
        if self.rules.lr_locked:
            self.rules.refuse_lr()
            return
        self._stop()
        self.query_one("#lr-field", LrField).edit()

    def _set_lr(self, lr: float) -> None:
        if self.rules.lr_locked:
            self.rules.refuse_lr()
            return
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
        self.rules.leave("leave this level", self.app.show_campaign)

    def action_leave_game(self) -> None:
        """Quit lrgame, as the rules allow (a challenge asks about a run under way)."""
        self._stop()
        self.rules.leave("quit", self.app.exit)

    # -- the tools some levels offer: schedules, the range test -------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        if action == "edit_lr":  # priority: an l typed into a field stays there
            return not isinstance(self.focused, Input)
        if action in ("next_schedule", "edit_schedule"):
            return bool(self.query(SchedulePicker))
        if action == "range_test":
            return self.level.range_test is not None
        if action == "next_optimizer":
            return bool(self.query(OptimizerPicker))
        return True

    # -- optimisers and the autopilot race --------------------------------------------
    def _optimizer_tools(self) -> list:
        """The optimisers the rules let the player pick from (one: nothing to pick)."""
        return self.rules.optimizer_tools(self.level)

    def action_next_optimizer(self) -> None:
        self._stop()
        if self.run.iteration > 0:
            self.notify(
                "A run keeps one optimizer (its velocity or averages belong to it): "
                "x starts a new run, then o picks another.",
                title="Optimizer",
            )
            return
        self.query_one(OptimizerPicker).cycle()

    @on(OptimizerPicker.Chosen)
    def _optimizer_chosen(self, event: OptimizerPicker.Chosen) -> None:
        self.run = self.level.new_run(optimizer=event.optimizer)
        self._refresh_board()

    def _autopilot_optimizer(self):
        from ...autopilot import autopilot_for

        if self._autopilot_opt is _UNKNOWN:
            try:
                self._autopilot_opt, self._autopilot_why = autopilot_for(self.level)
            except Exception:  # a level the autopilot cannot fly: no race
                self._autopilot_opt = None
                self._autopilot_why = "No race here: the autopilot cannot fly this level."
        return self._autopilot_opt

    def action_autopilot(self) -> None:
        """Race the autopilot from the rate set (again: take its ghost off the board)."""
        self._autopilot_asked += 1
        if self.autopilot is not None:
            self._show_autopilot(None)
            return
        if self._refused("autopilot"):
            return
        optimizer = self._autopilot_optimizer()
        if optimizer is None:  # the key says why (check_action leaves it on)
            self.notify(self._autopilot_why, title="No autopilot")
            return
        self._race_autopilot(self._autopilot_asked, optimizer, float(self.lr))

    @work(thread=True, exclusive=True, group="autopilot", exit_on_error=False)
    def _race_autopilot(self, asked: int, optimizer, lr: float) -> None:
        from ...autopilot import race

        result = race(self.level, lr, optimizer)
        self.app.call_from_thread(self._got_autopilot, asked, result)

    def _got_autopilot(self, asked: int, result) -> None:
        if asked == self._autopilot_asked:
            self._show_autopilot(result)

    def _show_autopilot(self, result) -> None:
        self.autopilot = result
        line = self.query_one("#autopilot-line", Static)
        line.set_class(result is not None, "-shown")
        landscape = self.query_one("#landscape", LandscapeChart)
        losses = self.query_one("#loss-chart", LossChart)
        if result is None:
            line.update(Text())
            landscape.show_autopilot(None)
            losses.show_autopilot(None)
            return
        steps = result.run.steps
        line.update(_race_text(result, self.size.width - 2))  # the line's padding: 1 + 1
        path = result.path()  # None on a level raced on its twin: no params to draw
        if path is not None:
            landscape.show_autopilot(path)
        losses.show_autopilot([judged_loss(s) for s in steps])

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
        self.rules.finished()
        if not self._judging:
            self._judging = True
            self._judge(len(self.run.steps), self.explored)

    @work(thread=True, exclusive=True, group="judge", exit_on_error=False)
    def _judge(self, n_steps: int, explored: bool = False) -> None:
        from ...judging.results import practice, result_of, save

        try:
            result = result_of(self.level, self.run, self.trials)  # each run tried before costs
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
        return self.rules.par_rate_hidden(result)

    def _show_result(self, result, n_steps: int, hidden: str | None = "") -> None:
        if len(self.run.steps) != n_steps or not self.run.over:
            return  # the player undid or reset meanwhile
        from .result import ResultScreen

        screen = ResultScreen(
            result,
            hidden=hidden,
            chart=self.result_chart(),
            autopilot=self.autopilot,
            own_next=self.OWN_NEXT,
        )
        self.app.push_screen(screen, self._after_result)

    def result_chart(self):
        """The result's chart of the run in the kind's own terms; None: the race of
        losses against the par ghost. A kind's view overrides it."""
        return None

    def _after_result(self, choice: str | None) -> None:
        """The result screen's answer: "retry" starts again; "board" studies the run;
        "next" opens what comes next (``OWN_NEXT``)."""
        if choice == "retry":
            self.action_reset()
        elif choice == "next":
            self.open_next()

    #: True: the result's Next comes back here, to ``open_next`` (practice: the next
    #: seed); False: the result screen opens the campaign's next level.
    OWN_NEXT = False

    def open_next(self) -> None:
        """Open what comes after this level, for a screen that keeps its own order."""


def _field_cells(level) -> int:
    """The status row's cells beside the status at full width: the row's and the status'
    padding (1 + 1, 2), "set lr " (7), the rate's input (12) and its range (lr_field.py)."""
    return 4 + 7 + 12 + len(f"{num(level.lr.min)}–{num(level.lr.max)}") + 2


def _race_text(race, width: int) -> Text:
    """The autopilot's line (two rows of ``width`` cells): how its race ended, then its
    optimiser and its rate, with the rate per step as bars to the end of the row."""
    ended, rate, bars = race.board_lines(width)
    text = Text(ended, style="italic")
    text.append("  (a: hide)\n", style="dim")
    text.append(rate + " ", style="dim")
    text.append(bars)
    return text


def _optimizer_status(run) -> str:
    """The status line's words for a run's optimiser ('' for plain descent): its name,
    the rate of the last step where the optimiser set it, and momentum's velocity."""
    optimizer = run.optimizer
    if optimizer.plain:
        return ""
    text = ""
    step = run.current
    if optimizer.sets_own_rate and step.lr is not None:
        text += f" · its lr {num(step.lr)}"
    velocity = step.velocity
    if velocity is not None and velocity.size <= 3:
        text += " · velocity (" + ", ".join(num(float(v)) for v in velocity) + ")"
    elif velocity is not None:
        import numpy as np

        text += f" · |velocity| {num(float(np.linalg.norm(velocity)))}"
    return text


def _snapshot(run):
    """A copy of ``run`` as it stands, for a worker thread to forecast from while the
    board goes on (a step rebinds the run's params and appends to its steps: the copy's
    list and arrays stay as they were)."""
    import copy

    snap = copy.copy(run)
    snap.steps = list(run.steps)
    return snap
