"""What is happening to a run, in plain words, and why the learning rate caused it.

Pure: reads an engine ``Run`` and returns a ``Diagnosis``; no Textual. The play
screen shows the text under the charts, and the result screen shows it again.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from .engine.descent import Outcome, Run, Step
from .text import num

#: A step that cuts the loss by less than this fraction is a crawl.
CRAWL_FRACTION = 0.01
#: The slope counts as flat when its size falls below this fraction of the slope at the start.
FLAT_FRACTION = 1e-4
#: Sign flips of the slope on this many steps in a row are an oscillation.
OSCILLATION_RUN = 3


class Kind(str, enum.Enum):
    START = "start"
    DESCENDING = "descending"
    CRAWL = "crawl"
    OVERSHOOT = "overshoot"
    OSCILLATION = "oscillation"
    DIVERGING = "diverging"
    NOISY = "noisy"
    AT_GOAL = "at_goal"
    STUCK = "stuck"
    CLEARED = "cleared"
    DIVERGED = "diverged"
    OUT_OF_BUDGET = "out_of_budget"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Diagnosis:
    kind: Kind
    text: str
    #: For an ended run: what was going on when it ended (e.g. CRAWL for out of budget).
    cause: Kind | None = None


def signed(v: float) -> str:
    """A number with its sign spelled out: +4, −12 (a true minus sign)."""
    if not math.isfinite(v):
        return num(v)
    text = num(abs(v))
    return ("−" if v < 0 else "+") + text


def _n(v: float) -> str:
    """A number for prose: four significant figures and a true minus sign."""
    return num(v).replace("-", "−", 1) if v < 0 else num(v)


def judged_loss(step: Step) -> float:
    """The loss a step is judged on: over all the data on a mini-batch level, else its loss."""
    full = getattr(step, "full_loss", float("nan"))
    return step.loss if full is None or math.isnan(full) else float(full)


def diagnose_level(level, run: Run, lr: float | None = None) -> Diagnosis:
    """``diagnose``, or a level kind's own words where it has them (an ``explain(lr)``
    method: e.g. a child learning what a dog is, where slopes and valleys do not apply)."""
    explain = getattr(level, "explain", None)
    if not callable(explain):
        return diagnose(run, lr)
    rate = lr if lr is not None else (run.lrs[-1] if run.lrs else None)
    try:
        text = explain(rate) if rate is not None else ""
    except Exception:  # the kind's words failed: fall back on the general ones
        return diagnose(run, lr)
    kind = {
        Outcome.CLEARED: Kind.CLEARED,
        Outcome.DIVERGED: Kind.DIVERGED,
        Outcome.OUT_OF_BUDGET: Kind.OUT_OF_BUDGET,
    }.get(run.outcome, Kind.START if run.iteration == 0 else Kind.DESCENDING)
    if run.outcome is None and rate is not None:
        text = f"If every step uses lr {num(rate)}: " + text
    return Diagnosis(kind, text)


def diagnose(run: Run, lr: float | None = None) -> Diagnosis:
    """Name what the run is doing. ``lr`` is the rate of the next step, for the preview."""
    steps = run.steps
    if run.outcome is Outcome.CLEARED:
        return _cleared(run)
    if run.outcome is Outcome.DIVERGED:
        return _diverged(run)
    if len(steps) == 1:
        if run.outcome is Outcome.OUT_OF_BUDGET:  # a budget of 0 steps cannot happen, but
            return Diagnosis(Kind.OUT_OF_BUDGET, "Out of budget before the first step.")
        return _start(run, lr)
    now = _in_play(run)
    if run.outcome is Outcome.OUT_OF_BUDGET:
        head = (
            f"Out of budget: {run.iteration} steps taken and the loss is still "
            f"{num(judged_loss(run.current))}; the goal is within {num(run.goal.loss_below)} of "
            f"{num(run.landscape.minimum)}. "
        )
        return Diagnosis(Kind.OUT_OF_BUDGET, head + now.text, cause=now.kind)
    return now


# -- the pieces ---------------------------------------------------------------------------


def _names(run: Run) -> tuple[str, ...]:
    return run.landscape.names


def _slope_of(run: Run, name: str) -> str:
    return "the slope" if run.landscape.n_params == 1 else f"the slope along {name}"


def _has_gradients(run: Run) -> bool:
    return run.steps[0].gradient is not None


def _gap(run: Run, step: Step) -> float:
    return judged_loss(step) - run.landscape.minimum


def _main_axis(run: Run, prev: Step) -> int:
    """The parameter that moved the most on the step after ``prev``."""
    return int(np.nanargmax(np.abs(prev.gradient))) if prev.gradient.size else 0


def _step_words(run: Run, prev: Step, cur: Step) -> str:
    """'lr × slope = 0.1 × 4 = 0.4 moved x from 2 to 1.6', for the step prev -> cur."""
    lr = cur.lr
    if _has_gradients(run):
        i = _main_axis(run, prev)
        name = _names(run)[i]
        g = float(prev.gradient[i])
        slope = "slope" if run.landscape.n_params == 1 else f"slope along {name}"
        return (
            f"lr × {slope} = {num(lr)} × {signed(g)} = {signed(lr * g)} moved {name} "
            f"from {_n(float(prev.params[i]))} to {_n(float(cur.params[i]))}"
        )
    return (
        f"lr × |gradient| = {num(lr)} × {num(prev.gradient_norm)} = "
        f"{num(lr * prev.gradient_norm)} was the length of the step"
    )


def _start(run: Run, lr: float | None) -> Diagnosis:
    s = run.steps[0]
    if not _has_gradients(run):
        text = f"Iteration 0: the gradient is {num(s.gradient_norm)} long."
        if lr is not None:
            text += (
                f" A step with lr {num(lr)} moves the parameters "
                f"{num(lr * s.gradient_norm)} downhill."
            )
        return Diagnosis(Kind.START, text)
    parts = []
    formulas = run.landscape.slope_formulas() or {}
    one = run.landscape.n_params == 1
    for i, name in enumerate(_names(run)[:3]):
        g = float(s.gradient[i])
        formula = f" {formulas[name]}" if name in formulas else ""
        part = (
            f"the slope{formula} is {signed(g)}"
            if one
            else (
                f"the slope along {name}{formula and ' (' + formula.strip() + ')'} is {signed(g)}"
            )
        )
        if lr is not None:
            part += (
                f", so a step moves {name} by −lr × slope = −{num(lr)} × {signed(g)} "
                f"= {signed(-lr * g)}"
            )
        parts.append(part)
    text = "Iteration 0 at " + _where(run, s) + ": " + "; ".join(parts) + "."
    if lr is not None and run.landscape.n_params == 1:
        g = float(s.gradient[0])
        if g != 0:
            direction = "left" if g > 0 else "right"
            text += f" The slope is {'positive' if g > 0 else 'negative'}: downhill is to the {direction}."
    return Diagnosis(Kind.START, text)


def _where(run: Run, s: Step) -> str:
    if s.params is None or run.landscape.n_params > 3:
        return f"|params| = {num(s.param_norm)}"
    return ", ".join(f"{n} = {_n(float(v))}" for n, v in zip(_names(run), s.params))


def _cleared(run: Run) -> Diagnosis:
    n = run.iteration
    text = (
        f"Cleared in {n} step{'s' if n != 1 else ''}: the loss {num(judged_loss(run.current))} is within "
        f"{num(run.goal.loss_below)} of the lowest value, {num(run.landscape.minimum)}."
    )
    if n >= 1:
        text += " The last step: " + _step_words(run, run.steps[-2], run.steps[-1]) + "."
    return Diagnosis(Kind.CLEARED, text)


def _last_finite(run: Run) -> int:
    """Index of the last step whose loss is a finite number."""
    for k in range(len(run.steps) - 1, -1, -1):
        if math.isfinite(judged_loss(run.steps[k])):
            return k
    return 0


def _curvature_limit(run: Run, k: int) -> tuple[str, float] | None:
    """The largest stable rate that the last finite step's slope change suggests.

    On a parabola the slope after a step is (1 - lr × curvature) times the slope before,
    so the ratio of two slopes measures the curvature, and 2 / curvature is the edge."""
    if k < 1 or not _has_gradients(run):
        return None
    a, b = run.steps[k - 1], run.steps[k]
    i = _main_axis(run, a)
    g0, g1 = float(a.gradient[i]), float(b.gradient[i])
    if g0 == 0 or not math.isfinite(g1) or not b.lr:
        return None
    curvature = (1 - g1 / g0) / b.lr
    if not math.isfinite(curvature) or curvature <= 0:
        return None
    return _names(run)[i], 2 / curvature


def _diverged(run: Run) -> Diagnosis:
    k = _last_finite(run)
    last = run.steps[k]
    start = run.steps[0]
    n = run.iteration
    if not math.isfinite(judged_loss(run.current)):
        what = f"the numbers overflowed (the loss became {num(judged_loss(run.current))})"
    else:
        what = (
            f"the loss exploded from {num(judged_loss(start))} to {num(judged_loss(run.current))}"
        )
    text = f"Divergence after {n} step{'s' if n != 1 else ''}: {what}."
    lrs = [s.lr for s in run.steps[1:] if s.lr is not None]
    if _has_gradients(run) and last.params is not None and k >= 1:
        growth = np.abs(last.params - start.params)
        i = int(np.nanargmax(growth))
        name = _names(run)[i]
        shown = run.steps[max(0, k - 3) : k + 1]
        chain = " → ".join(signed(float(s.gradient[i])) for s in shown)
        text += (
            f" {name} ran away from {_n(float(start.params[i]))} to "
            f"{_n(float(last.params[i]))}; its slope went {'… → ' if k > 3 else ''}{chain}. "
            f"Each step lr × slope threw {name} past the bottom by more than it started from,"
            f" so every landing was higher and steeper than the last."
        )
    else:
        text += (
            f" The gradient grew from {num(start.gradient_norm)} to "
            f"{num(last.gradient_norm)} long: every step went farther than the last."
        )
    limit = _curvature_limit(run, k)
    if limit is not None and lrs:
        name, edge = limit
        text += (
            f" Rates below about {num(edge)} keep {name} in this valley; yours is {num(lrs[-1])}."
        )
    elif lrs:
        text += f" Your rate {num(lrs[-1])} is too big here: try a smaller one."
    return Diagnosis(Kind.DIVERGED, text)


def _flip_axis(run: Run, a: Step, b: Step) -> int | None:
    """The parameter whose slope changed sign between a and b (the largest such flip)."""
    if a.gradient is None or b.gradient is None:
        return None
    with np.errstate(all="ignore"):
        flipped = (np.sign(a.gradient) * np.sign(b.gradient)) < 0
    if not flipped.any():
        return None
    size = np.where(flipped, np.abs(a.gradient), -1.0)
    return int(np.nanargmax(size))


def _in_play(run: Run) -> Diagnosis:
    steps = run.steps
    prev, cur = steps[-2], steps[-1]
    gap_prev, gap_now = _gap(run, prev), _gap(run, cur)
    step = _step_words(run, prev, cur)
    start_g = steps[0].gradient_norm

    # stuck: nowhere downhill to go, yet far above the lowest value
    if (
        start_g > 0
        and cur.gradient_norm <= FLAT_FRACTION * start_g
        and gap_now > 10 * run.goal.loss_below
    ):
        return Diagnosis(
            Kind.STUCK,
            f"Stuck in a shallow minimum: the slope here is almost flat ("
            f"{num(cur.gradient_norm)}, against {num(start_g)} at the start), yet the loss "
            f"{num(judged_loss(cur))} is {num(gap_now)} above the lowest value this landscape "
            f"reaches. Descent follows the slope, and here it points nowhere: small steps "
            f"stay in this dip. A bigger rate can leap over its rim.",
        )

    # within the goal but not yet cleared (a level that asks to hold the bottom a while)
    if abs(gap_now) <= run.goal.loss_below:
        return Diagnosis(
            Kind.AT_GOAL,
            f"At the bottom: the loss {num(judged_loss(cur))} is within {num(run.goal.loss_below)} of "
            f"the lowest value. Stay there: {step}.",
        )

    noisy = bool(getattr(run.landscape, "stochastic", False))
    if noisy and (gap_now > gap_prev or gap_now < 0):
        return Diagnosis(
            Kind.NOISY,
            f"Mini-batch noise: the loss went {num(judged_loss(prev))} → {num(judged_loss(cur))}. Each step "
            f"sees only some of the data, so its slope is a rough guess, and lr × that guess "
            f"is how far the guess throws you: {step}. A smaller rate lets the guesses "
            f"average out; a bigger one chases every batch.",
        )

    # diverging: the loss rose on each of the last two steps
    if len(steps) >= 3:
        gap_before = _gap(run, steps[-3])
        if gap_now > gap_prev > gap_before:
            return Diagnosis(
                Kind.DIVERGING,
                f"Diverging: the loss rose two steps running ({num(judged_loss(steps[-3]))} → "
                f"{num(judged_loss(prev))} → {num(judged_loss(cur))}). Each step lands farther up the "
                f"far side, where the slope is steeper, so the next step is longer still: "
                f"{step}. Lower the rate before it explodes.",
            )

    flips = [
        _flip_axis(run, steps[j - 1], steps[j])
        for j in range(max(1, len(steps) - OSCILLATION_RUN), len(steps))
    ]
    axis = flips[-1]
    if axis is not None:
        name = _names(run)[axis]
        g_prev, g_now = float(prev.gradient[axis]), float(cur.gradient[axis])
        if len(flips) >= OSCILLATION_RUN and all(f == axis for f in flips):
            ratio = abs(g_now / g_prev) if g_prev else math.inf
            if abs(ratio - 1) < 0.01:
                trend = (
                    f"The swings keep their size: {name} bounces between the two walls for "
                    f"ever and never reaches the bottom. Any smaller rate settles."
                )
            elif ratio < 1:
                trend = (
                    f"The swings shrink (×{num(ratio, 2)} per step), so it will settle, "
                    f"but the zig-zag wastes steps: a slightly smaller rate walks straight down."
                )
            else:
                trend = (
                    f"The swings grow (×{num(ratio, 2)} per step): this rate is heading "
                    f"for divergence."
                )
            return Diagnosis(
                Kind.OSCILLATION,
                f"Oscillation: {_slope_of(run, name)} has flipped sign on each of the last "
                f"{OSCILLATION_RUN} steps ({signed(g_prev)} → {signed(g_now)}), so {name} "
                f"zig-zags from one side of the valley to the other. {trend}",
            )
        lr = cur.lr
        moved = (
            f"lr × slope = {num(lr)} × {signed(g_prev)} = {signed(lr * g_prev)} carried "
            f"{name} from {_n(float(prev.params[axis]))} past the bottom to "
            f"{_n(float(cur.params[axis]))}"
        )
        if gap_now > gap_prev:
            after = (
                f" It landed higher than it started (loss {num(judged_loss(prev))} → "
                f"{num(judged_loss(cur))}): keep this rate and the swings grow."
            )
        else:
            after = (
                f" The loss still fell ({num(judged_loss(prev))} → {num(judged_loss(cur))}): a mild "
                f"overshoot still converges."
            )
        return Diagnosis(
            Kind.OVERSHOOT,
            f"Overshoot: {_slope_of(run, name)} flipped from {signed(g_prev)} to "
            f"{signed(g_now)}. {moved}.{after}",
        )

    if gap_now > gap_prev:
        return Diagnosis(
            Kind.OVERSHOOT,
            f"Uphill: the loss rose from {num(judged_loss(prev))} to {num(judged_loss(cur))}. The step was "
            f"longer than the stretch where the slope points downhill: {step}.",
        )

    fraction = (gap_prev - gap_now) / gap_prev if gap_prev > 0 else 0.0
    left = run.goal.max_iterations - run.iteration
    needed = _steps_to_goal(run, gap_now, fraction)
    pace = ""
    if needed is not None and left > 0:
        pace = (
            f" At this pace the goal is about {_count(needed)} away; you have {_count(left)} left."
        )
    if fraction < CRAWL_FRACTION or (needed is not None and needed > left):
        cut = "only " if fraction < CRAWL_FRACTION else ""
        head = "Slow crawl" if fraction < CRAWL_FRACTION else "Too slow for the budget"
        return Diagnosis(
            Kind.CRAWL,
            f"{head}: the last step cut the loss by {cut}{_percent(fraction)} "
            f"({num(judged_loss(prev))} → {num(judged_loss(cur))}): {step}.{pace} "
            f"A bigger rate takes bigger steps.",
        )
    return Diagnosis(
        Kind.DESCENDING,
        f"Descending: the loss fell {_percent(fraction)} ({num(judged_loss(prev))} → "
        f"{num(judged_loss(cur))}): {step}.{pace}",
    )


def _steps_to_goal(run: Run, gap: float, fraction: float) -> int | None:
    """Steps still needed if every step keeps cutting the loss by ``fraction``."""
    target = run.goal.loss_below
    if gap <= target:
        return 0
    if not 0 < fraction < 1:
        return None
    n = math.log(target / gap) / math.log(1 - fraction)
    return math.ceil(n) if math.isfinite(n) and n < 1e12 else None


def _count(n: int) -> str:
    return f"{n:,} step{'s' if n != 1 else ''}"


def _percent(fraction: float) -> str:
    p = 100 * fraction
    if p >= 10:
        return f"{p:.0f}%"
    return f"{num(p, 2)}%"
