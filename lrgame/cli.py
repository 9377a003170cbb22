"""The headless commands: levels, run, sweep, validate. Never imports Textual."""

from __future__ import annotations

import json
import math
import os
import sys
import textwrap
from typing import Any

import numpy as np

from . import levels as L
from .diagnose import play_diagnosed
from .engine import Outcome, RateRule, Run, parse_schedule, score, stars
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
        "stochastic": level.stochastic,
        "par": par.par,
        "best_lr": finite_or_none(par.best_lr),
        "best_schedule": par.schedule.spec(),
        "max_stable_lr": finite_or_none(par.max_stable_lr),
        "goal": {
            "loss_below": goal.loss_below,
            "max_iterations": goal.max_iterations,
            "hold": goal.hold,
        },
        "lr": {"default": level.lr.default, "min": level.lr.min, "max": level.lr.max},
        "schedules": [s.spec() for s in level.schedule_tools()],
        "trials": level.trials.model_dump() if level.trials else None,
        "range_test": level.range_test.model_dump() if level.range_test else None,
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
        best = f"best lr {num(r['best_lr'])}"
        if r["best_schedule"] != "constant":
            best += f" with {r['best_schedule']}"
        print(f"  {r['id']:<22} {r['title']:<32} {r['n_params']:>9} params  {par}, {best}")
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


def _within_run_cost(level: L.Level, steps: int, flag: str) -> None:
    most = L.most_run_steps(level)
    if steps > most:
        raise UsageError(
            f"{flag} {steps} is too costly on this level ({level.n_params:,} parameters): "
            f"at most {most:,} steps here"
        )


def _run_level(level: L.Level, lr: float, schedule, budget: int | None):
    """(run, the diagnosis after each of its steps)."""
    goal = level.engine_goal
    if budget is not None:
        from .engine import Goal

        goal = Goal(goal.loss_below, budget, goal.hold)
    return play_diagnosed(level, goal, RateRule(lr, schedule))


def run_report(
    level: L.Level, run: Run, lr: float, schedule=CONSTANT, diagnoses=None
) -> dict[str, Any]:
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
        if diagnoses and s.iteration >= 1:
            entry["diagnosis"] = diagnoses[s.iteration - 1].as_json()
        trajectory.append(entry)
    outcome = run.outcome or Outcome.OUT_OF_BUDGET
    report = {
        "level": level.id,
        "lr": lr,
        "schedule": schedule.spec(),
        "outcome": outcome.value,
        "iterations": run.iteration,
        "final_loss": finite_or_none(run.current.full_loss),
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
    if getattr(args, "challenge", None):  # LEVEL is one of the challenge's levels
        from .challenge import challenge_level

        level = challenge_level(args)
    else:
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
        _within_run_cost(level, args.max_iterations, "--max-iterations")
        budget = args.max_iterations
    run, diagnoses = _run_level(level, lr, schedule, budget)
    report = run_report(level, run, lr, schedule, diagnoses)
    if getattr(args, "replay", None):
        from .challenge import save_run_replay

        save_run_replay(args, level, run, schedule)
    if args.json:
        _out(report)
        return 0
    describe = getattr(level, "describe_run", None)
    if describe:
        print(describe(run, report))
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
        print(
            f"  each step sees a mini-batch of {size} points; cleared once the loss over all"
            f" of them stays within {num(goal.loss_below)} of its lowest for {goal.hold} steps"
        )
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
    stochastic = level.stochastic
    if stochastic:
        head[-1] = "batch loss"
        head.append("all-data loss")
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
        if stochastic:
            rows[-1].append(num(s.full_loss))
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
    most = L.most_sweep_points(level)
    if args.points > most:
        raise UsageError(
            f"--points {args.points} is too costly on this level: each rate is a run of "
            f"{level.engine_goal.max_iterations:,} steps; at most {most:,} points here"
        )
    rates = log_rates(lo, hi, args.points)
    own = getattr(level, "sweep_rates", None)
    batch = own(rates) if own else sweep(level.sweep_landscape(), level.engine_goal, rates)
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
    # A level file named on the command line gets its windows of good rates and the
    # sweep's charts; every shipped level (no path) or a pack's levels, one line each.
    force_chart = getattr(args, "chart", False)
    chart = force_chart or (bool(args.paths) and not getattr(args, "quiet", False))
    failed = 0
    for path in paths:
        if os.path.isdir(path):
            from .authoring import validate_pack

            failed += validate_pack(path, chart=force_chart)
            continue
        try:
            level = L.load_level(path)
        except L.LevelError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        failed += not report_level(path, level, chart)
    return 1 if failed else 0


def report_level(path, level: L.Level, chart: bool, indent: str = "") -> bool:
    """Print a loaded level's verdict (and, with ``chart``, its window of good rates)."""
    problems = validate_one(level)
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    if problems:
        return False
    par = level.compute_par()
    print(
        f"{indent}{path}: ok — par {par.par}, best lr {num(par.best_lr)}, "
        f"max stable lr {num(par.max_stable_lr)}"
    )
    if chart:
        from .authoring import level_report

        print(level_report(level))
    return True


# -- range test -------------------------------------------------------------------------


def cmd_range_test(args) -> int:
    level = _load(args.level)
    spec = level.range_test
    lo = _positive(args.min, "--min") if args.min is not None else None
    hi = _positive(args.max, "--max") if args.max is not None else None
    lo_used = lo if lo is not None else (spec.min if spec else level.lr.min)
    hi_used = hi if hi is not None else (spec.max if spec else level.lr.max)
    if lo_used >= hi_used:
        raise UsageError(f"--min ({num(lo_used)}) must be below --max ({num(hi_used)})")
    if args.steps is not None and not 3 <= args.steps <= 10_000:
        raise UsageError("--steps must be from 3 to 10000")
    if args.steps is not None:
        _within_run_cost(level, args.steps, "--steps")
    result = level.run_range_test(lo_used, hi_used, args.steps)
    par = level.compute_par()
    report = {
        "level": level.id,
        "min": lo_used,
        "max": hi_used,
        "steps": int(args.steps or (spec.steps if spec else 100)),
        "points": [
            {"lr": float(lr), "loss": finite_or_none(float(loss))}
            for lr, loss in zip(result.lrs, result.losses)
        ],
        "smoothed": [finite_or_none(float(v)) for v in result.smoothed],
        "stopped_early": result.stopped_early,
        "suggested_lr": finite_or_none(result.suggested_lr),
        "rule": result.rule,
        "best_lr": finite_or_none(par.best_lr),
        "par": par.par,
    }
    if args.json:
        _out(report)
        return 0
    from .textcharts import range_test_chart

    print(range_test_chart(level, result))
    ended = "stopped when the loss blew up" if result.stopped_early else "ran to the last rate"
    print(
        f"{len(result.lrs)} steps from lr {num(lo_used)} to {num(hi_used)} ({ended}); "
        f"suggested lr {num(result.suggested_lr)}: {result.rule}"
    )
    print(f"par {par.par}   best lr {num(par.best_lr)}")
    return 0
