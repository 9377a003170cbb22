"""Forecasts: what a run will do if every later step follows a rate rule.

The game never guesses the future from the last few steps. A forecast continues the
run from where it stands, with the engine's own descent (many rates at once), to the
end of its budget, and on past it to a long horizon, so that a bounce can be told
from a slow divergence. Every sentence the game says about the future is built on one.

API (stable; the play screen's preview and the diagnosis use it):

- ``RateRule(lr, schedule=CONSTANT)``: every later step's rate, a constant ``lr`` or a
  schedule from base rate ``lr`` continued at the run's own step count (step t uses the
  schedule's rate of epoch t, as ``play_schedule`` does).
- ``forecast(run, rule, budget=None, horizon=None, path=True) -> Forecast``.
- ``forecast_many(run, lrs, schedule=CONSTANT, budget=None, horizon=None, path=False)
  -> list[Forecast]``: one forecast per base rate, simulated together.
- ``Forecast``: ``outcome`` (Outcome) and ``iterations`` (the run's iteration where it
  ends; the budget if out of budget), ``start``, ``lr``, ``losses`` (the judged loss from
  ``start`` on, at most PATH_LIMIT + 1 of them), ``params`` (the path, (k, d); None for a
  grouped bowl or without ``path``), ``beyond`` / ``beyond_iterations`` (out of budget:
  what happens past it), ``horizon``, ``end_loss``; ``.diverges``, ``.steps``,
  ``.as_json()`` (the CLI's ``{"outcome", "iterations"}``).
- ``stable_below(run, lr_max, lr_min, schedule=CONSTANT, budget=None, horizon=None)
  -> float | None``: the edge of stability from here, by bisection on forecasts.
- ``max_stable_lr(landscape, goal, lr_min, lr_max) -> float | None``: the largest rate
  in range whose constant-rate run from the start never diverges (on a network: ends
  below its start, ``settling_edge(landscape, goal, lr_min, lr_max) -> (E, F)``).

``run`` is an engine ``Run`` (any landscape: expressions, bowls, line fits with
mini-batches, which continue with the same seeded batches) or the child's run
(``engine.dogs.ChildRun``: its stream ends, so nothing lies beyond the budget).
A bowl of more than ``GROUP_ABOVE`` parameters is forecast on one parameter per
distinct curvature holding that curvature's mass: exactly the same losses, at the
cost of a bowl of a few hundred parameters (see ``QuadraticBowl.grouped``); under a
constant rate in closed form per curvature (a million-parameter bowl: milliseconds).
Under an optimiser it is forecast on its twin under that optimiser (``engine.twin``),
where the run's rates so far lead on it, whenever the twin is smaller.

Cost: a forecast plays (budget - now) steps, plus the horizon for a run still going
when the budget runs out. For a quick look within the budget only (a preview on every
keypress), pass ``horizon=0``; ``beyond`` is then None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .descent import (
    _CLEARED,
    _DIVERGED,
    _OUT,
    _OUTCOMES,
    _RUNNING,
    Goal,
    Outcome,
    Run,
    _judge,
    divergence_bound,
    goal_accuracy,
    simulate,
    within_goal,
)
from .landscape import Landscape, QuadraticBowl
from .optimizers import SGD, Optimizer, put, take
from .rates import log_rates
from .schedules import CONSTANT
from .twin import twin_now

#: A bowl with more parameters than this is forecast on its twin (``engine.twin``: one
#: parameter per curvature, or under adam per curvature and start size), when the twin
#: is smaller: the same losses, no path of params.
GROUP_ABOVE = 1_000
#: The look past the budget: this many times the budget, within [HORIZON_MIN, HORIZON_MAX] steps.
HORIZON_FACTOR = 10
HORIZON_MIN = 2_000
HORIZON_MAX = 20_000
#: The losses and params of a forecast's path are kept for at most this many steps.
PATH_LIMIT = 5_000
#: Beyond the budget, a run whose largest gap over the last quarter of the horizon exceeds
#: the one over the quarter before by this factor is growing: it diverges given time.
#: (Mini-batch noise makes the gap jitter, so a noisy landscape needs a clear doubling.)
GROWTH = 1 + 1e-9
NOISY_GROWTH = 2.0
#: Beyond the budget, a run whose slope has fallen below this fraction of its slope at
#: the start while its loss stays above the target has come to rest in a dip: stuck.
REST_FRACTION = 1e-6
#: A run whose largest gap over the last quarter is at least this fraction of the quarter
#: before's is no longer getting closer: it stalls (bounces, jitters, or stands still).
BOUNCE_FRACTION = 0.99
NOISY_BOUNCE_FRACTION = 0.5
#: Bisection for the edge of stability: rates in the first sweep, per refinement, rounds.
EDGE_POINTS = 24
EDGE_REFINE = 16
EDGE_ROUNDS = 2
#: The edge of stability is looked for over at most this much of the budget (then the
#: horizon past it): a level with a budget of 100,000 steps does not cost millions.
EDGE_BUDGET = 5_000
#: Steps past the budget that max_stable_lr looks: growth that is slower than this shows
#: is at most a part in 1e9 per step, while every level's par pays this look once.
EDGE_HORIZON = 1_000

#: Words for what a run that is out of budget does beyond it.
CLEARS, DIVERGES, GROWS, STUCK, STALLS, CREEPS = (
    "clears",
    "diverges",
    "grows",
    "stuck",
    "stalls",
    "creeps",
)


@dataclass(frozen=True)
class RateRule:
    """The rate of every later step: constant ``lr``, or ``schedule`` from base ``lr``."""

    lr: float
    schedule: object = CONSTANT  # a Schedule (or ManualSchedule for a replay)

    def rate(self, t: int) -> float:
        """The rate of step ``t`` (0-based, counted like the run's iterations)."""
        return float(self.schedule.rates(np.array([self.lr]), t)[0])

    def describe(self) -> str:
        from ..text import num

        if self.schedule.name == "constant":
            return f"lr {num(self.lr)}"
        return f"{self.schedule.spec()} from base lr {num(self.lr)}"


@dataclass(frozen=True)
class Forecast:
    """What happens to a run if every later step follows one rate rule."""

    outcome: Outcome  # cleared, diverged or out_of_budget, within the budget
    iterations: int  # the run's iteration where it ends (the budget if out of budget)
    start: int  # the iteration it was made from
    lr: float  # the rule's base rate
    #: The judged loss at ``start``, ``start + 1``, ... (at most PATH_LIMIT + 1 entries;
    #: empty when made without a path).
    losses: np.ndarray
    #: The params along the same steps, (len(losses), d); None for grouped bowls or no path.
    params: np.ndarray | None
    #: Out of budget only: what the run does past the budget, up to ``horizon``:
    #: "clears" or "diverges" (at ``beyond_iterations``), "grows" (its swings grow: it
    #: diverges given time), "stuck" (comes to rest in a dip above the target), "stalls"
    #: (keeps its distance from the floor: it bounces between the walls, jitters with the
    #: noise, or its schedule has shrunk the rate to nothing), "creeps" (still getting
    #: closer at the horizon). None otherwise.
    beyond: str | None = None
    beyond_iterations: int | None = None
    horizon: int = 0  # the last iteration looked at
    #: The judged loss where the look ended: at ``iterations`` within the budget, else
    #: where the run cleared or diverged past it, or at the horizon.
    end_loss: float = math.nan

    @property
    def steps(self) -> int:
        """Steps from ``start`` to where the run ends within the budget."""
        return self.iterations - self.start

    @property
    def diverges(self) -> bool:
        """True when the run diverges, within the budget or beyond it."""
        return self.outcome is Outcome.DIVERGED or self.beyond in (DIVERGES, GROWS)

    def as_json(self) -> dict:
        return {"outcome": self.outcome.value, "iterations": int(self.iterations)}


# -- where a run stands ------------------------------------------------------------------


@dataclass
class _State:
    landscape: Landscape
    goal: Goal
    params: np.ndarray  # (d,)
    t: int
    held: int
    bound: float
    start_gradient: float
    grouped: bool = False  # played on a big bowl's twin: no path of params
    optimizer: Optimizer = SGD
    #: The optimiser's state where the run stands (one row), continued by the forecast.
    state: dict | None = None


def _state(run: Run) -> _State:
    landscape = run.landscape
    optimizer = run.optimizer
    state = getattr(run, "state", None) if run.iteration > 0 else None
    big = isinstance(landscape, QuadraticBowl) and landscape.n_params > GROUP_ABOVE
    now = twin_now(run) if big and not optimizer.plain else None
    grouped = big and (optimizer.plain or now is not None)
    if big and optimizer.plain:
        landscape = _grouped_now(run)
        params = landscape.start.copy()
    elif now is not None:  # under an optimiser: where the run stands on the bowl's twin
        landscape, params, kept = now
        state = kept if run.iteration > 0 else None  # at the start: the rates' own
    else:
        params = np.asarray(run.params, dtype=float)
    goal = run.goal
    held = 0
    for s in reversed(run.steps):
        if not within_goal(goal, run.landscape.minimum, s.full_loss, s.accuracy):
            break
        held += 1
    return _State(
        landscape,
        goal,
        params,
        run.iteration,
        held,
        divergence_bound(run.landscape, run.start_loss),
        run.steps[0].gradient_norm,
        grouped,
        optimizer,
        state,
    )


def _grouped_now(run: Run) -> QuadraticBowl:
    """The run's bowl now, one parameter per distinct curvature c: every parameter of the
    bowl has been multiplied by prod(1 - lr_s * c) over the steps taken, so the group's
    mass is its start mass times that product squared (O(steps x curvatures), not O(n))."""
    bowl = run.landscape
    start = getattr(bowl, "_grouped_start", None)
    if start is None:
        start = bowl._grouped_start = bowl.grouped()
    values = start.curvatures
    lrs = np.asarray(run.lrs, dtype=float)
    with np.errstate(all="ignore"):
        factor = np.prod(1.0 - lrs[:, None] * values[None, :], axis=0) if lrs.size else 1.0
        return QuadraticBowl(values, start.start * factor, bowl.minimum)


def start_state(landscape: Landscape, goal: Goal, optimizer: Optimizer = SGD) -> Run:
    """A fresh run at the start of ``landscape`` (what a forecast from step 0 continues)."""
    return Run(landscape, goal, optimizer=optimizer)


# -- the forecast ------------------------------------------------------------------------


def horizon_for(budget: int) -> int:
    """How many steps past the budget a forecast looks."""
    return int(min(max(HORIZON_FACTOR * budget, HORIZON_MIN), HORIZON_MAX))


def forecast(
    run, rule: RateRule | float, budget: int | None = None, horizon: int | None = None, path=True
) -> Forecast:
    """Continue ``run`` under ``rule`` to the end of the budget (and beyond, to tell
    a bounce from a slow divergence). ``horizon``: steps past the budget (0: none)."""
    if not isinstance(rule, RateRule):
        rule = RateRule(float(rule))
    return forecast_many(run, [rule.lr], rule.schedule, budget, horizon, path)[0]


def forecast_many(
    run,
    lrs,
    schedule=CONSTANT,
    budget: int | None = None,
    horizon: int | None = None,
    path: bool = False,
) -> list[Forecast]:
    """One forecast per base rate in ``lrs``, all simulated at once."""
    lrs = np.atleast_1d(np.asarray(lrs, dtype=float))
    from .dogs import ChildRun

    if isinstance(run, ChildRun):
        return _child_forecasts(run, lrs, schedule, budget, path)
    budget = run.goal.max_iterations if budget is None else int(budget)
    extra = horizon_for(budget) if horizon is None else max(int(horizon), 0)
    # an ended run has no future, except one out of budget: past it lies what it would do
    if run.over and not (run.outcome is Outcome.OUT_OF_BUDGET and extra > 0):
        return [_ended(run, float(lr), path) for lr in lrs]
    st = _state(run)
    if st.grouped and st.optimizer.plain and schedule.name == "constant":  # per curvature
        return [_bowl_forecast(st, float(lr), max(budget, st.t), extra, path) for lr in lrs]
    return _continue(st, lrs, schedule, max(budget, st.t), extra, path)


#: Rows of the (steps x curvatures) table a closed-form bowl forecast evaluates at once.
BOWL_CHUNK = 4096


def _bowl_gaps(w: np.ndarray, rho2: np.ndarray, j0: int, j1: int) -> np.ndarray:
    """The gap above the floor after j = j0 .. j1 - 1 more steps: sum(w * rho2**j)."""
    out = np.empty(max(j1 - j0, 0))
    with np.errstate(all="ignore"):
        for a in range(j0, j1, BOWL_CHUNK):
            j = np.arange(a, min(a + BOWL_CHUNK, j1), dtype=float)
            out[a - j0 : a - j0 + j.size] = np.power(rho2[None, :], j[:, None]) @ w
    return out


def _bowl_forecast(st: _State, lr: float, budget: int, extra: int, path: bool) -> Forecast:
    """A constant rate on a bowl, in closed form: after j more steps the parameters of
    curvature c hold (1 - lr*c)**(2j) times the loss they hold now. Within the budget and
    the horizon the gap is evaluated at every step (a table, not a loop); past them, the
    largest factor with any loss decides: above 1 it grows, 1 it stalls, below 1 the gap
    only shrinks, and the step it clears is found by bisection, however far away."""
    bowl, goal = st.landscape, st.goal
    c = bowl.curvatures
    with np.errstate(all="ignore"):
        w = 0.5 * c * st.params**2
        rho2 = (1.0 - lr * c) ** 2
    until = budget + extra
    gaps = _bowl_gaps(w, rho2, 0, until - st.t + 1)  # index j: iteration st.t + j
    minimum = bowl.minimum
    with np.errstate(all="ignore"):
        inside = np.abs(gaps) <= goal.loss_below
        bad = ~np.isfinite(gaps) | (gaps > st.bound)
    idx = np.arange(gaps.size)
    # iterations in a row within the goal up to each j (those up to now are st.held)
    mark = np.where(inside, 0, idx)
    last_out = np.maximum.accumulate(mark)
    held = idx - last_out + np.where(last_out == 0, st.held, 0)
    cleared = inside & (held >= goal.hold) & (idx > 0)
    bad[0] = False
    ends = np.flatnonzero(cleared | bad)
    end = int(ends[0]) if ends.size else None
    in_budget = end is not None and st.t + end <= budget
    if in_budget:
        outcome = Outcome.CLEARED if cleared[end] else Outcome.DIVERGED
        iters = st.t + end
    else:
        outcome, iters = Outcome.OUT_OF_BUDGET, budget
    beyond = beyond_at = None
    end_gap = gaps[end] if end is not None else gaps[-1]
    if not in_budget and extra > 0:
        if end is not None:
            beyond, beyond_at = (CLEARS if cleared[end] else DIVERGES), st.t + end
        else:
            beyond, beyond_at, end_gap = _bowl_beyond(w, rho2, goal, until - st.t)
            beyond_at = None if beyond_at is None else st.t + beyond_at
    k = min(iters - st.t, PATH_LIMIT) + 1
    return Forecast(
        outcome,
        iters,
        st.t,
        lr,
        (gaps[:k] + minimum) if path else np.zeros(0),
        None,
        beyond,
        beyond_at,
        until,
        float(end_gap + minimum),
    )


def _bowl_beyond(w: np.ndarray, rho2: np.ndarray, goal: Goal, j: int):
    """What a bowl run that neither cleared nor diverged by j more steps does later."""
    held = w > 0
    top = float(rho2[held].max()) if held.any() else 0.0
    gap = float(_bowl_gaps(w, rho2, j, j + 1)[0])
    if top > 1:
        return GROWS, None, gap
    if top == 1:
        return STALLS, None, gap
    # every factor is below 1: the gap only shrinks; find the first step within the goal
    hi = max(j, 1)
    while _bowl_gaps(w, rho2, hi, hi + 1)[0] > goal.loss_below:
        hi *= 2
        if hi > 1e15:
            return CREEPS, None, gap
    lo = j
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _bowl_gaps(w, rho2, mid, mid + 1)[0] > goal.loss_below:
            lo = mid
        else:
            hi = mid
    within = float(_bowl_gaps(w, rho2, hi, hi + 1)[0])
    return CLEARS, hi + goal.hold - 1, within


def _ended(run, lr: float, path: bool) -> Forecast:
    s = run.current
    losses = np.array([s.full_loss]) if path else np.zeros(0)
    params = s.params[None, :].copy() if (path and s.params is not None) else None
    return Forecast(
        run.outcome, run.iteration, run.iteration, lr, losses, params, end_loss=s.full_loss
    )


def _continue(
    st: _State, lrs: np.ndarray, schedule, budget: int, extra: int, path: bool
) -> list[Forecast]:
    landscape, goal = st.landscape, st.goal
    n = lrs.size
    minimum = landscape.minimum
    P = np.tile(st.params, (n, 1))
    optimizer = st.optimizer
    state = optimizer.init(lrs, landscape.n_params)
    if st.state is not None:  # the same optimiser, continued from where the run stands
        for key, value in st.state.items():
            state[key][:] = value[:1]
    keep = path and not st.grouped
    until = budget + extra
    codes = np.full(n, _RUNNING, dtype=np.int8)
    ended = np.full(n, until, dtype=np.int64)
    held = np.full(n, st.held, dtype=np.int64)
    with np.errstate(all="ignore"):
        loss = landscape.full_loss(P[:1], st.t)[0] * np.ones(n)
        losses = [loss.copy()] if path else []
        iterates = [P.copy()] if keep else []
        # beyond the budget: the largest gap over the third and over the last quarter
        q3, q4 = budget + extra // 2, budget + (3 * extra) // 4
        peak3, peak4 = np.zeros(n), np.zeros(n)
        out_of_budget = np.full(n, budget <= st.t)
        last_gnorm = np.full(n, np.nan)
        for t in range(st.t, until):
            active = np.flatnonzero(codes == _RUNNING)
            if active.size == 0:
                break
            whole = active.size == n  # every row still going: no gather or scatter
            Pa = P if whole else P[active]
            g = landscape.grad(Pa, t)
            if optimizer.plain:
                Pa -= schedule.rates(lrs[active], t)[:, None] * g
            else:
                sa = state if whole else take(state, active)
                # g is scratch for the step, except on the last, whose slope is kept
                spare = t + 1 != until
                optimizer.step(sa, Pa, g, schedule.rates(lrs[active], t), t, spare=spare)
                if not whole:
                    put(state, active, sa)
            if not whole:
                P[active] = Pa
            new = landscape.full_loss(Pa, t + 1)
            loss[active] = new
            h = held[active]
            status = _judge(new, minimum, goal, st.bound, h, goal_accuracy(landscape, goal, Pa))
            held[active] = h
            done = status != _RUNNING
            codes[active[done]] = status[done]
            ended[active[done]] = t + 1
            if t + 1 > q3:
                peak = peak3 if t + 1 <= q4 else peak4
                peak[active] = np.fmax(peak[active], np.abs(new - minimum))
            if t + 1 == until:
                last_gnorm[active] = landscape.gradient_norms(g)
            if path and t + 1 - st.t <= PATH_LIMIT:
                losses.append(loss.copy())
                if keep:
                    iterates.append(P.copy())
            if t + 1 == budget:  # the budget is spent: what follows lies beyond it
                out_of_budget |= codes == _RUNNING
    outcome_codes = np.where(out_of_budget | (codes == _RUNNING), _OUT, codes)
    noisy = bool(landscape.stochastic)
    out = []
    for i in range(n):
        code = int(outcome_codes[i])
        iters = budget if code == _OUT else int(ended[i])
        beyond = beyond_at = None
        if code == _OUT:
            beyond, beyond_at = _beyond(
                int(codes[i]),
                int(ended[i]),
                peak3[i],
                peak4[i],
                last_gnorm[i],
                abs(loss[i] - minimum),
                st,
                noisy,
                extra,
            )
        k = min(iters - st.t, PATH_LIMIT) + 1
        row_losses = np.array([step[i] for step in losses[:k]]) if path else np.zeros(0)
        row_params = np.array([step[i] for step in iterates[:k]]) if keep else None
        out.append(
            Forecast(
                _OUTCOMES[code],
                iters,
                st.t,
                float(lrs[i]),
                row_losses,
                row_params,
                beyond,
                beyond_at,
                budget + extra,
                float(loss[i]),
            )
        )
    return out


def _beyond(code, ended, peak3, peak4, gnorm, gap, st: _State, noisy, extra):
    """What an out-of-budget row did past the budget (see Forecast.beyond)."""
    if code == _CLEARED:
        return CLEARS, ended
    if code == _DIVERGED:
        return DIVERGES, ended
    if extra < 4:
        return None, None
    if not math.isfinite(peak3) or not math.isfinite(peak4):
        return DIVERGES, None
    if peak4 > peak3 * (NOISY_GROWTH if noisy else GROWTH):
        return GROWS, None
    if (
        not noisy
        and st.start_gradient > 0
        and gnorm <= REST_FRACTION * st.start_gradient
        and gap > st.goal.loss_below
    ):
        return STUCK, None
    if peak4 >= (NOISY_BOUNCE_FRACTION if noisy else BOUNCE_FRACTION) * peak3:
        return STALLS, None
    return CREEPS, None


# -- the child and the dogs --------------------------------------------------------------


def _child_forecasts(run, lrs: np.ndarray, schedule, budget, path: bool) -> list[Forecast]:
    """The child's run ends with its stream: continue it animal by animal for every rate.

    There is nothing beyond the stream, so ``beyond`` is always None; ``budget`` may
    only shorten the stream."""
    from .dogs import _finite, mistakes

    c = run.child
    last = run.max_steps if budget is None else min(run.max_steps, int(budget))
    t0 = run.iteration
    if run.over:
        return [_ended(run, float(lr), path) for lr in lrs]
    step = run.current
    n = lrs.size
    m = np.tile(step.params, (n, 1))
    s = np.tile(step.square, (n, 1))
    codes = np.full(n, _RUNNING, dtype=np.int8)
    ended = np.full(n, last, dtype=np.int64)
    losses = [np.full(n, float(step.loss))]
    iterates = [m.copy()]
    with np.errstate(all="ignore"):
        for t in range(t0, last):
            active = codes == _RUNNING
            r = schedule.rates(lrs, t)[:, None]
            x = c.stream[t]
            m = np.where(active[:, None], m - r * (m - x), m)
            s = np.where(active[:, None], s - r * (s - x * x), s)
            wrong = mistakes(c, m, s).astype(float)
            bad = active & ~_finite(m, s)
            codes[bad] = _DIVERGED
            ended[bad] = t + 1
            losses.append(np.where(active, wrong, losses[-1]))
            iterates.append(m.copy())
        final = mistakes(c, m, s)
        running = codes == _RUNNING
        codes[running & (final == 0)] = _CLEARED
        codes[running & (final != 0)] = _OUT
    out = []
    for i in range(n):
        k = int(ended[i]) - t0 + 1
        out.append(
            Forecast(
                _OUTCOMES[int(codes[i])],
                int(ended[i]),
                t0,
                float(lrs[i]),
                np.array([row[i] for row in losses[:k]]) if path else np.zeros(0),
                np.array([row[i] for row in iterates[:k]]) if path else None,
                horizon=last,
                end_loss=float(losses[-1][i]),
            )
        )
    return out


# -- the edge of stability ---------------------------------------------------------------


def stable_below(
    run,
    lr_max: float,
    lr_min: float,
    schedule=CONSTANT,
    budget: int | None = None,
    horizon: int | None = None,
) -> float | None:
    """The largest rate E in [lr_min, lr_max] such that no rate tried at or below E
    diverges from here, however long it runs (up to the horizon); found by bisection
    on forecasts. None when even ``lr_min`` diverges; ``lr_max`` when no rate does."""
    if not 0 < lr_min < lr_max:
        return None
    plain = run.optimizer.plain
    if plain and isinstance(run.landscape, QuadraticBowl) and schedule.name == "constant":
        # exact: a constant rate diverges from here iff it exceeds 2 / the steepest
        # curvature that still holds any loss (at 2 / c it bounces for ever)
        params = np.asarray(run.params, dtype=float)
        bowl = run.landscape
        held = (params != 0) & (bowl.curvatures > 0)
        if not held.any():
            return float(lr_max)
        edge = 2.0 / float(bowl.curvatures[held].max())
        return None if edge < lr_min else float(min(edge, lr_max))

    def unstable(lrs: np.ndarray) -> np.ndarray:
        fs = forecast_many(run, lrs, schedule, budget, horizon)
        return np.array([f.diverges for f in fs])

    lrs = log_rates(lr_min, lr_max, EDGE_POINTS)
    bad = unstable(lrs)
    if not bad.any():
        return float(lr_max)
    i = int(np.flatnonzero(bad)[0])
    if i == 0:
        return None
    lo, hi = float(lrs[i - 1]), float(lrs[i])
    for _ in range(EDGE_ROUNDS):
        fine = log_rates(lo, hi, EDGE_REFINE)
        bad = unstable(fine)
        j = int(np.flatnonzero(bad)[0]) if bad.any() else fine.size
        lo = float(fine[max(j - 1, 0)])
        if j == fine.size:
            break
        hi = float(fine[j])
    return lo


def max_stable_lr(
    landscape: Landscape, goal: Goal, lr_min: float, lr_max: float, optimizer: Optimizer = SGD
) -> float | None:
    """The largest rate in [lr_min, lr_max] whose constant-rate run from the start does
    not diverge however long it runs (a bounce between the walls counts as stable);
    ``optimizer``: under that optimiser (plain descent by default).

    On a quadratic bowl this is exactly 2 / (the largest curvature that holds any of the
    start), capped at ``lr_max``. Elsewhere it is the bisection of ``stable_below`` from
    the start, looking well past the budget: the last rate found stable, a little below
    the first found unstable (growth, however slow, counts as unstable).

    On a landscape with ``stable_when_loss_falls`` (a network) a rate is stable when its
    run over the budget ends with a finite loss below its start: ``settling_edge``."""
    if landscape.stable_when_loss_falls:
        return settling_edge(landscape, goal, lr_min, lr_max, optimizer)[0]
    budget = min(goal.max_iterations, EDGE_BUDGET)
    return stable_below(
        Run(landscape, goal, optimizer=optimizer),
        lr_max,
        lr_min,
        CONSTANT,
        budget=budget,
        horizon=EDGE_HORIZON,
    )


def ends_below_start(
    landscape: Landscape, goal: Goal, lrs, optimizer: Optimizer = SGD
) -> np.ndarray:
    """Per rate of ``lrs``: does its constant-rate run, played over the whole budget (at
    most EDGE_BUDGET steps; a goal reached on the way does not stop it), end with a
    finite loss (over all the data) below the loss it started at?"""
    whole = Goal(-1.0, min(goal.max_iterations, EDGE_BUDGET))  # never within: no early end
    batch = simulate(landscape, lrs, whole, optimizer=optimizer)
    with np.errstate(invalid="ignore"):
        return (
            ~batch.diverged & np.isfinite(batch.final_loss) & (batch.final_loss < batch.start_loss)
        )


def settling_edge(
    landscape: Landscape, goal: Goal, lr_min: float, lr_max: float, optimizer: Optimizer = SGD
) -> tuple[float | None, float | None]:
    """(E, F): E the largest rate in [lr_min, lr_max] such that every rate tried at or
    below it ends below its start (``ends_below_start``), F the first rate tried above it
    that does not (E is within a few percent of F), by bisection on log-spaced sweeps.
    (lr_max, None) when no rate fails; (None, lr_min) when even lr_min does."""
    if not 0 < lr_min < lr_max:
        return None, None
    lrs = log_rates(lr_min, lr_max, EDGE_POINTS)
    bad = ~ends_below_start(landscape, goal, lrs, optimizer)
    if not bad.any():
        return float(lr_max), None
    i = int(np.flatnonzero(bad)[0])
    if i == 0:
        return None, float(lrs[0])
    lo, hi = float(lrs[i - 1]), float(lrs[i])
    for _ in range(EDGE_ROUNDS):
        fine = log_rates(lo, hi, EDGE_REFINE)
        bad = ~ends_below_start(landscape, goal, fine, optimizer)
        j = int(np.flatnonzero(bad)[0]) if bad.any() else fine.size
        lo = float(fine[max(j - 1, 0)])
        if j == fine.size:
            break
        hi = float(fine[j])
    return lo, hi
