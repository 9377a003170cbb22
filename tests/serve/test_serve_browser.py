"""`lrgame serve` in a real headless browser: the page, its terminal, its websocket, and
the game shown in its own font with no network. In a module of its own, so that the
slow browser runs share the machine with the other serve tests instead of following
them.
"""

import asyncio
import base64
import json
import re
import shutil
import subprocess
import time

import pytest

from tests.processes import started
from tests.serve.servers import BROWSER_SECONDS, _fetch, _wait


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # the network is closed: no host but this machine resolves
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def run_browser(binary: str, folder, *args: str) -> subprocess.CompletedProcess:
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={folder / 'profile'}", "--virtual-time-budget=5000"]
    # chromium's helpers are in its process group too, and end with it
    with started(
        [binary, *flags, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        out, err = proc.communicate(timeout=BROWSER_SECONDS)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.slow
def test_a_headless_browser_loads_the_game(server):
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium not found (apt-get install chromium): this test needs a real browser")
    folder = server["folder"]
    dom = run_browser(binary, folder, "--dump-dom", server["url"])
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "<div>lrgame</div>" in html
    assert "textual-terminal" in html and "xterm-screen" in html  # the page's script ran

    shot = folder / "page.png"
    png = run_browser(
        binary, folder, "--window-size=1000,700", f"--screenshot={shot}", server["url"]
    )
    assert png.returncode == 0, png.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The page opened its websocket: textual-serve answered 101 and started a game for it.
    log = server["log"].read_text()
    assert re.search(r"GET /ws\?.*?HTTP/1\.1\W+101\b", log, re.S), log
    # with the network closed, the terminal's font came from this server
    assert re.search(r"GET /static/fonts/RobotoMono\S*\.ttf HTTP/1\.1\W+200\b", log), log


def _devtools(binary: str, folder, url: str, script) -> None:
    """Chromium, network closed, driven over its DevTools websocket by ``script(call)``,
    where ``call(method, **params)`` sends one DevTools command and returns its result."""
    import aiohttp

    profile = folder / "profile-devtools"
    flags = [
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--window-size=1000,700",
    ]
    with started([binary, *flags, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        port_file = profile / "DevToolsActivePort"
        assert _wait(port_file.exists, BROWSER_SECONDS), "chromium did not open DevTools"
        _wait(lambda: len(port_file.read_text().split()) >= 2, 10)
        port = port_file.read_text().split()[0]
        targets = []
        end = time.monotonic() + BROWSER_SECONDS
        while not targets and time.monotonic() < end:
            targets = [
                t
                for t in json.loads(_fetch(f"http://127.0.0.1:{port}/json/list"))
                if t.get("type") == "page"
            ]
            time.sleep(0.2)
        assert targets, "chromium opened no page"

        async def drive() -> None:
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws,
            ):
                ids = iter(range(1, 10**6))

                async def call(method: str, **params):
                    n = next(ids)
                    await ws.send_json({"id": n, "method": method, "params": params})
                    while True:
                        msg = await ws.receive_json(timeout=BROWSER_SECONDS)
                        if msg.get("id") == n:
                            assert "error" not in msg, msg
                            return msg["result"]

                await script(call)

        asyncio.run(asyncio.wait_for(drive(), 3 * BROWSER_SECONDS))


@pytest.mark.slow
def test_with_no_network_the_game_shows_in_its_own_font(server):
    """The page in a browser that can reach no host but this one: the game's first bytes
    arrive, the terminal's font is the one this server sent, and a screenshot is kept
    (page-offline.png in the test's folder) for a person to look at."""
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium not found (apt-get install chromium): this test needs a real browser")
    found = {}

    async def script(call) -> None:
        async def value(expression: str):
            result = await call("Runtime.evaluate", expression=expression, awaitPromise=True)
            return result["result"].get("value")

        end = time.monotonic() + BROWSER_SECONDS
        while time.monotonic() < end:
            if await value("document.body.classList.contains('-first-byte')"):
                break
            await asyncio.sleep(0.2)
        found["first_byte"] = await value("document.body.classList.contains('-first-byte')")
        await asyncio.sleep(2)  # let the title finish painting
        found["font"] = await value(
            "document.fonts.ready.then(() => document.fonts.check('16px \"Roboto Mono\"') &&"
            " [...document.fonts].some(f => f.family.includes('Roboto Mono')"
            " && f.status === 'loaded'))"
        )
        shot = await call("Page.captureScreenshot", format="png")
        found["png"] = base64.b64decode(shot["data"])

    _devtools(binary, server["folder"], server["url"], script)
    assert found["first_byte"], "the game sent nothing to the page"
    assert found["font"] is True, "the terminal's font did not load"
    assert found["png"][:8] == b"\x89PNG\r\n\x1a\n"
    (server["folder"] / "page-offline.png").write_bytes(found["png"])
