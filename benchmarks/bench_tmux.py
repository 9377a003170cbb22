"""The game's responsiveness measured from outside, in a real terminal (not a test).

Each app runs in its own tmux session of 100x32, as a player would run it. The
figures are what a player sees:

1. Time to first frame: from spawning the tmux session to the first capture of
   the pane that shows the first screen's text (lrgame: its title; the bare app:
   its counter).
2. Key press to repaint: ``tmux send-keys`` of one key, then ``capture-pane`` polled
   until the new iteration number shows (lrgame: ``iteration N`` in the status line
   after one step of descent on x-squared, stretched-bowl and million-bowl; the bare
   app: ``count N`` after the key).
   Beside it, the app's own CPU time per key press (from /proc), which a busy
   machine disturbs much less than the wall time.
3. With the preview on (``p``): from ``]`` or ``[`` to the preview's words for the
   new rate (``at 0.001778: ...``), which need the engine's forecast, made in a worker.

The bare app is a Textual app with a Header, a counter (a Label) and a Footer.
Polling costs a few milliseconds per capture, alike for both. Every wait is bounded
(``--deadline`` seconds) and every tmux session is killed on every path, including
an interrupt. Medians of several runs; ratios are lrgame over bare. Run:

    python benchmarks/bench_tmux.py [--runs N] [--presses N] [--json]

Needs tmux; with ``--json`` it prints a dict for run_all.py. Run it from the root of
the checkout to measure: ``python -m lrgame`` puts the current folder first on the
path, so the game measured is the one in the folder it is started from.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

WIDTH, HEIGHT = 100, 32

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Label


class Counter(App):
    BINDINGS = [("space", "count", "Count")]

    def __init__(self):
        super().__init__()
        self.n = 0

    def compose(self):
        yield Header()
        yield Label("count 0.", id="n")
        yield Footer()

    def action_count(self):
        self.n += 1
        self.query_one("#n", Label).update(f"count {self.n}.")


Counter().run()
"""

LRGAME = [sys.executable, "-m", "lrgame"]
#: Steps of each level are taken at this rate, small enough that no run ends early.
LEVELS = (
    ("x-squared", "0.001"),
    ("stretched-bowl", "0.001"),
    ("million-bowl", "0.001"),
    ("spiral-arms", "0.001"),
)
#: Text that shows once the first screen is painted.
TITLE_TEXT = "a game about the learning rate"


#: A tmux server of this benchmark's own (-L), apart from any other tmux on the machine.
SOCKET = f"lrbench-{os.getpid()}"
TMUX = ["tmux", "-L", SOCKET]
#: A new session is tried this many times: the server of the session before may be
#: exiting (tmux quits when its last session goes) just as the next one starts.
START_TRIES = 5


class Pane:
    """One app in a detached tmux session; ``close`` kills the session."""

    def __init__(self, argv: list[str], env: dict[str, str], deadline: float):
        self.name = f"lrbench-{uuid.uuid4().hex[:8]}"
        self.deadline = deadline
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"env {exports} {shlex.join(argv)}"
        new = [*TMUX, "new-session", "-d", "-s", self.name, "-x", str(WIDTH), "-y", str(HEIGHT)]
        for attempt in range(START_TRIES):
            self.started = time.perf_counter()
            started = subprocess.run(new + [command], capture_output=True, timeout=30)
            if started.returncode == 0:
                return
            self.close()  # in case it half started
            time.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"tmux would not start: {started.stderr.decode(errors='replace')}")

    def text(self) -> str:
        out = subprocess.run(
            [*TMUX, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return out.stdout

    def wait_for(self, needle: str) -> float:
        """Poll the pane until ``needle`` shows; the moment it did (perf_counter)."""
        end = time.perf_counter() + self.deadline
        while time.perf_counter() < end:
            if needle in self.text():
                return time.perf_counter()
        raise TimeoutError(f"{needle!r} did not show within {self.deadline} s")

    def keys(self, *keys: str) -> float:
        """Send keys; the moment they were sent."""
        t = time.perf_counter()
        subprocess.run([*TMUX, "send-keys", "-t", self.name, *keys], check=True, timeout=30)
        return t

    def cpu_seconds(self) -> float:
        """CPU time the app in the pane has used so far (``env`` execs the app)."""
        pid = subprocess.run(
            [*TMUX, "display-message", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        subprocess.run([*TMUX, "kill-session", "-t", self.name], capture_output=True, timeout=30)

    def __enter__(self) -> Pane:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _bare_argv(folder: str) -> list[str]:
    path = Path(folder) / "bare_counter.py"
    if not path.exists():
        path.write_text(BARE_APP, encoding="utf-8")
    return [sys.executable, str(path)]


def first_frame(kind: str, home: str, deadline: float) -> float:
    """Seconds from spawning the session to the first screen in the pane."""
    argv, needle = (_bare_argv(home), "count 0.") if kind == "bare" else (LRGAME, TITLE_TEXT)
    with Pane(argv, {"LRGAME_HOME": home}, deadline) as pane:
        return pane.wait_for(needle) - pane.started


def repaints(kind: str, lr: str | None, presses: int, home: str, deadline: float) -> list[float]:
    """Seconds from each key press to the pane showing its new count / iteration."""
    if kind == "bare":
        argv, shown = _bare_argv(home), "count {}."
    else:
        argv, shown = LRGAME + ["play", kind], "iteration {}/"
    times = []
    with Pane(argv, {"LRGAME_HOME": home}, deadline) as pane:
        pane.wait_for(shown.format(0))
        time.sleep(1.0)  # the board takes keys once mounted; par and the charts settle
        if lr is not None:
            pane.keys("l")
            pane.keys(*lr)
            pane.keys("Enter")
            pane.wait_for(f"· lr {lr}")  # the status line, not the field being typed in
            pane.wait_for("· par ")  # par's sweep (a worker) is done: not in the figures
            time.sleep(0.5)
        cpu0 = pane.cpu_seconds()
        for k in range(1, presses + 1):
            t0 = pane.keys("Space")
            times.append(pane.wait_for(shown.format(k)) - t0)
        CPU[kind] = (pane.cpu_seconds() - cpu0) / presses
    return times


#: The app's own CPU time per key press (user + system, from /proc), by app: much
#: less sensitive than the wall time to other work on a busy machine.
CPU: dict[str, float] = {}


def preview_repaints(level_id: str, lr: str, presses: int, home: str, deadline: float):
    """With the preview on (p): seconds from each ``]`` to the pane showing the
    forecast's words for the new rate (the forecast runs in a worker meanwhile)."""
    from lrgame.text import num

    factor = 10 ** (1 / 4)  # play.LR_FACTOR, without importing Textual here
    times = []
    with Pane(LRGAME + ["play", level_id], {"LRGAME_HOME": home}, deadline) as pane:
        pane.wait_for("iteration 0/")
        time.sleep(1.0)
        pane.keys("l")
        pane.keys(*lr)
        pane.keys("Enter")
        pane.wait_for(f"· lr {lr}")  # the status line, not the field being typed in
        time.sleep(0.5)  # the board has its keys back from the rate field
        pane.keys("p")
        pane.wait_for(f"at {lr}:")
        time.sleep(0.5)
        rate = float(lr)
        for k in range(presses):
            up = k % 8 < 4  # up four presses, down four: the rate stays in range
            rate = rate * factor if up else rate / factor
            t0 = pane.keys("]" if up else "[")
            times.append(pane.wait_for(f"at {num(rate)}:") - t0)
    return times


def measure(runs: int, presses: int, deadline: float, levels=LEVELS, preview=True) -> dict:
    """Every figure, as a dict (what --json prints and run_all.py tables); ``runs`` 0
    leaves out the first frame."""
    report: dict = {}
    with tempfile.TemporaryDirectory() as home:
        kinds = ("bare", "lrgame")
        if runs > 0:
            for kind in kinds:
                first_frame(kind, home, deadline)  # warm the file cache and the bytecode
            frames: dict[str, list[float]] = {k: [] for k in kinds}
            for _ in range(runs):  # interleaved, so a busy moment hits both alike
                for kind in kinds:
                    frames[kind].append(first_frame(kind, home, deadline))
            report["first_frame_s"] = {k: statistics.median(v) for k, v in frames.items()}
        report["repaint_s"] = {
            "bare": statistics.median(repaints("bare", None, presses, home, deadline))
        }
        for level_id, lr in levels:
            report["repaint_s"][level_id] = statistics.median(
                repaints(level_id, lr, presses, home, deadline)
            )
        report["repaint_cpu_s"] = dict(CPU)
        if preview:
            report["preview_s"] = {
                level_id: statistics.median(preview_repaints(level_id, lr, presses, home, deadline))
                for level_id, lr in levels
            }
    report["terminal"] = f"tmux {WIDTH}x{HEIGHT}"
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="sessions per first-frame figure (0: none)")
    ap.add_argument("--presses", type=int, default=20, help="key presses per repaint figure")
    ap.add_argument("--deadline", type=float, default=60.0, help="longest wait for one screen")
    ap.add_argument("--level", action="append", help="only this level's repaint (repeatable)")
    ap.add_argument("--no-preview", action="store_true", help="leave out the preview figures")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if subprocess.run(["which", "tmux"], capture_output=True).returncode != 0:
        print("bench_tmux: tmux is not installed", file=sys.stderr)
        return 2
    os.environ.pop("NO_COLOR", None)
    levels = [lv for lv in LEVELS if not args.level or lv[0] in args.level]
    try:
        report = measure(args.runs, args.presses, args.deadline, levels, not args.no_preview)
    finally:  # the benchmark's own server (-L): nothing of it outlives the run
        subprocess.run([*TMUX, "kill-server"], capture_output=True, timeout=30)
        folder = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (folder / SOCKET).unlink(missing_ok=True)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"in tmux {WIDTH}x{HEIGHT}, medians")
    f = report.get("first_frame_s")
    if f:
        print(
            f"  first frame: lrgame {f['lrgame'] * 1000:.0f} ms, bare {f['bare'] * 1000:.0f} ms, "
            f"ratio {f['lrgame'] / f['bare']:.2f}"
        )
    r = report["repaint_s"]
    print(f"  key press to repaint: bare {r['bare'] * 1000:.0f} ms")
    for level_id, _ in levels:
        print(
            f"    {level_id:<15} {r[level_id] * 1000:6.0f} ms   ratio {r[level_id] / r['bare']:.2f}"
        )
    cpu = report["repaint_cpu_s"]
    print("  the app's CPU time per key press (user + system)")
    for which in ["bare"] + [lv for lv, _ in levels]:
        print(f"    {which:<15} {cpu[which] * 1000:6.0f} ms   ratio {cpu[which] / cpu['bare']:.2f}")
    if "preview_s" in report:
        print("  preview on: ] to the new rate's forecast in words")
    for level_id, _ in levels if "preview_s" in report else ():
        v = report["preview_s"][level_id]
        print(f"    {level_id:<15} {v * 1000:6.0f} ms   ratio {v / r['bare']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
