"""The board's diagnosis, worked out off the UI thread and shown when it lands.

A diagnosis looks far ahead (a forecast to the budget and past it, and, for advice, a
few dozen rates more): tens of milliseconds on a small level, over a hundred on a
noisy line or a million parameters. Done on the key press it held every repaint back.
Here a key press only asks for one: the words already shown stay (they tell of the
step before; dimming them cost a repaint of five wrapped lines, as much again as the
rest of a step's), and once the keys stop for a moment (``DELAY``) a worker thread
works out the new words. Only one worker runs at a time and only the latest request
is answered, so holding space never queues up forecasts.

The forecast is kept between steps: a run that took the steps its rate rule said, and
landed where the forecast said it would, has the same future as before, told from one
step later, so holding space at one rate asks for no new forecast.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import threading

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...judging.diagnose import without_rates
from .story import _rows, fit_story

#: Seconds without a new request before the diagnosis is worked out: a held key, or
#: an animated run, asks for one only when it stops.
DELAY = 0.15
#: Runs of more parameters than this keep no forecast path to check a step against.
CACHE_PARAMS = 100


def snapshot(run):
    """A copy of ``run`` as it stands, for a worker thread (a step rebinds the run's
    params and appends to its steps: the copy's list and arrays stay as they were)."""
    snap = copy.copy(run)
    snap.steps = list(run.steps)
    return snap


class DiagnosisView(Static):
    """What the run is doing, in words, from ``diagnose_level`` in a worker."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._asked = 0  # requests made; only the latest one is shown
        self._request = None  # (number, level, run snapshot, lr, story)
        self._timer = None
        self._busy = False
        self._lock = threading.Lock()
        self._kept = None  # (rule, forecast with its path): see _known
        self.text = Text()
        self.kind = None
        self._rows_shown = None  # rows of the words shown (None: not known)

    @property
    def pending(self) -> bool:
        """A request not yet answered (tests wait for it to land)."""
        return self._request is not None or self._busy or self._timer is not None

    def ask(self, level, run, lr: float | None, story: str = "") -> None:
        """Work out the diagnosis of ``run`` (``lr``: the next step's rate, None once the
        run is over); ``story`` goes before it, on iteration 0. Once the run is over its
        advice names no rate (``without_rates``): the result screen names it when earned."""
        self._asked += 1
        self._request = (self._asked, level, snapshot(run), lr, story)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DELAY, self._start)

    def _start(self) -> None:
        self._timer = None
        if self._busy or self._request is None:
            return  # the worker running picks the latest request up when it ends
        request, self._request = self._request, None
        self._busy = True
        self.run_worker(
            lambda: self._work(request), thread=True, group="diagnosis", exit_on_error=False
        )

    def _work(self, request) -> None:
        asked, level, run, lr, story = request
        try:
            d = self._diagnose(level, run, lr)
        except Exception as exc:  # the words failed: say so, never take the board down
            from ...judging.diagnose import Diagnosis, Situation

            d = Diagnosis(Situation.START, f"(no diagnosis: {type(exc).__name__})")
        with contextlib.suppress(RuntimeError):  # the app may have closed meanwhile
            self.app.call_from_thread(self._landed, asked, d, story, run.over)

    def _landed(self, asked: int, d, story: str, over: bool = False) -> None:
        self._busy = False
        if asked == self._asked:
            self._show(d, story, over)
        if self._request is not None and self._timer is None:
            self._start()

    def _show(self, d, story: str, over: bool) -> None:
        """The words, after the story cut to fit the box (the diagnosis is never cut;
        ``i`` shows the whole story). The box grows from its min-height to its
        max-height (app.tcss) for the diagnosis' own words, never for the story's."""
        text = Text(without_rates(d.text) if over else d.text)
        width = self.content_size.width
        if story:
            if width <= 0:  # no size yet: everything, and again once it has one
                self.call_after_refresh(lambda: self._show(d, story, over))
            rows = min(max(self._min_rows, _rows(text, width)), self._max_rows)
            text = fit_story(story, text, width, rows)
        self.text, self.kind = text, d.kind
        # a new height lays out (and repaints) the whole board: only when it changes
        rows = _rows(text, width) if width > 0 else None
        self.update(text, layout=rows != self._rows_shown)
        self._rows_shown = rows
        self.set_classes(f"-{d.kind.value}")

    @property
    def _min_rows(self) -> int:
        return _css_rows(self.styles.min_height, 1)

    @property
    def _max_rows(self) -> int:
        return _css_rows(self.styles.max_height, 1_000)

    # -- the forecast kept between steps ------------------------------------------------
    def _diagnose(self, level, run, lr):
        from ...judging.diagnose import diagnose_level, rate_rule

        rule = None if level.own_words else rate_rule(run, lr)
        known = self._known(run, rule) if rule is not None and not run.over else None
        return diagnose_level(level, run, lr, known=known)

    def _known(self, run, rule):
        """The forecast of ``run`` under ``rule``: the one kept, told from here, when the
        run has followed it step for step; else a new one (kept with its path)."""
        from ...engine import Outcome
        from ...engine.forecast import forecast

        if run.iteration == 0 or run.steps[0].params is None:
            return None
        if run.landscape.n_params > CACHE_PARAMS:
            return None
        with self._lock:
            kept = self._kept
        if kept is not None:
            f = _followed(kept, run, rule)
            if f is not None:
                return f
        f = forecast(run, rule, path=True)
        if f.params is not None and f.outcome is not Outcome.DIVERGED:
            with self._lock:
                self._kept = (rule, f)
        return dataclasses.replace(f, losses=np.zeros(0), params=None)


def _css_rows(value, default: int) -> int:
    """A min- or max-height in rows (``default`` where the CSS sets none)."""
    return int(value.value) if value is not None and value.unit.name == "CELLS" else default


def _followed(kept, run, rule):
    """``kept``'s forecast told from ``run``'s iteration, if the run has taken exactly
    the steps it forecast (same rule, same rates, landing on the same numbers)."""
    old_rule, f = kept
    if old_rule != rule:
        return None
    t, s = run.iteration, f.start
    k = t - s
    if k < 0 or f.params is None or k >= len(f.params) or t > f.iterations:
        return None
    for j in range(s + 1, t + 1):
        step = run.steps[j]
        if step.lr != rule.rate(j - 1):
            return None
    if not np.array_equal(run.steps[t].params, f.params[k]):
        return None
    return dataclasses.replace(f, start=t, losses=np.zeros(0), params=None)
