"""Stars and points: how a cleared run compares with the level's par.

- 3 stars: cleared in at most ``par`` steps; 2 stars: within twice par; 1 star: cleared.
- points: ``round(1000 * par / steps)`` for a cleared run (so par scores 1000 and beating
  par with a schedule scores more); 0 when the run did not clear.
"""

from __future__ import annotations

import math

from .descent import Outcome


def stars(outcome: Outcome | str, iterations: int, par: int | None) -> int:
    if str(outcome) != Outcome.CLEARED.value:
        return 0
    if par is None:
        return 1
    if iterations <= par:
        return 3
    if iterations <= 2 * par:
        return 2
    return 1


def score(outcome: Outcome | str, iterations: int, par: int | None) -> int:
    if str(outcome) != Outcome.CLEARED.value:
        return 0
    if par is None or par == 0:
        return 1000
    return int(math.floor(1000 * par / max(iterations, 1) + 0.5))
