"""Check every sentence a diagnosis says about the future against the run continued.

Shared by the tests of the issue's reproductions and the property test. Each claim is
read from the text with a pattern and checked by playing the run on (a copy of it).
"""

from __future__ import annotations

import re

import numpy as np

from lrgame.engine import Goal, Outcome, RateRule, Run, play_schedule, simulate
from lrgame.judging.diagnose import Diagnosis
from lrgame.text import num

STEP = r"(\d+(?:,\d{3})*)"
RATE = r"([0-9.e+-]+)"

#: Words the old diagnosis guessed with; none may appear unless a forecast says so.
GUESSES = [
    "will settle",
    "heading for divergence",
    "never reaches the bottom",
    "mild overshoot still converges",
    "steps away",
    "Any smaller rate settles",
    "keep this rate and the swings grow",
    "At this pace",
]


def whole(text: str) -> int:
    """A step count as the text writes it: 35 or 20,000."""
    return int(text.replace(",", ""))


def copy_of(level, run, budget: int | None = None):
    """A fresh run of ``level`` that took the same steps (with another budget, if given)."""
    goal = run.goal if budget is None else Goal(run.goal.loss_below, budget, run.goal.hold)
    again = level.new_run(goal)
    for lr in run.lrs:
        if again.over:
            break
        again.step(lr)
    return again


def continued(level, run, rule: RateRule, budget: int | None = None):
    return play_schedule(copy_of(level, run, budget), rule.lr, rule.schedule)


def check(level, run, d: Diagnosis, rule: RateRule) -> int:
    """Assert every claim about the future in ``d``; returns how many were checked."""
    text = d.text
    checked = 0
    for word in GUESSES:
        assert word not in text, (word, text)
    f = d.forecast
    if f is not None and not run.over:
        end = continued(level, run, rule)
        assert (f.outcome, f.iterations) == (end.outcome, end.iteration), text
        checked += 1
    m = re.search(rf"the goal is reached at step {STEP}", text)
    if m:
        end = continued(level, run, rule)
        assert end.outcome is Outcome.CLEARED and end.iteration == whole(m[1]), text
        checked += 1
    m = re.search(rf"the run diverges at step {STEP}", text)
    if m:
        end = continued(level, run, rule)
        assert end.outcome is Outcome.DIVERGED and end.iteration == whole(m[1]), text
        checked += 1
    m = re.search(rf"the budget runs out at step {STEP} before the goal", text)
    if m:
        assert whole(m[1]) == run.goal.max_iterations, text
        if not run.over:
            end = continued(level, run, rule)
            assert end.outcome is Outcome.OUT_OF_BUDGET, text
        checked += 1
        later = re.search(rf"it would take until step {STEP}", text)
        if later:
            end = continued(level, run, rule, whole(later[1]))
            assert end.outcome is Outcome.CLEARED and end.iteration == whole(later[1]), text
            checked += 1
        later = re.search(rf"past it the run diverges \(at step {STEP}\)", text)
        if later:
            end = continued(level, run, rule, whole(later[1]))
            assert end.outcome is Outcome.DIVERGED and end.iteration == whole(later[1]), text
            checked += 1
        rest = re.search(rf"by step {STEP} the run has come to rest with the loss at {RATE},", text)
        if rest:
            end = continued(level, run, rule, whole(rest[1]))
            assert end.outcome is Outcome.OUT_OF_BUDGET, text
            assert num(end.current.full_loss) == rest[2], text
            checked += 1
    m = re.search(rf"from here, lr {RATE} reaches the goal at step {STEP}", text)
    if m:
        end = continued(level, run, RateRule(float(m[1]), rule.schedule))
        assert end.outcome is Outcome.CLEARED and end.iteration == whole(m[2]), text
        checked += 1
    m = re.search(rf"started over, lr {RATE} reaches the goal in {STEP} steps", text)
    if m:
        fresh = play_schedule(level.new_run(run.goal), float(m[1]), rule.schedule)
        assert fresh.outcome is Outcome.CLEARED and fresh.iteration == whole(m[2]), text
        checked += 1
    if d.stable_below is not None:
        m = re.search(rf"below about {RATE} .*none of them diverges in {STEP} steps", text)
        assert m and m[1] == num(d.stable_below), text
        rates = np.geomspace(d.stable_below / 100, d.stable_below, 12)
        looked = Goal(run.goal.loss_below, whole(m[2]), run.goal.hold)
        assert isinstance(run, Run)
        assert not simulate(run.landscape, rates, looked).diverged.any(), text
        checked += 1
    m = re.search(
        rf"A constant run at {RATE} from the start does not diverge in {STEP} steps", text
    )
    if m:
        looked = Goal(run.goal.loss_below, whole(m[2]), run.goal.hold)
        assert not simulate(run.landscape, [float(m[1])], looked).diverged[0], text
        checked += 1
    return checked
