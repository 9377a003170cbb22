"""A forecast under an optimiser on a big bowl plays its twin (engine.twin.twin_now),
from where the player's rates so far lead on it: the same forecast as playing every
parameter of the bowl, which the test makes by raising GROUP_ABOVE past the bowl."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from lrgame.engine import Goal, Run
from lrgame.engine.forecast import RateRule, forecast, forecast_many, max_stable_lr
from lrgame.engine.landscape import QuadraticBowl
from lrgame.engine.optimizers import parse_optimizer
from lrgame.engine.twin import twin, twin_now

F = sys.modules["lrgame.engine.forecast"]  # the module (the package exports the function)
N = 3000  # above GROUP_ABOVE (1,000): forecasts use the twin
CURVATURES = [0.5, 2.0, 7.0, 20.0]
GOAL = Goal(loss_below=1e-6, max_iterations=120)


def bowl(repeated_starts: bool = False) -> QuadraticBowl:
    rng = np.random.default_rng(7)
    if repeated_starts:  # a few sizes of both signs: adam's twin is small too
        start = rng.choice([-1.2, -0.4, 0.4, 0.9, 1.2], size=N)
    else:
        start = rng.normal(0.0, 1.0, N)
    return QuadraticBowl(np.resize(CURVATURES, N), start)


def whole(monkeypatch, make):
    """``make()`` with forecasts playing every parameter of the bowl."""
    with monkeypatch.context() as m:
        m.setattr(F, "GROUP_ABOVE", 10 * N)
        return make()


def same(a, b) -> None:
    """Two forecasts tell the same future: outcome, steps, what lies past the budget,
    and the losses along the way to 1e-12 relative."""
    assert (a.outcome, a.iterations, a.start) == (b.outcome, b.iterations, b.start)
    assert (a.beyond, a.beyond_iterations, a.horizon) == (b.beyond, b.beyond_iterations, b.horizon)
    assert a.losses.size == b.losses.size
    assert np.allclose(a.losses, b.losses, rtol=1e-12, atol=0, equal_nan=True)
    assert np.isclose(a.end_loss, b.end_loss, rtol=1e-12, atol=0, equal_nan=True)


CASES = [
    ("momentum:beta=0.9", False, [0.01, 0.01, 0.03, 0.02]),
    ("momentum:beta=0.6,nesterov=true", False, [0.05, 0.02, 0.02]),
    ("hypergradient:beta=1e-8", False, [0.02, 0.02, 0.02, 0.02, 0.02]),
    ("adam:beta1=0.9,beta2=0.999,eps=1e-8", True, [0.05, 0.02, 0.02]),
]


@pytest.mark.parametrize(("spec", "repeated", "played"), CASES)
@pytest.mark.parametrize("lr", [0.003, 0.04, 0.2])
def test_a_forecast_from_mid_run_on_the_twin_is_the_forecast_of_every_parameter(
    monkeypatch, spec, repeated, played, lr
):
    opt = parse_optimizer(spec)
    run = Run(bowl(repeated), GOAL, optimizer=opt).play(played)
    assert not run.over and run.iteration == len(played)
    mine = forecast(run, RateRule(lr), path=True)
    theirs = whole(monkeypatch, lambda: forecast(run, RateRule(lr), path=True))
    assert mine.params is None and theirs.params is not None  # the twin was played
    same(mine, theirs)


@pytest.mark.parametrize(("spec", "repeated", "played"), CASES)
def test_the_twin_forecasts_many_rates_as_the_whole_bowl_does(monkeypatch, spec, repeated, played):
    opt = parse_optimizer(spec)
    if opt.sets_own_rate:  # after its first step the rate is its own: from the start
        played = []
    run = Run(bowl(repeated), GOAL, optimizer=opt).play(played)
    lrs = np.geomspace(1e-4, 1.0, 15)
    mine = forecast_many(run, lrs, path=True)
    theirs = whole(monkeypatch, lambda: forecast_many(run, lrs, path=True))
    assert len({(f.outcome, f.beyond) for f in mine}) >= 2  # rates that end differently
    for a, b in zip(mine, theirs):
        same(a, b)


def test_the_twin_follows_an_undo_and_a_new_rate(monkeypatch):
    opt = parse_optimizer("momentum:beta=0.9")
    run = Run(bowl(), GOAL, optimizer=opt).play([0.01, 0.02, 0.02])
    before = forecast(run, RateRule(0.02))
    run.undo()
    run.step(0.005)
    after = forecast(run, RateRule(0.02))
    fresh = Run(bowl(), GOAL, optimizer=opt).play([0.01, 0.02, 0.005])
    same(after, forecast(fresh, RateRule(0.02)))
    same(after, whole(monkeypatch, lambda: forecast(run, RateRule(0.02))))
    assert before.end_loss != after.end_loss


@pytest.mark.parametrize(("spec", "repeated", "played"), CASES)
def test_the_twin_stands_where_the_bowl_stands(spec, repeated, played):
    opt = parse_optimizer(spec)
    run = Run(bowl(repeated), GOAL, optimizer=opt).play(played)
    small, params, state = twin_now(run)
    assert small.n_params == (12 if repeated else 4)  # curvatures (x start sizes)
    here = small.loss(params[None, :])[0]
    assert np.isclose(here, run.current.full_loss, rtol=1e-12, atol=0)
    if opt.sets_own_rate:  # the rate the hypergradient set itself: the run's own
        assert len(set(run.lrs)) == len(played)
        assert np.isclose(state["lr"][0], run.lrs[-1], rtol=1e-12, atol=0)


def test_adam_on_all_different_starts_plays_every_parameter():
    adam = parse_optimizer("adam")
    run = Run(bowl(repeated_starts=False), GOAL, optimizer=adam).play([0.01])
    assert twin(run.landscape, adam) is run.landscape and twin_now(run) is None
    f = forecast(run, RateRule(0.01), horizon=0, path=True)
    assert f.params is not None and f.params.shape[1] == N


@pytest.mark.parametrize("spec", ["momentum:beta=0.9", "hypergradient:beta=1e-8"])
def test_max_stable_lr_under_an_optimiser_on_the_twin(monkeypatch, spec):
    opt = parse_optimizer(spec)
    land = bowl()
    mine = max_stable_lr(land, GOAL, 1e-3, 1.0, optimizer=opt)
    theirs = whole(monkeypatch, lambda: max_stable_lr(land, GOAL, 1e-3, 1.0, optimizer=opt))
    assert mine == theirs and mine is not None and mine < 1.0
    if opt.name == "momentum":  # heavy ball on a quadratic: stable below 2 (1 + beta) / c
        assert 0.9 * 2 * 1.9 / 20 < mine <= 2 * 1.9 / 20


def test_adams_twin_measures_the_slope_of_the_whole_bowl():
    """The forecast asks a run's slope length (is it at rest?): on adam's weighted twin
    each parameter counts as often as it stands for, as the bowl's own slope does."""
    full = bowl(repeated_starts=True)
    small = twin(full, parse_optimizer("adam"))
    where = {(c, s): k for k, (c, s) in enumerate(zip(small.curvatures, small.start))}
    index = np.array([where[(c, abs(s))] for c, s in zip(full.curvatures, full.start)])
    P = np.random.default_rng(1).normal(0.0, 1.0, (3, small.n_params))  # three rows
    spread = P[:, index] * np.sign(full.start)  # where the bowl stands when its twin is at P
    want = full.gradient_norms(full.grad(spread))
    assert np.allclose(small.gradient_norms(small.grad(P)), want, rtol=1e-12, atol=0)
    assert np.allclose(small.loss(P), full.loss(spread), rtol=1e-12, atol=0)


@pytest.mark.parametrize("spec", ["sgd", "momentum:beta=0.9", "adam", "hypergradient:beta=1e-8"])
def test_a_big_runs_undo_lands_where_the_run_stood(spec):
    """A run too big to keep its iterates (12,000 parameters) keeps the arrays its last
    step replaced: one undo puts them back, a second in a row replays; either way the
    run stands, and goes on, exactly as a run of the remaining rates does."""
    opt = parse_optimizer(spec)
    start = np.random.default_rng(3).normal(0, 1, 12_000)
    land = QuadraticBowl(np.resize(CURVATURES, 12_000), start)
    run = Run(land, GOAL, optimizer=opt).play([0.01, 0.03, 0.02, 0.025])
    assert run.steps[0].params is None  # big: iterates not kept
    run.undo()  # restored
    run.step(0.015)
    run.undo()  # restored again
    run.undo()  # replayed
    run.step(0.005)
    want = Run(land, GOAL, optimizer=opt).play([0.01, 0.03, 0.005])
    assert np.array_equal(run.params, want.params) and run.lrs == want.lrs
    run.undo()  # restored
    run.step(0.012)
    want = Run(land, GOAL, optimizer=opt).play([0.01, 0.03, 0.012])
    assert np.array_equal(run.params, want.params) and run.lrs == want.lrs
    assert run.current.loss == want.current.loss
