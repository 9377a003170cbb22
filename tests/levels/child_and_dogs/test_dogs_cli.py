"""The command line on the child-and-dogs level: the run JSON contract and the text."""

import json

import pytest

from lrgame.__main__ import main

CONTRACT = {"level", "lr", "outcome", "iterations", "final_loss", "stars", "score", "trajectory"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("lr", "outcome", "quiz"),
    [
        ("0.01", "out_of_budget", (True, False, False, False)),
        ("0.3", "cleared", (True, True, True, False)),
        ("1.0", "out_of_budget", (False, True, False, False)),
    ],
)
def test_run_json_has_the_contract_and_the_quiz(capsys, lr, outcome, quiz):
    code, out, _ = run(capsys, "run", "child-and-dogs", "--lr", lr, "--json")
    assert code == 0
    report = json.loads(out)
    assert report.keys() >= CONTRACT
    assert report["level"] == "child-and-dogs"
    assert report["outcome"] == outcome
    assert report["iterations"] == 2
    assert list(report["quiz"]) == ["black_dog", "white_dog", "brown_dog", "cat"]
    assert tuple(report["quiz"].values()) == quiz
    assert report["final_loss"] == sum(a != b for a, b in zip(quiz, (True, True, True, False)))
    traj = report["trajectory"]
    assert len(traj) == 3 and traj[0]["lr"] is None
    assert set(traj[0]["params"]) == {"dark", "barks", "wags_tail", "fetches", "purrs"}
    if outcome == "cleared":
        assert report["stars"] >= 1 and report["score"] >= 500
    else:
        assert report["stars"] == 0 and report["score"] == 0


def test_run_text_tells_the_story(capsys):
    code, out, _ = run(capsys, "run", "child-and-dogs", "--lr", "0.3")
    assert code == 0
    assert "the baker's dog" in out  # the first dogs pass by
    assert "Step 1: a white dog up the street" in out
    assert "lr × (x − m)" in out
    assert "A black dog? The child says: a dog." in out
    assert "A black cat? The child says: not a dog." in out
    assert "Cleared" in out


def test_run_text_too_low_and_too_high(capsys):
    _, low, _ = run(capsys, "run", "child-and-dogs", "--lr", "0.01")
    assert "A white dog? The child says: not a dog." in low
    assert "raise the rate" in low
    _, high, _ = run(capsys, "run", "child-and-dogs", "--lr", "1")
    assert "A black dog? The child says: not a dog." in high
    assert "lower the rate" in high


def test_a_schedule_and_a_shorter_budget_work(capsys):
    code, out, _ = run(
        capsys,
        "run",
        "child-and-dogs",
        "--lr",
        "0.3",
        "--schedule",
        "exponential:gamma=0.5",
        "--json",
    )
    assert code == 0 and json.loads(out)["trajectory"][2]["lr"] == pytest.approx(0.15)
    code, out, _ = run(
        capsys, "run", "child-and-dogs", "--lr", "0.3", "--max-iterations", "1", "--json"
    )
    assert code == 0 and json.loads(out)["iterations"] == 1


def test_levels_json_lists_the_kind(capsys):
    code, out, _ = run(capsys, "levels", "--json")
    assert code == 0
    row = next(r for r in json.loads(out) if r["id"] == "child-and-dogs")
    assert row["kind"] == "child-and-dogs"
    assert row["chapter"] == "The child and the dogs"
    assert row["par"] == 2 and 0.15 < row["best_lr"] < 0.4
    assert row["n_params"] == 5


def test_validate_passes_and_sweep_draws_the_strips(capsys):
    code, out, _ = run(capsys, "validate", "levels/child-and-dogs.yaml")
    assert code == 0 and "ok" in out
    code, out, _ = run(capsys, "sweep", "child-and-dogs", "--points", "50")
    assert code == 0
    assert "a white dog" in out and "all right" in out
    code, out, _ = run(capsys, "sweep", "child-and-dogs", "--points", "50", "--json")
    points = json.loads(out)["points"]
    assert {p["outcome"] for p in points} == {"cleared", "out_of_budget"}
