"""Practice levels made from a seed: the same seed gives the same level on any machine.

``lrgame practice --seed 42`` (``commands/practice.py``) plays one; ``--yaml`` prints its level file instead, so a
teacher can keep or edit it, a class can share a level of the day, and a grader can
replay a student's seed. A level is a quadratic valley or bowl: its kind, curvatures,
floor and start come from the seed, its budget from par (computed, never written by
hand). Every number its story and hints state is computed from those choices.

No Textual here: the game's practice screen is ``ui/screens/practice.py``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .base import Level
from .registry import parse_level

#: The kinds of practice level, picked in turn by the seed.
KINDS = ("valley", "round bowl", "stretched bowl")

#: Curvatures (the loss's second derivative along a direction). Each 1/k is a short
#: decimal, so the rate that reaches the floor in one step can be typed exactly.
CURVATURES = (0.1, 0.2, 0.4, 0.5, 1, 2, 4, 5, 8, 10, 20, 40)

#: How many times steeper the stretched bowl's steep direction is.
STRETCH = (4, 5, 8, 10)

#: How far from the floor a valley's start may be.
DISTANCES = (1, 2, 3, 4, 5, 8, 10, 20)

LOSS_BELOW = 1e-6
MAX_SEED = 10**12

#: A generous budget for finding par; the level's own budget then follows from par.
SEARCH_BUDGET = 1000


@dataclass(frozen=True)
class Recipe:
    """What a seed chose: the kind, a curvature and a floor per parameter, the start."""

    seed: int
    kind: str
    curvatures: tuple[float, ...]
    floors: tuple[int, ...]
    start: tuple[int, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return ("x", "y")[: len(self.curvatures)]


def recipe(seed: int) -> Recipe:
    """The choices seed ``seed`` makes (Python's own Random: the same on every platform)."""
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"a practice seed is a whole number from 0 to {MAX_SEED:,}")
    rng = random.Random(f"lrgame-practice-{seed}")
    kind = rng.choice(KINDS)
    if kind == "valley":
        curvatures: tuple[float, ...] = (rng.choice(CURVATURES),)
    elif kind == "round bowl":
        k = rng.choice(CURVATURES)
        curvatures = (k, k)
    else:
        k = rng.choice(CURVATURES[:-3])  # room for the steep direction
        curvatures = (k, k * rng.choice(STRETCH))
    floors = tuple(rng.randint(-5, 5) for _ in curvatures)
    start = tuple(m + rng.choice((-1, 1)) * rng.choice(DISTANCES) for m in floors)
    return Recipe(seed, kind, curvatures, floors, start)


def _n(v: float) -> str:
    """A number as the level file and the story write it: 0.5, 2, -3, 0.025."""
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.10g}"


def _term(k: float, name: str, m: int) -> str:
    """(k/2)(name - m)², written as the loss expression."""
    inner = name if m == 0 else f"({name} {'-' if m > 0 else '+'} {abs(m)})"
    return f"{inner}**2" if k == 2 else f"{_n(k / 2)}*{inner}**2"


def _shown_term(k: float, name: str, m: int) -> str:
    """The same term as the story writes it: 0.5(x − 3)²."""
    inner = name if m == 0 else f"({name} {'−' if m > 0 else '+'} {abs(m)})"
    c = k / 2
    return f"{'' if c == 1 else _n(c)}{inner}²"


def loss_text(r: Recipe) -> str:
    return " + ".join(_term(k, n, m) for k, n, m in zip(r.curvatures, r.names, r.floors))


def _signed(v: float) -> str:
    return _n(v).replace("-", "−")


def _point(values: tuple) -> str:
    """x = −4, or (x, y) = (−3, 5)."""
    if len(values) == 1:
        return f"x = {_signed(values[0])}"
    return f"(x, y) = ({', '.join(map(_signed, values))})"


def _factor(v: float) -> str:
    """A number to multiply by: (−50) in brackets when negative."""
    return f"({_signed(v)})" if v < 0 else _signed(v)


def slopes_at_start(r: Recipe) -> tuple[float, ...]:
    return tuple(k * (s - m) for k, s, m in zip(r.curvatures, r.start, r.floors))


def _story(r: Recipe) -> str:
    shown = " + ".join(_shown_term(k, n, m) for k, n, m in zip(r.curvatures, r.names, r.floors))
    where = "floor" if r.kind == "valley" else "bottom"
    lines = [
        f"Practice level {r.seed}: a {r.kind}. The loss is {shown}, with its {where} at "
        f"{_point(r.floors)}, and you start at {_point(r.start)}.",
    ]
    if r.kind == "stretched bowl":
        lines.append(
            "One direction is steeper than the other: a rate that suits the gentle one "
            "may leap across the steep one."
        )
    lines.append("Find the rate that clears it in as few steps as the best one.")
    return "\n".join(lines)


def _hints(r: Recipe) -> list[str]:
    slopes = slopes_at_start(r)
    if r.kind == "valley":
        (k,), (s,), (m,), (x0,) = r.curvatures, slopes, r.floors, r.start
        return [
            f"At the start the slope is {_signed(s)}, so a step moves x by −lr × {_factor(s)}.",
            f"To land on the floor in one step, x must go from {_signed(x0)} to "
            f"{_signed(m)}, a move of {_signed(m - x0)}. Which rate does that?",
            f"The valley's curvature is {_n(k)}: past lr = {_n(2 / k)} every step lands "
            "further out than the last.",
        ]
    if r.kind == "round bowl":
        k = r.curvatures[0]
        return [
            f"At the start the slopes are ({', '.join(map(_signed, slopes))}): both shrink by the same "
            "factor at every step, so the path is a straight line.",
            f"The bowl's curvature is {_n(k)} in every direction: in a valley that curved "
            "that much, which rate reached the floor in one step?",
            f"Past lr = {_n(2 / k)} every step lands further out than the last.",
        ]
    gentle, steep = r.curvatures
    return [
        f"The curvatures are {_n(gentle)} and {_n(steep)}: past lr = {_n(2 / steep)} the "
        "steep direction swings wider at every step.",
        "Below that edge, a bigger rate helps the gentle direction, until the steep one's "
        "swing is as slow to die down as the gentle one's crawl.",
        f"The best constant rate balances the two: near 2 / ({_n(gentle)} + {_n(steep)}).",
    ]


def _lr_range(r: Recipe) -> tuple[float, float, float]:
    """(default, min, max): decades around the best rate; the default crawls or leaps."""
    steep = max(r.curvatures)
    top = 10 ** math.ceil(math.log10(4 / steep))  # room to see a run blow up
    low = 10 ** math.floor(math.log10(0.01 / steep))
    rng = random.Random(f"lrgame-practice-lr-{r.seed}")
    best = 1 / steep if r.kind != "stretched bowl" else 2 / sum(r.curvatures)
    default = rng.choice((best / 30, best / 10, 2.5 * best if r.kind != "valley" else 3 * best))
    default = float(f"{default:.1g}")
    return min(max(default, low), top), low, top


@dataclass(frozen=True)
class Practice:
    """A generated level: its recipe, its level file's text, and the level itself."""

    recipe: Recipe
    yaml: str
    level: Level


def _yaml_text(r: Recipe, budget: int) -> str:
    default, low, high = _lr_range(r)
    story = "\n".join("  " + line for line in _story(r).splitlines())
    params = "\n".join(f"  {n}: {_n(s)}" for n, s in zip(r.names, r.start))
    hints = "\n".join(f'  - "{h}"' for h in _hints(r))
    return (
        f"# lrgame practice --seed {r.seed}: the same seed always makes this level.\n"
        f"id: practice-{r.seed}\n"
        f"title: Practice {r.seed}\n"
        f"story: |\n{story}\n"
        f"params:\n{params}\n"
        f'loss: "{loss_text(r)}"\n'
        f"goal:\n  loss_below: {LOSS_BELOW:g}\n  max_iterations: {budget}\n"
        f"lr:\n  default: {_n(default)}\n  min: {_n(low)}\n  max: {_n(high)}\n"
        f"hints:\n{hints}\n"
    )


def _parse(text: str, seed: int) -> Level:
    from ..yamlsafe import load_yaml_text

    return parse_level(load_yaml_text(text, f"practice-{seed}.yaml"))


def budget_for(par: int) -> int:
    """Room to search: twice par, and never fewer than ten steps."""
    return max(10, 2 * par)


def generate(seed: int) -> Practice:
    """The practice level of ``seed``: its file's text, and that text loaded as a level
    (what ``--yaml`` prints is exactly what is played)."""
    r = recipe(seed)
    par = _parse(_yaml_text(r, SEARCH_BUDGET), seed).compute_par().par
    if par is None:  # cannot happen on a quadratic with its best rate in range
        raise RuntimeError(f"practice seed {seed}: no rate clears the level")
    text = _yaml_text(r, budget_for(par))
    return Practice(r, text, _parse(text, seed))


def fresh_seed() -> int:
    """A seed for a player who did not give one (shown, so it can be played again)."""
    return random.SystemRandom().randrange(0, 1_000_000)


# -- the streak: practice levels cleared at par in a row, kept in the progress store ----

STREAK_KEY, BEST_STREAK_KEY = "practice_streak", "practice_best_streak"


@dataclass(frozen=True)
class Streak:
    now: int = 0
    best: int = 0

    def after(self, won: bool) -> Streak:
        """A level's first finished run: ★★★ adds one to the streak, anything else
        ends it."""
        now = self.now + 1 if won else 0
        return Streak(now, max(self.best, now))


def read_streak(store) -> Streak:
    def whole(key: str) -> int:
        value = store.setting(key, "0") or "0"
        return int(value) if value.isdigit() and len(value) < 10 else 0  # a bad value: 0

    return Streak(whole(STREAK_KEY), whole(BEST_STREAK_KEY))


def record_run(store, won: bool) -> Streak:
    """Count a practice level's first finished run in the store's streak."""
    streak = read_streak(store).after(won)
    store.set_setting(STREAK_KEY, str(streak.now))
    store.set_setting(BEST_STREAK_KEY, str(streak.best))
    return streak
