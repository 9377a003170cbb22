"""The regression kind: fit the line W*x + b to data points by descent on the mean squared error.

``RegressionLevel.chart(params, t=None) -> {"x", "y", "line_x", "line_y", "best_line_y",
"batch"}``: the points (arrays), the line W*x + b at ``params`` and the least-squares
line, each as the y values at ``line_x`` = (min x, max x), and the indices of
mini-batch ``t`` (None without batches or ``t``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from ...engine.landscape import Landscape
from ..base import MAX_VALUE, Bounded, LevelBase, Model, Seed

#: Data points of a regression level.
MAX_POINTS = 10_000


class GenerateSpec(Model):
    """``n`` points y = w*x + b + noise * N(0, 1), x uniform on [x_min, x_max]."""

    seed: Seed
    n: Annotated[int, Field(strict=True, ge=2, le=MAX_POINTS)]
    w: Bounded
    b: Bounded
    noise: Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=MAX_VALUE)] = 0.0
    x_min: Bounded = 0.0
    x_max: Bounded = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> GenerateSpec:
        if self.x_min >= self.x_max:
            raise ValueError(f"x_min ({self.x_min:g}) must be below x_max ({self.x_max:g})")
        return self


class LineStart(Model):
    W: Bounded = 0.0
    b: Bounded = 0.0


class RegressionLevel(LevelBase):
    """Fit the line W*x + b to data points by descent on the mean squared error."""

    kind: Literal["regression"]
    points: (
        Annotated[
            list[tuple[Bounded, Bounded]],
            Field(min_length=2, max_length=MAX_POINTS),
        ]
        | None
    ) = Field(None, description="the data, as [x, y] pairs")
    generate: GenerateSpec | None = Field(None, description="or: points drawn from a seed")
    start: LineStart = Field(default_factory=LineStart)
    batch_size: Annotated[int, Field(strict=True, ge=1, le=MAX_POINTS)] | None = Field(
        None, description="points per step (mini-batches); all the points when left out"
    )
    seed: Seed = Field(0, description="the seed of the mini-batch shuffles")

    def check(self) -> list[tuple[tuple, str]]:
        if (self.points is None) == (self.generate is None):
            where = ("generate",) if self.generate is not None else ()
            return [(where, "give the data as either points: or generate:, not both")]
        x, _ = self._data()
        if self.batch_size is not None and self.batch_size > x.size:
            return [
                (
                    ("batch_size",),
                    f"batch_size: {self.batch_size} is more than the {x.size} data points",
                )
            ]
        if np.ptp(x) == 0:
            where = ("points",) if self.points is not None else ("generate",)
            return [(where, "the points need at least two different x values to fit a line")]
        return []

    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        if "data" not in self._cache:
            from ...engine.linefit import generate_points

            g = self.generate
            if g is not None:
                data = generate_points(g.seed, g.n, g.w, g.b, g.noise, g.x_min, g.x_max)
            else:
                pts = np.array(self.points, dtype=float)
                data = (pts[:, 0], pts[:, 1])
            self._cache["data"] = data
        return self._cache["data"]

    def landscape(self) -> Landscape:
        if "landscape" not in self._cache:
            from ...engine.linefit import LineFit

            x, y = self._data()
            self._cache["landscape"] = LineFit(
                x, y, (self.start.W, self.start.b), self.batch_size, self.seed
            )
        return self._cache["landscape"]

    @property
    def n_params(self) -> int:
        return 2

    def step_cost(self) -> int:
        return 2 + self._data()[0].size  # the all-data loss is judged after every step

    @property
    def stochastic(self) -> bool:
        return self.batch_size is not None and self.batch_size < self._data()[0].size

    def chart(self, params: np.ndarray, t: int | None = None) -> dict:
        """The points and the line at ``params`` (see the module docstring)."""
        return self.landscape().chart(np.asarray(params, dtype=float), t)
