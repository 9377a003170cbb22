"""The pure engine: landscapes, descent, schedules, sweeps and scoring.

It imports numpy (and sympy, lazily, for expression landscapes) and never Textual.
"""

from .descent import (
    Goal,
    Outcome,
    RateRuns,
    Run,
    RunOver,
    Step,
    play_schedule,
    run_schedule,
    simulate,
)
from .forecast import Forecast, RateRule, forecast, forecast_many, max_stable_lr, stable_below
from .landscape import ExpressionLandscape, Landscape, QuadraticBowl
from .schedules import CONSTANT, ManualSchedule, Schedule, ScheduleError, parse_schedule
from .scoring import score, stars
from .sweep import Par, find_par, log_rates, sweep

__all__ = [
    "RateRuns",
    "CONSTANT",
    "ExpressionLandscape",
    "Forecast",
    "Goal",
    "Landscape",
    "ManualSchedule",
    "Outcome",
    "Par",
    "QuadraticBowl",
    "RateRule",
    "Run",
    "RunOver",
    "Schedule",
    "ScheduleError",
    "Step",
    "find_par",
    "forecast",
    "forecast_many",
    "log_rates",
    "max_stable_lr",
    "parse_schedule",
    "play_schedule",
    "run_schedule",
    "score",
    "simulate",
    "stable_below",
    "stars",
    "sweep",
]
