"""A bowl's twin under each optimiser plays exactly like the bowl (engine/twin.py)."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine import Goal, Run, simulate
from lrgame.engine.landscape import QuadraticBowl
from lrgame.engine.optimizers import parse_optimizer
from lrgame.engine.twin import WeightedBowl, twin

SPECS = [
    "sgd",
    "momentum:beta=0.9",
    "momentum:beta=0.8,nesterov=true",
    "adam:beta1=0.9,beta2=0.999,eps=1e-8",
    "hypergradient:beta=2e-5",
]
CURVATURES = [0.5, 2.0, 7.0]
N = 48
GOAL = Goal(loss_below=1e-6, max_iterations=60)


def bowl(repeated_starts: bool) -> QuadraticBowl:
    """Curvatures cycled over 48 parameters; starts drawn at random, or from a few
    values of both signs (so that Adam's twin is smaller too)."""
    rng = np.random.default_rng(5)
    if repeated_starts:
        start = rng.choice([-1.5, -0.3, 0.3, 0.8, 1.5], size=N)
    else:
        start = rng.normal(0.0, 1.0, N)
    return QuadraticBowl(np.resize(CURVATURES, N), start)


def close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.allclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True))


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("lr", [0.02, 0.2])
def test_a_run_on_the_twin_is_the_run_on_the_bowl(spec, lr):
    opt = parse_optimizer(spec)
    full = bowl(repeated_starts=True)
    small = twin(full, opt)
    assert small.n_params < full.n_params
    a = Run(full, GOAL, optimizer=opt).play([lr] * GOAL.max_iterations)
    b = Run(small, GOAL, optimizer=opt).play([lr] * GOAL.max_iterations)
    assert a.outcome == b.outcome and a.iteration == b.iteration
    assert close([s.loss for s in a.steps], [s.loss for s in b.steps])
    # the hypergradient's rate sets itself from a sum over every parameter
    assert close(a.lrs, b.lrs)
    if opt.name == "hypergradient":
        assert len(set(a.lrs)) > 10


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.startswith("adam")])
def test_the_grouped_twin_holds_for_random_starts(spec):
    opt = parse_optimizer(spec)
    full = bowl(repeated_starts=False)
    small = twin(full, opt)
    assert small.n_params == len(CURVATURES)
    a = Run(full, GOAL, optimizer=opt).play([0.1] * GOAL.max_iterations)
    b = Run(small, GOAL, optimizer=opt).play([0.1] * GOAL.max_iterations)
    assert close([s.loss for s in a.steps], [s.loss for s in b.steps])
    assert close([s.gradient_norm for s in a.steps], [s.gradient_norm for s in b.steps])
    assert close(a.lrs, b.lrs)


@pytest.mark.parametrize("spec", SPECS)
def test_a_sweep_on_the_twin_is_the_sweep_on_the_bowl(spec):
    opt = parse_optimizer(spec)
    full = bowl(repeated_starts=True)
    rates = np.geomspace(1e-3, 1.0, 40)
    goal = Goal(loss_below=1e-3, max_iterations=200)
    a = simulate(full, rates, goal, optimizer=opt)
    b = simulate(twin(full, opt), rates, goal, optimizer=opt)
    assert (a.codes == b.codes).all() and (a.iterations == b.iterations).all()
    assert a.cleared.any() and not a.cleared.all()  # runs end at different steps
    assert close(a.final_loss, b.final_loss) and close(a.lowest_loss, b.lowest_loss)


def test_adam_has_no_smaller_twin_of_all_different_starts():
    full = bowl(repeated_starts=False)
    assert twin(full, parse_optimizer("adam")) is full


def test_adam_twin_counts_each_pair_of_curvature_and_size():
    full = bowl(repeated_starts=True)
    small = twin(full, parse_optimizer("adam"))
    assert isinstance(small, WeightedBowl)
    pairs = {(c, abs(s)) for c, s in zip(full.curvatures, full.start)}
    assert small.n_params == len(pairs)
    assert small.weights.sum() == N
    # the same loss at the start (the weights count every parameter)
    assert small.loss(small.start[None, :])[0] == pytest.approx(full.loss(full.start[None, :])[0])
    # unweighted, it would not be the same loss: the weights matter
    plain = QuadraticBowl(small.curvatures, small.start)
    assert not close(plain.loss(plain.start[None, :]), full.loss(full.start[None, :]))
