"""The level base: the keys every kind shares, and every hook a kind may override.

A level kind is a pydantic model on ``LevelBase`` in its own module under
``levels/kinds/``; the registry finds it there. Code outside a kind calls the hooks
declared here and never asks a level what it has.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from ..engine.descent import Goal as EngineGoal
from ..engine.descent import Outcome
from ..engine.landscape import Landscape
from ..engine.optimizers import SGD, Optimizer
from ..engine.range_test import RangeTest, range_test
from ..engine.schedules import CONSTANT, Schedule
from ..engine.scoring import score, stars
from ..engine.sweep import Par, find_par, sweep
from . import par_store

MAX_ITERATIONS_CAP = 100_000
#: Optimisers a level may offer; par sweeps each with every schedule it offers, so the
#: pairs are capped too (MAX_OPTIMIZER_SWEEPS), and so are the parameters they play:
#: forecasts, par, sweeps and range tests under an optimiser play the level's twin
#: under it (``twin_landscape``: a bowl's one parameter per curvature, or under adam per
#: curvature and start size), which may have at most MAX_OPTIMIZER_PARAMS (``played``).
MAX_OPTIMIZERS = 4
MAX_OPTIMIZER_SWEEPS = 12
MAX_OPTIMIZER_PARAMS = 1_000
#: On a mini-batch level the loss must stay within the target this many iterations in
#: a row: a noisy path passes through the target by chance, only a calm one stays.
STOCHASTIC_HOLD = 10


#: Bound on data values, curvatures and starts, so sums of squares stay far from overflow.
MAX_VALUE = 1e6
MAX_SEED = 2**32 - 1

Seed = Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)]
Bounded = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-MAX_VALUE, le=MAX_VALUE)]

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Positive = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoalSpec(Model):
    """When the level is cleared, and the budget of steps."""

    loss_below: Positive | None = Field(
        None, description="cleared when loss - minimum <= loss_below (or accuracy_at_least)"
    )
    accuracy_at_least: (
        Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=1)] | None
    ) = Field(
        None,
        description="a network level only, instead of loss_below: cleared when the share "
        "of all the points the network labels right is at least this (0 < a <= 1)",
    )
    max_iterations: Annotated[int, Field(strict=True, ge=1, le=MAX_ITERATIONS_CAP)] = Field(
        description="the budget of steps"
    )
    hold: Annotated[int, Field(strict=True, ge=1, le=1000)] | None = Field(
        None,
        description="iterations in a row the loss must stay within the target "
        f"(default 1; {STOCHASTIC_HOLD} on a level with mini-batches)",
    )

    @model_validator(mode="after")
    def _one_target(self) -> GoalSpec:
        if (self.loss_below is None) == (self.accuracy_at_least is None):
            raise ValueError("the goal needs exactly one of loss_below and accuracy_at_least")
        return self


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
    from ..engine.schedules import SCHEDULES, ScheduleError, parse_schedule

    if spec.strip().lower() in SCHEDULES:
        return spec  # a bare name: its settings come from the level (default_schedule)
    try:
        parse_schedule(spec)
    except ScheduleError as exc:
        raise ValueError(str(exc)) from None
    return spec


#: A schedule name (``step``) or a full spec (``step:step_size=5,gamma=0.5``).
ScheduleSpec = Annotated[str, Field(max_length=200), AfterValidator(_schedule_spec)]


def _optimizer_spec(spec: str) -> str:
    from ..engine.optimizers import OptimizerError, parse_optimizer

    try:
        parse_optimizer(spec)
    except OptimizerError as exc:
        raise ValueError(str(exc)) from None
    return spec


#: An optimiser spec (``momentum:beta=0.9``, ``adam``): see engine.optimizers.
OptimizerSpec = Annotated[str, Field(max_length=200), AfterValidator(_optimizer_spec)]

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
    optimizers: Annotated[list[OptimizerSpec], Field(max_length=MAX_OPTIMIZERS)] = Field(
        default_factory=list,
        description="optimisers the player may choose besides sgd (specs); par sweeps them too",
    )

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once for this level and kept (a level never changes)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def source_path(self) -> str | None:
        """The file the level was read from, if it was read from one."""
        return self._cache.get("path")

    def set_source_path(self, path: str | os.PathLike) -> None:
        self._cache["path"] = str(path)

    @property
    def engine_goal(self) -> EngineGoal:
        hold = self.goal.hold
        if hold is None:
            hold = STOCHASTIC_HOLD if self.stochastic else 1
        accuracy = self.goal.accuracy_at_least
        if accuracy is not None:  # no loss target: loss_below 0 (see engine.descent.Goal)
            return EngineGoal(0.0, self.goal.max_iterations, hold, accuracy)
        return EngineGoal(self.goal.loss_below, self.goal.max_iterations, hold)

    def landscape(self) -> Landscape:
        """The engine's landscape for this level (built once)."""
        raise NotImplementedError

    def new_run(self, goal: EngineGoal | None = None, optimizer: Optimizer = SGD):
        """A fresh run of this level, step by step. Kinds with a learner of their own
        (child-and-dogs) return their own run with the same surface as engine.Run."""
        from ..engine.descent import Run

        return Run(self.landscape(), goal or self.engine_goal, optimizer=optimizer)

    def optimizer_tools(self) -> list[Optimizer]:
        """The optimisers the player may pick (sgd first), with their settings."""
        from ..engine.optimizers import parse_optimizer

        tools = [SGD]
        for spec in self.optimizers:
            opt = parse_optimizer(spec)
            if opt not in tools:
                tools.append(opt)
        return tools

    def sweep_landscape(self) -> Landscape:
        """A landscape with exactly the same losses under descent, cheap to sweep.

        The level's own landscape, unless a kind has a smaller twin (a bowl groups
        its parameters by curvature). Par and sweeps of many rates use this one.
        """
        return self.landscape()

    def twin_landscape(self, optimizer: Optimizer = SGD) -> Landscape:
        """A landscape whose runs under ``optimizer`` have exactly the same losses (and
        the hypergradient's rates), cheap to sweep: ``sweep_landscape()``, except under
        adam, which is not linear in the params (a bowl's twin for it is its own)."""
        return self.landscape() if optimizer.name == "adam" else self.sweep_landscape()

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
            tools = self.optimizer_tools()  # a challenge's copy may offer fewer (pinned.py)
            key = par_store.key(self.model_dump_json(), [o.spec() for o in tools])
            par = _PAR_CACHE.get(key)
            if par is None:
                par = par_store.load(
                    key, self.schedule_tools(), [SGD, *tools], self.goal.max_iterations
                )
            if par is None:
                adam = next((o for o in tools if o.name == "adam"), None)
                par = find_par(
                    self.sweep_landscape(),
                    self.engine_goal,
                    self.lr.min,
                    self.lr.max,
                    schedules=self.schedule_tools(),
                    step_cost=self.step_cost(),
                    optimizers=tools,
                    exact_landscape=self.twin_landscape(adam) if adam else None,
                )
                par_store.save(key, par)
                if len(_PAR_CACHE) >= _PAR_CACHE_SIZE:
                    _PAR_CACHE.pop(next(iter(_PAR_CACHE)))
                _PAR_CACHE[key] = par
            self._cache["par"] = par
        return self._cache["par"]

    def run_range_test(
        self,
        lr_min: float | None = None,
        lr_max: float | None = None,
        steps: int | None = None,
        optimizer: Optimizer = SGD,
    ) -> RangeTest:
        """The learning-rate range test on this level (settings: arguments, else range_test:,
        else the level's lr range and 100 steps), played on its twin under ``optimizer``
        (the same losses, cheaper: ``twin_landscape``)."""
        spec = self.range_test
        lo = lr_min if lr_min is not None else (spec.min if spec else self.lr.min)
        hi = lr_max if lr_max is not None else (spec.max if spec else self.lr.max)
        n = steps if steps is not None else (spec.steps if spec else 100)
        return range_test(self.twin_landscape(optimizer), lo, hi, n, optimizer=optimizer)

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

    @property
    def can_predict(self) -> bool:
        """True when the player can be asked where a single step lands (``predict: true``):
        a kind with one parameter moved by gradient steps says so (under an optimiser
        other than sgd the game does not ask: its question is told as x − lr × slope)."""
        return False

    def start_gap(self) -> float | None:
        """How far the start's loss (over all the data) is above the minimum, or None
        for a kind whose runs are not judged against the minimum. A level whose start is
        already within ``loss_below`` has nothing to play (the loader refuses it)."""
        from ..engine.descent import Run

        land = self.sweep_landscape()  # the same losses, cheaper to build
        first = Run(land, self.engine_goal).steps[0]
        full = first.full_loss
        loss = first.loss if full is None or math.isnan(full) else float(full)
        return abs(loss - land.minimum)

    # -- what a kind with a learner or words of its own overrides -----------------------
    #: False for a kind that scores runs its own way (``grade_run``), not by steps
    #: against par: the author's report then shows no windows of stars.
    scored_by_par: ClassVar[bool] = True
    #: True for a kind that tells its runs in its own words (``explain``), not by the
    #: forecast of a rate rule: the board then keeps no forecast between steps.
    own_words: ClassVar[bool] = False
    #: False for a kind whose learner is not descent on a loss (child-and-dogs): it
    #: offers no optimizers, and ``--optimizer`` is refused on it.
    takes_optimizers: ClassVar[bool] = True
    #: True for a kind whose landscape labels data (network): its goal may be
    #: ``accuracy_at_least`` instead of ``loss_below``.
    judges_accuracy: ClassVar[bool] = False
    #: False for a kind whose par costs seconds (network): a server's pre-loaded parent
    #: (``campaign.preload_shipped``) leaves it to the board, which finds it on play.
    preload_par: ClassVar[bool] = True

    def grade_run(self, run) -> dict[str, Any]:
        """Stars and points of an ended run (keys ``stars`` and ``score``), and anything
        else the kind adds to its run report (child-and-dogs: the quiz). By default the
        engine's, by steps against par. Only ``judging.verdict`` calls this."""
        outcome = run.outcome or Outcome.OUT_OF_BUDGET
        par = self.compute_par().par
        return {
            "stars": stars(outcome, run.iteration, par),
            "score": score(outcome, run.iteration, par),
        }

    def sweep_rates(self, lrs, optimizer: Optimizer = SGD):
        """A run at every rate of ``lrs`` at once, to the end of the budget (a ``RateRuns``),
        under ``optimizer``."""
        return sweep(self.twin_landscape(optimizer), self.engine_goal, lrs, optimizer=optimizer)

    def describe_run(self, run, report: dict[str, Any]) -> str | None:
        """``lrgame run``'s text in the kind's own words, or None for the table of steps."""
        return None

    def sweep_text(self, batch) -> str | None:
        """``lrgame sweep``'s text in the kind's own words, or None for the sweep's charts."""
        return None

    def explain(self, lr: float | None) -> str | None:
        """What a whole run at ``lr`` does, in the kind's own words; None where the general
        diagnosis (slopes, valleys, the forecast) applies."""
        return None

    def export(self) -> dict[str, Any]:
        """What ``lrgame export`` adds to the start, goal and rates every kind exports
        (a network: its data, layers and batches); nothing by default."""
        return {}

    def chart(self, params, t: int | None = None) -> dict | None:
        """Data for the kind's own chart of the board at ``params`` (after step ``t``), or
        None where the landscape's own views apply (see the kind's module)."""
        return None


def default_schedule(spec: str, level: LevelBase) -> Schedule:
    """A schedule from a level's ``schedules`` entry: a full spec, or a bare name whose
    settings follow from the level's budget B and default rate:

    step: step_size = B // 4, gamma = 0.5; exponential: gamma = 0.01 ** (1 / B) (the rate
    falls a hundredfold over the budget); cosine: t_max = B; cyclic: from lr.default / 10
    up to lr.default in B // 10 steps.
    """
    from ..engine.schedules import parse_schedule

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


Level = LevelBase  # the public name for "a level of any kind"


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


def _union(kinds: tuple[type, ...]) -> Any:
    from typing import Union

    return Union[kinds]  # noqa: UP007 - built at run time from the registry


#: Largest budget x step cost a level may have: par sweeps ~500 rates over the whole
#: budget, so this keeps validating or opening any level to a few seconds at most.
MAX_COST = 1_000_000


#: Largest budget x run step cost: what one run (in the game, ``lrgame run``, a
#: replay in ``grade``) may cost, in numbers touched: a 1,000,000-parameter bowl
#: for 1,000 steps, about 12 s of CPU.
MAX_RUN_COST = 1_000_000_000
#: Numbers touched that one numpy operation on a single point costs as much time as.
OPERATION_NUMBERS = 1000


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
