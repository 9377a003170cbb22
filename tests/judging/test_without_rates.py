"""The result screen's advice before the rate is earned: a direction, never a rate that
clears (``diagnose.without_rates``), on the words ``diagnose`` really writes."""

from __future__ import annotations

import re

import pytest

from lrgame.judging.diagnose import diagnose_level, without_rates
from lrgame.levels import find_level

NAMED = re.compile(r"reaches the goal (?:at step|in) \d+")


@pytest.mark.parametrize(
    "level_id, lr, steps",
    [
        ("x-squared", 0.001, None),  # out of budget: "started over, lr X ..."
        ("double-well", 0.05, None),  # stuck: a bigger rate
        ("noisy-line", 0.1, None),  # noise: a smaller rate
        ("x-squared", 0.1, 1),  # mid-run: "from here, lr X ..."
        ("stretched-bowl", 0.001, 3),
    ],
)
def test_advice_keeps_its_direction_and_loses_its_rate(level_id, lr, steps):
    level = find_level(level_id)
    run = level.new_run()
    while not run.over and (steps is None or run.iteration < steps):
        run.step(lr)
    text = diagnose_level(level, run, None if run.over else lr).text
    advised = re.search(r"(?:from here|started over), (lr \S+) reaches", text)
    assert advised and NAMED.search(text)  # the case does name a rate
    cut = without_rates(text)
    assert not NAMED.search(cut) and advised[1] not in cut
    assert re.search(r"A (bigger|smaller) rate (gets there|is quicker)\.", cut)
    assert cut.startswith(text[: text.index(" A ")])  # the rest is kept as it was


def test_words_without_advice_are_left_alone():
    level = find_level("x-squared")
    run = level.new_run()
    run.step(0.5)  # cleared: no advice
    text = diagnose_level(level, run).text
    assert without_rates(text) == text
