"""The chapter "The rate is not alone": each level teaches what its story says, checked
by simulation (the numbers its texts state are checked in test_campaign_story_numbers)."""

from __future__ import annotations

import numpy as np

from lrgame import levels as L
from tests.campaign.chapter_optimizers import (
    clears_in,
    hd_rates,
    never_diverges,
    no_constant_rate_clears,
    opt,
    play,
    sgd_par,
)

CHAPTER = ["momentum-kick", "long-valley", "two-scales", "beat-the-autopilot"]


def test_the_chapter_comes_before_the_child_and_offers_one_optimizer_per_level():
    chapters = L.load_campaign().chapters
    titles = [c.title for c in chapters]
    i = titles.index("The rate is not alone")
    assert list(chapters[i].levels) == CHAPTER
    assert titles[i + 1] == "The child and the dogs"
    for lid in CHAPTER:
        tools = L.find_level(lid).optimizer_tools()
        assert [t.name for t in tools][0] == "sgd" and len(tools) == 2


def test_momentum_kick_a_rate_safe_for_plain_descent_diverges_with_momentum():
    momentum = opt("momentum-kick", "momentum")
    assert never_diverges("momentum-kick", 0.4)
    run = play("momentum-kick", 0.4, momentum)
    assert str(run.outcome) == "diverged"
    # x is thrown past the bottom, and each swing goes farther than the one before
    xs = np.array([s.params[0] for s in run.steps])
    flips = np.flatnonzero(np.sign(xs[1:]) != np.sign(xs[:-1])) + 1
    swings = np.abs(xs[flips])
    assert flips.size >= 3 and np.all(np.diff(swings[-3:]) > 0)
    # dividing the rate by ten makes momentum clear, and quicker than plain descent can
    n = clears_in("momentum-kick", 0.04, momentum)
    assert n is not None and n < sgd_par("momentum-kick").par


def test_long_valley_momentum_crosses_where_plain_descent_crawls():
    assert no_constant_rate_clears("long-valley")
    best = sgd_par("long-valley")
    assert best.par is None
    lv = L.find_level("long-valley")
    edge = best.max_stable_lr
    assert str(play("long-valley", edge * 0.99).outcome) == "out_of_budget"  # y bounces
    crawl = play("long-valley", edge / 2)  # y settles, but x crawls
    assert str(crawl.outcome) == "out_of_budget" and crawl.current.params[0] > 1
    momentum = opt("long-valley", "momentum")
    par = lv.compute_par()
    assert par.optimizer == momentum and par.par <= lv.goal.max_iterations
    run = play("long-valley", 0.004, momentum)
    assert str(run.outcome) == "cleared"
    # along the valley the velocity builds beyond the slope; across it the slope flips
    k = 10
    assert abs(run.steps[k].velocity[0]) > 3 * abs(run.steps[k - 1].gradient[0])
    ys = np.sign([s.gradient[1] for s in run.steps[:20]])
    assert np.count_nonzero(ys[1:] != ys[:-1]) >= 5


def test_two_scales_adam_clears_where_no_single_rate_can():
    assert no_constant_rate_clears("two-scales")
    adam = opt("two-scales", "adam")
    lv = L.find_level("two-scales")
    par = lv.compute_par()
    assert par.optimizer == adam
    assert clears_in("two-scales", par.best_lr, adam) == par.par
    first = play("two-scales", 0.3, adam, steps=1)
    moved = np.abs(first.steps[1].params - first.steps[0].params)
    assert np.allclose(moved, 0.3, rtol=1e-6)  # each parameter by the rate, whatever its slope


def test_beat_the_autopilot_rises_and_falls_and_can_be_beaten_or_fail():
    autopilot = hd_rates("beat-the-autopilot")
    rates = np.array(autopilot.lrs)
    assert str(autopilot.outcome) == "cleared"
    top = int(np.argmax(rates))
    assert rates[top] > 10 * rates[0] and rates[-1] < rates[top]
    best = sgd_par("beat-the-autopilot")
    assert best.par < autopilot.iteration  # one constant rate beats it
    assert clears_in("beat-the-autopilot", best.best_lr) == best.par
    # it beats the rate it starts from held constant, which runs out of budget ...
    assert clears_in("beat-the-autopilot", 0.1) is None
    # ... but it is not magic: with a bigger B it diverges
    assert str(hd_rates("beat-the-autopilot", beta=1.0).outcome) == "diverged"
