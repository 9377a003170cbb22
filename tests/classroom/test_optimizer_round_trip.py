"""Every optimiser a shipped level offers, played as ``lrgame run --replay`` records it,
is accepted by ``grade`` (forged ones are refused: tests/cli/test_optimizer_cli.py)."""

from __future__ import annotations

import pytest

from lrgame import levels as L
from lrgame.classroom.grade import Grader
from lrgame.judging.replay import attempt_from_run, new_result, new_run, write_result

CASES = [
    (lid, tool.spec())
    for _, lid in L.campaign_ids()
    for tool in L.find_level(lid).optimizer_tools()[1:]
    if lid != "child-and-dogs"
]


def test_the_chapter_offers_every_kind_of_optimizer():
    assert {spec.split(":")[0] for _, spec in CASES} == {"momentum", "adam", "hypergradient"}


def _grade(tmp_path, level, run, name="r.json"):
    path = write_result(
        tmp_path / name, new_result("eve", [attempt_from_run(level, run, "constant")])
    )
    return Grader().grade(str(path))


@pytest.mark.parametrize(("lid", "spec"), CASES)
def test_a_recorded_optimizer_run_grades(tmp_path, lid, spec):
    level = L.find_level(lid)
    par = level.compute_par()
    for lr in (level.lr.default, par.best_lr):
        run = new_run(level, spec)
        run.play([lr] * level.goal.max_iterations)
        entry = _grade(tmp_path, level, run)
        assert entry.status == "accepted", (lr, entry.reason)
