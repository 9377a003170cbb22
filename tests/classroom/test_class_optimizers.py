"""A live class with optimisers: the server (in this process: the in_class fixture)
judges each attempt's optimiser as grade does, and the board shows which one each
student used; the challenge it hands out carries the optimiser it sets."""

from __future__ import annotations

import json

import yaml

from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.classroom.server import self_contained

CODE = "OPTCLASS"
KEY = "OPTTEACHER"
MOMENTUM = "momentum:beta=0.9"
CHALLENGE = """\
title: Week 5
levels:
  - momentum-kick
  - level: long-valley
    optimizer: momentum:beta=0.9
rules:
  attempts: 2
"""


def week5(tmp_path):
    path = tmp_path / "week5.yaml"
    path.write_text(CHALLENGE)
    return load_challenge(path)


def test_the_challenge_handed_out_sets_the_same_optimizer(tmp_path):
    challenge = week5(tmp_path)
    text = self_contained(challenge)
    entry = yaml.safe_load(text)["levels"][1]
    assert entry["optimizer"] == MOMENTUM and entry["level"]["id"] == "long-valley"
    copy = tmp_path / "copy.yaml"
    copy.write_text(text)
    again = load_challenge(copy)
    assert again.hash == challenge.hash and again.pins == challenge.pins


async def submit(client, sid: str, body: bytes, token="t" * 20) -> dict:
    headers = {"X-Class-Code": CODE, "X-Submission-Id": sid, "X-Client-Token": token}
    response = await client.post("/api/submit", data=body, headers=headers)
    assert response.status == 200
    return await response.json()


def test_the_board_shows_each_students_optimizer_and_forgeries_are_refused(tmp_path, in_class):
    challenge = week5(tmp_path)
    session = ChallengeSession.open(challenge, "Ada", tmp_path / "ada.json")
    session.play("momentum-kick", [0.17] * 100, optimizer=MOMENTUM)
    honest = session.path.read_bytes()
    session.play("long-valley", [0.004] * 150)
    forged = json.loads(session.path.read_text())
    forged["attempts"][1]["optimizer"] = "momentum:beta=0.95"
    bob = ChallengeSession.open(challenge, "Bob", tmp_path / "bob.json")
    bob.play("momentum-kick", [0.4] * 100, optimizer="sgd")

    async def talk(client, server):
        first = await submit(client, "ada-attempt-1", honest)
        refused = await submit(client, "ada-attempt-2", json.dumps(forged).encode())
        plain = await submit(client, "bob-attempt-1", bob.path.read_bytes(), token="b" * 20)
        board = server.judge.board()
        return first, refused, plain, board

    first, refused, plain, board = in_class(challenge, tmp_path / "class", CODE, KEY, talk)
    assert first["status"] == "accepted" and plain["status"] == "accepted"
    assert refused["status"] == "refused"
    assert refused["reason"] == (
        "long-valley, attempt 1: the challenge sets the optimizer on long-valley to "
        "momentum:beta=0.9: this run used momentum:beta=0.95"
    )
    students = {s["player"]: s for s in board["students"]}
    kick = students["Ada"]["levels"][0]
    assert (kick["level"], kick["optimizer"], kick["iterations"]) == ("momentum-kick", MOMENTUM, 6)
    assert students["Ada"]["levels"][1]["optimizer"] is None  # not played (yet)
    assert students["Bob"]["levels"][0]["optimizer"] == "sgd"
    assert students["Ada"]["latest"] == "momentum-kick: cleared, lr 0.17, momentum"
    assert students["Bob"]["latest"] == "momentum-kick: out of budget, lr 0.4"
    texts = [f["text"] for f in board["feed"]]
    assert (
        "Ada cleared momentum-kick in 6 steps (par 4) at lr 0.17 with momentum:beta=0.9, ★★☆"
        in (texts)
    )
    assert [lv["optimizers"] for lv in board["levels"]] == [["sgd", MOMENTUM], [MOMENTUM]]
