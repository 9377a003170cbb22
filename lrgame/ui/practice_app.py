"""``lrgame practice``: the game on a generated level, one seed after another."""

from __future__ import annotations

from .app import LrGameApp


class PracticeApp(LrGameApp):
    """The game opened on a practice level; its play screens are practice screens."""

    def __init__(self, seed: int, **kw) -> None:
        from ..levels.practice import generate

        super().__init__(generate(seed).level, **kw)
        self.practice_seed = seed

    def play_screen(self, level, **kw):
        from .screens.practice import PracticePlayScreen

        return PracticePlayScreen(self.practice_seed, level, **kw)


def play_practice(seed: int) -> int:
    app = PracticeApp(seed)
    app.run()
    return app.return_code or 0
