"""The landscape kind: a loss written as an expression in a few named parameters."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator

from ...engine.landscape import Landscape
from ..base import OPERATION_NUMBERS, LevelBase, Number

MAX_EXPRESSION_PARAMS = 16


class LandscapeLevel(LevelBase):
    """A loss written as an expression in a few named parameters."""

    kind: Literal["landscape"] = "landscape"
    params: dict[str, Number] = Field(description="parameter names -> starting values, in order")
    loss: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="the loss, an expression in the params"
    )
    minimum: Number = Field(0.0, description="the lowest loss the landscape reaches")

    @field_validator("params")
    @classmethod
    def _some_params(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("params needs at least one parameter, e.g. x: 2.0")
        if len(v) > MAX_EXPRESSION_PARAMS:
            raise ValueError(
                f"an expression level takes at most {MAX_EXPRESSION_PARAMS} params "
                "(use kind: bowl for many)"
            )
        return v

    def check(self) -> list[tuple[tuple, str]]:
        """The parameter names, the expression, and a finite loss at the start."""
        from ...engine.program import ExprError, check_param_name

        errors = []
        for name in self.params:
            try:
                check_param_name(name)
            except ExprError as exc:
                errors.append((("params", name), f"params: {exc.message}"))
        if errors:
            return errors
        try:
            start = self.landscape()
        except ExprError as exc:
            return [(("loss",), f"loss: {exc.message}")]
        import numpy as np

        with np.errstate(all="ignore"):
            value = float(start.loss(start.start[None, :])[0])
        if not math.isfinite(value):
            return [
                (
                    ("params",),
                    f"the loss at the starting point is {value}: "
                    "start where the loss is a finite number",
                )
            ]
        return []

    @property
    def can_predict(self) -> bool:
        return len(self.params) == 1

    def step_cost(self) -> int:
        # one numpy operation per node of the compiled loss and slopes, plus the update
        return 1 + len(self.params) + self.landscape().work

    def run_step_cost(self) -> int:
        # a run moves one point: each numpy operation costs about as much as touching a
        # thousand numbers (so the par limit already bounds a run's cost)
        return OPERATION_NUMBERS * self.step_cost()

    def landscape(self) -> Landscape:
        cache = self._cache
        if "landscape" not in cache:
            from ...engine.landscape import ExpressionLandscape

            cache["landscape"] = ExpressionLandscape(
                self.loss, self.params, self.minimum, show_formulas=self.show_loss
            )
        return cache["landscape"]
