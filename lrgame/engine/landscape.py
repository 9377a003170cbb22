"""Loss landscapes: what gradient descent walks on.

Every level kind gives the engine a Landscape. The engine only ever calls
``loss`` and ``grad`` on arrays of parameter rows, one row per learning rate,
so one interface serves a one-parameter valley and a million-parameter bowl.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Landscape:
    """A differentiable loss over named parameters with a known lowest value."""

    names: tuple[str, ...]
    start: np.ndarray
    minimum: float = 0.0
    #: True when loss and gradient depend on the step (mini-batches drawn from a seed).
    stochastic: bool = False

    @property
    def n_params(self) -> int:
        return int(self.start.shape[0])

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        """Loss of each row of ``P`` (shape (n, d)) -> shape (n,)."""
        raise NotImplementedError

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        """Exact gradient of each row of ``P`` -> shape (n, d)."""
        raise NotImplementedError

    def slope_formulas(self) -> dict[str, str] | None:
        """The derivative of the loss by each parameter, as text, where there is one to show."""
        return None

    def loss_formula(self) -> str | None:
        return None


class ExpressionLandscape(Landscape):
    """A loss written as an expression in a few named parameters."""

    def __init__(self, loss_text: str, start: dict[str, float], minimum: float = 0.0):
        from .expr import compile_loss  # sympy is heavy: load it only when a level is built

        self.names = tuple(start)
        self.start = np.array([float(v) for v in start.values()], dtype=float)
        self.minimum = float(minimum)
        self._compiled = compile_loss(loss_text, self.names)

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        return self._compiled.loss(P)

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        return self._compiled.grad(P)

    def slope_formulas(self) -> dict[str, str]:
        return self._compiled.slope_formulas()

    def loss_formula(self) -> str:
        return self._compiled.loss_text()


class QuadraticBowl(Landscape):
    """loss = minimum + 1/2 * sum(c_i * x_i**2): a bowl whose curvature along axis i is c_i.

    Gradient descent on it converges for every axis iff lr < 2 / max(c), and the
    best constant rate is 2 / (max(c) + min(c)).
    """

    def __init__(
        self,
        curvatures: Sequence[float] | np.ndarray,
        start: Sequence[float] | np.ndarray,
        minimum: float = 0.0,
        names: Sequence[str] | None = None,
    ):
        self.curvatures = np.asarray(curvatures, dtype=float)
        self.start = np.asarray(start, dtype=float)
        if self.curvatures.shape != self.start.shape:
            raise ValueError("curvatures and start must have the same length")
        self.minimum = float(minimum)
        n = self.start.shape[0]
        self.names = tuple(names) if names is not None else tuple(f"w{i}" for i in range(n))

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.minimum + 0.5 * np.einsum("nd,d,nd->n", P, self.curvatures, P)

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            return P * self.curvatures
