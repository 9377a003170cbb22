"""The diagnosis under an optimiser: its arithmetic is the optimiser's, its future the
optimiser's run continued, and plain descent's words are not said where they are false."""

from __future__ import annotations

import re

import pytest

from lrgame.engine import Goal, Outcome, Run, forecast, simulate
from lrgame.engine.landscape import ExpressionLandscape
from lrgame.engine.optimizers import parse_optimizer
from lrgame.judging.diagnose import diagnose

LAND = ExpressionLandscape("x**2 + 10*y**2", {"x": 2.0, "y": 1.0})
GOAL = Goal(1e-6, 100)


def run(spec, lrs):
    return Run(LAND, GOAL, optimizer=parse_optimizer(spec)).play(lrs)


def test_momentum_step_is_told_as_lr_times_velocity():
    r = run("momentum:beta=0.9", [0.05] * 5)
    text = diagnose(r).text
    m = re.search(r"lr × velocity = ([\d.e+-]+) × ([+−][\d.e+-]+) = ([+−][\d.e+-]+)", text)
    assert m, text
    v = float(m.group(2).replace("−", "-"))
    name = re.search(r"(?:moved|carried) (\w+) from", text.split("lr × velocity")[1]).group(1)
    i = LAND.names.index(name)
    assert v == pytest.approx(r.current.velocity[i], rel=1e-3)
    moved = r.steps[-2].params[i] - r.current.params[i]
    assert float(m.group(3).replace("−", "-")) == pytest.approx(moved, rel=1e-3)
    assert "lr × slope along" not in text.split("velocity")[0]


@pytest.mark.parametrize("spec", ["momentum:beta=0.9", "adam"])
def test_the_step_told_is_of_the_parameter_that_moved_most(spec):
    """Under momentum a velocity carries a parameter on where its slope is 0: the words
    are of the one that moved most, not of the one with the largest slope."""
    land = ExpressionLandscape("x**2/2 + 50*y**2", {"x": 10.0, "y": 1.0})  # long-valley
    r = Run(land, Goal(1e-4, 150), optimizer=parse_optimizer(spec)).play([0.004] * 3)
    moved = abs(r.current.params - r.steps[-2].params)
    text = diagnose(r).text
    name = re.search(r"(?:moved|carried) (\w+) from", text).group(1)
    assert name == land.names[int(moved.argmax())], text
    if spec.startswith("momentum"):  # y sits at the bottom of the valley, x does not
        assert r.steps[-2].gradient[1] == 0 and "moved y from 0 to −0.54" in text


@pytest.mark.parametrize("spec", ["adam", "momentum:beta=0.9,nesterov=true"])
def test_adam_and_nesterov_never_claim_lr_times_slope_moved_it(spec):
    r = Run(LAND, GOAL, optimizer=parse_optimizer(spec))
    start = diagnose(r, lr=0.05).text
    assert "−lr × slope" not in start and "The first step" in start
    for _ in range(6):
        r.step(0.05)
        text = diagnose(r).text
        assert not re.search(
            r"lr × slope[^=]*= [\d.e+-]+ × [+−][\d.e+-]+ = [+−][\d.e+-]+ (moved|carried)", text
        ), text


def test_the_future_is_the_optimizers_run_continued():
    for spec in ["momentum:beta=0.9", "adam", "hypergradient:beta=0.001"]:
        r = run(spec, [0.05] * 5)
        d = diagnose(r)
        whole = run(spec, [0.05] * GOAL.max_iterations)
        assert d.forecast.outcome is whole.outcome, spec
        if whole.outcome is not Outcome.OUT_OF_BUDGET:
            assert d.forecast.iterations == whole.iteration, spec


def test_the_edge_named_after_a_momentum_divergence_is_momentums():
    r = run("momentum:beta=0.9", [0.3] * 100)
    assert r.outcome is Outcome.DIVERGED
    text = diagnose(r).text
    m = re.search(r"constant rates with momentum:beta=0.9 below about ([\d.]+)", text)
    assert m, text
    edge = float(m.group(1))
    # plain descent's edge here is 2 / 20 = 0.1; momentum's (heavy ball) is 2 (1 + 0.9) / 20
    assert edge == pytest.approx(0.19, rel=0.01)
    long = Goal(1e-300, 2000)
    ok = simulate(
        LAND, [edge * 0.99, edge * 1.05], long, optimizer=parse_optimizer("momentum:beta=0.9")
    )
    assert not ok.diverged[0] and ok.diverged[1]


def test_preview_words_name_the_optimizer_and_the_autopilots_own_rate():
    from lrgame.engine import RateRule
    from lrgame.preview import preview_words, under_optimizer

    rule = RateRule(0.05)
    for spec, after, want in [
        ("momentum:beta=0.9", 0, "at 0.05 with momentum: "),
        ("hypergradient:beta=0.001", 0, "at 0.05 with hypergradient: "),
        ("hypergradient:beta=0.001", 3, "at its own rate: "),
    ]:
        r = run(spec, [0.05] * after)
        f = forecast(r, rule, horizon=0)
        words = under_optimizer(preview_words(f, rule, 0.0), rule, r)
        assert words.startswith(want), words
        # what it says comes from the optimiser's own run continued
        whole = run(spec, [0.05] * GOAL.max_iterations)
        if whole.outcome is Outcome.CLEARED:
            assert f"clears in {whole.iteration - after} steps" in words


@pytest.mark.parametrize(
    ("loss", "start", "spec", "lr", "steps", "memory"),
    [
        ("x**2/2 + 5000*y**2", {"x": 3.0, "y": 0.1}, "adam", 0.06, 3, "running average"),
        ("x**4/4 + y**4/8", {"x": 2.0, "y": -1.0}, "momentum:beta=0.9", 0.4, 2, "velocity"),
    ],
)
def test_a_move_up_its_own_slope_is_told_as_the_optimizers_memory(
    loss, start, spec, lr, steps, memory
):
    """Under Adam (two-scales) or momentum (momentum-kick) a parameter can move up its
    own slope: the loss rose, and the words name that parameter and why, not another
    one moving downhill as if it had overshot."""
    land = ExpressionLandscape(loss, start)
    r = Run(land, Goal(1e-4, 100), optimizer=parse_optimizer(spec)).play([lr] * steps)
    prev, cur = r.steps[-2], r.current
    assert cur.loss > prev.loss
    text = diagnose(r).text
    name = re.search(r"moved (\w+) from", text).group(1)
    i = land.names.index(name)
    g, move = float(prev.gradient[i]), float(cur.params[i] - prev.params[i])
    assert g * move > 0  # up its slope: no plain step ever does that
    assert f"it went up the slope along {name} (" in text and memory in text
    assert "longer than the stretch where the slope points downhill" not in text
    if spec == "adam":  # plain descent's step, said as what it is: −lr × slope
        m = re.search(r"plain descent's step, −lr × slope along \w+, would be ([^)]+)\)", text)
        assert float(m.group(1).replace("−", "-").replace("+", "")) == pytest.approx(
            -lr * g, rel=1e-3
        )
    else:  # the velocity that moved it points against the slope
        assert float(cur.velocity[i]) * g < 0
