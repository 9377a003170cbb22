"""Benchmark: how a vectorised sweep's time grows with parameters and learning rates.

A quadratic bowl of n parameters (curvatures 1..100, log-spaced), swept with k
constant rates for a fixed 50 steps (a goal no run reaches, so every rate runs the
whole budget). Prints the median seconds of each (n, k) and the cost per
parameter-rate-step, so growth can be read as a ratio against the smallest case.

    python benchmarks/bench_engine.py [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from lrgame.engine import Goal, QuadraticBowl, simulate

STEPS = 50
MAX_CELLS = 20_000_000  # n * k: keep each case under ~160 MB of parameters


def case(n: int, k: int, repeat: int) -> float:
    bowl = QuadraticBowl(np.geomspace(1, 100, n), np.ones(n))
    lrs = np.geomspace(1e-4, 1e-2, k)
    goal = Goal(1e-300, STEPS)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        simulate(bowl, lrs, goal)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    rows = []
    for n in (1, 100, 10_000, 1_000_000):
        for k in (1, 100, 2000):
            if n * k > MAX_CELLS:
                continue
            t = case(n, k, args.repeat)
            rows.append(
                {
                    "params": n,
                    "rates": k,
                    "seconds": t,
                    "ns_per_cell_step": t / (n * k * STEPS) * 1e9,
                }
            )
    if args.json:
        print(json.dumps({"steps": STEPS, "rows": rows}, indent=2))
        return
    print(f"{'params':>9} {'rates':>6} {'seconds':>9} {'ns / param·rate·step':>22}")
    base = rows[0]["seconds"]
    for r in rows:
        print(
            f"{r['params']:>9} {r['rates']:>6} {r['seconds']:>9.4f} {r['ns_per_cell_step']:>22.2f}"
            f"   ({r['seconds'] / base:.1f}x the smallest case)"
        )


if __name__ == "__main__":
    main()
