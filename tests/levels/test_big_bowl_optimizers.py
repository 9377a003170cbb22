"""A bowl of more than 1,000 parameters may offer optimisers whose twin is small: par,
sweeps, range tests and the result's ghost play the twin and agree with the whole bowl.
Adam, whose twin keeps one parameter per curvature and start size, is refused where
that twin would still have more than MAX_OPTIMIZER_PARAMS, in one PATH:LINE line."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import sweep
from lrgame.engine.descent import play_schedule
from lrgame.engine.optimizers import parse_optimizer
from lrgame.engine.range_test import range_test
from lrgame.judging.diagnose import judged_loss
from lrgame.judging.results import result_of
from lrgame.levels.played import optimizer_size_problem, played_params
from tests.levels.big_bowl import BOWL

LINEAR = ["momentum:beta=0.9", "hypergradient:beta=1e-8"]


def load(tmp_path, text=BOWL):
    path = tmp_path / "big.yaml"
    path.write_text(text)
    return L.load_level(path), path


def errors(tmp_path, text) -> tuple[list[str], object]:
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(L.LevelError) as info:
        L.load_level(path)
    return [str(e) for e in info.value.errors], path


@pytest.fixture(scope="module")
def level(tmp_path_factory):
    return load(tmp_path_factory.mktemp("big"))[0]


def close(a, b) -> bool:
    return bool(np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True))


@pytest.mark.parametrize("spec", LINEAR)
def test_the_optimisers_play_one_parameter_per_curvature(level, spec):
    assert level.n_params == 3000
    assert played_params(level, parse_optimizer(spec)) == 4


@pytest.mark.parametrize("spec", LINEAR)
def test_a_sweep_on_the_twin_is_the_sweep_of_every_parameter(level, spec):
    opt = parse_optimizer(spec)
    rates = np.geomspace(1e-3, 1.0, 30)
    mine = level.sweep_rates(rates, opt)
    whole = sweep(level.landscape(), level.engine_goal, rates, optimizer=opt)
    assert (mine.codes == whole.codes).all() and (mine.iterations == whole.iterations).all()
    assert close(mine.final_loss, whole.final_loss)
    assert mine.cleared.any() and mine.diverged.any()


def test_par_sweeps_the_twin_and_holds_on_every_parameter(tmp_path, monkeypatch):
    sweeps = sys.modules["lrgame.engine.sweep"]  # the module (the package: a function)
    played = []
    real = sweeps.sweep

    def spy(landscape, goal, lrs, schedule=None, optimizer=None, **kw):
        played.append((optimizer, landscape.n_params))
        return real(landscape, goal, lrs, schedule or sweeps.CONSTANT, optimizer or sweeps.SGD)

    monkeypatch.setattr(sweeps, "sweep", spy)
    level, _ = load(tmp_path, BOWL.replace("max_iterations: 200", "max_iterations: 199"))
    par = level.compute_par()  # a fresh level's own par (not from the cache)
    assert {n for opt, n in played if opt is not None and not opt.plain} == {4}
    assert par.optimizer.name == "momentum" and par.par is not None  # beats plain descent
    goal = level.engine_goal
    best = real(level.landscape(), goal, [par.best_lr], par.schedule, par.optimizer)
    assert best.cleared[0] and best.iterations[0] == par.par


def test_the_range_test_under_momentum_is_the_whole_bowls(level):
    opt = parse_optimizer("momentum:beta=0.9")
    mine = level.run_range_test(optimizer=opt)
    whole = range_test(level.landscape(), level.lr.min, level.lr.max, 100, optimizer=opt)
    assert mine.stopped_early and mine.lrs.size == whole.lrs.size > 10
    assert close(mine.losses, whole.losses) and mine.suggested_lr == whole.suggested_lr


def test_the_results_ghost_is_the_whole_bowls_run(level):
    par = level.compute_par()
    run = play_schedule(level.new_run(optimizer=par.optimizer), par.best_lr * 0.5)
    result = result_of(level, run)
    whole = play_schedule(level.new_run(optimizer=par.optimizer), par.best_lr, par.schedule)
    assert len(result.ghost_losses) == par.par + 1
    assert close(result.ghost_losses, [judged_loss(s) for s in whole.steps])


def test_adam_on_all_different_starts_is_refused_at_its_line(tmp_path):
    text = BOWL.replace("  - hypergradient:beta=1e-8", "  - adam")
    lines, path = errors(tmp_path, text)
    assert lines == [
        f"{path}:11: adam has no smaller twin here: it moves alike only parameters that "
        "share both curvature and start size, and no two of this bowl's 3,000 parameters "
        "do, so its forecasts would play all of them (at most 1,000)"
    ]


def test_adam_on_one_start_plays_its_small_twin(tmp_path):
    text = BOWL.replace("{seed: 5, scale: 1.0}", "0.5").replace("hypergradient:beta=1e-8", "adam")
    level, _ = load(tmp_path, text)
    assert played_params(level, parse_optimizer("adam")) == 4


@pytest.mark.parametrize(("sizes", "refused"), [(1000, False), (1002, True)])
def test_the_limit_counts_the_parameters_adams_twin_plays(tmp_path, sizes, refused):
    """Two curvatures, the starts cycling through ``sizes`` values (an even number):
    adam's twin has exactly ``sizes`` parameters, one per (curvature, start size)."""
    starts = [round(0.5 + k / 4096, 6) for k in range(sizes)]
    start = ", ".join(str(starts[i % sizes]) for i in range(3000))
    text = (
        BOWL.replace("[0.5, 2, 7, 20]", "[1, 2]")
        .replace("{seed: 5, scale: 1.0}", f"[{start}]")
        .replace("max_iterations: 200", "max_iterations: 30")
        .replace("hypergradient:beta=1e-8", "adam")
    )
    adam = parse_optimizer("adam")
    if not refused:
        level, _ = load(tmp_path, text)
        assert played_params(level, adam) == sizes and optimizer_size_problem(level, adam) is None
        return
    lines, path = errors(tmp_path, text)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:11: ")
    assert "one parameter per distinct pair of curvature and start size, 1,002 of them" in lines[0]
