"""A class server is someone else's machine: ``lrgame submit`` prints what it answers.
Found by the red team: a reason holding terminal escapes reached the student's
terminal as it was, and an answer that is not a JSON object was a traceback."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from lrgame.__main__ import main

ESCAPES = "\x1b]0;owned\x07\x1b[2Jrefused\x9b31m\u202e"


def _serve(answer: bytes, status: int = 200):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(
    "answer, status",
    [
        (json.dumps({"status": "refused", "reason": ESCAPES}).encode(), 200),
        (json.dumps({"status": "refused", "reason": ESCAPES}).encode(), 400),
        (json.dumps({"status": "refused", "reason": ESCAPES}).encode(), 503),
        (json.dumps({"status": "accepted", "total_score": ESCAPES}).encode(), 200),
        (json.dumps(["not", "an", "object"]).encode(), 200),
        (json.dumps({"status": "refused", "reason": ["x"] * 3}).encode(), 200),
        (b"null", 200),
    ],
)
def test_submit_prints_no_escapes_and_no_traceback_from_the_server(
    answer, status, tmp_path, capsys
):
    result = tmp_path / "ada.json"
    result.write_text(json.dumps({"format": "lrgame-result/1", "player": "ada", "attempts": []}))
    server = _serve(answer, status)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code = main(["submit", str(result), "--to", url, "--code", "K7QX3M"])
    finally:
        server.shutdown()
        server.server_close()
    out, err = capsys.readouterr()
    assert code in (0, 1)
    assert "Traceback" not in out + err
    assert all(c.isprintable() or c == "\n" for c in out + err), repr(out + err)
    assert "owned" not in out + err


@pytest.mark.parametrize(
    "answer",
    [{"title": 5, "yaml": "", "hash": ""}, {"status": "refused"}, {"title": "T", "yaml": ["x"]}],
)
def test_join_refuses_a_challenge_answer_it_cannot_read(answer, tmp_path, capsys):
    server = _serve(json.dumps(answer).encode())
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code = main(["join", url, "--code", "K7QX3M", "--player", "ada"])
    finally:
        server.shutdown()
        server.server_close()
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "not a challenge" in err


def test_the_games_class_line_is_plain_text_with_the_servers_numbers_checked():
    from types import SimpleNamespace

    from lrgame.classroom.client import answer_line
    from lrgame.ui.modes.challenge import tell_recorded

    line, good = answer_line({"status": "accepted", "attempts": "[b]9", "total_score": 5.5})
    assert good and "[b]" not in line and "5.5" not in line
    notes = []
    app = SimpleNamespace(notify=lambda message, **kw: notes.append((message, kw)))
    session = SimpleNamespace(
        note=("The class refused your submission: [@click=app.quit]here[/]", False),
        attempts_used=lambda level: 1,
        attempts_left=lambda level: 1,
        time_left=lambda: None,
        rules=SimpleNamespace(attempts=3),
        path="ada.json",
        challenge=SimpleNamespace(levels=["x-squared"]),
    )
    record = SimpleNamespace(level="x-squared", outcome="cleared", score=10)
    tell_recorded(app, session, record)
    ((_, kw),) = [n for n in notes if "[@click" in n[0]]
    assert kw.get("markup") is False  # the server's text is shown, never read as markup
