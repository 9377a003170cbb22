"""`lrgame serve`: a real server on a free loopback port, and a real headless browser.

The browser test sees textual-serve's page for lrgame, its terminal built by the
page's script, and the websocket that starts a game process for the visitor. What
that game draws (the title screen) is painted on a canvas, so the DOM cannot show
it; the screenshot is kept in the test's folder for a person to look at.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from lrgame import serve
from lrgame.__main__ import main
from tests.processes import started

SERVER_START_SECONDS = 30
BROWSER_SECONDS = 90


def test_public_url_is_an_address_browsers_can_reach(monkeypatch):
    assert serve.public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert serve.public_url("::1", 8001) == "http://[::1]:8001"
    assert serve.public_url("0.0.0.0", 80, "https://class.example.org/") == (
        "https://class.example.org"
    )
    monkeypatch.setattr(serve, "guess_lan_address", lambda: "10.1.2.3")
    assert serve.public_url("0.0.0.0", 8000) == "http://10.1.2.3:8000"
    monkeypatch.setattr(serve, "guess_lan_address", lambda: None)
    assert serve.public_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"


def test_each_visitor_gets_a_progress_folder_of_its_own(tmp_path, monkeypatch):
    import lrgame.__main__

    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setenv(serve.SERVE_ROOT_ENV, str(root))
    seen = []

    def fake_main(argv):
        home = os.environ["LRGAME_HOME"]
        seen.append((argv, home, os.path.isdir(home)))
        return 0

    monkeypatch.setattr(lrgame.__main__, "main", fake_main)
    assert serve.visitor_main() == 0 and serve.visitor_main() == 0
    (argv, home1, existed), (_, home2, _) = seen
    assert argv == [] and existed and home1 != home2
    assert os.path.dirname(home1) == str(root)
    assert not os.path.exists(home1)  # removed when the visitor's game ends
    assert "-m lrgame.visitor" in serve.visitor_command()


def test_bad_port_is_a_usage_error(capsys):
    assert main(["serve", "--port", "0"]) == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err


# -- a real server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = dict(os.environ, LRGAME_HOME=str(folder / "home"), PYTHONUNBUFFERED="1")
    url = f"http://127.0.0.1:{port}/"
    # Its own process group: leaving the block ends it and every game it started.
    with (
        open(folder / "server.log", "w") as log,
        started(
            [sys.executable, "-m", "lrgame", "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        ) as proc,
    ):
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        f"lrgame serve did not answer: {(folder / 'server.log').read_text()}"
                    )
                time.sleep(0.2)
        yield {
            "url": url,
            "port": port,
            "page": page,
            "folder": folder,
            "log": folder / "server.log",
        }


def test_the_server_answers_on_loopback_with_the_game_s_page(server):
    page = server["page"]
    assert "<div>lrgame</div>" in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{server["port"]}/ws"' in page
    assert 'class="textual-terminal"' in page


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_browser(binary: str, folder, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={folder / 'profile'}",
        "--virtual-time-budget=5000",
    ]
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
