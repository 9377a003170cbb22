"""`lrgame serve`: a real server on a free loopback port, and a real headless browser.

The browser test sees textual-serve's page for lrgame, its terminal built by the
page's script, and the websocket that starts a game process for the visitor. What
that game draws (the title screen) is painted on a canvas, so the DOM cannot show
it; the screenshot is kept in the test's folder for a person to look at.
"""

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from lrgame import serve, visitor
from lrgame.__main__ import main
from tests.processes import command_line, descendants, started
from tests.serve.servers import BROWSER_SECONDS, SERVER_START_SECONDS, _fetch, _wait, free_port


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
    monkeypatch.setenv(visitor.SERVE_ROOT_ENV, str(root))
    seen = []

    def fake_main(argv):
        home = os.environ["LRGAME_HOME"]
        seen.append((argv, home, os.path.isdir(home)))
        return 0

    monkeypatch.setattr(lrgame.__main__, "main", fake_main)
    assert visitor.visitor_main() == 0 and visitor.visitor_main() == 0
    (argv, home1, existed), (_, home2, _) = seen
    assert argv == [] and existed and home1 != home2
    assert os.path.dirname(home1) == str(root)
    assert not os.path.exists(home1)  # removed when the visitor's game ends
    assert "-m lrgame.visitor" in serve.visitor_command()


def test_with_no_zygote_to_reach_the_visitor_s_client_runs_the_game_itself(tmp_path, monkeypatch):
    from lrgame import visitor

    ran = []
    monkeypatch.setattr(visitor, "visitor_main", lambda: ran.append(1) or 0)
    monkeypatch.delenv(visitor.SOCKET_ENV, raising=False)
    assert visitor.main() == 0
    monkeypatch.setenv(visitor.SOCKET_ENV, str(tmp_path / "gone.sock"))
    monkeypatch.setattr(visitor, "CONNECT_SECONDS", 0.2)
    assert visitor.main() == 0
    assert ran == [1, 1]


def test_preloaded_levels_are_handed_out_while_their_file_is_unchanged(tmp_path, monkeypatch):
    from lrgame import levels
    from lrgame.levels import campaign, registry  # where the shipped levels are found

    shutil.copytree(levels.levels_dir(), tmp_path / "levels")
    monkeypatch.setattr(registry, "levels_dir", lambda: tmp_path / "levels")
    monkeypatch.setattr(campaign, "_PRELOADED", {})
    first = levels.campaign_ids()[0][1]
    assert levels.load_shipped(first) is not levels.load_shipped(first)  # nothing preloaded
    levels.preload_shipped(par=False)
    kept = levels.load_shipped(first)
    assert kept is levels.load_shipped(first)
    path = levels.shipped_path(first)
    path.write_text(path.read_text().replace("title:", "title: Changed", 1))
    changed = levels.load_shipped(first)
    assert changed is not kept and changed.title.startswith("Changed")


GOOGLE_PAGE = """<html><head>
<link rel="stylesheet" href="{{ config.static.url }}css/xterm.css" />
<link
  rel="stylesheet"
  href="https://fonts.googleapis.com/css?family=Roboto%20Mono"
/>
</head><body></body></html>"""


def test_the_page_s_web_font_link_becomes_the_font_served_here():
    page = serve.offline_page(GOOGLE_PAGE)
    assert "googleapis" not in page and "https://" not in page
    assert 'href="{{ config.static.url }}css/xterm.css"' in page  # local links stay
    font = "{{ config.static.url }}fonts/" + serve.FONT_FILE
    assert f'src: url("{font}")' in page and 'font-family: "Roboto Mono"' in page
    assert page.index("@font-face") < page.index("</head>")


def test_bad_port_is_a_usage_error(capsys):
    assert main(["serve", "--port", "0"]) == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err


# -- a real server ------------------------------------------------------------------------


def test_the_server_answers_on_loopback_with_the_game_s_page(server):
    page = server["page"]
    assert "<div>lrgame</div>" in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{server["port"]}/ws"' in page
    assert 'class="textual-terminal"' in page


def _references(text: str) -> list[str]:
    """Every absolute http(s) address the page or a stylesheet would fetch: not the
    ones in CSS comments, nor an XML namespace (xmlns names, it is never fetched)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"""\bxmlns(:\w+)?\s*=\s*["'][^"']*["']""", "", text)
    return re.findall(r"https?://[^\s\"')>]+", text)


def test_the_page_and_its_styles_reference_no_other_host(server):
    """An offline classroom: everything the page loads comes from this server."""
    page = server["page"]
    here = f"127.0.0.1:{server['port']}"
    sheets = re.findall(r"""<link\b[^>]*href=["']([^"']+\.css)["']""", page)
    assert sheets, page
    texts = [page] + [_fetch(url).decode("utf-8") for url in sheets]
    for text in texts:
        for address in _references(text):
            assert address.split("/")[2] == here, address
    font = re.search(r'url\("([^"]+\.ttf)"\)', page).group(1)
    assert _fetch(font)[:4] == b"\x00\x01\x00\x00"  # a TrueType font, from this server


def _zygote_and_games(server_pid: int) -> tuple[int, list[int]]:
    found = descendants(server_pid)
    zygote = next(pid for pid, cmd in found.items() if "-m lrgame.zygote" in cmd)
    return zygote, [pid for pid in descendants(zygote)]


async def _open_game(ws_url: str):
    import aiohttp

    http = aiohttp.ClientSession()
    ws = await http.ws_connect(f"{ws_url}?width=100&height=32", max_msg_size=0)
    await ws.send_str(json.dumps(["resize", {"width": 100, "height": 32}]))
    seen = b""
    end = time.monotonic() + BROWSER_SECONDS
    while b"learning rate" not in seen and time.monotonic() < end:
        msg = await ws.receive(timeout=BROWSER_SECONDS)
        if msg.type != aiohttp.WSMsgType.BINARY:
            break
        seen += msg.data
    return http, ws, seen


def test_a_game_ends_when_its_visitor_leaves_or_its_client_is_killed(server):
    ws_url = f"ws://127.0.0.1:{server['port']}/ws"

    async def visit(kill_client: bool) -> None:
        http, ws, seen = await _open_game(ws_url)
        try:
            assert b"learning rate" in seen
            zygote, games = _zygote_and_games(server["pid"])
            assert len(games) == 1, games  # forked from the zygote, not started afresh
            if kill_client:
                client = next(
                    pid
                    for pid, cmd in descendants(server["pid"]).items()
                    if "-m lrgame.visitor" in cmd
                )
                os.kill(client, signal.SIGKILL)
            else:
                await ws.close()
            gone = await asyncio.to_thread(_wait, lambda: not descendants(zygote))
            assert gone, descendants(zygote)
        finally:
            await ws.close()
            await http.close()

    asyncio.run(visit(kill_client=False))
    asyncio.run(visit(kill_client=True))


def test_the_zygote_sends_a_visitor_with_another_textual_set_up_to_start_afresh(server):
    """Textual reads its set-up at import: a visitor whose set-up differs from the
    zygote's is told to start its own game, and nothing is forked for it; a malformed
    request is hung up on."""
    zygote = next(
        pid for pid, cmd in descendants(server["pid"]).items() if "-m lrgame.zygote" in cmd
    )
    path = Path(f"/proc/{zygote}/cmdline").read_bytes().split(b"\0")[3].decode()
    assert oct(os.stat(os.path.dirname(path)).st_mode & 0o777) == "0o700"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as junk:  # no pipes, no JSON
        junk.settimeout(30)
        junk.connect(path)
        junk.sendall(b"\x00not a request")
        assert junk.recv(100) == b""  # hung up on, and the zygote serves on:
    env = dict(os.environ, TEXTUAL_DRIVER="some.other:Driver")
    r, w = os.pipe()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(path)
            socket.send_fds(sock, [json.dumps({"env": env}).encode()], [r, w, w])
            reply = sock.makefile("rb").readline()
    finally:
        os.close(r), os.close(w)
    assert json.loads(reply) == {"direct": True}
    assert not descendants(zygote)


def test_a_killed_server_s_zygote_ends_its_games_and_itself(tmp_path):
    """SIGKILL to the server alone (no chance to clean up): the zygote sees its lifeline
    close, ends the game it forked, and exits."""
    port = free_port()
    env = dict(os.environ, LRGAME_HOME=str(tmp_path / "home"))
    with started(
        [sys.executable, "-m", "lrgame", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    ) as proc:
        assert _wait(lambda: _answers(f"http://127.0.0.1:{port}/"), SERVER_START_SECONDS)

        async def open_then_kill() -> tuple[int, list[int]]:
            http, ws, seen = await _open_game(f"ws://127.0.0.1:{port}/ws")
            try:
                assert b"learning rate" in seen
                zygote, games = _zygote_and_games(proc.pid)
                assert games
                os.kill(proc.pid, signal.SIGKILL)
                return zygote, games
            finally:
                await http.close()

        zygote, games = asyncio.run(open_then_kill())
        gone = _wait(lambda: not any(_alive(p) for p in [zygote, *games]))
        assert gone, [command_line(p) for p in [zygote, *games] if _alive(p)]


def _answers(url: str) -> bool:
    try:
        _fetch(url)
    except OSError:
        return False
    return True


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be collected."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")
