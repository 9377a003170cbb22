"""The ``network`` level kind: a small neural network learns to classify 2-D points.

The level names its data (generated from a seed by ``engine.datasets``, or listed),
the network (hidden widths, activation, the seed of its Glorot-uniform weights) and,
optionally, mini-batches. The engine's ``Network`` landscape does the rest, so par,
sweeps, the range test and forecasts work on it like on every other kind.

Sizes are bounded so that no level file can ask for more than a game can spend: at
most MAX_POINTS points, MAX_HIDDEN_LAYERS hidden layers of at most MAX_WIDTH units,
and the work of a step (``step_cost``) counts the network's multiply-adds over the
points a step touches, so the budget checks in ``levels.registry`` bound par, sweeps and runs.

Drawing data for the game: ``NetworkLevel.chart(params, t=None)`` (see
``engine.network.Network.chart``). Export for a notebook: ``export()``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from ...engine.datasets import SHAPES
from ...engine.network import ACTIVATIONS
from ..base import LevelBase, Model, one_of

MAX_POINTS = 1_000
MAX_WIDTH = 32
MAX_HIDDEN_LAYERS = 4
MAX_SEED = 2**32 - 1
#: Coordinates of listed points: a network's inputs, far from overflow.
MAX_COORD = 1e3
#: Multiply-adds a step of the game's engine does in about the time it touches one
#: number of a bowl: a sweep runs chunks of rates through whole matrix products.
MACS_PER_UNIT = 16

Seed = Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)]
Coord = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-MAX_COORD, le=MAX_COORD)]
Label = Literal[0, 1]
Count = Annotated[int, Field(strict=True, ge=2, le=MAX_POINTS)]


class DataSpec(Model):
    """The points: ``shape`` with a number of ``points`` drawn from ``seed``, or listed."""

    shape: Literal[SHAPES] | None = Field(None, description=" | ".join(SHAPES))  # type: ignore[valid-type]
    points: one_of(
        "expected a number of points (with shape:) or a list like [[0.5, -1.0, 1], ...]",
        number=Count,
        list=Annotated[
            list[tuple[Coord, Coord, Label]], Field(min_length=2, max_length=MAX_POINTS)
        ],
    ) = Field(description="how many points to draw, or the points as [x1, x2, label]")
    noise: Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=10)] = 0.0
    seed: Seed = 0


class NetSpec(Model):
    """The network: hidden layer widths, their activation, the seed of the first weights."""

    hidden: Annotated[
        list[Annotated[int, Field(strict=True, ge=1, le=MAX_WIDTH)]],
        Field(max_length=MAX_HIDDEN_LAYERS),
    ] = Field(default_factory=list, description="widths of the hidden layers (0 to 4)")
    activation: Literal[ACTIVATIONS] = "tanh"  # type: ignore[valid-type]
    seed: Seed = 0


class NetworkLevel(LevelBase):
    """Train a small network by descent on the mean binary cross-entropy."""

    #: Par takes seconds of training here: ``campaign.preload_shipped`` (a server's
    #: pre-loaded parent) leaves it to the board, which finds it in a worker on play.
    preload_par: ClassVar[bool] = False
    #: A network labels points: its goal may be ``accuracy_at_least`` (judged on all of them).
    judges_accuracy: ClassVar[bool] = True

    kind: Literal["network"]
    data: DataSpec
    network: NetSpec = Field(default_factory=NetSpec)
    batch_size: Annotated[int, Field(strict=True, ge=1, le=MAX_POINTS)] | None = Field(
        None, description="points per step (mini-batches); all the points when left out"
    )
    seed: Seed = Field(0, description="the seed of the mini-batch shuffles")

    def check(self) -> list[tuple[tuple, str]]:
        d = self.data
        listed = isinstance(d.points, list)
        if listed and d.shape is not None:
            return [(("data", "shape"), "give either shape: and a number of points, or a list")]
        if not listed and d.shape is None:
            return [(("data",), "data needs a shape: (" + ", ".join(SHAPES) + ")")]
        x, y = self._data()
        if len(set(y.tolist())) < 2:
            return [(("data", "points"), "the points need both labels, 0 and 1")]
        if self.batch_size is not None and self.batch_size > y.size:
            return [
                (
                    ("batch_size",),
                    f"batch_size: {self.batch_size} is more than the {y.size} data points",
                )
            ]
        return []

    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        if "data" not in self._cache:
            d = self.data
            if isinstance(d.points, list):
                pts = np.array(d.points, dtype=float)
                data = (pts[:, :2], pts[:, 2])
            else:
                from ...engine.datasets import make_data

                data = make_data(d.shape, d.points, d.noise, d.seed)
            self._cache["data"] = data
        return self._cache["data"]

    def landscape(self):
        if "landscape" not in self._cache:
            from ...engine.network import Network

            x, y = self._data()
            net = self.network
            self._cache["landscape"] = Network(
                x, y, net.hidden, net.activation, None, net.seed, self.batch_size, self.seed
            )
        return self._cache["landscape"]

    def step_cost(self) -> int:
        # the step's batch forward and back (three passes), then all the data forward
        land = self.landscape()
        per_step = (3 * (self.batch_size or land.n_points) + land.n_points) * land.macs
        return 1 + land.n_params + per_step // MACS_PER_UNIT

    def run_step_cost(self) -> int:
        return self.step_cost()

    def chart(self, params: np.ndarray, t: int | None = None) -> dict:
        """The points, the probability of label 1 over them, the accuracy (see the engine)."""
        return self.landscape().chart(np.asarray(params, dtype=float), t)

    def export(self) -> dict:
        """What a notebook needs to train this network as the game does (see docs)."""
        land = self.landscape()
        layers = land.layers(land.start[None, :])
        budget = self.goal.max_iterations
        return {
            "x": land.x.tolist(),
            "y": land.y.tolist(),
            "layers": [{"W": W[0].tolist(), "b": b[0].tolist()} for W, b in layers],
            "activation": self.network.activation,
            "loss": "mean binary cross-entropy with logits (torch.nn.BCEWithLogitsLoss)",
            "batches": [land.batch(t).tolist() for t in range(budget)] if land.stochastic else None,
        }
