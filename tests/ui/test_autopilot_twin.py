"""The autopilot race on a level too big to replay: run on the bowl's twin (same losses
and rates), offered on million-bowl, drawn on the loss chart, compared on the result."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from lrgame import autopilot, levels
from lrgame.autopilot import autopilot_optimizer, race
from lrgame.ui.screens.result import ResultScreen
from lrgame.ui.widgets.charts import LandscapeChart, LossChart

BOWL = textwrap.dedent(
    """\
    id: many-bowl
    title: Many
    kind: bowl
    n: 3000
    curvature: {min: 1, max: 40, spacing: log, values: 25}
    start: {seed: 4, scale: 0.5}
    goal: {loss_below: 1e-4, max_iterations: 400}
    lr: {default: 0.01, min: 1e-4, max: 1}
    """
)


@pytest.mark.parametrize("lr", [0.01, 0.045])
def test_a_race_on_the_twin_is_the_race_on_the_whole_bowl(tmp_path, monkeypatch, lr):
    path = tmp_path / "many-bowl.yaml"
    path.write_text(BOWL)
    level = levels.load_level(path)
    whole = race(level, lr)  # 3,000 parameters: the level's own run
    monkeypatch.setattr(autopilot, "MAX_AUTOPILOT_PARAMS", 1_000)
    small = race(levels.load_level(path), lr)  # now too big: its twin of 25
    assert small.run.landscape.n_params == 25 and whole.run.landscape.n_params == 3000
    assert small.optimizer == whole.optimizer  # the same B, from the same start slope
    assert (small.outcome, small.steps) == (whole.outcome, whole.steps)
    assert np.allclose(small.rates, whole.rates, rtol=1e-12, atol=0)
    assert len(set(whole.rates)) > 10  # the rate did set itself
    loss = lambda r: [s.full_loss for s in r.run.steps]  # noqa: E731
    assert np.allclose(loss(small), loss(whole), rtol=1e-12, atol=0)
    assert small.words() == whole.words()
    assert whole.path().shape == (whole.steps + 1, 3000) and small.path() is None


def test_the_race_is_offered_on_million_bowl():
    level = levels.find_level("million-bowl")
    opt = autopilot_optimizer(level)
    assert opt is not None and opt.sets_own_rate
    assert level.twin_landscape(opt).n_params == 200


async def test_million_bowl_races_the_autopilot_and_the_result_compares(ui):
    level = levels.find_level("million-bowl")
    want = race(level, 0.05)  # above 2/100: both runs end within a few steps
    app = ui.game("million-bowl")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert app.screen.check_action("autopilot", ()) is True
        await ui.type_lr(pilot, "0.05")
        await pilot.press("a")
        await ui.wait_for(pilot, lambda: app.screen.autopilot is not None)
        got = app.screen.autopilot
        assert (got.steps, got.outcome) == (want.steps, want.outcome)
        assert got.rates == want.rates
        line = str(app.screen.query_one("#autopilot-line").render())
        assert want.board_lines(98)[0] in line
        assert app.screen.query_one(LossChart)._autopilot.size == want.steps + 1
        assert app.screen.query_one(LandscapeChart)._autopilot is None  # no params drawn
        await pilot.press("space")  # one step of the player's own
        await pilot.pause()
        assert app.screen.run.iteration == 1
        await pilot.press("r")  # the rest of the run, then the result
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        text = str(app.screen.query_one("#result-autopilot").render())
        assert want.words() in text
