"""Optimisers against closed forms and against PyTorch's documented algorithms.

The references below are written from the algorithm boxes of ``torch.optim.SGD``
(momentum, dampening 0, nesterov) and ``torch.optim.Adam`` and from SGD-HD as Baydin et
al. (ICLR 2018) define it, one run at a time with plain Python floats; the engine runs
many rates at once with numpy. They must agree to 1e-9 relative.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrgame.engine import Goal, Outcome, Run, forecast, forecast_many, simulate
from lrgame.engine.forecast import max_stable_lr
from lrgame.engine.landscape import ExpressionLandscape, QuadraticBowl
from lrgame.engine.optimizers import OptimizerError, parse_optimizer
from lrgame.engine.range_test import range_test
from lrgame.engine.schedules import parse_schedule
from lrgame.engine.sweep import find_par

# -- references, one run, plain floats ---------------------------------------------------


def ref_momentum(grad, x0, lrs, beta, nesterov=False):
    """torch.optim.SGD: b_t = g_t at t = 1, else mu b_{t-1} + (1 - tau) g_t with tau = 0;
    nesterov: g_t <- g_t + mu b_t, else g_t <- b_t; theta_t = theta_{t-1} - gamma g_t."""
    x = list(x0)
    buf = None
    path = [list(x)]
    for lr in lrs:
        g = grad(x)
        buf = list(g) if buf is None else [beta * b + gi for b, gi in zip(buf, g)]
        d = [gi + beta * b for gi, b in zip(g, buf)] if nesterov else buf
        x = [xi - lr * di for xi, di in zip(x, d)]
        path.append(list(x))
    return path


def ref_adam(grad, x0, lrs, b1, b2, eps):
    """torch.optim.Adam (amsgrad off, no weight decay): m_t = b1 m + (1 - b1) g,
    v_t = b2 v + (1 - b2) g^2, m^ = m / (1 - b1^t), v^ = v / (1 - b2^t),
    theta_t = theta_{t-1} - gamma m^ / (sqrt(v^) + eps)."""
    x = list(x0)
    m = [0.0] * len(x)
    v = [0.0] * len(x)
    path = [list(x)]
    for t, lr in enumerate(lrs, start=1):
        g = grad(x)
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        mh = [mi / (1 - b1**t) for mi in m]
        vh = [vi / (1 - b2**t) for vi in v]
        x = [xi - lr * a / (math.sqrt(b) + eps) for xi, a, b in zip(x, mh, vh)]
        path.append(list(x))
    return path


def ref_hypergradient(grad, x0, lr0, beta, steps):
    """SGD-HD: h = g_t . g_{t-1} (g_{-1} = 0), lr_t = lr_{t-1} + beta h, x -= lr_t g_t."""
    x = list(x0)
    last = [0.0] * len(x)
    lr = lr0
    path, rates = [list(x)], []
    for _ in range(steps):
        g = grad(x)
        lr = lr + beta * sum(a * b for a, b in zip(g, last))
        x = [xi - lr * gi for xi, gi in zip(x, g)]
        last = g
        path.append(list(x))
        rates.append(lr)
    return path, rates


# -- smooth landscapes (not shipped), with their gradients by hand -----------------------

LANDSCAPES = {
    "rosenbrock": (
        "(1 - x)**2 + 5*(y - x**2)**2",
        {"x": -1.2, "y": 1.0},
        lambda p: [-2 * (1 - p[0]) - 20 * p[0] * (p[1] - p[0] ** 2), 10 * (p[1] - p[0] ** 2)],
    ),
    "tilted": (
        "log(1 + (x - 1)**2) + 0.5*tanh(y)**2 + 0.1*x*y",
        {"x": 2.5, "y": -1.5},
        lambda p: [
            2 * (p[0] - 1) / (1 + (p[0] - 1) ** 2) + 0.1 * p[1],
            math.tanh(p[1]) * (1 - math.tanh(p[1]) ** 2) + 0.1 * p[0],
        ],
    ),
}
GOAL = Goal(1e-300, 60)  # never clears: every run plays all its steps


def engine_path(landscape, optimizer, lrs, set_lr=None):
    run = Run(landscape, GOAL, optimizer=parse_optimizer(optimizer))
    for lr in lrs:
        run.step(lr if set_lr is None else set_lr)
    return run


def close(a, b, rel=1e-9):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(b), 1e-12)
    return bool(np.all(np.abs(a - b) <= rel * scale))


@pytest.mark.parametrize("name", LANDSCAPES)
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_torch_sgd_algorithm(name, nesterov):
    text, start, grad = LANDSCAPES[name]
    land = ExpressionLandscape(text, start)
    lrs = [0.01] * 20 + [0.02] * 20 + [0.005] * 20  # a rate changed between steps, too
    spec = f"momentum:beta=0.8,nesterov={'true' if nesterov else 'false'}"
    run = engine_path(land, spec, lrs)
    want = ref_momentum(grad, list(start.values()), lrs, 0.8, nesterov)
    assert close([s.params for s in run.steps], want)
    assert run.lrs == lrs


@pytest.mark.parametrize("name", LANDSCAPES)
def test_adam_matches_torch_adam_algorithm(name):
    text, start, grad = LANDSCAPES[name]
    land = ExpressionLandscape(text, start)
    lrs = [0.05] * 30 + [0.01] * 30
    run = engine_path(land, "adam:beta1=0.85,beta2=0.99,eps=1e-6", lrs)
    want = ref_adam(grad, list(start.values()), lrs, 0.85, 0.99, 1e-6)
    assert close([s.params for s in run.steps], want)


@pytest.mark.parametrize("name", LANDSCAPES)
def test_hypergradient_matches_its_definition(name):
    text, start, grad = LANDSCAPES[name]
    land = ExpressionLandscape(text, start)
    # the rate set after the first step does not count: the rule sets its own
    run = Run(land, GOAL, optimizer=parse_optimizer("hypergradient:beta=0.0005"))
    run.step(0.01)
    for _ in range(59):
        run.step(123.0)
    want, rates = ref_hypergradient(grad, list(start.values()), 0.01, 0.0005, 60)
    assert close([s.params for s in run.steps], want)
    assert close(run.lrs, rates)
    assert run.lrs[0] == 0.01  # g_{-1} = 0: the first step uses the start rate
    assert run.set_lrs == [0.01] + [123.0] * 59
    assert len(set(run.lrs)) > 10  # the rate moved on its own


def test_sweep_rows_match_single_runs_for_every_optimizer():
    text, start, _ = LANDSCAPES["rosenbrock"]
    land = ExpressionLandscape(text, start)
    goal = Goal(1e-3, 300)
    lrs = np.array([1e-4, 3e-3, 1e-2, 3e-2, 0.2])
    for spec in [
        "momentum:beta=0.9",
        "momentum:beta=0.5,nesterov=true",
        "adam",
        "hypergradient:beta=1e-4",
    ]:
        opt = parse_optimizer(spec)
        batch = simulate(land, lrs, goal, optimizer=opt)
        for i, lr in enumerate(lrs):
            run = Run(land, goal, optimizer=opt).play([lr] * goal.max_iterations)
            assert batch.outcome(i) is run.outcome, (spec, lr)
            assert batch.iterations[i] == run.iteration, (spec, lr)


def test_schedule_sets_the_rate_before_the_optimizer_steps():
    """As a scheduler does: step t uses the schedule's rate of epoch t, with the state kept."""
    text, start, grad = LANDSCAPES["tilted"]
    land = ExpressionLandscape(text, start)
    sched = parse_schedule("step:step_size=10,gamma=0.5")
    goal = Goal(1e-300, 40)
    lrs = [float(sched.rates(np.array([0.1]), t)[0]) for t in range(40)]
    want = ref_adam(grad, list(start.values()), lrs, 0.9, 0.999, 1e-8)[-1]
    batch = simulate(land, [0.1], goal, sched, parse_optimizer("adam"))
    assert batch.iterations[0] == 40
    final = ExpressionLandscape(text, start).loss(np.array([want]))[0]
    assert batch.final_loss[0] == pytest.approx(final, rel=1e-9)


# -- closed forms on quadratics ----------------------------------------------------------


def test_momentum_on_a_bowl_is_the_heavy_ball_recurrence():
    """On loss c x^2 / 2, (x, b) evolves by a 2x2 matrix: b' = beta b + c x, x' = x - lr b'."""
    c, lr, beta, x0, n = 3.0, 0.2, 0.9, 1.5, 50
    bowl = QuadraticBowl(np.array([c]), np.array([x0]))
    run = Run(bowl, Goal(1e-300, n), optimizer=parse_optimizer(f"momentum:beta={beta}"))
    run.play([lr] * n)
    M = np.array([[1 - lr * c, -lr * beta], [c, beta]])
    state = np.linalg.matrix_power(M, n) @ np.array([x0, 0.0])
    assert run.current.params[0] == pytest.approx(state[0], rel=1e-9)
    assert run.current.velocity[0] == pytest.approx(state[1], rel=1e-9)


def test_momentum_stability_edge_on_a_bowl_is_2_1_plus_beta_over_c():
    """Heavy ball on a quadratic is stable exactly for lr c < 2 (1 + beta)."""
    c, beta = 4.0, 0.9
    bowl = QuadraticBowl(np.array([c]), np.array([1.0]))
    goal = Goal(1e-300, 3000)
    edge = 2 * (1 + beta) / c
    batch = simulate(
        bowl, [edge * 0.98, edge * 1.02], goal, optimizer=parse_optimizer(f"momentum:beta={beta}")
    )
    assert batch.outcome(0) is Outcome.OUT_OF_BUDGET and batch.final_loss[0] < 1e-3
    assert batch.outcome(1) is Outcome.DIVERGED
    top = max_stable_lr(bowl, Goal(1e-6, 200), 1e-3, 10.0, parse_optimizer(f"momentum:beta={beta}"))
    assert top == pytest.approx(edge, rel=0.02)


def test_adam_first_step_is_lr_times_the_sign():
    """With bias correction, step 1 moves every param by lr g / (|g| + eps): about lr."""
    bowl = QuadraticBowl(np.array([1.0, 100.0]), np.array([2.0, -3.0]))
    run = Run(bowl, Goal(1e-300, 5), optimizer=parse_optimizer("adam"))
    run.step(0.1)
    g = np.array([2.0, -300.0])
    assert close(run.current.params, np.array([2.0, -3.0]) - 0.1 * g / (np.abs(g) + 1e-8))


def test_hypergradient_on_a_bowl_raises_a_small_rate():
    """On a 1-d bowl with lr c < 1 successive slopes agree: h > 0 and the rate rises by
    beta c^2 x_t x_{t-1} each step, as the closed form of each step says."""
    c, lr, beta = 2.0, 0.05, 0.01
    bowl = QuadraticBowl(np.array([c]), np.array([1.0]))
    run = Run(bowl, Goal(1e-300, 10), optimizer=parse_optimizer(f"hypergradient:beta={beta}"))
    run.play([lr] * 10)
    xs = [s.params[0] for s in run.steps]
    rate = lr
    for t in range(1, 10):
        rate = rate + beta * (c * xs[t]) * (c * xs[t - 1])
        assert run.lrs[t] == pytest.approx(rate, rel=1e-12)
    assert all(b > a for a, b in zip(run.lrs, run.lrs[1:]))


# -- forecasts continue the optimiser -----------------------------------------------------


@pytest.mark.parametrize("spec", ["momentum:beta=0.9", "adam", "hypergradient:beta=0.001"])
def test_forecast_continues_the_optimizer_state(spec):
    text, start, _ = LANDSCAPES["rosenbrock"]
    land = ExpressionLandscape(text, start)
    goal = Goal(1e-4, 400)
    opt = parse_optimizer(spec)
    lr = 0.002
    half = Run(land, goal, optimizer=opt).play([lr] * 30)
    f = forecast(half, lr, horizon=0)
    whole = Run(land, goal, optimizer=opt).play([lr] * goal.max_iterations)
    assert f.outcome is whole.outcome
    assert f.iterations == whole.iteration
    assert close(f.losses, [s.full_loss for s in whole.steps[30 : f.iterations + 1]])
    # many rates at once: each row is its own run
    fs = forecast_many(Run(land, goal, optimizer=opt), [lr, lr * 3], horizon=0)
    again = Run(land, goal, optimizer=opt).play([lr * 3] * goal.max_iterations)
    assert fs[1].iterations == again.iteration and fs[1].outcome is again.outcome


def test_undo_restores_the_optimizer_state():
    text, start, _ = LANDSCAPES["tilted"]
    land = ExpressionLandscape(text, start)
    for spec in ["momentum:beta=0.9", "adam", "hypergradient:beta=0.01"]:
        run = Run(land, GOAL, optimizer=parse_optimizer(spec)).play([0.05] * 8)
        straight = Run(land, GOAL, optimizer=parse_optimizer(spec)).play([0.05] * 6 + [0.2] * 3)
        run.undo()
        run.undo()
        run.play([0.2] * 3)
        assert close(run.current.params, straight.current.params, 1e-15), spec
        assert run.lrs == straight.lrs


def test_undo_on_a_big_bowl_replays_the_state():
    n = 20_000  # above KEEP_PARAMS_LIMIT: undo re-simulates
    bowl = QuadraticBowl(np.linspace(0.1, 1.0, n), np.ones(n))
    opt = parse_optimizer("momentum:beta=0.9")
    run = Run(bowl, GOAL, optimizer=opt).play([0.1] * 4)
    straight = Run(bowl, GOAL, optimizer=opt).play([0.1] * 3 + [0.3] * 2)
    run.undo()
    run.play([0.3] * 2)
    assert run.loss == pytest.approx(straight.loss, rel=1e-12)


def test_range_test_keeps_momentum_between_steps():
    bowl = QuadraticBowl(np.array([1.0]), np.array([1.0]))
    plain = range_test(bowl, 1e-3, 1.0, 30)
    heavy = range_test(bowl, 1e-3, 1.0, 30, optimizer=parse_optimizer("momentum:beta=0.9"))
    assert not np.allclose(plain.losses[:10], heavy.losses[:10])
    with pytest.raises(ValueError, match="sets its own rate"):
        range_test(bowl, 1e-3, 1.0, 30, optimizer=parse_optimizer("hypergradient:beta=0.1"))


def test_par_is_the_best_over_the_offered_optimizers():
    """A stretched bowl: plain descent is limited by the steep axis; momentum is quicker,
    and par over [sgd, momentum] is momentum's, never worse than either alone."""
    bowl = QuadraticBowl(np.array([1.0, 100.0]), np.array([1.0, 1.0]))
    goal = Goal(1e-6, 500)
    alone = find_par(bowl, goal, 1e-4, 1.0)
    both = find_par(bowl, goal, 1e-4, 1.0, optimizers=[parse_optimizer("momentum:beta=0.9")])
    assert both.optimizer.name == "momentum"
    assert both.par < alone.par
    check = simulate(bowl, [both.best_lr], goal, optimizer=both.optimizer)
    assert check.cleared[0] and check.iterations[0] == both.par


# -- specs ---------------------------------------------------------------------------------


def test_specs_round_trip_with_defaults_written():
    assert parse_optimizer("sgd").spec() == "sgd"
    assert parse_optimizer("momentum").spec() == "momentum:beta=0.9"
    assert parse_optimizer("momentum:nesterov=true").spec() == "momentum:beta=0.9,nesterov=true"
    assert parse_optimizer("adam").spec() == "adam:beta1=0.9,beta2=0.999,eps=1e-08"
    for spec in [
        "momentum:beta=0.5,nesterov=true",
        "adam:beta1=0.8,beta2=0.9,eps=0.001",
        "hypergradient:beta=0.002",
    ]:
        assert parse_optimizer(parse_optimizer(spec).spec()) == parse_optimizer(spec)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("rmsprop", "unknown optimizer 'rmsprop'"),
        ("momentum:beta", "should look like KEY=VALUE"),
        ("momentum:gamma=0.9", "momentum has no option 'gamma'"),
        ("momentum:beta=1", "from 0 up to (not including) 1"),
        ("momentum:beta=nan", "finite"),
        ("momentum:beta=x", "not a number"),
        ("momentum:nesterov=yes", "true or false"),
        ("momentum:beta=0,nesterov=true", "needs beta above 0"),
        ("momentum:beta=0.5,beta=0.6", "given twice"),
        ("adam:eps=0", "eps must be above 0"),
        ("hypergradient", "needs beta"),
        ("hypergradient:beta=-1", "from 0 up to 1e6"),
        ("\x1b[31m", "unknown optimizer"),
    ],
)
def test_bad_specs_get_one_line(spec, words):
    with pytest.raises(OptimizerError) as err:
        parse_optimizer(spec)
    assert words in str(err.value)
    assert "\n" not in str(err.value) and "\x1b" not in str(err.value)


@pytest.mark.parametrize(
    "spec", ["momentum:beta=0.9,nesterov=true", "adam", "hypergradient:beta=1e6"]
)
def test_extreme_rates_end_in_a_named_outcome_without_a_warning(spec):
    import warnings

    text, start, _ = LANDSCAPES["rosenbrock"]
    land = ExpressionLandscape(text, start)
    goal = Goal(1e-6, 50)
    lrs = np.geomspace(1e-300, 1e300, 61)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = simulate(land, lrs, goal, optimizer=parse_optimizer(spec))
        for lr in lrs[::10]:
            run = Run(land, goal, optimizer=parse_optimizer(spec)).play([lr] * 50)
            assert run.outcome in (Outcome.CLEARED, Outcome.DIVERGED, Outcome.OUT_OF_BUDGET)
            forecast(Run(land, goal, optimizer=parse_optimizer(spec)), lr, horizon=0)
    assert set(batch.codes.tolist()) <= {1, 2, 3}
