"""The command textual-serve runs for each visitor of ``lrgame serve``: a small client.

It imports next to nothing. It connects to the server's zygote (:mod:`lrgame.zygote`),
hands over its stdin, stdout and stderr and its environment, and waits: the game runs
in a process the zygote forks, talking to textual-serve over those pipes. When the game
ends, the zygote sends its exit code and this client exits with it. With no zygote
to reach (none was started, or it cannot serve this visitor) it runs the game itself.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
import time

#: Set by the server: the zygote's socket, in the server's private folder.
SOCKET_ENV = "LRGAME_ZYGOTE_SOCKET"
#: The server sets SOCKET_ENV only once the zygote listens, so a socket that refuses
#: for this long means the zygote is gone: the game then starts here.
CONNECT_SECONDS = 2.0
#: Set by the server for its visitors: the folder their progress folders are made in.
SERVE_ROOT_ENV = "LRGAME_SERVE_ROOT"
#: Set by ``lrgame serve --class URL --code CODE``: each visitor joins that live class.
SERVE_CLASS_ENV = "LRGAME_SERVE_CLASS"


def _connect(path: str) -> socket.socket | None:
    end = time.monotonic() + CONNECT_SECONDS
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() > end:
                return None
            time.sleep(0.05)
        except OSError:
            sock.close()
            return None


def _direct() -> int:
    return visitor_main()


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


def main() -> int:
    path = os.environ.get(SOCKET_ENV)
    sock = _connect(path) if path else None
    if sock is None:
        return _direct()
    with sock:
        env = {k: v for k, v in os.environ.items() if k != SOCKET_ENV}
        socket.send_fds(sock, [json.dumps({"env": env}).encode()], [0, 1, 2])
        reader = sock.makefile("rb")
        first = reader.readline()
        try:
            reply = json.loads(first)
        except ValueError:
            return 1  # the zygote went away before it took the visitor
        if reply.get("direct"):
            return _direct()
        # The game holds the pipes now; let go of ours, so that textual-serve sees the
        # end of its output when the game ends, not when this client does.
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        try:
            done = json.loads(reader.readline() or b"{}")
        except ValueError:
            done = {}
        code = done.get("exit", 1)
        return code if isinstance(code, int) and code >= 0 else 1


if __name__ == "__main__":
    sys.exit(main())
