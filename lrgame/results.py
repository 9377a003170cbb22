"""How a finished run compares with par: outcome, stars, score and the par "ghost" run.

Pure (no Textual): the play screen calls ``judge`` in a worker thread, because par
comes from a sweep that can take a moment, and the result screen only draws.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .diagnose import Diagnosis, diagnose_level, judged_loss
from .engine import Outcome, Run, run_schedule, score, stars
from .store import Best


@dataclass(frozen=True)
class Result:
    """One finished run of a level, judged against the level's par."""

    level_id: str
    title: str
    outcome: Outcome
    iterations: int
    final_loss: float
    par: int | None  # fewest steps a constant rate needs; None if none clears
    best_lr: float | None
    stars: int
    score: int
    lrs: tuple[float, ...]  # the rate of every step: the replay
    losses: tuple[float, ...]  # loss at every iteration, from 0
    ghost_losses: tuple[float, ...]  # the par run's loss at every iteration ( () if none)
    minimum: float
    goal: float  # cleared when loss - minimum <= goal
    diagnosis: Diagnosis
    new_best: bool = False
    previous: Best | None = None  # the best saved before this run

    @property
    def cleared(self) -> bool:
        return self.outcome is Outcome.CLEARED


def judge(level, run: Run) -> Result:
    """Judge a finished run: computes par (a sweep, cached on the level) and the ghost.

    A level kind that scores runs its own way says so with ``grade_run(run)`` (stars and
    score), and one with a learner of its own makes runs with ``new_run()``."""
    outcome = run.outcome or Outcome.OUT_OF_BUDGET
    par = level.compute_par()
    ghost: tuple[float, ...] = ()
    if par.best_lr is not None:
        ghost = tuple(judged_loss(s) for s in _constant_run(level, run, par.best_lr).steps)
    stars_, score_ = stars(outcome, run.iteration, par.par), score(outcome, run.iteration, par.par)
    grade_run = getattr(level, "grade_run", None)
    if callable(grade_run):
        grade = grade_run(run)
        stars_, score_ = int(grade.get("stars", stars_)), int(grade.get("score", score_))
    return Result(
        level_id=level.id,
        title=level.title,
        outcome=outcome,
        iterations=run.iteration,
        final_loss=judged_loss(run.current),
        par=par.par,
        best_lr=par.best_lr,
        stars=stars_,
        score=score_,
        lrs=tuple(run.lrs),
        losses=tuple(judged_loss(s) for s in run.steps),
        ghost_losses=ghost,
        minimum=run.landscape.minimum,
        goal=run.goal.loss_below,
        diagnosis=diagnose_level(level, run),
    )


def _constant_run(level, run: Run, lr: float):
    """The par ghost: the level played at one constant rate, by the same kind of run."""
    new_run = getattr(level, "new_run", None)
    ghost = new_run() if callable(new_run) else None
    if ghost is None:
        return run_schedule(level.landscape(), run.goal, lr)
    while not ghost.over:
        ghost.step(lr)
    return ghost


def save(result: Result, store) -> Result:
    """Record a cleared result in the store; the returned copy says whether it is a new best."""
    previous = store.best(result.level_id)
    new_best = False
    if result.cleared:
        new_best = store.record(
            result.level_id, result.stars, result.iterations, result.score, list(result.lrs)
        )
    return dataclasses.replace(result, new_best=new_best, previous=previous)
