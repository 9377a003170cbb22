"""Schedules and rate ranges at the edges of floating point: an outcome, never a traceback.

The red team found: ``run --replay`` ending in a pydantic ValidationError when a
schedule's rate reaches 0 (cosine down to eta_min 0, exponential or step decay
underflowing), ``run --json`` raising on a rate of -inf (cosine with eta_min 1e308
overflowed in the middle of its formula), and numpy's "overflow encountered in
power" on stderr from ``sweep --max 1.7976931348623157e308`` and from validating a
level with that lr.max. Each is a clean outcome now; these are the variants.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from lrgame.engine.schedules import parse_schedule
from lrgame.engine.sweep import log_rates

LARGEST = "1.7976931348623157e308"
SCHEDULES = [
    "cosine:t_max=5",
    "cosine:t_max=1,eta_min=1e308",
    "cosine:t_max=7,eta_min=1.7976931348623157e308",
    "exponential:gamma=1e-5",
    "exponential:gamma=10",
    "step:step_size=1,gamma=1e-300",
    "step:step_size=1,gamma=10",
    "cyclic:base_lr=0,max_lr=1e308,step_size_up=1",
]


@pytest.mark.parametrize("spec", SCHEDULES)
@pytest.mark.parametrize("base", [1e-300, 0.05, 1e300, float(LARGEST)])
def test_every_rate_of_every_schedule_is_a_finite_number_from_zero_up(spec, base):
    schedule = parse_schedule(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for t in (0, 1, 2, 5, 12, 400, 99_999):
            rate = schedule.rates(np.array([base]), t)
            assert rate.shape == (1,) and math.isfinite(rate[0]) and rate[0] >= 0, (t, rate)


def test_the_cosine_schedule_still_follows_pytorch_where_nothing_overflows():
    # eta_min + (base - eta_min) * (1 + cos(pi t / T)) / 2, as torch's closed form
    schedule = parse_schedule("cosine:t_max=10,eta_min=0.01")
    for t in range(0, 25):
        want = 0.01 + (0.5 - 0.01) * (1 + math.cos(math.pi * t / 10)) / 2
        assert schedule.rates(np.array([0.5]), t)[0] == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("points", [1, 2, 3, 200])
def test_log_rates_reach_the_largest_float_without_a_warning(points):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = log_rates(1e-300, float(LARGEST), points)
    assert np.all(np.isfinite(rates)) and rates.size == points
    assert rates[0] == 1e-300 and (points == 1 or rates[-1] == float(LARGEST))
    assert np.all(np.diff(rates) > 0)


def _clean(result, stderr: str = ""):
    assert "Traceback" not in result.output, result.output[-2000:]
    assert result.returncode == 0, result.output[-2000:]
    assert result.stderr == stderr


@pytest.mark.parametrize("spec", SCHEDULES)
def test_run_with_a_replay_and_json_and_then_grade_it(spec, tmp_path, lrgame_cli):
    level = "stretched-bowl"
    ran = lrgame_cli(
        "run", level, "--lr", "0.05", "--schedule", spec, "--replay", "o.json", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in ran.output, ran.output[-2000:]
    if ran.returncode == 2:  # a replay the grader would refuse: one line, nothing written
        (line,) = ran.stderr.splitlines()
        assert line.startswith("lrgame run: not recorded: ") and ran.stdout == ""
        assert not (tmp_path / "o.json").exists()
        return
    _clean(ran, "replay written to o.json\n")
    report = json.loads(ran.stdout)
    assert report["outcome"] in {"cleared", "diverged", "out_of_budget"}
    assert all(step["lr"] is None or step["lr"] >= 0 for step in report["trajectory"])
    graded = lrgame_cli("grade", "o.json", cwd=tmp_path)
    assert "Traceback" not in graded.output and graded.stderr == ""
    assert graded.returncode in (0, 1)


def test_sweep_up_to_the_largest_float(tmp_path, lrgame_cli):
    for level in ("x-squared", "child-and-dogs"):
        result = lrgame_cli("sweep", level, "--max", LARGEST, "--json", cwd=tmp_path)
        _clean(result)
        assert json.loads(result.stdout)["points"][-1]["lr"] == float(LARGEST)


@pytest.mark.parametrize("level", ["x-squared", "million-bowl", "child-and-dogs"])
def test_a_level_whose_rates_reach_the_largest_float_validates_and_charts(
    level, tmp_path, lrgame_cli
):
    from lrgame import levels as L

    text = L.shipped_path(level).read_text()
    import re

    text, n = re.subn(r"(?m)^(lr:\n(?:  .*\n)*?  max:) .*$", rf"\1 {LARGEST}", text)
    if n == 0:
        text, n = re.subn(r"(?m)^(lr: \{.*max:) [^}]+\}", rf"\1 {LARGEST}}}", text)
    assert n == 1
    (tmp_path / "big.yaml").write_text(text)
    for args in (("validate", "big.yaml", "--chart"), ("range-test", "big.yaml")):
        result = lrgame_cli(*args, cwd=tmp_path)
        assert "Traceback" not in result.output, result.output[-2000:]
        assert "Warning" not in result.stderr, result.stderr
        assert result.returncode == 0 or "unsolvable" in result.stderr, result.output[-2000:]
