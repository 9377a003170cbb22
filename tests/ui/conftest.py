"""Every UI test gets its own progress directory, a fixed theme and no blinking cursor."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from lrgame.ui.app import LrGameApp, make_app

LEVELS = Path(__file__).parent / "levels"
THEME = "textual-dark"
SIZE = (100, 32)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests in a fresh event loop (no async plugin needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
        return True
    return None


@pytest.fixture(autouse=True)
def lrgame_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "lrgame-home"
    monkeypatch.setenv("LRGAME_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


def game(level=None, **kw) -> LrGameApp:
    """The app as the CLI builds it, made steady for tests."""
    return make_app(level, cursor_blink=False, theme=THEME, **kw)


async def settle(pilot) -> None:
    """Let workers (level loading, par, the diagnosis) finish and the screen repaint."""
    await pilot.pause()
    await workers_done(pilot.app)
    await pilot.pause()
    await workers_done(pilot.app)
    await pilot.pause()
    await wait_for(pilot, lambda: not diagnosing(pilot.app))
    await workers_done(pilot.app)
    await pilot.pause()


async def workers_done(app) -> None:
    """Wait for the app's workers. One cancelled meanwhile is done too: an exclusive
    worker (a level file's poll) cancels the one before it, which may not have returned
    yet on a busy machine. A worker that failed still fails the test."""
    from textual.worker import WorkerCancelled

    for outcome in await asyncio.gather(*(w.wait() for w in app.workers), return_exceptions=True):
        if isinstance(outcome, BaseException) and not isinstance(
            outcome, (WorkerCancelled, asyncio.CancelledError)
        ):
            raise outcome


def diagnosing(app) -> bool:
    """A board's diagnosis is still being worked out (it waits for the keys to rest)."""
    from lrgame.ui.widgets.diagnosis_view import DiagnosisView

    return any(v.pending for v in app.screen.query(DiagnosisView))


async def type_lr(pilot, text: str) -> None:
    await pilot.press("l")
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


def status_text(app) -> str:
    return str(app.screen.query_one("#status").render())


async def wait_for(pilot, condition, seconds: float = 120.0) -> None:
    """Pause until ``condition()`` holds (e.g. an animated run has ended). ``seconds``
    only guards against a hang: a busy machine may take many times the usual."""
    steps = int(seconds / 0.05)
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting")


class Helpers:
    """The helpers above, handed to tests as the ``ui`` fixture (test modules cannot
    import conftest under --import-mode=importlib)."""

    LEVELS = LEVELS
    SIZE = SIZE
    game = staticmethod(game)
    settle = staticmethod(settle)
    type_lr = staticmethod(type_lr)
    status_text = staticmethod(status_text)
    wait_for = staticmethod(wait_for)


@pytest.fixture
def ui() -> type[Helpers]:
    return Helpers
