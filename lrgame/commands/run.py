"""`lrgame run LEVEL --lr LR`: one run, step by step, as a table or JSON. Never imports Textual."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

from .. import levels as L
from ..engine import Outcome, RateRule, Run, parse_schedule
from ..engine.schedules import CONSTANT, ScheduleError
from ..errors import UsageError
from ..judging.diagnose import play_diagnosed
from ..judging.verdict import verdict
from ..text import OUTCOME_WORDS, finite_or_none, goal_text, num, percent, stars_text
from .common import goal_json, load_level_arg, optimizer_arg, positive, print_json, within_run_cost

#: Above this many parameters, runs report norms instead of every parameter.
FULL_PARAMS_LIMIT = 100


# -- run --------------------------------------------------------------------------------


def _run_level(
    level: L.Level, lr: float, schedule, budget: int | None, optimizer=None, every: bool = True
):
    """(run, the diagnosis after each of its steps; with ``every`` False, after its last
    only: each diagnosis forecasts the rest of the run for many rates)."""
    goal = level.engine_goal
    if budget is not None:
        goal = dataclasses.replace(goal, max_iterations=budget)
    return play_diagnosed(level, goal, RateRule(lr, schedule), optimizer, every)


def run_report(
    level: L.Level, run: Run, lr: float, schedule=CONSTANT, diagnoses=None
) -> dict[str, Any]:  # the optimiser is the run's own
    """The JSON contract of one run (see README: lrgame run --json). ``diagnoses``: the
    diagnosis after each step (``diagnose.diagnoses_along``), for entries k >= 1."""
    par = level.compute_par().par
    names = level.landscape().names
    full = level.n_params <= FULL_PARAMS_LIMIT
    stochastic = level.stochastic
    trajectory = []
    for s in run.steps:
        entry: dict[str, Any] = {"iteration": s.iteration}
        if full:
            entry["params"] = {n: finite_or_none(v) for n, v in zip(names, s.params)}
            entry["gradient"] = {n: finite_or_none(v) for n, v in zip(names, s.gradient)}
        else:
            entry["param_norm"] = finite_or_none(s.param_norm)
            entry["gradient_norm"] = finite_or_none(s.gradient_norm)
        entry["loss"] = finite_or_none(s.loss)
        if stochastic:  # loss is the step's mini-batch; the outcome is judged on all the data
            entry["full_loss"] = finite_or_none(s.full_loss)
        entry["lr"] = finite_or_none(s.lr)
        if s.accuracy is not None:  # under an accuracy goal: what the outcome is judged on
            entry["accuracy"] = s.accuracy
        if diagnoses and s.iteration >= 1:
            entry["diagnosis"] = diagnoses[s.iteration - 1].as_json()
        trajectory.append(entry)
    outcome = run.outcome or Outcome.OUT_OF_BUDGET
    report = {
        "level": level.id,
        "lr": lr,
        "schedule": schedule.spec(),
        "optimizer": run.optimizer.spec(),
        "outcome": outcome.value,
        "iterations": run.iteration,
        "final_loss": finite_or_none(run.current.full_loss),
        "goal": goal_json(run.goal),
        "par": par,
        "stars": 0,
        "score": 0,
        "trajectory": trajectory,
    }
    judged = verdict(level, run)  # the kind's own scoring where it has one
    report.update(stars=judged.stars, score=judged.score, **judged.extra)
    return report


def cmd_run(args) -> int:
    if getattr(args, "challenge", None):  # LEVEL is one of the challenge's levels
        from .challenge import challenge_level

        level = challenge_level(args)
    else:
        level = load_level_arg(args.level)
    lr = positive(args.lr, "--lr")
    try:
        schedule = parse_schedule(args.schedule) if args.schedule else CONSTANT
    except ScheduleError as exc:
        raise UsageError(f"--schedule: {exc}") from None
    budget = None
    if args.max_iterations is not None:
        if not 1 <= args.max_iterations <= L.MAX_ITERATIONS_CAP:
            raise UsageError(f"--max-iterations must be from 1 to {L.MAX_ITERATIONS_CAP}")
        within_run_cost(level, args.max_iterations, "--max-iterations")
        budget = args.max_iterations
    optimizer = optimizer_arg(args, level, schedule)
    # the JSON gives the diagnosis after every step; the text, after the last one
    run, diagnoses = _run_level(level, lr, schedule, budget, optimizer, every=args.json)
    report = run_report(level, run, lr, schedule, diagnoses if args.json else None)
    if getattr(args, "replay", None):
        from .challenge import save_run_replay

        save_run_replay(args, level, run, schedule)
    if args.json:
        print_json(report)
        return 0
    text = level.describe_run(run, report)
    if text is not None:
        print(text)
    else:
        print_run(level, run, report)
    if diagnoses:  # the text ends with what the board says after the last step
        print()
        print(textwrap.fill(diagnoses[-1].text, 88))
    return 0


def print_run(level: L.Level, run: Run, report: dict[str, Any]) -> None:
    names = level.landscape().names
    stochastic = level.stochastic
    full = level.n_params <= 4
    formulas = (level.landscape().slope_formulas() or {}) if level.show_loss else {}
    shown = level.landscape().loss_formula() or level.kind if level.show_loss else "?"
    print(f"{level.title}  —  loss = {shown}")
    if stochastic:
        size, goal = level.landscape().batch_size, level.engine_goal
        target = (
            f"the loss over all of them stays within {num(goal.loss_below)} of its lowest"
            if goal.accuracy_at_least is None
            else f"the network labels at least {num(goal.accuracy_at_least * 100)}% of all of them right"
        )
        print(
            f"  each step sees a mini-batch of {size} points; cleared once {target}"
            f" for {goal.hold} steps"
        )
    elif level.engine_goal.accuracy_at_least is not None:
        print(f"  goal: {goal_text(level.engine_goal, 0.0)}")
    for n, f in formulas.items():
        print(f"  slope along {n}: d loss / d {n} = {f}")
    print(f"  learning rate {num(report['lr'])}, schedule {report['schedule']}", end="")
    print("" if report["optimizer"] == "sgd" else f", optimizer {report['optimizer']}")
    print()
    if full:
        head = [
            "iter",
            *names,
            *[f"slope {n}" for n in names],
            *[f"lr×slope {n}" for n in names],
            "loss",
        ]
    else:
        head = ["iter", "|params|", "|gradient|", "lr×|gradient|", "loss"]
    stochastic = level.stochastic
    if stochastic:
        head[-1] = "batch loss"
        head.append("all-data loss")
    judges_accuracy = run.goal.accuracy_at_least is not None
    if judges_accuracy:
        head.append("accuracy")
    plain = report["optimizer"] == "sgd"
    if not plain:  # the move is the optimiser's, not lr × slope
        head = [h.replace("lr×slope", "step").replace("lr×|gradient|", "|step|") for h in head]
    rows = []
    for k, s in enumerate(run.steps):
        nxt = run.steps[k + 1].lr if k + 1 < len(run.steps) else None
        if full and not plain:
            after = run.steps[k + 1].params if nxt is not None else None
            step = (
                [num(b - a) if after is not None else "" for a, b in zip(s.params, after)]
                if after is not None
                else [""] * len(s.params)
            )
            rows.append(
                [str(s.iteration), *map(num, s.params), *map(num, s.gradient), *step, num(s.loss)]
            )
        elif full:
            step = [num(nxt * g) if nxt is not None else "" for g in s.gradient]
            rows.append(
                [str(s.iteration), *map(num, s.params), *map(num, s.gradient), *step, num(s.loss)]
            )
        else:
            moved = run.steps[k + 1].move_norm if nxt is not None else None
            step = num(nxt * s.gradient_norm) if nxt is not None and plain else ""
            step = num(moved) if moved is not None else step
            rows.append(
                [str(s.iteration), num(s.param_norm), num(s.gradient_norm), step, num(s.loss)]
            )
        if stochastic:
            rows[-1].append(num(s.full_loss))
        if judges_accuracy:
            rows[-1].append(percent(s.accuracy))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    for r in rows:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths)))
    print()
    word = OUTCOME_WORDS[report["outcome"]]
    par = report["par"]
    par_text = "no constant rate clears it" if par is None else f"par {par}"
    print(
        f"{word} after {report['iterations']} iterations ({par_text}): "
        f"{stars_text(report['stars'])}  {report['score']} points"
    )
