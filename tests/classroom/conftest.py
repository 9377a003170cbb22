"""A three-level challenge (shipped id, file beside it, inline level) and a way to play it."""

import json
import textwrap
from pathlib import Path

import pytest

from lrgame.__main__ import main
from lrgame.commands.new import write_new_level

CHALLENGE = """\
title: Week 3 — finding the rate
author: Ms Rivera
levels:
  - x-squared
  - valleys/my-valley.yaml
  - id: tilted
    title: A tilted valley
    params: {x: 4.0}
    loss: "0.5*x**2"
    goal: {loss_below: 1e-6, max_iterations: 60}
    lr: {default: 0.1, min: 1e-3, max: 3}
rules:
  lr_changes: false
  attempts: 2
"""


@pytest.fixture
def challenge_text() -> str:
    return CHALLENGE


@pytest.fixture
def challenge_file(tmp_path) -> Path:
    (tmp_path / "valleys").mkdir()
    write_new_level("my-valley", tmp_path / "valleys")
    path = tmp_path / "week3.yaml"
    path.write_text(textwrap.dedent(CHALLENGE))
    return path


@pytest.fixture
def play(capsys):
    """play(challenge, player, out, level, lr, *more_args) -> exit code (output swallowed)."""

    def _play(challenge, player, out, level, lr, *more):
        argv = ["run", level, "--lr", str(lr), "--replay", str(out), "--player", player]
        if challenge is not None:
            argv += ["--challenge", str(challenge)]
        code = main([*argv, *more])
        capsys.readouterr()
        return code

    return _play


class JsonFiles:
    @staticmethod
    def load(path: Path) -> dict:
        return json.loads(path.read_text(encoding="utf-8"))

    @staticmethod
    def save(path: Path, data: dict) -> Path:
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        return path


@pytest.fixture
def jsonfile() -> JsonFiles:
    return JsonFiles()


@pytest.fixture
def in_class():
    """in_class(challenge, folder, code, board_key, talk) -> what ``talk(client, server)``
    returns, run against the class server's app on aiohttp's in-process test server
    (no process to start); the server's judge thread and store are closed on every path."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from lrgame.classroom.server import ClassServer

    def _in_class(challenge, folder, code, board_key, talk):
        server = ClassServer(challenge, folder, code, board_key)

        async def go():
            async with TestClient(TestServer(server.app())) as client:
                return await talk(client, server)

        try:
            return asyncio.run(go())
        finally:
            server.pool.shutdown(wait=True)
            server.store.close()

    return _in_class
