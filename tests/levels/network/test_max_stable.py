"""On a network "stable" means the loss at the end of the run is finite and below the loss
at the start (a cross-entropy grows only linearly in the weights, so a rate that throws
them far out never overflows: "does not diverge" would call it stable). Pinned on a
shipped network level by playing the runs step by step, apart from the sweep that finds
the edge."""

import math

import numpy as np

from lrgame.engine.descent import Goal, Outcome, Run
from lrgame.engine.forecast import max_stable_lr, settling_edge
from lrgame.levels import load_shipped, parse_level
from lrgame.yamlsafe import load_yaml_text


def _end_and_start(land, lr: float, budget: int) -> tuple[float, float, Run]:
    """The loss over all the points at the end of a constant-rate run over the whole
    budget, and at its start, played one step at a time (a loss goal of 0 never ends it)."""
    run = Run(land, Goal(0.0, budget)).play([lr] * budget)
    return run.current.full_loss, run.steps[0].full_loss, run


def test_the_edge_on_four_rates_ends_below_its_start_and_just_above_it_does_not():
    level = load_shipped("four-rates")
    land, goal = level.landscape(), level.engine_goal
    edge, above = settling_edge(land, goal, level.lr.min, level.lr.max)
    assert edge is not None and above is not None and edge < above < 1.05 * edge
    assert max_stable_lr(land, goal, level.lr.min, level.lr.max) == edge
    end, start, _ = _end_and_start(land, edge, goal.max_iterations)
    assert math.isfinite(end) and end < start
    end, start, run = _end_and_start(land, above, goal.max_iterations)
    assert not end < start
    # the rate just above the edge never overflows: by "does not diverge" (the
    # definition every other kind uses) it would have been called stable
    assert run.outcome is not Outcome.DIVERGED and math.isfinite(end)


def test_every_rate_tried_below_the_edge_ends_below_its_start():
    level = load_shipped("four-rates")
    land, goal = level.landscape(), level.engine_goal
    edge, _ = settling_edge(land, goal, level.lr.min, level.lr.max)
    for lr in np.geomspace(level.lr.min, edge, 6):
        end, start, _ = _end_and_start(land, float(lr), goal.max_iterations)
        assert end < start, lr


SMALL = """\
kind: network
id: small
title: Small
data: {shape: moons, points: 40, noise: 0.1, seed: 2}
network: {hidden: [4], activation: tanh, seed: 1}
goal: {loss_below: 0.3, max_iterations: 60}
lr: {default: 0.1, min: 1e-3, max: 1000}
"""


def test_par_states_the_same_edge():
    level = parse_level(load_yaml_text(SMALL, "small.yaml"))
    land, goal = level.landscape(), level.engine_goal
    edge, above = settling_edge(land, goal, level.lr.min, level.lr.max)
    assert above is not None  # the edge lies inside the range
    assert level.compute_par().max_stable_lr == edge
