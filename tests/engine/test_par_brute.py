"""Par is never worse than a brute force over 4,000 rates; max_stable_lr never diverges."""

from dataclasses import replace

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import ExpressionLandscape, Goal, find_par, log_rates, simulate, sweep

SHIPPED = [lid for _, lid in L.campaign_ids() if lid != "child-and-dogs"]
# child-and-dogs has no step count to minimise: its par is the length of the stream.


def brute_force(level, points=4000, budget=None) -> int | None:
    """The fewest steps any of ``points`` constant rates clears in, within ``budget`` steps
    (the level's own if None): a run's steps do not depend on its budget, so a shorter
    one only leaves out the runs that clear later."""
    goal = level.engine_goal
    if budget is not None:
        goal = replace(goal, max_iterations=budget)
    b = sweep(level.sweep_landscape(), goal, log_rates(level.lr.min, level.lr.max, points))
    return int(b.iterations[b.cleared].min()) if b.cleared.any() else None


@pytest.mark.slow
@pytest.mark.parametrize("lid", SHIPPED)
def test_par_is_never_worse_than_a_brute_force_over_4000_rates(lid):
    level = L.find_level(lid)
    par = level.compute_par().par
    # Par loses only if some rate clears in fewer steps, so the brute force runs par - 1
    # steps, not the whole budget most rates of a network run to (7x the work).
    budget = level.goal.max_iterations if par is None else par - 1
    fewer = brute_force(level, budget=budget)
    assert fewer is None, f"a constant rate clears in {fewer} steps, par is {par}"


def test_a_one_step_window_narrower_than_the_sweep_spacing_is_found():
    # lr 3.1161862422112048 clears in 1 step; the window is 0.11% wide
    land = ExpressionLandscape("sin(x) + 0.1*x**2", {"x": 1.0}, -0.7945823375615283)
    par = find_par(land, Goal(1e-6, 100), 1e-4, 10)
    assert par.par == 1
    assert simulate(land, [par.best_lr], Goal(1e-6, 100)).iterations[0] == 1


#: Levels whose loss is a quadratic bowl, and their largest curvature L (2/L is the edge).
QUADRATIC = {
    "x-squared": 2,
    "which-way": 4,
    "the-leap": 10,
    "the-crawl": 0.2,
    "just-right": 1,
    "round-bowl": 0.5,
    "stretched-bowl": 20,
    "hundred-bowl": 50,
    "million-bowl": 100,
    "raised-floor": 4,
    "coarse-to-fine": 100,
}


def _fit_a_line_curvature() -> float:
    land = L.find_level("fit-a-line").landscape()
    return float(np.linalg.eigvalsh(2 * land._H).max())


@pytest.mark.parametrize("lid", [*QUADRATIC, "fit-a-line"])
def test_max_stable_lr_on_a_quadratic_is_just_below_two_over_l_never_above(lid):
    level = L.find_level(lid)
    steepest = QUADRATIC.get(lid) or _fit_a_line_curvature()
    edge = min(2 / steepest, level.lr.max)
    m = level.compute_par().max_stable_lr
    assert 0.98 * edge <= m <= edge


@pytest.mark.parametrize("lid", ["stretched-bowl", "raised-floor", "coarse-to-fine", "quartic"])
def test_max_stable_lr_does_not_diverge_given_many_more_steps(lid):
    level = L.find_level(lid)
    m = level.compute_par().max_stable_lr
    long = Goal(1e-300, 20_000)  # never cleared: it runs until it diverges or the end
    assert not simulate(level.sweep_landscape(), [m], long).diverged[0]


def _tools(level):
    """(optimizer, schedule) pairs a level offers beyond constant plain descent."""
    for optimizer in level.optimizer_tools():
        schedules = level.schedule_tools() if optimizer.takes_schedule else [None]
        for schedule in schedules:
            if schedule is not None and not schedule.uses_base_lr:
                continue
            if optimizer.plain and (schedule is None or schedule.name == "constant"):
                continue
            yield optimizer, schedule


TOOLED = [
    lid for lid in SHIPPED if L.find_level(lid).kind != "network" and any(_tools(L.find_level(lid)))
]


@pytest.mark.parametrize("lid", TOOLED)
def test_par_with_tools_is_never_worse_than_a_brute_force_over_4000_base_rates(lid):
    """Each optimiser and schedule a level offers is swept as finely as constant rates
    are (200 rates missed momentum's 45 steps on long-valley and called par 70)."""
    from lrgame.engine.schedules import CONSTANT

    level = L.find_level(lid)
    par = level.compute_par().par
    rates = log_rates(level.lr.min, level.lr.max, 4000)
    goal = replace(level.engine_goal, max_iterations=par - 1)
    for optimizer, schedule in _tools(level):
        land = level.twin_landscape(optimizer)
        b = sweep(land, goal, rates, schedule or CONSTANT, optimizer)
        fewer = int(b.iterations[b.cleared].min()) if b.cleared.any() else None
        assert fewer is None, f"{optimizer.spec()} {schedule}: {fewer} steps, par is {par}"
