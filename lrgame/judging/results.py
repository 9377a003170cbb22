"""How a finished run compares with par: outcome, stars, score and the par "ghost" run.

Pure (no Textual): the play screen calls ``result_of`` in a worker thread, because par
comes from a sweep that can take a moment, and the result screen only draws.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..engine import Outcome, Run, play_schedule
from ..levels.played import twin_run
from ..store import Best
from .diagnose import Diagnosis, diagnose_level, judged_loss
from .verdict import verdict


@dataclass(frozen=True)
class RunResult:
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
    par_schedule: str = "constant"  # the schedule (with best_lr as its base) that reached par
    par_optimizer: str = "sgd"  # the optimiser (from best_lr) that reached par
    trials: int = 0  # runs tried before this one, on a level where each costs points
    trial_cost: int = 0  # points taken off for those trials (already out of ``score``)
    new_best: bool = False
    previous: Best | None = None  # the best saved before this run
    #: Played with the board's preview on: practice, with no stars and nothing saved.
    explored: bool = False
    #: Under an accuracy goal (a network): the share of all the points labelled right
    #: where the run ended, and the goal's share; None under a loss goal.
    final_accuracy: float | None = None
    goal_accuracy: float | None = None

    @property
    def cleared(self) -> bool:
        return self.outcome is Outcome.CLEARED


def result_of(level, run: Run, trials: int = 0) -> RunResult:
    """Judge a finished run: computes par (a sweep, cached on the level) and the ghost.

    Stars and score are ``verdict``'s, the figures a result file records and the
    grader recomputes: against par, unless the kind scores runs its own way, less the
    cost of ``trials`` runs tried before this one on a level with trials. A kind with
    a learner of its own makes runs with ``new_run()``."""
    outcome = run.outcome or Outcome.OUT_OF_BUDGET
    par = level.compute_par()
    ghost: tuple[float, ...] = ()
    if par.best_lr is not None:
        # the ghost plays by the level's own rules, with the schedule that reached par
        ghost_run = twin_run(level, par.optimizer)  # its losses alone: the twin's will do
        best = play_schedule(ghost_run, par.best_lr, par.schedule)
        ghost = tuple(judged_loss(s) for s in best.steps)
    judged = verdict(level, run, trials)
    n_stars, points, untaxed = judged.stars, judged.score, judged.untaxed_score
    return RunResult(
        level_id=level.id,
        title=level.title,
        outcome=outcome,
        iterations=run.iteration,
        final_loss=judged_loss(run.current),
        par=par.par,
        best_lr=par.best_lr,
        par_schedule=par.schedule.spec(),
        par_optimizer=par.optimizer.spec(),
        stars=n_stars,
        score=points,
        lrs=tuple(run.lrs),
        losses=tuple(judged_loss(s) for s in run.steps),
        ghost_losses=ghost,
        minimum=run.landscape.minimum,
        goal=run.goal.loss_below,
        diagnosis=diagnose_level(level, run),
        trials=trials if level.trials is not None else 0,
        trial_cost=untaxed - points,
        final_accuracy=run.current.accuracy,
        goal_accuracy=run.goal.accuracy_at_least,
    )


def par_rate_hidden(level, result: RunResult) -> str | None:
    """Why the result screen may not name the rate that reaches par yet, or None if it
    may: the player has cleared the level (this run, or a best in the store). On a
    level with trials it never may: finding the rate is the game."""
    if level.trials is not None:
        return "On this level finding the rate is the game: par's rate stays hidden."
    if (result.cleared and not result.explored) or result.previous is not None:
        return None
    if result.cleared:  # cleared with the preview's help
        return "Clear it without the preview to see the rate that reaches par."
    return "Clear this level to see the rate that reaches par."


def practice(result: RunResult) -> RunResult:
    """A run explored with the preview: it earns no stars or points (``save`` keeps none)."""
    return dataclasses.replace(result, stars=0, score=0, explored=True)


def save(result: RunResult, store) -> RunResult:
    """Record a cleared result in the store; the returned copy says whether it is a new best."""
    previous = store.best(result.level_id)
    new_best = False
    if result.cleared and not result.explored:
        new_best = store.record(
            result.level_id, result.stars, result.iterations, result.score, list(result.lrs)
        )
    return dataclasses.replace(result, new_best=new_best, previous=previous)
