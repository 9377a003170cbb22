"""``lrgame export LEVEL [--json]``: everything needed to reproduce a level outside lrgame.

For every kind: ``kind``, ``start`` (the parameters at iteration 0, by name), ``goal``
and ``lr``. A kind with more to say (a network's data, layers and batches) adds it
through its level's ``export()`` hook (``LevelBase.export``). See docs/network.md for a
PyTorch example.
"""

from __future__ import annotations

import json
from typing import Any

from ..text import finite_or_none, goal_text
from .common import goal_json, load_level_arg


def export_level(level) -> dict[str, Any]:
    """The level as plain JSON data (see the module docstring)."""
    land = level.landscape()
    goal = level.engine_goal
    out: dict[str, Any] = {
        "level": level.id,
        "kind": level.kind,
        "start": {n: finite_or_none(float(v)) for n, v in zip(land.names, land.start)},
        "goal": {**goal_json(goal), "minimum": finite_or_none(float(land.minimum))},
        "lr": level.lr.model_dump(),
    }
    out.update(level.export())
    return out


def cmd_export(args) -> int:
    level = load_level_arg(args.level)
    data = export_level(level)
    if args.json:  # one line: a network's data is long
        print(json.dumps(data, allow_nan=False))
        return 0
    goal = data["goal"]
    print(f"{level.id}: kind {data['kind']}, {len(data['start'])} parameters")
    print(
        f"goal: {goal_text(level.engine_goal, goal['minimum'])} in at most {goal['max_iterations']} steps"
    )
    if "layers" in data:
        sizes = [len(data["layers"][0]["W"][0])] + [len(layer["b"]) for layer in data["layers"]]
        batches = data["batches"]
        print(
            f"network {'-'.join(map(str, sizes))} ({data['activation']}), "
            f"{len(data['y'])} points, "
            + (f"batches of {len(batches[0])}" if batches else "every step sees all the data")
        )
    print("add --json for every number (docs/network.md shows it trained in PyTorch)")
    return 0
