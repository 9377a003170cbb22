"""What a run of the game can be: one definition for the game that records and the grader.

A run is *legal* on a level, under a challenge's rules, when the player could have
played it in the game:

- the base rate is one the rate field allows: from ``lr.min`` to ``lr.max``;
- a schedule is ``constant``, or one of the names the level offers (its settings may be
  edited); a cyclic schedule's ``base_lr`` and ``max_lr`` lie in the level's range,
  unless the level offers that very schedule;
- no step's rate is above ``lr.max``: a schedule that would go higher is held at it
  (``scheduled_rate``); a decay may take the rate below ``lr.min``, down to 0;
- under ``lr_changes: false`` a run is one rate from start to end, with no schedule.
- the optimiser is ``sgd`` or exactly one the level offers (``optimizers:``), with the
  settings the level gives it: a result that edits one (``momentum:beta=0.99`` where the
  level offers ``momentum:beta=0.9``) is refused. The hypergradient sets its own rate:
  it takes no schedule, the rate set is where it starts (one rate for the whole run), and
  under ``lr_changes: false`` it is refused, since its rate changes every step.
- the label and the optimiser are written as the game writes them (their specs): the
  parsers forgive spaces, line breaks and capitals that only an edited file holds.

A result records each attempt's rates and a label: ``constant``, the spec of the one
schedule the whole run used from one base rate, or ``manual`` when the player changed
the rate or the schedule during the run. ``run_problem`` checks the rates against the
label. The game labels runs with ``label_of`` and refuses a schedule with
``schedule_problem`` before it is used, so that everything it records is legal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from .engine import ScheduleError, parse_schedule
from .engine.optimizers import OptimizerError, parse_optimizer
from .engine.schedules import Schedule
from .text import num

#: Schedules that bring the rate down from the base rate: with one of them on offer, and
#: its settings editable, the player can reach any rate from 0 to the base after step 1.
DECAYS = frozenset({"step", "exponential", "cosine"})
#: How closely recorded rates must follow the schedule they are labelled with (a replay
#: re-runs the recorded rates themselves; this checks that the label explains them).
SCHEDULE_RTOL = 1e-9


def lr_range(level) -> str:
    return f"{num(level.lr.min)} to {num(level.lr.max)}"


def offered_names(level) -> list[str]:
    """The names of the schedules the player may pick on this level (constant first)."""
    names: list[str] = []
    for schedule in level.schedule_tools():
        if schedule.name not in names:
            names.append(schedule.name)
    return names


def schedule_problem(level, schedule: Schedule, lr_changes: bool = True) -> str | None:
    """Why the game does not let the player use ``schedule`` on ``level``, or None."""
    if schedule.name == "constant":
        return None
    if not lr_changes:
        return "the challenge's rules keep one rate for a whole run: no schedules"
    names = offered_names(level)
    if schedule.name not in names:
        offered = ", ".join(names[1:]) or "none"
        return f"the level does not offer the {schedule.name} schedule (it offers: {offered})"
    if schedule.name == "cyclic" and schedule not in level.schedule_tools():
        lo, hi = level.lr.min, level.lr.max
        for key in ("base_lr", "max_lr"):
            value = schedule.options[key]
            if not lo <= value <= hi:
                return f"cyclic's {key} {num(value)} is outside the level's range {lr_range(level)}"
    return None


def field_rate(level, lr: float) -> float:
    """The base rate the game's rate field takes when given ``lr``: held in the level's range."""
    return min(max(float(lr), level.lr.min), level.lr.max)


def scheduled_rate(level, schedule: Schedule, base: float, t: int) -> float:
    """The rate of step ``t`` (0-based) from base rate ``base``: the schedule's, held
    at ``lr.max`` if it would go above."""
    rate = float(schedule.rates(np.array([base], dtype=float), t)[0])
    return min(rate, float(level.lr.max))


def label_of(used: Iterable[tuple[Schedule, float]]) -> str:
    """The label of a run from the (schedule, base rate) of each of its steps."""
    pairs = {(s.spec(), base) for s, base in used}
    if len(pairs) != 1:
        return "constant" if not pairs else "manual"
    ((spec, _),) = pairs
    return spec


def optimizer_problem(level, spec: str, lr_changes: bool = True) -> str | None:
    """Why the game does not let the player use optimiser ``spec`` on ``level``, or None."""
    try:
        optimizer = parse_optimizer(spec)
    except OptimizerError:
        return f"optimizer {spec[:60]!r} is not one the game has"
    if optimizer.plain:
        return None
    tools = level.optimizer_tools()
    if optimizer not in tools:
        same = [t.spec() for t in tools if t.name == optimizer.name]
        if same:
            return f"the level offers {optimizer.name} only as {' or '.join(same)}"
        offered = ", ".join(t.spec() for t in tools[1:]) or "none"
        return f"the level does not offer the {optimizer.name} optimizer (it offers: {offered})"
    if optimizer.sets_own_rate and not lr_changes:
        return "the challenge's rules keep one rate for a whole run: the hypergradient changes it"
    return None


def _unwritten(what: str, text: str, spec: str) -> str | None:
    """Why a recorded optimiser or schedule is not the text the game writes (its spec),
    or None. The parsers forgive spaces, line breaks, capitals and other digits, which
    the grader and the class board would otherwise show as the file wrote them."""
    if text == spec:
        return None
    return f"{what} {text[:60]!r} is not written as the game writes it ({spec})"


def run_problem(
    level, lrs: Sequence[float], label: str, *, lr_changes: bool = True, optimizer: str = "sgd"
) -> str | None:
    """Why these rates could not come from the game on this level under these rules, or None."""
    lo, hi = level.lr.min, level.lr.max
    problem = optimizer_problem(level, optimizer, lr_changes) or _unwritten(
        "optimizer", optimizer, parse_optimizer(optimizer).spec()
    )
    if problem:
        return problem
    if not lrs:
        return None
    if parse_optimizer(optimizer).sets_own_rate and label != "constant":
        return "the hypergradient sets its own rate: it takes no schedule and no change of rate"
    schedule = None  # manual: rates changed by hand, or schedules changed mid-run
    if label != "manual":
        try:
            schedule = parse_schedule(label)
        except ScheduleError:
            return f"schedule {label[:60]!r} is not one the game has"
        problem = schedule_problem(level, schedule, lr_changes) or _unwritten(
            "schedule", label, schedule.spec()
        )
        if problem:
            return problem
    changed = next((k for k, lr in enumerate(lrs) if lr != lrs[0]), None)
    if changed is not None and (label == "constant" or not lr_changes):
        rules = ", and the challenge's rules keep the learning rate fixed" if not lr_changes else ""
        return (
            f"lr changed mid-run (step {changed + 1}'s rate {num(lrs[changed])}, "
            f"step 1's {num(lrs[0])}){rules}"
        )
    if schedule is None:
        decays = lr_changes and bool(DECAYS & set(offered_names(level)))
        # a cyclic schedule the level offers may sit below lr.min (lr.default / 10)
        cycles = [s for s in level.schedule_tools() if s.name == "cyclic"] if lr_changes else []
        for k, lr in enumerate(lrs):
            if lo <= lr <= hi or (decays and k > 0 and 0 <= lr < lo):
                continue
            if any(lr == scheduled_rate(level, c, lo, k) for c in cycles):
                continue
            return f"step {k + 1}'s learning rate {num(lr)} is outside the level's range {lr_range(level)}"
        return None
    base = lrs[0]
    if schedule.uses_base_lr and not lo <= base <= hi:
        which = "learning rate" if schedule.name == "constant" else "base learning rate"
        return f"the {which} {num(base)} is outside the level's range {lr_range(level)}"
    for t, lr in enumerate(lrs):
        expected = scheduled_rate(level, schedule, base, t)
        if not math.isclose(lr, expected, rel_tol=SCHEDULE_RTOL, abs_tol=0):
            what = "one rate for the whole run" if schedule.name == "constant" else label
            return (
                f"step {t + 1}'s learning rate {num(lr)} is not what {what} gives ({num(expected)})"
            )
    return None
