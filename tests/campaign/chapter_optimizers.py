"""The chapter "The rate is not alone": every number its stories and hints state, as
claims checked by simulation (merged into test_campaign_story_numbers' claims)."""

from __future__ import annotations

import math

import numpy as np

from lrgame import levels as L
from lrgame.engine import Goal, Run, simulate
from lrgame.engine.forecast import forecast, max_stable_lr
from lrgame.engine.optimizers import SGD, parse_optimizer
from lrgame.engine.sweep import find_par


def level(lid: str):
    return L.find_level(lid)


def opt(lid: str, name: str):
    return next(o for o in level(lid).optimizer_tools() if o.name == name)


def play(lid: str, lr: float, optimizer=SGD, steps: int | None = None) -> Run:
    lv = level(lid)
    run = Run(lv.landscape(), lv.engine_goal, optimizer=optimizer)
    return run.play([lr] * (steps or lv.goal.max_iterations))


def clears_in(lid: str, lr: float, optimizer=SGD) -> int | None:
    run = play(lid, lr, optimizer)
    return run.iteration if str(run.outcome) == "cleared" else None


def never_diverges(lid: str, lr: float, optimizer=SGD) -> bool:
    """Within the budget and far past it (the forecast's horizon)."""
    lv = level(lid)
    fresh = Run(lv.landscape(), lv.engine_goal, optimizer=optimizer)
    return not forecast(fresh, lr).diverges


def sgd_par(lid: str):
    lv = level(lid)
    return find_par(lv.landscape(), lv.engine_goal, lv.lr.min, lv.lr.max)


def no_constant_rate_clears(lid: str) -> bool:
    lv = level(lid)
    lrs = np.geomspace(lv.lr.min, lv.lr.max, 4000)
    return not simulate(lv.landscape(), lrs, lv.engine_goal).cleared.any()


def curvatures(lid: str) -> np.ndarray:
    """The Hessian's diagonal at the start (the chapter's bowls are separable)."""
    lv = level(lid)
    p = lv.landscape().start.astype(float)
    h = 1e-4
    out = []
    for i in range(p.size):
        e = np.zeros_like(p)
        e[i] = h
        g = lv.landscape().grad(np.array([p + e, p - e]))
        out.append((g[0, i] - g[1, i]) / (2 * h))
    return np.array(out)


def steady_velocity(beta: float) -> float:
    """On a loss of constant slope 1, momentum's velocity after many steps."""
    run = Run(
        __import__("lrgame.engine.landscape", fromlist=["ExpressionLandscape"]).ExpressionLandscape(
            "x", {"x": 0.0}, minimum=-1e300
        ),
        Goal(1e-300, 400),
        optimizer=parse_optimizer(f"momentum:beta={beta}"),
    )
    run.play([1e-3] * 400)
    return float(run.current.velocity[0])


def hd_rates(lid: str, beta: float | None = None, lr: float | None = None) -> Run:
    lv = level(lid)
    b = opt(lid, "hypergradient").options["beta"] if beta is None else beta
    return play(
        lid, lv.lr.default if lr is None else lr, parse_optimizer(f"hypergradient:beta={b}")
    )


def claims() -> dict:
    q = math.isclose
    return {
        "momentum-kick": [
            (("4", "8"), lambda: level("momentum-kick").loss == "x**4/4 + y**4/8"),
            (
                ("0.4",),
                lambda: (
                    level("momentum-kick").lr.default == 0.4
                    and never_diverges("momentum-kick", 0.4)
                    and play("momentum-kick", 0.4).outcome is not None
                    and str(play("momentum-kick", 0.4, opt("momentum-kick", "momentum")).outcome)
                    == "diverged"
                ),
            ),
            (
                ("0.9", "1"),
                lambda: (
                    opt("momentum-kick", "momentum").options["beta"] == 0.9
                    and q(steady_velocity(0.9), 1 / (1 - 0.9), rel_tol=1e-9)
                ),
            ),
            (
                ("0.17", "6"),
                lambda: clears_in("momentum-kick", 0.17, opt("momentum-kick", "momentum")) == 6,
            ),
            (
                ("0.33", "4"),
                lambda: (
                    level("momentum-kick").compute_par().par == 4
                    and level("momentum-kick").compute_par().optimizer.name == "momentum"
                    and q(level("momentum-kick").compute_par().best_lr, 0.33, rel_tol=0.02)
                    # it lands on its way through the bottom: continued, it blows up, and
                    # so do the rates either side
                    and str(
                        Run(
                            level("momentum-kick").landscape(),
                            Goal(1e-300, 100),
                            optimizer=opt("momentum-kick", "momentum"),
                        )
                        .play([level("momentum-kick").compute_par().best_lr] * 100)
                        .outcome
                    )
                    == "diverged"
                    and str(play("momentum-kick", 0.32, opt("momentum-kick", "momentum")).outcome)
                    == "diverged"
                    and str(play("momentum-kick", 0.33, opt("momentum-kick", "momentum")).outcome)
                    == "diverged"
                ),
            ),
            (("66",), lambda: sgd_par("momentum-kick").par == 66),
        ],
        "long-valley": [
            (("2", "50"), lambda: level("long-valley").loss == "x**2/2 + 50*y**2"),
            (
                ("100", "1"),
                lambda: np.allclose(curvatures("long-valley"), [1, 100], rtol=1e-6),
            ),
            (
                ("0.02",),
                lambda: q(
                    max_stable_lr(level("long-valley").landscape(), Goal(1e-4, 150), 1e-4, 1),
                    0.02,
                    rel_tol=0.01,
                ),
            ),
            (
                ("150",),
                lambda: (
                    level("long-valley").goal.max_iterations == 150
                    and no_constant_rate_clears("long-valley")
                ),
            ),
            (
                ("0.004",),
                lambda: clears_in("long-valley", 0.004, opt("long-valley", "momentum")) is not None,
            ),
        ],
        "two-scales": [
            (("2", "5000"), lambda: level("two-scales").loss == "x**2/2 + 5000*y**2"),
            (
                ("10000", "0.0002"),
                lambda: (
                    np.allclose(curvatures("two-scales"), [1, 10000], rtol=1e-6)
                    and q(level("two-scales").compute_par().max_stable_lr, 0.0002, rel_tol=0.01)
                    and no_constant_rate_clears("two-scales")
                ),
            ),
            (("3",), lambda: level("two-scales").landscape().start[0] == 3),
            (
                ("0.01",),  # x moves at most about the rate per step: 3 / 0.01 = 300 steps
                lambda: (
                    clears_in("two-scales", 0.01, opt("two-scales", "adam")) is None
                    and _adam_step_at_most_rate("two-scales", 0.01)
                ),
            ),
            (
                ("0.3",),
                lambda: clears_in("two-scales", 0.3, opt("two-scales", "adam")) is not None,
            ),
        ],
        "beat-the-autopilot": [
            (
                ("0.3",),
                lambda: (
                    opt("beat-the-autopilot", "hypergradient").spec() == "hypergradient:beta=0.3"
                ),
            ),
            (
                ("0.1",),
                lambda: (
                    level("beat-the-autopilot").lr.default == 0.1
                    and _rises_then_falls(hd_rates("beat-the-autopilot"))
                ),
            ),
            (
                ("1",),  # the slope x / sqrt(1 + x²) is below 1 and near it far out
                lambda: (
                    0.99 < _slope_x("beat-the-autopilot", 8.0) < 1
                    and np.allclose(curvatures_at_zero("beat-the-autopilot"), [1, 1], rtol=1e-6)
                ),
            ),
            (
                ("2",),
                lambda: (
                    never_diverges("beat-the-autopilot", 1.99)
                    and clears_in("beat-the-autopilot", 1.9) is not None
                ),
            ),
            (
                ("1", "0.3"),
                lambda: (
                    str(hd_rates("beat-the-autopilot", beta=1.0).outcome) == "diverged"
                    and hd_rates("beat-the-autopilot", beta=1.0).iteration <= 5
                ),
            ),
        ],
    }


def _adam_step_at_most_rate(lid: str, lr: float) -> bool:
    run = play(lid, lr, opt(lid, "adam"), steps=50)
    moves = np.abs(np.diff([s.params for s in run.steps], axis=0))
    return bool(np.all(moves <= lr * 1.0001 + 1e-12))


def _rises_then_falls(run: Run) -> bool:
    rates = np.array(run.lrs)
    top = int(np.argmax(rates))
    return str(run.outcome) == "cleared" and rates[top] > rates[0] and rates[-1] < rates[top]


def _slope_x(lid: str, x: float) -> float:
    return float(level(lid).landscape().grad(np.array([[x, 0.0]]))[0, 0])


def curvatures_at_zero(lid: str) -> np.ndarray:
    lv = level(lid)
    h = 1e-5
    g = lv.landscape().grad(np.array([[h, 0.0], [-h, 0.0], [0.0, h], [0.0, -h]]))
    return np.array([(g[0, 0] - g[1, 0]) / (2 * h), (g[2, 1] - g[3, 1]) / (2 * h)])
