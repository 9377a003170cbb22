"""Benchmark of the game's responsiveness against a bare Textual app, headless (not a test).

Secondary figures: Pilot's fixed waits are in both sides of every ratio and hide the
difference. The player's view, in a real terminal, is ``bench_tmux.py``.

1. Time to first frame: a fresh process is started for each run; the figure is the
   wall time from just before the process is spawned to the first refresh after the
   first screen is mounted (lrgame: its title screen; the bare app: Header, Label,
   Footer). Both run headless at 100x32, so terminal output is not measured, and
   both pay the same interpreter and Textual start-up.
2. Keypress to repaint: in one process, with ``App.run_test``, the time from a
   ``pilot.press`` until the app's next refresh has been done, for one step of
   descent on the one-, two- and million-parameter levels against the bare app
   repainting a counter on a key press. Pilot's own overhead is in both figures.
3. Peak memory (VmHWM) of a fresh process that plays 10 steps of a level through
   Pilot, against the bare app taking 10 key presses the same way.

Medians of several runs; the ratios are lrgame over bare. Run:

    python benchmarks/bench_ui.py [--runs N] [--presses N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SIZE = (100, 32)

FIRST_FRAME_CHILD = {
    "bare": """
import sys, time
from textual.app import App
from textual.widgets import Footer, Header, Label

class Bare(App):
    def compose(self):
        yield Header()
        yield Label("Hello")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.done)

    def done(self):
        print(time.time(), flush=True)
        self.exit()

Bare().run(headless=True, size=(100, 32))
""",
    "lrgame": """
import sys, time
from lrgame.ui.app import make_app
from lrgame.ui.screens import title

first_mount = title.TitleScreen.on_mount

def on_mount(self):
    first_mount(self)
    self.call_after_refresh(done, self)

def done(screen):
    print(time.time(), flush=True)
    screen.app.exit()

title.TitleScreen.on_mount = on_mount
make_app().run(headless=True, size=(100, 32))
""",
}


def first_frame(kind: str, home: str) -> float:
    """Seconds from spawning a process to its first painted screen."""
    env = dict(os.environ, LRGAME_HOME=home)
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_CHILD[kind]],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1]) - t0


async def _press_to_repaint(app, key: str, presses: int) -> list[float]:
    """Seconds from each key press to the next refresh the app completes."""
    times = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(presses):
            painted = asyncio.Event()
            t0 = time.perf_counter()
            await pilot.press(key)
            app.call_after_refresh(painted.set)
            await painted.wait()
            times.append(time.perf_counter() - t0)
    return times


def bare_counter_app():
    from textual.app import App
    from textual.widgets import Footer, Header, Label

    class Counter(App):
        BINDINGS = [("space", "count", "Count")]

        def __init__(self):
            super().__init__()
            self.n = 0

        def compose(self):
            yield Header()
            yield Label("0", id="n")
            yield Footer()

        def action_count(self):
            self.n += 1
            self.query_one("#n", Label).update(str(self.n))

    return Counter()


async def step_times(level_id: str, lr: float, presses: int) -> list[float]:
    from lrgame.ui.app import make_app

    app = make_app(level_id, cursor_blink=False)
    times = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.lr = lr  # small enough that the run lasts every press
        await pilot.pause()
        for _ in range(presses):
            painted = asyncio.Event()
            t0 = time.perf_counter()
            await pilot.press("space")
            app.call_after_refresh(painted.set)
            await painted.wait()
            times.append(time.perf_counter() - t0)
        assert app.screen.run.iteration == presses, "the run ended early"
    return times


MEMORY_CHILD = """
import asyncio, sys
sys.path.insert(0, {here!r})
import bench_ui

async def main(which):
    if which == "bare":
        app = bench_ui.bare_counter_app()
        key = "space"
    else:
        from lrgame.ui.app import make_app
        app = make_app(which, cursor_blink=False)
        key = "space"
    async with app.run_test(size=bench_ui.SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if which != "bare":
            app.screen.lr = 0.001
        for _ in range(10):
            await pilot.press(key)
        await pilot.pause()
        await app.workers.wait_for_complete()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent process
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
    print(int(hwm.split()[1]))

asyncio.run(main(sys.argv[1]))
"""


def peak_memory_mb(which: str, home: str) -> float:
    """Peak RSS (VmHWM), in MB, of a fresh process playing 10 steps of ``which`` (or the bare app)."""
    code = MEMORY_CHILD.format(here=os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code, which],
        capture_output=True,
        text=True,
        env=dict(os.environ, LRGAME_HOME=home),
        timeout=300,
        check=True,
    ).stdout
    return int(out.strip().splitlines()[-1]) / 1024


LEVELS = (("x-squared", 0.001), ("stretched-bowl", 0.001), ("million-bowl", 0.001))


def measure(runs: int, presses: int, home: str) -> dict:
    """Every figure, as a dict (what --json prints and run_all.py tables)."""
    kinds = ("bare", "lrgame")
    for kind in kinds:
        first_frame(kind, home)
    frames: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(runs):
        for kind in kinds:
            frames[kind].append(first_frame(kind, home))
    report: dict = {"first_frame_s": {k: statistics.median(v) for k, v in frames.items()}}
    bare = statistics.median(asyncio.run(_press_to_repaint(bare_counter_app(), "space", presses)))
    report["repaint_s"] = {"bare": bare}
    for level_id, lr in LEVELS:
        report["repaint_s"][level_id] = statistics.median(
            asyncio.run(step_times(level_id, lr, presses))
        )
    report["peak_rss_mb"] = {
        which: peak_memory_mb(which, home) for which in ("bare", "x-squared", "million-bowl")
    }
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="processes per first-frame figure")
    ap.add_argument("--presses", type=int, default=30, help="key presses per repaint figure")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.json:
        with tempfile.TemporaryDirectory() as home:
            os.environ["LRGAME_HOME"] = home
            print(json.dumps(measure(args.runs, args.presses, home), indent=2))
        return

    with tempfile.TemporaryDirectory() as home:
        os.environ["LRGAME_HOME"] = home
        print(f"time to first frame, {args.runs} processes each (headless, 100x32)")
        kinds = ("bare", "lrgame")
        for kind in kinds:
            first_frame(kind, home)  # warm the file cache and the bytecode
        samples: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(args.runs):  # interleaved, so a busy moment hits both alike
            for kind in kinds:
                samples[kind].append(first_frame(kind, home))
        med = {k: statistics.median(v) for k, v in samples.items()}
        for kind in kinds:
            print(
                f"  {kind:<8} median {med[kind] * 1000:7.1f} ms   "
                f"fastest {min(samples[kind]) * 1000:7.1f} ms"
            )
        print(
            f"  ratio lrgame / bare: median {med['lrgame'] / med['bare']:.2f}, "
            f"fastest {min(samples['lrgame']) / min(samples['bare']):.2f}"
        )

        print(f"\nkey press to repaint, median of {args.presses} presses")
        bare = statistics.median(
            asyncio.run(_press_to_repaint(bare_counter_app(), "space", args.presses))
        )
        print(f"  bare counter          {bare * 1000:7.2f} ms")
        for level_id, lr in LEVELS:
            ms = statistics.median(asyncio.run(step_times(level_id, lr, args.presses)))
            print(
                f"  lrgame {level_id:<15}{ms * 1000:7.2f} ms   ratio {ms / bare:.2f}   "
                f"(+{(ms - bare) * 1000:.1f} ms of work over the bare repaint)"
            )
        print("\npeak memory (VmHWM) of a process playing 10 steps")
        for which in ("bare", "x-squared", "million-bowl"):
            print(f"  {which:<14} {peak_memory_mb(which, home):7.1f} MB")


if __name__ == "__main__":
    main()
