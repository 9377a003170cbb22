"""A malformed request to ``lrgame class start`` (found by the red team): aiohttp
logged it with a traceback on the teacher's terminal. Anyone on the network may send
one; the teacher's log gets one printable line, and never the board key."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from tests.processes import started
from tests.serve.servers import free_port

KEY = "TEACHERS0NLY2026"
START_SECONDS = 60  # a hang guard: the server answers in about a second


def _send(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_malformed_request_is_one_line_in_the_teachers_log(tmp_path):
    (tmp_path / "week.yaml").write_text("title: Week\nlevels: [x-squared]\n")
    port = free_port()
    argv = [sys.executable, "-m", "lrgame", "class", "start", "week.yaml", "--port", str(port)]
    argv += ["--board-key", KEY, "--dir", "class"]
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with (
        open(out, "w") as o,
        open(err, "w") as e,
        started(argv, cwd=tmp_path, stdout=o, stderr=e, stdin=subprocess.DEVNULL) as proc,
    ):
        deadline = time.monotonic() + START_SECONDS
        while "Ctrl+C" not in out.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, err.read_text()
            time.sleep(0.1)
        answers = [
            _send(port, b"GET /board?key=" + b"A" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
            _send(
                port,
                b"GET /api/board HTTP/1.1\r\nHost: x\r\nX-Board-Key: " + b"B" * 9000 + b"\r\n\r\n",
            ),
            _send(port, b"GET /\x1b]0;owned\x07 HTTP/1.1\r\nHost: x\r\n\r\n"),
            _send(port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64),
            # bytes that are not UTF-8 in a key or the code: refused, not a fault (500)
            _send(
                port,
                b"GET /api/board HTTP/1.1\r\nHost: x\r\nX-Board-Key: \xff\xfe\r\n"
                b"Connection: close\r\n\r\n",
            ),
            _send(
                port,
                b"GET /api/challenge HTTP/1.1\r\nHost: x\r\nX-Class-Code: \xc3(\r\n"
                b"Connection: close\r\n\r\n",
            ),
            _send(
                port,
                "GET /api/board HTTP/1.1\r\nHost: x\r\nX-Board-Key: ÄÖÜ\r\n"
                "Connection: close\r\n\r\n".encode(),
            ),
            _send(
                port,
                b"GET /api/board?key="
                + KEY.lower().encode()
                + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ),
        ]
    log = err.read_text(encoding="utf-8", errors="backslashreplace")
    for answer in answers[-4:-1]:
        assert b" 403 " in answer.split(b"\r\n", 1)[0], answer[:300]
    assert b" 200 " in answers[-1].split(b"\r\n", 1)[0], answers[-1][:200]
    assert "Traceback" not in log, log[-3000:]
    assert KEY not in log and KEY.lower() not in log
    assert all(c.isprintable() or c == "\n" for c in log), repr(log[-500:])
    assert all(len(line) <= 300 for line in log.splitlines()), log[-3000:]
