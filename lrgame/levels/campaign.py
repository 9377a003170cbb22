"""The shipped campaign: its chapters and levels, in order, read ahead of time if asked."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ..errors import LevelError
from ..yamlsafe import load_yaml_file
from . import registry
from .base import Level, Model
from .registry import friendly_error, load_level, shipped_path


class Chapter(Model):
    title: str
    levels: list[str]


class Campaign(Model):
    chapters: list[Chapter]


def load_campaign() -> Campaign:
    path = registry.levels_dir() / "campaign.yaml"
    doc = load_yaml_file(path)
    try:
        return Campaign.model_validate(doc.data)
    except ValidationError as exc:  # a broken shipped campaign is a bug, but say where
        raise LevelError([friendly_error(e, doc, None) for e in exc.errors()]) from None


def campaign_ids() -> list[tuple[str, str]]:
    """(chapter title, level id) for every shipped level, in campaign order."""
    return [(ch.title, lid) for ch in load_campaign().chapters for lid in ch.levels]


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
