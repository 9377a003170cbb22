"""Optimisers beyond plain descent, with PyTorch's semantics, vectorised over rates.

An optimiser turns the gradient of a step into the move the step makes. Its state
(momentum's velocity, Adam's two averages, the hypergradient's rate and last slope)
is a dict of arrays whose first axis is the learning rate, so a sweep of 2,000 rates
is still one loop over iterations. Written ``NAME:KEY=VALUE,...``:

- ``sgd``: plain descent, ``params -= lr * g``.
- ``momentum:beta=0.9[,nesterov=true]``: ``torch.optim.SGD(momentum=beta, dampening=0,
  nesterov=...)``: ``buf = beta * buf + g`` (``buf = g`` on the first step), then
  ``params -= lr * buf``, or with Nesterov ``params -= lr * (g + beta * buf)``.
- ``adam:beta1=0.9,beta2=0.999,eps=1e-8``: ``torch.optim.Adam``, bias-corrected:
  ``m = beta1 m + (1 - beta1) g``, ``v = beta2 v + (1 - beta2) g²``, then
  ``params -= lr / (1 - beta1^k) * m / (sqrt(v) / sqrt(1 - beta2^k) + eps)`` at step k.
- ``hypergradient:beta=B``: SGD-HD (Baydin et al., "Online Learning Rate Adaptation
  with Hypergradient Descent", ICLR 2018): ``h = g_t · g_{t-1}`` (``g_{-1} = 0``),
  ``lr_t = lr_{t-1} + B h``, ``params -= lr_t g_t``. The rate starts at the player's
  rate and then sets itself: it takes no schedule.

A schedule combines with the others as PyTorch's schedulers do: the scheduler sets the
rate of step t, then the optimiser steps with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

State = dict[str, np.ndarray]


class OptimizerError(ValueError):
    """An optimiser spec that cannot be understood."""


# name -> option -> default (None: required). Every option is a number except nesterov.
OPTIMIZERS: dict[str, dict[str, float | None]] = {
    "sgd": {},
    "momentum": {"beta": 0.9, "nesterov": 0.0},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "hypergradient": {"beta": None},
}
_FLAGS = {"nesterov"}
_EXAMPLES = {
    "momentum": "momentum:beta=0.9",
    "adam": "adam:beta1=0.9,beta2=0.999,eps=1e-8",
    "hypergradient": "hypergradient:beta=0.001",
}
#: State arrays of shape (rates, params) each optimiser keeps (memory for chunked sweeps).
STATE_ARRAYS = {"sgd": 0, "momentum": 1, "adam": 2, "hypergradient": 1}


@dataclass(frozen=True)
class Optimizer:
    """A named optimiser with its settings, e.g. ``momentum:beta=0.9``."""

    name: str = "sgd"
    options: dict[str, float] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.spec())

    # -- what it is ------------------------------------------------------------------
    def spec(self) -> str:
        """The spec text that parses back to this optimiser (every option written)."""
        if not self.options:
            return self.name
        parts = []
        for key, value in self.options.items():
            if key in _FLAGS:
                if value:
                    parts.append(f"{key}=true")
            else:
                parts.append(f"{key}={_fmt(value)}")
        return f"{self.name}:{','.join(parts)}" if parts else self.name

    @property
    def plain(self) -> bool:
        """True for plain descent (every closed form of the engine holds)."""
        return self.name == "sgd"

    @property
    def takes_schedule(self) -> bool:
        """False for the hypergradient, which sets its own rate."""
        return self.name != "hypergradient"

    @property
    def sets_own_rate(self) -> bool:
        return self.name == "hypergradient"

    @property
    def state_arrays(self) -> int:
        return STATE_ARRAYS[self.name]

    # -- state -----------------------------------------------------------------------
    def init(self, lrs: np.ndarray, n_params: int) -> State:
        """Fresh state for one run per rate in ``lrs`` (the start rates)."""
        n = np.asarray(lrs).shape[0]
        zeros = lambda: np.zeros((n, n_params))  # noqa: E731
        if self.name == "momentum":
            return {"velocity": zeros()}
        if self.name == "adam":
            return {"m": zeros(), "v": zeros()}
        if self.name == "hypergradient":
            return {"lr": np.array(lrs, dtype=float), "last_gradient": zeros()}
        return {}

    def step(
        self,
        state: State,
        P: np.ndarray,
        g: np.ndarray,
        lrs: np.ndarray,
        t: int,
        spare: bool = False,
    ):
        """Move ``P`` (rates x params) in place by one step from gradient ``g``; ``lrs``:
        the rate of this step per row (the schedule's), ``t``: the step's index from 0.
        ``spare``: ``g`` is the caller's own scratch (a gradient just computed), which
        the step may overwrite instead of allocating arrays of its own (a sweep's big
        temporaries cost more than the arithmetic). Returns the rate each row used
        (the hypergradient's own)."""
        lrs = np.asarray(lrs, dtype=float)
        o = self.options
        with np.errstate(all="ignore"):
            if self.name == "sgd":
                P -= np.multiply(g, lrs[:, None], out=g if spare else None)
                return lrs
            if self.name == "momentum":
                buf = state["velocity"]
                beta = o["beta"]
                buf *= beta
                buf += g
                if o.get("nesterov"):
                    move = np.multiply(buf, beta)
                    move += g  # g + beta * buf, as torch adds them
                    move *= lrs[:, None]
                else:
                    move = np.multiply(buf, lrs[:, None], out=g if spare else None)
                P -= move
                return lrs
            if self.name == "adam":
                self._adam(state, P, g if spare else g.copy(), lrs, t)
                return lrs
            if self.name == "hypergradient":
                last = state["last_gradient"]
                h = np.einsum("ij,ij->i", g, last)
                rate = state["lr"]
                rate += o["beta"] * h
                last[...] = g
                P -= np.multiply(last, rate[:, None], out=g if spare else None)
                return rate.copy()
        raise OptimizerError(f"unknown optimizer {self.name!r}")

    def _adam(self, state: State, P: np.ndarray, work: np.ndarray, lrs: np.ndarray, t: int):
        """Adam's step, with ``work`` (the gradient, overwritten) as the only scratch.

        The state keeps the sums ``m = beta1 m + g`` and ``v = beta2 v + g²``, torch's
        averages divided by (1 - beta1) and (1 - beta2): two passes over the params
        each instead of three and four. The step folds those factors and the bias
        corrections into two numbers, ``a`` and the step size: with
        ``a = sqrt((1 - beta2) / (1 - beta2^k))`` torch's denominator
        ``sqrt(v_torch / (1 - beta2^k)) + eps`` is ``a (sqrt(v) + eps / a)``."""
        o = self.options
        b1, b2, eps = o["beta1"], o["beta2"], o["eps"]
        m, v = state["m"], state["v"]
        k = t + 1
        m *= b1
        m += work
        np.square(work, out=work)
        v *= b2
        v += work
        a = math.sqrt((1 - b2) / (1 - b2**k))
        np.sqrt(v, out=work)
        work += eps / a
        np.divide(m, work, out=work)
        work *= (lrs * ((1 - b1) / (1 - b1**k) / a))[:, None]
        P -= work


SGD = Optimizer()


def take(state: State, rows) -> State:
    """The state of some rows (a copy), for the runs still going."""
    return {k: v[rows] for k, v in state.items()}


def put(state: State, rows, part: State) -> None:
    """Write back the state of some rows."""
    for k, v in part.items():
        state[k][rows] = v


def tile(state: State, n: int) -> State:
    """One run's state (one row) copied for ``n`` rows."""
    return {k: np.repeat(v[:1], n, axis=0) for k, v in state.items()}


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def parse_optimizer(spec: str) -> Optimizer:
    """Parse ``NAME`` or ``NAME:KEY=VALUE,...``; raise OptimizerError with a one-line message."""
    text = (spec or "").strip()
    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if name not in OPTIMIZERS:
        shown = name[:40] if name.isprintable() else name[:40].encode("unicode_escape").decode()
        raise OptimizerError(f"unknown optimizer {shown!r} (choose from: {', '.join(OPTIMIZERS)})")
    known = OPTIMIZERS[name]
    given: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not eq:
            raise OptimizerError(f"optimizer option {part[:40]!r} should look like KEY=VALUE")
        if key not in known:
            allowed = ", ".join(known) or "none"
            raise OptimizerError(f"{name} has no option {key[:40]!r} (options: {allowed})")
        if key in given:
            raise OptimizerError(f"{name} option {key} is given twice")
        if key in _FLAGS:
            if value.lower() not in ("true", "false"):
                raise OptimizerError(f"{name} option {key} must be true or false")
            given[key] = 1.0 if value.lower() == "true" else 0.0
            continue
        try:
            number = float(value)
        except ValueError:
            raise OptimizerError(f"{name} option {key}={value[:40]!r} is not a number") from None
        if not math.isfinite(number):
            raise OptimizerError(f"{name} option {key} must be a finite number")
        given[key] = number
    options: dict[str, float] = {}
    for key, default in known.items():
        if key in given:
            options[key] = given[key]
        elif default is None:
            raise OptimizerError(f"{name} needs {key} (e.g. {_EXAMPLES[name]})")
        else:
            options[key] = default
    _check(name, options)
    return Optimizer(name, options)


def _check(name: str, o: dict[str, float]) -> None:
    for key in ("beta", "beta1", "beta2"):
        if name != "hypergradient" and key in o and not 0 <= o[key] < 1:
            raise OptimizerError(f"{name} option {key} must be from 0 up to (not including) 1")
    if "eps" in o and not 0 < o["eps"] <= 1:
        raise OptimizerError(f"{name} option eps must be above 0 (and at most 1)")
    if name == "hypergradient" and not 0 <= o["beta"] <= 1e6:
        raise OptimizerError("hypergradient option beta must be from 0 up to 1e6")
    if name == "momentum" and o["nesterov"] and o["beta"] == 0:
        raise OptimizerError("momentum with nesterov=true needs beta above 0 (as in PyTorch)")
