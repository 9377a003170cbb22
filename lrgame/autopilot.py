"""The hypergradient autopilot the player races (``a`` on the board): no Textual.

The autopilot is SGD-HD (``engine.optimizers``, Baydin et al. 2018) started from the
player's rate: after each step its rate changes by B × (this slope · the last slope).
Its B is the level's own when the level offers a hypergradient optimiser; else
``AUTOPILOT_SHARE`` × lr.default / |slope at the start|², so that while successive
slopes stay as they were at the start, each step raises the rate by that share of the
level's starting rate. On the child-and-dogs level there is no autopilot: the child
learns by a running average, not by descent on a loss.

On a level of more than MAX_AUTOPILOT_PARAMS parameters (million-bowl) the race runs on
the level's twin under the hypergradient (``engine.twin``: a bowl's one parameter per
curvature), whose losses, slopes and rates are the level's own at every step; its
ghost is then drawn on the loss chart only (the twin's parameters are not the level's).
A level with that many parameters and no smaller twin (none is shipped) has no race.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .engine.descent import Run
from .engine.optimizers import Optimizer, parse_optimizer
from .text import num

#: Above this many parameters the race runs on the level's twin (its ghost a path of
#: losses, not of parameters), and where the twin is as big, there is no race.
MAX_AUTOPILOT_PARAMS = 10_000
#: The hypergradient whose twin a level offers the race on, before its B is known.
_PROBE = parse_optimizer("hypergradient:beta=0")
#: Without a level's own B: the share of lr.default one step may add to the rate.
AUTOPILOT_SHARE = 0.1
SPARKS = "▁▂▃▄▅▆▇█"
#: The board draws at least this many bars of the autopilot's rate.
MIN_BARS = 8


def autopilot_optimizer(level) -> Optimizer | None:
    """The autopilot's optimiser on ``level``, or None where it makes no sense."""
    return autopilot_for(level)[0]


def autopilot_for(level) -> tuple[Optimizer | None, str]:
    """The autopilot's optimiser on ``level`` and '', or None and why there is no race
    there, in one line for the player."""
    if not level.takes_optimizers:
        return None, (
            "No race here: this level takes no optimizers, and the autopilot is one (the "
            "hypergradient, which sets its own rate)."
        )
    too_big = level.n_params > MAX_AUTOPILOT_PARAMS
    if too_big and level.twin_landscape(_PROBE).n_params > MAX_AUTOPILOT_PARAMS:
        return None, (
            f"No race here: {level.n_params:,} parameters, and no smaller twin of the "
            f"level to race on (a race plays at most {MAX_AUTOPILOT_PARAMS:,} parameters)."
        )
    for tool in level.optimizer_tools():
        if tool.sets_own_rate:
            return tool, ""
    run = new_race_run(level, _PROBE)  # the twin's slope has the level's size
    g = float(run.steps[0].gradient_norm)
    beta = AUTOPILOT_SHARE * float(level.lr.default) / (g * g) if g else math.inf
    if not (math.isfinite(beta) and 0 < beta <= 1e6):
        return None, (
            f"No race here: the autopilot sets its B from the slope at the start, and a "
            f"slope of {num(g)} gives no usable B."
        )
    return parse_optimizer(f"hypergradient:beta={float(f'{beta:.3g}')!r}"), ""


def new_race_run(level, optimizer: Optimizer):
    """A fresh run for the race: the level's own, or beyond MAX_AUTOPILOT_PARAMS an
    engine Run on its twin under ``optimizer`` (the same losses and rates)."""
    if level.n_params <= MAX_AUTOPILOT_PARAMS:
        return level.new_run(optimizer=optimizer)
    return Run(level.twin_landscape(optimizer), level.engine_goal, optimizer=optimizer)


@dataclass(frozen=True)
class Race:
    """The autopilot's whole run from the player's rate."""

    optimizer: Optimizer
    start_lr: float
    run: object  # an engine Run
    outcome: str
    steps: int
    #: How many parameters the level has (the race's run may be on a smaller twin).
    level_params: int = 0

    @property
    def rates(self) -> list[float]:
        return list(self.run.lrs)

    def path(self) -> np.ndarray | None:
        """The level's params at each of the autopilot's steps, (steps + 1, d); None when
        they were not kept (a big level, or a race run on the level's twin)."""
        steps = self.run.steps
        if steps[0].params is None or self.run.landscape.n_params != self.level_params:
            return None
        return np.array([s.params for s in steps])

    def words(self) -> str:
        """What the autopilot did, in one sentence."""
        span = self._rate_span()
        return (
            f"The autopilot ({self.optimizer.spec()}) from lr {num(self.start_lr)} "
            f"{self._ending()}" + (f"; its rate {span}" if span else "") + "."
        )

    def _ending(self) -> str:
        return {
            "cleared": f"cleared in {self.steps} steps",
            "diverged": f"diverged after {self.steps} steps",
        }.get(self.outcome, f"ran out of budget after {self.steps} steps")

    def _rate_span(self) -> str:
        """Its rate at the start, at the top (and the step), at the end; '' if none."""
        rates = np.asarray(self.rates, dtype=float)
        finite = rates[np.isfinite(rates)]
        if not finite.size:
            return ""
        top = int(np.argmax(finite))
        return (
            f"{num(float(finite[0]))} → {num(float(finite[top]))} "
            f"(step {top + 1}) → {num(float(finite[-1]))}"
        )

    def board_lines(self, width: int) -> tuple[str, str, str]:
        """``words`` for the board in two lines: how the race ended; then its optimiser
        and its rate, and the rate per step as bars filling the second line to ``width``
        cells (at least MIN_BARS of them; short of room, the optimiser's name is left out:
        the autopilot is always the hypergradient)."""
        first = f"autopilot from lr {num(self.start_lr)}: {self._ending()}"
        span = f", its rate {self._rate_span()}" if self._rate_span() else ""
        spec = self.optimizer.spec()
        if len(spec + span) + 1 + MIN_BARS > width:
            spec = spec.split(":", 1)[-1]  # hypergradient:beta=0.0006 -> beta=0.0006
        second = spec + span
        return first, second, self.sparkline(max(MIN_BARS, width - len(second) - 1))

    def sparkline(self, width: int = 40) -> str:
        """The autopilot's rate per step as a row of bars (a rate chart in one line)."""
        return sparkline(self.rates, width)


def race(level, lr: float, optimizer: Optimizer | None = None) -> Race | None:
    """Play the autopilot from ``lr`` to the end of its run (None: no autopilot here)."""
    optimizer = optimizer or autopilot_optimizer(level)
    if optimizer is None:
        return None
    run = new_race_run(level, optimizer)
    run.play([float(lr)] * level.engine_goal.max_iterations)
    outcome = run.outcome.value if run.outcome is not None else "out_of_budget"
    return Race(optimizer, float(lr), run, outcome, run.iteration, level.n_params)


def compare(player_outcome: str, player_steps: int, race: Race) -> str:
    """The result's line: the player's steps against the autopilot's."""
    mine = "cleared" if player_outcome == "cleared" else None
    theirs = race.outcome == "cleared"
    if mine and theirs:
        if player_steps < race.steps:
            verdict = f"You beat the autopilot: {player_steps} steps to its {race.steps}."
        elif player_steps == race.steps:
            verdict = f"A tie with the autopilot: {player_steps} steps each."
        else:
            verdict = f"The autopilot won: {race.steps} steps to your {player_steps}."
    elif mine:
        verdict = f"You cleared in {player_steps} steps; the autopilot did not clear."
    elif theirs:
        verdict = f"The autopilot cleared in {race.steps} steps; you did not."
    else:
        verdict = "Neither you nor the autopilot cleared."
    return verdict


def sparkline(values, width: int = 40) -> str:
    """``values`` as bars from ▁ (the smallest) to █ (the largest), at most ``width``
    of them (every k-th value for a longer list; the last is always drawn)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return ""
    if v.size > width:
        idx = np.unique(np.append(np.linspace(0, v.size - 1, width).astype(int), v.size - 1))
        v = v[idx]
    lo, hi = float(v.min()), float(v.max())
    if hi == lo:
        return SPARKS[0] * v.size
    k = np.clip(((v - lo) / (hi - lo) * (len(SPARKS) - 1)).round().astype(int), 0, 7)
    return "".join(SPARKS[i] for i in k)
