"""Loss landscapes: what gradient descent walks on.

Every level kind gives the engine a Landscape. The engine only ever calls
``loss`` and ``grad`` on arrays of parameter rows, one row per learning rate,
so one interface serves a one-parameter valley and a million-parameter bowl.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


class Landscape:
    """A differentiable loss over named parameters with a known lowest value."""

    names: tuple[str, ...]
    start: np.ndarray
    minimum: float = 0.0
    #: True when loss and gradient depend on the step (mini-batches drawn from a seed).
    stochastic: bool = False
    #: True when a rate counts as stable only if its run over the budget ends with a
    #: finite loss below the loss it started at (``forecast.max_stable_lr``): a network's
    #: cross-entropy grows only linearly in its weights, so a run thrown far out stays
    #: finite, and "never diverges" would call a rate stable that ends 5x above its start.
    stable_when_loss_falls: bool = False

    @property
    def n_params(self) -> int:
        return int(self.start.shape[0])

    @property
    def numbers_per_rate(self) -> int:
        """What one rate counts for when a sweep is cut into chunks (``descent.in_chunks``):
        its parameters, unless a landscape's step holds bigger arrays (a network's)."""
        return self.n_params

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        """Loss of each row of ``P`` (shape (n, d)) -> shape (n,)."""
        raise NotImplementedError

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        """Exact gradient of each row of ``P`` -> shape (n, d)."""
        raise NotImplementedError

    def full_loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        """The loss a run is judged on (cleared, diverged) -> shape (n,).

        The same as ``loss`` except on stochastic landscapes, where ``loss`` is the
        mini-batch of step ``t`` and this is the loss over all the data, so that
        clearing a level never comes down to a lucky batch.
        """
        return self.loss(P, t)

    def gradient_norms(self, G: np.ndarray) -> np.ndarray:
        """The length of each row of the slopes ``G`` (shape (n, d)) -> shape (n,)."""
        return np.linalg.norm(G, axis=1)

    def plain_sweep(self, lrs: np.ndarray, goal, schedule):
        """A landscape's own loop for ``descent.simulate`` under plain descent, giving the
        same RateRuns as the generic one, faster; None to use the generic loop."""
        return None

    def accuracy(self, P: np.ndarray) -> np.ndarray:
        """The share of all the data each row of ``P`` labels right -> shape (n,), on a
        landscape that classifies (a network); what a goal ``accuracy_at_least`` judges."""
        raise NotImplementedError("this landscape labels no data: it has no accuracy")

    def slope_formulas(self) -> dict[str, str] | None:
        """The derivative of the loss by each parameter, as text, where there is one to show."""
        return None

    def loss_formula(self) -> str | None:
        return None


class ExpressionLandscape(Landscape):
    """A loss written as an expression in a few named parameters."""

    def __init__(
        self,
        loss_text: str,
        start: dict[str, float],
        minimum: float = 0.0,
        show_formulas: bool = True,
    ):
        # show_formulas=False: the loss and its slopes are not for the player to see
        self.show_formulas = show_formulas
        self.names = tuple(start)
        self.start = np.array([float(v) for v in start.values()], dtype=float)
        self.minimum = float(minimum)
        self._compiled = compile_cached(loss_text, self.names)

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        return self._compiled.loss(P)

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        return self._compiled.grad(P)

    @property
    def work(self) -> int:
        """Operations of one evaluation of loss and gradient at a point (see expr.MAX_WORK)."""
        return self._compiled.step_work

    def slope_formulas(self) -> dict[str, str] | None:
        return self._compiled.slope_formulas() if self.show_formulas else None

    def loss_formula(self) -> str | None:
        return self._compiled.loss_text() if self.show_formulas else None


class IndexedNames(Sequence):
    """The names w0, w1, ... of a big landscape's parameters, made only when asked for.

    A tuple of a million names costs a fifth of a second and tens of megabytes.
    """

    def __init__(self, prefix: str, n: int):
        self.prefix, self.n = prefix, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return f"{self.prefix}{i % self.n}"

    def __iter__(self) -> Iterator[str]:
        return (f"{self.prefix}{i}" for i in range(self.n))


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
        self.names = tuple(names) if names is not None else IndexedNames("w", n)

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.minimum + 0.5 * np.einsum("nd,d,nd->n", P, self.curvatures, P)

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            return P * self.curvatures

    def grouped(self) -> QuadraticBowl:
        """An equivalent bowl with one parameter per distinct curvature.

        Under descent with any rates, x_i(t) = x_i(0) * prod(1 - lr_s * c_i), so the
        loss depends only on each distinct curvature c and the start mass
        sum(x_i(0)**2) over the parameters with curvature c. The grouped bowl puts
        that mass on one parameter, sqrt(mass), and has exactly the same loss at
        every step: a million-parameter bowl with 200 distinct curvatures sweeps
        like a 200-parameter one.
        """
        values, inverse = self._groups()
        mass = np.bincount(inverse, weights=self.start**2, minlength=values.size)
        return QuadraticBowl(values, np.sqrt(mass), self.minimum)

    def loss_by_curvature(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(distinct curvatures, the loss above the minimum that each one holds)."""
        values, inverse = self._groups()
        with np.errstate(all="ignore"):
            part = np.bincount(
                inverse, weights=0.5 * self.curvatures * params**2, minlength=values.size
            )
        return values, part

    def _groups(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct curvatures (sorted) and each parameter's index into them (sorted once)."""
        if getattr(self, "_grouping", None) is None:
            values, inverse = np.unique(self.curvatures, return_inverse=True)
            self._grouping = (values, inverse.ravel())
        return self._grouping


def compile_cached(text: str, names: Sequence[str]):
    """A compiled loss: from the cache when this loss was compiled before, else from
    sympy (:func:`.expr.compile_loss`, which checks the expression), then stored."""
    # sympy is heavy: a loss compiled before comes from the cache without it
    from .program import load_cached, store

    names = tuple(names)
    program = load_cached(text, names)
    if program is not None:
        return program
    from .expr import compile_loss

    compiled = compile_loss(text, names)
    program = getattr(compiled, "program", None)
    if program is not None:
        store(text, names, program)
    return compiled
