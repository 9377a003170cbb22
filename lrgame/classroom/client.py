"""A student's side of a live class: ``lrgame join`` and ``lrgame submit``.

Everything a client keeps is under ``LRGAME_HOME/classes/<host-port>/``: the class's
challenge (self-contained, checked against the hash the server gives), the student's
token for each name (it proves the name is theirs), the result file, and the
*outbox*: every submission not yet answered, sent again (with the same id, so the
server counts it once) on the next start and after every attempt.

Plain ``urllib``: the game process does not load a web framework.
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import printable
from ..store import home
from ..yamlsafe import clean_text

#: Seconds to wait for the class server: long enough for a busy one, short enough
#: that a student is not left waiting (what is not answered stays in the outbox).
TIMEOUT = 30.0


class Unreachable(Exception):
    """The class server did not answer (or is busy): keep the submission, send it later."""


def class_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not a class address (http://HOST:PORT)")
    return f"{parts.scheme}://{parts.netloc}"


def code_in(url: str) -> str | None:
    """The class code given in the address (``?code=...``), if any."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    return (query.get("code") or [None])[0]


def board_key_in(url: str) -> str | None:
    """The teacher's board key given in the address (``/board?key=...``), if any."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    return (query.get("key") or [None])[0]


def file_name(player: str) -> str:
    """A result file's name for ``player`` (the class server names exports the same way)."""
    return re.sub(r"[^\w-]+", "-", player).strip("-") + ".json"


def class_folder(url: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", urllib.parse.urlsplit(url).netloc).strip("-")
    folder = home() / "classes" / (slug or "class")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_json(path: Path, data: Any) -> None:
    """Atomically: a client killed mid-write keeps the old file or the new one."""
    from ..judging.replay import write_atomic

    write_atomic(path, json.dumps(data))


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def token_for(url: str, player: str) -> str:
    """This machine's secret for ``player`` in the class (made on first use)."""
    from ..names import same_player_key

    path = class_folder(url) / "tokens.json"
    tokens = _read_json(path, {})
    key = same_player_key(player)
    if not isinstance(tokens.get(key), str):
        tokens[key] = secrets.token_urlsafe(24)
        _write_json(path, tokens)
    return tokens[key]


# -- talking to the server -----------------------------------------------------------------


def request(url: str, path: str, code: str, *, body: bytes | None = None, headers=None) -> dict:
    """The server's JSON answer; Unreachable when there is none to act on (no server,
    busy, wrong code: kept for later)."""
    req = urllib.request.Request(
        class_url(url) + path,
        data=body,
        method="POST" if body is not None else "GET",
        headers={"X-Class-Code": code, "Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            answer = json.loads(response.read(8_000_000))
        if not isinstance(answer, dict):
            raise ValueError("an answer that is not a JSON object")
        return _readable(answer)
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read(100_000))
            if not isinstance(answer, dict):
                raise ValueError
            answer = _readable(answer)
        except ValueError:
            answer = {"status": "refused", "reason": f"HTTP {exc.code}"}
        if exc.code in (403, 503) or exc.code >= 500:
            raise Unreachable(answer.get("reason") or f"HTTP {exc.code}") from None
        return answer
    except (OSError, ValueError) as exc:  # refused, reset, timed out, not JSON
        raise Unreachable(f"the class server at {class_url(url)} does not answer ({exc})") from None


def _readable(answer: dict) -> dict:
    """``answer`` with its reason made one printable line: the server is someone else's
    machine, and the reason is printed (escape sequences removed, other controls shown)."""
    reason = answer.get("reason")
    if reason is not None:
        answer["reason"] = printable(clean_text(str(reason)))[:300]
    return answer


def fetch_challenge(url: str, code: str):
    """The class's challenge, saved in the class folder and loaded; its hash checked."""
    from .challenge import load_challenge

    answer = request(url, "/api/challenge", code)
    if not all(isinstance(answer.get(k), str) for k in ("title", "yaml", "hash")):
        raise Unreachable("the class server's answer is not a challenge (title, yaml, hash)")
    folder = class_folder(url)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", answer["title"]).strip("-").lower()[:40]
    path = folder / f"{stem or 'challenge'}.yaml"  # its stem scopes the game's progress
    path.write_text(answer["yaml"], encoding="utf-8")
    challenge = load_challenge(path)
    if challenge.hash != answer["hash"]:
        raise Unreachable("the challenge the server sent does not match its hash")
    return challenge


def join(url: str, code: str, player: str) -> dict:
    body = json.dumps({"player": player, "token": token_for(url, player)}).encode()
    return request(url, "/api/join", code, body=body)


def send(url: str, code: str, player: str, sid: str, body: bytes) -> dict:
    headers = {"X-Submission-Id": sid, "X-Client-Token": token_for(url, player)}
    return request(url, "/api/submit", code, body=body, headers=headers)


# -- the outbox ----------------------------------------------------------------------------


class Outbox:
    """Submissions not yet answered, in order, in a file: they survive the client."""

    def __init__(self, url: str, code: str):
        self.url, self.code = url, code
        self.path = class_folder(url) / "outbox.json"

    def pending(self) -> list[dict]:
        items = _read_json(self.path, [])
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def add(self, player: str, body: bytes) -> str:
        sid = secrets.token_urlsafe(12)
        items = self.pending()
        items.append({"id": sid, "player": player, "body": body.decode("utf-8")})
        _write_json(self.path, items)
        return sid

    def flush(self) -> tuple[list[dict], str | None]:
        """Send what is pending, oldest first: (the answers got, why the rest waits)."""
        answers = []
        for item in self.pending():
            try:
                answer = send(
                    self.url, self.code, item["player"], item["id"], item["body"].encode()
                )
            except Unreachable as exc:
                return answers, str(exc)
            answers.append(answer)
            _write_json(self.path, [i for i in self.pending() if i.get("id") != item["id"]])
        return answers, None


def _count(value) -> str:
    """A count from the server's answer, or ? for anything that is not one."""
    return str(value) if type(value) is int else "?"


def answer_line(answer: dict) -> tuple[str, bool]:
    """What the student reads about one answer, and whether it is good news."""
    if answer.get("status") == "accepted":
        attempts, total = (_count(answer.get(k)) for k in ("attempts", "total_score"))
        return (f"The class has your attempts ({attempts} so far, "
                f"{total} points)."), True  # fmt: skip
    return f"The class refused your submission: {answer.get('reason')}", False


def submit_hook(url: str, code: str):
    """``ChallengeSession.on_saved``: put the saved file in the outbox, send the outbox,
    and say what came of it (one line)."""

    def on_saved(session) -> tuple[str, bool]:
        try:
            body = session.path.read_bytes()
            Outbox(url, code).add(session.player, body)
            answers, waiting = Outbox(url, code).flush()
        except OSError as exc:
            return f"Not sent to the class: {exc}", False
        if waiting:
            return f"Not sent to the class yet ({waiting}); it is sent again later.", False
        refused = [a for a in answers if a.get("status") != "accepted"]
        if refused or answers:
            return answer_line((refused or answers)[-1])
        return "Sent to the class.", True

    return on_saved
