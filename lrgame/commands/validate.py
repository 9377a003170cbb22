"""`lrgame validate [PATH...]`: is a level file (or a pack, or every shipped level) sound and solvable?"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from .. import levels as L
from ..errors import printable
from ..text import num

#: The report of ``validate`` sweeps this many rates on levels of at most this many params.
REPORT_SWEEP_POINTS = 1000
REPORT_SWEEP_PARAMS_LIMIT = 1000


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
    path = printable(str(path))  # its name may hold escapes: shown, not sent
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
        print(level_report(level))
    return True


# -- what validate shows of a good level --------------------------------------------------


def rate_window(lrs: np.ndarray, mask: np.ndarray) -> tuple[float, float, bool] | None:
    """Lowest and highest rate where ``mask`` holds, and whether every rate between does."""
    hits = np.flatnonzero(mask)
    if hits.size == 0:
        return None
    contiguous = bool(hits[-1] - hits[0] + 1 == hits.size)
    return float(lrs[hits[0]]), float(lrs[hits[-1]]), contiguous


def _window_text(window: tuple[float, float, bool] | None) -> str:
    if window is None:
        return "none of the swept rates"
    lo, hi, contiguous = window
    text = f"lr {num(lo)} to {num(hi)}"
    return text if contiguous else text + " (with gaps)"


def level_report(level: L.Level) -> str:
    """Windows of good rates and the sweep's charts: what an author reads before anyone plays."""
    from ..engine.sweep import log_rates, sweep
    from ..textcharts import sweep_charts

    par = level.compute_par()
    goal = level.engine_goal
    landscape = level.sweep_landscape()  # a bowl's small twin: the same losses, cheap
    batch, rates = par.sweep, None
    if landscape.n_params <= REPORT_SWEEP_PARAMS_LIMIT:
        # The coarse sweep behind par steps about 5% a rate: too coarse to show a narrow
        # window. Small landscapes are cheap to sweep finely (one vectorised loop).
        rates = log_rates(level.lr.min, level.lr.max, REPORT_SWEEP_POINTS)
        batch = level.sweep_rates(rates)
    window = rate_window(batch.lrs, batch.cleared)
    lines = [
        f"  constant rates that clear it within {goal.max_iterations} steps: {_window_text(window)}"
    ]
    schedule = getattr(par, "schedule", None)
    by_schedule = schedule is not None and schedule.spec() != "constant"
    optimizer = getattr(par, "optimizer", None)
    by_optimizer = optimizer is not None and not optimizer.plain
    # Stars by steps against par; a kind that scores its own way (child-and-dogs) says
    # how in its own sweep text below.
    if par.par is not None and level.scored_by_par:
        if by_optimizer:
            with_schedule = f" with the schedule {schedule.spec()}" if by_schedule else ""
            lines.append(
                f"  par {par.par} comes from the optimizer {optimizer.spec()}{with_schedule} "
                f"at lr {num(par.best_lr)}"
            )
        elif by_schedule:
            lines.append(
                f"  par {par.par} comes from the schedule {schedule.spec()} "
                f"at base lr {num(par.best_lr)}"
            )
        batches = [("constant rates", batch)]
        if by_optimizer and rates is not None:
            land = level.landscape() if optimizer.name == "adam" else landscape
            what = optimizer.spec() + (f" with {schedule.spec()}, base" if by_schedule else "")
            batches.append((what, sweep(land, goal, rates, schedule, optimizer)))
        elif by_schedule and rates is not None:
            batches.append((f"{schedule.spec()}, base", sweep(landscape, goal, rates, schedule)))
        for what, b in batches:
            for n_stars, most in ((3, par.par), (2, 2 * par.par)):
                hit = rate_window(b.lrs, b.cleared & (b.iterations <= most))
                if hit is not None:
                    text = _window_text(hit)
                elif what == "constant rates" and (by_schedule or by_optimizer):
                    text = "none"
                else:
                    text = (
                        f"only very near lr {num(par.best_lr)} (narrower than the sweep's spacing)"
                    )
                steps = "1 step" if most == 1 else f"{most} steps"
                lines.append(
                    f"  {'★' * n_stars}{'☆' * (3 - n_stars)} (at most {steps}), {what}: {text}"
                )
    lines.append(
        f"  (from {batch.lrs.size} rates, log-spaced from {num(level.lr.min)} "
        f"to {num(level.lr.max)}; lrgame sweep shows every point)"
    )
    text = level.sweep_text(batch)
    lines.append(text if text is not None else sweep_charts(level, batch))
    return "\n".join(lines)


def validate_pack(folder: str, chart: bool = False) -> int:
    """``lrgame validate FOLDER``: the pack and each of its levels; returns the failures."""
    from ..levels.packs import load_pack

    try:
        pack = load_pack(folder)
    except L.LevelError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    by = f" by {pack.spec.author}" if pack.spec.author else ""
    print(f"{folder}: pack {pack.title!r}{by}, {len(pack.levels)} levels")
    failed = 0
    for lid, level in pack.levels.items():
        failed += not report_level(pack.level_path(lid), level, chart, indent="  ")
    for name in pack.unlisted:
        print(f"  note: {Path(folder) / name} is not in pack.yaml's order, so it is not played")
    return 1 if failed else 0
