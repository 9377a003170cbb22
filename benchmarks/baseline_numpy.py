"""Baseline: the same sweep as `lrgame sweep`, hand-written with numpy for one known level.

The level's loss and gradient are typed in by hand (the work a careful numpy user
would do), the rates are log-spaced over the level's range, and every rate runs
until it clears, diverges or spends the budget, exactly as the engine's rules say:
cleared when loss - minimum <= loss_below, diverged when the loss is not finite or
exceeds 1e6 * max(start loss, 1) (the minimum is 0 here). It prints the fewest
steps any rate needed (par on this grid).

    python benchmarks/baseline_numpy.py LEVEL POINTS
"""

import sys

import numpy as np

LEVELS = {
    # id: (curvature of each axis in loss = sum(c_i * p_i**2 / 2), start, goal, budget, lr range)
    "x-squared": (np.array([2.0]), np.array([2.0]), 1e-6, 50, (1e-5, 10.0)),
    "stretched-bowl": (np.array([2.0, 20.0]), np.array([4.0, 1.0]), 1e-4, 100, (1e-4, 1.0)),
}


def sweep(level: str, points: int) -> int | None:
    """Fewest steps to clear over ``points`` log-spaced rates (None if none clears)."""
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
    cleared = loss <= goal
    return int(iters[cleared].min()) if cleared.any() else None


def main() -> None:
    print(sweep(sys.argv[1], int(sys.argv[2])))


if __name__ == "__main__":
    main()
