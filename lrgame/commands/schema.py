"""JSON Schemas of the file formats, generated from the pydantic models (never hand-kept).

``levels/schema.json`` is the level schema as shipped; a test checks it equals what
``level_schema()`` generates, so adding a level kind without regenerating it fails
CI. Editors read it through the first line ``lrgame new`` writes:
``# yaml-language-server: $schema=PATH``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from .. import levels as L

SCHEMA_FILE = "schema.json"
REGENERATE = "lrgame schema > levels/schema.json"


def level_schema() -> dict[str, Any]:
    """The JSON Schema of a level file: every kind in ``levels.LEVEL_KINDS``."""
    schema = L.level_adapter().json_schema()
    return _titled(
        schema,
        "lrgame level",
        f"A level file for lrgame. Generated from the level models by `{REGENERATE}`: "
        "do not edit by hand.",
    )


def pack_schema() -> dict[str, Any]:
    """The JSON Schema of a level pack's ``pack.yaml``."""
    from ..levels.packs import Pack

    return _titled(
        TypeAdapter(Pack).json_schema(), "lrgame level pack", "pack.yaml of an lrgame level pack."
    )


def challenge_schema() -> dict[str, Any]:
    """The JSON Schema of a classroom challenge file."""
    from ..classroom.challenge import ChallengeSpec

    return _titled(
        TypeAdapter(ChallengeSpec).json_schema(),
        "lrgame challenge",
        "A classroom challenge for lrgame: levels and the rules they are played under.",
    )


SCHEMAS = {"level": level_schema, "pack": pack_schema, "challenge": challenge_schema}


def _titled(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    # Only the top-level title and description change; every rule is pydantic's.
    return {
        "title": title,
        "description": description,
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def dumps(schema: dict[str, Any]) -> str:
    """The schema as the shipped file holds it: indented JSON and a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def shipped_schema_path() -> Path:
    """Where the installed level schema lives (inside the package, or the source tree)."""
    return L.levels_dir() / SCHEMA_FILE


def cmd_schema(args) -> int:
    """`lrgame schema [level|pack|challenge]`: print a format's JSON Schema."""
    print(dumps(SCHEMAS[args.format]()), end="")
    return 0
