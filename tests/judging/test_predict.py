"""The prediction's scoring is true: judged against the step the engine really takes,
and on a quadratic valley against the closed form of that step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrgame import levels as L
from lrgame.engine import Run
from lrgame.judging.predict import (
    Where,
    far_wall_of,
    floor_of,
    parse_answer,
    question,
    score,
    where,
)


def one_step(level: L.Level, x: float, lr: float):
    lv = type(level).model_validate({**level.model_dump(), "params": {"x": x}})
    run = Run(lv.landscape(), lv.engine_goal)
    run.step(lr)
    return lv.landscape(), run.current


@pytest.mark.parametrize("lid, floor", [("which-way", 3.0), ("the-leap", 0.0)])
def test_the_floor_and_far_wall_of_the_predict_levels(lid, floor):
    lv = L.find_level(lid)
    assert lv.predict is True
    land = lv.landscape()
    x0 = float(land.start[0])
    assert floor_of(land, x0) == pytest.approx(floor, abs=1e-9)
    assert far_wall_of(land, x0, floor) == pytest.approx(2 * floor - x0, abs=1e-9)


def closed_form(curvature: float, lr: float) -> Where:
    """Where a step lands on a valley of this curvature, from the factor 1 − lr·k it
    multiplies the distance to the floor by."""
    f = 1 - lr * curvature
    if f < -1:
        return Where.WALL
    if abs(f) <= 0.01:
        return Where.FLOOR
    return None  # a side: left or right, decided by where the start is and f's sign


@settings(max_examples=200, deadline=None)
@given(
    x=st.floats(-20, 20).filter(lambda v: abs(v - 3) > 1e-3),
    lr=st.floats(1e-4, 2.0),
)
def test_where_agrees_with_the_closed_form_of_the_real_step(x, lr):
    lv = L.find_level("which-way")  # 2(x - 3)²: curvature 4, floor 3
    land, landed = one_step(lv, x, lr)
    q = question(land, x, lr)
    assert landed.params[0] == pytest.approx(3 + (1 - 4 * lr) * (x - 3))  # the real step
    got = where(q, float(landed.params[0]), float(landed.loss))
    expected = closed_form(4, lr)
    if expected is None:
        side = 3 + (1 - 4 * lr) * (x - 3)
        expected = Where.LEFT if side < 3 else Where.RIGHT
    if abs(abs(1 - 4 * lr) - 1) < 1e-9 or abs(abs(1 - 4 * lr) - 0.01) < 1e-9:
        return  # exactly on a boundary: either word is fair
    assert got is expected, (x, lr, float(landed.params[0]))


def test_each_answer_scores_against_where_the_step_landed():
    land = L.find_level("which-way").landscape()  # from x = 0: floor 3, far wall 6
    cases = [(0.1, Where.LEFT, 1.2), (0.25, Where.FLOOR, 3.0), (0.4, Where.RIGHT, 4.8)]
    cases.append((0.6, Where.WALL, 7.2))
    for lr, truth, at in cases:
        q = question(land, 0.0, lr)
        _, landed = one_step(L.find_level("which-way"), 0.0, lr)
        assert float(landed.params[0]) == pytest.approx(at)
        for answer in Where:
            v = score(q, answer, float(landed.params[0]), float(landed.loss))
            assert v.where is truth and v.right is (answer is truth)
            assert v.points == (1 if answer is truth else 0)
            assert truth.value in v.words
        near = score(q, at * 1.01 + 0.01, float(landed.params[0]), float(landed.loss))
        far = score(q, at + 0.5 * abs(at), float(landed.params[0]), float(landed.loss))
        assert near.right and near.points == 2
        assert not far.right and far.points == 0


def test_a_step_that_blows_up_is_past_the_far_wall():
    land = L.find_level("the-leap").landscape()
    q = question(land, 1.0, 3.0)
    assert where(q, float("inf"), float("inf")) is Where.WALL
    assert where(q, -29.0, 5 * 29.0**2) is Where.WALL  # 1 − 3·10 = −29


@pytest.mark.parametrize(
    "typed, answer",
    [("l", Where.LEFT), (" F ", Where.FLOOR), ("r", Where.RIGHT), ("w", Where.WALL)]
    + [("1.5", 1.5), ("−4", -4.0), ("abc", None), ("nan", None), ("inf", None), ("", None)],
)
def test_answers_as_typed(typed, answer):
    assert parse_answer(typed) == answer


def test_predict_needs_one_parameter(tmp_path):
    text = L.shipped_path("round-bowl").read_text(encoding="utf-8") + "predict: true\n"
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(L.LevelError) as err:
        L.load_level(path)
    assert str(err.value).startswith(f"{path}:")
    assert "predict: true needs a level with exactly one parameter" in str(err.value)


def test_only_chosen_levels_ask():
    asking = [lid for _, lid in L.campaign_ids() if L.find_level(lid).predict]
    assert asking == ["which-way", "the-leap"]
    assert np.isfinite(L.find_level("the-leap").landscape().start).all()
