"""Benchmark: a 2,000-rate sweep under each optimiser against the plain-descent sweep.

Compute only, in one process with the level loaded: ``Level.sweep_rates`` (what
``lrgame sweep`` and the game run: a bowl's cheaper twin where it holds) of 2,000
log-spaced rates over the level's range with sgd, momentum (and Nesterov), Adam and
the hypergradient, each the median CPU time (``time.process_time``: the machine is
shared) of interleaved repeats, as a ratio to sgd's. ``--full`` sweeps the level's own
landscape instead. The target (issue 14): momentum and Adam at most 2x plain descent.

With ``--torch`` (torch importable, e.g. ``PYTHONPATH=/path/to/torch/site-packages``),
also per-rate ``torch.optim.SGD(momentum=0.9)`` and ``torch.optim.Adam`` loops over a
sample of the rates, scaled to 2,000 rates, and a check that their final parameters
agree with the engine's to 1e-9 relative.

With ``--floor`` (for a level of a hundred parameters or more), also the least any numpy
Adam sweep of the level can cost: see ``adam_floor``.

    python benchmarks/bench_optimizers.py [--level stretched-bowl] [--repeat 7] [--full]
        [--floor] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np

from lrgame import levels as L
from lrgame.engine.optimizers import parse_optimizer
from lrgame.engine.sweep import log_rates, sweep

SPECS = [
    "sgd",
    "momentum:beta=0.9",
    "momentum:beta=0.9,nesterov=true",
    "adam",
    "hypergradient:beta=0.001",
]


def measure(level_id: str, points: int, repeat: int, full: bool = False) -> dict:
    level = L.find_level(level_id)
    land, goal = level.landscape(), level.engine_goal
    rates = log_rates(level.lr.min, level.lr.max, points)
    opts = {s: parse_optimizer(s) for s in SPECS}

    def run(s):
        if full:
            return sweep(land, goal, rates, optimizer=opts[s])
        return level.sweep_rates(rates, opts[s])

    times: dict[str, list[float]] = {s: [] for s in SPECS}
    work = {}  # steps taken, summed over the rates: runs that end early cost less
    for s in SPECS:  # warm up
        work[s] = int(run(s).iterations.sum())
    for _ in range(repeat):
        for s in SPECS:  # interleaved: a busy moment hits every optimiser alike
            t = time.process_time()
            run(s)
            times[s].append(time.process_time() - t)
    med = {s: statistics.median(v) for s, v in times.items()}
    return {
        "level": level_id,
        "points": points,
        "landscape": "full" if full else "sweep_rates",
        "seconds": med,
        "ratio_to_sgd": {s: med[s] / med["sgd"] for s in SPECS},
        "steps": work,
        # the cost of one step of one rate, against sgd's: the optimiser's own overhead
        "per_step_ratio_to_sgd": {
            s: (med[s] / work[s]) / (med["sgd"] / work["sgd"]) for s in SPECS
        },
    }


def adam_floor(level_id: str, report: dict, repeat: int) -> dict:
    """The least any numpy Adam sweep of this level can cost, as a ratio to plain descent.

    Adam's step does all a plain step does (the slope, a rate times something, the move,
    the loss) and, on top of it, a square root and a division per parameter (plus its two
    averages, left out here so the figure stays a floor). Its runs also last as many
    steps as they do (``steps``: an Adam run at a big rate circles the bottom without
    diverging, so it runs its whole budget where plain descent's blows up early). So
    the floor is: Adam's steps at plain descent's cost per step, plus np.sqrt and
    np.divide over that many parameters, timed here on an array of the sweep's size.

    It counts plain descent's whole time as work per parameter, so it is a floor only
    where that work dominates the loop's own (a level of a hundred parameters or more,
    e.g. hundred-bowl); on a two-parameter level it overstates. Asked for by --floor."""
    level = L.find_level(level_id)
    n_sgd = level.twin_landscape(parse_optimizer("sgd")).n_params
    n = level.twin_landscape(parse_optimizer("adam")).n_params  # what Adam's sweep steps
    rows = max(1, report["points"])
    a = np.random.default_rng(0).random((rows, n)) + 0.5
    out = np.empty_like(a)
    sqrt_t, div_t = [], []
    for _ in range(repeat):
        t = time.process_time()
        for _ in range(10):
            np.sqrt(a, out=out)
        sqrt_t.append((time.process_time() - t) / (10 * a.size))
        t = time.process_time()
        for _ in range(10):
            np.divide(a, out, out=out)
        div_t.append((time.process_time() - t) / (10 * a.size))
    per_elem = statistics.median(sqrt_t) + statistics.median(div_t)
    sgd, adam = report["seconds"]["sgd"], report["seconds"]["adam"]
    steps_sgd, steps_adam = report["steps"]["sgd"], report["steps"]["adam"]
    plain_per_param = sgd / steps_sgd / n_sgd
    floor = steps_adam * n * (plain_per_param + per_elem) / sgd
    return {
        "steps_ratio": steps_adam / steps_sgd,
        "sqrt_ns_per_param": statistics.median(sqrt_t) * 1e9,
        "divide_ns_per_param": statistics.median(div_t) * 1e9,
        "plain_ns_per_param_step": plain_per_param * 1e9,
        "floor_ratio_to_sgd": floor,
        "adam_ratio_to_sgd": adam / sgd,
    }


def torch_compare(level_id: str, sample: int = 20, steps: int = 100) -> dict:
    import torch

    level = L.find_level(level_id)
    land = level.landscape()
    names = list(land.names)
    text = level.loss
    rates = log_rates(level.lr.min, level.lr.max, sample)

    def loss_of(p):
        env = {n: p[i] for i, n in enumerate(names)}
        return eval(text, {"__builtins__": {}}, env)  # the benchmark's own trusted level

    makers = {
        "momentum:beta=0.9": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9),
        "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr),
    }
    out = {}
    for spec, make in makers.items():
        t = time.perf_counter()
        finals = []
        for lr in rates:
            p = torch.tensor(land.start, dtype=torch.float64, requires_grad=True)
            opt = make([p], float(lr))
            for _ in range(steps):
                opt.zero_grad()
                loss_of(p).backward()
                opt.step()
            finals.append(p.detach().numpy().copy())
        per_rate = (time.perf_counter() - t) / sample
        from lrgame.engine import Goal, Run

        worst = 0.0
        for lr, want in zip(rates, finals):
            run = Run(land, Goal(1e-300, steps), optimizer=parse_optimizer(spec)).play([lr] * steps)
            got = run.current.params
            # a diverging run amplifies rounding as it grows: compare the runs that stay put
            if np.all(np.isfinite(want)) and np.all(np.abs(want) <= 10 * np.abs(land.start).max()):
                worst = max(
                    worst, float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-12)))
                )
        out[spec] = {"seconds_for_2000_rates": per_rate * 2000, "worst_relative_gap": worst}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--level", default="stretched-bowl")
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--full", action="store_true", help="sweep the level's own landscape")
    ap.add_argument("--torch", action="store_true")
    ap.add_argument("--floor", action="store_true", help="the least Adam can cost (big levels)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report = measure(args.level, args.points, args.repeat, args.full)
    if args.floor:
        report["adam_floor"] = adam_floor(args.level, report, args.repeat)
    if args.torch:
        report["torch"] = torch_compare(args.level)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    what = "its own landscape" if args.full else "Level.sweep_rates"
    print(
        f"{args.points}-rate sweep of {args.level} ({what}), CPU time only "
        f"(median of {args.repeat}):"
    )
    for s in SPECS:
        print(
            f"  {s:34s} {report['seconds'][s] * 1000:7.1f} ms  {report['ratio_to_sgd'][s]:.2f}x sgd"
            f"  ({report['steps'][s]:,} steps in all; per step "
            f"{report['per_step_ratio_to_sgd'][s]:.2f}x)"
        )
    if f := report.get("adam_floor"):
        print(
            f"  adam's floor: its {f['steps_ratio']:.2f}x steps at plain descent's "
            f"{f['plain_ns_per_param_step']:.2f} ns per parameter-step, plus sqrt "
            f"{f['sqrt_ns_per_param']:.2f} ns and divide {f['divide_ns_per_param']:.2f} ns per "
            f"parameter: at least {f['floor_ratio_to_sgd']:.2f}x sgd (measured "
            f"{f['adam_ratio_to_sgd']:.2f}x)"
        )
    for spec, t in report.get("torch", {}).items():
        print(
            f"  torch {spec:30s} {t['seconds_for_2000_rates']:8.1f} s for 2,000 rates (per-rate loops); "
            f"largest gap to the engine {t['worst_relative_gap']:.1e}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
