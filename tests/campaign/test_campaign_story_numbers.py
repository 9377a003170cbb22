"""Every number a shipped story or hint states is checked here, computed from the level.

Each level has a list of claims: the numbers a claim covers and a check that computes
them from the level (closed forms, runs, sweeps). A coverage test reads every number
from every story and hint and asserts that some claim of that level covers it, so a new
number in a text fails until a check for it is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import Goal, Run, simulate, sweep
from lrgame.engine.forecast import forecast
from tests.campaign.chapter_optimizers import claims as chapter_claims

NUMBER = re.compile(r"(?<![A-Za-z_\d.])[−-]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[−-]?\d+)?")


def numbers_in(text: str) -> list[str]:
    return [canon(n) for n in NUMBER.findall(text)]


def canon(n: str) -> str:
    return n.replace("−", "-").replace(",", "")


def level(lid: str):
    return L.find_level(lid)


def steps(lid: str, lr: float, schedule=None) -> int | None:
    """Steps a constant rate (or a schedule from base ``lr``) needs; None if it fails."""
    lv = level(lid)
    kw = {} if schedule is None else {"schedule": schedule}
    b = simulate(lv.sweep_landscape(), [lr], lv.engine_goal, **kw)
    return int(b.iterations[0]) if b.cleared[0] else None


def earns_par(lid: str, lr: float) -> bool:
    n = steps(lid, lr)
    return n is not None and n <= level(lid).compute_par().par


def diverges(lid: str, lr: float, budget: int | None = None) -> bool:
    """The run at ``lr`` diverges (within ``budget`` steps, not cleared first; default:
    the level's own goal)."""
    lv = level(lid)
    goal = lv.engine_goal if budget is None else Goal(1e-300, budget)
    return bool(simulate(lv.sweep_landscape(), [lr], goal).diverged[0])


def start(lid: str) -> np.ndarray:
    return level(lid).landscape().start


def slope_at(lid: str, params) -> np.ndarray:
    return level(lid).landscape().grad(np.array([params], dtype=float))[0]


def loss_at(lid: str, params) -> float:
    return float(level(lid).landscape().loss(np.array([params], dtype=float))[0])


def iterates(lid: str, lr: float, k: int) -> np.ndarray:
    run = Run(level(lid).landscape(), level(lid).engine_goal).play([lr] * k)
    return np.array([s.params for s in run.steps])


def band(lid: str, lo: float, hi: float, within: int | None = None, points=2000, schedule=None):
    """(lowest, highest) rate in [lo, hi] that clears (within ``within`` steps)."""
    lv = level(lid)
    lrs = np.geomspace(lo, hi, points)
    kw = {} if schedule is None else {"schedule": schedule}
    b = sweep(lv.sweep_landscape(), lv.engine_goal, lrs, **kw)
    ok = b.cleared & (b.iterations <= (within or lv.engine_goal.max_iterations))
    return (float(lrs[ok].min()), float(lrs[ok].max())) if ok.any() else None


def schedule_of(lid: str, name: str):
    return next(s for s in level(lid).schedule_tools() if s.name == name)


Check = Callable[[], object]


def claims() -> dict[str, list[tuple[tuple[str, ...], Check]]]:
    """level id -> [(numbers covered, check)]; a check returns True or asserts."""
    q = math.isclose
    return {
        **chapter_claims(),  # the chapter "The rate is not alone"
        "x-squared": [
            (
                ("0", "2", "4"),
                lambda: (
                    start("x-squared")[0] == 2
                    and slope_at("x-squared", [2])[0] == 4
                    and loss_at("x-squared", [0]) == 0
                ),
            ),
            (
                ("0.1", "80", "2", "1.6", "1.28", "1.024"),
                lambda: np.allclose(iterates("x-squared", 0.1, 3)[:, 0], [2, 1.6, 1.28, 1.024]),
            ),
            (("0",), lambda: steps("x-squared", 0.5) == 1),  # x - lr·2x = 0 at lr 0.5
        ],
        "which-way": [
            (
                ("2", "3", "0", "4", "-12"),
                lambda: (
                    start("which-way")[0] == 0
                    and loss_at("which-way", [3]) == 0
                    and slope_at("which-way", [0])[0] == -12
                    and slope_at("which-way", [1])[0] == 4 * (1 - 3)
                    and loss_at("which-way", [2]) == 2 * (2 - 3) ** 2
                ),
            ),
            (
                ("6",),  # past x = 6 the loss is above the start's; a rate over 0.5 lands there
                lambda: (
                    loss_at("which-way", [6]) == loss_at("which-way", [0])
                    and loss_at("which-way", [6.01]) > loss_at("which-way", [0])
                    and iterates("which-way", 0.51, 1)[1, 0]
                    > 6
                    > iterates("which-way", 0.49, 1)[1, 0]
                ),
            ),
            (("0.1", "1.2"), lambda: q(iterates("which-way", 0.1, 1)[1, 0], 1.2)),
            (("3", "12"), lambda: steps("which-way", 3 / 12) == 1),
        ],
        "the-leap": [
            (
                ("5", "1", "10", "0.5", "-4", "80", "-40"),
                lambda: (
                    start("the-leap")[0] == 1
                    and level("the-leap").lr.default == 0.5
                    and loss_at("the-leap", [1]) == 5
                    and slope_at("the-leap", [1])[0] == 10
                    and q(iterates("the-leap", 0.5, 1)[1, 0], -4)
                    and loss_at("the-leap", [-4]) == 80 == 16 * loss_at("the-leap", [1])
                    and slope_at("the-leap", [-4])[0] == -40
                ),
            ),
            (
                ("-1", "1", "0.2"),
                lambda: (
                    not diverges("the-leap", 0.199, 5000)
                    and diverges("the-leap", 0.201, 5000)
                    and q(level("the-leap").compute_par().max_stable_lr, 0.2, rel_tol=0.01)
                ),
            ),
            (
                ("0.1",),
                lambda: all(
                    np.all(np.diff(np.abs(iterates("the-leap", lr, 5)[:, 0])) < 0)
                    and np.all(np.diff(np.sign(iterates("the-leap", lr, 5)[:, 0])) != 0)
                    for lr in (0.12, 0.15, 0.19)
                ),
            ),  # each hop crosses the floor and is shorter
        ],
        "the-crawl": [
            (
                ("0.1", "2", "0.5", "0.2", "0.4"),
                lambda: (
                    start("the-crawl")[0] == 2
                    and level("the-crawl").lr.default == 0.5
                    and loss_at("the-crawl", [2]) == 0.1 * 2**2
                    and q(slope_at("the-crawl", [2])[0], 0.4)
                    and q(slope_at("the-crawl", [1])[0], 0.2)
                    and q(2 - iterates("the-crawl", 0.5, 1)[1, 0], 0.2)
                    and steps("x-squared", 0.5) == 1
                ),
            ),
            (
                ("1", "0.9", "0.03"),
                lambda: (
                    q(
                        iterates("the-crawl", 0.5, 2)[2, 0] / iterates("the-crawl", 0.5, 2)[1, 0],
                        0.9,
                    )
                    and q(iterates("the-crawl", 0.5, 40)[-1, 0], 0.03, abs_tol=5e-3)
                    and steps("the-crawl", 0.5) is None
                ),
            ),
            (
                ("0.000001", "0.003", "62"),
                lambda: (
                    level("the-crawl").goal.loss_below == 1e-6
                    and q(math.sqrt(1e-6 / 0.1), 0.003, rel_tol=0.06)
                    and forecast(
                        Run(level("the-crawl").landscape(), Goal(1e-6, 40)), 0.5, horizon=1000
                    ).beyond_iterations
                    == 62
                ),
            ),
            (
                ("1", "2"),
                lambda: steps("the-crawl", 2) < steps("the-crawl", 1) < 40,
            ),
        ],
        "just-right": [
            (
                ("0.5", "3", "-97", "1", "100", "10"),
                lambda: (
                    start("just-right")[0] == -97
                    and loss_at("just-right", [3]) == 0
                    and loss_at("just-right", [5]) == 0.5 * 2**2
                    and slope_at("just-right", [5])[0] == 5 - 3
                    and abs(start("just-right")[0] - 3) == 100
                    and level("just-right").goal.max_iterations == 10
                    and q(iterates("just-right", 0.3, 10)[-1, 0] - 3, -100 * 0.7**10)
                ),
            ),
            (
                ("0.000001", "0.0014", "0.33", "0.67", "1.33"),
                lambda: (
                    level("just-right").goal.loss_below == 1e-6
                    and q(math.sqrt(2e-6), 0.0014, rel_tol=0.02)
                    and q((0.0014 / 100) ** 0.1, 0.33, rel_tol=0.01)
                    and all(
                        q(a, b, rel_tol=0.01)
                        for a, b in zip(band("just-right", 0.1, 2.5), (0.67, 1.33))
                    )
                ),
            ),
            (("1",), lambda: steps("just-right", 1) == 1),  # curvature 1: the one-step rate
        ],
        "round-bowl": [
            (
                ("0.25", "3", "-4", "0.5", "1"),
                lambda: (
                    list(start("round-bowl")) == [3, -4]
                    and loss_at("round-bowl", [2, 2]) == 0.25 * 4 + 0.25 * 4
                    and list(slope_at("round-bowl", [3, -4])) == [1.5, -2]
                    and np.allclose(iterates("round-bowl", 0.1, 1)[1], [3 * 0.95, -4 * 0.95])
                    and steps("round-bowl", 1 / 0.5) == 1
                    and steps("just-right", 1 / 1) == 1
                ),
            ),
        ],
        "stretched-bowl": [
            (("10", "20", "2"), lambda: list(slope_at("stretched-bowl", [1, 1])) == [2, 20]),
            (
                ("0.1",),
                lambda: q(level("stretched-bowl").compute_par().max_stable_lr, 0.1, rel_tol=0.01),
            ),
            (("0.0909",), lambda: q(2 / 22, 0.0909, abs_tol=5e-5)),
            (("0.089",), lambda: earns_par("stretched-bowl", 0.089)),
        ],
        "hundred-bowl": [
            (
                ("1", "50", "2"),
                lambda: (
                    level("hundred-bowl").sweep_landscape().curvatures.min() == 1
                    and q(level("hundred-bowl").sweep_landscape().curvatures.max(), 50)
                    and q(level("hundred-bowl").compute_par().max_stable_lr, 2 / 50)
                ),
            ),
            (("51", "0.0392"), lambda: q(2 / 51, 0.0392, abs_tol=5e-5)),
            (("0.039",), lambda: earns_par("hundred-bowl", 0.039)),
        ],
        "million-bowl": [
            (
                ("1", "100", "2", "0.02"),
                lambda: (
                    q(level("million-bowl").sweep_landscape().curvatures.min(), 1)
                    and q(level("million-bowl").sweep_landscape().curvatures.max(), 100)
                    and q(level("million-bowl").compute_par().max_stable_lr, 0.02)
                ),
            ),
            (("0.0198",), lambda: q(2 / 101, 0.0198, abs_tol=5e-5)),
            (("0.01955",), lambda: earns_par("million-bowl", 0.01955)),
        ],
        "fit-a-line": [
            (("5",), lambda: q(level("fit-a-line").landscape().x.max(), 5, rel_tol=0.1)),
            (
                ("0.09",),
                lambda: q(level("fit-a-line").compute_par().max_stable_lr, 0.09, rel_tol=0.02),
            ),
        ],
        "noisy-line": [
            (("500",), lambda: level("noisy-line").landscape().x.size == 500),
            (
                ("0.4",),
                lambda: _full_batch_par_rate_band("noisy-line", 0.4),
            ),
            (
                ("300", "0.01", "0.03"),
                lambda: (
                    level("noisy-line").goal.max_iterations == 300
                    and steps("noisy-line", 0.01) is not None
                    and steps("noisy-line", 0.03) is not None
                ),
            ),
        ],
        "quartic": [
            (
                ("2.5", "-1.5", "4", "62.5", "0.1", "0.004"),
                lambda: (
                    list(start("quartic")) == [2.5, -1.5]
                    and q(slope_at("quartic", [2.5, 0])[0], 62.5)
                    and q(slope_at("quartic", [0.1, 0])[0], 0.004)
                ),
            ),
            (
                ("0.5",),
                lambda: _one_d_quartic_settles(0.5, 0.5) and not _one_d_quartic_settles(2.5, 0.5),
            ),
            (
                ("-2.5",),
                lambda: abs(2.5 - 0.5 * 62.5) > 2.5,
            ),  # the default's first step leaves the valley
            (
                ("0.08",),
                lambda: (
                    q(level("quartic").compute_par().best_lr, 0.08, rel_tol=0.01)
                    and q(level("quartic").compute_par().max_stable_lr, 0.08, rel_tol=0.01)
                ),
            ),
        ],
        "double-well": [
            (
                ("1", "-1", "2"),
                lambda: (
                    list(start("double-well")) == [2, 1]
                    and _dips("double-well") == pytest.approx([-1.0, 1.0], abs=0.1)
                ),
            ),
            (("4", "0.3", "24.3"), lambda: q(slope_at("double-well", [2, 0])[0], 24.3)),
            (("0.08",), lambda: q(_ridge("double-well"), 0.08, abs_tol=0.01)),
            (("0.1", "0.15"), lambda: steps("double-well", 0.1) and steps("double-well", 0.15)),
            (
                ("0.17",),
                lambda: (
                    diverges("double-well", 0.17)
                    and q(level("double-well").compute_par().max_stable_lr, 0.17, rel_tol=0.05)
                ),
            ),
        ],
        "raised-floor": [
            (
                ("5", "3", "-1", "2", "4", "1"),
                lambda: (
                    loss_at("raised-floor", [3, -1]) == 5
                    and level("raised-floor").landscape().minimum == 5
                    and list(slope_at("raised-floor", [4, 0])) == [2, 4]
                ),
            ),
            (
                ("0.5",),
                lambda: q(level("raised-floor").compute_par().max_stable_lr, 0.5, rel_tol=0.01),
            ),
            (("1", "3"), lambda: earns_par("raised-floor", 1 / 3)),
        ],
        "coarse-to-fine": [
            (
                ("0.0000001", "1", "1e-7", "1e-6", "50"),
                lambda: (
                    level("coarse-to-fine").lr.min == 1e-7
                    and level("coarse-to-fine").lr.max == 1
                    and level("coarse-to-fine").trials.cost == 50
                ),
            ),
            (
                ("0.001", "0.0011", "0.0012"),
                lambda: all(steps("coarse-to-fine", r) is None for r in (0.001, 0.0011, 0.0012)),
            ),
            (
                ("0.1", "0.01"),
                lambda: (
                    diverges("coarse-to-fine", 0.1)
                    and diverges("coarse-to-fine", 1)
                    and steps("coarse-to-fine", 0.01) is not None
                    and band("coarse-to-fine", 1e-3, 1)[0]
                    < 0.01
                    < band("coarse-to-fine", 1e-3, 1)[1]
                    < 0.1
                ),
            ),
            (("0.03",), lambda: 0.01 < 0.03 < 0.1),  # the middle of the band on a log scale
        ],
        "range-finder": [
            (
                ("0.00001", "10"),
                lambda: (
                    (level("range-finder").range_test.min, level("range-finder").range_test.max)
                    == (1e-5, 10)
                ),
            ),
        ],
        "slow-down": [
            (
                ("24", "-9", "12"),
                lambda: (
                    list(start("slow-down")) == [24, -9]
                    and level("slow-down").goal.max_iterations == 12
                ),
            ),
            (
                ("1",),
                lambda: (
                    np.all(np.abs(slope_at("slow-down", [24, -9])) <= 1)
                    and q(slope_at("slow-down", [1e-4, 0])[0] / 1e-4, 1, rel_tol=1e-6)
                ),
            ),
            (
                ("2",),
                lambda: (
                    band("slow-down", 1e-3, 10) is None
                    and all(
                        forecast(
                            level("slow-down").new_run(), lr, budget=20_000, horizon=0
                        ).outcome.value
                        == "out_of_budget"
                        for lr in (2.1, 2.3, 3, 5)
                    )
                ),
            ),
            (("8",), lambda: steps("slow-down", 8, schedule_of("slow-down", "exponential"))),
            (("30",), lambda: q(schedule_of("slow-down", "exponential").options["gamma"], 0.7)),
        ],
        "settle-the-noise": [
            (  # "cosine glides it down towards zero, to under a thousandth ... on the last step"
                (),
                lambda: (
                    0 < schedule_of("settle-the-noise", "cosine").rates([1.0], 79)[0] < 1e-3
                    and level("settle-the-noise").goal.max_iterations == 80
                ),
            ),
            (
                ("0.12",),
                lambda: (
                    all(
                        steps("settle-the-noise", 0.12, schedule_of("settle-the-noise", n))
                        for n in ("step", "exponential", "cosine")
                    )
                    and steps(
                        "settle-the-noise", 0.3, schedule_of("settle-the-noise", "exponential")
                    )
                    and band("settle-the-noise", 1e-3, 1) is None
                ),
            ),
        ],
        "child-and-dogs": [
            (("0.01",), lambda: level("child-and-dogs").lr.default == 0.01),
            (
                ("1",),
                lambda: np.allclose(
                    level("child-and-dogs").beliefs(1.0)[-1].mean["dark"],
                    level("child-and-dogs").child().stream[-1][0],
                ),
            ),
            (
                ("0.15", "0.5"),
                lambda: (
                    level("child-and-dogs").good_window().lo < 0.15
                    and level("child-and-dogs").good_window().hi > 0.5
                ),
            ),
        ],
        # the network chapter (tests/network/test_chapter.py checks each point in detail)
        "four-rates": [
            (("0.03", "300"), lambda: _net_still_falling("four-rates", 0.03, 300)),
            (("30",), lambda: _net_final_over_start("four-rates", 30) > 5),
            (
                ("10",),
                lambda: _net_settles_above_start("four-rates", 10),
            ),
            (
                ("1", "4", "0.1"),
                lambda: (
                    level("four-rates").goal.loss_below == 0.1
                    and all((steps("four-rates", lr) or 999) <= 150 for lr in (1, 2, 4))
                ),
            ),
        ],
        "spiral-arms": [
            (
                ("0.1", "5", "400"),
                lambda: (
                    level("spiral-arms").goal.max_iterations == 400
                    and _net_blobs_steps(0.1) < 40
                    and _net_blobs_steps(5) <= 2
                    and steps("spiral-arms", 0.1) is None
                    and steps("spiral-arms", 5) is None
                ),
            ),
            (
                ("1", "1.25", "1.5", "2"),
                lambda: (
                    all(steps("spiral-arms", lr) for lr in (1, 1.25, 1.5, 2))
                    and any(steps("spiral-arms", lr) is None for lr in np.linspace(1, 2, 41))
                ),
            ),
        ],
        "net-range-test": [
            (
                ("0.001", "100"),
                lambda: (
                    (level("net-range-test").lr.min, level("net-range-test").lr.max) == (0.001, 100)
                    and level("net-range-test").range_test.max == 100
                ),
            ),
        ],
        "net-mini-batches": [
            (("0.2",), lambda: level("net-mini-batches").goal.loss_below == 0.2),
            (("7", "500", "4"), lambda: _net_never_settles("net-mini-batches", 7, 500, 4)),
            (("1", "400"), lambda: 400 < (steps("net-mini-batches", 1) or 0) < 500),
        ],
        "net-decay": [
            (
                ("0.12", "0.001", "30"),
                lambda: (
                    level("net-decay").goal.loss_below == 0.12
                    and (level("net-decay").lr.min, level("net-decay").lr.max) == (0.001, 30)
                    and band("net-decay", 0.001, 30, points=200) is None
                ),
            ),
            (
                ("5", "4", "6"),
                lambda: (
                    [
                        steps("net-decay", base, level("net-decay").schedule_tools()[1]) is not None
                        for base in (4, 5, 6)
                    ]
                    == [False, True, False]
                ),
            ),
        ],
    }


def _net_losses(lid: str, lr: float) -> np.ndarray:
    lv = level(lid)
    run = Run(lv.landscape(), lv.engine_goal).play([lr] * lv.goal.max_iterations)
    return np.array([s.full_loss for s in run.steps])


def _net_still_falling(lid: str, lr: float, budget: int) -> bool:
    losses = _net_losses(lid, lr)
    return losses.size == budget + 1 and bool(np.all(np.diff(losses) < 0))


def _net_final_over_start(lid: str, lr: float) -> float:
    losses = _net_losses(lid, lr)
    return float(losses[-1] / losses[0])


def _net_settles_above_start(lid: str, lr: float) -> bool:
    losses = _net_losses(lid, lr)
    return bool(losses.min() < losses[0] < losses[-1] and np.ptp(losses[-50:]) < 1e-9)


def _net_blobs_steps(lr: float) -> int:
    """Steps the spiral's network needs on two blobs of dots instead (999: never)."""
    text = L.shipped_path("spiral-arms").read_text().replace("shape: spiral", "shape: gaussian")
    from lrgame.yamlsafe import load_yaml_text

    blobs = L.parse_level(load_yaml_text(text, "blobs.yaml"))
    b = simulate(blobs.landscape(), [lr], blobs.engine_goal)
    return int(b.iterations[0]) if b.cleared[0] else 999


def _net_never_settles(lid: str, lr: float, last: int, swing: float) -> bool:
    lv = level(lid)
    losses = _net_losses(lid, lr)
    return bool(losses.size == lv.goal.max_iterations + 1 and np.ptp(losses[-last:]) > swing)


def _full_batch_par_rate_band(lid: str, lr: float) -> bool:
    """With all the points every step (no mini-batches), ``lr`` earns that level's par."""
    lv = level(lid)
    full = L.RegressionLevel.model_validate(
        {
            **lv.model_dump(exclude_none=True),
            "batch_size": None,
            "goal": {"loss_below": lv.goal.loss_below, "max_iterations": lv.goal.max_iterations},
        }
    )
    b = simulate(full.landscape(), [lr], full.engine_goal)
    return bool(b.cleared[0] and b.iterations[0] <= full.compute_par().par)


def _one_d_quartic_settles(x0: float, lr: float) -> bool:
    x = x0
    for _ in range(300):
        x = x - lr * 4 * x**3
        if abs(x) > 1e6:
            return False
    return abs(x) < abs(x0)


def _dips(lid: str) -> list[float]:
    """The x of each valley floor of the double well (y = 0)."""
    xs = np.linspace(-2, 2, 40_001)
    f = (xs**2 - 1) ** 2 + 0.3 * xs
    i = np.flatnonzero((f[1:-1] < f[:-2]) & (f[1:-1] < f[2:])) + 1
    assert np.isclose(loss_at(lid, [xs[i[0]], 0]), f[i[0]])
    return [float(xs[j]) for j in i]


def _ridge(lid: str) -> float:
    xs = np.linspace(-0.5, 0.5, 100_001)
    f = (xs**2 - 1) ** 2 + 0.3 * xs
    return float(xs[np.argmax(f)])


SHIPPED = [lid for _, lid in L.campaign_ids()]


@pytest.mark.parametrize("lid", SHIPPED)
def test_every_number_in_a_story_or_hint_has_a_check(lid):
    lv = level(lid)
    covered = {canon(n) for nums, _ in claims().get(lid, []) for n in nums}
    for text in [lv.story, *lv.hints]:
        for n in numbers_in(text):
            assert n in covered, f"{lid}: no check for the number {n} in {text!r}"


@pytest.mark.slow
@pytest.mark.parametrize("lid", SHIPPED)
def test_every_number_in_a_story_or_hint_is_true(lid):
    for nums, check in claims().get(lid, []):
        assert check(), f"{lid}: the claim about {nums} does not hold"
