"""The optional keys every kind shares: schedules, trials, range_test, goal.hold."""

import textwrap

import pytest

from lrgame import levels as L

BOWL = """\
id: keys
kind: bowl
title: Keys
n: 4
curvature: [1, 10]
start: 1.0
goal: {loss_below: 1e-4, max_iterations: 40}
lr: {default: 0.1, min: 1e-4, max: 1}
"""


def load(tmp_path, extra: str = "") -> L.Level:
    path = tmp_path / "keys.yaml"
    path.write_text(textwrap.dedent(BOWL) + extra)
    return L.load_level(path)


def test_bare_schedule_names_take_their_settings_from_the_budget(tmp_path):
    lv = load(tmp_path, "schedules: [step, exponential, cosine, cyclic]\n")
    specs = [s.spec() for s in lv.schedule_tools()]
    assert specs[0] == "constant"
    assert specs[1] == "step:step_size=10,gamma=0.5"
    assert specs[2].startswith("exponential:gamma=0.89")  # 0.01 ** (1/40)
    assert specs[3] == "cosine:t_max=40,eta_min=0"
    assert specs[4] == "cyclic:base_lr=0.01,max_lr=0.1,step_size_up=4"


def test_full_specs_are_kept_and_constant_is_always_first(tmp_path):
    lv = load(tmp_path, 'schedules: ["exponential:gamma=0.5", constant]\n')
    assert [s.spec() for s in lv.schedule_tools()] == ["constant", "exponential:gamma=0.5"]


def test_no_extra_keys_means_no_schedules_trials_or_range_test(tmp_path):
    lv = load(tmp_path)
    assert [s.spec() for s in lv.schedule_tools()] == ["constant"]
    assert lv.trials is None and lv.range_test is None
    assert lv.trial_score(900, 4) == 900
    assert lv.engine_goal.hold == 1
    assert lv.compute_par().schedule.name == "constant"


def test_range_test_defaults_to_the_lr_range(tmp_path):
    lv = load(tmp_path)
    result = lv.run_range_test()
    assert result.lrs[0] == pytest.approx(1e-4)
    assert result.lrs.size <= 100


def test_hold_can_be_set_on_any_level(tmp_path):
    lv = load(tmp_path, "")
    text = (
        (tmp_path / "keys.yaml")
        .read_text()
        .replace("max_iterations: 40}", "max_iterations: 40, hold: 3}")
    )
    (tmp_path / "keys.yaml").write_text(text)
    held = L.load_level(tmp_path / "keys.yaml")
    assert held.engine_goal.hold == 3
    assert held.compute_par().par == lv.compute_par().par + 2


def test_par_is_computed_once_per_level_content(tmp_path):
    a = load(tmp_path)
    b = load(tmp_path)
    assert a is not b and a.compute_par() is b.compute_par()
    c = load(tmp_path, "hints: [changed]\n")
    assert c.compute_par() is not a.compute_par()
