"""Where the game's levels come from besides the shipped campaign: a pack or a challenge.

Pure (no Textual). A pack's and a challenge's level ids are chosen by their authors,
so they may repeat a shipped id (or each other's): their progress is kept under a
key of their own, ``pack:<folder name>/<id>`` or ``challenge:<file stem>/<id>``,
through a ``ScopedStore`` that the game uses exactly like the ``Store``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .store import Best, Store


def pack_scope(folder: str | Path) -> str:
    """The key prefix of a pack's progress: ``pack:<folder name>/``."""
    return f"pack:{Path(folder).resolve().name}/"


def challenge_scope(path: str | Path) -> str:
    """The key prefix of a challenge's progress in the game: ``challenge:<file stem>/``."""
    return f"challenge:{Path(path).stem}/"


class ScopedStore:
    """A ``Store`` seen through a key prefix: ``record("a")`` saves ``<prefix>a``, and
    ``bests()`` holds only this scope's levels, under their own ids."""

    def __init__(self, store: Store, prefix: str):
        self.inner = store
        self.prefix = prefix

    @property
    def path(self) -> Path:
        return self.inner.path

    @property
    def notice(self) -> str | None:
        return self.inner.notice

    def record(
        self, level_id: str, stars: int, iterations: int, score: int, lrs: list[float]
    ) -> bool:
        return self.inner.record(self.prefix + level_id, stars, iterations, score, lrs)

    def best(self, level_id: str) -> Best | None:
        best = self.inner.best(self.prefix + level_id)
        return dataclasses.replace(best, level_id=level_id) if best else None

    def bests(self) -> dict[str, Best]:
        n = len(self.prefix)
        return {
            key[n:]: dataclasses.replace(best, level_id=key[n:])
            for key, best in self.inner.bests().items()
            if key.startswith(self.prefix)
        }

    def setting(self, key: str, default: str | None = None) -> str | None:
        return self.inner.setting(key, default)

    def set_setting(self, key: str, value: str) -> None:
        self.inner.set_setting(key, value)
