"""The headless commands: levels, run, sweep, validate. Never imports Textual."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np

from . import levels as L
from .engine import Outcome, Run, parse_schedule, score, stars
from .engine.schedules import CONSTANT, ScheduleError
from .engine.sweep import log_rates, sweep
from .text import OUTCOME_WORDS, finite_or_none, num, stars_text

#: Above this many parameters, runs report norms instead of every parameter.
FULL_PARAMS_LIMIT = 100


class UsageError(Exception):
    """Bad command-line usage: exit 2."""


def _out(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


def _load(ref: str) -> L.Level:
    try:
        return L.find_level(ref)
    except L.LevelNotFound as exc:
        raise UsageError(str(exc)) from None


# -- levels -----------------------------------------------------------------------------


def level_summary(level: L.Level, chapter: str | None = None) -> dict[str, Any]:
    par = level.compute_par()
    goal = level.engine_goal
    return {
        "id": level.id,
        "title": level.title,
        "kind": getattr(level, "kind", "landscape"),
        "chapter": chapter,
        "story": level.story,
        "n_params": level.n_params,
        "stochastic": bool(level.landscape().stochastic),
        "par": par.par,
        "best_lr": finite_or_none(par.best_lr),
        "max_stable_lr": finite_or_none(par.max_stable_lr),
        "goal": {"loss_below": goal.loss_below, "max_iterations": goal.max_iterations},
        "lr": {"default": level.lr.default, "min": level.lr.min, "max": level.lr.max},
    }


def cmd_levels(args) -> int:
    rows = []
    for chapter, lid in L.campaign_ids():
        rows.append(level_summary(L.load_level(L.shipped_path(lid)), chapter))
    if args.json:
        _out(rows)
        return 0
    chapter = None
    for r in rows:
        if r["chapter"] != chapter:
            chapter = r["chapter"]
            print(f"\n{chapter}")
        par = "unsolvable" if r["par"] is None else f"par {r['par']}"
        print(
            f"  {r['id']:<22} {r['title']:<32} {r['n_params']:>8} params  {par}, "
            f"best lr {num(r['best_lr'])}"
        )
    return 0


# -- run --------------------------------------------------------------------------------


def _positive(text: str, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise UsageError(f"{what} must be a number, got {text!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise UsageError(f"{what} must be a positive finite number, got {text!r}")
    return v


def _run_level(level: L.Level, lr: float, schedule, budget: int | None) -> Run:
    goal = level.engine_goal
    if budget is not None:
        from .engine import Goal

        goal = Goal(goal.loss_below, budget)
    # a kind with a learner of its own (child-and-dogs) makes its own Run-like object
    new_run = getattr(level, "new_run", None)
    run = new_run(goal) if new_run else Run(level.landscape(), goal)
    base = np.array([lr])
    t = 0
    while not run.over:
        run.step(float(schedule.rates(base, t)[0]))
        t += 1
    return run


def run_report(level: L.Level, run: Run, lr: float, schedule=CONSTANT) -> dict[str, Any]:
    """The JSON contract of one run (see README: lrgame run --json)."""
    par = level.compute_par().par
    names = level.landscape().names
    full = level.n_params <= FULL_PARAMS_LIMIT
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
        entry["lr"] = s.lr
        trajectory.append(entry)
    outcome = run.outcome or Outcome.OUT_OF_BUDGET
    report = {
        "level": level.id,
        "lr": lr,
        "schedule": schedule.spec(),
        "outcome": outcome.value,
        "iterations": run.iteration,
        "final_loss": finite_or_none(run.loss),
        "par": par,
        "stars": stars(outcome, run.iteration, par),
        "score": score(outcome, run.iteration, par),
        "trajectory": trajectory,
    }
    grade_run = getattr(level, "grade_run", None)  # a kind that scores runs its own way
    if grade_run:
        report.update(grade_run(run))
    return report


def cmd_run(args) -> int:
    level = _load(args.level)
    lr = _positive(args.lr, "--lr")
    try:
        schedule = parse_schedule(args.schedule) if args.schedule else CONSTANT
    except ScheduleError as exc:
        raise UsageError(f"--schedule: {exc}") from None
    budget = None
    if args.max_iterations is not None:
        if not 1 <= args.max_iterations <= L.MAX_ITERATIONS_CAP:
            raise UsageError(f"--max-iterations must be from 1 to {L.MAX_ITERATIONS_CAP}")
        budget = args.max_iterations
    run = _run_level(level, lr, schedule, budget)
    report = run_report(level, run, lr, schedule)
    if args.json:
        _out(report)
        return 0
    describe = getattr(level, "describe_run", None)
    if describe:
        print(describe(run, report))
    else:
        print_run(level, run, report)
    return 0


def print_run(level: L.Level, run: Run, report: dict[str, Any]) -> None:
    names = level.landscape().names
    full = level.n_params <= 4
    formulas = level.landscape().slope_formulas() or {}
    print(f"{level.title}  —  loss = {level.landscape().loss_formula() or level.kind}")
    for n, f in formulas.items():
        print(f"  slope along {n}: d loss / d {n} = {f}")
    print(f"  learning rate {num(report['lr'])}, schedule {report['schedule']}")
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
    rows = []
    for k, s in enumerate(run.steps):
        nxt = run.steps[k + 1].lr if k + 1 < len(run.steps) else None
        if full:
            step = [num(nxt * g) if nxt is not None else "" for g in s.gradient]
            rows.append(
                [str(s.iteration), *map(num, s.params), *map(num, s.gradient), *step, num(s.loss)]
            )
        else:
            step = num(nxt * s.gradient_norm) if nxt is not None else ""
            rows.append(
                [str(s.iteration), num(s.param_norm), num(s.gradient_norm), step, num(s.loss)]
            )
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


# -- sweep ------------------------------------------------------------------------------


def cmd_sweep(args) -> int:
    level = _load(args.level)
    lo = _positive(args.min, "--min") if args.min is not None else level.lr.min
    hi = _positive(args.max, "--max") if args.max is not None else level.lr.max
    if lo >= hi:
        raise UsageError("--min must be below --max")
    if not 2 <= args.points <= 100_000:
        raise UsageError("--points must be from 2 to 100000")
    rates = log_rates(lo, hi, args.points)
    own = getattr(level, "sweep_rates", None)
    batch = own(rates) if own else sweep(level.landscape(), level.engine_goal, rates)
    par = level.compute_par()
    points = [
        {
            "lr": float(batch.lrs[i]),
            "outcome": batch.outcome(i).value,
            "iterations": int(batch.iterations[i]),
            "final_loss": finite_or_none(float(batch.final_loss[i])),
        }
        for i in range(batch.lrs.size)
    ]
    report = {
        "level": level.id,
        "par": par.par,
        "best_lr": finite_or_none(par.best_lr),
        "max_stable_lr": finite_or_none(par.max_stable_lr),
        "points": points,
    }
    if args.json:
        _out(report)
        return 0
    own_text = getattr(level, "sweep_text", None)
    if own_text:
        print(own_text(batch))
    else:
        from .textcharts import sweep_charts

        print(sweep_charts(level, batch))
    print(f"par {par.par}   best lr {num(par.best_lr)}   max stable lr {num(par.max_stable_lr)}")
    return 0


# -- validate ---------------------------------------------------------------------------


def validate_one(level: L.Level) -> list[str]:
    """Problems a well-formed level can still have: unsolvable, or a wrong minimum."""
    problems = []
    par = level.compute_par()
    if par.par is None:
        problems.append(
            f"unsolvable: no constant learning rate from {num(level.lr.min)} to "
            f"{num(level.lr.max)} clears it within {level.engine_goal.max_iterations} iterations"
        )
    batch = par.sweep
    m = level.landscape().minimum
    below = batch.lowest_loss < m - max(level.engine_goal.loss_below, 1e-9 * (1 + abs(m)))
    if below.any():
        lowest = float(np.nanmin(batch.lowest_loss))
        problems.append(
            f"unbounded or mis-declared: runs reach loss {num(lowest)}, below the declared "
            f"minimum {num(m)} (is this a loss? a loss must have a lowest value)"
        )
    return problems


def cmd_validate(args) -> int:
    paths = args.paths or [str(L.shipped_path(lid)) for _, lid in L.campaign_ids()]
    failed = 0
    for path in paths:
        try:
            level = L.load_level(path)
        except L.LevelError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        problems = validate_one(level)
        if problems:
            failed += 1
            for p in problems:
                print(f"{path}: {p}", file=sys.stderr)
            continue
        par = level.compute_par()
        print(
            f"{path}: ok — par {par.par}, best lr {num(par.best_lr)}, "
            f"max stable lr {num(par.max_stable_lr)}"
        )
    return 1 if failed else 0
