"""Charts for the terminal commands, drawn with plotext into a string."""

from __future__ import annotations

import numpy as np
import plotext as plt

from .engine.descent import Batch


def sweep_charts(level, batch: Batch, width: int = 78, height: int = 14) -> str:
    """Final loss and iterations against learning rate, on a log axis."""
    x = np.log10(batch.lrs)
    out = []
    gap = batch.final_loss - level.landscape().minimum
    with np.errstate(all="ignore"):
        y = np.log10(np.clip(np.where(np.isfinite(gap), np.abs(gap), 1e300), 1e-300, 1e300))
    for title, ys, ylabel in (
        (f"{level.id}: final loss - minimum (log10) against log10(lr)", y, "log10 loss gap"),
        (f"{level.id}: iterations against log10(lr)", batch.iterations.astype(float), "iterations"),
    ):
        plt.clf()
        plt.plotsize(width, height)
        plt.theme("clear")
        for code, marker, label in (
            (1, "dot", "cleared"),
            (3, "o", "out of budget"),  # a shape of its own: the clear theme has no colours
            (2, "x", "diverged"),
        ):
            mask = batch.codes == code
            if mask.any():
                plt.scatter(x[mask].tolist(), ys[mask].tolist(), marker=marker, label=label)
        plt.title(title)
        plt.xlabel("log10(learning rate)")
        plt.ylabel(ylabel)
        out.append(plt.uncolorize(plt.build()))  # no stray reset codes in pipes and files
    plt.clf()
    return "\n".join(out)
