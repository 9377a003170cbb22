"""Level files: YAML -> a validated level model -> an engine landscape.

Level files are untrusted. They are read by ``yamlsafe`` (no tags, no aliases,
YAML 1.2 numbers), checked by pydantic models that forbid unknown keys, and every
fault is reported as one line ``PATH:LINE: message``. Nothing in a level is ever
executed: the loss expression goes through the whitelist parser in ``engine.expr``.

The one registry of level kinds: every ``LevelBase`` model in a module of
``levels/kinds/`` is a kind, named by its ``kind`` key.
"""

from __future__ import annotations

import difflib
import importlib
import os
import pkgutil
import re
from pathlib import Path
from typing import Annotated, Any, get_args

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from ..engine.optimizers import parse_optimizer
from ..errors import InputError, LevelError
from ..text import num, percent
from ..yamlsafe import Document, load_yaml_file
from .base import (
    MAX_COST,
    MAX_OPTIMIZER_SWEEPS,
    MAX_RUN_COST,
    Level,
    LevelBase,
    _union,
    most_run_steps,
)
from .played import optimizer_size_problem


def _find_kinds() -> dict[str, type[LevelBase]]:
    """Every kind in ``levels/kinds/``, by its ``kind`` key; the default kind first."""
    from . import kinds

    for info in pkgutil.iter_modules(kinds.__path__):
        importlib.import_module(f"{kinds.__name__}.{info.name}")
    found: dict[str, type[LevelBase]] = {}
    todo = list(LevelBase.__subclasses__())
    while todo:
        cls = todo.pop(0)
        todo.extend(cls.__subclasses__())
        field = cls.model_fields.get("kind")
        if field is None or not cls.__module__.startswith(kinds.__name__ + "."):
            continue
        found.setdefault(get_args(field.annotation)[0], cls)
    default = {DEFAULT_KIND: found.pop(DEFAULT_KIND)}
    return default | dict(sorted(found.items()))


#: The kind of a level file that names none.
DEFAULT_KIND = "landscape"
#: Every level kind, by the value of its ``kind`` key.
LEVEL_KINDS: dict[str, type[LevelBase]] = _find_kinds()


def level_adapter() -> TypeAdapter:
    kinds = tuple(LEVEL_KINDS.values())
    union = kinds[0] if len(kinds) == 1 else Annotated[_union(kinds), Field(discriminator="kind")]
    return TypeAdapter(union)


def key_path(loc: tuple) -> str:
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


def friendly_error(err: dict, doc: Document, kind_tag: str | None) -> InputError:
    loc = tuple(err["loc"])
    if kind_tag and loc and loc[0] == kind_tag:
        loc = loc[1:]
    loc = _file_loc(loc, doc.data)
    kind = err["type"]
    where = key_path(loc)
    value = err.get("input")
    if kind == "missing":
        msg = f"missing required key '{loc[-1]}'" + (
            f" in {key_path(loc[:-1])}" if len(loc) > 1 else ""
        )
        return doc.error(loc[:-1], msg)
    if kind == "extra_forbidden":
        parent = loc[:-1]
        allowed = _allowed_keys(parent, kind_tag)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        guess = f"; did you mean '{close[0]}'?" if close else ""
        hint = f" (allowed: {', '.join(allowed)}{guess})" if allowed else ""
        in_ = f" in {key_path(parent)}" if parent else ""
        return doc.error(loc, f"unknown key '{_shorten(str(loc[-1]))}'{in_}{hint}")
    if kind in ("float_type", "int_type", "int_from_float", "float_parsing", "int_parsing"):
        what = "a whole number" if kind.startswith("int") else "a number"
        return doc.error(loc, f"{where}: expected {what}, got {show_value(value)}")
    if kind == "finite_number":
        return doc.error(loc, f"{where}: must be a finite number, got {show_value(value)}")
    if kind in ("bool_type", "bool_parsing"):  # yes/no/on/off are text in YAML 1.2
        return doc.error(loc, f"{where}: write true or false, got {show_value(value)}")
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        return doc.error(loc, f"{where}: {err['msg'].lower()}, got {show_value(value)}")
    if kind == "string_pattern_mismatch" and loc[-1:] == ("id",):
        return doc.error(
            loc, f"id {show_value(value)} must be lowercase letters, digits and dashes"
        )
    if kind == "union_tag_invalid":
        return doc.error(
            ("kind",),
            f"unknown kind {show_value(value.get('kind') if isinstance(value, dict) else value)} "
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


def show_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _allowed_keys(parent: tuple, kind_tag: str | None) -> list[str]:
    model: Any = LEVEL_KINDS[kind_tag or DEFAULT_KIND]
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


# -- loading ----------------------------------------------------------------------------


def parse_level(doc: Document) -> Level:
    """Validate a loaded YAML document as a level; raise LevelError."""
    data = doc.data
    if not isinstance(data, dict):
        raise LevelError(
            [doc.error((), "a level file must be a mapping of keys (id:, title:, ...)")]
        )
    data = dict(data)
    kind = data.setdefault("kind", DEFAULT_KIND)
    kind_tag = kind if isinstance(kind, str) and kind in LEVEL_KINDS else None
    if kind_tag is None:
        raise LevelError(
            [
                doc.error(
                    ("kind",), f"unknown kind {show_value(kind)} (kinds: {', '.join(LEVEL_KINDS)})"
                )
            ]
        )
    try:
        level = level_adapter().validate_python(data)
    except ValidationError as exc:
        tag = kind_tag if len(LEVEL_KINDS) > 1 else None
        errors = [friendly_error(e, doc, tag) for e in _without_typo_twins(exc.errors())]
        raise LevelError(sorted(errors, key=lambda e: e.line or 0)) from None
    _check_semantics(level, doc)
    return level


def _check_semantics(level: Level, doc: Document) -> None:
    """Checks a schema cannot express: names, the expression, the start point."""
    errors = []
    errors.extend(doc.error(loc, msg) for loc, msg in level.check())
    if level.predict and not level.can_predict:
        errors.append(
            doc.error(("predict",), "predict: true needs a level with exactly one parameter")
        )
    accuracy = level.goal.accuracy_at_least if level.goal is not None else None
    if accuracy is not None and not level.judges_accuracy:
        errors.append(
            doc.error(
                ("goal", "accuracy_at_least"),
                "accuracy_at_least is for network levels, which label points; "
                "this level's goal is loss_below",
            )
        )
    if not errors:
        errors.extend(_check_cost(level, doc))
    if not errors:
        errors.extend(_check_start(level, doc))
    if errors:
        raise LevelError(errors)


def _check_start(level: Level, doc: Document) -> list[InputError]:
    accuracy = level.engine_goal.accuracy_at_least
    if accuracy is not None:
        from ..engine.descent import Run

        first = Run(level.landscape(), level.engine_goal).steps[0]
        if not first.accuracy >= accuracy:
            return []
        return [
            doc.error(
                ("goal", "accuracy_at_least"),
                "nothing to play: the network's first weights already label "
                f"{percent(first.accuracy)} of the points right "
                f"(accuracy_at_least is {num(accuracy)})",
            )
        ]
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
    errors = _check_optimizer_cost(level, doc)
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


def _check_optimizer_cost(level: Level, doc: Document) -> list[InputError]:
    """A level's optimisers: par sweeps each one (with every schedule), Adam on the
    level's own parameters or its twin (``engine.twin``: a bowl's repeated curvatures
    and start sizes); the forecasts behind the diagnosis play the twin's parameters,
    at most MAX_OPTIMIZER_PARAMS of them (``played``)."""
    offered = len(level.optimizer_tools()) - 1
    if offered == 0:
        return []
    for i, spec in enumerate(level.optimizers):
        problem = optimizer_size_problem(level, parse_optimizer(spec))
        if problem:
            return [doc.error(("optimizers", i), problem)]
    pairs = offered * len(level.schedule_tools())
    if pairs > MAX_OPTIMIZER_SWEEPS:
        return [
            doc.error(
                ("optimizers",),
                f"too costly to play: par sweeps every optimizer with every schedule, "
                f"{pairs} pairs here (at most {MAX_OPTIMIZER_SWEEPS})",
            )
        ]
    # Adam on a kind with a cheaper twin (a bowl grouped by curvature) sweeps its own
    # twin (one parameter per curvature and start size): its cost per rate is the
    # budget times that twin's parameters, not the grouped twin's
    adam = next((o for o in level.optimizer_tools() if o.name == "adam"), None)
    own = level.twin_landscape(adam) if adam else None
    cost = level.engine_goal.max_iterations * (1 + (own.n_params if own else 0))
    if adam and level.sweep_landscape() is not level.landscape() and cost > MAX_COST:
        return [
            doc.error(
                ("optimizers",),
                f"too costly to play: adam's sweep runs {_adam_params(level, own)}, "
                f"{cost:,} units "
                f"of work per rate (at most {MAX_COST:,})",
            )
        ]
    return []


def _adam_params(level: Level, own) -> str:
    """What adam's sweep runs on a level: every parameter, or its twin's."""
    if own.n_params >= level.n_params:
        return "every parameter"
    return f"{own.n_params:,} parameters (one per curvature and start size)"


def load_level(path: str | os.PathLike) -> Level:
    """Read and validate one level file; raise LevelError with every fault."""
    try:
        doc = load_yaml_file(path)
    except InputError as exc:
        raise LevelError([exc]) from None
    level = parse_level(doc)
    level.set_source_path(path)
    return level


# -- finding a level ---------------------------------------------------------------------


def levels_dir() -> Path:
    """The shipped levels: inside the installed package, or the source tree's levels/."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_levels"
    return installed if installed.is_dir() else package.parent / "levels"


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
    return level.source_path
