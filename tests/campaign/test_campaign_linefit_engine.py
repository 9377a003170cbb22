"""Fitting a line: the exact gradient of the mean squared error, and mini-batches."""

import numpy as np
import pytest

from lrgame.engine import Goal, Run, find_par, simulate
from lrgame.engine.linefit import LineFit, generate_points, least_squares


def direct_loss(x, y, W, b):
    return np.mean((W * x + b - y) ** 2)


@pytest.fixture
def points():
    return generate_points(seed=1, n=40, w=2.0, b=-1.0, noise=0.3, x_min=0.0, x_max=3.0)


def test_minimum_is_the_least_squares_loss(points):
    x, y = points
    fit = LineFit(x, y)
    w, b = np.polyfit(x, y, 1)
    assert fit.best_w == pytest.approx(w)
    assert fit.best_b == pytest.approx(b)
    assert fit.minimum == pytest.approx(direct_loss(x, y, w, b))


@pytest.mark.parametrize("W, b", [(0.0, 0.0), (3.5, 2.0), (-1.0, 10.0)])
def test_loss_and_gradient_are_the_mean_squared_error_and_its_derivative(points, W, b):
    x, y = points
    fit = LineFit(x, y)
    P = np.array([[W, b]])
    assert fit.loss(P)[0] == pytest.approx(direct_loss(x, y, W, b), rel=1e-12)
    r = W * x + b - y
    np.testing.assert_allclose(fit.grad(P)[0], [2 * np.mean(r * x), 2 * np.mean(r)], rtol=1e-10)


def test_one_step_is_the_articles_update_rule(points):
    x, y = points
    fit = LineFit(x, y, start=(0.5, 0.5))
    run = Run(fit, Goal(1e-9, 10))
    eta = 0.05
    r = 0.5 * x + 0.5 - y
    run.step(eta)
    W_new, b_new = run.params
    assert W_new == pytest.approx(0.5 - eta * 2 * np.mean(r * x))
    assert b_new == pytest.approx(0.5 - eta * 2 * np.mean(r))


def test_least_squares_matches_polyfit(points):
    x, y = points
    w, b, m = least_squares(x, y)
    assert (w, b) == pytest.approx(tuple(np.polyfit(x, y, 1)))
    assert m == pytest.approx(direct_loss(x, y, w, b))


def test_batches_cover_each_epoch_once_and_repeat_for_a_seed():
    x, y = generate_points(seed=2, n=100, w=1.0, b=0.0, noise=1.0, x_min=0.0, x_max=1.0)
    fit = LineFit(x, y, batch_size=10, seed=5)
    assert fit.stochastic
    epoch = np.concatenate([fit.batch(t) for t in range(10)])
    assert sorted(epoch) == list(range(100))
    again = LineFit(x, y, batch_size=10, seed=5)
    for t in (0, 7, 10, 33):
        np.testing.assert_array_equal(fit.batch(t), again.batch(t))
    other = LineFit(x, y, batch_size=10, seed=6)
    assert not np.array_equal(fit.batch(0), other.batch(0))
    assert not np.array_equal(fit.batch(0), fit.batch(10))  # a new shuffle each epoch


def test_batch_loss_and_gradient_use_the_batch_of_the_step():
    x, y = generate_points(seed=2, n=100, w=1.0, b=0.0, noise=1.0, x_min=0.0, x_max=1.0)
    fit = LineFit(x, y, batch_size=10, seed=5)
    P = np.array([[0.3, 0.2]])
    for t in (0, 3, 12):
        idx = fit.batch(t)
        xb, yb = x[idx], y[idx]
        assert fit.loss(P, t)[0] == pytest.approx(direct_loss(xb, yb, 0.3, 0.2))
        r = 0.3 * xb + 0.2 - yb
        np.testing.assert_allclose(fit.grad(P, t)[0], [2 * np.mean(r * xb), 2 * np.mean(r)])
        assert fit.full_loss(P, t)[0] == pytest.approx(direct_loss(x, y, 0.3, 0.2))


def test_a_stochastic_run_is_judged_on_the_full_data_and_repeats_exactly():
    x, y = generate_points(seed=4, n=200, w=2.0, b=1.0, noise=0.5, x_min=0.0, x_max=2.0)
    goal = Goal(5e-3, 300)
    runs = []
    for _ in range(2):
        run = Run(LineFit(x, y, batch_size=8, seed=9), goal)
        run.play([0.05] * 300)
        runs.append(run)
    a, b = runs
    assert [s.loss for s in a.steps] == [s.loss for s in b.steps]
    assert a.outcome == b.outcome
    gap = a.current.full_loss - a.landscape.minimum
    assert (str(a.outcome) == "cleared") == (abs(gap) <= goal.loss_below)
    # the mini-batch loss is jagged: it goes up on some steps even with a modest rate
    losses = np.array([s.loss for s in a.steps])
    assert (np.diff(losses) > 0).sum() > 10


def test_simulate_and_run_follow_the_same_batches():
    x, y = generate_points(seed=4, n=200, w=2.0, b=1.0, noise=0.5, x_min=0.0, x_max=2.0)
    fit = LineFit(x, y, batch_size=8, seed=9)
    goal = Goal(5e-3, 300)
    par = find_par(fit, goal, 1e-3, 1.0)
    assert par.par is not None
    run = Run(LineFit(x, y, batch_size=8, seed=9), goal)
    run.play([par.best_lr] * goal.max_iterations)
    assert str(run.outcome) == "cleared"
    assert run.iteration == par.par
    batch = simulate(fit, [par.best_lr], goal)
    assert batch.final_loss[0] == pytest.approx(run.current.full_loss, rel=1e-12)
