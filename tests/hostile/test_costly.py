"""The costliest levels the par cost limit admits still validate within seconds.

Until par's cost was bounded (budget x step cost at most 1,000,000), a level valid
key by key could take 30 s to validate (corpus/levels/too-costly-*.yaml, now
refused). These files sit just under the limit, with a goal no rate reaches, so par
sweeps every rate over the whole budget: the worst a level can ask for now.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # see README: pytest -m "not slow"

AT_THE_LIMIT = sorted((Path(__file__).parent / "corpus" / "costly").glob("*.yaml"))
#: CPU seconds for validate, start-up included: about 1 s here, so this is a hang guard
#: with a wide margin, not a measurement (benchmarks/ measure).
BOUND = 15.0
#: Wall seconds before the process is killed, for a machine under any load.
KILL_AFTER = 300


@pytest.mark.parametrize("path", AT_THE_LIMIT, ids=[p.name for p in AT_THE_LIMIT])
def test_a_level_at_the_cost_limit_validates_within_seconds(path, tmp_path, lrgame_cli):
    try:
        result = lrgame_cli("validate", "--quiet", str(path), cwd=tmp_path, timeout=KILL_AFTER)
    except subprocess.TimeoutExpired:
        pytest.fail(f"validate {path.name} still running after {KILL_AFTER} s")
    assert "Traceback" not in result.output
    assert "unsolvable" in result.stderr  # par swept every rate over the whole budget
    assert result.cpu_seconds < BOUND, f"{result.cpu_seconds:.1f} s of CPU"


def _expression_levels():
    from lrgame import levels as L

    found = [L.load_level(L.shipped_path(lid)) for _, lid in L.campaign_ids()]
    return [level for level in found if isinstance(level, L.LandscapeLevel)]


def test_every_shipped_expression_is_far_below_every_bound_on_work():
    # the bounds count work, so a busy machine cannot push a shipped level over them
    import ast

    from lrgame import levels as L
    from lrgame.engine import expr

    shipped = _expression_levels()
    assert len(shipped) >= 10
    for level in shipped:
        work = level.landscape().work
        assert work < expr.MAX_WORK / 10, (level.id, work)
        assert level.goal.max_iterations * level.step_cost() < L.MAX_COST / 10, level.id
        tree = ast.parse(level.loss, mode="eval")
        estimate = expr._estimate(tree.body, frozenset(level.params))
        assert estimate.size + sum(estimate.slopes.values()) < expr.MAX_WORK / 10, level.id
        assert estimate.functions <= expr.MAX_FUNCTION_DEPTH // 2, level.id
