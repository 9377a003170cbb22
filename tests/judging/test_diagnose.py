"""The diagnosis names what a run does and ties it to the learning rate."""

import numpy as np
import pytest

from lrgame.engine import Goal, Landscape, QuadraticBowl, Run
from lrgame.judging.diagnose import Situation, diagnose, signed
from lrgame.text import num


def valley() -> QuadraticBowl:
    """loss = x**2 from x = 2, the first article's walk-through."""
    return QuadraticBowl([2.0], [2.0], names=["x"])


def stretched() -> QuadraticBowl:
    """loss = x**2 + 10 y**2 from (4, 1)."""
    return QuadraticBowl([2.0, 20.0], [4.0, 1.0], names=["x", "y"])


X50 = Goal(1e-6, 50)


def played(landscape, lrs, goal=X50) -> Run:
    return Run(landscape, goal).play(lrs)


def test_signed_numbers_spell_out_their_sign():
    assert signed(4.0) == "+4"
    assert signed(-12.0) == "−12"
    assert signed(float("inf")) == "inf"


def test_the_start_previews_the_first_step():
    d = diagnose(played(valley(), []), lr=0.1)
    assert d.kind is Situation.START
    assert "+4" in d.text and "−0.4" in d.text and "left" in d.text


def test_a_good_rate_is_descending_with_the_step_spelled_out():
    d = diagnose(played(valley(), [0.1] * 3))
    assert "Descending: the loss fell 36%" in d.text
    assert "0.1 × +2.56 = +0.256" in d.text
    assert "from 1.28 to 1.024" in d.text
    # x = 2 * 0.8**k: x**2 <= 1e-6 from k = 35 on; a rate twice as big needs half the steps
    assert "At lr 0.1 the goal is reached at step 35 (32 more steps)" in d.text
    assert d.kind is Situation.CRAWL and "A bigger rate is quicker" in d.text


def test_a_step_over_the_bottom_is_an_overshoot_that_names_the_flip():
    d = diagnose(played(valley(), [0.9]))
    assert d.kind is Situation.OVERSHOOT
    assert "flipped from +4 to −3.2" in d.text
    assert "0.9 × +4 = +3.6" in d.text
    assert "the loss fell 36%" in d.text
    assert "the goal is reached at step 35" in d.text  # |1 - 2 * 0.9| = 0.8, as at 0.1


def test_an_overshoot_that_lands_higher_says_so():
    d = diagnose(played(valley(), [1.2]))
    assert "the loss rose 96% (4 → 7.84)" in d.text
    # the gap grows by 1.4**2 a step: past 1e6 times the start's from step 21
    assert d.kind is Situation.DIVERGING and "diverges at step 21" in d.text


def test_flips_on_every_step_are_an_oscillation_that_shrinks():
    d = diagnose(played(valley(), [0.9] * 4))
    assert d.kind is Situation.OSCILLATION
    assert "shrank" in d.text and "the goal is reached at step 35" in d.text


def test_lr_one_bounces_for_ever():
    d = diagnose(played(valley(), [1.0] * 4))
    assert d.kind is Situation.OSCILLATION
    assert "kept its size" in d.text and "no closer to it" in d.text
    assert d.forecast.outcome.value == "out_of_budget"


def test_oscillation_names_the_steep_axis_of_a_stretched_bowl():
    d = diagnose(played(stretched(), [0.095] * 5, Goal(1e-4, 100)))
    assert d.kind is Situation.OSCILLATION
    assert "along y" in d.text


def test_a_rising_loss_is_diverging_before_it_explodes():
    d = diagnose(played(valley(), [1.5] * 3))
    assert d.kind is Situation.DIVERGING
    assert "(64 → 256)" in d.text
    assert "diverges at step 10" in d.text  # the gap quadruples: 4 * 4**10 > 4e6


def test_divergence_says_what_exploded_and_the_rate_that_would_hold():
    run = played(valley(), [1.5] * 60)
    d = diagnose(run)
    assert d.kind is Situation.DIVERGED
    assert "x ran away from 2" in d.text
    assert "… → −512 → +1024 → −2048 → +4096" in d.text
    assert 0.98 <= d.stable_below <= 1  # 2 / curvature 2
    assert f"below about {num(d.stable_below)} keep x in this valley" in d.text
    assert "yours is 1.5" in d.text


def test_divergence_of_the_stretched_bowl_blames_y_and_its_limit():
    d = diagnose(played(stretched(), [0.12] * 60, Goal(1e-4, 100)))
    assert d.kind is Situation.DIVERGED
    assert "y ran away" in d.text and "keep y in this valley" in d.text
    assert 0.098 <= d.stable_below <= 0.1


def test_divergence_after_a_hand_made_schedule_blames_the_last_rate():
    d = diagnose(played(valley(), [0.1, 0.1] + [1.5] * 60))
    assert "yours is 1.5" in d.text and 0.98 <= d.stable_below <= 1


def test_a_tiny_rate_is_a_crawl_with_the_steps_it_would_need():
    d = diagnose(played(valley(), [0.001] * 5))
    assert d.kind is Situation.CRAWL
    assert "0.4%" in d.text
    # x = 2 * 0.998**k is still above 0.001 at k = 2050: no goal, still getting closer
    assert "at step 2050 it is still getting closer" in d.text


def test_out_of_budget_keeps_the_cause():
    d = diagnose(played(valley(), [0.001] * 50))
    assert d.kind is Situation.OUT_OF_BUDGET
    assert d.cause is Situation.CRAWL
    assert d.text.startswith("Out of budget: 50 steps")


def test_cleared():
    d = diagnose(played(valley(), [0.5]))
    assert d.kind is Situation.CLEARED
    assert "Cleared in 1 step:" in d.text
    assert "from 2 to 0" in d.text


class DoubleWell(Landscape):
    """loss = (x**2 - 1)**2 + 0.4 (1 - exp(-(x - 1)**2)): the bottom is at x = 1 (loss 0),
    and a shallow dip near x = -1 sits about 0.39 above it."""

    names = ("x",)
    start = np.array([-1.5])
    minimum = 0.0

    def loss(self, P, t=0):
        x = P[:, 0]
        return (x**2 - 1) ** 2 + 0.4 * (1 - np.exp(-((x - 1) ** 2)))

    def grad(self, P, t=0):
        x = P[:, :1]
        return 4 * x * (x**2 - 1) + 0.8 * (x - 1) * np.exp(-((x - 1) ** 2))


def test_a_flat_slope_far_above_the_minimum_is_stuck():
    run = played(DoubleWell(), [0.05] * 200, Goal(1e-6, 500))
    d = diagnose(run)
    assert run.loss > 0.1
    assert d.kind is Situation.STUCK
    assert "shallow minimum" in d.text


@pytest.mark.parametrize("lrs", [[], [0.1], [0.3] * 5, [0.6] * 40])
def test_many_parameters_are_described_by_norms(lrs):
    bowl = QuadraticBowl(np.linspace(1, 10, 20_000), np.ones(20_000))
    run = played(bowl, lrs, Goal(1e-4, 100))
    d = diagnose(run, lr=0.1)
    assert d.text
    assert "gradient" in d.text or "loss" in d.text


def test_a_crawl_that_is_only_too_slow_for_the_budget_says_so():
    d = diagnose(played(valley(), [0.05] * 3, Goal(1e-6, 10)))
    assert d.kind is Situation.CRAWL
    assert d.text.startswith("Descending: the loss fell 19%")
    # x = 2 * 0.9**k: x**2 <= 1e-6 from k = 73
    assert "budget runs out at step 10 before the goal: it would take until step 73" in d.text


class NoisyBowl(QuadraticBowl):
    """x**2 whose slope is measured with noise, as a mini-batch would."""

    stochastic = True

    def grad(self, P, t=0):
        return super().grad(P, t) * (1.5 if t % 2 else 0.2)

    def loss(self, P, t=0):
        return super().loss(P, t) * (1.3 if t % 3 == 0 else 1.0)


def test_a_noisy_rise_is_blamed_on_the_mini_batch_not_divergence():
    run = played(NoisyBowl([2.0], [2.0], names=["x"]), [0.2] * 3)
    assert run.steps[-1].loss > run.steps[-2].loss
    d = diagnose(run)
    assert d.kind is Situation.NOISY and d.text.startswith("Mini-batch noise")


def test_within_the_goal_but_not_cleared_says_hold_on():
    # a goal the engine cannot declare cleared yet: ask the diagnosis directly
    run = played(valley(), [0.5])
    run.outcome = None
    assert diagnose(run).kind is Situation.AT_GOAL
