"""Each level kind's view: the play screen the kind is played on, found by the kind's name.

A kind with a view of its own has a module here named after it (``child-and-dogs``:
``child_and_dogs.py``) whose ``VIEW`` is a ``PlayScreen`` subclass drawing the run its
way. A kind without one plays on the board (``PlayScreen``: the landscape, or the
kind's own chart from ``level.chart``, the loss and the steps). Either way the screen is
given the game's modes (``ui.modes``), so every kind plays in every mode. Views are
imported only when a level of their kind opens.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec


def view_for(level) -> type:
    """The play screen class of ``level``'s kind; on a ``predict: true`` level, the
    board that asks where each step lands (the loader allows it only where the kind
    ``can_predict``: one parameter, on the board)."""
    if level.predict:
        from ..screens.predict import PredictPlayScreen

        return PredictPlayScreen
    name = f"{__name__}.{level.kind.replace('-', '_')}"
    if find_spec(name) is not None:
        return import_module(name).VIEW
    from ..screens.play import PlayScreen

    return PlayScreen
