"""Every learning rate from 1e-300 to 1e300 ends in a named outcome: no crash, no warning.

A log grid of 301 rates (two per decade) on every shipped level: as one vectorised
sweep (par, ``lrgame sweep``), as step-by-step runs (the game, ``lrgame run``, the
grader's replay), and as a range test; with Python warnings turned into errors, so
a numpy overflow warning fails the test as a crash would. Then the real command
line on one level of each kind, whose stderr must stay empty.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import Outcome, play_schedule, sweep
from lrgame.engine.descent import Goal
from lrgame.text import num

GRID = np.geomspace(1e-300, 1e300, 301)
#: Every tenth rate of the grid (one per five decades) for the slower per-step runs.
COARSE = GRID[::10]
NAMED = {o.value for o in Outcome}
SHIPPED = [lid for _, lid in L.campaign_ids()]
#: One level of each kind, for the full grid step by step and the command line.
ONE_OF_EACH_KIND = ["x-squared", "double-well", "hundred-bowl", "fit-a-line", "noisy-line", "child-and-dogs", "four-rates"]  # fmt: skip


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _level(level_id: str):
    return L.load_level(L.shipped_path(level_id))


def test_every_shipped_kind_is_covered():
    kinds = {_level(lid).kind for lid in SHIPPED}
    assert kinds == {"landscape", "bowl", "regression", "child-and-dogs", "network"}
    assert {_level(lid).kind for lid in ONE_OF_EACH_KIND} == kinds


@pytest.mark.parametrize("level_id", SHIPPED)
def test_a_sweep_of_the_whole_grid_ends_in_named_outcomes(level_id):
    level = _level(level_id)
    own = getattr(level, "sweep_rates", None)
    batch = own(GRID) if own else sweep(level.sweep_landscape(), level.engine_goal, GRID)
    outcomes = [batch.outcome(i).value for i in range(GRID.size)]
    assert set(outcomes) <= NAMED
    assert batch.iterations.min() >= 1 or level.kind == "child-and-dogs"
    # the tiniest rates barely move, the hugest ones blow up: both ends are named
    assert outcomes[-1] in ("diverged", "cleared")
    assert outcomes[0] in ("out_of_budget", "cleared")


def _run(level, lr: float, budget: int | None = None):
    goal = level.engine_goal
    if budget is not None:
        goal = Goal(goal.loss_below, min(budget, goal.max_iterations), goal.hold)
    run = play_schedule(level.new_run(goal), float(lr))
    assert run.over and run.outcome.value in NAMED
    for step in run.steps:  # what the step table shows: a number or a word, never an error
        num(step.loss)
    return run


@pytest.mark.slow
@pytest.mark.parametrize("level_id", [lid for lid in SHIPPED if lid != "million-bowl"])
def test_step_by_step_runs_end_in_named_outcomes(level_id):
    level = _level(level_id)
    grid = GRID if level_id in ONE_OF_EACH_KIND else COARSE
    for lr in grid:
        _run(level, lr)


def test_the_million_bowl_step_by_step_at_the_extremes():
    level = _level("million-bowl")  # 1,000,000 parameters: a few rates, a short budget
    for lr in (1e-300, 1e-5, 0.02, 1.0, 1e300):
        _run(level, lr, budget=8)


@pytest.mark.parametrize("level_id", SHIPPED)
def test_a_range_test_across_the_whole_grid(level_id):
    level = _level(level_id)
    if not hasattr(level, "run_range_test") or level.kind == "child-and-dogs":
        pytest.skip("child-and-dogs has no range test")
    result = level.run_range_test(1e-300, 1e300, 301)
    assert result.suggested_lr is None or math.isfinite(result.suggested_lr)
    assert np.isfinite(result.losses).all()


def test_schedules_at_extreme_base_rates():
    from lrgame.engine import parse_schedule

    level = _level("settle-the-noise")
    for spec in (
        "step:step_size=5,gamma=0.5",
        "exponential:gamma=0.9",
        "cosine:t_max=50,eta_min=0",
    ):
        schedule = parse_schedule(spec)
        for lr in (1e-300, 1e300):
            run = play_schedule(level.new_run(), lr, schedule)
            assert run.outcome.value in NAMED


def test_the_child_explains_every_rate():
    level = _level("child-and-dogs")
    for lr in COARSE:
        level.regime(lr)
        level.explain(lr)
        level.narrate(lr)


# -- the command line -------------------------------------------------------------------------


def _cli_jobs() -> list[tuple[str, str, tuple[str, ...]]]:
    jobs = []
    for lid in ONE_OF_EACH_KIND + ["million-bowl"]:
        jobs.append((lid, "sweep", ("sweep", lid, "--min", "1e-300", "--max", "1e300", "--points", "301", "--json")))  # fmt: skip
        budget = ["--max-iterations", "5"] if lid == "million-bowl" else []
        for lr in ("1e-300", "1e300"):
            jobs.append((lid, lr, ("run", lid, "--lr", lr, *budget)))
        if lid not in ("child-and-dogs", "million-bowl"):
            # --json: plotext takes 11 s to chart x-squared's test over this range (see README)
            chart = () if lid == "double-well" else ("--json",)
            jobs.append((lid, "range-test", ("range-test", lid, "--min", "1e-300", "--max", "1e300", "--steps", "301", *chart)))  # fmt: skip
    return jobs


@pytest.mark.parametrize(
    "level_id, what, argv", _cli_jobs(), ids=lambda v: v if isinstance(v, str) else None
)
def test_the_command_line_at_extreme_rates_is_quiet(level_id, what, argv, capsys):
    """The commands themselves, in this process with warnings as errors: a numpy warning
    fails here as it would print to stderr from ``lrgame``; stderr stays empty."""
    from lrgame.__main__ import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0 and err == "", (what, err[-2000:])
    if what == "sweep":
        points = json.loads(out)["points"]
        assert len(points) == 301 and {p["outcome"] for p in points} <= NAMED
    elif what != "range-test":
        assert any(w in out for w in ("cleared", "diverged", "out of budget", "Cleared", "Diverged", "Out of budget", "dog")), out[-500:]  # fmt: skip
