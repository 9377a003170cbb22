"""The learning-rate range test: one run whose rate rises exponentially at every step.

Modelled on fastai's ``lr_find`` (after Leslie Smith's range test): step ``i`` of
``steps`` uses the rate ``lr_min * (lr_max / lr_min) ** (i / (steps - 1))``, and
the point recorded for it is that rate and the loss just after the step. The loss
is smoothed by an exponential moving average with bias correction (beta 0.98, as
fastai). The test stops early once the smoothed loss is more than ``stop_factor``
(4) times its best so far, or the loss stops being a finite number (that point is
left out). Because a landscape's lowest loss need not be zero, "times its best" is
measured on the gap above the landscape's minimum.

The suggested rate is the one where the smoothed loss falls fastest against
log(lr): the most negative slope of the smoothed curve, leaving out the first and
last few points, where the average is still warming up or already exploding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .landscape import Landscape
from .optimizers import SGD, Optimizer
from .sweep import log_rates

BETA = 0.98
STOP_FACTOR = 4.0

RULE = (
    "the rate where the smoothed loss (an exponential moving average, beta 0.98) "
    "falls fastest against log(lr)"
)


@dataclass(frozen=True)
class RangeTest:
    """The points of one range test and the rate it suggests."""

    lrs: np.ndarray  # rate of each step taken, increasing
    losses: np.ndarray  # loss just after that step
    smoothed: np.ndarray  # the moving average of ``losses`` (bias-corrected)
    suggested_lr: float | None  # None when the loss never falls
    stopped_early: bool  # the loss blew up before the last rate
    rule: str = RULE


def range_rates(lr_min: float, lr_max: float, steps: int) -> np.ndarray:
    """The rate of every step: exponential from ``lr_min`` to ``lr_max``."""
    return log_rates(lr_min, lr_max, max(int(steps), 2))


def range_test(
    landscape: Landscape,
    lr_min: float,
    lr_max: float,
    steps: int = 100,
    stop_factor: float = STOP_FACTOR,
    beta: float = BETA,
    optimizer: Optimizer = SGD,
) -> RangeTest:
    """Run the range test on ``landscape`` from its start (under ``optimizer``, whose
    state carries from step to step while the rate rises; not one that sets its own rate)."""
    if optimizer.sets_own_rate:
        raise ValueError(f"{optimizer.name} sets its own rate: a range test cannot raise it")
    rates = range_rates(lr_min, lr_max, steps)
    params = landscape.start.astype(float)[None, :].copy()
    state = optimizer.init(rates[:1], landscape.n_params)
    minimum = landscape.minimum
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    avg, best = 0.0, np.inf
    stopped = False
    with np.errstate(all="ignore"):
        start_gap = abs(float(landscape.full_loss(params, 0)[0]) - minimum)
        # a mini-batch's loss can dip below the landscape's minimum: never compare
        # against a best gap smaller than this
        floor = 1e-9 * max(start_gap, 1.0)
        for i, lr in enumerate(rates):
            if optimizer.plain:
                params = params - lr * landscape.grad(params, i)
            else:
                optimizer.step(state, params, landscape.grad(params, i), np.array([lr]), i)
            loss = float(landscape.loss(params, i + 1)[0])
            if not np.isfinite(loss):
                stopped = True
                break
            avg = beta * avg + (1 - beta) * loss
            smooth = avg / (1 - beta ** (i + 1))
            lrs.append(float(lr))
            losses.append(loss)
            smoothed.append(smooth)
            gap = smooth - minimum
            best = min(best, gap)
            if gap > stop_factor * max(best, floor):
                stopped = i + 1 < rates.size
                break
    lr_arr, s_arr = np.array(lrs), np.array(smoothed)
    return RangeTest(lr_arr, np.array(losses), s_arr, suggest(lr_arr, s_arr), stopped)


def suggest(lrs: np.ndarray, smoothed: np.ndarray) -> float | None:
    """The rate at the steepest fall of the smoothed loss against log(lr)."""
    if lrs.size < 3:
        return None
    # like fastai: leave out the first 10 points (the average is still warming up) and
    # the last 5 (the loss is already blowing up)
    skip_start = min(10, lrs.size // 4)
    skip_end = min(5, lrs.size // 10)
    lo, hi = skip_start, lrs.size - skip_end
    if hi - lo < 3:
        lo, hi = 0, lrs.size
    slope = np.gradient(smoothed[lo:hi], np.log(lrs[lo:hi]))
    i = int(np.argmin(slope))
    if not slope[i] < 0:
        return None
    return float(lrs[lo + i])
