"""Schedules against PyTorch's formulas (torch.optim.lr_scheduler, stepped after each step)."""

import math

import numpy as np
import pytest

from lrgame.engine import ScheduleError, parse_schedule


def rates(spec, base, n):
    s = parse_schedule(spec)
    return [float(s.rates(np.array([base]), t)[0]) for t in range(n)]


def test_constant():
    assert rates("constant", 0.3, 5) == [0.3] * 5


def test_step_lr():
    # StepLR: base * gamma ** (t // step_size)
    got = rates("step:step_size=5,gamma=0.5", 0.4, 12)
    assert got == pytest.approx([0.4] * 5 + [0.2] * 5 + [0.1] * 2)


def test_exponential_lr():
    got = rates("exponential:gamma=0.9", 1.0, 6)
    assert got == pytest.approx([0.9**t for t in range(6)])


def test_cosine_annealing_matches_pytorchs_recursive_form():
    base, eta_min, t_max = 0.5, 0.001, 10
    got = rates(f"cosine:t_max={t_max},eta_min={eta_min}", base, 25)
    # PyTorch's CosineAnnealingLR.get_lr recursion
    want = [base]
    for t in range(1, 25):
        prev = want[-1]
        if t == 0:
            lr = base
        elif (t - 1 - t_max) % (2 * t_max) == 0:
            lr = prev + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        else:
            lr = (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max)) * (
                prev - eta_min
            ) + eta_min
        want.append(lr)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert got[t_max] == pytest.approx(eta_min)


def test_cyclic_triangular():
    got = rates("cyclic:base_lr=0.01,max_lr=0.4,step_size_up=4", 123.0, 13)
    up = [0.01 + (0.4 - 0.01) * k / 4 for k in range(5)]
    want = up + up[-2::-1] + up[1:5]
    assert got == pytest.approx(want[:13])
    assert got[0] == 0.01 and got[4] == pytest.approx(0.4) and got[8] == pytest.approx(0.01)


def test_schedules_vectorise_over_base_rates():
    s = parse_schedule("step:step_size=2,gamma=0.1")
    assert s.rates(np.array([1.0, 2.0]), 3) == pytest.approx([0.1, 0.2])


def test_spec_round_trips():
    for spec in [
        "constant",
        "step:step_size=5,gamma=0.5",
        "exponential:gamma=0.9",
        "cosine:t_max=50,eta_min=0.001",
        "cyclic:base_lr=0.01,max_lr=0.4,step_size_up=4",
    ]:
        assert parse_schedule(parse_schedule(spec).spec()) == parse_schedule(spec)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("warp", "unknown schedule 'warp'"),
        ("step", "step schedule needs step_size"),
        ("step:step_size=0", "whole number"),
        ("step:step_size=2.5", "whole number"),
        ("exponential:gamma=abc", "is not a number"),
        ("exponential:gamma=nan", "finite"),
        ("exponential:gamma=-1", "gamma must be above 0"),
        ("exponential:gama=0.9", "has no option 'gama'"),
        ("cosine:t_max", "KEY=VALUE"),
        ("cyclic:base_lr=0.5,max_lr=0.1,step_size_up=2", "max_lr >= base_lr"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(spec)
