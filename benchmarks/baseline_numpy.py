"""Baseline: the same sweep as `lrgame sweep`, hand-written with numpy for one known level.

The level's loss and gradient are typed in by hand (the work a careful numpy user
would do), the rates are log-spaced over the level's range, and every rate runs
until it clears, diverges or spends the budget, exactly as the engine's rules say.
"""

import sys

import numpy as np

LEVELS = {
    # id: (curvature of each axis in loss = sum(c_i * p_i**2 / 2), start, goal, budget, lr range)
    "x-squared": (np.array([2.0]), np.array([2.0]), 1e-6, 50, (1e-5, 10.0)),
    "stretched-bowl": (np.array([2.0, 20.0]), np.array([4.0, 1.0]), 1e-4, 100, (1e-4, 1.0)),
}


def main() -> None:
    level, points = sys.argv[1], int(sys.argv[2])
    c, start, goal, budget, (lo, hi) = LEVELS[level]
    lrs = np.geomspace(lo, hi, points)
    P = np.tile(start, (points, 1))
    loss0 = 0.5 * np.sum(c * start**2)
    loss = np.full(points, loss0)
    done = np.zeros(points, dtype=bool)
    iters = np.zeros(points, dtype=int)
    with np.errstate(all="ignore"):
        for t in range(budget):
            a = ~done
            if not a.any():
                break
            P[a] -= lrs[a, None] * (P[a] * c)
            loss[a] = 0.5 * np.sum(c * P[a] ** 2, axis=1)
            iters[a] = t + 1
            done |= (loss <= goal) | ~np.isfinite(loss) | (loss > 1e6 * max(loss0, 1))
    print(int(iters[loss <= goal].min()) if (loss <= goal).any() else None)


if __name__ == "__main__":
    main()
