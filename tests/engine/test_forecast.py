"""The forecast continues a run with the engine's own descent: it says what then happens."""

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import Goal, Outcome, QuadraticBowl, Run, play_schedule
from lrgame.engine.forecast import (
    GROWS,
    STALLS,
    STUCK,
    RateRule,
    forecast,
    forecast_many,
    max_stable_lr,
    stable_below,
)


def valley(start=2.0) -> QuadraticBowl:
    return QuadraticBowl([2.0], [start], names=["x"])


def continued(run, rule: RateRule):
    return play_schedule(run, rule.lr, rule.schedule)


@pytest.mark.parametrize("lr", [1e-4, 0.1, 0.5, 0.9, 1.0, 1.2])
@pytest.mark.parametrize("k", [0, 1, 3])
def test_a_forecast_on_the_valley_is_what_the_continued_run_does(lr, k):
    run = Run(valley(), Goal(1e-6, 50)).play([lr] * k)
    f = forecast(run, lr)
    continued(run, RateRule(lr))
    assert (f.outcome, f.iterations) == (run.outcome, run.iteration)
    assert f.start == min(k, f.iterations)
    if run.outcome is not Outcome.OUT_OF_BUDGET:
        assert np.allclose(f.losses[-1], run.current.full_loss)


def test_the_forecast_tells_a_bounce_from_a_slow_divergence():
    bounce = forecast(Run(valley(), Goal(1e-6, 50)), 1.0)
    assert bounce.outcome is Outcome.OUT_OF_BUDGET and bounce.beyond == STALLS
    slow = forecast(Run(valley(), Goal(1e-6, 50)), 1.0005)
    assert slow.outcome is Outcome.OUT_OF_BUDGET and slow.beyond in (GROWS, "diverges")
    assert slow.diverges and not bounce.diverges


def test_a_crawl_past_the_budget_says_when_it_would_clear():
    f = forecast(Run(valley(1.0), Goal(1e-6, 40)), 0.01)
    # x shrinks by 0.98 per step: x**2 <= 1e-6 once 0.98**k <= 1e-3
    assert f.beyond == "clears" and f.beyond_iterations == int(np.ceil(np.log(1e-3) / np.log(0.98)))


def test_many_rates_at_once_agree_with_one_at_a_time():
    run = Run(valley(), Goal(1e-6, 50)).play([0.3])
    lrs = [0.01, 0.3, 0.6, 1.1]
    many = forecast_many(run, lrs)
    for lr, f in zip(lrs, many):
        one = forecast(run, lr)
        assert (f.outcome, f.iterations, f.beyond) == (one.outcome, one.iterations, one.beyond)


def test_double_well_at_a_small_rate_is_stuck_in_the_shallow_valley():
    level = L.find_level("double-well")
    f = forecast(level.new_run(), 0.05)
    assert f.outcome is Outcome.OUT_OF_BUDGET and f.beyond == STUCK


@pytest.mark.parametrize("lid", ["noisy-line", "settle-the-noise", "million-bowl", "slow-down"])
def test_every_kind_forecasts_what_its_run_then_does(lid):
    level = L.find_level(lid)
    # a million parameters cost ~30 ms a step: a budget of 60 keeps the test short, and
    # the rates near par's (0.0195) still clear within it from a gap this size
    goal = Goal(0.5, 60) if lid == "million-bowl" else None
    rates = np.geomspace(level.lr.min, level.lr.max, 5)
    if lid == "million-bowl":
        rates = [0.001, 0.019, 0.0199, 0.0201, 0.03]
    for schedule in level.schedule_tools():
        for lr in rates:
            rule = RateRule(float(lr), schedule)
            run = level.new_run(goal)
            for t in range(4):
                if not run.over:
                    run.step(rule.rate(t))
            f = forecast(run, rule)
            continued(run, rule)
            assert (f.outcome, f.iterations) == (run.outcome, run.iteration), (lid, lr)


def test_the_child_forecasts_its_quiz():
    level = L.find_level("child-and-dogs")
    for lr in (0.001, 0.2, 0.9, 1.0):
        run = level.new_run().play([lr])
        f = forecast(run, lr)
        continued(run, RateRule(lr))
        assert (f.outcome, f.iterations) == (run.outcome, run.iteration)
        assert f.beyond is None


def test_the_edge_of_stability_from_here_is_found_on_forecasts():
    edge = stable_below(Run(valley(), Goal(1e-6, 50)), 3.0, 1e-3)
    assert 0.98 <= edge <= 1.0
    assert stable_below(Run(valley(), Goal(1e-6, 50)), 0.5, 1e-3) == 0.5


def test_max_stable_lr_of_a_bowl_is_two_over_its_steepest_curvature():
    bowl = QuadraticBowl([1.0, 50.0], [1.0, 1.0])
    assert max_stable_lr(bowl, Goal(1e-4, 100), 1e-4, 1.0) == 2 / 50
    assert max_stable_lr(bowl, Goal(1e-4, 100), 1e-4, 0.01) == 0.01


def test_a_big_bowl_forecasts_in_closed_form_what_its_run_does():
    # 2,000 parameters, so the forecast groups them and uses the closed form
    n = 2000
    bowl = QuadraticBowl(np.repeat([1.0, 10.0, 40.0], [700, 700, 600]), np.ones(n), 0.5)
    for goal in (Goal(1e-3, 80), Goal(1e-3, 80, hold=5)):
        for lr in (0.001, 0.02, 0.049, 0.0501, 0.06):
            run = Run(bowl, goal).play([lr] * 3)
            f = forecast(run, lr)
            play_schedule(run, lr)
            assert (f.outcome, f.iterations) == (run.outcome, run.iteration), (lr, goal)
    slow = forecast(Run(bowl, Goal(1e-3, 80)), 0.001)  # x_i shrinks by (1 - 0.001 c) a step
    assert slow.beyond == "clears"
    k = slow.beyond_iterations

    def gap(j):
        return sum(
            0.5 * c * m * (1 - 0.001 * c) ** (2 * j) for c, m in [(1, 700), (10, 700), (40, 600)]
        )

    assert gap(k) <= 1e-3 < gap(k - 1)
