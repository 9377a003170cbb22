"""Sweeps of constant learning rates, and the par the engine computes for a level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .descent import Batch, Goal, simulate
from .landscape import Landscape
from .schedules import CONSTANT, Schedule

SWEEP_POINTS = 200
REFINE_POINTS = 64
REFINE_ROUNDS = 4


def log_rates(lr_min: float, lr_max: float, points: int = SWEEP_POINTS) -> np.ndarray:
    """``points`` learning rates spaced evenly on a log scale, both ends included.

    Any two finite positive ends work, up to the largest float (numpy's geomspace
    overflows on its way there: its warning is silenced and its result held in range).
    """
    with np.errstate(all="ignore"):
        rates = np.geomspace(lr_min, lr_max, max(int(points), 1))
    return np.clip(np.nan_to_num(rates, posinf=lr_max), lr_min, lr_max)


def sweep(landscape: Landscape, goal: Goal, lrs, schedule=CONSTANT) -> Batch:
    """One run per learning rate, all at once."""
    return simulate(landscape, lrs, goal, schedule)


@dataclass(frozen=True)
class Par:
    """What the best constant learning rate (or offered schedule) achieves on a level."""

    par: int | None  # fewest steps any constant rate in range needs; None if none clears
    best_lr: float | None  # a rate that clears in ``par`` steps
    max_stable_lr: float | None  # largest swept rate whose run does not end above its start
    sweep: Batch  # the coarse sweep (of constant rates) behind these figures
    #: The schedule that reaches par with base rate ``best_lr``: constant unless the
    #: level offers schedules and one of them beats every constant rate.
    schedule: Schedule = CONSTANT


def _best_index(batch: Batch) -> int | None:
    """The middle of the longest stretch of rates that clear in the fewest steps."""
    cleared = batch.cleared
    if not cleared.any():
        return None
    fewest = batch.iterations[cleared].min()
    hits = np.flatnonzero(cleared & (batch.iterations == fewest))
    # split into contiguous stretches; the longest one is the most forgiving
    stretches = np.split(hits, np.flatnonzero(np.diff(hits) > 1) + 1)
    longest = max(stretches, key=len)
    return int(longest[len(longest) // 2])


def _stable(batch: Batch) -> np.ndarray:
    return ~batch.diverged & (batch.final_loss <= batch.start_loss)


def _fewest(
    landscape: Landscape, goal: Goal, coarse: Batch, schedule
) -> tuple[int | None, float | None]:
    """Par and best rate from a coarse sweep, refined four times around the best rate."""
    best = _best_index(coarse)
    if best is None:
        return None, None
    lrs = coarse.lrs
    par = int(coarse.iterations[best])
    best_lr = float(lrs[best])
    window = (lrs[max(best - 1, 0)], lrs[min(best + 1, lrs.size - 1)])
    for _ in range(REFINE_ROUNDS):
        fine = sweep(landscape, goal, log_rates(window[0], window[1], REFINE_POINTS), schedule)
        j = _best_index(fine)
        if j is None:
            break
        if fine.iterations[j] <= par:
            par, best_lr = int(fine.iterations[j]), float(fine.lrs[j])
        window = (fine.lrs[max(j - 1, 0)], fine.lrs[min(j + 1, fine.lrs.size - 1)])
        if window[0] == window[1]:
            break
    return par, best_lr


def find_par(
    landscape: Landscape,
    goal: Goal,
    lr_min: float,
    lr_max: float,
    points: int = SWEEP_POINTS,
    schedules: Sequence[Schedule] = (),
) -> Par:
    """Sweep the level's range of constant rates, then refine around the best one.

    With ``schedules`` (the ones a level offers), each is swept too, over the same
    base rates, and par is the fewest steps of any of them: on such a level a
    schedule can beat, or be the only way to clear, what constant rates manage.
    """
    coarse = sweep(landscape, goal, log_rates(lr_min, lr_max, points))
    lrs = coarse.lrs

    stable = np.flatnonzero(_stable(coarse))
    max_stable = None
    if stable.size:
        i = int(stable[-1])
        max_stable = float(lrs[i])
        if i + 1 < lrs.size:  # the edge lies between this rate and the next: look closer
            fine = sweep(landscape, goal, log_rates(lrs[i], lrs[i + 1], REFINE_POINTS))
            max_stable = float(fine.lrs[np.flatnonzero(_stable(fine))[-1]])

    par, best_lr = _fewest(landscape, goal, coarse, CONSTANT)
    best_schedule = CONSTANT
    for schedule in schedules:
        if schedule.name == "constant":
            continue
        if schedule.uses_base_lr:
            batch = sweep(landscape, goal, log_rates(lr_min, lr_max, points), schedule)
            p, lr = _fewest(landscape, goal, batch, schedule)
        else:  # its rates come from its own options: one run says it all
            lr = schedule.options.get("max_lr", lr_max)
            batch = sweep(landscape, goal, [lr], schedule)
            p = int(batch.iterations[0]) if batch.cleared[0] else None
        if p is not None and (par is None or p < par):
            par, best_lr, best_schedule = p, lr, schedule
    return Par(par, best_lr, max_stable, coarse, best_schedule)
