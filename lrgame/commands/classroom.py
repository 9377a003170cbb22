"""``lrgame class start|board|export``, ``lrgame join`` and ``lrgame submit``."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from ..classroom import client
from ..errors import UsageError


def run(args) -> int:
    if args.command == "join":
        return cmd_join(args)
    if args.command == "submit":
        return cmd_submit(args)
    if args.class_command == "start":
        return _class_start(args)
    if args.class_command == "board":
        return cmd_class_board(args)
    return cmd_class_export(args)


def _code(args, url: str) -> str:
    from ..errors import UsageError

    code = args.code or client.code_in(url)
    if not code:
        raise UsageError("the class code is needed: --code CODE (your teacher has it)")
    return code.strip().upper()


def _url(url: str) -> str:
    from ..errors import UsageError

    try:
        return client.class_url(url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def claimer(url: str, code: str, challenge, out: Path | None = None):
    """claim(name) -> the player's ChallengeSession in the class, sending each attempt;
    ValueError with the reason when the class refuses the name or does not answer."""
    from ..classroom.challenge import ChallengeRuleError, ChallengeSession
    from ..judging.replay import check_player

    def claim(name: str):
        player = check_player(name)  # ValueError says what a name may hold
        try:
            answer = client.join(url, code, player)
        except client.Unreachable as exc:
            raise ValueError(str(exc)) from None
        if answer.get("status") != "joined":
            raise ValueError(f"not joined: {answer.get('reason')}")
        slug = client.file_name(player)
        path = out or client.class_folder(url) / slug
        try:
            session = ChallengeSession.open(challenge, player, path)
        except ChallengeRuleError as exc:
            raise ValueError(str(exc)) from None
        session.on_saved = client.submit_hook(url, code)
        client.Outbox(url, code).flush()  # what an earlier game left unsent
        return session

    return claim


def cmd_join(args) -> int:
    from ..errors import UsageError
    from ..ui.app import make_app
    from .play import handin_text

    url = _url(args.url)
    code = _code(args, args.url)
    try:
        challenge = client.fetch_challenge(url, code)
    except client.Unreachable as exc:
        print(f"lrgame join: {exc}", file=sys.stderr)
        return 1
    claim = claimer(url, code, challenge)
    if args.player:
        try:
            session = claim(args.player)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        app = make_app(session=session)
    else:
        app = make_app(join=(challenge.title, claim))
    app.run()
    if app.session is not None:
        print(handin_text(app.session))
        _, waiting = client.Outbox(url, code).flush()
        if waiting:
            print(f"Some attempts are not sent yet ({waiting}): `lrgame join` again sends them.")
    return app.return_code or 0


def cmd_submit(args) -> int:
    """Exit 0 when the class accepts the file, 1 with the reason when it refuses."""
    from ..errors import UsageError
    from ..judging.replay import MAX_RESULT_BYTES, ResultError, read_result

    url = _url(args.to)
    code = _code(args, args.to)
    try:
        body = Path(args.file).read_bytes()[: MAX_RESULT_BYTES + 1]
        player = read_result(args.file).player
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror or exc}") from None
    except ResultError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    import secrets

    try:
        answer = client.send(url, code, player, secrets.token_urlsafe(12), body)
    except client.Unreachable as exc:
        print(f"{args.file}: not sent: {exc}", file=sys.stderr)
        return 1
    if answer.get("status") == "accepted":
        points = answer.get("total_score")  # the server's: a number, or not shown
        print(f"{args.file}: accepted ({points if type(points) is int else '?'} points)")
        return 0
    print(f"{args.file}: refused: {answer.get('reason')}", file=sys.stderr)
    return 1


def cmd_class_board(args) -> int:
    from ..ui.screens.class_board import BoardApp

    key = args.key or client.board_key_in(args.url)
    if not key:
        raise UsageError("the board key is needed: --key KEY (`lrgame class start` printed it)")
    BoardApp(_url(args.url), key.strip().upper()).run()
    return 0


def cmd_class_export(args) -> int:
    from ..classroom.grade import entries_json, write_csv
    from ..classroom.judge import export_entries
    from ..classroom.store import FILE_NAME
    from ..errors import UsageError

    if not (Path(args.dir) / FILE_NAME).is_file():
        raise UsageError(f"{args.dir}: not a class folder (no {FILE_NAME})")
    entries = export_entries(args.dir)
    if args.json:
        sys.stdout.write(json.dumps(entries_json(entries), indent=2, allow_nan=False) + "\n")
    else:
        write_csv(entries, sys.stdout)
    return 0


# -- lrgame class start ------------------------------------------------------------------


def _class_start(args) -> int:
    from ..classroom.challenge import load_challenge
    from ..classroom.server import ClassServer, new_board_key, new_code
    from ..classroom.store import ClassStore

    challenge = load_challenge(args.challenge)  # a LevelError exits 1 with its lines
    folder = Path(args.dir) if args.dir else Path(f"class-{Path(args.challenge).stem}")
    store = ClassStore(folder)
    try:
        held = store.meta("challenge_hash")
        if held is not None and held != challenge.hash:
            raise UsageError(
                f"{folder} holds a class of another challenge ({store.meta('title')!r}): "
                "choose another --dir"
            )
        code = (args.code or store.meta("code") or new_code()).strip().upper()
        if not code or not (code.isascii() and code.isalnum()) or len(code) > 40:
            raise UsageError("--code: letters and digits, at most 40")
        key = (args.board_key or store.meta("board_key") or new_board_key()).strip().upper()
        if not (key.isascii() and key.isalnum()) or not 8 <= len(key) <= 64:
            raise UsageError("--board-key: 8 to 64 letters and digits")
        if key == code:
            raise UsageError("--board-key: not the class code (the students have that)")
        store.set_meta("challenge_hash", challenge.hash)
        store.set_meta("title", challenge.title)
        store.set_meta("code", code)
        store.set_meta("board_key", key)
    finally:
        store.close()
    server = ClassServer(challenge, folder, code, key)
    try:
        asyncio.run(_serve(server, args.host, args.port))
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    return 0


async def _serve(server, host: str, port: int) -> None:
    from aiohttp import web

    from ..classroom.server import request_logger
    from ..serve import public_url

    runner = web.AppRunner(server.app(), access_log=None, logger=request_logger())
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # the port, when 0 asked for any
    url = public_url(host, bound)
    print(f"Class open: {server.challenge.title}", flush=True)
    print(f"  class code: {server.code}")
    print(f"  join:  lrgame join {url} --code {server.code} --player NAME")
    key = server.board_key
    print(f"  board (yours, not the students'): {url}/board?key={key}")
    print(f"         or   lrgame class board {url} --key {key}")
    print(f"  kept in {server.store.folder} (start again on it to go on); Ctrl+C stops", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print("  open to the network: anyone with the code can submit", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        server.pool.shutdown(wait=True)
        server.store.close()
        print("Class closed.", file=sys.stderr)
