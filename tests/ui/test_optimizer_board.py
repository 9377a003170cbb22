"""Optimisers on the board: the picker (o), the rate each step used and momentum's
velocity, and the hypergradient autopilot race (a) drawn as a second ghost."""

from __future__ import annotations

import numpy as np
import pytest

from lrgame import levels
from lrgame.autopilot import autopilot_optimizer, race
from lrgame.engine.optimizers import parse_optimizer
from lrgame.text import num
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.charts import LandscapeChart, LossChart
from lrgame.ui.widgets.optimizer_picker import OptimizerPicker
from lrgame.ui.widgets.step_table import StepTable


async def test_the_picker_sets_the_runs_optimizer_and_the_board_shows_velocity(ui):
    app = ui.game("momentum-kick")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert app.screen.query_one(OptimizerPicker).optimizer.name == "sgd"
        await pilot.press("o")
        await pilot.pause()
        run = app.screen.run
        assert run.optimizer == parse_optimizer("momentum:beta=0.9")
        await ui.type_lr(pilot, "0.1")
        await pilot.press("space", "space")
        await pilot.pause()
        v = app.screen.run.current.velocity
        assert f"velocity ({num(float(v[0]))}, {num(float(v[1]))})" in ui.status_text(app)
        table = app.screen.query_one(StepTable)
        assert "lr" in table.headers and "step x" in table.headers
        row = [c.plain for c in table.get_row("1")]
        steps = app.screen.run.steps
        moved = float(steps[2].params[0] - steps[1].params[0])
        assert row[table.headers.index("step x")] == num(moved)
        assert row[table.headers.index("lr")] == num(0.1)
        # a run keeps its optimiser: o after a step leaves it as it is
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.run.optimizer.name == "momentum" and app.screen.run.iteration == 2


async def test_the_hypergradient_rate_of_each_step_is_in_the_table(ui):
    app = ui.game("beat-the-autopilot")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("o")
        await pilot.press("space", "space", "space")
        await pilot.pause()
        run = app.screen.run
        assert run.optimizer.sets_own_rate and len(set(run.lrs)) == 3
        table = app.screen.query_one(StepTable)
        col = table.headers.index("lr")
        assert [table.get_row(str(k))[col].plain for k in range(3)] == [num(r) for r in run.lrs]
        assert f"its lr {num(run.lrs[-1])}" in ui.status_text(app)


async def test_the_autopilot_race_is_a_second_ghost_and_the_result_compares_steps(ui):
    level = levels.find_level("beat-the-autopilot")
    want = race(level, 1.437)
    app = ui.game("beat-the-autopilot")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "1.437")
        await pilot.press("a")
        await ui.wait_for(pilot, lambda: app.screen.autopilot is not None)
        got = app.screen.autopilot
        assert got.steps == want.steps and got.rates == want.rates
        line = str(app.screen.query_one("#autopilot-line").render())
        assert f"cleared in {want.steps} steps" in line and any(c in line for c in "▁█")
        chart = app.screen.query_one(LandscapeChart)
        assert np.allclose(chart._autopilot, [s.params for s in want.run.steps])
        assert app.screen.query_one(LossChart)._autopilot.size == want.steps + 1
        await pilot.press("r")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        text = str(app.screen.query_one("#result-autopilot").render())
        mine = app.screen.result.iterations
        assert mine < want.steps and f"{mine} steps to its {want.steps}" in text


async def test_a_again_hides_the_ghost(ui):
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("a")
        await ui.wait_for(pilot, lambda: app.screen.autopilot is not None)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.autopilot is None
        assert app.screen.query_one(LandscapeChart)._autopilot is None


def test_the_autopilot_flies_every_kind_but_the_child():
    for lid in ("x-squared", "hundred-bowl", "fit-a-line", "noisy-line", "beat-the-autopilot"):
        level = levels.find_level(lid)
        opt = autopilot_optimizer(level)
        assert opt is not None and opt.sets_own_rate, lid
    assert autopilot_optimizer(levels.find_level("child-and-dogs")) is None
    # the level's own B where it offers one
    assert autopilot_optimizer(levels.find_level("beat-the-autopilot")).options["beta"] == 0.3


@pytest.mark.parametrize("lid", ["x-squared", "fit-a-line"])
def test_the_default_autopilot_b_is_a_share_of_the_start_rate(lid):
    level = levels.find_level(lid)
    b = autopilot_optimizer(level).options["beta"]
    g = level.new_run().steps[0].gradient_norm
    assert b == pytest.approx(0.1 * level.lr.default / g**2, rel=1e-2)
