"""A level as a challenge plays it when the challenge sets its optimiser.

A challenge may pin one optimiser on a level (``optimizer: momentum:beta=0.9``): the
student plays that level with that optimiser only. The challenge's copy of the level
then offers just that one, so everything that asks the level what it offers agrees:
the game's picker (none to pick), the runs it starts, par (swept over the pinned
optimiser alone, so par is a number the student can reach), the grader's checks.

The copy has the same content, so the same ``level_hash``; the pin is part of the
challenge's hash instead.
"""

from __future__ import annotations

from pydantic import PrivateAttr

from .. import levels as L
from ..engine.optimizers import Optimizer

_CLASSES: dict[type, type] = {}


def _pinned_class(kind: type) -> type:
    """A subclass of the level's kind whose tools are its pinned optimiser alone."""
    if kind not in _CLASSES:

        class Pinned(kind):  # type: ignore[misc, valid-type]
            _pinned: Optimizer | None = PrivateAttr(None)

            @property
            def pinned_optimizer(self) -> Optimizer | None:
                return self._pinned

            def optimizer_tools(self) -> list[Optimizer]:
                return [self._pinned]

        Pinned.__name__ = Pinned.__qualname__ = f"Pinned{kind.__name__}"
        _CLASSES[kind] = Pinned
    return _CLASSES[kind]


def pin_optimizer(level: L.Level, optimizer: Optimizer) -> L.Level:
    """A copy of ``level`` that offers ``optimizer`` and nothing else."""
    cls = _pinned_class(type(level))
    copy = cls.model_construct(_fields_set=set(level.model_fields_set), **dict(level))
    copy._pinned = optimizer
    if level.source_path is not None:
        copy.set_source_path(level.source_path)
    return copy


def pinned_optimizer(level: L.Level) -> Optimizer | None:
    """The optimiser a challenge pinned on ``level``, or None."""
    return getattr(level, "pinned_optimizer", None)
