"""Level files: YAML -> a validated level model -> an engine landscape.

Level files are untrusted. They are read by ``yamlsafe`` (no tags, no aliases,
YAML 1.2 numbers), checked by pydantic models that forbid unknown keys, and every
fault is reported as one line ``PATH:LINE: message``. Nothing in a level is ever
executed: the loss expression goes through the whitelist parser in ``engine.expr``.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from .engine.descent import Goal as EngineGoal
from .engine.landscape import Landscape
from .engine.sweep import Par, find_par
from .yamlsafe import Document, InputError, load_yaml_file

MAX_ITERATIONS_CAP = 100_000
MAX_EXPRESSION_PARAMS = 16

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

    @property
    def engine_goal(self) -> EngineGoal:
        return EngineGoal(self.goal.loss_below, self.goal.max_iterations)

    def landscape(self) -> Landscape:
        """The engine's landscape for this level (built once)."""
        raise NotImplementedError

    def compute_par(self) -> Par:
        """Par, best lr and max stable lr, found by a sweep of constant rates (computed once)."""
        if "par" not in self._cache:
            self._cache["par"] = find_par(
                self.landscape(), self.engine_goal, self.lr.min, self.lr.max
            )
        return self._cache["par"]

    @property
    def n_params(self) -> int:
        return self.landscape().n_params


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

    def landscape(self) -> Landscape:
        cache = self._cache
        if "landscape" not in cache:
            from .engine.landscape import ExpressionLandscape

            cache["landscape"] = ExpressionLandscape(self.loss, self.params, self.minimum)
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


# -- errors -----------------------------------------------------------------------------


class LevelError(Exception):
    """One or more faults in a level file; str() is one ``PATH:LINE: message`` line each."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _key_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def _friendly(err: dict, doc: Document, kind_tag: str | None) -> InputError:
    loc = tuple(err["loc"])
    if kind_tag and loc and loc[0] == kind_tag:
        loc = loc[1:]
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
        hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        in_ = f" in {_key_path(parent)}" if parent else ""
        return doc.error(loc, f"unknown key '{loc[-1]}'{in_}{hint}")
    if kind in ("float_type", "int_type", "int_from_float", "float_parsing", "int_parsing"):
        what = "a whole number" if kind.startswith("int") else "a number"
        return doc.error(loc, f"{where}: expected {what}, got {_show(value)}")
    if kind == "finite_number":
        return doc.error(loc, f"{where}: must be a finite number, got {_show(value)}")
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


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _allowed_keys(parent: tuple, kind_tag: str | None) -> list[str]:
    model: Any = LEVEL_KINDS.get(kind_tag or "landscape", LandscapeLevel)
    for part in parent:
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None or not (
            isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        ):
            return []
        model = field.annotation
    return list(model.model_fields)


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
        errors = [_friendly(e, doc, tag) for e in exc.errors()]
        raise LevelError(sorted(errors, key=lambda e: e.line or 0)) from None
    _check_semantics(level, doc)
    return level


def _check_semantics(level: Level, doc: Document) -> None:
    """Checks a schema cannot express: names, the expression, the start point."""
    from .engine.expr import ExprError, check_param_name

    errors = []
    if isinstance(level, LandscapeLevel):
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
    extra = getattr(level, "check", None)
    if callable(extra):
        errors.extend(doc.error(loc, msg) for loc, msg in extra())
    if errors:
        raise LevelError(errors)


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


def level_path(level: Level) -> str | None:
    return level._cache.get("path")
