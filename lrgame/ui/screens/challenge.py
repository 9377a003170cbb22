"""A classroom challenge in the game: its levels, each with its attempts left.

``ChallengeScreen`` is the campaign screen of the challenge: every level with its
attempts left, the rules, the time left and where the result file is. A level is
played on its kind's view under ``ui.modes.challenge.ChallengeRules``.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList, Static

from ...text import stars_text
from ..modes.challenge import challenge_over
from ..widgets.challenge_bar import clock
from .campaign import CampaignScreen, reflow


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
        pinned = challenge.pins.get(entry.level_id)
        if pinned is not None:
            text.append(f"The challenge sets the optimizer on this level: {pinned}.\n")
        attempts = [a for a in session.attempts if a.level == entry.level_id]
        for i, a in enumerate(attempts, 1):
            what = a.outcome.replace("_", " ")
            steps = f"{a.iterations} step{'s' if a.iterations != 1 else ''}"
            how = "" if a.optimizer == "sgd" else f", {a.optimizer.split(':')[0]}"
            text.append(f"  {i}. {what}, {steps}, {stars_text(a.stars)} {a.score} pts{how}\n")
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
