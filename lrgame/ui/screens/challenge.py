"""A classroom challenge in the game: its levels, and the board under its rules.

``ChallengeScreen`` is the campaign screen of the challenge: every level with its
attempts left, the rules, the time left and where the result file is.
``ChallengePlayScreen`` is the board with the rules applied: an attempt starts with
its first step (if the rules still allow one), the rate is locked after it when
the rules keep one rate per run, there is no undo, and a run is recorded in the
player's result file when it ends, or when the player gives it up (after saying
so). The ``ChallengeSession`` does the bookkeeping and writes the file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, OptionList, Static

from ...challenge import ChallengeRuleError
from ...legal import label_of, schedule_problem
from ...text import stars_text
from ..widgets.challenge_bar import ChallengeBar, clock
from .campaign import CampaignScreen, reflow
from .play import PlayScreen

#: One attempt is written at a time (a finished run is recorded in a worker thread).
_RECORDING = threading.Lock()
#: The result screen waits at most this long for an attempt's record before it decides
#: whether the challenge is over (a record replays the run: well under a second).
RECORD_WAIT_S = 30.0


def challenge_over(session) -> bool:
    """No attempt is left at any level, or the time is up."""
    if session.time_left() == 0.0:
        return True
    return all(session.attempts_left(lid) == 0 for lid in session.challenge.levels)


def tell_recorded(app, session, record) -> None:
    """Tell the player an attempt is in the result file, and when the challenge is over."""
    used = session.attempts_used(record.level)
    what = record.outcome.replace("_", " ")
    app.notify(
        f"Attempt {used} of {session.rules.attempts} at {record.level} ({what}, "
        f"{record.score} points) is saved in {session.path}.",
        title="Attempt recorded",
    )
    if session.note is not None:  # a live class's answer
        line, good = session.note
        app.notify(line, title="Class", severity="information" if good else "error", timeout=15)
    if challenge_over(session):
        app.notify(
            f"The challenge is over. Hand in your result file: {session.path.resolve()}",
            title="Challenge over",
            severity="warning",
            timeout=60,
        )


class ConfirmAbandon(ModalScreen[bool]):
    """Giving up a run under way counts as an attempt: ask first."""

    CSS_PATH = "challenge.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Give it up"),
        Binding("n,escape", "answer(False)", "Keep playing"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="abandon-box"):
            yield Static(self.message, id="abandon-text")
            with Horizontal(id="abandon-buttons"):
                yield Button("Give it up (y)", id="yes", variant="warning")
                yield Button("Keep playing (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChallengePlayScreen(PlayScreen):
    """The board under a challenge's rules."""

    BINDINGS = [
        Binding(
            "u", "undo", "Undo", id="undo", show=False, tooltip="Off in a challenge: steps count"
        ),
        Binding("p", "preview", "Peek", id="preview", show=False, tooltip="Off in a challenge"),
        Binding(
            "q",
            "quit_challenge",
            "Quit",
            id="quit",
            tooltip="Leave lrgame (a run under way counts as an abandoned attempt)",
        ),
    ]

    def __init__(self, level, session) -> None:
        super().__init__(level)
        self.session = session
        self._recorded = False  # the current run's attempt is in the result file
        self._recording = threading.Event()  # set once an ended run's record is written
        self._recording.set()
        self._used: list[tuple] = []  # (schedule, base rate) of each step: the run's label

    #: A challenge's attempts are recorded and graded as plain descent (for now).
    optimizers_allowed = False

    @property
    def schedules_allowed(self) -> bool:
        """One rate per run: no schedule to pick (it would change the rate mid-run)."""
        return self.session.lr_changes

    @property
    def label(self) -> str:
        """Where this run's rates came from, as its attempt records it (``legal.label_of``)."""
        return label_of(self._used)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, Footer):
                yield ChallengeBar(id="challenge-bar")
            yield widget

    def on_mount(self) -> None:  # PlayScreen.on_mount runs too (Textual calls both)
        self.set_interval(1, self._show_challenge)
        self._show_challenge()

    # -- the rules ---------------------------------------------------------------------
    @property
    def in_run(self) -> bool:
        """A run has started and is not recorded yet: leaving it gives up an attempt."""
        return self.run.iteration > 0 and not self._recorded

    @property
    def lr_locked(self) -> bool:
        return not self.session.lr_changes and self.run.iteration > 0

    def _show_challenge(self) -> None:
        if self.run.iteration == 0:  # each attempt recorded at this level is a trial run
            self.trials = self.session.trials_before(self.level.id)
        self.query_one(ChallengeBar).show(
            self.session, self.level.id, in_run=self.in_run, locked=self.lr_locked
        )
        self.query_one("#lr-input", Input).disabled = self.lr_locked

    def _refresh_board(self) -> None:
        super()._refresh_board()
        self._show_challenge()

    def _may_start(self) -> bool:
        """Before an attempt's first step: may one more attempt be made now?"""
        if self.run.iteration > 0 or self.run.over:
            return True
        try:
            self.session.check_can_attempt(self.level.id)
        except ChallengeRuleError as exc:
            self.notify(str(exc), title="Not allowed", severity="warning")
            return False
        problem = schedule_problem(self.level, self.schedule, self.session.lr_changes)
        if problem:  # the picker refuses these already: say so rather than play unrecorded
            self.notify(problem, title="Not allowed", severity="warning")
            return False
        # every attempt recorded before this one is a trial run (it costs on a trials level)
        self.trials = self.session.trials_before(self.level.id)
        self._used = []
        return True

    def _take_step(self) -> bool:
        if self.run.over:
            return super()._take_step()
        self._used.append((self.schedule, self.lr))
        return super()._take_step()

    def action_step(self) -> None:
        if self.running or self._may_start():
            super().action_step()

    def action_run(self) -> None:
        if self.running or self._may_start():
            super().action_run()

    def action_finish(self) -> None:
        if self.running or self._may_start():
            super().action_finish()

    def action_preview(self) -> None:
        self.notify(
            "The preview is off in a challenge: here the rate is yours to reason out.",
            title="No preview",
        )

    def action_undo(self) -> None:
        self.notify("There is no undo in a challenge: every step counts.", title="No undo")

    def _refuse_lr(self) -> None:
        self.notify(
            "The rules keep one rate for a whole run. x gives this run up (it counts as an "
            "attempt) and starts again.",
            title="Rate locked",
        )

    def action_edit_lr(self) -> None:
        if self.lr_locked:
            self._refuse_lr()
        else:
            super().action_edit_lr()

    def _set_lr(self, lr: float) -> None:
        if self.lr_locked:
            self._refuse_lr()
        else:
            super()._set_lr(lr)

    # -- ending an attempt -------------------------------------------------------------
    def action_reset(self) -> None:
        if self.in_run and not self.run.over:
            self._stop()
            self._confirm_abandon("start again", self._reset_run)
        else:
            self._reset_run()

    def _reset_run(self) -> None:
        self._recorded = False
        super().action_reset()

    def action_back(self) -> None:
        if not self.running and self.in_run and not self.run.over:
            self._confirm_abandon("leave this level", self.app.show_campaign)
        else:
            super().action_back()

    def action_quit_challenge(self) -> None:
        self._stop()
        if self.in_run and not self.run.over:
            self._confirm_abandon("quit", self.app.exit)
        else:
            self.app.exit()

    def _confirm_abandon(self, what: str, then: Callable[[], object]) -> None:
        left = self.session.attempts_left(self.level.id) - 1
        message = (
            f"This run has not ended. To {what} now gives it up: it is recorded as an "
            f"abandoned attempt (0 points), leaving {max(left, 0)} attempt"
            f"{'s' if left != 1 else ''} at this level.\n\nGive this run up?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._abandon()
                then()

        self.app.push_screen(ConfirmAbandon(message), answered)

    def _abandon(self) -> None:
        """Record the run under way as abandoned (quick: no par is needed)."""
        self._recorded = True
        try:
            with _RECORDING:
                record = self.session.record_run(self.level.id, self.run, self.label)
        except (ChallengeRuleError, OSError) as exc:
            self.app.notify(f"This run was not recorded: {exc}", severity="error", timeout=15)
            return
        tell_recorded(self.app, self.session, record)

    def on_unmount(self) -> None:
        # Left some other way (the palette, ctrl+q): the rules still count the attempt.
        if self.in_run and not self.run.over:
            self._abandon()

    def _finish(self) -> None:
        if not self._recorded:
            self._recorded = True
            self._record_finished(list(self.run.lrs), self.label)
        super()._finish()

    def par_rate_hidden(self, result) -> str | None:
        """In a challenge the rate that reaches par is named only once it is over
        (waiting, in the judging worker, for this run's attempt to be written)."""
        self._recording.wait(timeout=RECORD_WAIT_S)
        if challenge_over(self.session):
            return None
        return "The rate that reaches par shows when the challenge is over."

    def _record_finished(self, lrs: list[float], label: str) -> None:
        """Record an ended run in a worker on the app (stars and score need par, a sweep)."""
        app, session, level = self.app, self.session, self.level
        done = self._recording
        done.clear()

        def record() -> None:
            from ...replay import replay

            try:
                run = replay(level, lrs)  # a copy: the board's run may be reset meanwhile
                try:
                    with _RECORDING:
                        rec = session.record_run(level.id, run, label)
                except (ChallengeRuleError, OSError) as exc:
                    app.call_from_thread(
                        app.notify,
                        f"This run was not recorded: {exc}",
                        severity="error",
                        timeout=15,
                    )
                    return
            finally:
                done.set()
            app.call_from_thread(tell_recorded, app, session, rec)

        app.run_worker(record, thread=True, group="challenge-record", exit_on_error=False)


class ChallengeScreen(CampaignScreen):
    """The challenge's levels, each with its attempts left; the rules and the result file."""

    BINDINGS = [
        Binding("U", "unlock_all", "Unlock all", id="unlock-all", show=False),
        Binding("escape", "back", "Back", id="back", show=False),
    ]

    @property
    def session(self):
        return self.app.session

    def on_mount(self) -> None:  # CampaignScreen.on_mount runs too: it loads the levels
        self.set_interval(1, self._tick)

    def _tick(self) -> None:
        if self._entries and self.is_current and self.session.time_left() is not None:
            option = self.query_one("#levels", OptionList).highlighted_option
            self._describe(option.id if option else None)

    def action_unlock_all(self) -> None:
        self.notify("Every level of a challenge is open: its rules limit the attempts.")

    def action_back(self) -> None:
        self.notify(f"q quits. Your results are saved in {self.session.path} as you play.")

    def _prompt(self, entry) -> Text:
        session = self.session
        left = session.attempts_left(entry.level_id)
        best = _best_attempt(session, entry.level_id)
        text = Text("  ")
        text.append(stars_text(best.stars if best else 0), style="bold yellow" if best else "dim")
        text.append("  " + entry.title, style="dim" if left == 0 else "")
        text.append(f"  {left}/{session.rules.attempts} left", style="dim")
        return text

    def _describe(self, level_id: str | None) -> None:
        entry = self._entry(level_id)
        if entry is None:
            return
        session = self.session
        challenge = session.challenge
        text = Text()
        if challenge_over(session):
            text.append("The challenge is over.\n", style="bold")
            text.append(f"Hand in your result file: {session.path.resolve()}\n\n", style="bold")
        text.append(entry.title + "\n", style="bold")
        by = f" by {challenge.spec.author}" if challenge.spec.author else ""
        text.append(f"{challenge.title}{by}, for {session.player}\n\n", style="italic")
        if challenge.spec.description.strip():
            text.append(reflow(challenge.spec.description.strip()) + "\n\n")
        text.append(_rules_line(session) + "\n")
        attempts = [a for a in session.attempts if a.level == entry.level_id]
        for i, a in enumerate(attempts, 1):
            what = a.outcome.replace("_", " ")
            steps = f"{a.iterations} step{'s' if a.iterations != 1 else ''}"
            text.append(f"  {i}. {what}, {steps}, {stars_text(a.stars)} {a.score} pts\n")
        if challenge_over(session):
            pass
        elif session.attempts_left(entry.level_id) == 0:
            text.append("No attempts left at this level.\n", style="italic")
        else:
            text.append("Press enter to play.\n", style="italic")
        if session.on_saved is not None:  # a live class: sent as it ends
            saved = f"Each attempt is sent to the class as it ends (a copy: {session.path}).\n\n"
        else:
            saved = (
                f"Results are saved after every attempt in {session.path}: hand that file in.\n\n"
            )
        text.append(saved, style="dim")
        text.append(reflow(entry.story) if entry.story else "")
        self.query_one("#detail", Static).update(text)


def _rules_line(session) -> str:
    rules = session.rules
    parts = [
        "the rate may change during a run" if rules.lr_changes else "one rate for a whole run",
        f"{rules.attempts} attempt{'s' if rules.attempts != 1 else ''} per level "
        "(a run given up counts)",
        "no undo",
    ]
    left = session.time_left()
    if left is not None:
        parts.append(f"{clock(left)} left" if left > 0 else "time is up")
    return "Rules: " + ", ".join(parts) + "."


def _best_attempt(session, level_id: str):
    attempts = [a for a in session.attempts if a.level == level_id]
    return max(attempts, key=lambda a: (a.score, a.stars), default=None)
