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
