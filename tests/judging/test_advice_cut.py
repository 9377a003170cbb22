"""Advice ("a bigger rate is quicker: ...") forecasts its rates only as far as a rate
that helps must clear by; the words are those of forecasts run to the whole budget."""

from __future__ import annotations

import dataclasses

import pytest

from lrgame import levels as L
from lrgame.engine.optimizers import parse_optimizer
from lrgame.engine.schedules import CONSTANT, parse_schedule
from lrgame.judging import diagnose
from lrgame.judging.diagnose import RateRule, play_diagnosed


@pytest.mark.parametrize(
    "level_id, lr, schedule, optimizer, budget",
    [
        ("stretched-bowl", 0.01, None, None, None),  # crawls and clears: bigger is quicker
        ("x-squared", 0.03, None, None, 40),
        ("the-leap", 2.5, None, None, None),  # diverges: smaller
        ("noisy-line", 0.06, None, None, 80),  # mini-batches, a goal held for steps
        ("slow-down", 0.2, "exponential:gamma=0.7", None, None),
        ("long-valley", 0.001, None, "momentum:beta=0.9", None),
    ],
)
def test_advice_at_every_step_is_that_of_whole_budget_forecasts(
    monkeypatch, level_id, lr, schedule, optimizer, budget
):
    level = L.find_level(level_id)
    goal = level.engine_goal
    if budget:
        goal = dataclasses.replace(goal, max_iterations=budget)
    rule = RateRule(lr, parse_schedule(schedule) if schedule else CONSTANT)
    opt = parse_optimizer(optimizer) if optimizer else None
    _, cut = play_diagnosed(level, goal, rule, opt)
    real = diagnose.forecast_many
    seen = []

    def whole(run, lrs, sched=CONSTANT, budget=None, horizon=None, path=False):
        seen.append(budget)
        full = min(run.goal.max_iterations, run.iteration + diagnose.ADVICE_STEPS)
        return real(run, lrs, sched, budget=full, horizon=horizon, path=path)

    monkeypatch.setattr(diagnose, "forecast_many", whole)
    _, uncut = play_diagnosed(level, goal, rule, opt)
    assert seen  # the advice looked ahead on this run
    assert [d.text for d in cut] == [d.text for d in uncut]
    assert any(" rate " in d.text and "reaches the goal" in d.text for d in cut)


def test_a_rate_clearing_one_step_before_the_mark_is_named():
    """The rate that helps least (closest to the player's) clears exactly one step before
    the run it must beat: the cut must keep that step."""
    from lrgame.engine import Run
    from lrgame.engine.forecast import forecast, forecast_many
    from lrgame.engine.rates import log_rates
    from lrgame.text import num

    level = L.find_level("x-squared")
    run = Run(level.landscape(), level.engine_goal)
    run.step(0.01)
    rule = RateRule(0.01)
    lrs = sorted({float(num(r)) for r in log_rates(0.01 * 1.05, 0.01 * 1000, 32)})
    ahead = forecast_many(run, lrs, CONSTANT, budget=run.goal.max_iterations, horizon=0)
    first = next(g for g in ahead if g.outcome.value == "cleared")
    mark = dataclasses.replace(
        forecast(run, rule), outcome=first.outcome, iterations=first.iterations + 1
    )
    advice = diagnose._better(run, rule, mark, bigger=True)
    assert f"lr {num(first.lr)} reaches the goal at step {first.iterations}." in advice
