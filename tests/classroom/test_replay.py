"""`lrgame run --replay` writes a result file that reads back exactly; level hashes."""

import json
import textwrap

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.fileformat import level_hash
from lrgame.judging.replay import FORMAT, read_result, replay
from lrgame.yamlsafe import load_yaml_text


def test_run_replay_writes_the_one_run(capsys, tmp_path, jsonfile):
    out = tmp_path / "run.json"
    code = main(["run", "x-squared", "--lr", "0.1", "--replay", str(out), "--player", "ada"])
    stdout, err = capsys.readouterr()
    assert code == 0 and "cleared after 35 iterations" in stdout
    assert f"replay written to {out}" in err
    data = jsonfile.load(out)
    assert data["format"] == FORMAT and data["player"] == "ada" and data["challenge"] is None
    (a,) = data["attempts"]
    assert a["level"] == "x-squared" and a["schedule"] == "constant"
    assert a["lrs"] == [0.1] * 35
    assert (a["outcome"], a["iterations"], a["stars"], a["score"]) == ("cleared", 35, 1, 29)
    assert a["level_hash"] == level_hash(L.find_level("x-squared"))
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # the temp file is gone


def test_json_output_stays_pure_and_schedules_are_recorded(capsys, tmp_path):
    out = tmp_path / "run.json"
    # x-squared offers no schedules: a run with one is not recorded
    argv = ["run", "x-squared", "--lr", "0.9", "--schedule", "exponential:gamma=0.9"]
    code = main([*argv, "--json", "--replay", str(out), "--player", "ada"])
    _, err = capsys.readouterr()
    assert code == 2 and "does not offer the exponential schedule" in err and not out.exists()
    # slow-down offers exponential (gamma 0.7): the player may edit its settings
    argv = ["run", "slow-down", "--lr", "0.9", "--schedule", "exponential:gamma=0.9"]
    code = main([*argv, "--json", "--replay", str(out), "--player", "ada"])
    stdout, _ = capsys.readouterr()
    assert code == 0 and json.loads(stdout)["schedule"] == "exponential:gamma=0.9"
    (a,) = read_result(out).attempts
    assert a.schedule == "exponential:gamma=0.9"
    assert a.lrs[:3] == [0.9 * 0.9**t for t in range(3)]


def test_rates_round_trip_exactly(capsys, tmp_path):
    lr = 0.1 + 0.2  # 0.30000000000000004: repr keeps every bit
    out = tmp_path / "run.json"
    assert main(["run", "x-squared", "--lr", repr(lr), "--replay", str(out), "--player", "a"]) == 0
    capsys.readouterr()
    (a,) = read_result(out).attempts
    assert all(x == lr for x in a.lrs)
    rerun = replay(L.find_level("x-squared"), a.lrs)
    assert rerun.iteration == a.iterations and rerun.loss == a.final_loss


def test_refused_replays(capsys, tmp_path):
    out = tmp_path / "run.json"
    code = main(["run", "x-squared", "--lr", "20", "--replay", str(out), "--player", "a"])
    _, err = capsys.readouterr()
    assert code == 2 and "outside the level's range" in err and not out.exists()
    code = main(["run", "x-squared", "--lr", "0.1", "--max-iterations", "5", "--replay", str(out)])
    _, err = capsys.readouterr()
    assert code == 2 and "drop --max-iterations" in err
    code = main(["run", "x-squared", "--lr", "0.1", "--replay", str(out), "--player", "=1+1"])
    _, err = capsys.readouterr()
    assert code == 2 and "--player" in err and len(err.strip().splitlines()) == 1


LEVEL = """\
id: v
title: V
params: {x: 2.0}
loss: "x**2"
goal: {loss_below: 1e-6, max_iterations: 50}
lr: {default: 0.1, min: 1e-5, max: 10}
"""


def _level(text):
    return L.parse_level(load_yaml_text(textwrap.dedent(text), "v.yaml"))


def test_the_level_hash_is_of_content_not_bytes():
    base = level_hash(_level(LEVEL))
    same = [
        "# a comment\n" + LEVEL,
        LEVEL.replace("1e-6", "0.000001").replace("{x: 2.0}", "{x: 2}"),
        LEVEL + "minimum: 0\nkind: landscape\nhints: []\n",
        "\n".join(reversed(LEVEL.strip().splitlines())) + "\n",
        LEVEL.replace("{loss_below: 1e-6, max_iterations: 50}", "\n  max_iterations: 50\n  loss_below: 1e-6"),
    ]  # fmt: skip
    for text in same:
        assert level_hash(_level(text)) == base, text
    for change in [("x**2", "x**2 + 0"), ("max: 10", "max: 9"), ("title: V", "title: W")]:
        assert level_hash(_level(LEVEL.replace(*change))) != base, change
