"""Level files: YAML -> a validated level model -> an engine landscape.

Level files are untrusted. They are read by ``yamlsafe`` (no tags, no aliases,
YAML 1.2 numbers), checked by pydantic models that forbid unknown keys, and every
fault is reported as one line ``PATH:LINE: message``. Nothing in a level is ever
executed: the loss expression goes through the whitelist parser in ``engine.expr``.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from .dogs import DogsLevel
from .engine.descent import Goal as EngineGoal
from .engine.landscape import Landscape
from .engine.range_test import RangeTest, range_test
from .engine.schedules import CONSTANT, Schedule
from .engine.sweep import Par, find_par
from .text import num
from .yamlsafe import Document, InputError, load_yaml_file

MAX_ITERATIONS_CAP = 100_000
MAX_EXPRESSION_PARAMS = 16
#: On a mini-batch level the loss must stay within the target this many iterations in
#: a row: a noisy path passes through the target by chance, only a calm one stays.
STOCHASTIC_HOLD = 10

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Positive = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoalSpec(Model):
    """When the level is cleared, and the budget of steps."""

    loss_below: Positive = Field(description="cleared when loss - minimum <= loss_below")
    max_iterations: Annotated[int, Field(strict=True, ge=1, le=MAX_ITERATIONS_CAP)] = Field(
        description="the budget of steps"
    )
    hold: Annotated[int, Field(strict=True, ge=1, le=1000)] | None = Field(
        None,
        description="iterations in a row the loss must stay within the target "
        f"(default 1; {STOCHASTIC_HOLD} on a level with mini-batches)",
    )


class LrSpec(Model):
    """The learning rates a player may choose from, and the one they start with."""

    default: Positive
    min: Positive
    max: Positive

    @model_validator(mode="after")
    def _ordered(self) -> LrSpec:
        if self.min >= self.max:
            raise ValueError(f"lr.min ({self.min:g}) must be below lr.max ({self.max:g})")
        if not self.min <= self.default <= self.max:
            raise ValueError(
                f"lr.default ({self.default:g}) must lie between lr.min ({self.min:g}) "
                f"and lr.max ({self.max:g})"
            )
        return self


class TrialsSpec(Model):
    """Trial runs cost points: a search for the rate is part of the score."""

    cost: Annotated[int, Field(strict=True, ge=0, le=1000)] = Field(
        description="points taken off the score for every trial run before the scored one"
    )


class RangeTestSpec(Model):
    """The settings of the level's learning-rate range test."""

    min: Positive
    max: Positive
    steps: Annotated[int, Field(strict=True, ge=3, le=10_000)] = 100

    @model_validator(mode="after")
    def _ordered(self) -> RangeTestSpec:
        if self.min >= self.max:
            raise ValueError(
                f"range_test.min ({self.min:g}) must be below range_test.max ({self.max:g})"
            )
        return self


def _schedule_spec(spec: str) -> str:
    from .engine.schedules import SCHEDULES, ScheduleError, parse_schedule

    if spec.strip().lower() in SCHEDULES:
        return spec  # a bare name: its settings come from the level (default_schedule)
    try:
        parse_schedule(spec)
    except ScheduleError as exc:
        raise ValueError(str(exc)) from None
    return spec


#: A schedule name (``step``) or a full spec (``step:step_size=5,gamma=0.5``).
ScheduleSpec = Annotated[str, Field(max_length=200), AfterValidator(_schedule_spec)]

#: In-memory par per level content: a level loaded twice (the list, then the game)
#: is swept once. Keyed by the level's full content, so an edited file is swept again.
_PAR_CACHE: dict[str, Par] = {}
_PAR_CACHE_SIZE = 256


class LevelBase(Model):
    """Keys every kind of level shares."""

    _cache: dict = PrivateAttr(default_factory=dict)  # built landscape, par, source path

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")] = Field(
        description="unique id: lowercase letters, digits and dashes"
    )
    title: Annotated[str, Field(min_length=1, max_length=80)]
    story: Annotated[str, Field(max_length=4000)] = ""
    hints: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=20)] = []
    goal: GoalSpec
    lr: LrSpec
    schedules: Annotated[list[ScheduleSpec], Field(max_length=10)] = Field(
        default_factory=list,
        description="schedules the player may choose (names or specs); par sweeps them too",
    )
    trials: TrialsSpec | None = None
    range_test: RangeTestSpec | None = None
    show_loss: Annotated[bool, Field(strict=True)] = Field(
        True,
        description="false hides the loss and slope formulas from the player (the slopes' "
        "values stay): on a search level, the rate cannot be worked out on paper",
    )
    predict: Annotated[bool, Field(strict=True)] = Field(
        False,
        description="true asks the player, before each single step, where the parameter "
        "will land (a level with one parameter)",
    )

    @property
    def engine_goal(self) -> EngineGoal:
        hold = self.goal.hold
        if hold is None:
            hold = STOCHASTIC_HOLD if self.stochastic else 1
        return EngineGoal(self.goal.loss_below, self.goal.max_iterations, hold)

    def landscape(self) -> Landscape:
        """The engine's landscape for this level (built once)."""
        raise NotImplementedError

    def new_run(self, goal: EngineGoal | None = None):
        """A fresh run of this level, step by step. Kinds with a learner of their own
        (child-and-dogs) return their own run with the same surface as engine.Run."""
        from .engine.descent import Run

        return Run(self.landscape(), goal or self.engine_goal)

    def sweep_landscape(self) -> Landscape:
        """A landscape with exactly the same losses under descent, cheap to sweep.

        The level's own landscape, unless a kind has a smaller twin (a bowl groups
        its parameters by curvature). Par and sweeps of many rates use this one.
        """
        return self.landscape()

    def schedule_tools(self) -> list[Schedule]:
        """The schedules the player may pick (constant first), with their settings."""
        tools = [CONSTANT]
        for spec in self.schedules:
            schedule = default_schedule(spec, self)
            if schedule not in tools:
                tools.append(schedule)
        return tools

    def compute_par(self) -> Par:
        """Par, best lr and max stable lr, found by a sweep of constant rates (computed once).

        A level that offers schedules sweeps each of them too (Par.schedule says
        which one reached par).
        """
        if "par" not in self._cache:
            key = hashlib.sha256(self.model_dump_json().encode()).hexdigest()
            par = _PAR_CACHE.get(key)
            if par is None:
                par = find_par(
                    self.sweep_landscape(),
                    self.engine_goal,
                    self.lr.min,
                    self.lr.max,
                    schedules=self.schedule_tools(),
                    step_cost=self.step_cost(),
                )
                if len(_PAR_CACHE) >= _PAR_CACHE_SIZE:
                    _PAR_CACHE.pop(next(iter(_PAR_CACHE)))
                _PAR_CACHE[key] = par
            self._cache["par"] = par
        return self._cache["par"]

    def run_range_test(
        self, lr_min: float | None = None, lr_max: float | None = None, steps: int | None = None
    ) -> RangeTest:
        """The learning-rate range test on this level (settings: arguments, else range_test:,
        else the level's lr range and 100 steps)."""
        spec = self.range_test
        lo = lr_min if lr_min is not None else (spec.min if spec else self.lr.min)
        hi = lr_max if lr_max is not None else (spec.max if spec else self.lr.max)
        n = steps if steps is not None else (spec.steps if spec else 100)
        return range_test(self.landscape(), lo, hi, n)

    def trial_score(self, points: int, trials: int) -> int:
        """A run's points after paying for ``trials`` trial runs (no trials: no cost)."""
        cost = self.trials.cost if self.trials else 0
        return max(0, int(points) - cost * max(0, int(trials)))

    @property
    def n_params(self) -> int:
        return self.landscape().n_params

    def step_cost(self) -> int:
        """Rough work of one step of one rate on the sweep landscape, in numbers touched.
        Times the budget, it bounds what par costs (a sweep of ~500 rates)."""
        return 1 + self.sweep_landscape().n_params

    def run_step_cost(self) -> int:
        """Rough work of one step of one run on the level's own landscape, in numbers
        touched: the game, ``lrgame run`` and ``grade`` move every parameter, not the
        sweep twin's. Times the budget, it bounds what a run costs."""
        return 1 + self.n_params

    @property
    def stochastic(self) -> bool:
        """True when steps use mini-batches (the loss is jagged, the same for every player)."""
        return bool(self.landscape().stochastic)

    def check(self) -> list[tuple[tuple, str]]:
        """Faults the schema cannot see: (key path, message) for each."""
        return []

    def start_gap(self) -> float | None:
        """How far the start's loss (over all the data) is above the minimum, or None
        for a kind whose runs are not judged against the minimum. A level whose start is
        already within ``loss_below`` has nothing to play (the loader refuses it)."""
        from .engine.descent import Run

        land = self.sweep_landscape()  # the same losses, cheaper to build
        first = Run(land, self.engine_goal).steps[0]
        full = first.full_loss
        loss = first.loss if full is None or math.isnan(full) else float(full)
        return abs(loss - land.minimum)


def default_schedule(spec: str, level: LevelBase) -> Schedule:
    """A schedule from a level's ``schedules`` entry: a full spec, or a bare name whose
    settings follow from the level's budget B and default rate:

    step: step_size = B // 4, gamma = 0.5; exponential: gamma = 0.01 ** (1 / B) (the rate
    falls a hundredfold over the budget); cosine: t_max = B; cyclic: from lr.default / 10
    up to lr.default in B // 10 steps.
    """
    from .engine.schedules import parse_schedule

    name = spec.strip().lower()
    budget = level.goal.max_iterations
    if name == "step":
        spec = f"step:step_size={max(1, budget // 4)},gamma=0.5"
    elif name == "exponential":
        spec = f"exponential:gamma={0.01 ** (1 / budget)!r}"
    elif name == "cosine":
        spec = f"cosine:t_max={budget}"
    elif name == "cyclic":
        top = level.lr.default
        spec = f"cyclic:base_lr={top / 10!r},max_lr={top!r},step_size_up={max(1, budget // 10)}"
    return parse_schedule(spec)


class LandscapeLevel(LevelBase):
    """A loss written as an expression in a few named parameters."""

    kind: Literal["landscape"] = "landscape"
    params: dict[str, Number] = Field(description="parameter names -> starting values, in order")
    loss: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="the loss, an expression in the params"
    )
    minimum: Number = Field(0.0, description="the lowest loss the landscape reaches")

    @field_validator("params")
    @classmethod
    def _some_params(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("params needs at least one parameter, e.g. x: 2.0")
        if len(v) > MAX_EXPRESSION_PARAMS:
            raise ValueError(
                f"an expression level takes at most {MAX_EXPRESSION_PARAMS} params "
                "(use kind: bowl for many)"
            )
        return v

    def step_cost(self) -> int:
        # one numpy operation per node of the compiled loss and slopes, plus the update
        return 1 + len(self.params) + self.landscape().work

    def run_step_cost(self) -> int:
        # a run moves one point: each numpy operation costs about as much as touching a
        # thousand numbers (so the par limit already bounds a run's cost)
        return OPERATION_NUMBERS * self.step_cost()

    def landscape(self) -> Landscape:
        cache = self._cache
        if "landscape" not in cache:
            from .engine.landscape import ExpressionLandscape

            cache["landscape"] = ExpressionLandscape(
                self.loss, self.params, self.minimum, show_formulas=self.show_loss
            )
        return cache["landscape"]


#: Every level kind, by the value of its ``kind`` key. New kinds register here.
LEVEL_KINDS: dict[str, type[LevelBase]] = {"landscape": LandscapeLevel}


def _adapter() -> TypeAdapter:
    kinds = tuple(LEVEL_KINDS.values())
    union = kinds[0] if len(kinds) == 1 else Annotated[_union(kinds), Field(discriminator="kind")]
    return TypeAdapter(union)


def _union(kinds: tuple[type, ...]) -> Any:
    from typing import Union

    return Union[kinds]  # noqa: UP007 - built at run time from the registry


Level = LevelBase  # the public name for "a level of any kind"


# -- the child and the dogs ---------------------------------------------------------------

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


class ChildAndDogsLevel(DogsLevel, LevelBase):
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


LEVEL_KINDS["child-and-dogs"] = ChildAndDogsLevel


# -- errors -----------------------------------------------------------------------------


class LevelError(Exception):
    """One or more faults in a level file; str() is one ``PATH:LINE: message`` line each."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _key_path(loc: tuple) -> str:
    # a key comes from the file and may be a megabyte long: show at most 40 characters
    return ".".join(_shorten(str(p)) for p in loc)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _file_loc(loc: tuple, data: Any) -> tuple:
    """``loc`` without the "<shape>" parts that name the member of a union a value was read
    as (see one_of): the file has no such key. A key of the file is kept, even one written
    like a tag (``<list>: 1``), so a hostile key can neither vanish nor empty the path."""
    kept = []
    for part in loc:
        in_file = (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        )
        if in_file:
            data = data[part]
        elif isinstance(part, str) and part.startswith("<") and part.endswith(">"):
            continue
        else:
            data = None
        kept.append(part)
    return tuple(kept)


def _friendly(err: dict, doc: Document, kind_tag: str | None) -> InputError:
    loc = tuple(err["loc"])
    if kind_tag and loc and loc[0] == kind_tag:
        loc = loc[1:]
    loc = _file_loc(loc, doc.data)
    kind = err["type"]
    where = _key_path(loc)
    value = err.get("input")
    if kind == "missing":
        msg = f"missing required key '{loc[-1]}'" + (
            f" in {_key_path(loc[:-1])}" if len(loc) > 1 else ""
        )
        return doc.error(loc[:-1], msg)
    if kind == "extra_forbidden":
        parent = loc[:-1]
        allowed = _allowed_keys(parent, kind_tag)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        guess = f"; did you mean '{close[0]}'?" if close else ""
        hint = f" (allowed: {', '.join(allowed)}{guess})" if allowed else ""
        in_ = f" in {_key_path(parent)}" if parent else ""
        return doc.error(loc, f"unknown key '{_shorten(str(loc[-1]))}'{in_}{hint}")
    if kind in ("float_type", "int_type", "int_from_float", "float_parsing", "int_parsing"):
        what = "a whole number" if kind.startswith("int") else "a number"
        return doc.error(loc, f"{where}: expected {what}, got {_show(value)}")
    if kind == "finite_number":
        return doc.error(loc, f"{where}: must be a finite number, got {_show(value)}")
    if kind in ("bool_type", "bool_parsing"):  # yes/no/on/off are text in YAML 1.2
        return doc.error(loc, f"{where}: write true or false, got {_show(value)}")
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        return doc.error(loc, f"{where}: {err['msg'].lower()}, got {_show(value)}")
    if kind == "string_pattern_mismatch" and loc[-1:] == ("id",):
        return doc.error(loc, f"id {_show(value)} must be lowercase letters, digits and dashes")
    if kind == "union_tag_invalid":
        return doc.error(
            ("kind",),
            f"unknown kind {_show(value.get('kind') if isinstance(value, dict) else value)} "
            f"(kinds: {', '.join(LEVEL_KINDS)})",
        )
    if kind == "value_error":
        msg = str(err.get("ctx", {}).get("error", err["msg"]))
        return doc.error(loc, f"{where}: {msg}" if where and not msg.startswith(where) else msg)
    return doc.error(loc, f"{where}: {err['msg']}" if where else err["msg"])


def _without_typo_twins(errors: list[dict]) -> list[dict]:
    """Drop "missing key" errors explained by a misspelt key next to them.

    ``sead: 1`` where ``seed`` belongs is one fault, not two: the unknown-key error
    (which suggests ``seed``) is enough.
    """
    unknown: dict[tuple, list[str]] = {}
    for e in errors:
        if e["type"] == "extra_forbidden":
            unknown.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))
    return [
        e
        for e in errors
        if not (
            e["type"] == "missing"
            and difflib.get_close_matches(
                str(e["loc"][-1]), unknown.get(tuple(e["loc"][:-1]), []), n=1, cutoff=0.6
            )
        )
    ]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _allowed_keys(parent: tuple, kind_tag: str | None) -> list[str]:
    model: Any = LEVEL_KINDS.get(kind_tag or "landscape", LandscapeLevel)
    for part in parent:
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        model = _model_in(field.annotation) if field is not None else None
        if model is None:
            return []
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds, looking inside Optional, unions and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def one_of(message: str, **shapes: Any) -> Any:
    """A key that takes one of several shapes: ``number=``, ``list=`` or ``mapping=`` types.

    The value's own shape picks the member, so a fault is reported for that shape only
    (not once per member, as a plain union would), and any other value gets ``message``.
    """
    from pydantic import Discriminator, Tag

    members = tuple(Annotated[kind, Tag(f"<{shape}>")] for shape, kind in shapes.items())

    def pick(value: Any) -> str | None:
        if isinstance(value, bool):
            shape = None
        elif isinstance(value, (int, float)):
            shape = "number"
        elif isinstance(value, list):
            shape = "list"
        elif isinstance(value, (dict, BaseModel)):  # a model: serialising a loaded level
            shape = "mapping"
        else:
            shape = None
        return f"<{shape}>" if shape in shapes else None

    return Annotated[
        _union(members),
        Discriminator(pick, custom_error_type="shape", custom_error_message=message),
    ]


# -- loading ----------------------------------------------------------------------------


def parse_level(doc: Document) -> Level:
    """Validate a loaded YAML document as a level; raise LevelError."""
    data = doc.data
    if not isinstance(data, dict):
        raise LevelError(
            [doc.error((), "a level file must be a mapping of keys (id:, title:, ...)")]
        )
    data = dict(data)
    kind = data.setdefault("kind", "landscape")
    kind_tag = kind if isinstance(kind, str) and kind in LEVEL_KINDS else None
    if kind_tag is None:
        raise LevelError(
            [doc.error(("kind",), f"unknown kind {_show(kind)} (kinds: {', '.join(LEVEL_KINDS)})")]
        )
    try:
        level = _adapter().validate_python(data)
    except ValidationError as exc:
        tag = kind_tag if len(LEVEL_KINDS) > 1 else None
        errors = [_friendly(e, doc, tag) for e in _without_typo_twins(exc.errors())]
        raise LevelError(sorted(errors, key=lambda e: e.line or 0)) from None
    _check_semantics(level, doc)
    return level


def _check_semantics(level: Level, doc: Document) -> None:
    """Checks a schema cannot express: names, the expression, the start point."""
    errors = []
    if isinstance(level, LandscapeLevel):
        from .engine.program import ExprError, check_param_name

        for name in level.params:
            try:
                check_param_name(name)
            except ExprError as exc:
                errors.append(doc.error(("params", name), f"params: {exc.message}"))
        if not errors:
            try:
                start = level.landscape()
            except ExprError as exc:
                errors.append(doc.error(("loss",), f"loss: {exc.message}"))
            else:
                import numpy as np

                with np.errstate(all="ignore"):
                    value = float(start.loss(start.start[None, :])[0])
                if not math.isfinite(value):
                    errors.append(
                        doc.error(
                            ("params",),
                            f"the loss at the starting point is {value}: "
                            "start where the loss is a finite number",
                        )
                    )
    if level.predict and not (isinstance(level, LandscapeLevel) and len(level.params) == 1):
        errors.append(
            doc.error(("predict",), "predict: true needs a level with exactly one parameter")
        )
    extra = getattr(level, "check", None)
    if callable(extra):
        errors.extend(doc.error(loc, msg) for loc, msg in extra())
    if not errors:
        errors.extend(_check_cost(level, doc))
    if not errors:
        errors.extend(_check_start(level, doc))
    if errors:
        raise LevelError(errors)


def _check_start(level: Level, doc: Document) -> list[InputError]:
    gap = level.start_gap()
    if gap is None or not gap <= level.goal.loss_below:
        return []
    return [
        doc.error(
            ("goal", "loss_below"),
            "nothing to play: the start is already within loss_below of the minimum "
            f"(the loss starts {num(gap)} above it; loss_below is {num(level.goal.loss_below)})",
        )
    ]


#: Largest budget x step cost a level may have: par sweeps ~500 rates over the whole
#: budget, so this keeps validating or opening any level to a few seconds at most.
MAX_COST = 1_000_000


#: Largest budget x run step cost: what one run (in the game, ``lrgame run``, a
#: replay in ``grade``) may cost, in numbers touched: a 1,000,000-parameter bowl
#: for 1,000 steps, about 12 s of CPU.
MAX_RUN_COST = 1_000_000_000
#: Numbers touched that one numpy operation on a single point costs as much time as.
OPERATION_NUMBERS = 1000


def _check_cost(level: Level, doc: Document) -> list[InputError]:
    budget = level.engine_goal.max_iterations
    cost = level.step_cost()
    if budget * cost > MAX_COST:
        fits = max(1, MAX_COST // cost)
        return [
            doc.error(
                ("goal", "max_iterations"),
                f"too costly to play: {budget:,} steps over a level this size is "
                f"{budget * cost:,} units of work per rate (at most {MAX_COST:,}); "
                f"allow at most {fits:,} steps, or make the level smaller",
            )
        ]
    errors = []
    run = level.run_step_cost()
    if budget * run > MAX_RUN_COST:
        errors.append(
            doc.error(
                ("goal", "max_iterations"),
                f"too costly to play: one run of {budget:,} steps over {level.n_params:,} "
                f"parameters touches {budget * run:,} numbers (at most {MAX_RUN_COST:,}); "
                f"allow at most {most_run_steps(level):,} steps, or fewer parameters",
            )
        )
    steps = level.range_test.steps if level.range_test else 0
    if steps * run > MAX_RUN_COST:
        errors.append(
            doc.error(
                ("range_test", "steps"),
                f"too costly to play: a range test of {steps:,} steps over "
                f"{level.n_params:,} parameters touches {steps * run:,} numbers "
                f"(at most {MAX_RUN_COST:,}); allow at most {most_run_steps(level):,} steps",
            )
        )
    return errors


def most_run_steps(level: Level) -> int:
    """The most steps one run (or range test) of ``level`` may take (see MAX_RUN_COST)."""
    return max(1, MAX_RUN_COST // level.run_step_cost())


#: Largest rates x budget x step cost one ``lrgame sweep`` may ask for: four times what
#: par may cost (it sweeps ~500 rates), so a sweep takes seconds at most on any level.
MAX_SWEEP_COST = 2000 * MAX_COST


def most_sweep_points(level: Level) -> int:
    """The most rates one sweep of ``level`` may run (see MAX_SWEEP_COST)."""
    per_rate = level.engine_goal.max_iterations * level.step_cost()
    return max(1, MAX_SWEEP_COST // per_rate)


def load_level(path: str | os.PathLike) -> Level:
    """Read and validate one level file; raise LevelError with every fault."""
    try:
        doc = load_yaml_file(path)
    except InputError as exc:
        raise LevelError([exc]) from None
    level = parse_level(doc)
    level._cache["path"] = str(path)
    return level


# -- the shipped campaign ---------------------------------------------------------------


def levels_dir() -> Path:
    """The shipped levels: inside the installed package, or the source tree's levels/."""
    here = Path(__file__).resolve().parent
    installed = here / "_levels"
    return installed if installed.is_dir() else here.parent / "levels"


class Chapter(Model):
    title: str
    levels: list[str]


class Campaign(Model):
    chapters: list[Chapter]


def load_campaign() -> Campaign:
    path = levels_dir() / "campaign.yaml"
    doc = load_yaml_file(path)
    try:
        return Campaign.model_validate(doc.data)
    except ValidationError as exc:  # a broken shipped campaign is a bug, but say where
        raise LevelError([_friendly(e, doc, None) for e in exc.errors()]) from None


def campaign_ids() -> list[tuple[str, str]]:
    """(chapter title, level id) for every shipped level, in campaign order."""
    return [(ch.title, lid) for ch in load_campaign().chapters for lid in ch.levels]


def shipped_path(level_id: str) -> Path:
    return levels_dir() / f"{level_id}.yaml"


_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class LevelNotFound(LookupError):
    pass


def resolve(ref: str) -> Path:
    """A shipped level id or a path to a YAML file -> the file's path."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or os.sep in ref or path.exists():
        if not path.is_file():
            raise LevelNotFound(f"{ref}: no such level file")
        return path
    if _ID.match(ref) and shipped_path(ref).is_file():
        return shipped_path(ref)
    raise LevelNotFound(f"{ref}: no shipped level has this id (see `lrgame levels`)")


def find_level(ref: str) -> Level:
    return load_level(resolve(ref))


#: Shipped levels a pre-loaded parent (``lrgame serve``'s zygote) read ahead of time for
#: the games it forks: path -> (the file's size and mtime when read, the level).
_PRELOADED: dict[str, tuple[tuple[int, int], Level]] = {}


def _signature(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def preload_shipped(par: bool = True) -> None:
    """Read every shipped level of the campaign now (and find its par), for
    :func:`load_shipped` to hand out later in this process and in its forks."""
    for _chapter, level_id in campaign_ids():
        path = shipped_path(level_id)
        signature = _signature(path)
        level = load_level(path)
        if par:
            level.compute_par()
        _PRELOADED[str(path)] = (signature, level)


def load_shipped(level_id: str) -> Level:
    """A shipped level: the preloaded one while its file is unchanged, else read now."""
    path = shipped_path(level_id)
    hit = _PRELOADED.get(str(path))
    if hit is not None:
        try:
            if _signature(path) == hit[0]:
                return hit[1]
        except OSError:
            pass
    return load_level(path)


def level_path(level: Level) -> str | None:
    return level._cache.get("path")


# Kinds written in their own module register here; they need LevelBase, so they are
# imported once everything above exists.
from .level_kinds import BowlLevel, RegressionLevel  # noqa: E402

LEVEL_KINDS.update({"bowl": BowlLevel, "regression": RegressionLevel})
