"""A classroom challenge's rules on the play screen, for a level of any kind.

An attempt starts with its first step (if the rules still allow one), the rate is
locked after it when the rules keep one rate per run, there is no undo and no
preview, and a run is recorded in the player's result file when it ends, or when
the player gives it up (after saying so). The ``ChallengeSession`` does the
bookkeeping and writes the file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.binding import Binding
from textual.widgets import Input

from ...classroom.challenge import ChallengeRuleError
from ...legal import label_of, optimizer_problem, schedule_problem
from ..screens.abandon import ConfirmAbandon
from ..widgets.challenge_bar import ChallengeBar
from . import FreePlay

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
        severity = "information" if good else "error"  # the server's text: never markup
        app.notify(line, title="Class", severity=severity, timeout=15, markup=False)
    if challenge_over(session):
        app.notify(
            f"The challenge is over. Hand in your result file: {session.path.resolve()}",
            title="Challenge over",
            severity="warning",
            timeout=60,
        )


class ChallengeRules(FreePlay):
    """The rules of a challenge, applied to the play screen they are given to."""

    BINDINGS = [
        Binding(
            "u", "undo", "Undo", id="undo", show=False, tooltip="Off in a challenge: steps count"
        ),
        Binding("p", "preview", "Peek", id="preview", show=False, tooltip="Off in a challenge"),
        Binding(
            "q",
            "leave_game",
            "Quit",
            id="quit",
            tooltip="Leave lrgame (a run under way counts as an abandoned attempt)",
        ),
    ]

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self._recorded = False  # the current run's attempt is in the result file
        self._recording = threading.Event()  # set once an ended run's record is written
        self._recording.set()
        self._used: list[tuple] = []  # (schedule, base rate) of each step: the run's label

    def optimizer_tools(self, level) -> list:
        """The optimisers the level offers that the rules allow (the one the challenge
        sets, if it sets one: the challenge's copy of the level offers only that)."""
        lr_changes = self.session.lr_changes
        return [
            t for t in level.optimizer_tools() if not optimizer_problem(level, t.spec(), lr_changes)
        ]

    @property
    def schedules_allowed(self) -> bool:
        """One rate per run: no schedule to pick (it would change the rate mid-run)."""
        return self.session.lr_changes

    @property
    def label(self) -> str:
        """Where this run's rates came from, as its attempt records it (``legal.label_of``)."""
        return label_of(self._used)

    def bar(self) -> ChallengeBar:
        return ChallengeBar(id="challenge-bar")

    def mounted(self) -> None:
        self.screen.set_interval(1, self._show_challenge)
        self._show_challenge()

    def refreshed(self) -> None:
        self._show_challenge()

    # -- the rules ---------------------------------------------------------------------
    @property
    def in_run(self) -> bool:
        """A run has started and is not recorded yet: leaving it gives up an attempt."""
        return self.screen.run.iteration > 0 and not self._recorded

    @property
    def lr_locked(self) -> bool:
        return not self.session.lr_changes and self.screen.run.iteration > 0

    def _show_challenge(self) -> None:
        screen = self.screen
        if screen.run.iteration == 0:  # each attempt recorded at this level is a trial run
            screen.trials = self.session.trials_before(screen.level.id)
        screen.query_one(ChallengeBar).show(
            self.session, screen.level.id, in_run=self.in_run, locked=self.lr_locked
        )
        screen.query_one("#lr-input", Input).disabled = self.lr_locked

    def may_start(self) -> bool:
        """Before an attempt's first step: may one more attempt be made now?"""
        screen = self.screen
        if screen.run.iteration > 0 or screen.run.over:
            return True
        try:
            self.session.check_can_attempt(screen.level.id)
        except ChallengeRuleError as exc:
            screen.notify(str(exc), title="Not allowed", severity="warning")
            return False
        spec = screen.run.optimizer.spec()
        problem = schedule_problem(
            screen.level, screen.schedule, self.session.lr_changes
        ) or self.session.challenge.pin_problem(screen.level.id, spec)
        problem = problem or optimizer_problem(screen.level, spec, self.session.lr_changes)
        if problem:  # the pickers refuse these already: say so rather than play unrecorded
            screen.notify(problem, title="Not allowed", severity="warning")
            return False
        # every attempt recorded before this one is a trial run (it costs on a trials level)
        screen.trials = self.session.trials_before(screen.level.id)
        self._used = []
        return True

    def stepping(self) -> None:
        self._used.append((self.screen.schedule, self.screen.lr))

    def refusal(self, action: str) -> str | None:
        if action == "preview":
            return "The preview is off in a challenge: here the rate is yours to reason out."
        if action == "undo":
            return "There is no undo in a challenge: every step counts."
        if action == "autopilot":  # its run and its rates would give the rate away
            return (
                "The autopilot race is off in a challenge: it would play a run ahead of "
                "yours and show you the rates it found."
            )
        return None

    def refuse_lr(self) -> None:
        self.screen.notify(
            "The rules keep one rate for a whole run. x gives this run up (it counts as an "
            "attempt) and starts again.",
            title="Rate locked",
        )

    # -- ending an attempt -------------------------------------------------------------
    def new_run(self) -> None:
        self._recorded = False

    def leave(self, what: str, then: Callable[[], object]) -> None:
        if self.in_run and not self.screen.run.over:
            self._confirm_abandon(what, then)
        else:
            then()

    def _confirm_abandon(self, what: str, then: Callable[[], object]) -> None:
        screen = self.screen
        left = self.session.attempts_left(screen.level.id) - 1
        message = (
            f"This run has not ended. To {what} now gives it up: it is recorded as an "
            f"abandoned attempt (0 points), leaving {max(left, 0)} attempt"
            f"{'s' if left != 1 else ''} at this level.\n\nGive this run up?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._abandon()
                then()

        screen.app.push_screen(ConfirmAbandon(message), answered)

    def _abandon(self) -> None:
        """Record the run under way as abandoned (quick: no par is needed)."""
        screen = self.screen
        self._recorded = True
        try:
            with _RECORDING:
                record = self.session.record_run(screen.level.id, screen.run, self.label)
        except (ChallengeRuleError, OSError) as exc:
            screen.app.notify(f"This run was not recorded: {exc}", severity="error", timeout=15)
            return
        tell_recorded(screen.app, self.session, record)

    def unmounted(self) -> None:
        # Left some other way (the palette, ctrl+q): the rules still count the attempt.
        if self.in_run and not self.screen.run.over:
            self._abandon()

    def finished(self) -> None:
        if not self._recorded:
            self._recorded = True
            run = self.screen.run
            self._record_finished(list(run.set_lrs), self.label, run.optimizer.spec())

    def par_rate_hidden(self, result) -> str | None:
        """In a challenge the rate that reaches par is named only once it is over
        (waiting, in the judging worker, for this run's attempt to be written)."""
        self._recording.wait(timeout=RECORD_WAIT_S)
        if challenge_over(self.session):
            return None
        return "The rate that reaches par shows when the challenge is over."

    def _record_finished(self, lrs: list[float], label: str, optimizer: str) -> None:
        """Record an ended run in a worker on the app (stars and score need par, a sweep)."""
        app, session, level = self.screen.app, self.session, self.screen.level
        done = self._recording
        done.clear()

        def record() -> None:
            from ...judging.replay import replay

            try:
                # a copy: the board's run may be reset meanwhile
                run = replay(level, lrs, optimizer)
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
