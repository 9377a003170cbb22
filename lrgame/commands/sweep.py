"""`lrgame sweep LEVEL`: every rate of a range run to the end of the budget, at once."""

from __future__ import annotations

from .. import levels as L
from ..engine.sweep import log_rates
from ..errors import UsageError
from ..text import finite_or_none, num
from .common import load_level_arg, optimizer_arg, positive, print_json


def cmd_sweep(args) -> int:
    level = load_level_arg(args.level)
    lo = positive(args.min, "--min") if args.min is not None else level.lr.min
    hi = positive(args.max, "--max") if args.max is not None else level.lr.max
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
    optimizer = optimizer_arg(args, level)
    batch = level.sweep_rates(rates, optimizer)
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
        "optimizer": optimizer.spec(),
        "par": par.par,
        "best_lr": finite_or_none(par.best_lr),
        "max_stable_lr": finite_or_none(par.max_stable_lr),
        "points": points,
    }
    if args.json:
        print_json(report)
        return 0
    text = level.sweep_text(batch)
    if text is not None:
        print(text)
    else:
        from ..textcharts import sweep_charts

        print(sweep_charts(level, batch))
    print(f"par {par.par}   best lr {num(par.best_lr)}   max stable lr {num(par.max_stable_lr)}")
    return 0
