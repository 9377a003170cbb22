"""A small neural network (a multi-layer perceptron) classifying two-dimensional points.

The network maps a point x (2 numbers) through ``len(hidden)`` hidden layers to one
output, the logit z; its prediction is sigmoid(z), the probability of label 1.
Layer k computes ``h_k = act(W_k @ h_{k-1} + b_k)`` with ``W_k`` of shape out x in (as
PyTorch's ``nn.Linear`` stores it); the last layer has no activation.

The loss is the mean binary cross-entropy of sigmoid(z) against the labels, written
from the logit so that no value of z overflows (as PyTorch's ``BCEWithLogitsLoss``):

    loss = mean(max(z, 0) - z * y + log(1 + exp(-|z|)))

Its gradient is exact, by backpropagation: d loss / d z = (sigmoid(z) - y) / m over m
points, carried back through each layer.

The parameters of one network are one flat vector: the layers from input to output,
each as W (row by row) then b. Like every landscape, ``loss`` and ``grad`` take a
row of parameters per learning rate, so the weights carry a leading rate axis and a
sweep of many rates is one loop over iterations.

Mini-batches are drawn as on a line fit (``linefit``): the points are shuffled once per
epoch by a generator seeded with ``(seed, epoch)`` and cut into ``n // batch_size``
batches (a last, short batch is dropped).

Initial weights are Glorot (Xavier) uniform: each W_k uniform on [-a, a] with
a = sqrt(6 / (in + out)), drawn layer by layer from ``default_rng(seed)``; biases 0.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, _act, _act_slope, bce_with_logits, sigmoid
from .landscape import Landscape
from .network_sweep import descend

#: Numbers in one array of a sweep's pass (1 MB): a sweep runs its rates in chunks this
#: small, since bigger temporaries are fresh memory, and its page faults, at every step.
ARRAY_NUMBERS = 1 << 17


def layer_sizes(hidden) -> list[int]:
    """The widths from input to output: [2, *hidden, 1]."""
    return [2, *[int(w) for w in hidden], 1]


def glorot_uniform(sizes: list[int], seed: int) -> np.ndarray:
    """Initial parameters (flat, see the module docstring) for layers of ``sizes``."""
    rng = np.random.default_rng(seed)
    parts = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        a = np.sqrt(6.0 / (fan_in + fan_out))
        parts.append(rng.uniform(-a, a, (fan_out, fan_in)).ravel())
        parts.append(np.zeros(fan_out))
    return np.concatenate(parts)


class Network(Landscape):
    """Mean binary cross-entropy of a small network over 2-D points; the lowest loss is 0."""

    minimum = 0.0
    stable_when_loss_falls = True  # see Landscape: a stable rate ends below its start

    def __init__(
        self,
        x,
        y,
        hidden=(8,),
        activation: str = "tanh",
        start: np.ndarray | None = None,
        init_seed: int = 0,
        batch_size: int | None = None,
        seed: int = 0,
    ):
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        n = self.y.size
        if self.x.shape != (n, 2) or n < 1:
            raise ValueError("a network needs points x of shape (n, 2) and n labels y")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
        self.activation = activation
        self.sizes = layer_sizes(hidden)
        self._shapes = []  # (W slice, W shape, b slice) per layer
        names: list[str] = []
        at = 0
        for k, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), 1):
            w = slice(at, at + fan_out * fan_in)
            b = slice(w.stop, w.stop + fan_out)
            self._shapes.append((w, (fan_out, fan_in), b))
            names += [f"W{k}[{i},{j}]" for i in range(fan_out) for j in range(fan_in)]
            names += [f"b{k}[{i}]" for i in range(fan_out)]
            at = b.stop
        self.names = tuple(names)
        # per layer, the index of each parameter in [W | b] (out x (in + 1)): the bias
        # rides along as the weight of a column of ones, so one product does both
        self._wb = [
            np.column_stack([np.arange(w.start, w.stop).reshape(shape), np.arange(b.start, b.stop)])
            for w, shape, b in self._shapes
        ]
        self.start = glorot_uniform(self.sizes, init_seed) if start is None else np.array(start)
        if self.start.shape != (at,):
            raise ValueError(f"start must hold {at} parameters")
        if batch_size is not None and not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be from 1 to the number of points ({n})")
        self.batch_size = batch_size
        self.seed = int(seed)
        self.stochastic = batch_size is not None and batch_size < n
        self._perm: tuple[int, np.ndarray] | None = None
        self._last = None  # (params, forward pass) of the last all-data loss

    # -- sizes ---------------------------------------------------------------------
    @property
    def n_points(self) -> int:
        return int(self.y.size)

    @property
    def macs(self) -> int:
        """Multiply-adds of one point's forward pass."""
        return sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def numbers_per_rate(self) -> int:
        """What one rate counts for when a sweep is cut into chunks (``descent.in_chunks``):
        enough that no array of a chunk holds more than ARRAY_NUMBERS numbers."""
        from .descent import CHUNK_NUMBERS

        widest = self.n_points * (max(self.sizes) + 1)
        rates = max(1, ARRAY_NUMBERS // widest)
        return max(self.n_params, CHUNK_NUMBERS // rates)

    # -- the data ------------------------------------------------------------------
    @property
    def batches_per_epoch(self) -> int:
        return self.n_points // self.batch_size if self.stochastic else 1

    def batch(self, t: int) -> np.ndarray:
        """Indices of the points in mini-batch ``t`` (all the points without batches)."""
        if not self.stochastic:
            return np.arange(self.n_points)
        epoch, j = divmod(int(t), self.batches_per_epoch)
        perm = self._perm  # one read: a forecast in another thread may replace it
        if perm is None or perm[0] != epoch:
            rng = np.random.default_rng([self.seed, epoch])
            perm = self._perm = (epoch, rng.permutation(self.n_points))
        return perm[1][j * self.batch_size : (j + 1) * self.batch_size]

    # -- the network ---------------------------------------------------------------
    def layers(self, P: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W of shape (rates, out, in), b of shape (rates, out)) per layer, input first."""
        P = np.asarray(P, dtype=float)
        r = P.shape[0]
        return [(P[:, w].reshape(r, *shape), P[:, b]) for w, shape, b in self._shapes]

    def _forward(self, P: np.ndarray, x: np.ndarray) -> tuple[list, list, np.ndarray]:
        """(pre-activations z_k, inputs of each layer with a column of ones appended,
        logits of shape (rates, points))."""
        rates, m = P.shape[0], x.shape[0]
        h = np.ones((m, 3))  # the points, shared by every rate
        h[:, :2] = x
        zs, hs = [], [h]
        last = len(self._wb) - 1
        for k, wb in enumerate(self._wb):
            z = np.matmul(h, P[:, wb].transpose(0, 2, 1))
            if k == last:
                return zs, hs, z[:, :, 0]
            h = np.ones((rates, m, wb.shape[0] + 1))
            _act(self.activation, z, h[:, :, :-1])
            zs.append(z)
            hs.append(h)
        raise AssertionError("unreachable")

    def logits(self, P: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The network's output at points ``x`` (k, 2) for each row of P -> (rates, k)."""
        with np.errstate(all="ignore"):
            return self._forward(np.atleast_2d(P), np.asarray(x, dtype=float))[2]

    def accuracy(self, P: np.ndarray) -> np.ndarray:
        """The share of all the points each row of P labels right (logit > 0 is label 1)."""
        with np.errstate(all="ignore"):  # the forward pass of the loss, when it is P's
            z = self._all_data(np.atleast_2d(np.asarray(P, dtype=float)))[2]
        return np.mean((z > 0) == (self.y > 0.5), axis=-1)

    # -- the landscape -------------------------------------------------------------
    def _all_data(self, P: np.ndarray):
        last = self._last
        if last is not None and last[0].shape == P.shape and np.array_equal(last[0], P):
            return last[1]
        fwd = self._forward(P, self.x)
        self._last = (P.copy(), fwd)
        return fwd

    def full_loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        with np.errstate(all="ignore"):
            return bce_with_logits(self._all_data(np.asarray(P, dtype=float))[2], self.y)

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        if not self.stochastic:
            return self.full_loss(P, t)
        idx = self.batch(t)
        with np.errstate(all="ignore"):
            z = self._forward(np.asarray(P, dtype=float), self.x[idx])[2]
            return bce_with_logits(z, self.y[idx])

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        P = np.asarray(P, dtype=float)
        with np.errstate(all="ignore"):
            if self.stochastic:
                idx = self.batch(t)
                y = self.y[idx]
                zs, hs, z = self._forward(P, self.x[idx])
            else:
                y = self.y
                zs, hs, z = self._all_data(P)
            out = np.empty_like(P)
            dz = ((sigmoid(z) - y) / y.size)[:, :, None]  # (rates, points, 1)
            for k in range(len(self._wb) - 1, -1, -1):
                wb = self._wb[k]
                out[:, wb] = np.matmul(dz.transpose(0, 2, 1), hs[k])  # [dW | db]
                if k > 0:
                    dz = np.matmul(dz, P[:, wb[:, :-1]])
                    dz *= _act_slope(self.activation, zs[k - 1], hs[k][:, :, :-1])
            return out

    def plain_sweep(self, lrs: np.ndarray, goal, schedule):
        """Full-batch plain descent for many rates on buffers reused step after step
        (``network_sweep``); None with mini-batches or under an accuracy goal (the generic
        loop runs them)."""
        if self.stochastic or goal.accuracy_at_least is not None:
            return None
        return descend(self, lrs, goal, schedule)

    def loss_formula(self) -> str:
        return "mean binary cross-entropy of sigmoid(network(x))"

    # -- drawing -------------------------------------------------------------------
    def chart(self, params: np.ndarray, t: int | None = None, grid=48) -> dict:
        """The points, the probability of label 1 on a grid over them (``grid`` columns
        and rows, or a pair (columns, rows)), the accuracy, and the indices of batch
        ``t`` (None without batches)."""
        cols, rows = (grid, grid) if isinstance(grid, int) else grid
        lo = self.x.min(axis=0)
        hi = self.x.max(axis=0)
        pad = 0.08 * np.maximum(hi - lo, 1e-9)
        lo, hi = lo - pad, hi + pad
        gx = np.linspace(lo[0], hi[0], cols)
        gy = np.linspace(lo[1], hi[1], rows)
        X, Y = np.meshgrid(gx, gy)
        params = np.asarray(params, dtype=float)[None, :]
        with np.errstate(all="ignore"):
            prob = sigmoid(self.logits(params, np.column_stack([X.ravel(), Y.ravel()]))[0])
        return {
            "points": self.x,
            "labels": self.y,
            "grid_x": gx,
            "grid_y": gy,
            "prob": prob.reshape(rows, cols),  # [row = y index, column = x index]
            "accuracy": float(self.accuracy(params)[0]),
            "batch": self.batch(t) if (self.stochastic and t is not None) else None,
        }
