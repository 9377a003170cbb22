"""Baseline: the per-rate torch.optim.SGD loop a notebook user would write for a sweep.

One run per rate, one forward and one backward per step (the loss computed before a
step is the loss after the previous one, so it is checked there), the same stopping
rule as the engine: cleared when the loss is within the goal, diverged when it is not
finite or exceeds 1e6 * max(start loss, 1). Prints the fewest steps any rate needed.

    python benchmarks/baseline_torch.py LEVEL POINTS      (pip install torch==2.13.0)
"""

import math
import sys

import torch

LEVELS = {
    "x-squared": (lambda p: p[0] ** 2, [2.0], 1e-6, 50, (1e-5, 10.0)),
    "stretched-bowl": (lambda p: p[0] ** 2 + 10 * p[1] ** 2, [4.0, 1.0], 1e-4, 100, (1e-4, 1.0)),
}


def sweep(level: str, points: int) -> int | None:
    loss_fn, start, goal, budget, (lo, hi) = LEVELS[level]
    best = None
    for i in range(points):
        lr = lo * (hi / lo) ** (i / (points - 1))
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr)
        bound = None
        for t in range(budget + 1):
            opt.zero_grad()
            loss = loss_fn(p)
            value = loss.item()  # the loss after t steps
            if bound is None:
                bound = 1e6 * max(value, 1)
            elif value <= goal:
                best = t if best is None else min(best, t)
                break
            elif not math.isfinite(value) or value > bound:
                break
            if t == budget:
                break
            loss.backward()
            opt.step()
    return best


def main() -> None:
    print(sweep(sys.argv[1], int(sys.argv[2])))


if __name__ == "__main__":
    main()
