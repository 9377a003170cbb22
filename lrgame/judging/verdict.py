"""The one judge: a run's outcome, stars and points.

The game's result screen, ``lrgame run``, a result file's attempt and the grader's
check of it all come from ``verdict``, so they cannot disagree. Stars and points are
the level's ``grade_run`` (by steps against par, unless the kind scores its own way),
less what trial runs cost on a level with trials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine import Outcome

#: The outcome of an attempt the player gave up before the run ended.
ABANDONED = "abandoned"


@dataclass(frozen=True)
class Verdict:
    """How one run went."""

    outcome: str  # an engine Outcome's value, or ABANDONED
    stars: int
    score: int  # after paying for the trial runs before this one
    untaxed_score: int  # before paying for them
    #: What the kind adds to its run report beyond stars and score (child-and-dogs: the quiz).
    extra: dict[str, Any] = field(default_factory=dict)


def verdict(level, run, trials: int = 0) -> Verdict:
    """Outcome, stars and points of ``run`` on ``level``, after ``trials`` earlier runs
    (they cost points on a level with trials); ``abandoned`` (no stars, no points) if
    the run has not ended."""
    if not run.over:
        return Verdict(ABANDONED, 0, 0, 0)
    outcome = (run.outcome or Outcome.OUT_OF_BUDGET).value
    figures = level.grade_run(run)
    points = int(figures["score"])
    extra = {k: v for k, v in figures.items() if k not in ("stars", "score")}
    return Verdict(outcome, int(figures["stars"]), level.trial_score(points, trials), points, extra)
