"""The pure engine: landscapes, descent, schedules, sweeps and scoring.

It imports numpy (and sympy, lazily, for expression landscapes) and never Textual.
"""

from .descent import Batch, Goal, Outcome, Run, RunOver, Step, play_schedule, run_schedule, simulate
from .landscape import ExpressionLandscape, Landscape, QuadraticBowl
from .schedules import CONSTANT, ManualSchedule, Schedule, ScheduleError, parse_schedule
from .scoring import score, stars
from .sweep import Par, find_par, log_rates, sweep

__all__ = [
    "Batch",
    "CONSTANT",
    "ExpressionLandscape",
    "Goal",
    "Landscape",
    "ManualSchedule",
    "Outcome",
    "Par",
    "QuadraticBowl",
    "Run",
    "RunOver",
    "Schedule",
    "ScheduleError",
    "Step",
    "find_par",
    "log_rates",
    "parse_schedule",
    "play_schedule",
    "run_schedule",
    "score",
    "simulate",
    "stars",
    "sweep",
]
