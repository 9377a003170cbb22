"""``lrgame serve``: the game in a browser, through textual-serve.

Every browser tab that presses Start gets its own game process **on this machine**,
talking to the page over a websocket. Each visitor's game keeps its progress in a
fresh folder of its own (removed when the server stops), so visitors never see or
change each other's progress, nor the progress of whoever runs the server.

By default the server listens on 127.0.0.1 (this machine only). See docs/classroom.md
for a classroom network.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import shutil
import socket
import sys
import tempfile

#: Set by the server for its visitors: the folder their progress folders are made in.
SERVE_ROOT_ENV = "LRGAME_SERVE_ROOT"
#: Set by ``lrgame serve --class URL --code CODE``: each visitor joins that live class.
SERVE_CLASS_ENV = "LRGAME_SERVE_CLASS"
TITLE = "lrgame"


def visitor_command() -> str:
    """The shell command textual-serve runs for each visitor."""
    return f"{shlex.quote(sys.executable)} -m lrgame.serve"


def guess_lan_address() -> str | None:
    """This machine's address on its network, as other machines would reach it, if known."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP sends nothing
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def public_url(host: str, port: int, given: str | None = None) -> str:
    """The URL browsers load. The page tells them where its websocket is from this URL,
    so it must be an address they can reach: 0.0.0.0 is not one."""
    if given:
        return given.rstrip("/")
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = guess_lan_address() or "127.0.0.1"
    try:
        if ipaddress.ip_address(shown).version == 6:
            shown = f"[{shown}]"
    except ValueError:
        pass  # a host name
    return f"http://{shown}:{port}"


def cmd_serve(args) -> int:
    from .cli import UsageError

    if not 1 <= args.port <= 65535:
        raise UsageError("--port must be from 1 to 65535")
    url = public_url(args.host, args.port, args.public_url)
    try:
        from textual_serve.server import Server
    except ImportError:  # pragma: no cover - a dependency of lrgame
        raise UsageError("textual-serve is not installed (pip install textual-serve)") from None
    if getattr(args, "class_url", None):
        code = args.code or _class_code_in(args.class_url)
        if not code:
            raise UsageError("--class needs the class's --code")
        os.environ[SERVE_CLASS_ENV] = json.dumps([args.class_url, code])
    root = tempfile.mkdtemp(prefix="lrgame-serve-")
    os.environ[SERVE_ROOT_ENV] = root  # visitors inherit the server's environment
    print(f"lrgame: serving the game at {url}  (Ctrl+C stops it)", file=sys.stderr)
    if args.host in ("127.0.0.1", "localhost", "::1"):
        print("  only this machine can connect; see docs/classroom.md to open it to a class",
              file=sys.stderr)  # fmt: skip
    else:
        print(
            "  every visitor who presses Start runs a game process on this machine",
            file=sys.stderr,
        )
    try:
        Server(
            command=visitor_command(), host=args.host, port=args.port, title=TITLE, public_url=url
        ).serve()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def visitor_main() -> int:
    """One visitor's game, with progress in a folder of its own."""
    root = os.environ.get(SERVE_ROOT_ENV)
    home = tempfile.mkdtemp(prefix="visitor-", dir=root if root and os.path.isdir(root) else None)
    os.environ["LRGAME_HOME"] = home
    try:
        from .__main__ import main

        return main(visitor_argv())
    finally:
        shutil.rmtree(home, ignore_errors=True)


def visitor_argv() -> list[str]:
    """The game (``[]``), or, for a live class, ``join URL --code CODE`` (it asks a name)."""
    live = os.environ.get(SERVE_CLASS_ENV)
    if not live:
        return []
    url, code = json.loads(live)
    return ["join", url, "--code", code]


def _class_code_in(url: str) -> str | None:
    from .classroom.client import code_in

    return code_in(url)


if __name__ == "__main__":
    sys.exit(visitor_main())
