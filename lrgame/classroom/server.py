"""``lrgame class start``: the class server (aiohttp), one process for one challenge.

Writes need the class code (``X-Class-Code``, compared in constant time); bodies are
capped before they are read and must arrive within ``READ_SECONDS``; submissions are
judged one at a time in a worker thread (``judge.ClassJudge``), at most
``MAX_PENDING`` being read or waiting, so the event loop always answers the board. The
board is read-only and is the teacher's: it needs the board key (``?key=`` or
``X-Board-Key``), which the students do not have (they have the class code).

    GET  /                  how to join
    GET  /board?key=KEY     the board for a projector (HTML, polls /api/board) (board key)
    GET  /api/board         the board as JSON (board key)
    GET  /api/challenge     the challenge, self-contained (code)
    POST /api/join          {"player", "token"}: claim a name (code)
    POST /api/submit        a result file's bytes; X-Submission-Id, X-Client-Token (code)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hmac
import json
import logging
import secrets
import sys
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from ..errors import printable
from ..judging.replay import MAX_RESULT_BYTES
from .board_page import BOARD_HTML, INDEX_HTML, NO_BOARD, NO_BOARD_HTML
from .judge import ClassJudge, board_json
from .store import ClassStore

#: Submissions waiting to be judged, at most (each holds its body in memory).
MAX_PENDING = 32
#: Seconds a body may take to arrive (4 MB takes well under one on a classroom network).
READ_SECONDS = 60
#: The largest join request, in bytes.
MAX_JOIN_BYTES = 4096
#: Letters of a generated class code: no 0/O or 1/I/L to misread on a projector.
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
BOARD_KEY_LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def new_board_key() -> str:
    """The teacher's key to the board: longer than a class code, never written on a
    classroom's board for all to see."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(BOARD_KEY_LENGTH))


def self_contained(challenge) -> str:
    """The challenge as one YAML file, every level inline: it loads to the same hash."""
    spec = challenge.spec.model_dump(mode="json")
    spec["levels"] = [
        level.model_dump(mode="json")
        if lid not in challenge.pins
        else {"level": level.model_dump(mode="json"), "optimizer": challenge.pins[lid]}
        for lid, level in challenge.levels.items()
    ]
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)


class ClassServer:
    def __init__(self, challenge, folder: Path, code: str, board_key: str):
        self.challenge = challenge
        self.code = code
        self.board_key = board_key
        self.store = ClassStore(folder)
        self.judge = ClassJudge(challenge, self.store)
        self.pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="judge")
        self.pending = 0
        self.board = board_json(self.judge.board()).encode()
        self.challenge_json = json.dumps(
            {"title": challenge.title, "hash": challenge.hash, "yaml": self_contained(challenge)}
        ).encode()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_RESULT_BYTES + 1024)
        app.router.add_get("/", self.index)
        app.router.add_get("/board", self.board_page)
        app.router.add_get("/api/board", self.api_board)
        app.router.add_get("/api/challenge", self.api_challenge)
        app.router.add_post("/api/join", self.api_join)
        app.router.add_post("/api/submit", self.api_submit)
        return app

    # -- read-only -------------------------------------------------------------------------
    async def index(self, request: web.Request) -> web.Response:
        return web.Response(text=INDEX_HTML, content_type="text/html")

    def _teacher(self, request: web.Request) -> bool:
        """The request carries the board key (``X-Board-Key``, or ``?key=`` in the address)."""
        given = request.headers.get("X-Board-Key") or request.query.get("key") or ""
        return hmac.compare_digest(_bytes(given), self.board_key.encode())

    async def board_page(self, request: web.Request) -> web.Response:
        if not self._teacher(request):
            return web.Response(status=403, text=NO_BOARD_HTML, content_type="text/html")
        return web.Response(text=BOARD_HTML, content_type="text/html")

    async def api_board(self, request: web.Request) -> web.Response:
        if not self._teacher(request):
            return _answer(403, NO_BOARD)
        return web.Response(body=self.board, content_type="application/json")

    # -- writes ----------------------------------------------------------------------------
    def _refused(self, request: web.Request, limit: int) -> web.Response | None:
        """An answer for a request without the class code or with too big a body."""
        given = request.headers.get("X-Class-Code", "")
        if not hmac.compare_digest(_bytes(given), self.code.encode()):
            return _answer(403, "wrong class code (ask your teacher for it)")
        length = request.content_length
        if request.method == "POST":
            if length is None:
                return _answer(411, "the request must give its length")
            if length > limit:
                return _answer(413, f"too large: over {limit:,} bytes")
        return None

    async def api_challenge(self, request: web.Request) -> web.Response:
        return self._refused(request, 0) or web.Response(
            body=self.challenge_json, content_type="application/json"
        )

    async def _judged(self, request: web.Request, limit: int, parse) -> web.Response:
        """Read the body (capped, within READ_SECONDS), ``parse`` it into (work, *args),
        and judge it in the judge's thread. Bodies being read count as waiting."""
        refused = self._refused(request, limit)
        if refused:
            return refused
        if self.pending >= MAX_PENDING:
            return _answer(503, "the class server is busy: your client will send it again")
        self.pending += 1
        try:
            try:
                body = await asyncio.wait_for(request.read(), READ_SECONDS)
            except asyncio.TimeoutError:
                return _answer(408, f"the body did not arrive within {READ_SECONDS} s")
            work = parse(request, body)
            if isinstance(work, web.Response):
                return work
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(self.pool, self._work, work[0], work[1:])
        finally:
            self.pending -= 1
        return web.json_response(answer)

    def _work(self, work, args) -> dict[str, Any]:
        answer = work(*args)  # written to the store before it is sent
        log(answer)
        try:
            self.board = board_json(self.judge.board()).encode()
        except Exception as exc:  # the answer stands; the board shows the class as it was
            print(f"the board could not be redrawn: {exc!r}", file=sys.stderr, flush=True)
        return answer

    async def api_join(self, request: web.Request) -> web.Response:
        def parse(request, body):
            try:
                data = json.loads(body)
                return self.judge.join, str(data["player"]), str(data["token"])
            except (ValueError, KeyError, TypeError):
                return _answer(400, "a join is JSON with player and token")

        return await self._judged(request, MAX_JOIN_BYTES, parse)

    async def api_submit(self, request: web.Request) -> web.Response:
        def parse(request, body):
            sid = request.headers.get("X-Submission-Id", "")
            token = request.headers.get("X-Client-Token", "")
            return self.judge.submit, sid, token, body

        return await self._judged(request, MAX_RESULT_BYTES, parse)


def log(answer: dict[str, Any]) -> None:
    """The teacher's log, one line an answer, on stderr (names and reasons are as safe
    to print as ``lrgame grade``'s)."""
    who = answer.get("player") or "?"
    if answer.get("status") == "refused":
        line = f"refused: {who}: {answer.get('reason')}"
    elif answer.get("status") == "accepted" and not answer.get("resent"):
        line = f"accepted: {who}: {answer['attempts']} attempts, {answer['total_score']} points"
    elif answer.get("status") == "joined":
        line = f"joined: {who}"
    else:
        return
    print(line, file=sys.stderr, flush=True)


class _OneLine(logging.Handler):
    """aiohttp's faults in a request as one printable line on stderr, no traceback:
    anyone on the network can send a malformed request, and the teacher reads this log."""

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            line += f": {type(exc).__name__}: {' '.join(str(exc).split())}"
        line = printable(line)
        print(line if len(line) <= 200 else line[:197] + "...", file=sys.stderr, flush=True)


def request_logger() -> logging.Logger:
    """The logger the class server's requests report their faults to (see _OneLine)."""
    logger = logging.getLogger("lrgame.class.requests")
    if not logger.handlers:
        logger.addHandler(_OneLine())
        logger.propagate = False
    return logger


def _bytes(given: str) -> bytes:
    """A key or code as sent, made comparable: aiohttp reads header bytes that are not
    UTF-8 as lone surrogates, which a plain encode() refuses (a 500 for a wrong key)."""
    return given.strip().upper().encode("utf-8", "surrogateescape")


def _answer(status: int, reason: str) -> web.Response:
    return web.json_response({"status": "refused", "reason": reason}, status=status)
