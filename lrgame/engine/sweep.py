"""Sweeps of constant learning rates, and the par the engine computes for a level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .descent import Goal, RateRuns, simulate
from .landscape import Landscape, QuadraticBowl
from .optimizers import SGD, Optimizer
from .rates import SWEEP_POINTS, log_rates
from .schedules import CONSTANT, Schedule

__all__ = ["SWEEP_POINTS", "Par", "find_par", "log_rates", "sweep"]

#: Par's coarse sweep takes up to this many rates (the brute force par must never lose to),
#: as many as PAR_WORK units of work allow (budget x step cost per rate, as MAX_COST in
#: levels.py counts them); it never takes fewer than SWEEP_POINTS.
BRUTE_POINTS = 4_000
PAR_WORK = 200_000_000
REFINE_POINTS = 64
REFINE_ROUNDS = 4
#: Par refines around this many local minima of the step count at most (fewest steps first).
REFINE_WINDOWS = 32


def sweep(
    landscape: Landscape, goal: Goal, lrs, schedule=CONSTANT, optimizer: Optimizer = SGD
) -> RateRuns:
    """One run per learning rate, all at once."""
    return simulate(landscape, lrs, goal, schedule, optimizer)


@dataclass(frozen=True)
class Par:
    """What the best constant learning rate (or offered schedule) achieves on a level."""

    par: int | None  # fewest steps any constant rate in range needs; None if none clears
    best_lr: float | None  # a rate that clears in ``par`` steps
    #: The largest rate in range whose constant-rate run never diverges, however long it
    #: runs (see forecast.max_stable_lr); on a quadratic bowl, 2 / the largest curvature.
    max_stable_lr: float | None
    sweep: RateRuns  # the coarse sweep (of constant rates) behind these figures
    #: The schedule that reaches par with base rate ``best_lr``: constant unless the
    #: level offers schedules and one of them beats every constant rate.
    schedule: Schedule = CONSTANT
    #: The optimiser that reaches par: plain descent unless the level offers optimisers
    #: and one of them beats it.
    optimizer: Optimizer = SGD


def _best_index(batch: RateRuns) -> int | None:
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


def _local_minima(batch: RateRuns) -> list[int]:
    """Cleared rates whose step count no neighbour beats, at the edges of their plateaus,
    fewest steps first: a narrow window of fewer steps may hide next to each of them."""
    steps = np.where(batch.cleared, batch.iterations, np.iinfo(np.int64).max)
    left = np.concatenate([[np.iinfo(np.int64).max], steps[:-1]])
    right = np.concatenate([steps[1:], [np.iinfo(np.int64).max]])
    edge = batch.cleared & (steps <= left) & (steps <= right) & ((steps < left) | (steps < right))
    hits = np.flatnonzero(edge)
    if hits.size == 0:  # one plateau across the whole range
        hits = np.flatnonzero(batch.cleared)[:1]
    order = np.argsort(steps[hits], kind="stable")
    return [int(i) for i in hits[order][:REFINE_WINDOWS]]


def _fewest(
    landscape: Landscape, goal: Goal, coarse: RateRuns, schedule, optimizer: Optimizer = SGD
) -> tuple[int | None, float | None]:
    """Par and best rate from a coarse sweep, refined around every local minimum of the
    step count (not only the best one: a window of fewer steps can be narrower than the
    sweep's spacing, next to any of them)."""
    best = _best_index(coarse)
    if best is None:
        return None, None
    lrs = coarse.lrs
    par = int(coarse.iterations[best])
    best_lr = float(lrs[best])
    last = lrs.size - 1
    # each round sweeps at most as many rates as the coarse sweep did
    most = max(1, min(REFINE_WINDOWS, lrs.size // REFINE_POINTS))
    minima = _local_minima(coarse)[:most]
    windows = [(lrs[max(i - 1, 0)], lrs[min(i + 1, last)]) for i in minima]
    for _ in range(REFINE_ROUNDS):
        windows = [(a, b) for a, b in windows if a < b]
        if not windows:
            break
        rates = np.concatenate([log_rates(a, b, REFINE_POINTS) for a, b in windows])
        fine = sweep(landscape, goal, rates, schedule, optimizer)
        found = []
        for w in range(len(windows)):
            block = slice(w * REFINE_POINTS, (w + 1) * REFINE_POINTS)
            part = RateRuns(
                fine.lrs[block],
                fine.codes[block],
                fine.iterations[block],
                fine.final_loss[block],
                fine.lowest_loss[block],
                fine.start_loss,
            )
            j = _best_index(part)
            if j is None:
                continue
            steps = int(part.iterations[j])
            if steps < par:
                par, best_lr = steps, float(part.lrs[j])
            k = part.lrs.size - 1
            found.append((steps, (part.lrs[max(j - 1, 0)], part.lrs[min(j + 1, k)])))
        found.sort(key=lambda f: f[0])
        windows = [w for _, w in found[: max(1, most // 4)]]
    return _roundest(landscape, goal, schedule, par, best_lr, optimizer)


def _roundest(
    landscape: Landscape, goal: Goal, schedule, par: int, lr: float, optimizer: Optimizer = SGD
) -> tuple[int, float]:
    """(par, ``lr`` written with as few significant figures as still clear in par steps):
    0.5 rather than 0.500236, a rate a player can type and a hint can quote. A rounder
    rate may even clear in fewer steps (a one-step window the sweeps stepped over)."""
    candidates = [float(f"{lr:.{d}g}") for d in range(1, 7)]
    batch = sweep(landscape, goal, candidates, schedule, optimizer)
    steps = np.where(batch.cleared, batch.iterations, np.iinfo(np.int64).max)
    fewest = min(par, int(steps.min()))
    for c, n in zip(candidates, steps):
        if n == fewest:
            return fewest, c
    return par, lr


def coarse_points(landscape: Landscape, goal: Goal, step_cost: int | None = None) -> int:
    """How many rates par's coarse sweep takes (see BRUTE_POINTS). ``step_cost``: the
    work of one step of one rate (a level's ``step_cost()``); else the parameter count."""
    cost = step_cost if step_cost is not None else landscape.n_params + 1
    work = max(goal.max_iterations, 1) * max(int(cost), 1)
    return int(min(BRUTE_POINTS, max(SWEEP_POINTS, PAR_WORK // work)))


def find_par(
    landscape: Landscape,
    goal: Goal,
    lr_min: float,
    lr_max: float,
    points: int | None = None,
    schedules: Sequence[Schedule] = (),
    step_cost: int | None = None,
    optimizers: Sequence[Optimizer] = (),
    exact_landscape: Landscape | None = None,
) -> Par:
    """Sweep the level's range of constant rates, then refine around every local minimum
    of the step count; ``points`` (if given) fixes the coarse sweep's size.

    With ``schedules`` (the ones a level offers), each is swept too, over the same
    base rates, and par is the fewest steps of any of them: on such a level a
    schedule can beat, or be the only way to clear, what constant rates manage.

    With ``optimizers`` (the ones a level offers), each is swept with every schedule it
    takes (constant and the offered ones), and par is the best of all. Adam is not
    linear in the params, so a bowl's grouped twin does not hold for it: it is swept on
    ``exact_landscape`` (the level's own, or its twin under adam: ``engine.twin``) when
    given.
    """
    from .forecast import max_stable_lr

    own = exact_landscape if exact_landscape is not None else landscape
    if isinstance(landscape, QuadraticBowl):  # the same losses on one param per curvature
        landscape = landscape.grouped()
    if points is None:
        points = coarse_points(landscape, goal, step_cost)
    coarse = sweep(landscape, goal, log_rates(lr_min, lr_max, points))
    max_stable = max_stable_lr(landscape, goal, lr_min, lr_max)

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
    best_optimizer = SGD
    for optimizer in optimizers:
        if optimizer.plain:
            continue
        # momentum and the hypergradient are linear in the params: a grouped bowl holds
        land = own if optimizer.name == "adam" else landscape
        # as many rates as the constant sweep: a momentum's window of fewer steps can be
        # as narrow as plain descent's (200 rates missed 129 steps for 139 on a bowl)
        many = points if land is landscape else coarse_points(land, goal)
        tools = [CONSTANT, *schedules] if optimizer.takes_schedule else [CONSTANT]
        for schedule in tools:
            if schedule.name == "constant" and schedule is not tools[0]:
                continue
            if schedule.uses_base_lr:
                batch = sweep(land, goal, log_rates(lr_min, lr_max, many), schedule, optimizer)
                p, lr = _fewest(land, goal, batch, schedule, optimizer)
            else:
                lr = schedule.options.get("max_lr", lr_max)
                batch = sweep(land, goal, [lr], schedule, optimizer)
                p = int(batch.iterations[0]) if batch.cleared[0] else None
            if p is not None and (par is None or p < par):
                par, best_lr, best_schedule, best_optimizer = p, lr, schedule, optimizer
    return Par(par, best_lr, max_stable, coarse, best_schedule, best_optimizer)
