"""The bowl kind: loss = minimum + 1/2 * sum(c_i * x_i**2) over many parameters.

Sizes are bounded so that no level file can ask for more memory or time than a game
can spend. ``BowlLevel.chart(params) -> {"curvature": array (K,), "loss": array (K,)}``:
the distinct curvatures, sorted, and the loss above the minimum that the parameters of
each curvature hold at ``params`` (the bowl's own view draws it).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from ...engine.landscape import Landscape, QuadraticBowl
from ...engine.twin import twin
from ..base import MAX_VALUE, Bounded, LevelBase, Model, Number, Seed, one_of

#: Parameters of a bowl: a million steps at interactive speed, two million at most.
MAX_BOWL_PARAMS = 2_000_000
#: Distinct curvatures of a bowl: par is swept on one parameter per distinct value.
MAX_DISTINCT_CURVATURES = 1_000
Curvature = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=MAX_VALUE)]


# -- bowl -------------------------------------------------------------------------------


class CurvatureRange(Model):
    """Curvatures spread from ``min`` to ``max``: ``values`` distinct ones, rising along
    the parameters (the first n/values parameters get the lowest, and so on)."""

    min: Curvature
    max: Curvature
    spacing: Literal["log", "linear"] = "log"
    values: Annotated[int, Field(strict=True, ge=1, le=MAX_DISTINCT_CURVATURES)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CurvatureRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not be above max ({self.max:g})")
        return self


class StartDraw(Model):
    """Start every parameter at a draw from a normal distribution with mean 0."""

    seed: Seed
    scale: Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=MAX_VALUE)] = 1.0


class BowlLevel(LevelBase):
    """loss = minimum + 1/2 * sum(c_i * x_i**2) over ``n`` parameters w0, w1, ..."""

    kind: Literal["bowl"]
    n: Annotated[int, Field(strict=True, ge=1, le=MAX_BOWL_PARAMS)] = Field(
        description="how many parameters"
    )
    curvature: one_of(
        "expected a list of curvatures like [1, 10] or a range like {min: 1, max: 100}",
        list=Annotated[list[Curvature], Field(min_length=1, max_length=MAX_DISTINCT_CURVATURES)],
        mapping=CurvatureRange,
    ) = Field(description="a list (cycled over the parameters) or a range")
    start: one_of(
        "expected a number, a list of numbers, or a draw like {seed: 7, scale: 1.0}",
        number=Bounded,
        list=Annotated[list[Bounded], Field(max_length=10_000)],
        mapping=StartDraw,
    ) = Field(description="one number for every parameter, a list, or a seeded draw")
    minimum: Number = Field(0.0, description="the loss at the bottom of the bowl")

    def check(self) -> list[tuple[tuple, str]]:
        errors = []
        if isinstance(self.start, list) and len(self.start) != self.n:
            errors.append(
                (
                    ("start",),
                    f"start: a list of {len(self.start)} numbers for {self.n} parameters "
                    "(give one number each, one number for all, or {seed:, scale:})",
                )
            )
        elif not math.isfinite(self._start_loss()):
            errors.append((("start",), "the loss at the starting point is not a finite number"))
        return errors

    # -- the curvatures, grouped ---------------------------------------------------------
    def _groups(self) -> tuple[np.ndarray, np.ndarray]:
        """(distinct curvature values, each parameter's index into them)."""
        if "groups" not in self._cache:
            n, c = self.n, self.curvature
            if isinstance(c, CurvatureRange):
                k = 1 if c.min == c.max else min(c.values or min(n, 200), n)
                space = np.geomspace if c.spacing == "log" else np.linspace
                values = space(c.min, c.max, k)
                index = np.arange(n, dtype=np.int64) * k // n
            else:
                values, short = np.unique(np.asarray(c, dtype=float), return_inverse=True)
                index = short.ravel()[np.arange(n) % len(c)]
            self._cache["groups"] = (values, index)
        return self._cache["groups"]

    def _start(self) -> np.ndarray:
        s = self.start
        if isinstance(s, StartDraw):
            return np.random.default_rng(s.seed).normal(0.0, s.scale, self.n)
        if isinstance(s, list):
            return np.array(s, dtype=float)
        return np.full(self.n, float(s))

    def _start_loss(self) -> float:
        with np.errstate(all="ignore"):
            bowl = self.sweep_landscape()
            return float(bowl.loss(bowl.start[None, :])[0])

    # -- the landscapes -------------------------------------------------------------------
    def landscape(self) -> Landscape:
        if "landscape" not in self._cache:
            values, index = self._groups()
            bowl = QuadraticBowl(values[index], self._start(), self.minimum)
            if np.all(np.diff(values) > 0):
                bowl._grouping = (values, index)  # already known: spare the bowl a sort
            self._cache["landscape"] = bowl
        return self._cache["landscape"]

    def sweep_landscape(self) -> Landscape:
        """One parameter per distinct curvature, holding that curvature's start mass:
        exactly the same loss as the full bowl at every step of any run."""
        if "grouped" not in self._cache:
            values, index = self._groups()
            with np.errstate(all="ignore"):
                mass = np.bincount(index, weights=self._start() ** 2, minlength=values.size)
            self._cache["grouped"] = QuadraticBowl(values, np.sqrt(mass), self.minimum)
        return self._cache["grouped"]

    def twin_landscape(self, optimizer=None) -> Landscape:
        """The bowl's twin under ``optimizer`` (``engine.twin``): one parameter per
        curvature, or under adam one per distinct (curvature, |start|)."""
        if optimizer is None or optimizer.name != "adam":
            return self.sweep_landscape()
        if "adam_twin" not in self._cache:
            self._cache["adam_twin"] = twin(self.landscape(), optimizer)
        return self._cache["adam_twin"]

    @property
    def n_params(self) -> int:
        return self.n

    @property
    def stochastic(self) -> bool:
        return False

    def chart(self, params: np.ndarray, t: int | None = None) -> dict:
        """The loss each distinct curvature holds at ``params`` (see the module docstring)."""
        values, part = self.landscape().loss_by_curvature(np.asarray(params, dtype=float))
        return {"curvature": values, "loss": part}
