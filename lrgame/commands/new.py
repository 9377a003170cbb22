"""Tools for level authors: ``lrgame new`` and what ``lrgame validate`` shows of a good level.

Headless: never imports Textual. The chart comes from ``textcharts`` (the one module
of the commands that calls plotext).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

# The starting level of `lrgame new`. It must stay valid and solvable, and mention
# every key of a landscape level (tests/authoring checks both).
TEMPLATE = """\
# yaml-language-server: $schema={schema}
#
# An lrgame level. Every key is explained below and in docs/levels.md.
#   check it:   lrgame validate {id}.yaml   (shows par and the window of good rates)
#   play it:    lrgame play {id}.yaml
# The first line lets editors with a YAML language server (VS Code's YAML
# extension, Neovim's yamlls, ...) complete and check keys from lrgame's schema.

# The level's id: lowercase letters, digits and dashes. Progress and results
# are kept under it, so keep it unique; name the file after it ({id}.yaml).
id: {id}

# The name the player sees (at most 80 characters).
title: {title}

# What the level is made of. A landscape is a loss written as an expression in
# a few named parameters. Other kinds are described in docs/levels.md and in
# the schema (`lrgame schema`). Optional: landscape is the default.
kind: landscape

# Shown before the level starts (optional). The | keeps the line breaks.
story: |
  A valley whose floor lies at x = 3, where the loss is 1, not 0.
  You start at x = 0. Choose a learning rate and walk down to the floor.

# The parameters descent moves, each with its starting value, in order.
# A name is a letter, then letters, digits or _ (not a function such as exp).
params:
  x: 0.0

# The loss: an expression in the params. Allowed: numbers, + - * / ** and
# parentheses, sin cos tan exp log sqrt abs tanh sinh cosh, pi and e.
loss: "(x - 3)**2 + 1"

# The lowest value the loss reaches (optional, default 0). The goal counts
# from it: here the valley floor is at loss 1.
minimum: 1

goal:
  # Cleared at the first step where loss - minimum <= loss_below.
  loss_below: 1e-6
  # The budget: a run that has not cleared after this many steps is out of budget.
  max_iterations: 50
  # Steps in a row the loss must stay within loss_below (optional; default 1,
  # and 10 on a level with mini-batches, where one lucky batch proves nothing).
  # hold: 1

# The learning rates the player may choose from. Par, the fewest steps any
# constant rate from min to max needs to clear the level, is computed from
# this range by the engine: you never write par by hand.
lr:
  default: 0.05  # the rate the player starts with
  min: 1e-4
  max: 2

# Optional: schedules the player may pick instead of changing the rate by hand,
# by name (settings follow from the budget and lr.default) or as a full spec.
# Par counts them too, so offering a good one lowers par.
# schedules: [constant, step, "exponential:gamma=0.9"]

# Optional: optimisers the player may pick besides plain descent (sgd), with their
# settings; par counts them too.
# optimizers: ["momentum:beta=0.9", adam]

# Optional: each trial run before the scored run costs this many points.
# trials: {{cost: 50}}

# Optional: the settings of the level's range test (lrgame range-test): one run
# whose rate rises from min to max over the given number of steps.
# range_test: {{min: 1e-4, max: 2, steps: 100}}

# Optional: false hides the loss and slope formulas from the player (the slope
# values stay), for a level where searching for the rate is the game.
# show_loss: false

# Optional, for a level with one parameter: before each step, ask the player
# where it will land (left of the floor, on it, right of it, past the far wall).
# predict: true

# Shown one at a time when the player asks for a hint (optional).
hints:
  - "The slope is 2*(x - 3). At x = 0 it is -6: downhill is to the right."
  - "With lr = 0.05 each step keeps 90% of the way still to go. Steady, but slow."
  - "Which lr takes x from 0 to 3 in one step? Solve 0 - lr * (-6) = 3."
"""


class NewLevelError(Exception):
    """``lrgame new`` cannot write the level (exit 2)."""


def default_schema_ref() -> str:
    """The installed level schema as an absolute path: it works offline, wherever the
    level file is moved on this machine (an editor without it just skips the checks)."""
    from .schema import shipped_schema_path

    return str(shipped_schema_path().resolve())


def new_level_text(level_id: str, schema_ref: str | None = None) -> str:
    """The commented starting level for ``level_id``."""
    title = level_id.replace("-", " ").strip().capitalize() or level_id
    return TEMPLATE.format(id=level_id, title=title, schema=schema_ref or default_schema_ref())


def write_new_level(
    level_id: str, folder: str | os.PathLike = ".", schema_ref: str | None = None
) -> Path:
    """Write ``folder/level_id.yaml``; never overwrite an existing file."""
    if level_id.endswith((".yaml", ".yml")):
        stem = level_id.rsplit(".", 1)[0]
        raise NewLevelError(f"NAME is the level's id, without .yaml: try `lrgame new {stem}`")
    if not ID_PATTERN.match(level_id):
        raise NewLevelError(
            f"{level_id!r} is not a level id: use lowercase letters, digits and dashes "
            "(at most 64), starting with a letter or digit, e.g. my-level"
        )
    folder = Path(folder)
    if not folder.is_dir():
        raise NewLevelError(f"{folder}: no such folder")
    path = folder / f"{level_id}.yaml"
    text = new_level_text(level_id, schema_ref)
    try:
        # O_EXCL: refuse an existing file even if it appears between a check and the write.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise NewLevelError(
            f"{path} already exists: choose another name or remove the file"
        ) from None
    except OSError as exc:
        raise NewLevelError(f"{path}: cannot write: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def cmd_new(args) -> int:
    from ..errors import UsageError

    try:
        path = write_new_level(args.name, args.dir, args.schema)
    except NewLevelError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {path}")
    print(f"  check it: lrgame validate {path}")
    print(f"  play it:  lrgame play {path}")
    return 0
