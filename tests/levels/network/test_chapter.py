"""The network chapter: every teaching point of its stories and hints, by simulation."""

import numpy as np
import pytest

from lrgame.engine import Outcome, Run, simulate
from lrgame.engine.descent import run_schedule
from lrgame.engine.sweep import find_par
from lrgame.levels import campaign_ids, load_shipped, parse_level, shipped_path
from lrgame.yamlsafe import load_yaml_text

CHAPTER = ["four-rates", "spiral-arms", "net-range-test", "net-mini-batches", "net-decay"]


def run(level, lr: float) -> Run:
    return Run(level.landscape(), level.engine_goal).play([lr] * level.goal.max_iterations)


def judged(r: Run) -> np.ndarray:
    return np.array([s.full_loss for s in r.steps])


def test_the_chapter_is_in_the_campaign_in_order():
    ids = [lid for chapter, lid in campaign_ids() if chapter == "Real networks"]
    assert ids == CHAPTER
    assert all(load_shipped(lid).kind == "network" for lid in CHAPTER)


def test_the_sizes_the_stories_give_in_words():
    sizes = {lid: load_shipped(lid).landscape().sizes for lid in CHAPTER}
    assert sizes["four-rates"] == [2, 8, 1]  # two inputs, eight units, one output
    assert sizes["spiral-arms"] == [2, 8, 8, 1]  # two hidden layers of eight
    assert sizes["net-range-test"] == [2, 8, 1]
    for lid in ("net-mini-batches", "net-decay"):  # two hundred dots, ten at a time
        level = load_shipped(lid)
        assert level.landscape().n_points == 200 and level.batch_size == 10
        assert level.engine_goal.hold == 10  # ten steps in a row
    assert load_shipped("four-rates").network.activation == "relu"
    assert load_shipped("net-range-test").network.activation == "tanh"


def test_four_rates_one_picture():
    level = load_shipped("four-rates")
    start = judged(run(level, 0.03))[0]
    low = run(level, 0.03)  # too low: still falling, every step, when the budget ends
    assert low.outcome is Outcome.OUT_OF_BUDGET
    assert np.all(np.diff(judged(low)) < 0)
    too_high = run(level, 30)  # ends far above the start
    assert too_high.outcome is not Outcome.CLEARED and judged(too_high)[-1] > 5 * start
    high = run(level, 10)  # dips, then settles above the start, and stays put
    loss = judged(high)
    assert high.outcome is not Outcome.CLEARED
    assert loss.min() < start < loss[-1]
    assert np.ptp(loss[-50:]) < 1e-9
    hidden = level.landscape().logits  # every hidden unit quiet: the output no longer varies
    assert np.ptp(hidden(high.params, level.landscape().x)) < 1e-9
    for lr in (1, 2, 4):  # good: well inside the budget
        good = run(level, lr)
        assert good.outcome is Outcome.CLEARED and good.iteration <= 150


def test_spiral_arms_needs_a_rate_a_linear_problem_does_not():
    spiral = load_shipped("spiral-arms")
    text = shipped_path("spiral-arms").read_text().replace("shape: spiral", "shape: gaussian")
    blobs = parse_level(load_yaml_text(text, "blobs.yaml"))  # the same network on two blobs
    b = simulate(blobs.landscape(), [0.1, 5], blobs.engine_goal)
    assert b.cleared.all() and b.iterations[0] < 40 and b.iterations[1] <= 2
    s = simulate(spiral.landscape(), [0.1, 5, 1, 1.25, 1.5, 2], spiral.engine_goal)
    assert not s.cleared[:2].any()
    coin = run(spiral, 5)  # 5: one half for every dot, a coin toss
    assert np.abs(spiral.landscape().logits(coin.params, spiral.landscape().x)).max() < 1e-6
    assert s.final_loss[1] == pytest.approx(np.log(2))
    assert s.start_loss - s.final_loss[0] < 0.05  # 0.1 has barely moved
    assert s.cleared[2:6].all()  # 1, 1.25, 1.5 and 2
    between = simulate(spiral.landscape(), np.linspace(1, 2, 41), spiral.engine_goal)
    assert not between.cleared.all()  # ...and holes between them


def test_the_range_test_on_a_network():
    level = load_shipped("net-range-test")
    test = level.run_range_test()
    assert test.stopped_early and test.suggested_lr is not None
    rates = [test.suggested_lr, 3 * test.suggested_lr, *(k * test.lrs[-1] for k in (2, 3, 4))]
    b = simulate(level.landscape(), rates, level.engine_goal)
    assert b.cleared[0] and b.cleared[1] and b.iterations[1] < b.iterations[0]
    assert not b.cleared[2:].any()


def perturbed(level, k: int):
    """The level's network from a start moved by about 1e-12 (relatively): a claim about a
    big rate must not hang on the last bits of the arithmetic (chaos amplifies them, and
    another CPU's matrix products round differently)."""
    from lrgame.engine.network import Network

    land = level.landscape()
    noise = 1 + 1e-12 * np.random.default_rng(k).normal(size=land.n_params)
    net = level.network
    return Network(
        land.x,
        land.y,
        net.hidden,
        net.activation,
        land.start * noise,
        0,
        level.batch_size,
        level.seed,
    )


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_mini_batches_a_big_rate_never_settles(k):
    level = load_shipped("net-mini-batches")
    assert level.stochastic and level.engine_goal.hold == 10
    land = level.landscape() if k == 0 else perturbed(level, k)
    big = Run(land, level.engine_goal).play([7] * level.goal.max_iterations)
    loss = judged(big)
    assert big.outcome is Outcome.OUT_OF_BUDGET
    assert np.ptp(loss[-500:]) > 4
    calm = Run(land, level.engine_goal).play([1] * level.goal.max_iterations)
    assert calm.outcome is Outcome.CLEARED and 400 < calm.iteration < 500
    batch = np.array([s.loss for s in calm.steps])
    assert np.max(np.abs(batch - judged(calm))) > 0.05  # the batch's loss is jagged


def test_decay_wins():
    level = load_shipped("net-decay")
    land, goal = level.landscape(), level.engine_goal
    assert find_par(land, goal, level.lr.min, level.lr.max).par is None  # no constant rate
    exponential = level.schedule_tools()[1]
    assert exponential.name == "exponential"
    for k in range(3):  # robust to the last bits of the arithmetic
        net = land if k == 0 else perturbed(level, k)
        outcomes = [run_schedule(net, goal, base, exponential).outcome for base in (4, 5, 6)]
        assert outcomes == [Outcome.OUT_OF_BUDGET, Outcome.CLEARED, Outcome.OUT_OF_BUDGET]
    par = level.compute_par()
    assert par.par is not None and par.schedule.name == "exponential"


@pytest.mark.parametrize("level_id", CHAPTER)
def test_no_step_of_the_chapter_warns(level_id, recwarn):
    level = load_shipped(level_id)
    simulate(level.landscape(), [level.lr.min, level.lr.default, level.lr.max], level.engine_goal)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
