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

A run that stands mid-way on the bowl stands, on its twin, where the same rates played
from the twin's start lead (``twin_now``): the forecast continues from there, so the
game's forecasts under an optimiser play the twin's parameters, never the bowl's.
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

    def gradient_norms(self, G: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.sqrt(np.einsum("nd,d,nd->n", G, self.weights, G))


def adam_twin(bowl: QuadraticBowl) -> QuadraticBowl:
    """One parameter per distinct (curvature, |start|), weighted by how many share it."""
    values, curve = bowl._groups()
    sizes, size = np.unique(np.abs(bowl.start), return_inverse=True)
    # one integer per pair: two sorts of numbers instead of one of rows (a million: 5x)
    pairs, counts = np.unique(curve * sizes.size + size.ravel(), return_counts=True)
    return WeightedBowl(
        values[pairs // sizes.size], sizes[pairs % sizes.size], counts, bowl.minimum
    )


def twin(landscape: Landscape, optimizer: Optimizer = SGD) -> Landscape:
    """The smallest landscape whose runs under ``optimizer`` have the same losses (and,
    for the hypergradient, the same rates) as on ``landscape``: a bowl's twin when it
    has fewer parameters, else ``landscape`` itself. Made once per bowl and family
    (a million parameters take a moment to group)."""
    if type(landscape) is not QuadraticBowl:
        return landscape
    family = "linear" if optimizer.name in LINEAR else "adam"
    made = landscape.__dict__.setdefault("_twins", {})
    if family not in made:
        small = landscape.grouped() if family == "linear" else adam_twin(landscape)
        made[family] = small if small.n_params < landscape.n_params else landscape
    return made[family]


def twin_now(run) -> tuple[Landscape, np.ndarray, dict] | None:
    """Where ``run`` (an engine Run on a bowl) stands on its twin under the run's
    optimiser: (the twin, its params, the optimiser's state, one row), reached by
    playing the rates the player set from the twin's start; None when the bowl has no
    smaller twin. Costs the run's steps times the twin's parameters (a forecast from
    here costs at least as much again), never the bowl's size."""
    small = twin(run.landscape, run.optimizer)
    if small is run.landscape:
        return None
    optimizer = run.optimizer
    P = small.start.astype(float)[None, :].copy()
    state = optimizer.init(np.zeros(1), small.n_params)
    with np.errstate(all="ignore"):
        for t, lr in enumerate(run.set_lrs):
            if t == 0 and optimizer.sets_own_rate:  # its rate starts at the one set
                state["lr"][:] = lr
            optimizer.step(state, P, small.grad(P, t), np.array([lr]), t, spare=True)
    return small, P[0], state
