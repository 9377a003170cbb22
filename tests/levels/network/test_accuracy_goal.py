"""A network level's goal ``accuracy_at_least``: validated, judged on all the points, and
the same step everywhere it is asked (a run, a sweep, a forecast, par, run --json, grade).

Known answers: the accuracy of hand-set weights on points where it can be counted; the
step a goal clears at is the first step where the accuracy, computed by playing the run
forward and counting, reaches it.
"""

import json
import math
import textwrap

import numpy as np
import pytest

from lrgame.engine.descent import Goal, Outcome, Run, simulate
from lrgame.engine.forecast import forecast_many
from lrgame.engine.network import Network
from lrgame.levels import LevelError, parse_level
from lrgame.text import percent
from lrgame.yamlsafe import load_yaml_text

#: Four points on a line, labelled by which side of 1.5 they lie on.
LINE_X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
LINE_Y = np.array([0.0, 0.0, 1.0, 1.0])

LEVEL = """\
kind: network
id: acc
title: Accuracy
data: {shape: gaussian, points: 60, noise: 0.0, seed: 1}
network: {hidden: [], seed: 3}
goal:
  accuracy_at_least: 0.95
  max_iterations: 200
lr: {default: 0.1, min: 1e-3, max: 100}
"""


def load(text: str):
    return parse_level(load_yaml_text(textwrap.dedent(text), "acc.yaml"))


def fault(text: str) -> str:
    with pytest.raises(LevelError) as info:
        load(text)
    return str(info.value)


def counted(land: Network, params: np.ndarray) -> float:
    """The accuracy by counting, point by point, with the weights read off by hand."""
    (W, b), *rest = land.layers(params[None, :])
    assert not rest  # no hidden layer: z = W x + b
    right = 0
    for (x1, x2), y in zip(land.x, land.y):
        z = W[0, 0, 0] * x1 + W[0, 0, 1] * x2 + b[0, 0]
        right += (z > 0) == (y > 0.5)
    return right / land.y.size


@pytest.mark.parametrize(
    ("weights", "expected"),
    [([1.0, 0.0, -1.5], 1.0), ([1.0, 0.0, -0.5], 0.75), ([-1.0, 0.0, 1.5], 0.0)],
)
def test_the_accuracy_of_set_weights_is_the_share_counted(weights, expected):
    land = Network(LINE_X, LINE_Y, hidden=(), start=np.array(weights))
    assert land.accuracy(land.start[None, :])[0] == expected
    assert counted(land, land.start) == expected


def _first_reaching(land, goal_accuracy, lr, budget, hold=1):
    """Play plain descent forward with no target, counting the accuracy at every step: the
    first step where it has been at least the goal ``hold`` steps in a row."""
    run = Run(land, Goal(0.0, budget, 1))  # no loss target: never cleared by the loss
    in_a_row = 0
    for t in range(budget + 1):
        if t:
            run.step(lr)
        if counted(land, run.params) >= goal_accuracy:
            in_a_row += 1
            if in_a_row >= hold and t > 0:
                return t
        else:
            in_a_row = 0
    return None


def test_a_run_clears_at_the_first_step_the_accuracy_reaches_the_goal():
    level = load(LEVEL)
    land = level.landscape()
    goal = level.engine_goal
    assert goal.accuracy_at_least == 0.95 and goal.loss_below == 0.0
    for lr in (0.05, 0.1, 0.3):
        expected = _first_reaching(land, 0.95, lr, 200)
        assert expected is not None and expected > 1
        run = Run(land, goal).play([lr] * 200)
        assert run.outcome is Outcome.CLEARED and run.iteration == expected, lr
        assert run.current.accuracy >= 0.95 > run.steps[-2].accuracy
        # a sweep of the rates at once, and a forecast from the start, say the same
        batch = simulate(land, [lr], goal)
        assert batch.outcome(0) is Outcome.CLEARED and batch.iterations[0] == expected
        f = forecast_many(Run(land, goal), [lr], horizon=0)[0]
        assert f.outcome is Outcome.CLEARED and f.iterations == expected


def test_the_loss_alone_would_not_clear_it_where_the_accuracy_does():
    # the known answer is about accuracy, not loss: at the step it clears, the loss is
    # still far from 0 (the goal is not a loss target in disguise)
    level = load(LEVEL)
    run = Run(level.landscape(), level.engine_goal).play([0.1] * 200)
    assert run.outcome is Outcome.CLEARED and run.current.full_loss > 0.3


def test_with_mini_batches_the_accuracy_over_all_the_points_is_held():
    level = load(LEVEL + "batch_size: 10\nseed: 4\n")
    land, goal = level.landscape(), level.engine_goal
    assert land.stochastic and goal.hold == 10
    run = Run(land, goal).play([0.1] * 200)
    assert run.outcome is Outcome.CLEARED
    # every one of the last ten steps labels at least 95% of all the points right, and
    # the ten before the first of them do not all do
    accs = [counted(land, s.params) for s in run.steps]
    assert all(a >= 0.95 for a in accs[-10:])
    assert not all(a >= 0.95 for a in accs[-11:-1])
    assert simulate(land, [0.1], goal).iterations[0] == run.iteration


def test_par_is_the_fewest_steps_of_the_rates_tried_one_by_one():
    level = load(LEVEL)
    par = level.compute_par()
    land, goal = level.landscape(), level.engine_goal
    # a brute force of constant rates, each played step by step, never beats par
    steps = []
    for lr in np.geomspace(level.lr.min, level.lr.max, 40):
        run = Run(land, goal).play([lr] * goal.max_iterations)
        if run.outcome is Outcome.CLEARED:
            steps.append(run.iteration)
    assert steps and par.par <= min(steps)
    best = Run(land, goal).play([par.best_lr] * goal.max_iterations)
    assert best.outcome is Outcome.CLEARED and best.iteration == par.par


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("accuracy_at_least: 0.95", "accuracy_at_least: 0", 7, "greater than 0"),
        ("accuracy_at_least: 0.95", "accuracy_at_least: 1.5", 7, "less than or equal to 1"),
        ("accuracy_at_least: 0.95", "accuracy_at_least: .nan", 7, "finite"),
        ("accuracy_at_least: 0.95", "accuracy_at_least: '95%'", 7, "number"),
        ("  accuracy_at_least: 0.95\n", "", 6, "exactly one of"),
        (
            "accuracy_at_least: 0.95",
            "accuracy_at_least: 0.95\n  loss_below: 0.1",
            6,
            "exactly one of",
        ),
    ],
)
def test_a_faulty_accuracy_goal_is_one_line(old, new, line, words):
    text = fault(LEVEL.replace(old, new))
    assert text.startswith(f"acc.yaml:{line}:"), text
    assert words in text, text
    assert "\n" not in text and "Traceback" not in text


def test_an_accuracy_goal_is_refused_on_a_level_that_labels_nothing():
    text = fault(
        "id: x\ntitle: X\nparams: {x: 2}\nloss: x**2\n"
        "goal:\n  accuracy_at_least: 0.9\n  max_iterations: 10\n"
        "lr: {default: 0.1, min: 0.01, max: 1}\n"
    )
    assert text.startswith("acc.yaml:6:") and "network levels" in text
    assert "\n" not in text


def test_a_goal_the_first_weights_already_reach_is_nothing_to_play():
    # points on a line the first weights (seed 0, no hidden layer) already split
    points = [[-1 - k / 10, 0, 0] for k in range(5)] + [[1 + k / 10, 0, 1] for k in range(5)]
    text = f"""\
kind: network
id: easy
title: Easy
data: {{points: {json.dumps(points)}}}
network: {{hidden: [], seed: 0}}
goal:
  accuracy_at_least: 0.5
  max_iterations: 10
lr: {{default: 0.1, min: 1e-3, max: 10}}
"""
    level_land = Network(np.array(points)[:, :2], np.array(points)[:, 2], hidden=(), init_seed=0)
    start = level_land.accuracy(level_land.start[None, :])[0]
    assert start >= 0.5  # the seed splits them (either way round gives 0 or 1)
    message = fault(text)
    assert message.startswith("acc.yaml:7:") and "nothing to play" in message
    assert percent(start) in message


def test_run_json_carries_the_accuracy_and_the_goal(capsys):
    from lrgame.__main__ import main

    level = load(LEVEL)
    path = level.source_path
    assert path is None  # loaded from text: write it out for the command line
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        file = Path(d) / "acc.yaml"
        file.write_text(LEVEL)
        assert main(["run", str(file), "--lr", "0.1", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert main(["export", str(file), "--json"]) == 0
        exported = json.loads(capsys.readouterr().out)
    expected = _first_reaching(level.landscape(), 0.95, 0.1, 200)
    assert report["outcome"] == "cleared" and report["iterations"] == expected
    assert report["goal"] == {
        "loss_below": None,
        "accuracy_at_least": 0.95,
        "max_iterations": 200,
        "hold": 1,
    }
    accs = [e["accuracy"] for e in report["trajectory"]]
    assert accs[-1] >= 0.95 and all(a < 0.95 for a in accs[:-1])
    assert math.isclose(accs[-1] * 60, round(accs[-1] * 60))  # a count of points
    words = report["trajectory"][-1]["diagnosis"]["text"]
    assert f"labels {percent(accs[-1])} of the points right" in words and "95%" in words
    assert exported["goal"]["accuracy_at_least"] == 0.95
    assert exported["goal"]["loss_below"] is None


def test_a_replayed_accuracy_run_grades(tmp_path):
    from lrgame.classroom.grade import Grader
    from lrgame.judging.replay import attempt_from_run, new_result, new_run, write_result

    level = load(LEVEL)
    run = new_run(level, "sgd")
    run.play([0.1] * 200)
    assert run.outcome is Outcome.CLEARED
    path = write_result(
        tmp_path / "r.json", new_result("eve", [attempt_from_run(level, run, "constant")])
    )
    entry = Grader(extra_levels=[level]).grade(str(path))
    assert entry.status == "accepted", entry.reason
    figures = entry.levels[0]
    assert figures.outcome == "cleared" and figures.iterations == run.iteration


def test_percent_never_rounds_up_to_a_goal():
    assert percent(189 / 200) == "94.5%"
    assert percent(19 / 20) == "95%"
    assert percent(999 / 1000) == "99.9%" and percent(1999 / 2000) == "99.9%"
    assert percent(1.0) == "100%"


def test_the_level_hash_of_a_loss_goal_is_unchanged_and_an_accuracy_goal_has_its_own():
    from lrgame.fileformat import _hashed_content, level_hash

    loss = load(LEVEL.replace("accuracy_at_least: 0.95", "loss_below: 0.3"))
    assert "accuracy_at_least" not in _hashed_content(loss)["goal"]  # old results still match
    assert level_hash(loss) != level_hash(load(LEVEL))


def test_beyond_the_budget_an_accuracy_goal_is_told_by_the_loss_it_was_read_off():
    """Stalls and creeps are read off the loss beyond the budget: under an accuracy goal
    the words speak of the loss, and the run continued shows it still falling."""
    from lrgame.judging.diagnose import diagnose

    level = load(LEVEL.replace("max_iterations: 200", "max_iterations: 3"))
    run = level.new_run()
    lr = 1e-3  # far too small to reach 95% in 3 steps
    while run.outcome is None:
        run.step(lr)
    text = diagnose(run).text
    assert "getting closer" not in text and "no closer" not in text
    assert "its loss is still falling" in text
    longer = Run(run.landscape, Goal(0.0, 400, 1))
    for _ in range(400):
        longer.step(lr)
    losses = [s.loss for s in longer.steps]
    assert losses[-1] < losses[3]  # the loss did keep falling past the budget
