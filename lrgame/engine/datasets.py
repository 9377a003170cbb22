"""Two-dimensional data sets with two classes, drawn from a seed.

Every generator takes the number of points ``n``, a ``noise`` level and a ``seed``,
and returns ``(x, y)``: ``x`` of shape (n, 2), ``y`` of shape (n,) with labels 0 and 1.
The first ``n // 2`` points have label 0, the rest label 1. All draws come from
``numpy.random.default_rng(seed)`` in the order written below, so the same arguments
give the same points on every machine. ``noise`` is the standard deviation of a normal
draw added to each coordinate at the end (after the label is fixed).

- ``circles``: angle uniform on [0, 2*pi); radius uniform on [0, 0.5] for label 1 (a
  disc) and on [0.7, 1.0] for label 0 (a ring around it).
- ``xor``: both coordinates uniform on [-1, 1]; label 1 where their product is positive
  (the first and third quadrants). The labels come from the draw, so the classes need
  not be the same size.
- ``gaussian``: label 0 around (-0.5, -0.5), label 1 around (0.5, 0.5), each coordinate
  a normal draw with standard deviation 0.3 about its centre.
- ``spiral``: two arms. A point's position along its arm is s uniform on [0, 1]; its
  radius is s and its angle 3*pi*s (one and a half turns), plus pi for label 1.
- ``moons``: two interleaved half circles. Angle a uniform on [0, pi]; label 0 at
  (cos a, sin a), label 1 at (1 - cos a, 0.5 - sin a); both then shifted by
  (-0.5, -0.25) and scaled by 0.8, so the data sits inside [-1.2, 1.2].
"""

from __future__ import annotations

import numpy as np

SHAPES = ("circles", "xor", "gaussian", "spiral", "moons")


def _labels(n: int) -> np.ndarray:
    y = np.zeros(n)
    y[n // 2 :] = 1.0
    return y


def make_data(shape: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of ``shape`` (one of SHAPES) with ``noise``, from ``seed`` -> (x, y)."""
    rng = np.random.default_rng(seed)
    y = _labels(n)
    one = y == 1.0
    if shape == "circles":
        angle = rng.uniform(0.0, 2 * np.pi, n)
        radius = np.where(one, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
        x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    elif shape == "xor":
        x = rng.uniform(-1.0, 1.0, (n, 2))
        y = (x[:, 0] * x[:, 1] > 0).astype(float)
    elif shape == "gaussian":
        centre = np.where(one, 0.5, -0.5)[:, None]
        x = centre + rng.normal(0.0, 0.3, (n, 2))
    elif shape == "spiral":
        s = rng.uniform(0.0, 1.0, n)
        angle = 3 * np.pi * s + np.where(one, np.pi, 0.0)
        x = np.column_stack([s * np.cos(angle), s * np.sin(angle)])
    elif shape == "moons":
        a = rng.uniform(0.0, np.pi, n)
        x = np.where(
            one[:, None],
            np.column_stack([1 - np.cos(a), 0.5 - np.sin(a)]),
            np.column_stack([np.cos(a), np.sin(a)]),
        )
        x = (x - np.array([0.5, 0.25])) * 0.8
    else:
        raise ValueError(f"unknown shape {shape!r} (shapes: {', '.join(SHAPES)})")
    if noise > 0:
        x = x + rng.normal(0.0, noise, (n, 2))
    return x, y
