"""The three regimes of the child and the dogs, pinned on the shipped level."""

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import dogs as E


@pytest.fixture(scope="module")
def level():
    return L.find_level("child-and-dogs")


def test_too_low_the_white_dog_stays_an_outlier(level):
    says = level.quiz_says(0.01)
    assert says["black_dog"] is True
    assert says["white_dog"] is False
    assert says["cat"] is False
    assert level.regime(0.01) == "too_low"


def test_too_high_the_child_forgets_the_black_dogs(level):
    says = level.quiz_says(1.0)
    assert says["black_dog"] is False
    assert says["white_dog"] is True  # all dogs are white now
    assert says["cat"] is False
    assert level.regime(1.0) == "too_high"


def test_at_rate_one_the_idea_is_the_last_dog(level):
    last = level.beliefs(1.0)[-1]
    assert last.mean == pytest.approx(level.animals()[-1].features)
    assert all(s == pytest.approx(level.decision.min_spread) for s in last.spread.values())


@pytest.mark.parametrize("lr", np.geomspace(0.15, 0.5, 25))
def test_a_wide_middle_accepts_both_dogs_and_rejects_the_cat(level, lr):
    says = level.quiz_says(lr)
    assert says == {"black_dog": True, "white_dog": True, "brown_dog": True, "cat": False}
    assert level.regime(lr) == "good"


def test_the_good_window_is_wide_and_inside_the_story(level):
    w = level.good_window()
    assert w is not None
    assert 0.08 < w.lo < 0.15 and 0.5 < w.hi < 0.7  # holds over [0.15, 0.5] with room to spare
    assert w.hi / w.lo > 3.5
    assert w.lo < w.middle < w.hi
    # the edges are edges: just inside clears, just outside does not
    c = level.child()
    inside = E.simulate(c, [w.lo * 1.001, w.hi * 0.999]).cleared
    outside = E.simulate(c, [w.lo * 0.99, w.hi * 1.01]).cleared
    assert inside.all() and not outside.any()


def test_a_log_sweep_meets_the_regimes_in_order(level):
    lrs = np.geomspace(1e-3, 1.0, 300)
    regimes = [level.regime(lr) for lr in lrs]
    runs = [regimes[0]]
    for r in regimes[1:]:
        if r != runs[-1]:
            runs.append(r)
    assert runs == ["too_low", "good", "too_high"]
    # too low -> the white dog is rejected; too high -> the black dog is rejected
    c = level.child()
    b = E.learn(c, lrs)
    says = E.says_dog(c, b.mean[:, -1], b.square[:, -1])
    white, black = c.quiz_keys.index("white_dog"), c.quiz_keys.index("black_dog")
    low = np.array(regimes) == "too_low"
    high = np.array(regimes) == "too_high"
    assert not says[low, white].any() and says[low, black].all()
    assert not says[high, black].any()


def test_the_cat_is_never_a_dog(level):
    for lr in np.geomspace(1e-3, 1.0, 60):
        assert level.quiz_says(lr)["cat"] is False


def test_par_best_lr_and_edge_come_from_the_window(level):
    par = level.compute_par()
    w = level.good_window()
    assert par.par == len(level.stream) == 2
    assert par.best_lr == pytest.approx(w.middle)
    assert par.max_stable_lr == pytest.approx(w.hi)


@pytest.mark.parametrize("seed", range(8))
def test_the_regimes_survive_small_changes_to_the_level(level, seed):
    """Not a knife-edge: nudge every feature by up to 0.05 and the decision numbers by 10%."""
    import dataclasses

    rng = np.random.default_rng(seed)
    c = level.child()

    def nudge(a):
        return np.clip(a + rng.uniform(-0.05, 0.05, a.shape), 0, 1)

    c = dataclasses.replace(
        c,
        first_dogs=nudge(c.first_dogs),
        stream=nudge(c.stream),
        quiz=nudge(c.quiz),
        threshold=c.threshold * rng.uniform(0.9, 1.1),
        min_spread=c.min_spread * rng.uniform(0.9, 1.1),
    )
    lrs = np.array([0.01, 1.0, *np.geomspace(0.2, 0.5, 10)])
    b = E.learn(c, lrs)
    says = E.says_dog(c, b.mean[:, -1], b.square[:, -1])
    black, white, cat = (c.quiz_keys.index(k) for k in ("black_dog", "white_dog", "cat"))
    assert not says[0, white]
    assert not says[1, black]
    assert (says[2:] == c.quiz_is_dog).all()
    assert not says[:, cat].any()
