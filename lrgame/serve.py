"""``lrgame serve``: the game in a browser, through textual-serve.

Every browser tab that presses Start gets its own game process **on this machine**,
talking to the page over a websocket. Each visitor's game keeps its progress in a
fresh folder of its own (removed when the server stops), so visitors never see or
change each other's progress, nor the progress of whoever runs the server.

The games are forked from one pre-loaded process, the zygote (:mod:`lrgame.zygote`),
so a visitor does not pay for a fresh interpreter importing Textual, numpy and
pydantic: textual-serve's command per visitor is the small client
:mod:`lrgame.visitor`, which hands its pipes to the zygote. Without a zygote (it
failed to start) each visitor's client runs the game itself, as before.

By default the server listens on 127.0.0.1 (this machine only). See docs/classroom.md
for a classroom network.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .visitor import SERVE_CLASS_ENV, SERVE_ROOT_ENV, SOCKET_ENV, visitor_main

TITLE = "lrgame"


def visitor_command() -> str:
    """The shell command textual-serve runs for each visitor."""
    return f"{shlex.quote(sys.executable)} -m lrgame.visitor"


#: Seconds the server waits for the zygote to import everything before it serves anyway.
ZYGOTE_START_SECONDS = 60.0


def game_environment() -> dict[str, str]:
    """The environment textual-serve gives a visitor's command (Textual reads some of it
    at import, so the zygote must import under the same values)."""
    from textual_serve.app_service import AppService

    env = AppService._build_environment(_NoDebug())
    for per_visitor in ("COLUMNS", "ROWS"):
        env.pop(per_visitor, None)
    return env


class _NoDebug:
    debug = False


class Zygote:
    """The pre-loaded process games are forked from, started and stopped with the server."""

    def __init__(self, root: str):
        self.path = os.path.join(root, "zygote.sock")  # root is mkdtemp's: 0700
        lifeline_r, self.lifeline = os.pipe()  # its end closes when the server goes
        ready_r, ready_w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lrgame.zygote", self.path, str(lifeline_r), str(ready_w)],
            pass_fds=(lifeline_r, ready_w),
            stdin=subprocess.DEVNULL,
            env=game_environment(),
        )
        os.close(lifeline_r)
        os.close(ready_w)
        self.ready = self._wait_ready(ready_r)

    def _wait_ready(self, fd: int) -> bool:
        import select

        try:
            end = time.monotonic() + ZYGOTE_START_SECONDS
            data = b""
            while b"\n" not in data and time.monotonic() < end:
                if select.select([fd], [], [], max(0.0, end - time.monotonic()))[0]:
                    chunk = os.read(fd, 64)
                    if not chunk:
                        break
                    data += chunk
            return data.startswith(b"ready")
        finally:
            os.close(fd)

    def stop(self) -> None:
        os.close(self.lifeline)  # the zygote ends its games, then itself
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


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


#: The monospace font textual-serve ships in its static folder (served at /static/fonts/).
FONT_FILE = "RobotoMono-VariableFont_wght.ttf"
_EXTERNAL_STYLESHEET = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']https?://[^\"']*[\"'][^>]*>", re.IGNORECASE
)


def offline_page(template: str) -> str:
    """textual-serve's page with its web-font stylesheet (a font service on the internet)
    swapped for the same font served by this server: a classroom network without
    internet still gets the terminal's font."""
    font = "{{ config.static.url }}fonts/" + FONT_FILE
    local = (
        f'<link rel="preload" href="{font}" as="font" type="font/ttf" crossorigin />\n'
        "    <style>\n"
        "      @font-face {\n"
        '        font-family: "Roboto Mono";\n'
        f'        src: url("{font}") format("truetype");\n'
        "        font-weight: 100 700;\n"
        "      }\n"
        "    </style>"
    )
    page = _EXTERNAL_STYLESHEET.sub("", template)
    return page.replace("</head>", f"  {local}\n  </head>", 1)


def write_templates(root: str) -> str:
    """A templates folder in ``root`` holding the offline page; its path."""
    import textual_serve

    source = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    folder = Path(root) / "templates"
    folder.mkdir(mode=0o700)
    (folder / "app_index.html").write_text(offline_page(source.read_text("utf-8")), "utf-8")
    return str(folder)


def cmd_serve(args) -> int:
    from .errors import UsageError

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
    # Until textual-serve takes SIGTERM over, it still unwinds through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    zygote = None
    try:
        zygote = Zygote(root)
        if zygote.ready:
            os.environ[SOCKET_ENV] = zygote.path
        else:
            print("lrgame: the game could not be pre-loaded; each visitor starts it afresh",
                  file=sys.stderr)  # fmt: skip
        print(f"lrgame: serving the game at {url}  (Ctrl+C stops it)", file=sys.stderr)
        if args.host in ("127.0.0.1", "localhost", "::1"):
            print("  only this machine can connect; see docs/classroom.md to open it to a class",
                  file=sys.stderr)  # fmt: skip
        else:
            print(
                "  every visitor who presses Start runs a game process on this machine",
                file=sys.stderr,
            )
        Server(
            command=visitor_command(),
            host=args.host,
            port=args.port,
            title=TITLE,
            public_url=url,
            templates_path=write_templates(root),
        ).serve()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    finally:
        if zygote is not None:
            zygote.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _class_code_in(url: str) -> str | None:
    from .classroom.client import code_in

    return code_in(url)


if __name__ == "__main__":
    sys.exit(visitor_main())
