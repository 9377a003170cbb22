"""The class board is the teacher's: /board and /api/board need the board key, which
the students (who have the class code) do not have. The server runs in this process,
on aiohttp's test server; ``lrgame class start`` is run up to its serving."""

from __future__ import annotations

import pytest

from lrgame.__main__ import main
from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.classroom.server import BOARD_KEY_LENGTH
from lrgame.commands import classroom as commands

CODE = "K7QX3M"
KEY = "TEACHERS0NLY2026"
CHALLENGE = "title: Week 3\nlevels:\n  - x-squared\n"


@pytest.fixture
def challenge_file(tmp_path):
    path = tmp_path / "week3.yaml"
    path.write_text(CHALLENGE)
    return path


def test_only_the_board_key_opens_the_board(challenge_file, tmp_path, in_class):
    session = ChallengeSession.open(load_challenge(challenge_file), "Ada", tmp_path / "ada.json")
    session.play("x-squared", [0.5])

    async def talk(client, server):
        answers = {}
        sent = await client.post(
            "/api/submit",
            data=session.path.read_bytes(),
            headers={"X-Class-Code": CODE, "X-Submission-Id": "ada-attempt-1",
                     "X-Client-Token": "a" * 20},
        )  # fmt: skip
        answers["submit"] = (await sent.json())["status"]
        for name, path, headers in [
            ("page, no key", "/board", {}),
            ("page, wrong key", "/board?key=NOTTHEKEY", {}),
            ("page, key", f"/board?key={KEY.lower()}", {}),
            ("api, no key", "/api/board", {}),
            ("api, the class code", "/api/board", {"X-Class-Code": CODE}),
            ("api, the code as key", "/api/board", {"X-Board-Key": CODE}),
            ("api, key", "/api/board", {"X-Board-Key": KEY}),
            ("api, key in the address", f"/api/board?key={KEY}", {}),
            ("index", "/", {}),
        ]:
            response = await client.get(path, headers=headers)
            answers[name] = (response.status, await response.text())
        return answers

    challenge = load_challenge(challenge_file)
    answers = in_class(challenge, tmp_path / "class", CODE, KEY, talk)
    assert answers["submit"] == "accepted"
    for name in ["page, no key", "page, wrong key"]:
        status, text = answers[name]
        assert status == 403 and "board key" in text and "Ada" not in text
    for name in ["api, no key", "api, the class code", "api, the code as key"]:
        status, text = answers[name]
        assert status == 403 and "Ada" not in text
        assert "the board is the teacher's: it needs the board key" in text
    assert answers["page, key"][0] == 200 and "X-Board-Key" in answers["page, key"][1]
    for name in ["api, key", "api, key in the address"]:
        status, text = answers[name]
        assert status == 200 and '"player": "Ada"' in text
    assert answers["index"][0] == 200 and 'href="/board"' not in answers["index"][1]


def start(monkeypatch, capsys, *argv):
    """``lrgame class start`` up to the point it would serve: (exit code, server, stderr)."""
    started = []

    async def no_serving(server, host, port):
        started.append(server)
        server.pool.shutdown(wait=True)
        server.store.close()

    monkeypatch.setattr(commands, "_serve", no_serving)
    code = main(["class", "start", *map(str, argv), "--port", "0"])
    return code, (started[0] if started else None), capsys.readouterr().err


def test_the_board_key_is_made_up_kept_and_may_be_given(
    challenge_file, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "class"
    code, first, _ = start(monkeypatch, capsys, challenge_file, "--dir", folder)
    assert code == 0 and len(first.board_key) == BOARD_KEY_LENGTH
    assert first.board_key.isalnum() and first.board_key != first.code
    code, again, _ = start(monkeypatch, capsys, challenge_file, "--dir", folder)
    assert code == 0 and again.board_key == first.board_key  # the projector's page still works
    code, given, _ = start(monkeypatch, capsys, challenge_file, "--dir", folder,
                           "--board-key", "projector42")  # fmt: skip
    assert code == 0 and given.board_key == "PROJECTOR42"
    code, _, err = start(monkeypatch, capsys, challenge_file, "--dir", folder,
                         "--code", "SAMEONE1", "--board-key", "sameone1")  # fmt: skip
    assert code == 2 and "not the class code" in err
    code, _, err = start(monkeypatch, capsys, challenge_file, "--dir", folder,
                         "--board-key", "short")  # fmt: skip
    assert code == 2 and "--board-key: 8 to 64 letters and digits" in err


def test_a_key_or_code_is_ascii_letters_and_digits(challenge_file, tmp_path, monkeypatch, capsys):
    # found by the red team: isalnum() took "äöüßäöüß", which the terminal board then
    # could not send (a header of non-ASCII text): the teacher never saw the board
    folder = tmp_path / "class"
    for option, text in [("--board-key", "äöüßäöüß"), ("--board-key", "KEY١٢٣٤٥٦٧٨"),
                         ("--code", "ÄBC123")]:  # fmt: skip
        code, server, err = start(monkeypatch, capsys, challenge_file, "--dir", folder,
                                  option, text)  # fmt: skip
        assert code == 2 and server is None, (text, err)
        assert f"{option}: " in err and "letters and digits" in err


def test_the_terminal_board_asks_for_the_key(capsys):
    assert main(["class", "board", "http://127.0.0.1:9"]) == 2
    assert "the board key is needed: --key KEY" in capsys.readouterr().err
