"""The optimiser picker: which optimiser turns each step's slope into its move.

Shown on levels that offer ``optimizers``. ``o`` on the board picks the next one,
before the first step of a run (a run keeps one optimiser: its velocity or averages
belong to it). The line names every optimiser offered, the one in force in bold.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from ...engine.optimizers import Optimizer


class OptimizerPicker(Static):
    """The optimisers a level offers, the one in force marked."""

    DEFAULT_CSS = """
    OptimizerPicker { height: 1; padding: 0 1; }
    """

    @dataclass
    class Chosen(Message):
        """The player picked an optimiser."""

        picker: OptimizerPicker
        optimizer: Optimizer

    def __init__(self, tools: list[Optimizer], **kw) -> None:
        super().__init__(**kw)
        self.tools = list(tools)
        self.index = 0

    @property
    def optimizer(self) -> Optimizer:
        return self.tools[self.index]

    def on_mount(self) -> None:
        self._draw()

    def cycle(self) -> None:
        """The next optimiser offered (after the last, the first)."""
        self.index = (self.index + 1) % len(self.tools)
        self._draw()
        self.post_message(self.Chosen(self, self.optimizer))

    def _draw(self) -> None:
        text = Text("optimizer ", style="dim")
        for i, tool in enumerate(self.tools):
            if i:
                text.append("  ")
            if i == self.index:
                text.append(f"[{tool.spec()}]", style="bold reverse")
            else:
                text.append(tool.spec(), style="dim")
        text.append("  (o)", style="dim italic")
        self.update(text)
