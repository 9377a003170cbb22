"""The child and the dogs: a learner that forms its idea of "dog" by online gradient descent.

The child's idea of a dog is a prototype: for every feature (how dark the coat is, how
much it barks, ...) a running mean ``m`` and a running mean of the square ``s``. Each
animal ``x`` the child is told is a dog moves both by one step of gradient descent on a
squared error, with the learning rate ``lr``::

    m <- m - lr * (m - x)          # the slope of 1/2 (x - m)**2 by m is (m - x)
    s <- s - lr * (s - x**2)       # the slope of 1/2 (x**2 - s)**2 by s is (s - x**2)

The spread of a feature is ``sqrt(max(s - m**2, 0) + min_spread**2)``: for rates up to 1,
``s - m**2`` is the exponentially weighted variance of what the child has seen, and
``min_spread`` keeps the child from ever being infinitely sure. The child says "a dog"
when every feature of an animal lies within ``threshold`` spreads of the prototype.

The first dogs (the ten black ones) are learned at the level's own fixed rate, starting
from the first of them; the player's rate governs the animals that come after. Everything
is vectorised over learning rates: arrays have shape ``(n_rates, ..., n_features)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .descent import (
    _CLEARED,
    _DIVERGED,
    _OUT,
    Goal,
    Outcome,
    RateRuns,
    RunOver,
    RunState,
    Step,
    in_chunks,
)
from .landscape import Landscape
from .rates import log_rates

#: Points of the coarse sweep that finds the good window, and bisection rounds per edge.
WINDOW_POINTS = 400
EDGE_ROUNDS = 50


@dataclass(frozen=True)
class Child:
    """Everything that decides the child's answers except the player's learning rate."""

    features: tuple[str, ...]
    first_names: tuple[str, ...]
    first_dogs: np.ndarray  # (k, d): the dogs that formed the child's idea
    first_lr: float  # the fixed rate they were learned at
    stream_names: tuple[str, ...]
    stream: np.ndarray  # (n, d): the animals learned at the player's rate, all told "a dog"
    quiz_keys: tuple[str, ...]
    quiz_names: tuple[str, ...]
    quiz: np.ndarray  # (q, d)
    quiz_is_dog: np.ndarray  # (q,) bool: the right answers
    threshold: float
    min_spread: float

    @property
    def n_steps(self) -> int:
        return int(self.stream.shape[0])

    def first_idea(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean, mean square) after the first dogs, each (d,)."""
        return _first_idea_path(self)[-1]


def _first_idea_path(child: Child) -> list[tuple[np.ndarray, np.ndarray]]:
    # the very first dog is the whole idea; every later one moves it at the fixed rate
    x0 = child.first_dogs[0]
    m, s = x0.copy(), x0 * x0
    path = [(m, s)]
    for x in child.first_dogs[1:]:
        m = m - child.first_lr * (m - x)
        s = s - child.first_lr * (s - x * x)
        path.append((m, s))
    return path


def first_beliefs(child: Child) -> tuple[np.ndarray, np.ndarray]:
    """The idea after each of the first dogs: (mean, mean square), each (k, d)."""
    path = _first_idea_path(child)
    return np.array([p[0] for p in path]), np.array([p[1] for p in path])


@dataclass(frozen=True)
class Beliefs:
    """The child's idea after each step, for every rate: entry 0 is the idea before the stream."""

    lrs: np.ndarray  # (r,) base rates, or (r, n) one rate per step
    mean: np.ndarray  # (r, n + 1, d)
    square: np.ndarray  # (r, n + 1, d)
    min_spread: float

    @property
    def spread(self) -> np.ndarray:
        return spread(self.mean, self.square, self.min_spread)


def spread(mean: np.ndarray, square: np.ndarray, min_spread: float) -> np.ndarray:
    """How widely a feature may vary and still fit the idea, per feature."""
    with np.errstate(all="ignore"):
        return np.sqrt(np.maximum(square - mean * mean, 0.0) + min_spread**2)


def _rates(lrs, n: int) -> np.ndarray:
    """Rates as (r, n): one row per run, one column per step."""
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim <= 1:
        lrs = np.atleast_1d(lrs)
        return np.repeat(lrs[:, None], n, axis=1)
    if lrs.shape[1] != n:
        raise ValueError(f"per-step rates need {n} columns, got {lrs.shape[1]}")
    return lrs


def learn(child: Child, lrs) -> Beliefs:
    """The child's idea after every animal of the stream, for every learning rate at once.

    ``lrs`` is (r,) constant rates, or (r, n) with the rate of every step.
    """
    n = child.n_steps
    rates = _rates(lrs, n)
    r, d = rates.shape[0], len(child.features)
    m0, s0 = child.first_idea()
    mean = np.empty((r, n + 1, d))
    square = np.empty((r, n + 1, d))
    mean[:, 0], square[:, 0] = m0, s0
    with np.errstate(all="ignore"):
        for t in range(n):
            x = child.stream[t]
            lr = rates[:, t, None]
            mean[:, t + 1] = mean[:, t] - lr * (mean[:, t] - x)
            square[:, t + 1] = square[:, t] - lr * (square[:, t] - x * x)
    return Beliefs(np.asarray(lrs, dtype=float), mean, square, child.min_spread)


def distances(child: Child, mean: np.ndarray, square: np.ndarray) -> np.ndarray:
    """How many spreads each quiz animal lies from the idea, per feature: (..., q, d)."""
    sd = spread(mean, square, child.min_spread)
    with np.errstate(all="ignore"):
        return np.abs(child.quiz - mean[..., None, :]) / sd[..., None, :]


def says_dog(child: Child, mean: np.ndarray, square: np.ndarray) -> np.ndarray:
    """True where the child calls a quiz animal a dog: (..., q).

    A prototype that is not a number (a rate far past 2 blows it up) recognises nothing.
    """
    z = distances(child, mean, square)
    return np.all(z <= child.threshold, axis=-1)


def mistakes(child: Child, mean: np.ndarray, square: np.ndarray) -> np.ndarray:
    """Wrong quiz answers: (...,) integers."""
    return np.sum(says_dog(child, mean, square) != child.quiz_is_dog, axis=-1)


def _finite(mean: np.ndarray, square: np.ndarray) -> np.ndarray:
    return np.all(np.isfinite(mean) & np.isfinite(square), axis=-1)


def simulate(child: Child, lrs) -> RateRuns:
    """One run through the stream per learning rate, judged by the quiz at the end.

    Every rate keeps the child's idea after each animal and its distance to each quiz
    animal, so rates are run in chunks (see descent.in_chunks) to bound the memory.
    """
    lrs = np.asarray(lrs, dtype=float)
    lrs = lrs if lrs.ndim > 1 else np.atleast_1d(lrs)
    per_rate = (child.n_steps + 1) * numbers_per_step(child)
    return in_chunks(lrs, per_rate, lambda part: _simulate(child, part))


def numbers_per_step(child: Child) -> int:
    """Numbers one animal of the stream makes for one rate in ``simulate``: the idea
    (mean and square) and its distance to every quiz animal, feature by feature."""
    return len(child.features) * (4 + 2 * len(child.quiz))


def _simulate(child: Child, lrs: np.ndarray) -> RateRuns:
    b = learn(child, lrs)
    wrong = mistakes(child, b.mean, b.square).astype(float)  # (r, n + 1)
    finite = _finite(b.mean[:, -1], b.square[:, -1])
    codes = np.where(wrong[:, -1] == 0, _CLEARED, _OUT).astype(np.int8)
    codes[~finite] = _DIVERGED
    lrs = np.asarray(lrs, dtype=float)
    base = lrs if lrs.ndim <= 1 else np.exp(np.log(lrs).mean(axis=1))
    return RateRuns(
        lrs=np.atleast_1d(base),
        codes=codes,
        iterations=np.full(wrong.shape[0], child.n_steps, dtype=np.int64),
        final_loss=wrong[:, -1],
        lowest_loss=wrong.min(axis=1),
        start_loss=float(wrong[0, 0]),
    )


# -- the good window --------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The widest stretch of constant rates at which the child answers the whole quiz right."""

    lo: float
    hi: float

    @property
    def middle(self) -> float:
        """The middle on a log scale: as far (in factors) from both edges."""
        return math.sqrt(self.lo * self.hi)

    def closeness(self, lr: float) -> float:
        """0 at the middle, 1 at either edge, above 1 outside (in log distance)."""
        half = math.log(self.hi / self.lo) / 2
        if half <= 0:
            return 0.0 if lr == self.lo else math.inf
        return abs(math.log(lr / self.middle)) / half


def _clears(child: Child, lrs) -> np.ndarray:
    return simulate(child, lrs).cleared


def _edge(child: Child, inside: float, outside: float) -> float:
    """Bisect (on a log scale) the edge between a clearing rate and a failing one."""
    a, b = math.log(inside), math.log(outside)
    for _ in range(EDGE_ROUNDS):
        mid = (a + b) / 2
        if _clears(child, [math.exp(mid)])[0]:
            a = mid
        else:
            b = mid
    return math.exp(a)


def good_window(
    child: Child, lr_min: float, lr_max: float, points: int = WINDOW_POINTS
) -> tuple[Window | None, RateRuns]:
    """The widest window of right answers in [lr_min, lr_max], and the sweep behind it."""
    batch = simulate(child, log_rates(lr_min, lr_max, points))
    hits = np.flatnonzero(batch.cleared)
    if hits.size == 0:
        return None, batch
    stretches = np.split(hits, np.flatnonzero(np.diff(hits) > 1) + 1)
    lrs = batch.lrs
    widest = max(stretches, key=lambda s: math.log(lrs[s[-1]] / lrs[s[0]]))
    i, j = int(widest[0]), int(widest[-1])
    lo = lrs[i] if i == 0 else _edge(child, lrs[i], lrs[i - 1])
    hi = lrs[j] if j == lrs.size - 1 else _edge(child, lrs[j], lrs[j + 1])
    return Window(float(lo), float(hi)), batch


def grade(window: Window | None, cleared: bool, lr: float) -> tuple[int, int]:
    """(stars, points) of a run: nothing unless the quiz is all right, more near the middle.

    ★★★ in the middle third of the window (on a log scale), ★★ in the middle two thirds,
    ★ anywhere else; points fall from 1000 at the middle to 500 at the edges.
    """
    if not cleared:
        return 0, 0
    if window is None:
        return 1, 500
    d = window.closeness(lr)
    stars = 3 if d <= 1 / 3 else 2 if d <= 2 / 3 else 1
    return stars, int(round(1000 - 500 * min(d, 1.0)))


# -- one run, step by step --------------------------------------------------------------


class ChildLandscape(Landscape):
    """The loss each step descends: 1/2 ||x_t - m||^2 for the t-th animal of the stream.

    It lets generic code read the level as a landscape over the prototype (names are the
    features, the start is the idea the first dogs formed). After the last animal there is
    nothing left to learn from: the loss and slope are 0.
    """

    stochastic = True  # the loss and its slope depend on the step: which animal comes

    def __init__(self, child: Child):
        self.child = child
        self.names = child.features
        self.start = child.first_idea()[0]
        self.minimum = 0.0

    def _animal(self, t: int) -> np.ndarray | None:
        return self.child.stream[t] if 0 <= t < self.child.n_steps else None

    def loss(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        x = self._animal(t)
        if x is None:
            return np.zeros(P.shape[0])
        with np.errstate(all="ignore"):
            return 0.5 * np.sum((P - x) ** 2, axis=1)

    def grad(self, P: np.ndarray, t: int = 0) -> np.ndarray:
        x = self._animal(t)
        if x is None:
            return np.zeros_like(P)
        with np.errstate(all="ignore"):
            return P - x

    def slope_formulas(self) -> dict[str, str]:
        return {n: f"m_{n} - x_{n}" for n in self.names}

    def loss_formula(self) -> str:
        return "1/2 * sum over features of (x - m)**2, for the animal at hand"


@dataclass
class ChildStep(Step):
    """A step of the child's run: ``params`` is the prototype, ``loss`` the quiz mistakes."""

    animal: str | None = None  # the animal just learned from; None at the start
    features: np.ndarray | None = None  # that animal's features
    update: np.ndarray | None = None  # lr * (x - m): how far the prototype moved
    square: np.ndarray = field(default_factory=lambda: np.zeros(0))
    spread: np.ndarray = field(default_factory=lambda: np.zeros(0))
    says_dog: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


class ChildRun(RunState):
    """One run of the child through the stream, step by step, with undo.

    It answers like the engine's ``Run`` (steps, outcome, step, undo, ...), so the CLI
    and the game can drive it the same way. The run always goes through the whole stream
    (or the goal's budget): the quiz is judged at the end, not at the first right answer.
    """

    def __init__(self, child: Child, goal: Goal | None = None):
        self.child = child
        self.landscape = ChildLandscape(child)
        n = child.n_steps
        self.goal = goal or Goal(0.5, n)
        self.max_steps = max(0, min(n, self.goal.max_iterations))
        self.trace_index = np.arange(len(child.features))
        self.reset()

    # -- state (iteration, current, loss, lrs, over: from RunState) ----------------
    @property
    def params(self) -> np.ndarray:
        return self.steps[-1].params.copy()

    def quiz(self) -> dict[str, bool]:
        """The child's answers now: quiz key -> True when it says "a dog"."""
        return {k: bool(v) for k, v in zip(self.child.quiz_keys, self.current.says_dog)}

    # -- actions ---------------------------------------------------------------
    def reset(self) -> None:
        m, s = self.child.first_idea()
        self.steps = [self._make_step(0, None, m, s, None, None)]
        self.outcome = self._outcome_of(self.steps[0])

    def step(self, lr: float) -> ChildStep:
        """Show the child the next animal, learned at rate ``lr``."""
        if self.over:
            raise RunOver(f"the run has ended ({self.outcome})")
        t = self.iteration
        x = self.child.stream[t]
        prev = self.current
        with np.errstate(all="ignore"):
            update = float(lr) * (x - prev.params)
            m = prev.params + update
            s = prev.square - float(lr) * (prev.square - x * x)
        step = self._make_step(t + 1, float(lr), m, s, t, update)
        self.steps.append(step)
        self.outcome = self._outcome_of(step)
        return step

    def undo(self) -> bool:
        if len(self.steps) == 1:
            return False
        self.steps.pop()
        self.outcome = self._outcome_of(self.steps[-1])
        return True

    # -- helpers ---------------------------------------------------------------
    def _make_step(self, iteration, lr, m, s, seen, update) -> ChildStep:
        c = self.child
        with np.errstate(all="ignore"):
            grad = self.landscape.grad(m[None, :], iteration)[0]
            answers = says_dog(c, m, s)
            wrong = float(np.sum(answers != c.quiz_is_dog))
            return ChildStep(
                iteration=iteration,
                lr=lr,
                loss=wrong,
                full_loss=wrong,
                params=m.copy(),
                gradient=grad,
                param_norm=float(np.linalg.norm(m)),
                gradient_norm=float(np.linalg.norm(grad)),
                trace=m.copy(),
                animal=None if seen is None else c.stream_names[seen],
                features=None if seen is None else c.stream[seen].copy(),
                update=update,
                square=s.copy(),
                spread=spread(m, s, c.min_spread),
                says_dog=answers,
            )

    def _outcome_of(self, step: ChildStep) -> Outcome | None:
        if not _finite(step.params, step.square):
            return Outcome.DIVERGED
        if step.iteration < self.max_steps:
            return None
        return Outcome.CLEARED if step.loss == 0 else Outcome.OUT_OF_BUDGET
