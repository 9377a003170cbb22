"""What is happening to a run, in plain words, and why the learning rate caused it.

Pure: reads an engine run and returns a ``Diagnosis``; no Textual. The play screen
shows the text under the charts, and the result screen shows it again.

Words about the past (the arithmetic of the last step, overshoot, sign flips, how the
loss moved) come from the steps taken. Every word about the future comes from the
engine's forecast (``engine.forecast``): the run continued under a rate rule to the
end of its budget and past it. Nothing is extrapolated from the last few steps.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import sys
from dataclasses import dataclass

import numpy as np

from ..engine.descent import Outcome, Run, Step
from ..engine.forecast import (
    CLEARS,
    CREEPS,
    DIVERGES,
    EDGE_BUDGET,
    GROWS,
    STALLS,
    STUCK,
    Forecast,
    RateRule,
    forecast,
    forecast_many,
    horizon_for,
    stable_below,
)
from ..engine.rates import log_rates
from ..text import num, percent

#: A step that cuts the gap above the lowest value by less than this fraction is a crawl.
CRAWL_FRACTION = 0.01
#: Sign flips of the slope on this many steps in a row are an oscillation.
OSCILLATION_RUN = 3
#: A slope's flip counts only along a parameter whose slope is at least this share of the
#: largest one: a sign change of a slope of 1e-162 moves nothing.
FLIP_SHARE = 0.01
#: Rates tried when the diagnosis looks for a better one (up to ADVICE_SPAN times bigger
#: or smaller than the player's).
ADVICE_POINTS = 32
ADVICE_SPAN = 1000.0
#: A run the forecast clears is a crawl when a bigger rate needs at most this share of the
#: steps it still needs.
SLOW_SHARE = 0.5
#: A better rate is looked for this many steps ahead at most.
ADVICE_STEPS = 2_000
#: The edge of stability from the start is looked for down to this fraction of the rate.
EDGE_SPAN = 1e-4


class Situation(str, enum.Enum):
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
    kind: Situation
    text: str
    #: For an ended run: what was going on when it ended (e.g. CRAWL for out of budget).
    cause: Situation | None = None
    #: What the run does if every later step follows the rate rule the text speaks of.
    forecast: Forecast | None = None
    #: The rate bound the text names ("rates below about E ..."), if it names one.
    stable_below: float | None = None

    def as_json(self) -> dict:
        out: dict = {"kind": self.kind.value, "text": self.text}
        if self.forecast is not None:
            out["forecast"] = self.forecast.as_json()
        if self.stable_below is not None:
            out["stable_below"] = self.stable_below
        return out


def signed(v: float) -> str:
    """A number with its sign spelled out: +4, −12 (a true minus sign)."""
    if not math.isfinite(v):
        return num(v)
    text = num(abs(v))
    return ("−" if v < 0 else "+") + text


def _n(v: float, digits: int = 4) -> str:
    """A number for prose: four significant figures and a true minus sign."""
    return num(v, digits).replace("-", "−", 1) if v < 0 else num(v, digits)


def _pair(a: float, b: float) -> str:
    """'a → b' with just enough figures that two different numbers do not look equal."""
    digits = 4
    while digits < 12 and a != b and num(a, digits) == num(b, digits):
        digits += 1
    return f"{_n(a, digits)} → {_n(b, digits)}"


def judged_loss(step: Step) -> float:
    """The loss a step is judged on: over all the data on a mini-batch level, else its loss."""
    full = getattr(step, "full_loss", float("nan"))
    return step.loss if full is None or math.isnan(full) else float(full)


def diagnose_level(
    level, run: Run, lr: float | None = None, rule=None, known: Forecast | None = None
) -> Diagnosis:
    """``diagnose``, or a level kind's own words where it has them (an ``explain(lr)``
    method: e.g. a child learning what a dog is, where slopes and valleys do not apply)."""
    rate = lr if lr is not None else (run.lrs[-1] if run.lrs else None)
    try:
        text = level.explain(rate)
    except Exception:  # the kind's words failed: fall back on the general ones
        return diagnose(run, lr, rule, known)
    if text is None:  # no words of its own: the general diagnosis
        return diagnose(run, lr, rule, known)
    kind = {
        Outcome.CLEARED: Situation.CLEARED,
        Outcome.DIVERGED: Situation.DIVERGED,
        Outcome.OUT_OF_BUDGET: Situation.OUT_OF_BUDGET,
    }.get(run.outcome, Situation.START if run.iteration == 0 else Situation.DESCENDING)
    if run.outcome is None and rate is not None:
        # explain(lr) tells a whole run at that rate, from the first animal of the stream
        text = f"If every step, from the first, uses lr {num(rate)}: " + text
    rule = rate_rule(run, lr, rule)
    f = known if known is not None else forecast(run, rule) if rule is not None else None
    return Diagnosis(kind, text, forecast=f)


def rate_rule(run, lr: float | None, rule: RateRule | None = None) -> RateRule | None:
    """The rate rule the future is told for: the one given, else constant ``lr`` (the rate
    of the next step), else the rate of the last step taken."""
    if rule is not None:
        return rule
    if lr is not None:
        return RateRule(float(lr))
    lrs = [r for r in run.lrs if r is not None]
    return RateRule(float(lrs[-1])) if lrs else None


def diagnose(
    run: Run,
    lr: float | None = None,
    rule: RateRule | None = None,
    known: Forecast | None = None,
) -> Diagnosis:
    """Name what the run is doing. ``lr`` is the rate of the next step (the preview);
    ``rule`` a rate rule for the future instead (a schedule, say); without either the
    future is told for the rate of the last step. ``known``: the forecast under that
    rule, when the caller already has it (see ``diagnoses_along``)."""
    steps = run.steps
    rule = rate_rule(run, lr, rule)
    if run.outcome is Outcome.CLEARED:
        return _cleared(run)
    if run.outcome is Outcome.DIVERGED:
        return _diverged(run)
    if len(steps) == 1:
        if run.outcome is Outcome.OUT_OF_BUDGET:  # a budget of 0 steps cannot happen, but
            return Diagnosis(Situation.OUT_OF_BUDGET, "Out of budget before the first step.")
        return _start(run, lr, rule)
    f = known if known is not None else forecast(run, rule, path=False)
    now = _in_play(run, rule, f)
    if run.outcome is Outcome.OUT_OF_BUDGET:
        head = (
            f"Out of budget: {run.iteration} steps taken and the loss is still "
            f"{num(judged_loss(run.current))}; the goal is within {num(run.goal.loss_below)} of "
            f"{_n(run.landscape.minimum)}. "
        )
        if run.goal.accuracy_at_least is not None:
            head = (
                f"Out of budget: {run.iteration} steps taken and the network labels only "
                f"{percent(run.current.accuracy)} of the points right; the goal is "
                f"{_accuracy_goal(run)}. "
            )
        return Diagnosis(
            Situation.OUT_OF_BUDGET, head + now.text, now.kind, f, stable_below=now.stable_below
        )
    return now


def play_diagnosed(level, goal, rule: RateRule, optimizer=None, every: bool = True):
    """Play a run of ``level`` under ``rule`` to its end, with the diagnosis after every
    step: (run, diagnoses), entry k - 1 for iteration k; with ``every`` False, only the
    diagnosis after the last step (a list of one: what ``lrgame run``'s text ends with).

    The forecast from step 0 says how the whole run ends (and what lies past its budget);
    every later step follows the rule, so that is the forecast from every step too. Should
    the run end otherwise (a rounding apart), the diagnoses are made again from its end."""
    run = _new_run(level, goal, optimizer)
    first = forecast(run, rule, path=False)
    out = []
    while not run.over:
        run.step(rule.rate(run.iteration))
        if every:
            out.append(diagnose_level(level, run, rule=rule, known=_from(first, run.iteration)))
    if (run.outcome, run.iteration) != (first.outcome, first.iterations):
        if every:
            return run, diagnoses_along(level, run, rule)
        first = forecast(run, rule, path=False)  # from its end, as diagnoses_along does
    if not every and run.iteration > 0:
        out = [diagnose_level(level, run, rule=rule, known=_from(first, run.iteration))]
    return run, out


def _from(f: Forecast, t: int) -> Forecast:
    """The same forecast, told from iteration ``t`` of the run it was made for."""
    return dataclasses.replace(f, start=t, losses=np.zeros(0), params=None)


def diagnoses_along(level, run, rule: RateRule) -> list[Diagnosis]:
    """The diagnosis after every step of a finished run that was played under ``rule``
    (entry k - 1 for iteration k). The run is replayed step by step; the forecast from
    every step is the run's own end, since every later step did follow the rule."""
    end = forecast(run, rule, path=False)  # past the budget, if it ran out: looked at once
    replay = _new_run(level, run.goal, run.optimizer)
    out = []
    for s in run.steps[1:]:
        replay.step(s.lr if s.set_lr is None else s.set_lr)
        known = _from(end, replay.iteration)
        out.append(diagnose_level(level, replay, rule=rule, known=known))
    return out


# -- the pieces ---------------------------------------------------------------------------


def _names(run: Run) -> tuple[str, ...]:
    return run.landscape.names


def _slope_of(run: Run, name: str) -> str:
    return "the slope" if run.landscape.n_params == 1 else f"the slope along {name}"


def _has_gradients(run: Run) -> bool:
    return run.steps[0].gradient is not None


def _gap(run: Run, step: Step) -> float:
    return judged_loss(step) - run.landscape.minimum


def _main_axis(run: Run, prev: Step, cur: Step | None = None) -> int:
    """The parameter that moved the most on the step ``prev`` -> ``cur``: the largest
    slope for plain descent (its move is lr × slope), the largest move under momentum
    or Adam (whose move is not the slope's: a velocity carries on where the slope is 0)."""
    if not prev.gradient.size:
        return 0
    if not _plain_push(run) and cur is not None and cur.params is not None:
        climbed = _climb(prev, cur)  # where the loss rose, the move that went uphill most
        if judged_loss(cur) > judged_loss(prev) and np.nanmax(climbed, initial=0.0) > 0:
            return int(np.nanargmax(climbed))
        with np.errstate(all="ignore"):
            move = np.abs(cur.params - prev.params)
        if not np.isnan(move).all():
            return int(np.nanargmax(move))
    return int(np.nanargmax(np.abs(prev.gradient)))


def _climb(prev: Step, cur: Step) -> np.ndarray:
    """slope × move per parameter on the step prev -> cur: above 0 where the move went up
    its own slope (never so for lr × slope; under momentum or Adam it can)."""
    with np.errstate(all="ignore"):
        return np.nan_to_num(prev.gradient * (cur.params - prev.params), nan=-1.0)


def _why_uphill(run: Run, prev: Step, cur: Step) -> str | None:
    """Under momentum or Adam, when the parameter told of moved up its own slope: why
    (the optimiser's memory of earlier slopes outweighed this one); else None."""
    if _plain_push(run) or cur.params is None or not _has_gradients(run):
        return None
    i = _main_axis(run, prev, cur)
    if _climb(prev, cur)[i] <= 0:
        return None
    name = _names(run)[i]
    memory = (
        "its velocity from earlier steps outweighed this slope"
        if run.optimizer.name == "momentum"
        else f"the {run.optimizer.name} step follows its running average of the slopes, "
        "which still pointed the other way"
    )
    return f"it went up {_slope_of(run, name)} ({signed(float(prev.gradient[i]))}) because {memory}"


def _step_words(run: Run, prev: Step, cur: Step) -> str:
    """'lr × slope = 0.1 × 4 = 0.4 moved x from 2 to 1.6', for the step prev -> cur."""
    lr = cur.lr
    if _has_gradients(run):
        i = _main_axis(run, prev, cur)
        name = _names(run)[i]
        return (
            f"{_push(run, prev, cur, i)} moved {name} "
            f"from {_n(float(prev.params[i]))} to {_n(float(cur.params[i]))}"
        )
    if _plain_push(run) or cur.move_norm is None:
        return (
            f"lr × |gradient| = {num(lr)} × {num(prev.gradient_norm)} = "
            f"{num(lr * prev.gradient_norm)} was the length of the step"
        )
    return (
        f"the {run.optimizer.name} step at lr {num(lr)} was {num(cur.move_norm)} long "
        f"(lr × |gradient| alone would be {num(lr)} × {num(prev.gradient_norm)} = "
        f"{num(lr * prev.gradient_norm)})"
    )


def _start(run: Run, lr: float | None, rule: RateRule | None) -> Diagnosis:
    s = run.steps[0]
    f = forecast(run, rule, path=False) if (lr is not None and rule is not None) else None
    future = f" {_future(run, rule, f)}" if f is not None else ""
    if not _has_gradients(run):
        text = f"Iteration 0: the gradient is {num(s.gradient_norm)} long."
        if lr is not None:
            text += _first_length(run, float(lr), s.gradient_norm)
        return Diagnosis(Situation.START, text + future, forecast=f)
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
    if lr is not None and not _first_step_plain(run):
        # the first move is not lr × slope under this optimiser: say what it is
        move = _first_move(run, float(lr))
        moves = ", ".join(f"{n} by {signed(float(m))}" for n, m in zip(_names(run)[:3], move))
        text = (
            "Iteration 0 at "
            + _where(run, s)
            + ": "
            + "; ".join(p.split(", so a step")[0] for p in parts)
        )
        text += f". The first step, {run.optimizer.spec()} at lr {num(lr)}, moves {moves}."
    if lr is not None and run.landscape.n_params == 1:
        g = float(s.gradient[0])
        if g != 0:
            direction = "left" if g > 0 else "right"
            text += f" The slope is {'positive' if g > 0 else 'negative'}: downhill is to the {direction}."
    return Diagnosis(Situation.START, text + future, forecast=f)


def _accuracy_goal(run: Run) -> str:
    """An accuracy goal in words: 'at least 95%'."""
    return f"at least {num(run.goal.accuracy_at_least * 100)}%"


def _where(run: Run, s: Step) -> str:
    if s.params is None or run.landscape.n_params > 3:
        return f"|params| = {num(s.param_norm)}"
    return ", ".join(f"{n} = {_n(float(v))}" for n, v in zip(_names(run), s.params))


def _cleared(run: Run) -> Diagnosis:
    n = run.iteration
    text = (
        f"Cleared in {n} step{'s' if n != 1 else ''}: the loss {num(judged_loss(run.current))} is within "
        f"{num(run.goal.loss_below)} of the lowest value, {_n(run.landscape.minimum)}."
    )
    if run.goal.accuracy_at_least is not None:
        text = (
            f"Cleared in {n} step{'s' if n != 1 else ''}: the network labels "
            f"{percent(run.current.accuracy)} of the points right, and the goal is "
            f"{_accuracy_goal(run)}."
        )
    if n >= 1:
        text += " The last step: " + _step_words(run, run.steps[-2], run.steps[-1]) + "."
    f = Forecast(Outcome.CLEARED, n, n, run.lrs[-1] if run.lrs else 0.0, np.zeros(0), None)
    return Diagnosis(Situation.CLEARED, text, forecast=f)


def _last_finite(run: Run) -> int:
    """Index of the last step whose loss is a finite number."""
    for k in range(len(run.steps) - 1, -1, -1):
        if math.isfinite(judged_loss(run.steps[k])):
            return k
    return 0


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
    name = None
    if _has_gradients(run) and last.params is not None and k >= 1 and _plain_push(run):
        growth = np.abs(last.params - start.params)
        i = int(np.nanargmax(growth))
        name = _names(run)[i]
        shown = run.steps[max(0, k - 3) : k + 1]
        chain = " → ".join(signed(float(s.gradient[i])) for s in shown)
        text += (
            f" {name} ran away from {_n(float(start.params[i]))} to "
            f"{_n(float(last.params[i]))}; its slope went {'… → ' if k > 3 else ''}{chain}."
        )
        landings = [judged_loss(s) for s in shown]
        slopes = [abs(float(s.gradient[i])) for s in shown]
        climbing = all(b > a for a, b in zip(landings, landings[1:]))
        steeper = all(b > a for a, b in zip(slopes, slopes[1:]))
        if len(shown) > 1 and climbing and steeper:
            text += (
                f" On these last steps lr × slope threw {name} past the bottom by more than it "
                f"started from, so each landing was higher and steeper than the one before."
            )
        elif len(shown) > 1:
            text += f" On these last steps the loss went {' → '.join(num(v) for v in landings)}."
    else:
        text += (
            f" The gradient grew from {num(start.gradient_norm)} to {num(last.gradient_norm)} long"
        )
        text += ": every step went farther than the last." if _plain_push(run) else "."
    f = Forecast(Outcome.DIVERGED, n, n, lrs[-1] if lrs else 0.0, np.zeros(0), None)
    edge = None
    if lrs and isinstance(run, Run):
        mine = float(run.set_lrs[0] if _own_rate(run) else lrs[-1])
        fresh = Run(run.landscape, run.goal, optimizer=run.optimizer)
        budget = min(run.goal.max_iterations, EDGE_BUDGET)
        edge = stable_below(fresh, mine, mine * EDGE_SPAN, budget=budget)
        where = f"keep {name} in this valley" if name else "stay in the valley"
        looked = budget + horizon_for(budget)
        if edge is None:
            text += (
                f" Started over, even a {'start ' if _own_rate(run) else ''}rate "
                f"{num(1 / EDGE_SPAN)} times smaller than yours "
                f"({num(mine)}) diverges."
            )
        elif edge < mine:
            which = _which_rates(run)
            text += (
                f" Started over, the {which} below about {num(edge)} {where}: none of "
                f"them diverges in {looked:,} steps; yours is {num(mine)}."
            )
        else:  # a constant run at this rate would not have diverged: the changes did it
            edge = None
            text += (
                f" A constant run at {num(mine)}{_with(run)} from the start does not diverge "
                f"in {looked:,} steps."
            )
    return Diagnosis(Situation.DIVERGED, text, forecast=f, stable_below=edge)


def _flip_axis(run: Run, a: Step, b: Step) -> int | None:
    """The parameter whose slope changed sign between a and b (the largest such flip),
    among those whose slope is a real share of the largest (FLIP_SHARE)."""
    if a.gradient is None or b.gradient is None:
        return None
    with np.errstate(all="ignore"):
        flipped = (np.sign(a.gradient) * np.sign(b.gradient)) < 0
        big = np.abs(a.gradient) >= FLIP_SHARE * np.nanmax(np.abs(a.gradient))
    flipped &= big
    if not flipped.any():
        return None
    size = np.where(flipped, np.abs(a.gradient), -1.0)
    return int(np.nanargmax(size))


def _change(run: Run, prev: Step, cur: Step) -> tuple[str, float]:
    """How the loss moved on the last step, and the fraction by which the gap above the
    lowest value shrank. A percentage always says what it is of."""
    a, b = judged_loss(prev), judged_loss(cur)
    g0, g1 = _gap(run, prev), _gap(run, cur)
    fraction = (g0 - g1) / g0 if g0 > 0 else 0.0
    verb = "fell" if b < a else "rose" if b > a else "stayed"
    if run.landscape.minimum == 0:
        pct = f" {_percent(abs(fraction))}" if verb != "stayed" else ""
        return f"the loss {verb}{pct} ({_pair(a, b)})", fraction
    text = f"the loss {verb} ({_pair(a, b)})"
    if g0 > 0 and verb != "stayed":
        way = "shrank" if g1 < g0 else "grew"
        text += (
            f"; its gap above the lowest value, {_n(run.landscape.minimum)}, {way} "
            f"{_percent(abs(fraction))} ({_pair(g0, g1)})"
        )
    return text, fraction


def _in_play(run: Run, rule: RateRule, f: Forecast) -> Diagnosis:
    steps = run.steps
    prev, cur = steps[-2], steps[-1]
    gap_prev, gap_now = _gap(run, prev), _gap(run, cur)
    step = _step_words(run, prev, cur)
    change, fraction = _change(run, prev, cur)
    noisy = bool(getattr(run.landscape, "stochastic", False))

    # -- the past: what the last steps did ---------------------------------------------
    flips = [
        _flip_axis(run, steps[j - 1], steps[j])
        for j in range(max(1, len(steps) - OSCILLATION_RUN), len(steps))
    ]
    axis = flips[-1]
    rising = len(steps) >= 3 and gap_now > gap_prev > _gap(run, steps[-3])
    if run.goal.accuracy_at_least is not None and cur.accuracy >= run.goal.accuracy_at_least:
        past_kind = Situation.AT_GOAL
        past = (
            f"At the goal: the network labels {percent(cur.accuracy)} of the points right "
            f"(the goal is {_accuracy_goal(run)}). {step[0].upper()}{step[1:]}."
        )
    elif run.goal.accuracy_at_least is None and abs(gap_now) <= run.goal.loss_below:
        past_kind = Situation.AT_GOAL
        past = (
            f"At the bottom: the loss {num(judged_loss(cur))} is within "
            f"{num(run.goal.loss_below)} of the lowest value. {step[0].upper()}{step[1:]}."
        )
    elif noisy:
        past_kind = Situation.NOISY
        past = (
            f"Mini-batch noise: each step sees only some of the data, so its slope is a rough "
            f"guess, and {'lr × that guess' if _plain_push(run) else 'the step made from it'} "
            f"is how far the guess throws you: {step}. Over all the "
            f"data {change}."
        )
    elif axis is not None and len(flips) >= OSCILLATION_RUN and all(x == axis for x in flips):
        past_kind = Situation.OSCILLATION
        name = _names(run)[axis]
        g_prev, g_now = float(prev.gradient[axis]), float(cur.gradient[axis])
        ratio = abs(g_now / g_prev) if g_prev else math.inf
        trend = "grew" if ratio > 1 else "shrank" if ratio < 1 else "kept its size"
        past = (
            f"Oscillation: {_slope_of(run, name)} has flipped sign on each of the last "
            f"{OSCILLATION_RUN} steps ({signed(g_prev)} → {signed(g_now)}), so {name} "
            f"zig-zags from one side of the valley to the other; the last swing {trend} "
            f"(×{num(ratio, 3)}), and {change}."
        )
    elif axis is not None:
        past_kind = Situation.OVERSHOOT
        name = _names(run)[axis]
        g_prev, g_now = float(prev.gradient[axis]), float(cur.gradient[axis])
        past = (
            f"Overshoot: {_slope_of(run, name)} flipped from {signed(g_prev)} to "
            f"{signed(g_now)}. {_sentence(_push(run, prev, cur, axis))} carried {name} from "
            f"{_n(float(prev.params[axis]))} past "
            f"the bottom to {_n(float(cur.params[axis]))}, and {change}."
        )
    elif rising:
        past_kind = Situation.DIVERGING
        past = (
            f"The loss rose two steps running ({num(judged_loss(steps[-3]))} → "
            f"{_pair(judged_loss(prev), judged_loss(cur))}): {step}"
        )
        why = _why_uphill(run, prev, cur)
        past += f"; {why}." if why else "."
    elif gap_now > gap_prev and _why_uphill(run, prev, cur):
        past_kind = Situation.OVERSHOOT
        past = f"Uphill: {change}. {_sentence(step)}: {_why_uphill(run, prev, cur)}."
    elif gap_now > gap_prev:
        past_kind = Situation.OVERSHOOT
        past = (
            f"Uphill: {change}. The step was longer than the stretch where the slope "
            f"points downhill: {step}."
        )
    elif fraction < CRAWL_FRACTION:
        past_kind = Situation.CRAWL
        past = f"Slow crawl: {change}: {step}."
    else:
        past_kind = Situation.DESCENDING
        past = f"Descending: {change}: {step}."

    # -- the future: what the forecast says ---------------------------------------------
    future = _future(run, rule, f)
    kind, advice = _kind_and_advice(run, rule, f, past_kind, noisy)
    return Diagnosis(kind, f"{past} {future}{advice}", forecast=f)


def _future(run, rule: RateRule, f: Forecast) -> str:
    """One sentence: what the forecast says happens at this rate rule."""
    at = f"At {rule.describe()}{_with(run)}"
    if _own_rate(run):
        at = f"With {run.optimizer.spec()} setting its own rate,"
    if f.outcome is Outcome.CLEARED:
        more = f.iterations - f.start
        return (
            f"{at} the goal is reached at step {f.iterations} "
            f"({more} more step{'s' if more != 1 else ''})."
        )
    if f.outcome is Outcome.DIVERGED:
        return f"{at} the run diverges at step {f.iterations}."
    budget = f.iterations
    if f.beyond == CLEARS:
        return (
            f"{at} the budget runs out at step {budget} before the goal: it would take "
            f"until step {f.beyond_iterations}."
        )
    if f.beyond == DIVERGES:
        return (
            f"{at} the budget runs out at step {budget} before the goal, and past it the run "
            f"diverges (at step {f.beyond_iterations})."
            if f.beyond_iterations
            else f"{at} the budget runs out at step {budget}, and past it the run diverges."
        )
    if f.beyond == GROWS:
        return (
            f"{at} the budget runs out at step {budget} before the goal, and past it the "
            f"swings keep growing (still at step {f.horizon}): given time it diverges."
        )
    if f.beyond == STUCK:
        return (
            f"{at} the budget runs out at step {budget} before the goal; by step {f.horizon} "
            f"the run has come to rest with the loss at {num(f.end_loss)}, "
            f"{num(f.end_loss - run.landscape.minimum)} above the lowest value."
        )
    # stalls and creeps are read off the loss: under an accuracy goal, say so
    by_loss = run.goal.accuracy_at_least is not None
    if f.beyond == STALLS:
        return (
            f"{at} the budget runs out at step {budget} before the goal, and by step "
            f"{f.horizon} the run's loss has stopped falling."
            if by_loss
            else f"{at} the budget runs out at step {budget} before the goal, and by step "
            f"{f.horizon} the run is no closer to it."
        )
    if f.beyond == CREEPS:
        return (
            f"{at} the budget runs out at step {budget} before the goal; at step {f.horizon} "
            + (
                "its loss is still falling, the goal not reached yet."
                if by_loss
                else "it is still getting closer, not there yet."
            )
        )
    return f"{at} the budget runs out at step {budget} before the goal."


def _kind_and_advice(run, rule: RateRule, f: Forecast, past_kind: Situation, noisy: bool):
    """The kind the forecast makes of the run, and advice that a forecast has checked."""
    out = f.outcome is Outcome.OUT_OF_BUDGET
    if f.diverges:
        return Situation.DIVERGING, _better(run, rule, f, bigger=False)
    if out and f.beyond == STUCK:
        return Situation.STUCK, (
            " Stuck in a shallow minimum: descent follows the slope, and in this dip it "
            "points nowhere." + _better(run, rule, f, bigger=True)
        )
    if noisy and out and f.beyond in (STALLS, None):
        return Situation.NOISY, (
            " The noise keeps it from settling: a smaller rate lets the batches' guesses "
            "average out." + _better(run, rule, f, bigger=False)
        )
    if out and f.beyond == STALLS and past_kind is Situation.OSCILLATION:
        return Situation.OSCILLATION, _better(run, rule, f, bigger=False)
    if out:
        return Situation.CRAWL, " Too slow for the budget." + _better(run, rule, f, bigger=True)
    if past_kind in (
        Situation.CRAWL,
        Situation.DESCENDING,
    ):  # it clears: would a bigger rate be quicker?
        better = _better(run, rule, f, bigger=True, within=SLOW_SHARE)
        if better:
            return Situation.CRAWL, " It crawls." + better
        return past_kind, ""
    if past_kind is Situation.DIVERGING:  # the loss rose, yet the forecast clears
        return Situation.OVERSHOOT, ""
    return past_kind, ""


def _better(run, rule: RateRule, f: Forecast, bigger: bool, within: float = 1.0) -> str:
    """A rate that clears sooner than ``f``, bigger or smaller than the rule's, checked by
    forecasts from here (or, for an ended run, from the start); '' if none is found.
    With ``within`` below 1 it must need at most that share of the steps ``f`` needs."""
    if not isinstance(run, Run):
        return ""
    here = run if not run.over else Run(run.landscape, run.goal, optimizer=run.optimizer)
    lr = rule.lr
    top = sys.float_info.max
    span = (
        (min(lr * 1.05, top), min(lr * ADVICE_SPAN, top))
        if bigger
        else (lr / ADVICE_SPAN, lr / 1.05)
    )
    # rates as they are printed (four figures), so that the one named is the one forecast
    lrs = np.unique([float(num(r)) for r in log_rates(*span, ADVICE_POINTS)])
    to_beat = math.inf
    if f.outcome is Outcome.CLEARED:
        to_beat = min(f.iterations, f.start + within * (f.iterations - f.start) + 1)
    # looked at over ADVICE_STEPS at most: a long budget must not cost its square; and
    # no further than a rate that helps must clear by (the same runs, cut where a later
    # clearing would not count: a run diagnosed at every step costs a fraction)
    budget = min(here.goal.max_iterations, here.iteration + ADVICE_STEPS)
    if to_beat < math.inf:
        budget = min(budget, math.ceil(to_beat) - 1)
    if budget <= here.iteration:
        return ""
    fs = forecast_many(here, lrs, rule.schedule, budget=budget, horizon=0)
    # the rate closest to the player's that does it: the smallest change that helps
    helps = [g for g in fs if g.outcome is Outcome.CLEARED and g.iterations < to_beat]
    best = (helps[0] if bigger else helps[-1]) if helps else None
    if best is None:
        return ""
    what = "bigger" if bigger else "smaller"
    verdict = "is quicker" if f.outcome is Outcome.CLEARED else "gets there"
    rate = (
        f"lr {num(best.lr)}"
        if rule.schedule.name == "constant"
        else f"{rule.schedule.spec()} from base lr {num(best.lr)}"
    )
    if here is run:
        where = f"from here, {rate} reaches the goal at step {best.iterations}"
    else:
        where = f"started over, {rate} reaches the goal in {best.iterations} steps"
    return f" A {what} rate {verdict}: {where}."


#: The sentence ``_better`` ends a diagnosis with: it names a rate that reaches the goal.
_ADVICE = re.compile(
    r" A (bigger|smaller) rate (is quicker|gets there): (?:from here|started over), "
    r".*? reaches the goal (?:at step \d+|in \d+ steps?)\."
)


def without_rates(text: str) -> str:
    """``text`` with the advice that names a rate reaching the goal cut down to its
    direction ("A bigger rate gets there."): before the player has earned it, the
    result screen does not give away a rate that clears."""
    return _ADVICE.sub(lambda m: f" A {m[1]} rate {m[2]}.", text)


def _percent(fraction: float) -> str:
    p = 100 * fraction
    if p >= 10:
        return f"{p:.0f}%"
    return f"{num(p, 2)}%"


# -- optimisers: words that hold for the optimiser the run uses --------------------------


def _own_rate(run) -> bool:
    return run.optimizer.sets_own_rate


def _plain_push(run) -> bool:
    """True when every step moves the params by exactly lr × slope (plain descent, or
    the hypergradient, whose ``lr`` is the rate it set for that step)."""
    opt = run.optimizer
    return opt.plain or opt.sets_own_rate


def _first_step_plain(run) -> bool:
    """True when the first step is lr × slope: also momentum's (its velocity starts as
    the slope), but not Nesterov's nor Adam's."""
    opt = run.optimizer
    return _plain_push(run) or (opt.name == "momentum" and not opt.options.get("nesterov"))


def _first_move(run, lr: float) -> np.ndarray:
    """The change of the params on the first step at ``lr``, computed by the optimiser."""
    opt = run.optimizer
    s = run.steps[0]
    P = s.params[None, :].astype(float).copy()
    with np.errstate(all="ignore"):
        opt.step(opt.init(np.array([lr]), P.shape[1]), P, s.gradient[None, :], np.array([lr]), 0)
    return P[0] - s.params


def _first_length(run, lr: float, gradient_norm: float) -> str:
    """How far the first step at ``lr`` moves the params, told from the gradient's length
    alone (a run too big to keep its params)."""
    opt = run.optimizer
    if _first_step_plain(run):  # lr × slope: plain, the hypergradient, momentum's first
        return f" A step with lr {num(lr)} moves the parameters {num(lr * gradient_norm)} downhill."
    if opt.name == "momentum":  # Nesterov: g + beta × (the velocity, which is g)
        beta = opt.options["beta"]
        return (
            f" The first step, {opt.spec()} at lr {num(lr)}, moves the parameters "
            f"lr × (1 + {num(beta)}) × |gradient| = {num(lr * (1 + beta) * gradient_norm)} "
            "downhill."
        )
    return (  # adam: lr × g / (|g| + eps) on each parameter
        f" The first step, {opt.spec()} at lr {num(lr)}, moves each parameter against its "
        f"slope by at most {num(lr)}, however steep the slope."
    )


def _with(run) -> str:
    opt = run.optimizer
    return "" if opt.plain else f" with {opt.spec()}"


def _which_rates(run) -> str:
    opt = run.optimizer
    if opt.plain:
        return "constant rates"
    if opt.sets_own_rate:
        return f"start rates of {opt.spec()}"
    return f"constant rates with {opt.spec()}"


def _sentence(words: str) -> str:
    """``words`` to open a sentence: capitalised, unless they open with the symbol lr."""
    return words if words.startswith("lr") else words[:1].upper() + words[1:]


def _push(run, prev: Step, cur: Step, i: int) -> str:
    """What moved parameter ``i`` on the step prev -> cur, as the arithmetic that did:
    lr × slope (plain descent, the hypergradient at the rate it set), lr × velocity
    (momentum), else the optimiser's own step beside plain descent's, −lr × slope."""
    lr = cur.lr
    g = float(prev.gradient[i])
    name = _names(run)[i]
    slope = "slope" if run.landscape.n_params == 1 else f"slope along {name}"
    if _plain_push(run):
        return f"lr × {slope} = {num(lr)} × {signed(g)} = {signed(lr * g)}"
    opt = run.optimizer
    if opt.name == "momentum" and not opt.options.get("nesterov") and cur.velocity is not None:
        v = float(cur.velocity[i])
        return (
            f"lr × velocity = {num(lr)} × {signed(v)} = {signed(lr * v)} "
            f"(velocity = {num(opt.options['beta'])} × the last one + the {slope})"
        )
    move = float(cur.params[i] - prev.params[i])
    return (
        f"the {opt.name} step at lr {num(lr)}, {signed(move)} (plain descent's step, "
        f"−lr × {slope}, would be {signed(-lr * g)}),"
    )


def _new_run(level, goal, optimizer):
    """A fresh run of ``level`` under ``optimizer`` (None or plain: the level's own run)."""
    if optimizer is None or optimizer.plain:
        return level.new_run(goal)
    return level.new_run(goal, optimizer=optimizer)
