"""A quadratic bowl's cheaper twin under an optimiser: the same losses, fewer parameters.

On the bowl ``minimum + 1/2 sum(c_i x_i²)`` every optimiser here moves each parameter
by its own slope ``c_i x_i`` and its own history (momentum's velocity, Adam's averages);
only the hypergradient's rate looks at all of them, through the sum
``h = sum_i g_i(t) g_i(t-1)``. So:

- Under plain descent, momentum (with or without Nesterov) and the hypergradient, the
  move is linear in the start: ``x_i(t) = x_i(0) F(c_i, t)``, where F depends on the
  curvature and on rates shared by every parameter. The loss, the slope's size and the
  hypergradient's ``h`` then depend on each distinct curvature only through the start
  mass ``sum(x_i(0)²)`` of its parameters: ``QuadraticBowl.grouped()`` (one parameter
  per curvature, holding that mass) has the same losses and the same rates at every step.
- Adam is not linear in the start (its step is about the rate whatever the slope's
  size), but two parameters with the same curvature and the same start stay equal, and
  a start of -s moves as the mirror of s (every operation of its step is odd in the
  slope). ``WeightedBowl`` keeps one parameter per distinct (curvature, |start|) and
  counts each in the loss as many times as it occurs. A bowl whose starts are all
  different (a random draw) has no smaller Adam twin.
"""

from __future__ import annotations

import numpy as np

from .landscape import Landscape, QuadraticBowl
from .optimizers import SGD, Optimizer

#: Optimisers whose moves on a bowl are linear in the start (the grouped twin holds).
LINEAR = frozenset({"sgd", "momentum", "hypergradient"})


class WeightedBowl(QuadraticBowl):
    """``minimum + 1/2 sum(w_i c_i x_i²)``: each parameter stands for ``w_i`` parameters
    of a bigger bowl that move alike. ``grad`` is the slope of one of them, ``c_i x_i``
    (what each of them steps on); ``loss`` counts all of them. Only for optimisers with
    no sum over parameters in their step (Adam): a norm of ``grad`` is not the bowl's."""

    def __init__(self, curvatures, start, weights, minimum: float = 0.0):
        super().__init__(curvatures, start, minimum)
        self.weights = np.asarray(weights, dtype=float)
        self._weighted = self.weights * self.curvatures

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.minimum + 0.5 * np.einsum("nd,d,nd->n", P, self._weighted, P)


def adam_twin(bowl: QuadraticBowl) -> QuadraticBowl:
    """One parameter per distinct (curvature, |start|), weighted by how many share it."""
    pairs = np.stack([bowl.curvatures, np.abs(bowl.start)], axis=1)
    distinct, counts = np.unique(pairs, axis=0, return_counts=True)
    return WeightedBowl(distinct[:, 0], distinct[:, 1], counts, bowl.minimum)


def twin(landscape: Landscape, optimizer: Optimizer = SGD) -> Landscape:
    """The smallest landscape whose runs under ``optimizer`` have the same losses (and,
    for the hypergradient, the same rates) as on ``landscape``: a bowl's twin when it
    has fewer parameters, else ``landscape`` itself."""
    if type(landscape) is not QuadraticBowl:
        return landscape
    small = landscape.grouped() if optimizer.name in LINEAR else adam_twin(landscape)
    return small if small.n_params < landscape.n_params else landscape
