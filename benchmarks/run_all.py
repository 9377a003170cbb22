"""Run every benchmark and print the README's table (Markdown) with the machine it ran on.

    python benchmarks/run_all.py [--quick] [--out FILE]

Installs nothing. The torch baseline runs only when torch is installed in this
interpreter (``pip install torch==2.13.0``); without it the torch rows say so.
Every figure is a ratio of two things measured side by side in this run, each a
median of several runs. Takes about 5 minutes (1 with --quick) on two cores. Not a
test: CI never times anything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_json(script: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / script), *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if out.returncode != 0 and not out.stdout.strip().startswith("{"):
        raise RuntimeError(f"{script} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = "?"
    versions = []
    for mod in ("numpy", "sympy", "textual", "torch"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            versions.append(f"{mod} not installed")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} GiB; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {', '.join(versions)}; load average {load:.1f} "
        "at the start"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def table(sweep: dict, engine: dict, ui: dict, serve: dict | None, tmux: dict | None = None) -> str:
    w, c, s = sweep["whole_process_s"], sweep["compute_only_s"], sweep["startup_s"]
    rows = [
        "| figure | measured | target | |",
        "|---|---|---|---|",
        f"| 2,000-rate sweep of {sweep['level']}, whole process: lrgame / hand-vectorised numpy "
        f"| {w['lrgame'] / w['numpy']:.1f}x ({w['lrgame']:.2f} s / {w['numpy']:.3f} s) | within 3x "
        f"| {verdict(w['lrgame'] / w['numpy'] <= 3)} |",
        f"| same, compute only (in one process): lrgame / numpy | {c['lrgame'] / c['numpy']:.2f}x "
        f"({c['lrgame'] * 1000:.1f} ms / {c['numpy'] * 1000:.1f} ms) | within 3x "
        f"| {verdict(c['lrgame'] / c['numpy'] <= 3)} |",
    ]
    if "torch" in w:
        rows += [
            f"| same, whole process: per-rate torch.optim.SGD / lrgame | {w['torch'] / w['lrgame']:.0f}x "
            f"({w['torch']:.1f} s / {w['lrgame']:.2f} s) | at least 300x "
            f"| {verdict(w['torch'] / w['lrgame'] >= 300)} |",
            f"| same, compute only: torch / lrgame | {c['torch'] / c['lrgame']:.0f}x "
            f"({c['torch']:.1f} s / {c['lrgame'] * 1000:.1f} ms) | at least 300x "
            f"| {verdict(c['torch'] / c['lrgame'] >= 300)} |",
        ]
    else:
        rows.append(
            "| torch baseline | not run: torch is not installed (pip install torch==2.13.0) | at least 300x | - |"
        )
    for points, t in sweep["scaling_s"].items():
        rows.append(
            f"| {int(points):,}-rate sweep, compute only: lrgame / numpy | {t['lrgame'] / t['numpy']:.2f}x "
            f"({t['lrgame'] * 1000:.0f} ms / {t['numpy'] * 1000:.0f} ms) | | |"
        )
    rows.append(
        "| lrgame start-up, fresh interpreter: numpy / +sympy / lrgame.commands.run+levels / +load the level "
        f"| {s['import numpy']:.2f} / {s['import sympy']:.2f} / {s['import lrgame.commands.run + levels']:.2f} "
        f"/ {s['+ load the level']:.2f} s | | |"
    )
    levels = (("x-squared", "one"), ("stretched-bowl", "two"), ("million-bowl", "a million"))
    if tmux is not None:  # the player's view: a real terminal, polled from outside
        f = tmux["first_frame_s"]
        rows.append(
            f"| time to first frame in tmux 100x32: lrgame / bare Textual app "
            f"| {f['lrgame'] / f['bare']:.2f}x ({f['lrgame'] * 1000:.0f} ms / "
            f"{f['bare'] * 1000:.0f} ms) | within 1.3x | {verdict(f['lrgame'] / f['bare'] <= 1.3)} |"
        )
        r = tmux["repaint_s"]
        for level, label in levels:
            rows.append(
                f"| key press to repaint in tmux 100x32, one step, {label} "
                f"parameter{'s' if label != 'one' else ''} ({level}) / bare app "
                f"| {r[level] / r['bare']:.2f}x ({r[level] * 1000:.0f} ms / "
                f"{r['bare'] * 1000:.0f} ms) | within 2x | {verdict(r[level] / r['bare'] <= 2)} |"
            )
        for level, label in levels:
            v = tmux["preview_s"][level]
            rows.append(
                f"| preview on: key press (`]`) to the new rate's forecast in words, in tmux, "
                f"{label} parameter{'s' if label != 'one' else ''} ({level}) / bare app "
                f"| {v / r['bare']:.2f}x ({v * 1000:.0f} ms / {r['bare'] * 1000:.0f} ms) "
                f"| within 2x | {verdict(v / r['bare'] <= 2)} |"
            )
    else:
        rows.append("| figures in tmux | not run: tmux is not installed | | - |")
    # secondary: headless, through Pilot, whose fixed waits are in both figures
    f = ui["first_frame_s"]
    rows.append(
        f"| (secondary) time to first frame, headless: lrgame / bare Textual app "
        f"| {f['lrgame'] / f['bare']:.2f}x ({f['lrgame'] * 1000:.0f} ms / "
        f"{f['bare'] * 1000:.0f} ms) | | |"
    )
    r = ui["repaint_s"]
    for level, label in levels:
        rows.append(
            f"| (secondary) key press to repaint through Pilot, one step, {label} "
            f"parameter{'s' if label != 'one' else ''} ({level}) / bare app "
            f"| {r[level] / r['bare']:.2f}x ({r[level] * 1000:.0f} ms / "
            f"{r['bare'] * 1000:.0f} ms) | | |"
        )
    m = ui["peak_rss_mb"]
    rows.append(
        f"| peak memory (VmHWM) playing 10 steps: x-squared / million-bowl / bare app "
        f"| {m['x-squared']:.0f} / {m['million-bowl']:.0f} / {m['bare']:.0f} MB | | |"
    )
    by_n: dict[int, dict[int, float]] = {}
    for row in engine["rows"]:
        by_n.setdefault(row["params"], {})[row["rates"]] = row["seconds"]
    for n, ks in by_n.items():
        cells = ", ".join(f"{k:,} rates {v * 1000:.1f} ms" for k, v in ks.items())
        rows.append(f"| engine, {engine['steps']} steps of a {n:,}-parameter bowl | {cells} | | |")
    if serve is not None:
        rows.append(
            f"| lrgame serve, {serve['sessions']} websocket sessions at once: title seen, "
            f"Enter answered, nothing left | {serve.get('passed')}/{serve['sessions']}; "
            f"games gone {serve.get('games_gone_s')} s after close | all pass, none left | "
            f"{verdict(bool(serve.get('ok')))} |"
        )
        met = serve.get("targets_met", {})
        load = serve.get("load_average", [float("nan")])[0]
        rows += [
            f"| same: slowest title (median), load average {load:.1f} "
            f"| {serve.get('title_max_s')} s ({serve.get('title_median_s')} s) | within 2 s "
            f"| {verdict(met.get('title_max_s', False))} |",
            f"| same: slowest campaign after Enter | {serve.get('campaign_after_enter_max_s')} s "
            f"| within 3 s | {verdict(met.get('campaign_after_enter_max_s', False))} |",
            f"| same: extra memory per session (PSS); CPU per session to the campaign "
            f"| {serve.get('extra_pss_per_session_mb')} MB; {serve.get('cpu_per_session_s')} s "
            f"| at most 40 MB | {verdict(met.get('extra_pss_per_session_mb', False))} |",
        ]
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs: a rough figure")
    ap.add_argument("--no-serve", action="store_true", help="skip the 30-session load test")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()
    t0 = time.perf_counter()
    where = machine()
    repeat = ["--repeat", "3", "--torch-repeat", "1"] if args.quick else ["--repeat", "7"]
    print("sweep: lrgame, numpy, torch ...", file=sys.stderr)
    sweep = run_json("bench_sweep.py", *repeat)
    print("engine growth ...", file=sys.stderr)
    engine = run_json("bench_engine.py", "--repeat", "3" if args.quick else "5")
    print("game: first frame, repaint, memory ...", file=sys.stderr)
    ui = run_json(
        "bench_ui.py",
        *(["--runs", "3", "--presses", "10"] if args.quick else ["--runs", "9", "--presses", "30"]),
    )
    tmux = None
    if shutil.which("tmux"):
        print("game in a real terminal (tmux): first frame, repaint ...", file=sys.stderr)
        tmux = run_json(
            "bench_tmux.py",
            *(
                ["--runs", "3", "--presses", "8"]
                if args.quick
                else ["--runs", "7", "--presses", "20"]
            ),
        )
    serve = None
    if not args.no_serve:
        print("lrgame serve, 30 sessions ...", file=sys.stderr)
        serve = run_json("serve_load.py", "--sessions", "30", "--deadline", "150")
    text = (
        f"Measured with `python benchmarks/run_all.py` on {where}; "
        f"{time.perf_counter() - t0:.0f} s in all.\n\n" + table(sweep, engine, ui, serve, tmux)
    )
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
