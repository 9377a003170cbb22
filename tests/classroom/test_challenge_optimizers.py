"""Optimisers in a challenge: a level keeps offering its own, or the challenge sets one
(``{level: ..., optimizer: SPEC}``); the session, ``lrgame run --challenge`` and the
grader hold every attempt to it, and a forged optimiser is rejected with its reason."""

import csv
import io
import json

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.classroom.challenge import ChallengeRuleError, ChallengeSession, load_challenge
from lrgame.classroom.grade import Grader
from lrgame.classroom.pinned import pinned_optimizer
from lrgame.engine.optimizers import parse_optimizer
from lrgame.judging.replay import attempt_from_run, replay

CHALLENGE = """\
title: Week 5 — the rate is not alone
levels:
  - momentum-kick
  - level: long-valley
    optimizer: momentum:beta=0.9
  - level: x-squared
    optimizer: sgd
rules:
  attempts: 2
"""
MOMENTUM = "momentum:beta=0.9"


@pytest.fixture
def week5(tmp_path):
    path = tmp_path / "week5.yaml"
    path.write_text(CHALLENGE)
    return path


def test_a_pinned_level_offers_its_optimizer_alone(week5):
    ch = load_challenge(week5)
    assert ch.pins == {"long-valley": MOMENTUM, "x-squared": "sgd"}
    valley = ch.level("long-valley")
    assert valley.optimizer_tools() == [parse_optimizer(MOMENTUM)]
    assert pinned_optimizer(valley) == parse_optimizer(MOMENTUM)
    # unpinned, the level offers what it offers in the campaign
    kick = ch.level("momentum-kick")
    assert [t.spec() for t in kick.optimizer_tools()] == ["sgd", MOMENTUM]
    assert pinned_optimizer(kick) is None


def test_par_is_over_the_pinned_optimizer_only(tmp_path):
    """Momentum-kick's hint: momentum clears in 6 steps at best, plain descent in 66."""
    path = tmp_path / "sgd.yaml"
    path.write_text("title: t\nlevels:\n  - level: momentum-kick\n    optimizer: sgd\n")
    assert load_challenge(path).level("momentum-kick").compute_par().par == 66
    assert L.find_level("momentum-kick").compute_par().par == 4  # the cache keeps them apart


def test_the_pin_is_part_of_the_hash_and_a_bare_entry_is_not(tmp_path):
    def hash_of(text):
        path = tmp_path / "h.yaml"
        path.write_text(text)
        return load_challenge(path).hash

    bare = hash_of("title: t\nlevels:\n  - long-valley\n")
    assert hash_of("title: t\nlevels:\n  - level: long-valley\n") == bare
    pinned = hash_of(f"title: t\nlevels:\n  - level: long-valley\n    optimizer: {MOMENTUM}\n")
    assert pinned != bare
    assert hash_of("title: t\nlevels:\n  - level: long-valley\n    optimizer: sgd\n") != pinned


@pytest.mark.parametrize(
    "entry, line, message",
    [
        ("  - level: long-valley\n    optimizer: momentum:beta=0.99\n", 4,
         "optimizer 'momentum:beta=0.99' on long-valley: the level offers momentum only as momentum:beta=0.9"),
        ("  - level: long-valley\n    optimizer: adam\n", 4,
         "on long-valley: the level does not offer the adam optimizer (it offers: momentum:beta=0.9)"),
        ("  - level: long-valley\n    optimizer: momentum:beta=2\n", 4,
         "optimizer 'momentum:beta=2': momentum option beta must be"),
        ("  - level: long-valley\n    optimizer: rmsprop\n", 4, "unknown optimizer 'rmsprop'"),
        ("  - level: long-valley\n    optimizer: [sgd]\n", 4, "optimizer: a spec such as sgd"),
        ("  - level: long-valley\n    optimiser: sgd\n", 4,
         "'optimiser' is not a key of a level entry with settings (its keys: level, optimizer)"),
        ("  - level: 3\n", 3, "level: a level id, a file or a whole level"),
        ("  - level: long-vale\n    optimizer: sgd\n", 3, "no shipped level has the id 'long-vale'"),
        ("  - level: beat-the-autopilot\n    optimizer: hypergradient:beta=0.3\n"
         "rules: {lr_changes: false}\n", 4, "keep one rate for a whole run"),
    ],
)  # fmt: skip
def test_each_fault_of_a_pin_is_one_line_with_its_line(tmp_path, entry, line, message):
    path = tmp_path / "bad.yaml"
    path.write_text("title: t\nlevels:\n" + entry)
    with pytest.raises(L.LevelError) as info:
        load_challenge(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:{line}: ") and message in lines[0], (
        lines
    )


def test_a_pin_on_an_inline_level(tmp_path):
    path = tmp_path / "inline.yaml"
    path.write_text(
        "title: t\nlevels:\n  - level:\n      id: tilted\n      title: Tilted\n"
        "      params: {x: 4.0}\n      loss: '0.5*x**2'\n"
        "      goal: {loss_below: 1e-6, max_iterations: 60}\n"
        "      lr: {default: 0.1, min: 1e-3, max: 3}\n      optimizers: [adam]\n"
        "    optimizer: adam\n"
    )
    ch = load_challenge(path)
    assert ch.pins == {"tilted": "adam:beta1=0.9,beta2=0.999,eps=1e-08"}


def test_the_session_plays_and_records_the_pin_and_refuses_another(week5, tmp_path):
    ch = load_challenge(week5)
    session = ChallengeSession.open(ch, "ada", tmp_path / "ada.json")
    record = session.play("long-valley", [0.004] * 150)
    assert record.optimizer == MOMENTUM and record.outcome == "cleared"
    with pytest.raises(ChallengeRuleError, match="sets the optimizer on long-valley to"):
        session.play("long-valley", [0.004] * 150, optimizer="sgd")
    assert session.attempts_used("long-valley") == 1  # the refused run is not recorded
    kick = session.play("momentum-kick", [0.3265] * 100, optimizer=MOMENTUM)
    assert (kick.optimizer, kick.iterations, kick.stars) == (MOMENTUM, 4, 3)
    entry = Grader(ch).grade(str(session.path))
    assert entry.status == "accepted", entry.reason
    assert [f.score for f in entry.levels[:2]] == [kick.score, record.score]


def _forge(src, dst, n, **changes):
    doc = json.loads(src.read_text())
    doc["attempts"][n].update(changes)
    dst.write_text(json.dumps(doc))
    return str(dst)


def test_grade_rejects_a_forged_optimizer(week5, tmp_path):
    ch = load_challenge(week5)
    session = ChallengeSession.open(ch, "ada", tmp_path / "ada.json")
    session.play("momentum-kick", [0.3265] * 100, optimizer=MOMENTUM)
    session.play("long-valley", [0.004] * 150)
    grader = Grader(ch)
    assert grader.grade(str(session.path)).status == "accepted"

    def reason(n, **changes):
        entry = grader.grade(_forge(session.path, tmp_path / "forged.json", n, **changes))
        assert entry.status == "rejected"
        return entry.reason

    assert reason(1, optimizer="momentum:beta=0.95") == (
        "long-valley, attempt 1: the challenge sets the optimizer on long-valley to "
        "momentum:beta=0.9: this run used momentum:beta=0.95"
    )
    assert "this run used sgd" in reason(1, optimizer="sgd")
    assert reason(0, optimizer="momentum:beta=0.8") == (
        "momentum-kick, attempt 1: the level offers momentum only as momentum:beta=0.9"
    )
    assert "does not offer the adam optimizer" in reason(0, optimizer="adam")
    assert "not one the game has" in reason(0, optimizer="momentum:beta=7")
    # the optimiser decides the run: the same rates claimed under plain descent do not
    # re-simulate to the momentum run's figures
    assert "changed" in reason(0, optimizer="sgd")


def test_grade_rejects_an_honest_run_with_another_optimizer_on_a_pinned_level(week5, tmp_path):
    """A plain-descent run whose every claim is true, on the pinned level's own content."""
    ch = load_challenge(week5)
    valley = ch.level("long-valley")
    session = ChallengeSession.open(ch, "ada", tmp_path / "ada.json")
    run = replay(valley, [0.015] * 150, "sgd")
    session.attempts.append(attempt_from_run(valley, run, "constant"))
    session.save()
    entry = Grader(ch).grade(str(session.path))
    assert entry.status == "rejected"
    assert "sets the optimizer on long-valley to momentum:beta=0.9: this run used sgd" in (
        entry.reason
    )


def test_lrgame_run_with_a_challenge_plays_the_pin(week5, tmp_path, capsys):
    out = tmp_path / "bob.json"
    base = ["run", "long-valley", "--lr", "0.004", "--challenge", str(week5)]
    assert main([*base, "--player", "bob", "--replay", str(out)]) == 0
    capsys.readouterr()
    assert json.loads(out.read_text())["attempts"][0]["optimizer"] == MOMENTUM
    code = main([*base, "--player", "bob", "--replay", str(out), "--optimizer", "sgd"])
    assert code == 2
    assert "sets the optimizer on long-valley to momentum:beta=0.9" in capsys.readouterr().err
    assert main(["grade", "--challenge", str(week5), str(out)]) == 0


def test_the_challenge_command_names_each_pin(week5, capsys):
    assert main(["challenge", str(week5)]) == 0
    out = capsys.readouterr().out
    assert f"played with {MOMENTUM} only" in out and "played with sgd only" in out
    assert out.count("only") == 2


def test_grade_names_the_optimizer_of_each_best_attempt(week5, tmp_path, capsys):
    ch = load_challenge(week5)
    session = ChallengeSession.open(ch, "ada", tmp_path / "ada.json")
    session.play("momentum-kick", [0.3265] * 100, optimizer=MOMENTUM)
    session.play("x-squared", [0.5] * 50)
    assert main(["grade", "--challenge", str(week5), str(session.path)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[2].split()[-1] == "optimizer"
    assert rows[3].split()[-2:] == ["1000", MOMENTUM]
    assert rows[4].split() == ["long-valley", "-", "-", "0", "-"]  # not played
    assert rows[5].split()[-2:] == ["1000", "sgd"]
    assert main(["grade", "--challenge", str(week5), str(session.path), "--csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["optimizer"] for r in table] == [MOMENTUM, "", "sgd"]
