"""Levels: YAML files -> validated level models -> engine landscapes.

- ``base``: ``LevelBase``, the keys every kind shares and every hook a kind may override.
- ``registry``: the one registry of kinds (``LEVEL_KINDS``), ``parse_level``,
  ``load_level``, ``find_level``.
- ``kinds/``: one module (or package) per kind.
- ``campaign``, ``packs``, ``watch``: the shipped campaign, level packs, a watched file.

The names below are the package's public face: ``from lrgame import levels as L``.
"""

from ..errors import LevelError
from .base import (
    MAX_COST,
    MAX_ITERATIONS_CAP,
    MAX_OPTIMIZER_PARAMS,
    MAX_OPTIMIZER_SWEEPS,
    MAX_OPTIMIZERS,
    MAX_RUN_COST,
    MAX_SWEEP_COST,
    OPERATION_NUMBERS,
    STOCHASTIC_HOLD,
    Level,
    LevelBase,
    Model,
    Number,
    Positive,
    default_schedule,
    most_run_steps,
    most_sweep_points,
    one_of,
)
from .campaign import campaign_ids, load_campaign, load_shipped, preload_shipped
from .kinds.bowl import BowlLevel
from .kinds.child_and_dogs.level import MAX_ANIMALS, ChildAndDogsLevel
from .kinds.landscape import LandscapeLevel
from .kinds.regression import RegressionLevel
from .registry import (
    DEFAULT_KIND,
    LEVEL_KINDS,
    LevelNotFound,
    find_level,
    level_adapter,
    level_path,
    levels_dir,
    load_level,
    parse_level,
    resolve,
    shipped_path,
)

__all__ = [
    "DEFAULT_KIND",
    "LEVEL_KINDS",
    "MAX_ANIMALS",
    "MAX_COST",
    "MAX_ITERATIONS_CAP",
    "MAX_OPTIMIZERS",
    "MAX_OPTIMIZER_PARAMS",
    "MAX_OPTIMIZER_SWEEPS",
    "MAX_RUN_COST",
    "MAX_SWEEP_COST",
    "OPERATION_NUMBERS",
    "STOCHASTIC_HOLD",
    "BowlLevel",
    "ChildAndDogsLevel",
    "LandscapeLevel",
    "Level",
    "LevelBase",
    "LevelError",
    "LevelNotFound",
    "Model",
    "Number",
    "Positive",
    "RegressionLevel",
    "campaign_ids",
    "default_schedule",
    "find_level",
    "level_adapter",
    "level_path",
    "levels_dir",
    "load_campaign",
    "load_level",
    "load_shipped",
    "most_run_steps",
    "most_sweep_points",
    "one_of",
    "parse_level",
    "preload_shipped",
    "resolve",
    "shipped_path",
]
