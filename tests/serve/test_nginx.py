"""Past one machine: docs/nginx/lrgame.conf in front of two `lrgame serve` hosts.

Everything runs on loopback: two servers on free ports, and nginx as a foreground
child of this test (``master_process off``, its own ``-p`` prefix in the test's folder,
never the system's service) running the shipped file with its two upstream addresses
and its port swapped for the test's. A player loads the page through nginx and plays
the way in (title, Enter, campaign) over the websocket nginx upgrades; the game runs
on the host that served the page (the cookie's affinity), and page loads spread over
both hosts. Every process is ended, with its group, on every way out.
"""

import asyncio
import contextlib
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import descendants, started

pytestmark = pytest.mark.slow

CONF = Path(__file__).resolve().parents[2] / "docs" / "nginx" / "lrgame.conf"
START_SECONDS = 60  # hang guards: each starts in a few seconds
PLAY_SECONDS = 90


def _nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback_config(text: str, port: int, upstreams: list[int]) -> str:
    """The shipped file with loopback addresses: its upstream servers and its listen port."""
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in upstreams)
    text, n = re.subn(r"(?m)^(    server \S+;\n)+", servers, text)
    assert n == 1, "the upstream's server lines were not found"
    text, n = re.subn(r"(?m)^    listen 80;$", f"    listen 127.0.0.1:{port};", text)
    assert n == 1, "the listen line was not found"
    return text


def main_config(prefix: Path, site: Path) -> str:
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "daemon off;\nmaster_process off;\n"
        f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {prefix / 'access.log'};\n{temp}"
        f"    include {site};\n"
        "}\n"
    )


def _get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8"), response.headers


def _wait_for(url: str, procs) -> None:
    end = time.monotonic() + START_SECONDS
    while True:
        try:
            _get(url)
            return
        except OSError:
            dead = [p.args for p in procs if p.poll() is not None]
            assert not dead and time.monotonic() < end, f"did not answer: {dead or url}"
            time.sleep(0.2)


async def _play(ws_url: str, cookie: str) -> bytes:
    import aiohttp

    seen = b""

    async def until(ws, mark: bytes) -> None:
        nonlocal seen
        end = time.monotonic() + PLAY_SECONDS
        while mark not in seen:
            msg = await ws.receive(timeout=max(0.1, end - time.monotonic()))
            assert msg.type == aiohttp.WSMsgType.BINARY, (msg.type, seen[-300:])
            seen += msg.data

    async with (
        aiohttp.ClientSession(headers={"Cookie": cookie}) as http,
        http.ws_connect(f"{ws_url}?width=100&height=32", max_msg_size=0) as ws,
    ):
        await ws.send_str(json.dumps(["resize", {"width": 100, "height": 32}]))
        await until(ws, b"a game about the learning rate")
        await ws.send_str(json.dumps(["stdin", "\r"]))
        await until(ws, b"The slope")
    return seen


def _games(server_pid: int) -> int:
    """Game processes under one `lrgame serve`: the zygote's children."""
    found = descendants(server_pid)
    zygotes = [pid for pid, cmd in found.items() if "-m lrgame.zygote" in cmd]
    return sum(len(descendants(z)) for z in zygotes)


def test_two_hosts_behind_nginx_play_a_session(tmp_path):
    binary = _nginx()
    if binary is None:
        pytest.skip("nginx not found (apt-get install nginx): this test runs the shipped config")
    front = free_port()
    backs = [free_port(), free_port()]
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    site = prefix / "lrgame.conf"
    site.write_text(loopback_config(CONF.read_text(), front, backs))
    (prefix / "nginx.conf").write_text(main_config(prefix, site))
    public = f"http://127.0.0.1:{front}"
    with contextlib.ExitStack() as stack:
        one, two = (
            stack.enter_context(
                started(
                    [sys.executable, "-m", "lrgame", "serve", "--port", str(port)]
                    + ["--public-url", public],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    cwd=tmp_path,
                )
            )
            for port in backs
        )
        proxy = stack.enter_context(
            started(
                [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        hosts = {f"127.0.0.1:{backs[0]}": one, f"127.0.0.1:{backs[1]}": two}
        for port in backs:
            _wait_for(f"http://127.0.0.1:{port}/", [one, two])
        _wait_for(f"{public}/", [proxy])

        # page loads spread over both hosts, each with its own affinity cookie
        served: dict[str, str] = {}
        for _ in range(20):
            page, headers = _get(f"{public}/")
            cookie = headers["Set-Cookie"].split(";")[0]
            served.setdefault(headers["X-Lrgame-Host"], cookie)
        assert set(served) == set(hosts), served

        # the page sends its websocket through nginx
        ws_url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
        assert ws_url == f"ws://127.0.0.1:{front}/ws"

        host, cookie = sorted(served.items())[0]
        _, again = _get(f"{public}/", cookie)
        assert again["X-Lrgame-Host"] == host  # the cookie keeps the browser on its host

        # a session through nginx: the game runs on the host of the page
        result: dict = {}

        async def play_and_look() -> None:
            task = asyncio.create_task(_play(ws_url, cookie))
            while not task.done():
                result[host] = max(result.get(host, 0), _games(hosts[host].pid))
                other = next(h for h in hosts if h != host)
                result[other] = max(result.get(other, 0), _games(hosts[other].pid))
                await asyncio.sleep(0.1)
            result["seen"] = await task

        asyncio.run(play_and_look())
        assert b"The slope" in result["seen"]
        assert result[host] == 1 and result[next(h for h in hosts if h != host)] == 0, result
        assert proxy.poll() is None, proxy.stderr.read().decode()[-2000:]
