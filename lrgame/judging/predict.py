"""Predict, then step: before a step the player says where the parameter will land.

On a level with ``predict: true`` (one parameter) the game asks, before each single
step: left of the floor, on it, right of it, or past the far wall (higher up the other
side than where you stand)? Or a number. The step is then taken by the engine, and the
prediction is scored against where it really landed. No Textual here: the question's
screen is ``ui/screens/predict.py``.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from ..text import num

#: A typed number is right within this share of the step's length.
NUMBER_TOLERANCE = 0.1
#: "On the floor" is right within this share of the distance to the floor.
FLOOR_TOLERANCE = 0.01


class Where(str, enum.Enum):
    LEFT = "left of the floor"
    FLOOR = "on the floor"
    RIGHT = "right of the floor"
    WALL = "past the far wall"


#: The key that picks each answer in the question.
KEYS = {"l": Where.LEFT, "f": Where.FLOOR, "r": Where.RIGHT, "w": Where.WALL}


@dataclass(frozen=True)
class Question:
    """Where you stand before the step, and the marks the answers are judged against."""

    name: str
    x: float
    slope: float
    lr: float
    loss: float
    floor: float  # where the loss is lowest
    far_wall: float  # across the floor, where the loss is as high as here

    def text(self) -> str:
        return (
            f"You stand at {self.name} = {num(self.x)}, where the slope is {num(self.slope)}, "
            f"and the learning rate is {num(self.lr)}. The floor is at {self.name} = "
            f"{num(self.floor)}; across it, the loss is as high as here at {self.name} = "
            f"{num(self.far_wall)}. Where will this step land?"
        )


@dataclass(frozen=True)
class Verdict:
    right: bool
    points: int  # 1 for the right place, 2 for a number close enough, 0 if wrong
    landed: float
    where: Where
    words: str


def _loss1(land, x: float) -> float:
    with np.errstate(all="ignore"):
        return float(land.loss(np.array([[x]], dtype=float))[0])


def _grad1(land, x: float) -> float:
    with np.errstate(all="ignore"):
        return float(land.grad(np.array([[x]], dtype=float))[0][0])


def floor_of(land, x: float) -> float:
    """Where a one-parameter loss is lowest near ``x``: the lowest of a wide grid, then
    bisection on the slope's sign."""
    span = 4 * abs(x) + 10
    grid = np.linspace(x - span, x + span, 4001)
    with np.errstate(all="ignore"):
        losses = land.loss(grid[:, None])
    losses = np.where(np.isfinite(losses), losses, np.inf)
    i = int(np.argmin(losses))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    for _ in range(100):
        mid = (lo + hi) / 2
        if _grad1(land, mid) > 0:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def far_wall_of(land, x: float, floor: float) -> float:
    """Across the floor from ``x``, where the loss is as high as at ``x``."""
    here = _loss1(land, x)
    direction = 1.0 if x < floor else -1.0
    reach = max(abs(floor - x), 1e-12)
    far = floor + direction * reach
    for _ in range(200):  # out until the loss is at least as high as here
        if _loss1(land, far) >= here:
            break
        reach *= 2
        far = floor + direction * reach
    near = floor
    for _ in range(100):
        mid = (near + far) / 2
        if _loss1(land, mid) >= here:
            far = mid
        else:
            near = mid
    return (near + far) / 2


def question(land, x: float, lr: float) -> Question:
    floor = floor_of(land, x)
    return Question(
        name=land.names[0],
        x=x,
        slope=_grad1(land, x),
        lr=lr,
        loss=_loss1(land, x),
        floor=floor,
        far_wall=far_wall_of(land, x, floor),
    )


def where(q: Question, landed: float, landed_loss: float) -> Where:
    """Where a step from ``q`` landed. Past the far wall: across the floor and higher up
    than before; then on the floor; then the side."""
    crossed = (landed - q.floor) * (q.x - q.floor) < 0
    if crossed and landed_loss > q.loss or not math.isfinite(landed):
        return Where.WALL
    if abs(landed - q.floor) <= FLOOR_TOLERANCE * abs(q.x - q.floor):
        return Where.FLOOR
    return Where.LEFT if landed < q.floor else Where.RIGHT


def parse_answer(text: str) -> Where | float | None:
    """A typed answer: l, f, r or w, or a finite number; None if it is neither."""
    t = text.strip().lower().replace("−", "-")
    if t in KEYS:
        return KEYS[t]
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def score(q: Question, answer: Where | float, landed: float, landed_loss: float) -> Verdict:
    """The verdict on ``answer`` for a step from ``q`` that landed at ``landed``."""
    truth = where(q, landed, landed_loss)
    at = f"It landed at {q.name} = {num(landed)}, {truth.value}."
    if isinstance(answer, Where):
        right = answer is truth
        words = f"You said {answer.value}. {at} " + ("Right: +1." if right else "Not this time.")
        return Verdict(right, int(right), landed, truth, words)
    step = abs(landed - q.x)
    off = abs(answer - landed)
    right = math.isfinite(landed) and off <= NUMBER_TOLERANCE * step + 1e-12
    words = f"You said {q.name} = {num(answer)}. {at} " + (
        "Right to within a tenth of the step: +2." if right else f"Off by {num(off)}."
    )
    return Verdict(right, 2 if right else 0, landed, truth, words)


@dataclass
class Tally:
    """The predictions of a play screen so far."""

    asked: int = 0
    right: int = 0
    points: int = 0

    def add(self, v: Verdict) -> None:
        self.asked += 1
        self.right += int(v.right)
        self.points += v.points

    def text(self) -> str:
        return f"predictions: {self.right} of {self.asked} right, {self.points} points"
