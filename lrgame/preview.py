"""What the board's preview says about a rate: words built on the engine's forecast.

The preview (``p`` on the board) shows where the rate set would take the run from
where it stands. Everything it says is read off one ``engine.forecast.Forecast``: the
run continued under that rate rule to the end of its budget (and past it), never a
guess from the last few steps. No Textual here.
"""

from __future__ import annotations

from .engine import Outcome
from .engine.forecast import CLEARS, CREEPS, DIVERGES, GROWS, STALLS, STUCK, Forecast, RateRule
from .text import num


def _steps(n: int) -> str:
    return f"{n} step{'s' if n != 1 else ''}"


def rule_words(rule: RateRule) -> str:
    """``at 0.09``, or ``at cosine:t_max=50 from base lr 0.09``."""
    if rule.schedule.name == "constant":
        return f"at {num(rule.lr)}"
    return f"at {rule.schedule.spec()} from base lr {num(rule.lr)}"


def under_optimizer(words: str, rule: RateRule, run) -> str:
    """``preview_words`` for a run under an optimiser: "at 0.09 with momentum: ...", and
    under the hypergradient after its first step, whose rate is its own, "at its own
    rate: ..." (the rate set no longer counts)."""
    optimizer = run.optimizer
    if optimizer.plain:
        return words
    head = rule_words(rule)
    if optimizer.sets_own_rate and run.iteration > 0:
        return words.replace(head, "at its own rate", 1)
    return words.replace(head, f"{head} with {optimizer.name}", 1)


#: What an out-of-budget run does past the budget (see ``Forecast.beyond``).
_BEYOND = {
    DIVERGES: "; given more steps it diverges",
    GROWS: "; past the budget its swings keep growing: it diverges given time",
    STUCK: "; past the budget it comes to rest in a dip above the floor",
    STALLS: "; past the budget it comes no closer to the floor",
}


def preview_words(f: Forecast, rule: RateRule, minimum: float) -> str:
    """One line: what the run does from here if every later step follows ``rule``.

    "at 0.09: clears in 31 steps", "at 1.5: diverges in 6 steps", "at 0.001: runs
    out of budget at iteration 50, 3.6 above the floor; ...". Steps count from the
    iteration the forecast starts at; the iteration is named when that is not 0."""
    head = rule_words(rule)
    where = f", at iteration {f.iterations}" if f.start > 0 else ""
    if f.outcome is Outcome.CLEARED:
        return f"{head}: clears in {_steps(f.steps)}{where}"
    if f.outcome is Outcome.DIVERGED:
        return f"{head}: diverges in {_steps(f.steps)}{where}"
    text = f"{head}: runs out of budget at iteration {f.iterations}"
    if f.losses.size == f.steps + 1:  # the path reaches the end of the budget
        text += f", {num(float(f.losses[-1]) - minimum)} above the floor"
    if f.beyond == CLEARS and f.beyond_iterations is not None:
        text += f"; it would clear at iteration {f.beyond_iterations}"
    elif f.beyond == CREEPS:
        text += f"; it is still creeping closer at iteration {f.horizon}"
    else:
        text += _BEYOND.get(f.beyond, "")
    return text
