"""Momentum on the board of a bowl too big to keep its params (12,000 parameters): the
player's steps move every parameter, the table shows each step's length, and the
diagnosis and the preview, played on the bowl's twin, say what the whole bowl then does."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from lrgame import levels
from lrgame.engine import Goal, Outcome, Run, simulate
from lrgame.engine.landscape import QuadraticBowl
from lrgame.engine.optimizers import parse_optimizer
from lrgame.text import num
from lrgame.ui.widgets.charts import LandscapeChart, _explodes_above
from lrgame.ui.widgets.step_table import StepTable

BOWL = textwrap.dedent(
    """\
    id: big-momentum-board
    title: Big Momentum
    kind: bowl
    n: 12000
    curvature: [0.5, 2, 7, 20]
    start: {seed: 5, scale: 1.0}
    goal: {loss_below: 1e-4, max_iterations: 200}
    lr: {default: 0.01, min: 1e-3, max: 1}
    optimizers: [momentum:beta=0.9]
    """
)
MOMENTUM = parse_optimizer("momentum:beta=0.9")


def whole_run(level, lrs) -> Run:
    """The bowl's own run, every parameter moved (the truth the board must tell)."""
    return Run(level.landscape(), level.engine_goal, optimizer=MOMENTUM).play(lrs)


async def test_momentum_on_a_big_bowl_tells_what_every_parameter_does(ui, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(BOWL)
    level = levels.load_level(path)
    app = ui.game(str(path))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("o")
        await ui.type_lr(pilot, "0.02")
        await pilot.press("space", "space")
        await ui.settle(pilot)
        run = app.screen.run
        assert run.optimizer == MOMENTUM and run.iteration == 2
        assert run.steps[0].params is None  # too big to keep: the twin forecasts
        # the table's |step| is the length of the move momentum made
        x0 = level.landscape().start
        g0 = level.landscape().grad(x0[None, :])[0]
        x1 = x0 - 0.02 * g0
        g1 = level.landscape().grad(x1[None, :])[0]
        moved = 0.02 * np.linalg.norm(0.9 * g0 + g1)  # lr × |velocity|
        table = app.screen.query_one(StepTable)
        assert table.get_row("1")[table.headers.index("|step|")].plain == num(moved)
        # the loss each curvature holds, as drawn: the params' own, not plain descent's
        drawn = app.screen.query_one(LandscapeChart)._extra_data()
        want = level.chart(run.params)
        assert np.allclose(drawn["loss"], want["loss"], rtol=1e-12, atol=0)
        text = str(app.screen.query_one("#diagnosis").render())
        assert f"the momentum step at lr 0.02 was {num(moved)} long" in " ".join(text.split())
        end = whole_run(level, [0.02] * 200)
        assert end.outcome.value == "cleared"
        assert f"the goal is reached at step {end.iteration}" in " ".join(text.split())
        # the preview of another rate from here: what the whole bowl does at it
        await pilot.press("p")
        await ui.type_lr(pilot, "0.005")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        words = str(app.screen.query_one("#preview-line").render())
        then = whole_run(level, [0.02, 0.02] + [0.005] * 198)
        assert then.outcome.value == "out_of_budget"
        floor = num(then.current.full_loss - level.landscape().minimum)
        assert words.startswith(
            f"at 0.005 with momentum: runs out of budget at iteration 200, {floor} above the floor"
        )


@pytest.mark.parametrize(
    "spec", ["sgd", "momentum:beta=0.9", "momentum:beta=0.5", "momentum:beta=0.9,nesterov=true"]
)
def test_the_curvature_charts_edge_is_where_a_direction_explodes(spec):
    """The bowl's chart marks the curvature past which the rate set explodes: checked
    by runs along one curvature just below and just above it."""
    opt = parse_optimizer(spec)
    lr = 0.01
    edge, _ = _explodes_above(lr, opt)
    # along curvature c at rate lr is along curvature 1 at rate lr c
    runs = simulate(QuadraticBowl([1.0], [1.0]), [lr * edge * 0.99, lr * edge * 1.01],
                    Goal(loss_below=1e-300, max_iterations=5_000), optimizer=opt)  # fmt: skip
    assert runs.outcome(0) is not Outcome.DIVERGED and runs.outcome(1) is Outcome.DIVERGED
    assert _explodes_above(lr, parse_optimizer("adam")) is None
