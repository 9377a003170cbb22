"""Every shipped level, of every kind, round-trips: run --replay, then grade accepts it,
and rejects the same file with its score changed."""

import json

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.classroom.grade import Grader

IDS = [lid for _, lid in L.campaign_ids()]


@pytest.mark.parametrize("level_id", IDS)
def test_a_replay_of_the_best_run_is_accepted_and_an_edit_is_not(capsys, tmp_path, level_id):
    level = L.find_level(level_id)
    par = level.compute_par()
    lr = par.best_lr if par.best_lr is not None else level.lr.default
    schedule = getattr(par, "schedule", None)
    argv = ["run", level_id, "--lr", repr(lr), "--replay", str(tmp_path / "r.json"), "--json"]
    if schedule is not None and schedule.spec() != "constant":
        argv += ["--schedule", schedule.spec()]
    assert main([*argv, "--player", "ada"]) == 0
    report = json.loads(capsys.readouterr().out)
    data = json.loads((tmp_path / "r.json").read_text())
    (a,) = data["attempts"]
    assert (a["outcome"], a["iterations"], a["stars"], a["score"]) == (
        report["outcome"], report["iterations"], report["stars"], report["score"],
    )  # fmt: skip
    grader = Grader()
    entry = grader.grade(str(tmp_path / "r.json"))
    assert entry.status == "accepted", entry.reason
    a["score"] += 1
    (tmp_path / "e.json").write_text(json.dumps(data))
    entry = grader.grade(str(tmp_path / "e.json"))
    assert entry.status == "rejected" and "changed score" in entry.reason
