"""The network's own sweep loop (network_sweep) gives what each rate's run gives."""

import numpy as np
import pytest

import lrgame.engine.network_sweep as network_sweep
from lrgame.engine import Goal, Outcome, Run, simulate
from lrgame.engine.datasets import make_data
from lrgame.engine.network import Network
from lrgame.engine.schedules import CONSTANT, parse_schedule

# on the data below: 0.3 runs out of steps, 1.0 and 2.5 clear (in 47 and 34 steps), 1e6
# blows up
RATES = [0.3, 1.0, 2.5, 1e6]


def net(hidden=(5, 4), activation="tanh"):
    x, y = make_data("circles", 40, 0.1, 1)
    return Network(x, y, hidden, activation, init_seed=2)


def generic(land, lrs, goal, schedule, monkeypatch):
    """The loop every landscape gets, through grad and full_loss."""
    with monkeypatch.context() as patch:
        patch.setattr(Network, "plain_sweep", lambda *a: None)
        return simulate(land, lrs, goal, schedule)


@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_each_rate_ends_as_its_own_run_ends(monkeypatch, chunk):
    land = net()
    goal = Goal(0.35, 120)
    # chunks of 1 and 3 rates: the buffers serve several chunks, and shrink as runs end
    calls = []
    monkeypatch.setattr(network_sweep, "chunk_rates", lambda _net: calls.append(1) or chunk)
    batch = simulate(land, RATES, goal)
    assert calls  # the network's own loop ran
    outcomes = [batch.outcome(i) for i in range(len(RATES))]
    assert outcomes == [
        Outcome.OUT_OF_BUDGET,
        Outcome.CLEARED,
        Outcome.CLEARED,
        Outcome.DIVERGED,
    ]
    assert batch.iterations[2] < batch.iterations[1] < goal.max_iterations
    for i, lr in enumerate(RATES):
        run = Run(land, goal).play([lr] * goal.max_iterations)
        assert run.outcome == batch.outcome(i)
        assert run.iteration == batch.iterations[i]
        assert run.current.full_loss == pytest.approx(batch.final_loss[i], rel=1e-12, nan_ok=True)
        lowest = np.nanmin([s.full_loss for s in run.steps])
        assert lowest == pytest.approx(batch.lowest_loss[i], rel=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("hidden", [(), (6,), (3, 3, 3)])
def test_the_own_loop_is_the_generic_loop(monkeypatch, activation, hidden):
    land = net(hidden, activation)
    goal = Goal(0.4, 40, hold=3)
    lrs = np.append(np.geomspace(0.01, 1e4, 16), 1e300)
    calls = []
    own = network_sweep.chunk_rates
    monkeypatch.setattr(network_sweep, "chunk_rates", lambda n: calls.append(1) or own(n))
    for schedule in (CONSTANT, parse_schedule("exponential:gamma=0.97")):
        fast = simulate(land, lrs, goal, schedule)
        assert calls  # the network's own loop ran
        calls.clear()
        slow = generic(land, lrs, goal, schedule, monkeypatch)
        assert not calls
        assert fast.codes.tolist() == slow.codes.tolist()
        assert fast.iterations.tolist() == slow.iterations.tolist()
        np.testing.assert_allclose(fast.final_loss, slow.final_loss, rtol=1e-12)
        np.testing.assert_allclose(fast.lowest_loss, slow.lowest_loss, rtol=1e-12)
        assert fast.start_loss == slow.start_loss
    assert 2 in fast.codes  # some blow up


def test_mini_batches_take_the_generic_loop():
    x, y = make_data("circles", 40, 0.1, 1)
    land = Network(x, y, (4,), "tanh", init_seed=2, batch_size=8)
    assert land.plain_sweep(np.array([0.1]), Goal(0.3, 10), None) is None


def test_a_chunk_holds_small_buffers():
    land = net((8, 8))
    rates = network_sweep.chunk_rates(land)
    assert rates >= 1
    assert rates * land.n_points * 9 <= network_sweep.BUFFER_NUMBERS
