"""Numbers and results as the player reads them (shared by the CLI and the game)."""

from __future__ import annotations

import math


def num(v: float | None, digits: int = 4) -> str:
    """A number to ``digits`` significant figures: 1.048576 -> '1.049'."""
    if v is None:
        return "-"
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}g}"


def percent(share: float | None) -> str:
    """A share (an accuracy) as a percentage rounded down to 0.1%, so it never reads as
    more than it is: 0.9466 -> '94.6%', 0.95 -> '95%' (an accuracy just short of a goal
    never shows as the goal)."""
    if share is None or not math.isfinite(share):
        return "-"
    tenths = math.floor(share * 1000 + 1e-9)  # shares are k / n, n <= 1,000: 1e-9 is exact
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths / 10:.1f}%"


def goal_text(goal, minimum: float) -> str:
    """What an engine Goal asks, in words: 'loss within 0.1 of 0', 'accuracy at least 95%'."""
    if goal.accuracy_at_least is not None:
        return f"accuracy at least {num(goal.accuracy_at_least * 100)}% (all the points)"
    return f"loss within {num(goal.loss_below)} of {num(minimum)}"


def stars_text(n: int) -> str:
    return "★" * n + "☆" * (3 - n)


def finite_or_none(v: float | None) -> float | None:
    """JSON has no inf or nan: a number that is not finite is written as null."""
    if v is None or not math.isfinite(v):
        return None
    return float(v)


OUTCOME_WORDS = {
    "cleared": "cleared",
    "diverged": "diverged",
    "out_of_budget": "out of budget",
}
