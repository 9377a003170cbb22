"""The pre-loaded parent of ``lrgame serve``'s games: one import, a fork per visitor.

Starting a game from nothing costs a fresh interpreter importing Textual, numpy,
pydantic and the level models: over a second of CPU and ~110 MB a visitor, which a
class of thirty opening the page at once pays thirty times over on two cores. So the
server starts this process once. It imports all of that, then waits on a UNIX socket
in the server's private folder (0700). textual-serve still runs a command per visitor,
but that command is :mod:`lrgame.visitor`, a small client that hands its stdin, stdout
and stderr (the pipes to textual-serve) to this process with SCM_RIGHTS. The zygote
forks; the child takes the pipes as its own 0, 1 and 2, takes the visitor's
environment, and runs the game with a progress folder of its own
(:func:`lrgame.visitor.visitor_main`). The pages of the imported modules are shared
copy-on-write between the zygote and every game.

Lifetimes:

* a game ends as it always did: textual-serve tells it to quit when the visitor's
  websocket closes; the zygote collects it and tells its client, which then exits;
* a client that goes away first (killed) takes its game with it: the zygote sees
  the connection close and ends the game (SIGTERM, then SIGKILL);
* when the server goes (its end of the lifeline pipe closes, or SIGTERM), the
  zygote ends every game the same way and exits; each game also has the zygote's
  death as its parent-death signal (Linux), so none outlives a killed zygote.

    python -m lrgame.zygote SOCKET_PATH LIFELINE_FD READY_FD
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import selectors
import signal
import socket
import sys
import time

#: Environment variables Textual reads once, at import: a visitor whose values differ
#: from the zygote's cannot use its imports, and is told to start the game itself.
FIXED_AT_IMPORT = (
    "TEXTUAL_DRIVER",
    "TEXTUAL_FPS",
    "TEXTUAL_COLOR_SYSTEM",
    "TEXTUAL",
    "TEXTUAL_LOG",
    "TEXTUAL_DEBUG",
    "TEXTUAL_ANIMATIONS",
    "TEXTUAL_THEME",
)
#: Largest request a client may send (its environment, as JSON).
MAX_REQUEST = 1 << 20
#: Seconds between SIGTERM and SIGKILL when a game has to be ended.
GRACE = 3.0
PR_SET_PDEATHSIG = 1
#: How much lower a game's CPU priority is than the server's and this zygote's.
GAME_NICENESS = 5


def preload() -> None:
    """Import what every game needs, so each fork starts with it in memory."""
    import numpy  # noqa: F401
    import pydantic  # noqa: F401
    import textual.app  # noqa: F401
    import textual.drivers.web_driver  # noqa: F401

    from . import levels
    from .__main__ import build_parser
    from .ui import app  # noqa: F401  (the screens, widgets and charts)

    build_parser()
    levels.preload_shipped()  # every game loads the campaign's levels; par is found on play
    rehearse()
    import gc

    gc.collect()
    gc.freeze()  # the collector leaves the preloaded objects' pages alone in each child


def rehearse() -> None:
    """Play the way in once, headless: the title, Enter, the campaign. What Textual and
    Rich work out the first time (parsed styles, measured text) is then in memory
    before any game is forked. It runs in a folder of its own, removed after."""
    import asyncio
    import shutil
    import tempfile

    from .ui.app import make_app

    home = tempfile.mkdtemp(prefix="lrgame-rehearsal-")
    saved = os.environ.get("LRGAME_HOME")
    os.environ["LRGAME_HOME"] = home

    async def walk() -> None:
        app = make_app(None)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            for _ in range(100):
                await pilot.pause(0.02)
                if app.campaign_loaded() is not None:
                    break
            await pilot.pause()

    try:
        asyncio.run(walk())
    except Exception:  # a rehearsal only warms caches: the games do not depend on it
        pass
    finally:
        if saved is None:
            os.environ.pop("LRGAME_HOME", None)
        else:
            os.environ["LRGAME_HOME"] = saved
        shutil.rmtree(home, ignore_errors=True)


def _set_parent_death_signal(sig: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def _run_game(fds: list[int], env: dict[str, str]) -> int:
    """In the forked child: become the visitor's game process."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.environ.clear()
    os.environ.update(env)
    import numpy as np

    np.random.seed()  # a fork shares its parent's global random state; reseed it
    if GAME_NICENESS and os.environ.get("LRGAME_GAME_NICENESS") != "0":
        # The games yield to this zygote, the visitors' clients and the server: when a
        # class arrives at once, every game is forked first, then they share the CPU.
        with contextlib.suppress(OSError):
            os.nice(GAME_NICENESS)
    from .visitor import visitor_main

    return visitor_main()


class Zygote:
    def __init__(self, path: str, lifeline: int):
        self.path = path
        self.lifeline = lifeline
        self.sel = selectors.DefaultSelector()
        self.games: dict[int, socket.socket] = {}  # pid -> its client's connection
        self.ending: dict[int, float] = {}  # pid -> when SIGTERM was sent
        self.fixed = {k: os.environ.get(k) for k in FIXED_AT_IMPORT}
        self.stopping = False

    def listen(self) -> None:
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        os.chmod(self.path, 0o600)
        self.server.listen(128)
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        signal.set_wakeup_fd(self.wake_w.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGHUP, self._stop)
        self.sel.register(self.server, selectors.EVENT_READ, "accept")
        self.sel.register(self.wake_r, selectors.EVENT_READ, "wake")
        self.sel.register(self.lifeline, selectors.EVENT_READ, "lifeline")

    def _stop(self, *_):
        self.stopping = True

    # -- one visitor ---------------------------------------------------------------

    def accept(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        conn.settimeout(5)  # the client sends everything at once, right after connecting
        try:
            data, fds, _flags, _addr = socket.recv_fds(conn, MAX_REQUEST, 3)
        except OSError:
            conn.close()
            return
        try:
            env = json.loads(data)["env"]
        except (ValueError, TypeError, KeyError):
            env = None
        good = isinstance(env, dict) and len(fds) == 3
        if not good or not all(isinstance(v, str) for v in env.values()):
            return self._send_away(conn, fds, None)
        if any(env.get(k) != v for k, v in self.fixed.items()):
            return self._send_away(conn, fds, {"direct": True})  # another Textual set-up
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:  # no memory or no process to spare: the client tries itself
            return self._send_away(conn, fds, {"direct": True})
        if pid == 0:
            code = 1
            try:
                self._in_child()
                code = _run_game(fds, env)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        for fd in fds:
            os.close(fd)
        conn.setblocking(False)
        self.games[pid] = conn
        self.sel.register(conn, selectors.EVENT_READ, pid)
        self._reply(conn, {"pid": pid})

    def _send_away(self, conn: socket.socket, fds: list[int], reply: dict | None) -> None:
        """Fork nothing for this client: let go of its pipes, answer it, hang up."""
        for fd in fds:
            os.close(fd)
        if reply is not None:
            self._reply(conn, reply)
        conn.close()

    def _in_child(self) -> None:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        _set_parent_death_signal(signal.SIGTERM)
        if os.getppid() == 1:  # the zygote died before prctl: nobody will end us
            os._exit(1)
        self.sel.close()
        for s in (self.server, self.wake_r, self.wake_w, *self.games.values()):
            s.close()
        os.close(self.lifeline)

    @staticmethod
    def _reply(conn: socket.socket, message: dict) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps(message).encode() + b"\n")

    def client_gone(self, pid: int) -> None:
        """The client closed its connection while its game still runs: end the game."""
        conn = self.games.get(pid)
        if conn is not None:
            with contextlib.suppress(OSError):
                if conn.recv(1, socket.MSG_PEEK):
                    conn.recv(4096)  # a client sends nothing more; ignore it
                    return
            self.sel.unregister(conn)
            self.terminate(pid)

    def terminate(self, pid: int) -> None:
        if pid not in self.ending:
            self.ending[pid] = time.monotonic()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.ending.pop(pid, None)
            conn = self.games.pop(pid, None)
            if conn is None:
                continue
            with contextlib.suppress(KeyError, ValueError):
                self.sel.unregister(conn)
            conn.setblocking(True)
            conn.settimeout(1)
            self._reply(conn, {"exit": os.waitstatus_to_exitcode(status)})
            conn.close()

    def escalate(self) -> None:
        now = time.monotonic()
        for pid, since in list(self.ending.items()):
            if now - since > GRACE:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def serve(self) -> None:
        while not self.stopping:
            timeout = 0.5 if self.ending else None
            try:
                events = self.sel.select(timeout)
            except InterruptedError:
                continue
            for key, _ in events:
                try:
                    self.handle(key)
                except Exception:  # one visitor's trouble must not end everyone's game
                    import traceback

                    traceback.print_exc()
            self.reap()
            self.escalate()
        self.shutdown()

    def handle(self, key) -> None:
        """One ready socket: a visitor arriving, a signal, the server gone, a client gone."""
        if key.data == "accept":
            self.accept()
        elif key.data == "wake":
            with contextlib.suppress(OSError):
                while self.wake_r.recv(4096):
                    pass
        elif key.data == "lifeline":
            self.stopping = True
        else:
            self.client_gone(key.data)

    def shutdown(self) -> None:
        """End every game (SIGTERM, then SIGKILL after GRACE seconds) and wait for them."""
        with contextlib.suppress(OSError):
            self.server.close()
            os.unlink(self.path)
        for pid in list(self.games):
            self.terminate(pid)
        deadline = time.monotonic() + GRACE + 2
        while self.games and time.monotonic() < deadline:
            self.reap()
            self.escalate()
            time.sleep(0.05)
        for pid in list(self.games):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            while self.games:
                pid, _ = os.waitpid(-1, 0)
                self.games.pop(pid, None)


def main(argv: list[str]) -> int:
    path, lifeline, ready = argv[0], int(argv[1]), int(argv[2])
    zygote = Zygote(path, lifeline)
    try:
        preload()
        zygote.listen()
    except BaseException:
        os.close(ready)  # the server sees no "ready" and runs games itself
        raise
    with contextlib.suppress(OSError):
        os.write(ready, b"ready\n")
    os.close(ready)
    try:
        zygote.serve()
    except OSError as exc:
        if exc.errno != errno.EINTR:
            raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
