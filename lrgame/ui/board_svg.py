"""ctrl+s: the screen as an SVG file (Textual's own screenshot), for a teacher's slides."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path


def svg_folder() -> Path:
    """Where boards are saved: LRGAME_SCREENSHOTS if set, else the working directory."""
    return Path(os.environ.get("LRGAME_SCREENSHOTS") or os.getcwd())


def svg_name(title: str, when: float | None = None) -> str:
    """``lrgame-the-giant-leap-20261201-183012.svg``: the screen's title, made a safe
    file name (a level title comes from an untrusted file)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "board"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when))
    return f"lrgame-{slug}-{stamp}.svg"


def save_board(app) -> None:
    """Save what the screen shows as an SVG and say where (or why not)."""
    level = getattr(app.screen, "level", None)
    title = level.title if level is not None else type(app.screen).__name__
    folder = svg_folder()
    try:
        path = app.save_screenshot(svg_name(title), str(folder))
    except OSError as exc:
        app.notify(f"Could not save the board in {folder}: {exc.strerror or exc}", severity="error")
        return
    app.notify(f"Saved the board as {path}", title="ctrl+s", timeout=10)
