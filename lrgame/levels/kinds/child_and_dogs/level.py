"""The child-and-dogs level: its schema, its behaviour, and its plain words.

The learner itself is ``engine.dogs``: pure numpy, no words.

What the game screen can draw from, without computing anything:

- ``animals()`` -> list[Sighting]: every animal in the order the child meets it.
- ``beliefs(lr)`` -> list[Belief]: the child's idea (mean and spread per feature) after
  each of those animals.
- ``quiz_says(lr)`` -> {quiz key: True when the child says "a dog"}.
- ``answers(lr)`` -> list[Answer]: the same, with the name, right or wrong, and why.
- ``regime(lr)`` -> "too_low" | "good" | "too_high" | "muddled"; ``explain(lr)`` -> words.
- ``narrate(lr)`` -> list[str]: a sentence per animal of the stream (what moved, what changed).
- ``good_window()`` -> Window(lo, hi) or None: the widest stretch of right rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ....engine import dogs as E
from ....engine.descent import Goal, Outcome
from ....engine.sweep import Par
from ....text import num, stars_text
from ...base import GoalSpec, LevelBase, Model, Positive

# -- the level file -------------------------------------------------------------------

Unit = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=1)]
FeatureName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
MAX_ANIMALS = 1000


class AnimalSpec(BaseModel):
    """An animal: its name, then every feature of the level as a number from 0 to 1."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, Unit]

    name: Annotated[str, Field(min_length=1, max_length=60)]


class FirstDogsSpec(Model):
    """The dogs that formed the child's idea, learned at the level's own rate."""

    lr: Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=1)]
    animals: Annotated[list[AnimalSpec], Field(min_length=1, max_length=MAX_ANIMALS)]


class QuizSpec(Model):
    """The animals the child is asked about after the stream."""

    black_dog: AnimalSpec
    white_dog: AnimalSpec
    brown_dog: AnimalSpec
    cat: AnimalSpec


class DecisionSpec(Model):
    """A dog is an animal whose every feature lies within ``threshold`` spreads of the idea."""

    threshold: Positive
    min_spread: Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=1)]


#: The quiz animals that are dogs; the cat is not.
QUIZ_IS_DOG = {"black_dog": True, "white_dog": True, "brown_dog": True, "cat": False}


@dataclass(frozen=True)
class Sighting:
    """One animal the child meets, told it is a dog."""

    name: str
    features: dict[str, float]
    part: str  # "first": the dogs that formed the idea; "stream": learned at the player's rate
    lr: float | None  # the fixed rate of a first dog; None where the player's rate applies


@dataclass(frozen=True)
class Belief:
    """The child's idea of a dog right after meeting ``after``."""

    after: str
    part: str
    lr: float  # the rate this animal was learned at
    mean: dict[str, float]
    spread: dict[str, float]


@dataclass(frozen=True)
class Answer:
    """The child's answer about one quiz animal."""

    key: str
    name: str
    says_dog: bool
    right: bool
    because: str | None  # the feature furthest from the idea, in spreads
    distance: float  # how many spreads that feature lies from the idea


class ChildAndDogsLevel(LevelBase):
    """A child's idea of "dog", formed by online gradient descent; the player sets its rate."""

    kind: Literal["child-and-dogs"]
    goal: GoalSpec | None = None  # not written: cleared when the quiz is all right
    features: Annotated[
        dict[FeatureName, Annotated[str, Field(max_length=200)]],
        Field(min_length=1, max_length=16),
    ] = Field(description="feature name -> what 1 and 0 mean")
    first_dogs: FirstDogsSpec
    stream: Annotated[list[AnimalSpec], Field(min_length=1, max_length=MAX_ANIMALS)]
    quiz: QuizSpec
    decision: DecisionSpec

    # -- the engine's view -----------------------------------------------------
    def child(self) -> E.Child:
        """The learner's fixed data (built once)."""
        cache = self._cache
        if "child" not in cache:
            names = tuple(self.features)
            q = self.quiz

            def rows(animals) -> np.ndarray:
                return np.array(
                    [[float(a.model_extra.get(f, np.nan)) for f in names] for a in animals],
                    dtype=float,
                ).reshape(len(animals), len(names))

            quiz = [getattr(q, k) for k in QUIZ_IS_DOG]
            cache["child"] = E.Child(
                features=names,
                first_names=tuple(a.name for a in self.first_dogs.animals),
                first_dogs=rows(self.first_dogs.animals),
                first_lr=self.first_dogs.lr,
                stream_names=tuple(a.name for a in self.stream),
                stream=rows(self.stream),
                quiz_keys=tuple(QUIZ_IS_DOG),
                quiz_names=tuple(a.name for a in quiz),
                quiz=rows(quiz),
                quiz_is_dog=np.array(list(QUIZ_IS_DOG.values())),
                threshold=self.decision.threshold,
                min_spread=self.decision.min_spread,
            )
        return cache["child"]

    def landscape(self) -> E.ChildLandscape:
        cache = self._cache
        if "landscape" not in cache:
            cache["landscape"] = E.ChildLandscape(self.child())
        return cache["landscape"]

    @property
    def engine_goal(self) -> Goal:
        """The whole stream; cleared when no quiz answer is wrong (mistakes below 0.5)."""
        return Goal(0.5, len(self.stream))

    def start_gap(self) -> None:
        """Not judged against a minimum: a run is the whole stream, cleared at its end."""
        return None

    def new_run(self, goal: Goal | None = None, optimizer=None) -> E.ChildRun:
        """A run the CLI and the game drive like the engine's Run (no optimiser but the
        child's own running average: see check())."""
        if optimizer is not None and not optimizer.plain:
            raise ValueError("the child learns by a running average: it takes no optimizer")
        return E.ChildRun(self.child(), goal or self.engine_goal)

    def step_cost(self) -> int:
        """Work of one animal for one rate of a sweep (see LevelBase.step_cost)."""
        return E.numbers_per_step(self.child())

    def sweep_rates(self, lrs, optimizer=None) -> E.RateRuns:
        """Every rate at once; the child takes no optimiser (see ``new_run``)."""
        if optimizer is not None and not optimizer.plain:
            raise ValueError("the child learns by a running average: it takes no optimizer")
        return E.simulate(self.child(), lrs)

    def good_window(self) -> E.Window | None:
        return self._window()[0]

    def _window(self):
        if "window" not in self._cache:
            self._cache["window"] = E.good_window(self.child(), self.lr.min, self.lr.max)
        return self._cache["window"]

    def compute_par(self) -> Par:
        """par: the animals in the stream (if some rate clears); best lr: the window's middle.

        max_stable_lr is the window's upper edge: past it the child starts to forget.
        """
        window, batch = self._window()
        if window is None:
            return Par(None, None, None, batch)
        return Par(len(self.stream), window.middle, window.hi, batch)

    scored_by_par: ClassVar[bool] = False
    own_words: ClassVar[bool] = True
    takes_optimizers: ClassVar[bool] = False

    def grade_run(self, run: E.ChildRun) -> dict[str, Any]:
        """This level's stars and points, and the quiz, for the run report."""
        rates = [r for r in run.lrs if r > 0]
        lr = float(np.exp(np.mean(np.log(rates)))) if rates else self.lr.default
        stars, points = E.grade(self.good_window(), run.outcome == Outcome.CLEARED, lr)
        return {"stars": stars, "score": points, "quiz": run.quiz()}

    def describe_run(self, run: E.ChildRun, report: dict[str, Any]) -> str:
        return run_text(self, run, report)

    def sweep_text(self, batch: E.RateRuns) -> str:
        return sweep_text(self, batch)

    # -- what a screen draws ---------------------------------------------------
    def animals(self) -> list[Sighting]:
        c = self.child()
        out = [
            Sighting(name, _named(c, x), "first", c.first_lr)
            for name, x in zip(c.first_names, c.first_dogs)
        ]
        out += [
            Sighting(name, _named(c, x), "stream", None)
            for name, x in zip(c.stream_names, c.stream)
        ]
        return out

    def beliefs(self, lr: float) -> list[Belief]:
        c = self.child()
        fm, fs = E.first_beliefs(c)
        b = E.learn(c, [lr])
        out = []
        for i, name in enumerate(c.first_names):
            rate = 1.0 if i == 0 else c.first_lr
            out.append(_belief(c, name, "first", rate, fm[i], fs[i]))
        for t, name in enumerate(c.stream_names):
            out.append(_belief(c, name, "stream", lr, b.mean[0, t + 1], b.square[0, t + 1]))
        return out

    def quiz_says(self, lr: float) -> dict[str, bool]:
        return {a.key: a.says_dog for a in self.answers(lr)}

    def answers(self, lr: float) -> list[Answer]:
        c = self.child()
        b = E.learn(c, [lr])
        return _answers(c, b.mean[0, -1], b.square[0, -1])

    def answers_at(self, step: E.ChildStep) -> list[Answer]:
        """The quiz answers with the idea of one step of a run (rates may have varied)."""
        return _answers(self.child(), step.params, step.square)

    def regime(self, lr: float) -> str:
        return _regime({a.key: a for a in self.answers(lr)})

    def explain(self, lr: float | None) -> str:
        return "" if lr is None else explain(self, lr)

    def narrate(self, lr: float) -> list[str]:
        """One sentence per animal of the stream: what moved, and what the child now says."""
        run = self.new_run()
        while not run.over:
            run.step(lr)
        return [step_words(self, a, b) for a, b in zip(run.steps, run.steps[1:])]

    # -- checks a schema cannot express ----------------------------------------
    def check(self) -> list[tuple[tuple, str]]:
        errors: list[tuple[tuple, str]] = []
        if self.optimizers:
            errors.append(
                (
                    ("optimizers",),
                    "a child-and-dogs level takes no optimizers: the child's idea is a running "
                    "average of the animals it sees, not descent on a loss",
                )
            )
        if self.goal is not None:
            errors.append(
                (
                    ("goal",),
                    "a child-and-dogs level takes no goal: it is cleared when the child "
                    "answers the whole quiz right",
                )
            )
        names = list(self.features)
        if "name" in names:
            errors.append(
                (("features", "name"), "features: 'name' is the animal's name, not a feature")
            )
            return errors
        groups = [(("first_dogs", "animals", i), a) for i, a in enumerate(self.first_dogs.animals)]
        groups += [(("stream", i), a) for i, a in enumerate(self.stream)]
        groups += [(("quiz", k), getattr(self.quiz, k)) for k in QUIZ_IS_DOG]
        for loc, animal in groups:
            where = ".".join(str(p) for p in loc)
            given = animal.model_extra or {}
            for key in given:
                if key not in self.features:
                    errors.append(
                        (
                            (*loc, key),
                            f"{where}: unknown feature '{key}' (features: {', '.join(names)})",
                        )
                    )
            missing = [f for f in names if f not in given]
            if missing:
                errors.append(
                    (loc, f"{where} ({animal.name}): missing feature {', '.join(missing)}")
                )
        return errors


# -- helpers ----------------------------------------------------------------------------


def _named(c: E.Child, row: np.ndarray) -> dict[str, float]:
    return {f: float(v) for f, v in zip(c.features, row)}


def _belief(c: E.Child, name, part, lr, mean, square) -> Belief:
    sd = E.spread(mean, square, c.min_spread)
    return Belief(name, part, float(lr), _named(c, mean), _named(c, sd))


def _answers(c: E.Child, mean: np.ndarray, square: np.ndarray) -> list[Answer]:
    z = E.distances(c, mean, square)  # (q, d)
    says = E.says_dog(c, mean, square)
    out = []
    for i, key in enumerate(c.quiz_keys):
        row = np.where(np.isfinite(z[i]), z[i], np.inf)
        j = int(np.argmax(row))
        out.append(
            Answer(
                key=key,
                name=c.quiz_names[i],
                says_dog=bool(says[i]),
                right=bool(says[i]) == bool(c.quiz_is_dog[i]),
                because=c.features[j],
                distance=float(row[j]),
            )
        )
    return out


def _regime(by_key: dict[str, Answer]) -> str:
    if all(a.right for a in by_key.values()):
        return "good"
    if not by_key["black_dog"].says_dog:
        return "too_high"
    if not by_key["white_dog"].says_dog:
        return "too_low"
    return "muddled"


# -- words ------------------------------------------------------------------------------


def says_text(answer: Answer) -> str:
    """'A white dog? The child says: not a dog.'"""
    name = answer.name[:1].upper() + answer.name[1:]
    return f"{name}? The child says: {'a dog' if answer.says_dog else 'not a dog'}."


def label(level, feature: str) -> str:
    """A feature as a sentence names it: its description without the words in brackets."""
    text = level.features[feature]
    return text.split(" (", 1)[0].strip() or feature


def _why(level, answer: Answer, mean: dict[str, float], spread: dict[str, float], x: dict) -> str:
    if answer.says_dog:
        return "it fits the child's idea on every feature"
    f = answer.because
    return (
        f"its {label(level, f)} is {num(x[f], 2)}; the child expects "
        f"{num(mean[f], 2)}, give or take {num(spread[f], 2)}"
    )


def _dogs(n: int, noun: str) -> str:
    """'10 black dogs', 'the one black dog'."""
    return f"{n} {noun}s" if n != 1 else f"one {noun}"


def _pct(lr: float) -> str:
    return f"{lr * 100:.3g}%"


def step_words(level, before: E.ChildStep, after: E.ChildStep) -> str:
    """What one animal did to the child's idea, and to its quiz answers."""
    c = level.child()
    moved = int(np.argmax(np.abs(np.nan_to_num(after.update, nan=np.inf))))
    f = c.features[moved]
    text = (
        f"The child's idea of {label(level, f)} moves {_pct(after.lr)} of the way to "
        f"{after.animal}: from {num(before.params[moved], 2)} to {num(after.params[moved], 2)}."
    )
    was, now = before.says_dog, after.says_dog
    gained = [n for i, n in enumerate(c.quiz_names) if now[i] and not was[i]]
    lost = [n for i, n in enumerate(c.quiz_names) if was[i] and not now[i]]
    if gained:
        verb = "is a dog" if len(gained) == 1 else "are dogs"
        text += f" Now it would say {_and(gained, 'and')} {verb}."
    if lost:
        text += f" It would no longer say {_and(lost, 'or')} is a dog."
    if not gained and not lost:
        text += " Its quiz answers stay as they were."
    return text


def _and(names: list[str], word: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {word} {names[-1]}"


def explain(level, lr: float) -> str:
    """What the learning rate did to the child, in plain words."""
    c = level.child()
    beliefs = level.beliefs(lr)
    before, after = beliefs[len(c.first_names) - 1], beliefs[-1]
    answers = {a.key: a for a in level.answers(lr)}
    regime = _regime(answers)
    k, n = len(c.first_names), len(c.stream_names)
    new = "the new dog" if n == 1 else f"the {n} new dogs"
    if regime == "too_low":
        f = answers["white_dog"].because
        return (
            f"At learning rate {num(lr)} each new dog moves the child's idea only {_pct(lr)} of "
            f"the way towards it. {_dogs(k, 'black dog').capitalize()} had shaped that idea, and {new} barely "
            f"dented it: its idea of {label(level, f)} went from {num(before.mean[f], 2)} to "
            f"{num(after.mean[f], 2)}. To this child the white dog is an odd exception, not a "
            "dog. Let the new dogs count for more: raise the rate."
        )
    if regime == "too_high":
        f = answers["black_dog"].because
        if lr >= 1:
            moved = "all the way to it: its idea of a dog simply becomes the last dog it saw"
        else:
            moved = f"{_pct(lr)} of the way towards it"
        return (
            f"At learning rate {num(lr)} each new dog moves the child's idea {moved}. "
            f"The newest dogs wiped out what the {_dogs(k, 'dog')} before them had taught: its idea of "
            f"{label(level, f)} went from {num(before.mean[f], 2)} to {num(after.mean[f], 2)}, "
            f"give or take only {num(after.spread[f], 2)}. As far as this child knows, dogs are "
            "white, and a black dog is not one. Let the old dogs still count: lower the rate."
        )
    if regime == "good":
        grew = max(c.features, key=lambda f: after.spread[f] - before.spread[f])
        cat = answers["cat"]
        return (
            f"At learning rate {num(lr)} the new dogs moved the child's idea without erasing "
            f"it: its idea of {label(level, grew)} went from {num(before.mean[grew], 2)} to "
            f"{num(after.mean[grew], 2)}, and now it lets {label(level, grew)} vary by "
            f"{num(after.spread[grew], 2)} either way. So {label(level, grew)} stopped "
            f"deciding what a dog is. What every dog shares still tells a dog from "
            f"{cat.name}: the cat gives itself away by its {label(level, cat.because)}."
        )
    wrong = [a.name for a in answers.values() if not a.right]
    return (
        f"At learning rate {num(lr)} the child's idea of a dog got muddled: it is wrong about "
        f"{' and '.join(wrong)}."
    )


def run_text(level, run: E.ChildRun, report: dict[str, Any]) -> str:
    """The `lrgame run` text: the first dogs, each step of the stream, the quiz, the verdict."""
    c = level.child()
    feats = list(c.features)
    lines = [f"{level.title}  —  each dog moves the child's idea: m ← m + lr × (x − m)"]
    lines.append(f"  learning rate {num(report['lr'])}, schedule {report['schedule']}")
    lines.append("")

    fm, fs = E.first_beliefs(c)
    lines += _wrap(
        "What the child notices, each from 0 to 1: "
        + ", ".join(f"{f} = {d}" for f, d in level.features.items())
        + "."
    )
    lines.append("")
    lines += _wrap(
        f'The {_dogs(len(c.first_names), "dog")} the child met before today, all told "a dog". The '
        "first one was its whole idea of a dog; each after it moved the idea at the level's "
        f"own rate {num(c.first_lr)} (not yours)."
    )
    rows = [[name, *[num(v, 2) for v in x]] for name, x in zip(c.first_names, c.first_dogs)]
    spread0 = E.spread(fm[-1], fs[-1], c.min_spread)
    rows.append(["→ its idea of a dog", *[num(v, 2) for v in fm[-1]]])
    rows.append(["  give or take", *[num(v, 2) for v in spread0]])
    lines += _table(["", *feats], rows)
    lines.append("")

    for s_prev, s in zip(run.steps, run.steps[1:]):
        lines.append(
            f'Step {s.iteration}: {s.animal}. "That\'s a dog too!"  (learning rate {num(s.lr)})'
        )
        rows = [
            ["the dog", *[num(v, 2) for v in s.features]],
            ["idea before", *[num(v, 2) for v in s_prev.params]],
            ["lr × (x − m)", *[_signed(v) for v in s.update]],
            ["idea after", *[num(v, 2) for v in s.params]],
            ["give or take", *[num(v, 2) for v in s.spread]],
        ]
        lines += _table(["", *feats], rows)
        lines += ["  " + w for w in _wrap(step_words(level, s_prev, s), 86)]
        lines.append("")

    last = run.current
    answers = _answers(c, last.params, last.square)
    mean, sd = _named(c, last.params), _named(c, last.spread)
    lines.append("The quiz: is it a dog?")
    width = max(len(says_text(a)) for a in answers)
    for a, x in zip(answers, c.quiz):
        lines.append(f"  {says_text(a):<{width}}  {'right' if a.right else 'WRONG'}")
        if not a.says_dog or not a.right:  # say why it said no, or why it was fooled
            lines.append(f"      ({_why(level, a, mean, sd, _named(c, x))})")
    lines.append("")

    lr = report["lr"]
    if run.iteration == len(c.stream_names):
        lines += _wrap(explain(level, lr) if len(set(run.lrs)) <= 1 else "")
        lines.append("")
    wrong = sum(not a.right for a in answers)
    if report["outcome"] == "cleared":
        w = level.good_window()
        where = (
            f"the good rates run from {num(w.lo, 3)} to {num(w.hi, 3)}, middle {num(w.middle, 3)}"
            if w
            else ""
        )
        lines.append(
            f"Cleared: every answer right. {stars_text(report['stars'])}  {report['score']} points"
        )
        lines.append(f"  ({where}; points are highest in the middle)")
    elif report["outcome"] == "diverged":
        lines.append(
            "Not cleared: the rate is so large that the child's idea is no longer a number."
        )
    else:
        lines.append(f"Not cleared: {wrong} wrong answer{'s' if wrong != 1 else ''}. 0 points")
    return "\n".join(line for line in lines)


def _signed(v: float) -> str:
    return "0" if v == 0 else f"{v:+.2g}"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    out = [
        "  "
        + "  ".join(
            h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(head)
        )
    ]
    for r in rows:
        out.append(
            "  "
            + "  ".join(
                c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)
            )
        )
    return out


def _wrap(text: str, width: int = 88) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) if text else []


def sweep_text(level, batch: E.RateRuns, width: int = 72) -> str:
    """The quiz answers against the learning rate: one strip per quiz animal, one column a rate."""
    c = level.child()
    lrs = batch.lrs
    if lrs.size > width:  # one column per rate: thin out evenly, keeping both ends
        lrs = lrs[np.unique(np.linspace(0, lrs.size - 1, width).round().astype(int))]
    b = E.learn(c, lrs)
    says = E.says_dog(c, b.mean[:, -1], b.square[:, -1])  # (r, q)
    right = says == c.quiz_is_dog
    name_w = max(len(n) for n in (*c.quiz_names, "all right"))
    lo, hi = num(float(lrs[0]), 3), num(float(lrs[-1]), 3)
    lines = [
        f"What the child says after the stream, one column per learning rate ({lo} to {hi},",
        "log scale): D a dog, . not a dog, x a wrong answer.",
        "",
        f"  {'':<{name_w}}  {lo}{hi:>{max(len(lrs) - len(lo), len(hi))}}",
    ]
    for i, name in enumerate(c.quiz_names):
        strip = "".join(
            ("D" if says[r, i] else ".") if right[r, i] else "x" for r in range(len(lrs))
        )
        lines.append(f"  {name:<{name_w}}  {strip}")
    ok = "".join("✓" if right[r].all() else " " for r in range(len(lrs)))
    lines.append(f"  {'all right':<{name_w}}  {ok}")
    w = level.good_window()
    lines.append("")
    if w is None:
        lines.append("No rate in the level's range gets the whole quiz right.")
    else:
        lines += _wrap(
            f"Every answer is right from lr {num(w.lo, 3)} to {num(w.hi, 3)} "
            f"(middle {num(w.middle, 3)}). Below, the white dog stays an outsider; "
            "above, the black dogs are forgotten."
        )
    return "\n".join(lines)
