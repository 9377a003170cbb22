"""A bowl level sweeps each optimiser on its twin, with the sweep of its own bowl."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import sweep
from lrgame.engine.optimizers import SGD, parse_optimizer

BOWL = textwrap.dedent(
    """\
    id: twin-bowl
    title: Twins
    kind: bowl
    n: 600
    curvature: [1, 3, 9]
    start: 0.5
    goal: {loss_below: 1e-3, max_iterations: 150}
    lr: {default: 0.05, min: 1e-3, max: 0.3}
    optimizers: [adam, momentum, "hypergradient:beta=1e-5"]
    """
)


@pytest.fixture
def level(tmp_path):
    path = tmp_path / "twin-bowl.yaml"
    path.write_text(BOWL)
    return L.load_level(path)


@pytest.mark.parametrize("spec", ["sgd", "adam", "momentum:beta=0.9", "hypergradient:beta=1e-5"])
def test_sweep_rates_on_the_twin_equal_the_sweep_of_the_bowl(level, spec):
    opt = parse_optimizer(spec)
    assert level.twin_landscape(opt).n_params == 3  # one start, three curvatures
    rates = np.geomspace(1e-3, 1.0, 24)
    mine = level.sweep_rates(rates, opt)
    whole = sweep(level.landscape(), level.engine_goal, rates, optimizer=opt)
    assert (mine.codes == whole.codes).all() and (mine.iterations == whole.iterations).all()
    assert np.allclose(mine.final_loss, whole.final_loss, rtol=1e-12, atol=0, equal_nan=True)


def test_par_found_on_adams_twin_replays_on_the_whole_bowl(level):
    par = level.compute_par()
    assert par.optimizer.name == "adam" and par.par is not None
    whole = sweep(level.landscape(), level.engine_goal, [par.best_lr], par.schedule, par.optimizer)
    assert whole.cleared[0] and whole.iterations[0] == par.par
    assert level.twin_landscape(SGD) is level.sweep_landscape()
