"""The quadratic bowl at scale: the grouped bowl is the same problem, only smaller."""

import time

import numpy as np
import pytest

from lrgame.engine import Goal, QuadraticBowl, Run, find_par, simulate
from lrgame.engine.landscape import IndexedNames


def few_curvature_bowl(n: int, k: int = 50, seed: int = 3) -> QuadraticBowl:
    values = np.geomspace(1, 100, k)
    rng = np.random.default_rng(seed)
    return QuadraticBowl(values[rng.integers(0, k, n)], rng.normal(size=n))


def test_grouped_bowl_has_one_parameter_per_distinct_curvature():
    bowl = few_curvature_bowl(10_000)
    grouped = bowl.grouped()
    assert grouped.n_params == 50
    assert np.all(np.diff(grouped.curvatures) > 0)
    assert grouped.loss(grouped.start[None, :])[0] == pytest.approx(
        bowl.loss(bowl.start[None, :])[0], rel=1e-12
    )


def test_grouped_loss_equals_full_loss_at_every_step_for_any_rates():
    bowl = few_curvature_bowl(10_000)
    grouped = bowl.grouped()
    rates = [0.003, 0.02, 0.05, 0.019, 0.001, 0.0199]
    full, small = Run(bowl, Goal(1e-12, 50)), Run(grouped, Goal(1e-12, 50))
    full.play(rates)
    small.play(rates)
    for a, b in zip(full.steps, small.steps):
        assert a.loss == pytest.approx(b.loss, rel=1e-10)


@pytest.mark.slow
def test_grouped_par_equals_the_full_simulations_par_on_ten_thousand_parameters():
    bowl = few_curvature_bowl(10_000)
    goal = Goal(1e-3, 400)
    full = find_par(bowl, goal, 1e-4, 1.0)
    grouped = find_par(bowl.grouped(), goal, 1e-4, 1.0)
    assert full.par is not None
    assert grouped.par == full.par
    assert grouped.best_lr == pytest.approx(full.best_lr, rel=1e-9)
    assert grouped.max_stable_lr == pytest.approx(full.max_stable_lr, rel=1e-9)
    np.testing.assert_array_equal(grouped.sweep.codes, full.sweep.codes)
    np.testing.assert_array_equal(grouped.sweep.iterations, full.sweep.iterations)


def test_loss_by_curvature_adds_up_to_the_loss():
    bowl = few_curvature_bowl(1_000)
    values, part = bowl.loss_by_curvature(bowl.start)
    assert values.size == 50
    assert part.sum() == pytest.approx(bowl.loss(bowl.start[None, :])[0])


def test_indexed_names_behave_like_a_tuple_of_names():
    names = IndexedNames("w", 1_000_000)
    assert len(names) == 1_000_000
    assert names[0] == "w0" and names[-1] == "w999999"
    assert names[2:4] == ["w2", "w3"]
    assert list(IndexedNames("w", 3)) == ["w0", "w1", "w2"]
    with pytest.raises(IndexError):
        names[1_000_000]


def test_a_million_parameter_step_is_interactive():
    n = 1_000_000
    values = np.geomspace(1, 100, 200)
    bowl = QuadraticBowl(values[np.arange(n) * 200 // n], np.random.default_rng(7).normal(size=n))
    run = Run(bowl, Goal(1e-6, 1000))
    run.step(0.019)  # warm up
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        run.step(0.019)
        times.append(time.perf_counter() - t0)
    assert np.median(times) < 0.5  # a hang guard: about 20 ms here; speed is benchmarked


def test_simulate_of_the_grouped_bowl_needs_little_memory():
    n = 1_000_000
    values = np.geomspace(1, 100, 200)
    bowl = QuadraticBowl(values[np.arange(n) * 200 // n], np.ones(n))
    batch = simulate(bowl.grouped(), np.geomspace(1e-3, 1, 200), Goal(1e-3, 2000))
    assert batch.cleared.any()
