"""Which play screen a level opens in, chosen by the level's kind.

Most kinds play on the board (``PlayScreen``). A kind whose play looks different
(child-and-dogs: animals and an idea of a dog, not a landscape) names its own screen
here. Screens are imported only when a level of their kind opens.
"""

from __future__ import annotations

from importlib import import_module

#: level kind -> "module:ScreenClass" (relative to this package)
SCREENS_BY_KIND = {
    "child-and-dogs": ".dogs:DogsScreen",
}
DEFAULT_SCREEN = ".play:PlayScreen"
#: A level that asks for a prediction before each step (``predict: true``).
PREDICT_SCREEN = ".predict:PredictPlayScreen"


def play_screen_for(level):
    """A new play screen for ``level``, of the class its kind asks for."""
    where = SCREENS_BY_KIND.get(getattr(level, "kind", "landscape"), DEFAULT_SCREEN)
    if level.predict:
        where = PREDICT_SCREEN
    module, _, name = where.partition(":")
    return getattr(import_module(module, __package__), name)(level)
