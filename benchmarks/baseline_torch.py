"""Baseline: the per-rate torch.optim.SGD loop a notebook user would write for a sweep."""

import math
import sys

import torch

LEVELS = {
    "x-squared": (lambda p: p[0] ** 2, [2.0], 1e-6, 50, (1e-5, 10.0)),
    "stretched-bowl": (lambda p: p[0] ** 2 + 10 * p[1] ** 2, [4.0, 1.0], 1e-4, 100, (1e-4, 1.0)),
}


def main() -> None:
    level, points = sys.argv[1], int(sys.argv[2])
    loss_fn, start, goal, budget, (lo, hi) = LEVELS[level]
    best = None
    for i in range(points):
        lr = lo * (hi / lo) ** (i / (points - 1))
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr)
        loss0 = float(loss_fn(p))
        for t in range(budget):
            opt.zero_grad()
            loss = loss_fn(p)
            loss.backward()
            opt.step()
            value = float(loss_fn(p))
            if value <= goal:
                best = t + 1 if best is None else min(best, t + 1)
                break
            if not math.isfinite(value) or value > 1e6 * max(loss0, 1):
                break
    print(best)


if __name__ == "__main__":
    main()
