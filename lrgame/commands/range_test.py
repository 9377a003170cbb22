"""`lrgame range-test LEVEL`: one run whose rate rises every step (the LR range test)."""

from __future__ import annotations

from ..errors import UsageError
from ..text import finite_or_none, num
from .common import load_level_arg, optimizer_arg, positive, print_json, within_run_cost


def cmd_range_test(args) -> int:
    level = load_level_arg(args.level)
    spec = level.range_test
    lo = positive(args.min, "--min") if args.min is not None else None
    hi = positive(args.max, "--max") if args.max is not None else None
    lo_used = lo if lo is not None else (spec.min if spec else level.lr.min)
    hi_used = hi if hi is not None else (spec.max if spec else level.lr.max)
    if lo_used >= hi_used:
        raise UsageError(f"--min ({num(lo_used)}) must be below --max ({num(hi_used)})")
    if args.steps is not None and not 3 <= args.steps <= 10_000:
        raise UsageError("--steps must be from 3 to 10000")
    if args.steps is not None:
        within_run_cost(level, args.steps, "--steps")
    optimizer = optimizer_arg(args, level)
    if optimizer.sets_own_rate:
        raise UsageError(f"--optimizer: {optimizer.name} sets its own rate: no range test")
    result = level.run_range_test(lo_used, hi_used, args.steps, optimizer=optimizer)
    par = level.compute_par()
    report = {
        "level": level.id,
        "optimizer": optimizer.spec(),
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
        print_json(report)
        return 0
    from ..textcharts import range_test_chart

    print(range_test_chart(level, result))
    ended = "stopped when the loss blew up" if result.stopped_early else "ran to the last rate"
    print(
        f"{len(result.lrs)} steps from lr {num(lo_used)} to {num(hi_used)} ({ended}); "
        f"suggested lr {num(result.suggested_lr)}: {result.rule}"
    )
    print(f"par {par.par}   best lr {num(par.best_lr)}")
    return 0
