"""The learning-rate range test, against what a quadratic bowl must give."""

import numpy as np
import pytest

from lrgame.engine import QuadraticBowl
from lrgame.engine.range_test import RULE, range_rates, range_test, suggest


def test_rates_rise_exponentially_from_min_to_max():
    r = range_rates(1e-5, 10, 61)
    assert r[0] == pytest.approx(1e-5) and r[-1] == pytest.approx(10)
    assert np.allclose(r[1:] / r[:-1], r[1] / r[0])


def test_the_test_stops_once_the_loss_blows_up():
    bowl = QuadraticBowl([2.0, 20.0], [4.0, 1.0])  # unstable above lr = 2/20
    result = range_test(bowl, 1e-5, 10, steps=200)
    assert result.stopped_early
    assert result.lrs.size < 200
    assert np.all(np.diff(result.lrs) > 0)
    assert np.all(np.isfinite(result.losses))
    assert result.lrs[-1] < 1.0  # it did not go on to the far end (lr 10)
    gap = result.smoothed - bowl.minimum
    assert gap[-1] > 4 * gap[:-1].min()
    assert gap[:-1].max() <= 4 * gap[:-1].min() or gap[:-1].argmax() == 0


def test_suggestion_is_a_rate_where_the_loss_falls_and_that_is_stable():
    bowl = QuadraticBowl([2.0, 20.0], [4.0, 1.0])
    result = range_test(bowl, 1e-5, 10, steps=200)
    assert result.suggested_lr is not None
    assert 1e-3 < result.suggested_lr < 2 / 20
    assert result.rule == RULE


def test_suggest_picks_the_steepest_fall():
    lrs = np.geomspace(1e-4, 1, 50)
    loss = 1 / (1 + np.exp((np.log10(lrs) + 2) * 4))  # falls fastest at lr = 1e-2
    assert suggest(lrs, loss) == pytest.approx(1e-2, rel=0.25)
    assert suggest(lrs, np.linspace(1, 2, 50)) is None  # never falls: no suggestion


def test_a_landscape_with_a_nonzero_minimum_is_judged_on_the_gap():
    bowl = QuadraticBowl([2.0], [3.0], minimum=-50.0)
    result = range_test(bowl, 1e-4, 10, steps=100)
    assert result.stopped_early
    assert result.suggested_lr is not None and result.suggested_lr < 1.0


def test_a_loss_that_stops_being_a_number_ends_the_test_without_that_point():
    bowl = QuadraticBowl([1e150], [1e10])
    result = range_test(bowl, 1e-160, 1e10, steps=100, stop_factor=np.inf)
    assert result.stopped_early
    assert result.lrs.size < 100 and np.all(np.isfinite(result.losses))
