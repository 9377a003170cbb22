"""What the headless commands share: printing JSON, a level named on the command line,
and the checks of numbers given as flags."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from .. import levels as L
from ..errors import UsageError


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


def goal_json(goal) -> dict[str, Any]:
    """An engine Goal in the JSON contracts: ``loss_below`` (null under an accuracy goal),
    ``accuracy_at_least`` (null under a loss goal), ``max_iterations`` and ``hold``."""
    accuracy = goal.accuracy_at_least
    return {
        "loss_below": goal.loss_below if accuracy is None else None,
        "accuracy_at_least": accuracy,
        "max_iterations": goal.max_iterations,
        "hold": goal.hold,
    }


def load_level_arg(ref: str) -> L.Level:
    try:
        return L.find_level(ref)
    except L.LevelNotFound as exc:
        raise UsageError(str(exc)) from None


def positive(text: str, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise UsageError(f"{what} must be a number, got {text!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise UsageError(f"{what} must be a positive finite number, got {text!r}")
    return v


def optimizer_arg(args, level: L.Level, schedule=None):
    """The optimiser of ``--optimizer`` (sgd without it); UsageError for a bad spec, or
    one this level or schedule cannot take."""
    from ..engine.optimizers import SGD, OptimizerError, parse_optimizer

    spec = getattr(args, "optimizer", None)
    if not spec:  # a challenge's level played with the optimiser it sets (classroom.pinned)
        return getattr(level, "pinned_optimizer", None) or SGD
    try:
        optimizer = parse_optimizer(spec)
    except OptimizerError as exc:
        raise UsageError(f"--optimizer: {exc}") from None
    if not optimizer.plain and not level.takes_optimizers:
        raise UsageError(f"--optimizer: a {level.kind} level takes no optimizers")
    if not optimizer.takes_schedule and schedule is not None and schedule.name != "constant":
        raise UsageError(f"--optimizer: {optimizer.name} sets its own rate: drop --schedule")
    from ..levels.played import optimizer_size_problem

    problem = optimizer_size_problem(level, optimizer)
    if problem:
        raise UsageError(f"--optimizer: {problem}")
    return optimizer


def within_run_cost(level: L.Level, steps: int, flag: str) -> None:
    most = L.most_run_steps(level)
    if steps > most:
        raise UsageError(
            f"{flag} {steps} is too costly on this level ({level.n_params:,} parameters): "
            f"at most {most:,} steps here"
        )
