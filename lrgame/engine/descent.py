"""Plain gradient descent, vectorised over many learning rates at once.

Iteration 0 is the start; each step does ``params <- params - lr_k * grad(params)``.
A run stops at the first iteration whose loss is within ``loss_below`` of the
landscape's minimum (cleared), when the loss stops being a finite number or rises
above the divergence bound (diverged), or after ``max_iterations`` steps
(out_of_budget).

On a stochastic landscape (mini-batches) the step and the loss the player sees use
the batch of that step, but the outcome is judged on the loss over all the data
(``Landscape.full_loss``): clearing is never a lucky batch. ``simulate`` (sweeps,
par) records only that full-data loss.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .landscape import Landscape
from .optimizers import SGD, Optimizer, take
from .schedules import CONSTANT

#: A run has diverged once loss - minimum exceeds this many times max(start gap, 1).
DIVERGE_FACTOR = 1e6
#: Runs with at most this many parameters keep every iterate (cheap undo, full tables).
KEEP_PARAMS_LIMIT = 10_000
#: Parameters whose traces are kept for big landscapes.
TRACE_COUNT = 6


class Outcome(str, enum.Enum):
    CLEARED = "cleared"
    DIVERGED = "diverged"
    OUT_OF_BUDGET = "out_of_budget"

    def __str__(self) -> str:
        return self.value


_RUNNING, _CLEARED, _DIVERGED, _OUT = 0, 1, 2, 3
_OUTCOMES = {_CLEARED: Outcome.CLEARED, _DIVERGED: Outcome.DIVERGED, _OUT: Outcome.OUT_OF_BUDGET}


@dataclass(frozen=True)
class Goal:
    """Clear the level when loss - minimum <= loss_below within max_iterations steps.

    With ``hold`` above 1 the loss must stay within the target for that many
    iterations in a row (the run clears at the last of them): on a mini-batch
    landscape a noisy path can pass through the target by chance, but only a
    rate small enough for the noise stays there.

    With ``accuracy_at_least`` (a landscape that classifies: a network) the run is
    within the goal when the share of all the data it labels right is at least that,
    and ``loss_below`` is 0 (no loss target); it still diverges by its loss.
    """

    loss_below: float
    max_iterations: int
    hold: int = 1
    accuracy_at_least: float | None = None


def within_goal(goal: Goal, minimum: float, loss, accuracy=None):
    """Per row: is the run within the goal's target (its loss near the minimum, or under
    an accuracy goal its accuracy high enough)? ``accuracy``: ``goal_accuracy``'s."""
    if goal.accuracy_at_least is None:
        return np.abs(np.asarray(loss) - minimum) <= goal.loss_below
    return np.asarray(accuracy) >= goal.accuracy_at_least


def goal_accuracy(landscape: Landscape, goal: Goal, P: np.ndarray) -> np.ndarray | None:
    """The accuracy of each row of ``P`` where ``goal`` judges accuracy, else None."""
    if goal.accuracy_at_least is None:
        return None
    with np.errstate(all="ignore"):
        return landscape.accuracy(P)


def divergence_bound(landscape: Landscape, start_loss: float) -> float:
    """The loss gap above which a run counts as diverged."""
    gap = abs(start_loss - landscape.minimum)
    return DIVERGE_FACTOR * max(gap, 1.0)


def _judge(
    loss: np.ndarray,
    minimum: float,
    goal: Goal,
    bound: float,
    held: np.ndarray | None = None,
    accuracy: np.ndarray | None = None,
) -> np.ndarray:
    """Status code per row after a step: cleared, diverged or still running.

    ``held`` counts, per row, the iterations in a row within the target so far
    (updated in place); without it a row clears as soon as it is within.
    ``accuracy``: each row's, under an accuracy goal (``goal_accuracy``).
    """
    gap = loss - minimum
    inside = within_goal(goal, minimum, loss, accuracy)
    if held is not None:
        held[:] = np.where(inside, held + 1, 0)
        inside = held >= goal.hold
    status = np.full(loss.shape, _RUNNING, dtype=np.int8)
    status[inside] = _CLEARED
    status[~np.isfinite(loss) | (gap > bound)] = _DIVERGED
    return status


@dataclass
class RateRuns:
    """The result of one run per learning rate."""

    lrs: np.ndarray
    codes: np.ndarray  # int8 status codes
    iterations: np.ndarray  # steps taken
    final_loss: np.ndarray  # the judged (full-data) loss where each run ended
    lowest_loss: np.ndarray  # lowest finite judged loss seen along the run
    start_loss: float

    def outcome(self, i: int) -> Outcome:
        return _OUTCOMES[int(self.codes[i])]

    @property
    def cleared(self) -> np.ndarray:
        return self.codes == _CLEARED

    @property
    def diverged(self) -> np.ndarray:
        return self.codes == _DIVERGED


#: Numbers one vectorised array of a sweep may hold (16 MB of floats): rates are run
#: in chunks of at most this many numbers over the parameters they move, so a sweep's
#: memory stays bounded whatever the level's size and the number of rates.
CHUNK_NUMBERS = 1 << 21


def in_chunks(
    lrs: np.ndarray, numbers_per_rate: int, run: Callable[[np.ndarray], RateRuns]
) -> RateRuns:
    """``run`` over ``lrs`` (split along its first axis) in chunks of at most CHUNK_NUMBERS
    numbers, the batches joined in order."""
    size = max(1, CHUNK_NUMBERS // max(1, int(numbers_per_rate)))
    if lrs.shape[0] <= size:
        return run(lrs)
    parts = [run(lrs[i : i + size]) for i in range(0, lrs.shape[0], size)]
    return RateRuns(
        *(np.concatenate([getattr(p, name) for p in parts]) for name in _BATCH_ARRAYS),
        start_loss=parts[0].start_loss,
    )


_BATCH_ARRAYS = ("lrs", "codes", "iterations", "final_loss", "lowest_loss")
#: A sweep cuts the rows of ended runs out of its arrays once more than this share of
#: them have ended: until then they ride along (cheaper than gathering every array).
CUT_SHARE = 0.125


def simulate(
    landscape: Landscape, lrs, goal: Goal, schedule=CONSTANT, optimizer: Optimizer = SGD
) -> RateRuns:
    """Run descent for every base learning rate in ``lrs``, vectorised, in chunks;
    ``optimizer`` moves the params from each step's gradient (plain descent by default)."""
    lrs = np.atleast_1d(np.asarray(lrs, dtype=float))
    if optimizer.plain and (own := landscape.plain_sweep(lrs, goal, schedule)) is not None:
        return own
    numbers = landscape.numbers_per_rate + landscape.n_params * optimizer.state_arrays
    return in_chunks(
        lrs, numbers, lambda part: _simulate(landscape, part, goal, schedule, optimizer)
    )


def _simulate(
    landscape: Landscape, lrs: np.ndarray, goal: Goal, schedule, optimizer: Optimizer = SGD
) -> RateRuns:
    with np.errstate(all="ignore"):
        start_loss = float(landscape.full_loss(landscape.start[None, :], 0)[0])
        runs = SweepRecord(landscape, lrs, goal, start_loss, cut_share=CUT_SHARE)
        P = np.tile(landscape.start, (runs.rows.size, 1))
        base = lrs[runs.rows]
        state = optimizer.init(base, landscape.n_params)
        for t in range(goal.max_iterations):
            if runs.rows.size == 0:
                break
            rates = schedule.rates(base, t)
            # the gradient is this loop's own: the step may use it as scratch
            optimizer.step(state, P, landscape.grad(P, t), rates, t, spare=True)
            new_loss = landscape.full_loss(P, t + 1)
            going = runs.record(new_loss, t, goal_accuracy(landscape, goal, P))
            if going is not None:
                P, base = P[going], base[going]
                state = take(state, going)
    return runs.result()


class SweepRecord:
    """What a sweep records of its runs, one per rate: the judged loss, the lowest loss,
    the steps taken and the outcome; and which runs are still going (``rows``: their
    places in lrs), with the iterations in a row each has been within the target.

    A run that ends keeps its row, pointed at a spare slot past the n rates, until more
    than ``cut_share`` of the rows have ended: then the rows are cut down, so a step
    seldom gathers every row of the caller's arrays (nor an optimiser's state)."""

    def __init__(
        self, landscape: Landscape, lrs: np.ndarray, goal: Goal, start_loss: float, cut_share=0.0
    ):
        n = self.n = lrs.shape[0]
        self.lrs, self.goal, self.minimum = lrs, goal, landscape.minimum
        self.start_loss = start_loss
        self.cut_share = cut_share
        self.bound = divergence_bound(landscape, start_loss)
        # one slot past the n rates: where the rows of runs that have ended write
        self.loss = np.full(n + 1, start_loss)
        self.lowest = self.loss.copy()
        held = np.zeros(n + 1, dtype=np.int64)
        accuracy = goal_accuracy(landscape, goal, landscape.start[None, :])
        if accuracy is not None:
            accuracy = np.repeat(accuracy, n + 1)
        self.codes = _judge(self.loss, self.minimum, goal, self.bound, held, accuracy)
        self.iterations = np.zeros(n + 1, dtype=np.int64)
        self.rows = np.flatnonzero(self.codes[:n] == _RUNNING)
        self.held = held[self.rows]
        self.ended = 0  # rows pointed at the spare slot

    def record(
        self, new_loss: np.ndarray, t: int, accuracy: np.ndarray | None = None
    ) -> np.ndarray | None:
        """Record the judged loss (and, under an accuracy goal, the accuracy) of the rows
        after step ``t``; None if the rows stay as they are, else which of them are kept
        (``rows`` is cut down to those)."""
        rows, n = self.rows, self.n
        self.loss[rows] = new_loss
        self.lowest[rows] = np.fmin(self.lowest[rows], new_loss)
        self.iterations[rows] = t + 1
        status = _judge(new_loss, self.minimum, self.goal, self.bound, self.held, accuracy)
        done = (status != _RUNNING) & (rows != n)
        if not done.any():
            return None
        self.codes[rows] = status
        rows[done] = n
        self.ended += int(done.sum())
        if self.ended <= rows.size * self.cut_share and self.ended < rows.size:
            return None
        going = rows != n
        self.rows, self.held, self.ended = rows[going], self.held[going], 0
        return going

    def result(self) -> RateRuns:
        """The runs, those still going counted as out of budget."""
        n = self.n
        codes = self.codes[:n]
        codes[codes == _RUNNING] = _OUT
        return RateRuns(
            self.lrs, codes, self.iterations[:n], self.loss[:n], self.lowest[:n], self.start_loss
        )


@dataclass
class Step:
    """One iterate of a run: where descent stands after ``iteration`` steps."""

    iteration: int
    lr: float | None  # the rate of the step that led here; None at the start
    loss: float
    params: np.ndarray | None  # None for big landscapes (see param_norm, trace)
    gradient: np.ndarray | None  # the slope at these params
    param_norm: float
    gradient_norm: float
    trace: np.ndarray  # a few parameters' values, for charts of big landscapes
    #: The loss the outcome is judged on: ``loss`` itself, except on a stochastic
    #: landscape, where ``loss`` is the mini-batch's and this is over all the data.
    full_loss: float = float("nan")
    #: The rate the player set for this step, where the optimiser used another
    #: (the hypergradient sets its own); None when ``lr`` is the rate set.
    set_lr: float | None = None
    #: Momentum's velocity after this step (None without momentum or for big landscapes).
    velocity: np.ndarray | None = None
    #: The share of all the data labelled right, under a goal that judges it (else None).
    accuracy: float | None = None
    #: How far the step that led here moved the params, under an optimiser (None under
    #: plain descent, whose step is lr × the last |gradient|, and at the start).
    move_norm: float | None = None


class RunOver(RuntimeError):
    """A step was asked of a run that has already ended."""


class RunState:
    """What every kind's run answers from its list of steps (Run, the child's run)."""

    steps: list[Step]
    outcome: Outcome | None
    #: What turns each step's gradient into its move (a kind's own learner: plain sgd).
    optimizer: Optimizer = SGD

    @property
    def iteration(self) -> int:
        return self.steps[-1].iteration

    @property
    def current(self) -> Step:
        return self.steps[-1]

    @property
    def loss(self) -> float:
        return self.steps[-1].loss

    @property
    def lrs(self) -> list[float]:
        """The rate of every step taken, in order."""
        return [s.lr for s in self.steps[1:]]

    @property
    def set_lrs(self) -> list[float]:
        """The rate the player set for every step (what a replay plays again): ``lrs``,
        except under an optimiser that sets its own rate."""
        return [s.lr if s.set_lr is None else s.set_lr for s in self.steps[1:]]

    @property
    def over(self) -> bool:
        return self.outcome is not None

    def play(self, lrs):
        """Take a step for every rate in ``lrs`` until the run ends; returns the run."""
        for lr in lrs:
            if self.over:
                break
            self.step(lr)
        return self


@dataclass
class Run(RunState):
    """One player's run, step by step, with undo. The engine behind the play screen."""

    landscape: Landscape
    goal: Goal
    steps: list[Step] = field(default_factory=list)
    outcome: Outcome | None = None
    #: What turns each step's gradient into its move (plain descent by default).
    optimizer: Optimizer = SGD

    def __post_init__(self) -> None:
        n = self.landscape.n_params
        self._keep = n <= KEEP_PARAMS_LIMIT
        self.trace_index = np.unique(np.linspace(0, n - 1, min(n, TRACE_COUNT)).astype(int))
        with np.errstate(all="ignore"):
            start_loss = float(self.landscape.full_loss(self.landscape.start[None, :], 0)[0])
        self.start_loss = start_loss
        self._bound = divergence_bound(self.landscape, start_loss)
        self.reset()

    @property
    def params(self) -> np.ndarray:
        return self._params.copy()

    # -- actions ---------------------------------------------------------------
    def reset(self) -> None:
        self._params = self.landscape.start.astype(float).copy()
        self.state = self.optimizer.init(np.zeros(1), self.landscape.n_params)
        self._states = [self.state]
        self._back = None  # a big run's params and state before its last step (cheap undo)
        self.steps = [self._make_step(0, None, self._params, 0)]
        self.outcome = self._outcome_of(self.steps[0])

    def step(self, lr: float) -> Step:
        """Take one step of descent with learning rate ``lr`` (under an optimiser that
        sets its own rate, ``lr`` is where that rate starts: it counts on the first step)."""
        if self.over:
            raise RunOver(f"the run has ended ({self.outcome})")
        t = self.iteration
        before, state = self._params, self.state
        used, velocity = self._move(float(lr), t)
        if not self._keep:  # the arrays a step replaces: kept, so one undo needs no replay
            self._back = (t, before, state)
        step = self._make_step(t + 1, used, self._params, t + 1)
        if used != float(lr):
            step.set_lr = float(lr)
        step.velocity = velocity
        if not self.optimizer.plain:
            with np.errstate(all="ignore"):
                step.move_norm = float(np.linalg.norm(self._params - before))
        self.steps.append(step)
        self.outcome = self._outcome_of(step)
        return step

    def _move(self, lr: float, t: int) -> tuple[float, np.ndarray | None]:
        """Move the params by one step; the rate used and momentum's velocity."""
        opt = self.optimizer
        with np.errstate(all="ignore"):
            if opt.plain:
                self._params = self._params - lr * self._grad
                return lr, None
            if t == 0 and opt.sets_own_rate:
                self.state["lr"][:] = lr
            state = {k: v.copy() for k, v in self.state.items()}
            P = self._params[None, :].copy()
            used = float(opt.step(state, P, self._grad[None, :], np.array([lr]), t)[0])
        self._params = P[0]
        self.state = state
        if self._keep:
            self._states.append(state)
        velocity = state.get("velocity")
        keep_velocity = velocity is not None and self._keep
        return used, velocity[0].copy() if keep_velocity else None

    def undo(self) -> bool:
        """Take back the last step; False at the start."""
        if len(self.steps) == 1:
            return False
        self.steps.pop()
        back, self._back = self._back, None
        if back is not None and back[0] == self.iteration:  # the step just taken
            self._params, self.state = back[1], back[2]
        elif self._keep:
            self._params = self.steps[-1].params.copy()
            if not self.optimizer.plain:
                del self._states[len(self.steps) :]
                self.state = self._states[-1]
        elif not self.optimizer.plain:  # replay the steps kept: the state moves with them
            kept = self.steps[1:]
            self.steps = self.steps[:1]
            self._params = self.landscape.start.astype(float).copy()
            self.state = self.optimizer.init(np.zeros(1), self.landscape.n_params)
            for t, s in enumerate(kept):
                self._grad = self._gradient_at(self._params, t)
                self._move(s.lr if s.set_lr is None else s.set_lr, t)
            self.steps += kept
        else:  # re-simulate: storing every iterate of a huge landscape would cost gigabytes
            params = self.landscape.start.astype(float).copy()
            with np.errstate(all="ignore"):
                for t, s in enumerate(self.steps[1:]):
                    params = params - s.lr * self._gradient_at(params, t)
            self._params = params
        with np.errstate(all="ignore"):
            self._grad = self._gradient_at(self._params, self.iteration)
        self.outcome = self._outcome_of(self.steps[-1])
        return True

    # -- helpers ---------------------------------------------------------------
    def _gradient_at(self, params: np.ndarray, t: int) -> np.ndarray:
        return self.landscape.grad(params[None, :], t)[0]

    def _make_step(self, iteration: int, lr: float | None, params: np.ndarray, t: int) -> Step:
        with np.errstate(all="ignore"):
            loss = float(self.landscape.loss(params[None, :], t)[0])
            full = (
                float(self.landscape.full_loss(params[None, :], t)[0])
                if self.landscape.stochastic
                else loss
            )
            grad = self._gradient_at(params, t)
            self._grad = grad
            pnorm = float(np.linalg.norm(params))
            gnorm = float(np.linalg.norm(grad))
            accuracy = goal_accuracy(self.landscape, self.goal, params[None, :])
        return Step(
            iteration=iteration,
            lr=lr,
            loss=loss,
            params=params.copy() if self._keep else None,
            gradient=grad.copy() if self._keep else None,
            param_norm=pnorm,
            gradient_norm=gnorm,
            trace=params[self.trace_index].copy(),
            full_loss=full,
            accuracy=None if accuracy is None else float(accuracy[0]),
        )

    def within(self, step: Step) -> bool:
        """Is ``step`` within the goal's target (loss, or accuracy under an accuracy goal)?"""
        return bool(within_goal(self.goal, self.landscape.minimum, step.full_loss, step.accuracy))

    def _outcome_of(self, step: Step) -> Outcome | None:
        held = np.zeros(1, dtype=np.int64)
        if self.goal.hold > 1:  # iterations in a row within the target before this one
            for s in reversed(self.steps[-self.goal.hold : -1]):
                if not self.within(s):
                    break
                held += 1
        accuracy = None if step.accuracy is None else np.array([step.accuracy])
        code = _judge(
            np.array([step.full_loss]),
            self.landscape.minimum,
            self.goal,
            self._bound,
            held,
            accuracy,
        )[0]
        if code != _RUNNING:
            return _OUTCOMES[int(code)]
        if step.iteration >= self.goal.max_iterations:
            return Outcome.OUT_OF_BUDGET
        return None


def play_schedule(run, lr: float, schedule=CONSTANT):
    """Step ``run`` (a Run, or any kind's run with the same surface) with a schedule's
    rates from base rate ``lr`` until it ends; step t uses the rate of epoch t."""
    base = np.array([lr], dtype=float)
    while not run.over:
        run.step(float(schedule.rates(base, run.iteration)[0]))
    return run


def run_schedule(
    landscape: Landscape, goal: Goal, lr: float, schedule=CONSTANT, optimizer: Optimizer = SGD
) -> Run:
    """One full run with a base rate and a schedule, recorded step by step."""
    return play_schedule(Run(landscape, goal, optimizer=optimizer), lr, schedule)
