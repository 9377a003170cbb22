"""Charts for the terminal commands, drawn with plotext into a string."""

from __future__ import annotations

import math

import numpy as np
import plotext as plt

from .engine.descent import RateRuns


def sweep_charts(level, batch: RateRuns, width: int = 78, height: int = 14) -> str:
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
        out.append(_build())
    plt.clf()
    return "\n".join(out)


def _build() -> str:
    """The chart as plain text: the "clear" theme still writes colour resets."""
    return plt.uncolorize(plt.build())


_LOG_AXIS_LIMIT = 1e300


def _below(values: np.ndarray, ceiling: float) -> list[float]:
    """``values`` with anything above ``ceiling`` (or not a number) held at it."""
    held = np.where(np.isfinite(values), values, ceiling)
    return np.minimum(held, ceiling).tolist() if np.isfinite(ceiling) else held.tolist()


def decade_ticks(lo: float, hi: float, width: int = 78) -> tuple[list[float], list[str]]:
    """Powers of ten from ``lo`` to ``hi`` (1e-05, 1e-04, ... 1, 10), every one that fits:
    one label per about 8 columns, else every second, third... decade."""
    if not (0 < lo <= hi and math.isfinite(hi)):
        return [], []
    a, b = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    if b < a:
        return [], []
    step = max(1, math.ceil((b - a + 1) / max(width // 8, 1)))
    ks = range(a, b + 1, step)
    return [10.0**k for k in ks], [_decade(k) for k in ks]


def _decade(k: int) -> str:
    return {0: "1", 1: "10", 2: "100"}.get(k, f"1e{k}")


def range_test_chart(level, result, width: int = 78, height: int = 18) -> str:
    """Loss (raw and smoothed) against the rising learning rate, with the suggested rate.

    The y axis runs from the lowest loss to a little above the first: the last points,
    where the loss blows up, leave the top of the chart instead of flattening the rest.
    """
    plt.clf()
    plt.plotsize(width, height)
    plt.theme("clear")
    # plotext's log axis computes 10**tick in Python floats, which overflows near the
    # largest float: rates that high are drawn as their log10 instead
    logged = bool(result.lrs.size) and float(result.lrs.max()) > _LOG_AXIS_LIMIT
    if not logged:
        plt.xscale("log")
    place = (lambda v: float(np.log10(v))) if logged else (lambda v: v)
    if result.lrs.size:
        x = np.log10(result.lrs).tolist() if logged else result.lrs.tolist()
        low = float(min(result.losses.min(), result.smoothed.min()))
        high = float(max(result.losses[0], result.smoothed[0]))
        top = high + 0.25 * (high - low) + 1e-12
        # a point far above the top (a loss of 1e300) would make plotext draw a line
        # segment millions of cells long: held just above the top, it leaves the chart
        # all the same
        with np.errstate(all="ignore"):
            ceiling = top + 0.05 * (top - low) + 1e-12
        plt.scatter(x, _below(result.losses, ceiling), marker="dot", label="loss")
        plt.plot(x, _below(result.smoothed, ceiling), marker="braille", label="smoothed")
        plt.ylim(low - 0.05 * (high - low), top)
        if result.suggested_lr is not None:
            plt.vline(place(result.suggested_lr))
            plt.text("suggested", place(result.suggested_lr), high + 0.1 * (high - low))
    if result.lrs.size:
        ticks, labels = decade_ticks(float(result.lrs.min()), float(result.lrs.max()), width)
        plt.xticks([place(t) for t in ticks], labels)
    plt.title(f"{level.title}: range test, loss against the learning rate")
    plt.xlabel("log10(learning rate)" if logged else "learning rate (log scale)")
    plt.ylabel("loss")
    out = _build()
    plt.clf()
    return out
