"""Grids of learning rates."""

from __future__ import annotations

import numpy as np

SWEEP_POINTS = 200


def log_rates(lr_min: float, lr_max: float, points: int = SWEEP_POINTS) -> np.ndarray:
    """``points`` learning rates spaced evenly on a log scale, both ends included.

    Any two finite positive ends work, up to the largest float (numpy's geomspace
    overflows on its way there: its warning is silenced and its result held in range).
    """
    with np.errstate(all="ignore"):
        rates = np.geomspace(lr_min, lr_max, max(int(points), 1))
    return np.clip(np.nan_to_num(rates, posinf=lr_max), lr_min, lr_max)
