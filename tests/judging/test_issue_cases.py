"""The falsehoods of issue 12, each at its level, rate and step: the words now come true."""

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import Goal, Outcome, RateRule, simulate
from lrgame.engine.forecast import forecast
from lrgame.judging.diagnose import Situation, diagnose

from .claims import check, continued


def at(lid: str, lr: float, steps: int | None):
    """The run the issue describes: ``steps`` steps at ``lr`` (None: to its end)."""
    level = L.find_level(lid)
    run = level.new_run()
    while not run.over and (steps is None or run.iteration < steps):
        run.step(lr)
    return level, run


def told(lid, lr, steps):
    level, run = at(lid, lr, steps)
    d = diagnose(run)
    assert check(level, run, d, RateRule(lr)) >= 1
    return level, run, d


def test_1_growing_swings_that_still_clear_are_not_called_divergence():
    level, run, d = told("fit-a-line", 0.06528521141127848, 7)
    assert "the goal is reached at step 140" in d.text
    assert d.kind is not Situation.DIVERGING


def test_2_the_best_rate_does_not_bounce_for_ever():
    level, run, d = told("fit-a-line", 0.08711797509739319, 51)
    assert "the goal is reached at step 105" in d.text
    assert "for ever" not in d.text


@pytest.mark.parametrize(
    "lid, lr", [("raised-floor", 0.5258029050319802), ("stretched-bowl", 0.10525099974641511)]
)
def test_3_an_overshoot_that_diverges_later_is_not_called_mild(lid, lr):
    level, run, d = told(lid, lr, 1)
    assert d.kind is Situation.DIVERGING
    end = continued(level, run, RateRule(lr))
    assert f"the run diverges at step {end.iteration}" in d.text


def test_4_shrinking_swings_that_diverge_later_say_so():
    level, run, d = told("hundred-bowl", 0.04220083741825652, 5)
    assert d.kind is Situation.DIVERGING and "the run diverges at step 97" in d.text


@pytest.mark.parametrize("lid, lr, works", [("quartic", 0.5, 0.078), ("double-well", 0.6, 0.1)])
def test_5_the_rate_bound_after_a_divergence_comes_from_runs_not_a_curvature(lid, lr, works):
    level, run, d = told(lid, lr, None)
    assert run.outcome is Outcome.DIVERGED and d.stable_below is not None
    assert d.stable_below > works  # a rate that clears the level lies below the bound
    assert not simulate(level.landscape(), [works], level.engine_goal).diverged[0]


def test_6_no_promise_that_any_smaller_rate_settles():
    level, run, d = told("slow-down", 2.555097090352507, 6)
    assert "smaller rate settles" not in d.text
    # the level's own story: 2.3 and 2.1 still bounce after 20,000 steps
    for lr in (2.3, 2.1):
        f = forecast(level.new_run(), lr, budget=20_000, horizon=0)
        assert f.outcome is Outcome.OUT_OF_BUDGET


def test_7_a_landing_is_called_higher_only_when_it_was():
    level, run, d = told("raised-floor", 0.5258029050319802, 74)
    losses = [s.full_loss for s in run.steps[-4:]]
    if "each landing was higher" in d.text:
        assert all(b > a for a, b in zip(losses, losses[1:]))
    assert "every landing" not in d.text


def test_8_a_percentage_says_what_it_is_of():
    level, run, d = told("raised-floor", 0.2214346357779824, 10)
    g0, g1 = (s.full_loss - 5 for s in run.steps[-2:])
    pct = f"{100 * (g0 - g1) / g0:.0f}%"
    assert f"its gap above the lowest value, 5, shrank {pct}" in d.text
    assert "(5 → 5)" not in d.text


def test_9_the_steps_still_needed_come_from_the_continued_run():
    level, run, d = told("noisy-line", 0.007742636826811269, 11)
    assert "the goal is reached at step 261" in d.text


def test_10_mini_batch_noise_is_named_even_when_the_last_loss_fell():
    level, run, d = told("noisy-line", 0.1, None)
    assert run.outcome is Outcome.OUT_OF_BUDGET
    assert d.cause is Situation.NOISY and "A bigger rate" not in d.text
    assert "Mini-batch noise" in d.text and "smaller rate" in d.text


def test_11_the_double_well_at_a_small_rate_is_stuck():
    level, run, d = told("double-well", 0.05, None)
    assert run.outcome is Outcome.OUT_OF_BUDGET and d.cause is Situation.STUCK
    assert "Stuck" in d.text
    x = run.current.params[0]
    assert 0.9 < x < 1  # the shallow valley, far above the floor of the deep one
    longer = continued(level, run, RateRule(0.05), 5000)
    assert longer.outcome is Outcome.OUT_OF_BUDGET and longer.current.params[0] > 0.9


def test_12_a_crawl_along_the_gentle_directions_asks_for_a_bigger_rate():
    level, run, d = told("hundred-bowl", 0.0206913808111479, 112)
    assert d.kind is Situation.CRAWL
    assert "A bigger rate is quicker: from here, lr" in d.text
    assert "w99" not in d.text and "smaller rate" not in d.text


def test_the_checker_catches_a_false_claim():
    from lrgame.judging.diagnose import Diagnosis

    level, run = at("x-squared", 0.1, 3)
    false = Diagnosis(
        Situation.DESCENDING, "At lr 0.1 the goal is reached at step 7 (4 more steps)."
    )
    with pytest.raises(AssertionError):
        check(level, run, false, RateRule(0.1))


def test_goal_numbers_are_checked_in_a_longer_budget_too():
    level, run = at("x-squared", 0.01, 3)
    d = diagnose(run)
    # x = 2 * 0.98**k: x**2 <= 1e-6 once 0.98**k <= 5e-4, from k = 377 (the budget is 50)
    k = int(np.ceil(np.log(5e-4) / np.log(0.98)))
    assert f"it would take until step {k}" in d.text
    assert check(level, run, d, RateRule(0.01)) >= 3
    assert simulate(level.landscape(), [0.01], Goal(1e-6, k)).iterations[0] == k
