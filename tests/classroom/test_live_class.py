"""A live class: the server judges with grade's Grader, survives SIGKILL, refuses what
it must; the student's client keeps what was not answered and sends it again."""

from __future__ import annotations

import http.client
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from lrgame.__main__ import main
from lrgame.classroom import client
from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.commands.classroom import claimer
from tests.processes import started

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("class_sim", ROOT / "benchmarks" / "class_sim.py")
SIM = importlib.util.module_from_spec(_spec)
sys.modules["class_sim"] = SIM
_spec.loader.exec_module(SIM)

#: Guards a hang only: a class server starts in about 2 s here.
STARTUP_SECONDS = 60


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("LRGAME_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def class_server(challenge: Path, folder: Path, port: int = 0):
    cmd = SIM.server_command(challenge, folder)
    cmd[cmd.index("--port") + 1] = str(port)
    return started(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_small_class_ranks_as_grade_does_and_a_sigkill_loses_nothing(tmp_path):
    challenge = SIM.write_challenge(tmp_path)
    students = SIM.make_students(challenge, tmp_path, 4, 2)
    problems, figures = SIM.run_class(
        lambda: class_server(challenge, tmp_path / "class"),
        challenge,
        tmp_path,
        students,
        time.monotonic() + STARTUP_SECONDS,
    )
    assert problems == []
    assert figures["students"] == 4 and figures["rejected"] == 2


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A class server for the module: (its address, the challenge file, a folder)."""
    folder = tmp_path_factory.mktemp("live")
    challenge = SIM.write_challenge(folder)
    with class_server(challenge, folder / "class") as proc:
        yield SIM.read_url(proc, time.monotonic() + STARTUP_SECONDS), challenge, folder


def played(challenge: Path, folder: Path, player: str, *runs) -> Path:
    """A result file the game's session writes for ``player`` (runs: (level, rate))."""
    loaded = load_challenge(challenge)
    path = folder / client.file_name(player)
    session = ChallengeSession.open(loaded, player, path)
    for level, lr in runs:
        session.play(level, [lr] * loaded.levels[level].engine_goal.max_iterations)
    return path


def test_submit_exits_0_when_accepted_and_1_with_the_reason_when_refused(live, tmp_path, capsys):
    url, challenge, _ = live
    honest = played(challenge, tmp_path, "Grace H", ("x-squared", 0.5))
    assert main(["submit", str(honest), "--to", url, "--code", SIM.CODE]) == 0
    forged = tmp_path / "forged.json"
    forged.write_bytes(SIM.forge(honest.read_bytes(), "score"))
    capsys.readouterr()
    assert main(["submit", str(forged), "--to", url, "--code", SIM.CODE]) == 1
    assert "changed score: claims 1111 points, the replay scores 1000" in capsys.readouterr().err
    board = SIM.board(url)
    assert {
        "player": "Grace H",
        "reason": "x-squared, attempt 1: changed score: claims 1111 points, the replay scores 1000",
    } in [  # fmt: skip
        {k: r[k] for k in ("player", "reason")} for r in board["rejected"]
    ]
    assert any("Grace H cleared x-squared in 1 step (par 1) at lr 0.5" in f["text"]
               for f in board["feed"])  # fmt: skip


def test_without_the_class_code_nothing_is_written(live, tmp_path, capsys):
    url, challenge, _ = live
    honest = played(challenge, tmp_path, "Mallory", ("x-squared", 0.5))
    assert main(["submit", str(honest), "--to", url, "--code", "WRONG"]) == 1
    assert "wrong class code" in capsys.readouterr().err
    assert "Mallory" not in [s["player"] for s in SIM.board(url)["students"]]


def test_a_body_over_the_cap_is_refused_before_it_is_read(live):
    address = urllib.parse.urlsplit(live[0])
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    conn.putrequest("POST", "/api/submit")
    conn.putheader("X-Class-Code", SIM.CODE)
    conn.putheader("Content-Length", str(50_000_000))  # and no body follows
    conn.endheaders()
    response = conn.getresponse()  # answered without waiting for 50 MB
    assert response.status == 413
    conn.close()


@pytest.mark.parametrize(
    "first, second, why",
    [
        ("Ada L", "ada   l", "the name 'Ada L' is taken in this class"),  # one normal form
        ("Pop", "Рор", "looks like 'Pop', already in this class"),  # in Cyrillic letters
    ],
)
def test_a_name_taken_in_the_class_is_refused(live, first, second, why):
    url = live[0]

    def join(name, token):
        body = json.dumps({"player": name, "token": token}).encode()
        return SIM.post(url, "/api/join", body, {})

    assert join(first, "a" * 24)["status"] == "joined"
    assert join(first, "a" * 24)["status"] == "joined"  # the same game again
    answer = join(second, "b" * 24)
    assert answer["status"] == "refused"
    assert why in answer["reason"]


def test_unanswered_attempts_wait_in_the_outbox_and_count_once(tmp_path):
    challenge = SIM.write_challenge(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    session = ChallengeSession.open(load_challenge(challenge), "Lin", tmp_path / "lin.json")
    session.on_saved = client.submit_hook(url, SIM.CODE)
    session.play("x-squared", [0.4] * 50)  # no server yet
    line, good = session.note
    assert not good and "sent again later" in line
    outbox = client.Outbox(url, SIM.CODE)
    assert len(outbox.pending()) == 1
    with class_server(challenge, tmp_path / "class", port) as proc:
        SIM.read_url(proc, time.monotonic() + STARTUP_SECONDS)
        # the game started again: it goes on in the same file, and sends what waits
        session = claimer(url, SIM.CODE, load_challenge(challenge), tmp_path / "lin.json")("Lin")
        assert outbox.pending() == []
        (lin,) = [s for s in SIM.board(url)["students"] if s["player"] == "Lin"]
        assert [f["attempts"] for f in lin["levels"]] == [1, 0]
        session.play("tilted", [1.0] * 60)
        # x²: x shrinks by 1 - 2·0.4 = 0.2 a step, 2·0.2⁵ < 1e-3: 5 steps against par 1,
        # 200 points; the tilted valley at lr 1 lands on 0 in one step: 1000
        assert session.note == ("The class has your attempts (2 so far, 1200 points).", True)
        assert len(session.attempts) == 2
        assert outbox.pending() == []
        (lin,) = [s for s in SIM.board(url)["students"] if s["player"] == "Lin"]
        assert [f["attempts"] for f in lin["levels"]] == [1, 1]
    # a board read from the folder after the class: what export writes
    assert main(["class", "export", str(tmp_path / "class"), "--csv"]) == 0


def test_export_writes_grade_s_csv(tmp_path, capsys):
    challenge = SIM.write_challenge(tmp_path)
    students = SIM.make_students(challenge, tmp_path, 2, 1)
    with class_server(challenge, tmp_path / "class") as proc:
        url = SIM.read_url(proc, time.monotonic() + STARTUP_SECONDS)
        for s in students:
            SIM.play_live(url, s)
    capsys.readouterr()
    assert main(["class", "export", str(tmp_path / "class"), "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("rank,file,player,status,reason,total_score,level")
    accepted = [r for r in rows[1:] if ",accepted," in r]
    rejected = [r for r in rows[1:] if ",rejected," in r]
    assert len(accepted) == 4 and len(rejected) == 1  # 2 students x 2 levels; 1 forgery


def test_serve_class_makes_each_visitor_join_the_class(monkeypatch, capsys):
    from lrgame import visitor

    monkeypatch.delenv(visitor.SERVE_CLASS_ENV, raising=False)
    assert visitor.visitor_argv() == []  # the game, as before
    assert main(["serve", "--class", "http://127.0.0.1:9"]) == 2  # no code, no server
    assert "--class needs the class's --code" in capsys.readouterr().err
    monkeypatch.setenv(visitor.SERVE_CLASS_ENV, json.dumps(["http://10.0.0.5:8100", "K7QX3M"]))
    assert visitor.visitor_argv() == ["join", "http://10.0.0.5:8100", "--code", "K7QX3M"]


def test_a_class_folder_holds_one_challenge(tmp_path, capsys):
    challenge = SIM.write_challenge(tmp_path)
    from lrgame.classroom.store import ClassStore

    store = ClassStore(tmp_path / "class")
    store.set_meta("challenge_hash", "sha256:" + "1" * 64)
    store.set_meta("title", "Last week")
    store.close()
    cmd = ["class", "start", str(challenge), "--dir", str(tmp_path / "class"), "--port", "0"]
    assert main(cmd) == 2
    assert "holds a class of another challenge ('Last week')" in capsys.readouterr().err


def test_a_refused_file_with_a_name_the_game_never_writes_claims_no_name(live, tmp_path):
    url, challenge, _ = live
    honest = played(challenge, tmp_path, "Odd One", ("x-squared", 0.5))
    odd = tmp_path / "odd.json"
    odd.write_text(honest.read_text().replace('"Odd One"', '"Odd  One"'))  # two spaces
    assert main(["submit", str(odd), "--to", url, "--code", SIM.CODE]) == 1
    players = [s["player"] for s in SIM.board(url)["students"]]
    assert "Odd  One" not in players and "Odd One" not in players
    assert main(["submit", str(honest), "--to", url, "--code", SIM.CODE]) == 0


def test_the_board_needs_the_teachers_key_not_the_class_code(live):
    url = live[0]
    for headers in ({}, {"X-Class-Code": SIM.CODE}):
        request = urllib.request.Request(url + "/api/board", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
        refused.value.close()
    assert "students" in SIM.board(url)  # with the key the server was started with
