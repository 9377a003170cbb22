"""Property: over levels x rates x steps, every forecast is what happens when the run is
continued, and no sentence about the future contradicts it (see claims.py)."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrgame import levels as L
from lrgame.engine import RateRule
from lrgame.judging.diagnose import diagnose_level

from .claims import check, continued

#: million-bowl is left out: continuing a run of a million parameters costs seconds per
#: example (its forecast is checked in tests/engine/test_forecast.py).
SHIPPED = [lid for _, lid in L.campaign_ids() if lid != "million-bowl"]

#: Levels that are not shipped, so the property is not tuned to the campaign.
EXTRA = {
    "narrow-window": {
        "id": "narrow-window",
        "title": "A narrow window",
        "params": {"x": 1.0},
        "loss": "sin(x) + 0.1*x**2",
        "minimum": -0.7945823375615283,
        "goal": {"loss_below": 1e-6, "max_iterations": 100},
        "lr": {"default": 0.1, "min": 1e-4, "max": 10},
    },
    "banana": {
        "id": "banana",
        "title": "A curved valley",
        "params": {"x": -1.0, "y": 1.5},
        "loss": "(1 - x)**2 + 5*(y - x**2)**2",
        "goal": {"loss_below": 1e-3, "max_iterations": 150},
        "lr": {"default": 0.01, "min": 1e-4, "max": 0.5},
    },
    "small-bowl": {
        "id": "small-bowl",
        "kind": "bowl",
        "title": "A small bowl",
        "n": 30,
        "curvature": {"min": 0.5, "max": 20},
        "start": {"seed": 2, "scale": 2.0},
        "minimum": 1.5,
        "goal": {"loss_below": 1e-4, "max_iterations": 120},
        "lr": {"default": 0.01, "min": 1e-3, "max": 1},
    },
    "tiny-batches": {
        "id": "tiny-batches",
        "kind": "regression",
        "title": "Tiny batches",
        "generate": {"seed": 3, "n": 60, "w": -2.0, "b": 1.0, "noise": 0.5},
        "batch_size": 6,
        "seed": 9,
        "goal": {"loss_below": 0.01, "max_iterations": 120},
        "lr": {"default": 0.1, "min": 1e-3, "max": 2},
        "schedules": ["constant", "exponential"],
    },
}


def make(lid: str):
    if lid in EXTRA:
        kind = EXTRA[lid].get("kind", "landscape")
        return L.LEVEL_KINDS[kind].model_validate(EXTRA[lid])
    return L.find_level(lid)


LEVELS = {lid: make(lid) for lid in [*SHIPPED, *EXTRA]}


@pytest.mark.slow
@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(
    lid=st.sampled_from(sorted(LEVELS)),
    where=st.floats(0, 1),
    k=st.integers(0, 40),
    which=st.integers(0, 3),
)
def test_every_forecast_comes_true_and_no_sentence_contradicts_it(lid, where, k, which):
    level = LEVELS[lid]
    lr = math.exp(math.log(level.lr.min) + where * math.log(level.lr.max / level.lr.min))
    tools = level.schedule_tools()
    rule = RateRule(lr, tools[which % len(tools)])
    run = level.new_run()
    while not run.over and run.iteration < k:
        run.step(rule.rate(run.iteration))
    d = diagnose_level(level, run, rule=rule)
    if d.forecast is not None and run.iteration >= 1 and not run.over:
        end = continued(level, run, rule)
        assert (d.forecast.outcome, d.forecast.iterations) == (end.outcome, end.iteration)
    check(level, run, d, rule)
