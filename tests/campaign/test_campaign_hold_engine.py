"""Goal.hold: a noisy run clears only once it stays within the target."""

import numpy as np

from lrgame.engine import Goal, QuadraticBowl, Run, simulate
from lrgame.engine.linefit import LineFit, generate_points


def test_hold_one_is_the_first_iteration_within_the_target():
    bowl = QuadraticBowl([2.0], [2.0])
    a = simulate(bowl, [0.1], Goal(1e-6, 100))
    b = simulate(bowl, [0.1], Goal(1e-6, 100, hold=1))
    assert a.iterations[0] == b.iterations[0] == 35


def test_a_steady_run_clears_hold_minus_one_iterations_later():
    bowl = QuadraticBowl([2.0], [2.0])
    batch = simulate(bowl, [0.1], Goal(1e-6, 100, hold=5))
    assert batch.cleared[0] and batch.iterations[0] == 35 + 4
    run = Run(bowl, Goal(1e-6, 100, hold=5)).play([0.1] * 100)
    assert str(run.outcome) == "cleared" and run.iteration == 39


def test_leaving_the_target_starts_the_count_again():
    valley = QuadraticBowl([2.0], [1.0])  # loss x**2 from x = 1; target |x| <= 0.707
    rates = [0.75, 1.5, 0.5, 0.5]  # x: 1 -> -0.5 (in) -> 1 (out) -> 0 (in) -> 0 (in)
    assert Run(valley, Goal(0.5, 10)).play(rates).iteration == 1
    held = Run(valley, Goal(0.5, 10, hold=2)).play(rates)
    assert str(held.outcome) == "cleared" and held.iteration == 4
    held.undo()
    assert held.outcome is None and held.iteration == 3


def noisy():
    x, y = generate_points(5, 500, 1.5, 2.0, 1.0, -2.0, 2.0)
    return LineFit(x, y, batch_size=10, seed=1)


def test_with_mini_batches_a_big_rate_passes_through_but_never_settles():
    fit = noisy()
    once, held = Goal(3e-3, 300), Goal(3e-3, 300, hold=10)
    big = 0.2
    assert simulate(fit, [big], once).cleared[0]  # passes through the target...
    assert not simulate(fit, [big], held).cleared[0]  # ...but does not stay
    small = simulate(fit, np.geomspace(0.01, 0.02, 5), held)
    assert small.cleared.all()


def test_run_and_simulate_agree_on_held_clears():
    fit = noisy()
    goal = Goal(3e-3, 300, hold=10)
    for lr in (0.013, 0.2):
        batch = simulate(noisy(), [lr], goal)
        run = Run(fit, goal).play([lr] * 300)
        assert str(run.outcome) == batch.outcome(0).value
        assert run.iteration == batch.iterations[0]
