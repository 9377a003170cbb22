"""Benchmark: the player's run and the board's forecasts under an optimiser on a bowl of a
million parameters (million-bowl, or ``--level``).

The player's own run moves every parameter; everything that looks ahead (forecasts,
par, sweeps) plays the bowl's twin (``engine.twin``). Per optimiser, median CPU times
(``time.process_time``: the machine is shared) of:

- ``step``: one ``Run.step`` of the real bowl (the game's space key, a frame of ``r``);
- ``forecast@0`` / ``forecast@k``: the board's forecast (budget and horizon) from the
  start and after k steps (it replays k steps on the twin first);
- ``preview@k``: the preview's quick forecast (budget only) after k steps;
- ``undo@k`` / ``undo again``: taking back step k (a big run keeps the arrays its last
  step replaced), then step k - 1 too (that one replays the steps before it);
- ``whole``: a forecast from step k played on every parameter instead (what the limit of
  1,000 parameters used to keep out), once.

    python benchmarks/bench_big_optimizers.py [--level million-bowl] [--steps 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from lrgame import levels as L
from lrgame.engine.descent import Run
from lrgame.engine.forecast import RateRule, forecast
from lrgame.engine.optimizers import parse_optimizer

SPECS = ["sgd", "momentum:beta=0.9", "momentum:beta=0.9,nesterov=true", "hypergradient:beta=1e-7"]
LR = 0.0005


def cpu(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        f()
        times.append(time.process_time() - t)
    return statistics.median(times)


def measure(level_id: str, steps: int, repeat: int, whole: bool) -> dict:
    forecasts = sys.modules["lrgame.engine.forecast"]  # the module (the package: a function)
    level = L.find_level(level_id)
    land, goal = level.landscape(), level.engine_goal
    rule = RateRule(LR)
    out = {}
    for spec in SPECS:
        opt = parse_optimizer(spec)
        run = Run(land, goal, optimizer=opt)
        row = {"forecast@0": cpu(lambda run=run: forecast(run, rule), repeat)}
        t = time.process_time()
        for _ in range(steps):
            run.step(LR)
        row["step"] = (time.process_time() - t) / steps
        row[f"forecast@{steps}"] = cpu(lambda run=run: forecast(run, rule), repeat)
        row[f"preview@{steps}"] = cpu(lambda run=run: forecast(run, rule, horizon=0), repeat)
        for name in (f"undo@{steps}", "undo again"):  # the arrays kept, then a replay
            t = time.process_time()
            run.undo()
            row[name] = time.process_time() - t
        if whole and not opt.plain:
            keep = forecasts.GROUP_ABOVE
            forecasts.GROUP_ABOVE = land.n_params  # play every parameter
            try:
                row["whole"] = cpu(lambda run=run: forecast(run, rule, horizon=0), 1)
            finally:
                forecasts.GROUP_ABOVE = keep
        out[spec] = row
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--level", default="million-bowl")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--whole", action="store_true", help="also time a forecast of every param")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    result = measure(args.level, args.steps, args.repeat, args.whole)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for spec, row in result.items():
        cells = "  ".join(f"{k} {v * 1e3:.1f} ms" for k, v in row.items())
        print(f"{spec:<34} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
