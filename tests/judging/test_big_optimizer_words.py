"""The diagnosis under an optimiser on a bowl too big to keep its params (12,000): told
from lengths (of the gradient, of each step), each checked against the run itself."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine import Goal, Outcome, Run
from lrgame.engine.landscape import QuadraticBowl
from lrgame.engine.optimizers import parse_optimizer
from lrgame.judging.diagnose import diagnose
from lrgame.text import num

N = 12_000  # above the 10,000 a run keeps the params of
GOAL = Goal(1e-4, 200)


def bowl() -> QuadraticBowl:
    start = np.random.default_rng(2).normal(0.0, 1.0, N)
    return QuadraticBowl(np.resize([0.5, 2.0, 7.0, 20.0], N), start)


def words(text: str) -> str:
    return " ".join(text.split())


def test_nesterovs_first_step_is_told_by_its_own_length():
    opt = parse_optimizer("momentum:beta=0.9,nesterov=true")
    run = Run(bowl(), GOAL, optimizer=opt)
    assert run.steps[0].params is None
    text = words(diagnose(run, lr=0.01).text)
    g = run.steps[0].gradient_norm
    assert f"lr × (1 + 0.9) × |gradient| = {num(0.01 * 1.9 * g)} downhill" in text
    run.step(0.01)
    assert num(run.current.move_norm) == num(0.01 * 1.9 * g)  # the step it made


def test_adams_first_step_moves_each_parameter_by_at_most_the_rate():
    land = bowl()
    run = Run(land, GOAL, optimizer=parse_optimizer("adam"))
    text = words(diagnose(run, lr=0.01).text)
    assert "moves each parameter against its slope by at most 0.01" in text
    assert "A step with lr" not in text  # plain descent's words, false here
    run.step(0.01)
    moved = run.params - land.start
    assert np.abs(moved).max() <= 0.01 and np.abs(moved).max() > 0.0099
    assert (np.sign(moved) == -np.sign(land.start)).all()  # against each slope


@pytest.mark.parametrize("spec", ["momentum:beta=0.9", "adam"])
def test_a_step_is_told_by_its_own_length(spec):
    run = Run(bowl(), GOAL, optimizer=parse_optimizer(spec)).play([0.01])
    here = run.params
    run.step(0.01)
    length = float(np.linalg.norm(run.params - here))
    text = words(diagnose(run).text)
    name = parse_optimizer(spec).name
    assert f"the {name} step at lr 0.01 was {num(length)} long" in text
    assert num(length) != num(0.01 * run.steps[1].gradient_norm)  # not lr × |gradient|


def test_a_divergence_under_momentum_claims_no_steps_it_did_not_see():
    run = Run(bowl(), GOAL, optimizer=parse_optimizer("momentum:beta=0.9")).play([0.5] * 200)
    assert run.outcome is Outcome.DIVERGED
    text = words(diagnose(run).text)
    assert "The gradient grew from" in text and "every step went farther" not in text
