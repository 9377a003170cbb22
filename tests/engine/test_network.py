"""The network landscape against direct formulas, finite differences and its own runs."""

import warnings

import numpy as np
import pytest

from lrgame.engine import Goal, Outcome, Run, simulate
from lrgame.engine.datasets import SHAPES, make_data
from lrgame.engine.network import Network, bce_with_logits, glorot_uniform, sigmoid


def net(hidden=(5, 4), activation="tanh", batch_size=None, n=40, shape="spiral"):
    x, y = make_data(shape, n, 0.1, 1)
    return Network(x, y, hidden, activation, init_seed=2, batch_size=batch_size, seed=5)


def some_params(land, rows=3, scale=0.5):
    rng = np.random.default_rng(9)
    return land.start + scale * rng.normal(size=(rows, land.n_params))


def central_differences(land, P, t=0, eps=1e-6):
    out = np.zeros_like(P)
    for i in range(P.shape[1]):
        E = np.zeros_like(P)
        E[:, i] = eps
        out[:, i] = (land.loss(P + E, t) - land.loss(P - E, t)) / (2 * eps)
    return out


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("hidden", [(), (6,), (5, 4), (3, 3, 3, 3)])
def test_the_gradient_is_the_central_difference(activation, hidden):
    land = net(hidden, activation)
    P = some_params(land)
    exact = land.grad(P)
    assert exact.shape == P.shape
    np.testing.assert_allclose(exact, central_differences(land, P), rtol=1e-5, atol=1e-8)


def test_a_batch_gradient_is_the_central_difference_of_that_batch():
    land = net(batch_size=8)
    P = some_params(land)
    for t in (0, 3, 7):
        np.testing.assert_allclose(
            land.grad(P, t), central_differences(land, P, t), rtol=1e-5, atol=1e-8
        )


def test_the_loss_is_the_binary_cross_entropy_written_out():
    land = net((4,), "relu")
    P = some_params(land)
    for row, params in zip(land.full_loss(P), P):
        # the network by hand, one point at a time
        total = 0.0
        W1 = params[:8].reshape(4, 2)
        b1 = params[8:12]
        W2 = params[12:16].reshape(1, 4)
        b2 = params[16:17]
        for x, y in zip(land.x, land.y):
            z = float((W2 @ np.maximum(W1 @ x + b1, 0) + b2)[0])
            p = 1 / (1 + np.exp(-z))
            total += -(y * np.log(p) + (1 - y) * np.log(1 - p))
        assert row == pytest.approx(total / land.y.size, rel=1e-12)


def test_the_loss_from_logits_never_overflows():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = np.array([[-1e300, -800.0, 0.0, 800.0, 1e300]])
        assert bce_with_logits(z, np.zeros(5))[0] == pytest.approx((800 + np.log(2) + 1e300) / 5)
        assert bce_with_logits(np.array([800.0]), np.array([1.0])) == 0.0
        assert bce_with_logits(np.array([-800.0]), np.array([1.0])) == pytest.approx(800.0)
        assert sigmoid(np.array([-1e308, 0.0, 1e308])).tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_huge_rates_end_as_outcomes_without_warnings(activation):
    land = net((8, 8), activation)
    goal = Goal(0.01, 200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = simulate(land, [1e-3, 1.0, 1e3, 1e8, 1e300], goal)
        run = Run(land, goal).play([1e300] * 200)
    assert set(batch.codes.tolist()) <= {1, 2, 3}
    assert batch.outcome(4) is Outcome.DIVERGED
    assert run.outcome is Outcome.DIVERGED


def test_a_sweep_of_rates_is_each_rate_run_alone():
    land = net(batch_size=10)
    goal = Goal(0.3, 60)
    lrs = [0.05, 0.5, 2.0, 8.0]
    batch = simulate(land, lrs, goal)
    for i, lr in enumerate(lrs):
        run = Run(land, goal).play([lr] * goal.max_iterations)
        assert run.outcome == batch.outcome(i)
        assert run.iteration == batch.iterations[i]
        assert run.current.full_loss == pytest.approx(batch.final_loss[i], rel=1e-12)


def test_sweeps_in_chunks_keep_every_array_small():
    land = net((8, 8), n=200)
    from lrgame.engine.descent import CHUNK_NUMBERS

    rates = max(1, CHUNK_NUMBERS // land.numbers_per_rate)
    assert rates * 200 * 9 <= 1 << 17


@pytest.mark.parametrize("shape", SHAPES)
def test_data_comes_from_the_seed(shape):
    x, y = make_data(shape, 101, 0.2, 4)
    x2, y2 = make_data(shape, 101, 0.2, 4)
    x3, _ = make_data(shape, 101, 0.2, 5)
    assert x.shape == (101, 2) and y.shape == (101,)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(x, x3)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert np.all(np.abs(x) < 3)


def test_the_shapes_are_what_the_docs_say():
    x, y = make_data("circles", 400, 0.0, 1)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y == 1].max() <= 0.5 and r[y == 0].min() >= 0.7
    x, y = make_data("xor", 400, 0.0, 1)
    assert np.array_equal(y == 1, x[:, 0] * x[:, 1] > 0)
    x, y = make_data("gaussian", 400, 0.0, 1)
    assert x[y == 1].mean() == pytest.approx(0.5, abs=0.05)
    assert x[y == 0].mean() == pytest.approx(-0.5, abs=0.05)
    x, y = make_data("spiral", 400, 0.0, 1)
    assert np.hypot(x[:, 0], x[:, 1]).max() <= 1.0
    x, y = make_data("moons", 400, 0.0, 1)
    assert np.all(np.abs(x) <= 1.2)


def test_glorot_uniform_weights_from_the_seed():
    sizes = [2, 8, 8, 1]
    p = glorot_uniform(sizes, 3)
    assert np.array_equal(p, glorot_uniform(sizes, 3))
    assert not np.array_equal(p, glorot_uniform(sizes, 4))
    land = Network(np.zeros((4, 2)), np.array([0, 1, 0, 1.0]), (8, 8), start=p)
    for (W, b), (fan_in, fan_out) in zip(land.layers(p[None, :]), [(2, 8), (8, 8), (8, 1)]):
        assert W.shape == (1, fan_out, fan_in)
        assert np.abs(W).max() <= np.sqrt(6 / (fan_in + fan_out))
        assert np.all(b == 0)


def test_batches_come_from_the_seed_and_cover_each_epoch():
    land = net(batch_size=8)  # 40 points: 5 batches an epoch
    again = net(batch_size=8)
    for epoch in range(3):
        seen = np.concatenate([land.batch(epoch * 5 + j) for j in range(5)])
        assert sorted(seen.tolist()) == list(range(40))
    assert all(np.array_equal(land.batch(t), again.batch(t)) for t in range(12))
    assert not np.array_equal(land.batch(0), land.batch(5))


def test_the_chart_shades_where_the_network_says_label_one():
    land = net((4,), n=60, shape="gaussian")
    params = land.start
    data = land.chart(params, grid=12)
    assert data["prob"].shape == (12, 12)
    i, j = 3, 7
    z = land.logits(params, [[data["grid_x"][j], data["grid_y"][i]]])[0, 0]
    assert data["prob"][i, j] == pytest.approx(1 / (1 + np.exp(-z)))
    right = np.mean((land.logits(params, land.x)[0] > 0) == (land.y == 1))
    assert data["accuracy"] == pytest.approx(right)
