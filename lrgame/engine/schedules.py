"""Learning-rate schedules with PyTorch's semantics.

A schedule maps a base learning rate and a step index ``t`` (0 for the first
optimizer step, as in ``torch.optim.lr_scheduler`` stepped after each optimizer
step) to the rate used for that step. Every schedule is vectorised over an
array of base rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

_LARGEST = np.finfo(np.float64).max


class ScheduleError(ValueError):
    """A schedule spec that cannot be understood."""


@dataclass(frozen=True)
class Schedule:
    """A named schedule with its settings, e.g. ``step:step_size=5,gamma=0.5``."""

    name: str = "constant"
    options: dict[str, float] = field(default_factory=dict)

    def rates(self, base: np.ndarray, t: int) -> np.ndarray:
        """The learning rate of step ``t`` (0-based) for each base rate.

        A rate that would overflow (gamma above 1 for many steps) is held at the largest
        float, so every rate is a finite number from 0 up: the run then diverges, as
        an infinite rate would make it, and its record stays a valid result file.
        """
        base = np.asarray(base, dtype=float)
        if self.name == "constant":
            return base
        with np.errstate(all="ignore"):
            return np.minimum(self._rates(base, t), _LARGEST)

    def _rates(self, base: np.ndarray, t: int) -> np.ndarray:
        o = self.options
        if self.name == "step":
            return base * np.float64(o["gamma"]) ** (t // int(o["step_size"]))
        if self.name == "exponential":
            return base * np.float64(o["gamma"]) ** t
        if self.name == "cosine":
            eta_min = o.get("eta_min", 0.0)
            # the factor from 1 down to 0 last: no overflow between two finite rates
            return eta_min + (base - eta_min) * ((1 + math.cos(math.pi * t / o["t_max"])) / 2)
        if self.name == "cyclic":
            up = o["step_size_up"]
            down = o.get("step_size_down", up)
            total = up + down
            ratio = up / total
            cycle = math.floor(1 + t / total)
            x = 1.0 + t / total - cycle
            scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
            lr = o["base_lr"] + (o["max_lr"] - o["base_lr"]) * scale
            return np.full_like(base, lr)
        if self.name == "manual":
            raise ScheduleError("a manual schedule has no formula; use ManualSchedule")
        raise ScheduleError(f"unknown schedule {self.name!r}")

    def spec(self) -> str:
        """The spec text that parses back to this schedule."""
        if not self.options:
            return self.name
        opts = ",".join(f"{k}={_fmt(v)}" for k, v in self.options.items())
        return f"{self.name}:{opts}"

    @property
    def uses_base_lr(self) -> bool:
        """False for schedules whose rates come entirely from their own options."""
        return self.name != "cyclic"


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


# name -> (required options, optional options with defaults)
SCHEDULES: dict[str, tuple[tuple[str, ...], dict[str, float]]] = {
    "constant": ((), {}),
    "step": (("step_size",), {"gamma": 0.1}),
    "exponential": (("gamma",), {}),
    "cosine": (("t_max",), {"eta_min": 0.0}),
    "cyclic": (("base_lr", "max_lr", "step_size_up"), {"step_size_down": -1.0}),
}

_INTEGER_OPTIONS = {"step_size", "t_max", "step_size_up", "step_size_down"}


def parse_schedule(spec: str) -> Schedule:
    """Parse ``NAME`` or ``NAME:KEY=VALUE,...``; raise ScheduleError with a clear message."""
    text = (spec or "").strip()
    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if name not in SCHEDULES:
        raise ScheduleError(f"unknown schedule {name!r} (choose from: {', '.join(SCHEDULES)})")
    required, optional = SCHEDULES[name]
    options: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq:
            raise ScheduleError(f"schedule option {part!r} should look like KEY=VALUE")
        if key not in required and key not in optional:
            allowed = ", ".join((*required, *optional)) or "none"
            raise ScheduleError(f"{name} schedule has no option {key!r} (options: {allowed})")
        try:
            number = float(value)
        except ValueError:
            raise ScheduleError(f"{name} schedule option {key}={value!r} is not a number") from None
        if not math.isfinite(number):
            raise ScheduleError(f"{name} schedule option {key} must be a finite number")
        options[key] = number
    missing = [k for k in required if k not in options]
    if missing:
        raise ScheduleError(f"{name} schedule needs {', '.join(missing)} (e.g. {_example(name)})")
    for key, default in optional.items():
        if key not in options and default >= 0:
            options[key] = default
    _check(name, options)
    return Schedule(name, options)


def _example(name: str) -> str:
    return {
        "step": "step:step_size=5,gamma=0.5",
        "exponential": "exponential:gamma=0.9",
        "cosine": "cosine:t_max=50,eta_min=0.001",
        "cyclic": "cyclic:base_lr=0.01,max_lr=0.4,step_size_up=4",
    }.get(name, name)


def _check(name: str, o: dict[str, float]) -> None:
    for key in _INTEGER_OPTIONS & o.keys():
        if o[key] < 1 or not float(o[key]).is_integer() or o[key] > 1_000_000:
            raise ScheduleError(f"{name} schedule option {key} must be a whole number from 1")
    if "gamma" in o and not 0 < o["gamma"] <= 10:
        raise ScheduleError(f"{name} schedule option gamma must be above 0 (and at most 10)")
    for key in ("eta_min", "base_lr", "max_lr"):
        if key in o and o[key] < 0:
            raise ScheduleError(f"{name} schedule option {key} must not be negative")
    if name == "cyclic" and o["max_lr"] < o["base_lr"]:
        raise ScheduleError("cyclic schedule needs max_lr >= base_lr")


CONSTANT = Schedule()


@dataclass(frozen=True)
class ManualSchedule:
    """Rates chosen step by step (a player's hand-made schedule or a replay)."""

    lrs: tuple[float, ...]
    name: str = "manual"

    def rates(self, base: np.ndarray, t: int) -> np.ndarray:
        return np.full_like(np.asarray(base, dtype=float), self.lrs[t])

    def spec(self) -> str:
        return "manual"

    uses_base_lr = False
