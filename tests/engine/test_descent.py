"""Gradient descent against the closed forms it must reproduce."""

import math
import warnings

import numpy as np
import pytest

from lrgame.engine import Goal, Outcome, QuadraticBowl, Run, find_par, simulate


def valley(a: float, x0: float) -> QuadraticBowl:
    """loss = a * x**2 (curvature 2a)."""
    return QuadraticBowl([2 * a], [x0])


@pytest.mark.parametrize("a", [0.5, 1.0, 3.0, 20.0])
def test_half_over_a_reaches_the_bottom_in_one_step(a):
    batch = simulate(valley(a, 2.0), [1 / (2 * a)], Goal(1e-12, 50))
    assert batch.outcome(0) is Outcome.CLEARED
    assert batch.iterations[0] == 1


@pytest.mark.parametrize("a", [0.5, 1.0, 3.0])
def test_one_over_a_bounces_between_plus_and_minus_x0(a):
    run = Run(valley(a, 2.0), Goal(1e-6, 9))
    run.play([1 / a] * 9)
    xs = [float(s.params[0]) for s in run.steps]
    assert xs == pytest.approx([2.0, -2.0] * 4 + [2.0, -2.0])
    assert run.outcome is Outcome.OUT_OF_BUDGET
    assert run.iteration == 9


@pytest.mark.parametrize("a", [0.5, 1.0, 3.0])
def test_above_one_over_a_diverges(a):
    batch = simulate(valley(a, 2.0), [1.05 / a, 2 / a, 1e300], Goal(1e-6, 10_000))
    assert all(batch.outcome(i) is Outcome.DIVERGED for i in range(3))


@pytest.mark.parametrize(
    "a, lr, eps",
    [(1.0, 0.1, 1e-3), (1.0, 0.01, 1e-4), (2.5, 0.05, 1e-2), (0.5, 1.6, 1e-5), (1.0, 0.9, 1e-3)],
)
def test_iterations_match_the_closed_form(a, lr, eps):
    x0 = 2.0
    expected = math.ceil(math.log(eps / abs(x0)) / math.log(abs(1 - 2 * a * lr)))
    # the target |x| <= eps, written as a loss target a*x**2 <= a*eps**2
    batch = simulate(valley(a, x0), [lr], Goal(a * eps**2 * (1 + 1e-9), 100_000))
    assert batch.outcome(0) is Outcome.CLEARED
    assert batch.iterations[0] == expected


def test_the_first_articles_walk_through():
    # x**2 from x = 2 with lr 0.1: every step keeps 80% of x
    run = Run(valley(1.0, 2.0), Goal(1e-6, 50))
    run.play([0.1] * 3)
    assert [s.params[0] for s in run.steps] == pytest.approx([2.0, 1.6, 1.28, 1.024])
    assert run.steps[0].gradient[0] == pytest.approx(4.0)  # slope 2x = 4 at x = 2
    assert f"{run.loss:.4g}" == "1.049"


def test_a_rate_of_five_jumps_from_one_to_minus_four():
    # the first article's greedy step: from x = 1, subtracting 5 lands on x = -4, loss 16
    run = Run(valley(1.0, 1.0), Goal(1e-6, 50))
    run.step(2.5)  # lr * slope = 2.5 * 2 = 5
    assert run.current.params[0] == pytest.approx(-4.0)
    assert run.loss == pytest.approx(16.0)


@pytest.mark.parametrize("L, mu", [(20.0, 2.0), (10.0, 1.0), (100.0, 3.0)])
def test_bowl_converges_iff_lr_below_two_over_L(L, mu):
    bowl = QuadraticBowl([mu, L], [4.0, 1.0])
    limit = 2 / L
    batch = simulate(bowl, [0.98 * limit, 1.02 * limit], Goal(1e-6, 20_000))
    assert batch.outcome(0) is Outcome.CLEARED
    assert batch.outcome(1) is Outcome.DIVERGED


@pytest.mark.parametrize("L, mu", [(20.0, 2.0), (10.0, 1.0), (50.0, 1.0)])
def test_best_constant_rate_is_two_over_L_plus_mu(L, mu):
    bowl = QuadraticBowl([mu, L], [4.0, 1.0])
    goal = Goal(1e-8, 5_000)
    optimum = 2 / (L + mu)
    par = find_par(bowl, goal, 1e-4, 1.0)
    at_optimum = simulate(bowl, [optimum], goal).iterations[0]
    # 2/(L+mu) gives the fastest worst-case contraction; for one start point and a finite
    # target the fewest steps sit within a few percent of it
    assert par.par <= at_optimum <= 1.1 * par.par
    assert par.best_lr == pytest.approx(optimum, rel=0.03)
    assert par.max_stable_lr == pytest.approx(2 / L, rel=0.01)


def test_par_matches_a_brute_force_grid():
    level = valley(1.0, 2.0)
    goal = Goal(1e-6, 50)
    par = find_par(level, goal, 1e-3, 1.5)
    grid = np.linspace(1e-3, 1.5, 200_001)
    brute = simulate(level, grid, goal)
    fewest = brute.iterations[brute.cleared].min()
    assert par.par == fewest == 1
    again = simulate(level, [par.best_lr], goal)
    assert again.iterations[0] == par.par and again.outcome(0) is Outcome.CLEARED


def test_par_on_a_stretched_bowl_matches_a_brute_force_grid():
    bowl = QuadraticBowl([2.0, 20.0], [4.0, 1.0])
    goal = Goal(1e-4, 100)
    par = find_par(bowl, goal, 1e-4, 1.0)
    brute = simulate(bowl, np.geomspace(1e-4, 1.0, 100_000), goal)
    assert par.par == brute.iterations[brute.cleared].min()


def test_nothing_clears_means_no_par():
    par = find_par(valley(1.0, 2.0), Goal(1e-6, 5), 1e-6, 1e-4)
    assert par.par is None and par.best_lr is None


def test_overflow_is_an_outcome_not_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = simulate(valley(1.0, 2.0), np.geomspace(1e-300, 1e300, 601), Goal(1e-6, 200))
        run = Run(valley(1.0, 2.0), Goal(1e-6, 200))
        run.play([1e300] * 5)
    assert run.outcome is Outcome.DIVERGED
    assert set(batch.codes.tolist()) <= {1, 2, 3}
    assert batch.outcome(600) is Outcome.DIVERGED
    assert batch.outcome(0) is Outcome.OUT_OF_BUDGET


def test_undo_restores_the_previous_iterate_and_the_rates_are_recorded():
    run = Run(valley(1.0, 2.0), Goal(1e-6, 50))
    run.step(0.1)
    run.step(0.3)
    run.step(0.05)
    assert run.lrs == [0.1, 0.3, 0.05]
    assert run.undo()
    assert run.iteration == 2 and run.lrs == [0.1, 0.3]
    assert run.params[0] == pytest.approx(2 * 0.8 * 0.4)
    run.step(0.05)
    assert run.params[0] == pytest.approx(2 * 0.8 * 0.4 * 0.9)
    while run.undo():
        pass
    assert run.iteration == 0 and run.params[0] == 2.0


def test_undo_on_a_big_bowl_resimulates_exactly():
    n = 20_000  # above the limit for keeping every iterate
    bowl = QuadraticBowl(np.linspace(1, 10, n), np.ones(n))
    run = Run(bowl, Goal(1e-6, 50))
    run.play([0.1, 0.15, 0.12])
    expected = run.params
    run.step(0.19)
    run.undo()
    assert np.array_equal(run.params, expected)
    assert run.current.params is None and run.current.param_norm > 0


def test_the_vectorised_sweep_agrees_with_one_run_per_rate():
    bowl = QuadraticBowl([2.0, 20.0], [4.0, 1.0])
    goal = Goal(1e-4, 100)
    lrs = np.geomspace(1e-3, 0.2, 40)
    batch = simulate(bowl, lrs, goal)
    for i, lr in enumerate(lrs):
        run = Run(bowl, goal).play([lr] * goal.max_iterations)
        assert run.outcome is batch.outcome(i)
        assert run.iteration == batch.iterations[i]
