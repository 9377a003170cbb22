"""How many parameters a level's forecasts play under an optimiser, and why a level
refuses an optimiser whose forecasts would play too many (``MAX_OPTIMIZER_PARAMS``).

Par, sweeps, range tests, the board's forecasts and the result's ghost play a level
on its twin under the optimiser (``Level.twin_landscape``, ``engine.twin``): the same
losses on fewer parameters, where a kind has one (a bowl: one parameter per distinct
curvature; under adam one per distinct curvature and start size). Only the player's
own run (and its replay by ``grade``) moves every parameter of the level.
"""

from __future__ import annotations

from ..engine.descent import Run
from ..engine.forecast import GROUP_ABOVE
from ..engine.landscape import QuadraticBowl
from ..engine.optimizers import SGD, Optimizer
from .base import MAX_OPTIMIZER_PARAMS, LevelBase


def played_params(level: LevelBase, optimizer: Optimizer) -> int:
    """The parameters a forecast under ``optimizer`` plays on ``level``."""
    return level.twin_landscape(optimizer).n_params


def optimizer_size_problem(level: LevelBase, optimizer: Optimizer) -> str | None:
    """Why ``level`` cannot offer ``optimizer`` (its forecasts would play more than
    MAX_OPTIMIZER_PARAMS parameters), in one line, or None."""
    if optimizer.plain:
        return None
    played = played_params(level, optimizer)
    if played <= MAX_OPTIMIZER_PARAMS:
        return None
    most = f"(at most {MAX_OPTIMIZER_PARAMS:,})"
    bowl = isinstance(level.landscape(), QuadraticBowl)
    if bowl and played < level.n_params:  # adam's twin: smaller, but not small enough
        return (
            f"{optimizer.name}'s twin of this bowl has one parameter per distinct pair of "
            f"curvature and start size, {played:,} of them, and its forecasts play them "
            f"all {most}"
        )
    if bowl:
        return (
            f"{optimizer.name} has no smaller twin here: it moves alike only parameters "
            f"that share both curvature and start size, and no two of this bowl's "
            f"{played:,} parameters do, so its forecasts would play all of them {most}"
        )
    return (
        f"forecasts under {optimizer.name} play every parameter of this level, "
        f"{played:,} of them {most}"
    )


def twin_run(level: LevelBase, optimizer: Optimizer = SGD):
    """A fresh run of ``level`` for its losses alone (the result's par ghost): on its twin
    under ``optimizer`` when the level is big enough for the forecasts to use one (the
    same losses), else the level's own run."""
    small = level.twin_landscape(optimizer)
    if level.n_params > GROUP_ABOVE and small.n_params < level.n_params:
        return Run(small, level.engine_goal, optimizer=optimizer)
    return level.new_run(optimizer=optimizer)
