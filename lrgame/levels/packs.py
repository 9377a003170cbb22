"""Level packs: a folder of level files with a ``pack.yaml``, played as its own campaign.

```
valleys/
  pack.yaml          # title, author, order (level ids), optional description
  first-valley.yaml  # one file per level, named after its id
  steep-walls.yaml
```

Everything is validated like a level file, and every fault is one
``PATH:LINE: message`` line. The UI asks a ``LoadedPack`` what ``levels`` asks for
the shipped campaign: ``campaign_ids()`` and a level by id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from .. import levels as L
from ..fileformat import ID_REGEX, validate_model
from ..yamlsafe import InputError, load_yaml_file

PACK_FILE = "pack.yaml"
MAX_PACK_LEVELS = 200

LevelId = Annotated[str, Field(pattern=ID_REGEX)]


class Pack(L.Model):
    """``pack.yaml``: what the pack is called, who made it, and the order of its levels."""

    title: Annotated[str, Field(min_length=1, max_length=80)] = Field(
        description="the pack's name, shown as its campaign's title"
    )
    author: Annotated[str, Field(max_length=80)] = Field("", description="who made the pack")
    description: Annotated[str, Field(max_length=4000)] = Field(
        "", description="shown when the pack is opened"
    )
    order: Annotated[list[LevelId], Field(min_length=1, max_length=MAX_PACK_LEVELS)] = Field(
        description="level ids in the order they are played; each is the file <id>.yaml here"
    )

    @field_validator("order")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for lid in v:
            if lid in seen:
                raise ValueError(f"level {lid!r} is listed twice")
            seen.add(lid)
        return v


@dataclass
class LoadedPack:
    """A validated pack with all its levels loaded, in order."""

    folder: Path
    spec: Pack
    levels: dict[str, L.Level]
    #: YAML files in the folder that ``order`` does not list (they are not played).
    unlisted: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.spec.title

    def campaign_ids(self) -> list[tuple[str, str]]:
        """(chapter title, level id) in play order, like ``levels.campaign_ids()``."""
        return [(self.spec.title, lid) for lid in self.spec.order]

    def level(self, level_id: str) -> L.Level:
        return self.levels[level_id]

    def level_path(self, level_id: str) -> Path:
        return self.folder / f"{level_id}.yaml"


def is_pack(ref: str | os.PathLike) -> bool:
    """True when ``ref`` names a folder (a pack, or a folder that should be one)."""
    return Path(ref).is_dir()


def load_pack(folder: str | os.PathLike) -> LoadedPack:
    """Read ``pack.yaml`` and every level it lists; raise LevelError with every fault."""
    folder = Path(folder)
    pack_path = folder / PACK_FILE
    if not pack_path.is_file():
        raise L.LevelError(
            [InputError(str(folder), f"not a level pack: there is no {PACK_FILE} in this folder")]
        )
    try:
        doc = load_yaml_file(pack_path)
    except InputError as exc:
        raise L.LevelError([exc]) from None
    spec = validate_model(Pack, doc, PACK_FILE)

    errors: list[InputError] = []
    loaded: dict[str, L.Level] = {}
    for i, lid in enumerate(spec.order):
        path = folder / f"{lid}.yaml"
        if not path.is_file():
            errors.append(doc.error(("order", i), f"order: no level file {lid}.yaml in {folder}"))
            continue
        try:
            level = L.load_level(path)
        except L.LevelError as exc:
            errors.extend(exc.errors)
            continue
        if level.id != lid:
            errors.append(
                doc.error(
                    ("order", i),
                    f"order: {lid}.yaml holds the level with id {level.id!r}: "
                    "name each level file after its id",
                )
            )
            continue
        loaded[lid] = level
    if errors:
        raise L.LevelError(errors)
    listed = {f"{lid}.yaml" for lid in spec.order}
    unlisted = sorted(
        p.name
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and p.name != PACK_FILE and p.name not in listed
    )
    return LoadedPack(folder=folder, spec=spec, levels=loaded, unlisted=unlisted)


def play_target(ref: str) -> L.Level | LoadedPack:
    """What ``lrgame play REF`` opens: a pack (a folder) or one level (an id or a file).

    Raises LevelNotFound for a reference to nothing, LevelError for bad files.
    """
    if is_pack(ref):
        return load_pack(ref)
    return L.find_level(ref)
