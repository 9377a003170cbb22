"""A real `lrgame serve` on a free loopback port, for the serve tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.processes import started

SERVER_START_SECONDS = 30
BROWSER_SECONDS = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def running_server(tmp_path_factory):
    """Yield what the tests need of a server started for them; it ends with its games."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    # COLUMNS: wide enough that the access log keeps each request on one line
    env = dict(os.environ, LRGAME_HOME=str(folder / "home"), PYTHONUNBUFFERED="1", COLUMNS="400")
    url = f"http://127.0.0.1:{port}/"
    # Its own process group: leaving the block ends it and every game it started.
    with (
        open(folder / "server.log", "w") as log,
        started(
            [sys.executable, "-m", "lrgame", "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        ) as proc,
    ):
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        f"lrgame serve did not answer: {(folder / 'server.log').read_text()}"
                    )
                time.sleep(0.2)
        yield {
            "pid": proc.pid,
            "url": url,
            "port": port,
            "page": page,
            "folder": folder,
            "log": folder / "server.log",
        }


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _wait(condition, seconds: float = 30.0) -> bool:
    end = time.monotonic() + seconds  # a hang guard: games end within a second or two
    while not condition() and time.monotonic() < end:
        time.sleep(0.1)
    return condition()
