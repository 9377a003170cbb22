"""Fitting a line ``W*x + b`` to data points by gradient descent on the mean squared error.

loss(W, b) = mean((W*x + b - y)**2), and its exact gradient

    d loss / d W = 2 * mean((W*x + b - y) * x)
    d loss / d b = 2 * mean(W*x + b - y)

With ``batch_size`` set, step ``t`` uses mini-batch ``t`` instead of all the data,
as a data loader with shuffling would: the points are shuffled once per epoch by a
generator seeded with ``(seed, epoch)``, and cut into ``n // batch_size`` batches
(a last, short batch is dropped). Batch ``t`` is the same on every run and every
machine, so the jagged loss is the same for every player. The outcome is judged on
the loss over all the data (``full_loss``).
"""

from __future__ import annotations

import numpy as np

from .landscape import Landscape

#: Moments of a set of points: mean x², mean x, mean x·y, mean y, mean y².
_XX, _X, _XY, _Y, _YY = range(5)


def _moments(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.array([np.mean(x * x), np.mean(x), np.mean(x * y), np.mean(y), np.mean(y * y)])


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """The best line (W, b) and its mean squared error: the lowest loss there is."""
    A = np.column_stack([x, np.ones_like(x)])
    (w, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(w), float(b), float(np.mean((w * x + b - y) ** 2))


class LineFit(Landscape):
    """Mean squared error of the line W*x + b over data points; params (W, b)."""

    names = ("W", "b")

    def __init__(
        self,
        x,
        y,
        start: tuple[float, float] = (0.0, 0.0),
        batch_size: int | None = None,
        seed: int = 0,
    ):
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        if self.x.shape != self.y.shape or self.x.ndim != 1 or self.x.size < 2:
            raise ValueError("a line fit needs matching x and y, at least two points")
        self.start = np.array(start, dtype=float)
        self.best_w, self.best_b, self.minimum = least_squares(self.x, self.y)
        m = _moments(self.x, self.y)
        # The full-data loss written around the best line, minimum + d^T H d with
        # d = (W - W*, b - b*): the same function, but the gap to the minimum is
        # computed directly instead of as a difference of large sums.
        self._H = np.array([[m[_XX], m[_X]], [m[_X], 1.0]])
        self._best = np.array([self.best_w, self.best_b])
        n = self.x.size
        if batch_size is not None and not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be from 1 to the number of points ({n})")
        self.batch_size = batch_size
        self.seed = int(seed)
        self.stochastic = batch_size is not None and batch_size < n
        self._batch_moments: dict[int, np.ndarray] = {}
        self._perm: tuple[int, np.ndarray] | None = None

    # -- the data ------------------------------------------------------------------
    @property
    def batches_per_epoch(self) -> int:
        return self.x.size // self.batch_size if self.stochastic else 1

    def batch(self, t: int) -> np.ndarray:
        """Indices of the points in mini-batch ``t`` (all the points without batches)."""
        if not self.stochastic:
            return np.arange(self.x.size)
        epoch, j = divmod(int(t), self.batches_per_epoch)
        if self._perm is None or self._perm[0] != epoch:
            rng = np.random.default_rng([self.seed, epoch])
            self._perm = (epoch, rng.permutation(self.x.size))
        return self._perm[1][j * self.batch_size : (j + 1) * self.batch_size]

    def _moments_of(self, t: int) -> np.ndarray:
        m = self._batch_moments.get(t)
        if m is None:
            idx = self.batch(t)
            m = self._batch_moments[t] = _moments(self.x[idx], self.y[idx])
        return m

    # -- the landscape -------------------------------------------------------------
    def full_loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            d = P - self._best
            return self.minimum + np.einsum("ni,ij,nj->n", d, self._H, d)

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        if not self.stochastic:
            return self.full_loss(P, t)
        m = self._moments_of(t)
        W, b = P[:, 0], P[:, 1]
        with np.errstate(all="ignore"):
            value = (
                W * W * m[_XX] + 2 * W * b * m[_X] + b * b - 2 * W * m[_XY] - 2 * b * m[_Y] + m[_YY]
            )
        return np.maximum(value, 0.0)  # a mean of squares; rounding must not make it negative

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            if not self.stochastic:
                return 2 * (P - self._best) @ self._H
            m = self._moments_of(t)
            W, b = P[:, 0], P[:, 1]
            gw = 2 * (W * m[_XX] + b * m[_X] - m[_XY])
            gb = 2 * (W * m[_X] + b - m[_Y])
            return np.column_stack([gw, gb])

    def slope_formulas(self) -> dict[str, str]:
        return {"W": "2·mean((W·x + b − y)·x)", "b": "2·mean(W·x + b − y)"}

    def loss_formula(self) -> str:
        return "mean((W·x + b − y)²)"

    def chart(self, params: np.ndarray, t: int | None = None) -> dict:
        """The points, the line at ``params`` across their x range, and batch ``t``'s points."""
        lo, hi = float(self.x.min()), float(self.x.max())
        W, b = float(params[0]), float(params[1])
        return {
            "x": self.x,
            "y": self.y,
            "line_x": (lo, hi),
            "line_y": (W * lo + b, W * hi + b),
            "best_line_y": (self.best_w * lo + self.best_b, self.best_w * hi + self.best_b),
            "batch": self.batch(t) if (self.stochastic and t is not None) else None,
        }


def generate_points(
    seed: int, n: int, w: float, b: float, noise: float, x_min: float, x_max: float
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points y = w*x + b + noise * N(0, 1), x uniform on [x_min, x_max], from ``seed``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(x_min, x_max, n)
    y = w * x + b + noise * rng.standard_normal(n)
    return x, y
