"""`lrgame grade`: honest files are ranked, edited and hostile ones rejected in one line each."""

import copy
import csv
import io
import json
import os
import subprocess
import sys
import time

import pytest

from lrgame.__main__ import main
from lrgame.classroom.grade import CSV_COLUMNS


@pytest.fixture
def results(tmp_path, challenge_file, play):
    """ada clears everything at par; bob takes longer; both under the challenge's rules."""
    ada, bob = tmp_path / "ada.json", tmp_path / "bob.json"
    for level, lr in [("x-squared", 0.5), ("my-valley", 0.5), ("tilted", 1.0)]:
        assert play(challenge_file, "ada", ada, level, lr) == 0
    assert play(challenge_file, "bob", bob, "x-squared", 0.3) == 0  # 9 steps: 111 points
    assert play(challenge_file, "bob", bob, "tilted", 0.8) == 0  # 5 steps: 200 points
    assert play(challenge_file, "bob", bob, "tilted", 0.9) == 0  # 4 steps: 250 points
    return ada, bob


def grade(capsys, *argv):
    code = main(["grade", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_leaderboard_of_honest_files(capsys, challenge_file, results):
    ada, bob = results
    code, out, _ = grade(capsys, "--challenge", challenge_file, bob, ada)
    assert code == 0
    rows = out.splitlines()
    assert rows[0] == "2 result files: 2 accepted, 0 rejected"
    assert rows[3].split() == ["1", "ada", "3000", "x-squared", "1", "★★★", "1000"]
    bob_rows = [r.split() for r in rows if "bob" in r]
    assert bob_rows[0] == ["2", "bob", "361", "x-squared", "9", "★☆☆", "111"]
    assert rows[-2].split() == ["my-valley", "-", "-", "0"]  # not played
    assert rows[-1].split() == ["tilted", "4", "★☆☆", "250"]  # the better of two attempts


def test_json_and_csv_contracts(capsys, challenge_file, results):
    ada, bob = results
    code, out, _ = grade(capsys, "--challenge", challenge_file, bob, ada, "--json")
    assert code == 0
    entries = json.loads(out)["entries"]
    assert [e["player"] for e in entries] == ["ada", "bob"]
    first = entries[0]
    assert {"file", "player", "status", "reason", "total_score", "rank", "levels"} <= first.keys()
    assert first["status"] == "accepted" and first["reason"] is None and first["rank"] == 1
    assert first["levels"][0] == {
        "level": "x-squared",
        "attempts": 1,
        "outcome": "cleared",
        "iterations": 1,
        "stars": 3,
        "score": 1000,
        "final_loss": 0.0,
        "optimizer": "sgd",
    }
    code, out, _ = grade(capsys, "--challenge", challenge_file, bob, ada, "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == CSV_COLUMNS and len(rows) == 1 + 3 + 3
    assert rows[1][:6] == ["1", str(ada), "ada", "accepted", "", "3000"]
    code, _, err = grade(capsys, ada, "--json", "--csv")
    assert code == 2 and "one of --json and --csv" in err


def test_ties_share_a_rank(capsys, tmp_path, play):
    for name in ["cat", "ann", "bo"]:
        lr = 0.3 if name == "bo" else 0.5
        assert play(None, name, tmp_path / f"{name}.json", "x-squared", lr) == 0
    code, out, _ = grade(capsys, *(tmp_path / f"{n}.json" for n in ["cat", "ann", "bo"]), "--json")
    ranks = [(e["player"], e["rank"]) for e in json.loads(out)["entries"]]
    assert code == 0 and ranks == [("ann", 1), ("cat", 1), ("bo", 3)]


def test_without_a_challenge_shipped_levels_and_given_files(capsys, tmp_path, challenge_file, play):
    solo = tmp_path / "solo.json"
    assert play(None, "ada", solo, "x-squared", 0.5) == 0
    code, out, _ = grade(capsys, solo)
    assert code == 0 and "1 accepted" in out
    own = challenge_file.parent / "valleys" / "my-valley.yaml"
    mine = tmp_path / "mine.json"
    assert play(None, "ada", mine, str(own), 0.5) == 0
    code, out, _ = grade(capsys, mine)
    assert code == 1 and "unknown level (not shipped, nor given with --level)" in out
    code, out, _ = grade(capsys, mine, "--level", own)
    assert code == 0


def test_a_challenge_s_file_graded_without_it_says_how(capsys, results):
    ada, _ = results
    code, out, _ = grade(capsys, ada)
    assert code == 1 and "made for the challenge 'Week 3 — finding the rate'" in out
    assert "grade it with --challenge FILE" in out


def _edit(jsonfile, src, dst, change):
    data = jsonfile.load(src)
    change(data)
    return jsonfile.save(dst, data)


EDITS = {
    "changed score": lambda d: d["attempts"][0].update(score=1111),
    "changed iterations": lambda d: d["attempts"][0].update(iterations=3),
    "changed stars": lambda d: d["attempts"][0].update(stars=3),
    "changed outcome": lambda d: d["attempts"][1].update(outcome="diverged"),
    "changed final loss": lambda d: d["attempts"][0].update(final_loss=1e-9),
    "different level": lambda d: d["attempts"][0].update(level_hash="sha256:" + "0" * 64),
    "too many attempts": lambda d: d["attempts"].append(copy.deepcopy(d["attempts"][1])),
    "lr changed mid-run": lambda d: d["attempts"][0].update(lrs=[0.3, 0.31] + [0.3] * 7),
    "outside the level's range": lambda d: d["attempts"][0].update(lrs=[20.0] * 9),
    "more than the level's budget": lambda d: d["attempts"][0].update(lrs=[1e-4] * 51),
    "the replay goes on": lambda d: d["attempts"][0].update(lrs=[0.3] * 12),
    "different challenge": lambda d: d["challenge"].update(hash="sha256:" + "1" * 64),
    "not made for the challenge": lambda d: d.update(challenge=None),
    "not a level of the challenge": lambda d: d["attempts"][0].update(level="stretched-bowl"),
}


@pytest.mark.parametrize("reason", list(EDITS))
def test_a_hand_edited_file_is_rejected_with_its_reason(
    capsys, tmp_path, challenge_file, results, jsonfile, reason
):
    _, bob = results
    edited = _edit(jsonfile, bob, tmp_path / "edited.json", EDITS[reason])
    code, out, _ = grade(capsys, "--challenge", challenge_file, edited)
    assert code == 1
    line = out.strip().splitlines()[-1]
    assert line.startswith(f"{edited}: rejected: ") and reason in line, line


def test_the_time_limit_is_checked(
    capsys, tmp_path, challenge_text, challenge_file, play, jsonfile
):
    challenge_file.write_text(challenge_text + "  time_limit_minutes: 1\n")
    out = tmp_path / "quick.json"
    assert play(challenge_file, "ada", out, "x-squared", 0.5) == 0
    code, _, _ = grade(capsys, "--challenge", challenge_file, out)
    assert code == 0
    _edit(jsonfile, out, out, lambda d: d.update(elapsed_seconds=61.5))
    code, text, _ = grade(capsys, "--challenge", challenge_file, out)
    assert code == 1 and "over the time limit: 1.0 minutes (the rules allow 1)" in text
    _edit(jsonfile, out, out, lambda d: d.pop("elapsed_seconds"))
    code, text, _ = grade(capsys, "--challenge", challenge_file, out)
    assert code == 1 and "records no time" in text


# -- hostile files ------------------------------------------------------------------------

GOOD_ATTEMPT = {
    "level": "x-squared",
    "level_hash": "sha256:" + "0" * 64,
    "schedule": "constant",
    "lrs": [0.5],
    "outcome": "cleared",
    "iterations": 1,
    "final_loss": 0.0,
    "stars": 3,
    "score": 1000,
}


def _result(**over):
    data = {"format": "lrgame-result/1", "player": "eve", "attempts": [GOOD_ATTEMPT]}
    data.update(over)
    return json.dumps(data)


HOSTILE = {
    "huge.json": (b" " * 4_000_001, "too large"),
    "deep.json": (b"[" * 200_000 + b"]" * 200_000, "broken file"),
    "deep-object.json": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "broken file"),
    "nan.json": (_result().replace('"final_loss": 0.0', '"final_loss": NaN').encode(), "NaN is not a number"),
    "inf.json": (_result().replace("[0.5]", "[1e999]").encode(), "attempts.0.lrs.0"),
    "dupe.json": (_result().replace('"player": "eve"', '"player": "eve", "player": "ada"').encode(), "duplicate key 'player'"),
    "bigint.json": (_result().replace('"score": 1000', '"score": ' + "9" * 5000).encode(), "too many digits"),
    "binary.json": (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
    "list.json": (b"[1, 2, 3]", "expected a JSON object"),
    "empty.json": (b"", "not JSON"),
    "other.json": (b'{"format": "something-else"}', "not an lrgame result file"),
    "ansi.json": (_result(player="\x1b[2J\x1b[31mpwned").encode(), "'player' holds a control character"),
    "formula.json": (_result(player="=HYPERLINK(1)").encode(), "player: a name starts"),
    "extra.json": (_result(__class__="os.system").encode(), "unknown key '__class__'"),
    "bool.json": (_result().replace('"iterations": 1', '"iterations": true').encode(), "iterations"),
    "string-lr.json": (_result().replace("[0.5]", '["0.5"]').encode(), "lrs.0"),
    "negative.json": (_result().replace("[0.5]", "[-0.5]").encode(), "lrs.0"),
    "many-attempts.json": (_result(attempts=[GOOD_ATTEMPT] * 1001).encode(), "attempts"),
    "long-replay.json": (_result(attempts=[dict(GOOD_ATTEMPT, lrs=[0.001] * 100_000)]).encode(), "rejected"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_get_one_line_rejections(capsys, tmp_path, name):
    content, message = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(content)
    start = time.perf_counter()
    code, out, err = grade(capsys, path)
    assert time.perf_counter() - start < 60  # a hang guard: well under a second
    assert code == 1 and err == ""
    line = out.strip().splitlines()[-1]
    assert line.startswith(f"{path}: rejected: ") and message in line, line
    assert "\x1b" not in out


def test_a_long_replay_is_capped_at_the_level_s_budget(capsys, tmp_path):
    path = tmp_path / "long.json"
    path.write_bytes(HOSTILE["long-replay.json"][0])
    code, out, _ = grade(capsys, path)
    # the hash is checked first; with the right hash the budget is what stops it
    from lrgame import levels as L
    from lrgame.fileformat import level_hash

    right = _result(
        attempts=[
            dict(
                GOOD_ATTEMPT,
                lrs=[0.001] * 100_000,
                level_hash=level_hash(L.find_level("x-squared")),
            )
        ]
    )
    path.write_text(right)
    start = time.perf_counter()
    code, out, _ = grade(capsys, path)
    assert code == 1 and "100000 steps, more than the level's budget of 50" in out
    assert time.perf_counter() - start < 50  # a hang guard: the budget stops it at once


def test_files_that_are_not_files(capsys, tmp_path):
    code, out, _ = grade(capsys, tmp_path, tmp_path / "missing.json")
    assert code == 1
    first = next(ln for ln in out.splitlines() if ln.startswith(f"{tmp_path}: rejected: "))
    assert "not a regular file" in first or "Is a directory" in first
    assert f"{tmp_path / 'missing.json'}: rejected: cannot open file" in out
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.json"
        os.mkfifo(fifo)
        code, out, _ = grade(capsys, fifo)
        assert code == 1 and "not a regular file" in out


def test_no_traceback_and_no_code_run_from_a_subprocess(tmp_path):
    canary = tmp_path / "CANARY"
    bad = tmp_path / "bad.json"
    bad.write_text(
        _result(player="x", attempts=[{"__reduce__": f"open('{canary}', 'w')"}]), encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "grade", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert f"{bad}: rejected: broken file" in proc.stdout
    assert not canary.exists()


def test_grading_is_the_same_in_a_fresh_process(tmp_path, challenge_file, results, capsys):
    ada, bob = results
    code, here, _ = grade(capsys, "--challenge", challenge_file, ada, bob, "--json")
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "grade", "--challenge", str(challenge_file), str(ada),
         str(bob), "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == code == 0 and json.loads(proc.stdout) == json.loads(here)


# -- schedules and kinds that score their own way ------------------------------------------


def test_a_schedule_may_leave_the_range_a_hand_chosen_rate_may_not(
    capsys, tmp_path, challenge_text, challenge_file, play, jsonfile
):
    free = challenge_text.replace("lr_changes: false", "lr_changes: true")
    challenge_file.write_text(free)
    out = tmp_path / "decay.json"
    schedule = "exponential:gamma=0.5"
    # tilted offers no schedules: the game has no schedule there, so none is recorded
    assert play(challenge_file, "ada", out, "tilted", 0.9, "--schedule", schedule) == 2
    assert capsys.readouterr().err == "" and not out.exists()
    offered = "lr: {default: 0.1, min: 1e-3, max: 3}\n    schedules: [exponential]\n"
    challenge_file.write_text(free.replace("lr: {default: 0.1, min: 1e-3, max: 3}\n", offered))
    # 0.9 × 0.5^t falls below the level's lr.min (1e-3) long before the budget of 60 ends
    assert play(challenge_file, "ada", out, "tilted", 0.9, "--schedule", schedule) == 0
    (a,) = jsonfile.load(out)["attempts"]
    assert a["schedule"] == schedule and min(a["lrs"]) < 1e-3 and a["outcome"] == "out_of_budget"
    code, text, _ = grade(capsys, "--challenge", challenge_file, out)
    assert code == 0, text

    def relabel(d):  # the game labels a run manual when the schedule or rate changed in it
        d["attempts"][0]["schedule"] = "manual"

    _edit(jsonfile, out, tmp_path / "manual.json", relabel)
    code, text, _ = grade(capsys, "--challenge", challenge_file, tmp_path / "manual.json")
    assert code == 0, text  # a decay the player edits reaches any rate below the base

    def first_below(d):  # but the first step's rate is the base rate, in the range
        d["attempts"][0].update(schedule="manual", lrs=[1e-4] + d["attempts"][0]["lrs"][1:])

    _edit(jsonfile, out, tmp_path / "low.json", first_below)
    code, text, _ = grade(capsys, "--challenge", challenge_file, tmp_path / "low.json")
    assert code == 1 and "step 1's learning rate 0.0001 is outside the level's range" in text

    def nudge(d):
        d["attempts"][0]["lrs"][5] *= 1.01

    _edit(jsonfile, out, tmp_path / "nudged.json", nudge)
    code, text, _ = grade(capsys, "--challenge", challenge_file, tmp_path / "nudged.json")
    assert code == 1 and "step 6's learning rate" in text and "is not what exponential" in text


def test_a_kind_that_scores_its_own_runs_is_graded_its_own_way(tmp_path):
    from lrgame import levels as L
    from lrgame.classroom.grade import Grader
    from lrgame.judging.replay import attempt_from_run, new_result, replay, write_result
    from lrgame.yamlsafe import load_yaml_text

    class Scored(L.LandscapeLevel):
        def grade_run(self, run):  # as child-and-dogs does: its own stars and score
            return {"stars": 2, "score": 777, "quiz": {}}

    base = L.parse_level(load_yaml_text(L.shipped_path("x-squared").read_text(), "x.yaml"))
    level = Scored.model_validate(base.model_dump())
    record = attempt_from_run(level, replay(level, [0.5]), "constant")
    assert (record.stars, record.score) == (2, 777)
    path = write_result(tmp_path / "r.json", new_result("ada", [record]))
    assert Grader(None, [level]).grade(str(path)).status == "accepted"
    assert Grader(None, [base]).grade(str(path)).status == "rejected"  # engine scoring: 1000


def test_a_row_with_a_diverged_level_lines_up_with_the_others():
    from lrgame.classroom.grade import Entry, LevelFigures, leaderboard_text

    entries = [
        Entry(
            "a.json",
            "ada",
            "accepted",
            None,
            1950,
            1,
            [
                LevelFigures("x-squared", 1, "cleared", 1, 3, 1000, 0.0),
                LevelFigures("the-leap", 2, "diverged", 2, 0, 0, None),
            ],
        ),
        Entry(
            "b.json",
            "bo",
            "accepted",
            None,
            950,
            2,
            [
                LevelFigures("x-squared", 1, "out_of_budget", 50, 0, 0, 1.0),
                LevelFigures("the-leap", 1, "cleared", 1, 3, 950, 0.0),
            ],
        ),
    ]
    rows = leaderboard_text(entries).splitlines()[2:]
    head, body = rows[0], rows[1:]
    assert "50 (out of budget)" in leaderboard_text(entries)
    # every column ends where the heading's does: the stars column starts at one place
    stars_at = head.index("stars")
    for row in body:
        assert row[stars_at - 2 : stars_at] == "  " and row[stars_at] in "★☆", row
        assert len(row) == len(head), row
