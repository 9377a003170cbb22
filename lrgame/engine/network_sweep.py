"""Plain full-batch descent of a small network for many learning rates: a sweep's inner loop.

``descent.simulate`` steps any landscape through ``grad`` and ``full_loss``, which read
the parameters from one flat row per rate (a gather per layer and step), check whether
the forward pass of the last loss can be reused, and allocate every array of the
forward and backward pass afresh (big ones: rates x points x units, so fresh memory
and its page faults). Here the same steps run on buffers allocated once per chunk of
rates, with each layer's weights kept as their own array (rates, out, in + 1) for the
whole run; each hidden layer's activations are also kept contiguous, so their slope
runs along whole rows; the judged loss and the next step's slope share exp(-|z|).
On the network of bench_network.py that took the CPU per rate and step from about
27 µs to about 19 µs (see README, the network row of the benchmarks).

Every product and every elementwise operation is the one ``Network.grad`` and
``Network.full_loss`` do, on operands laid out the same way, in the same order: a rate's
numbers are those of ``simulate``'s generic loop and of a player's run at that rate
(a test checks that, outcome by outcome).
"""

from __future__ import annotations

import numpy as np

from .activations import _act, _act_slope, bce_with_logits, sigmoid
from .descent import CHUNK_NUMBERS, Goal, RateRuns, SweepRecord, in_chunks

#: Numbers in one buffer of a chunk (512 KB of floats): the rates of a chunk step
#: together. Measured on the 2-8-8-1 network of bench_network.py (200 points, so 36
#: rates a chunk): half or twice this is 5-10% slower (more calls per rate, or arrays
#: that no longer stay in the processor's cache).
BUFFER_NUMBERS = 1 << 16


def chunk_rates(net) -> int:
    """How many rates step together: as many as fit BUFFER_NUMBERS in the widest array."""
    widest = net.n_points * (max(net.sizes) + 1)
    return max(1, BUFFER_NUMBERS // widest)


def descend(net, lrs: np.ndarray, goal: Goal, schedule) -> RateRuns:
    """What ``descent.simulate`` gives for plain descent on a full-batch network."""
    numbers = max(1, CHUNK_NUMBERS // chunk_rates(net))
    size = min(lrs.shape[0], max(1, CHUNK_NUMBERS // numbers))  # in_chunks's chunk
    with np.errstate(all="ignore"):
        start_loss = float(net.full_loss(net.start[None, :], 0)[0])
    chunk = _Chunk(net, size)  # its buffers serve every chunk in turn
    return in_chunks(lrs, numbers, lambda part: chunk.run(part, goal, schedule, start_loss))


class _Chunk:
    """The buffers of one chunk of up to ``size`` rates, reused step after step.

    A layer's input is held point by unit, (rates, points, in + 1), its last column
    ones (the bias rides along as the weight of a column of ones), as in ``Network``;
    each hidden layer's activations are also kept without that column, contiguous, so
    that the activation and its slope run along whole rows.
    """

    def __init__(self, net, size: int):
        self.net = net
        m = net.n_points
        hidden = net.sizes[1:-1]
        h = np.ones((m, 3))  # the points, with a column of ones, shared by every rate
        h[:, :2] = net.x
        self.inputs = [h] + [np.ones((size, m, w + 1)) for w in hidden]
        self.pre = [np.empty((size, m, w)) for w in net.sizes[1:]]
        self.acts = [np.empty((size, m, w)) for w in hidden]
        self.grads = [np.empty((size, w, i + 1)) for w, i in zip(net.sizes[1:], net.sizes)]
        self.slope = [np.empty((size, m, w)) for w in hidden]
        self.back = [np.empty((size, m, w)) for w in hidden]

    def _forward(self, layers: list[np.ndarray], r: int) -> np.ndarray:
        """Logits (r, points) of the rates' weights, as ``Network._forward``."""
        last = len(layers) - 1
        for k, wb in enumerate(layers):
            h = self.inputs[k] if k == 0 else self.inputs[k][:r]
            z = np.matmul(h, wb.transpose(0, 2, 1), out=self.pre[k][:r])
            if k == last:
                return z[:, :, 0]
            _act(self.net.activation, z, self.acts[k][:r])
            np.copyto(self.inputs[k + 1][:r, :, :-1], self.acts[k][:r])
        raise AssertionError("unreachable")

    def _judged(self, layers: list[np.ndarray], r: int) -> tuple[np.ndarray, np.ndarray]:
        """The loss of the rates' weights, as ``Network.full_loss``, and its slope by the
        logits, as in ``Network.grad`` (the two share exp(-|z|))."""
        z = self._forward(layers, r)
        y = self.net.y
        e = np.exp(-np.abs(z))
        return bce_with_logits(z, y, e), (sigmoid(z, e) - y) / y.size

    def _step(self, layers: list[np.ndarray], dz: np.ndarray, rates: np.ndarray) -> None:
        """One step of descent from the slope ``dz`` by the logits of ``layers``, as
        ``Network.grad``."""
        r = dz.shape[0]
        dz = dz[:, :, None]
        scale = rates[:, None, None]
        for k in range(len(layers) - 1, -1, -1):
            h = self.inputs[k] if k == 0 else self.inputs[k][:r]
            g = np.matmul(dz.transpose(0, 2, 1), h, out=self.grads[k][:r])
            if k > 0:
                dz = np.matmul(dz, layers[k][:, :, :-1], out=self.back[k - 1][:r])
                pre, act, slope = self.pre[k - 1][:r], self.acts[k - 1][:r], self.slope[k - 1][:r]
                dz *= _act_slope(self.net.activation, pre, act, slope)
            np.multiply(scale, g, out=g)
        for wb, g in zip(layers, self.grads):
            wb -= g[:r]

    def run(self, lrs: np.ndarray, goal: Goal, schedule, start_loss: float) -> RateRuns:
        net = self.net
        with np.errstate(all="ignore"):
            runs = SweepRecord(net, lrs, goal, start_loss)
            r = runs.rows.size
            start = net.layers(net.start[None, :])
            layers = [np.repeat(np.column_stack([W[0], b[0]])[None], r, axis=0) for W, b in start]
            base = lrs[runs.rows]
            dz = self._judged(layers, r)[1] if r else None
            for t in range(goal.max_iterations):
                if runs.rows.size == 0:
                    break
                self._step(layers, dz, schedule.rates(base, t))
                loss, dz = self._judged(layers, runs.rows.size)
                going = runs.record(loss, t)
                if going is not None:
                    base = base[going]
                    layers = [wb[going] for wb in layers]
                    if runs.rows.size:  # the buffers' first rows now hold other runs
                        dz = self._judged(layers, runs.rows.size)[1]
        return runs.result()
