"""Benchmark: a 2,000-learning-rate sweep, lrgame against numpy and torch, side by side.

Three figures, each a median over interleaved runs (so a busy moment hits all alike):

1. Whole process, what a user waits for at the shell:
   - lrgame: ``python -m lrgame sweep LEVEL --points 2000 --json`` (it also computes
     par, best lr and max stable lr: ~500 more runs, ~25 ms, left in: it is the command);
   - numpy: baseline_numpy.py, a hand-vectorised loop typed in for this level;
   - torch: baseline_torch.py, one ``torch.optim.SGD`` loop per rate (only when torch
     is installed: ``pip install torch==2.13.0``; nothing is installed by this script).
   Every one runs each rate until it clears, diverges or spends the budget (the
   engine's rule) and finds the same fewest steps; the script checks that.
2. Compute only, in one process with everything imported and the level loaded: the
   engine's ``sweep`` against the same two loops as functions.
3. Where lrgame's start-up goes: fresh interpreters importing numpy, sympy, pydantic
   and lrgame's headless modules, then loading the level; and the compute-only ratio
   at 20,000 and 200,000 rates, to show the engine keeps pace as the work grows.

    python benchmarks/bench_sweep.py [--level stretched-bowl] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def timed(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _lrgame_par(out: str) -> int | None:
    points = json.loads(out)["points"]
    cleared = [p["iterations"] for p in points if p["outcome"] == "cleared"]
    return min(cleared) if cleared else None


def whole_process(level: str, points: int, repeat: int, torch_repeat: int) -> dict:
    py = sys.executable
    cmds = {
        "lrgame": [py, "-m", "lrgame", "sweep", level, "--points", str(points), "--json"],
        "numpy": [py, str(HERE / "baseline_numpy.py"), level, str(points)],
    }
    if has_torch():
        cmds["torch"] = [py, str(HERE / "baseline_torch.py"), level, str(points)]
    for cmd in cmds.values():  # warm the file cache and the bytecode
        timed(cmd)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    answers: dict[str, set] = {k: set() for k in cmds}
    for i in range(repeat):
        for name, cmd in cmds.items():
            if name == "torch" and i >= torch_repeat:
                continue
            t, out = timed(cmd)
            times[name].append(t)
            answers[name].add(_lrgame_par(out) if name == "lrgame" else json.loads(out.strip()))
    found = {frozenset(a) for a in answers.values()}
    assert len(found) == 1, f"the baselines disagree with lrgame: {answers}"
    return {k: statistics.median(v) for k, v in times.items()} | {
        "runs": {k: len(v) for k, v in times.items()}
    }


def compute_only(level_id: str, points: int, repeat: int, torch_repeat: int) -> dict:
    import baseline_numpy

    from lrgame import levels as L
    from lrgame.engine.sweep import log_rates, sweep

    level = L.find_level(level_id)
    land, goal = level.sweep_landscape(), level.engine_goal
    rates = log_rates(level.lr.min, level.lr.max, points)
    funcs = {
        "lrgame": lambda: sweep(land, goal, rates),
        "numpy": lambda: baseline_numpy.sweep(level_id, points),
    }
    if has_torch() and torch_repeat > 0:
        import baseline_torch

        funcs["torch"] = lambda: baseline_torch.sweep(level_id, points)
    times: dict[str, list[float]] = {k: [] for k in funcs}
    for i in range(repeat):
        for name, f in funcs.items():
            if name == "torch" and i >= torch_repeat:
                continue
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


STARTUP = {
    "python": "pass",
    "import numpy": "import numpy",
    "import sympy": "import sympy",
    "import pydantic": "import pydantic",
    "import lrgame.commands.run + levels": "import lrgame.commands.run, lrgame.levels",
    "+ load the level": "import lrgame.levels as L; L.find_level('{level}')",
}


def startup(level: str, repeat: int) -> dict:
    out = {}
    for name, code in STARTUP.items():
        cmd = [sys.executable, "-c", code.format(level=level)]
        timed(cmd)
        out[name] = statistics.median(timed(cmd)[0] for _ in range(repeat))
    return out


def scaling(level: str, repeat: int) -> dict:
    """Compute only, at more rates: does the engine stay as fast as the hand-written loop?"""
    out = {}
    for points in (20_000, 200_000):
        c = compute_only(level, points, max(3, repeat // 2), 0)
        out[points] = {"lrgame": c["lrgame"], "numpy": c["numpy"]}
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--level", default="stretched-bowl")
    p.add_argument("--points", type=int, default=2000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--torch-repeat", type=int, default=3, help="torch runs take ~13 s each")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    report = {
        "level": args.level,
        "points": args.points,
        "whole_process_s": whole_process(args.level, args.points, args.repeat, args.torch_repeat),
        "compute_only_s": compute_only(args.level, args.points, args.repeat, args.torch_repeat),
        "startup_s": startup(args.level, args.repeat),
        "scaling_s": scaling(args.level, args.repeat),
        "torch": has_torch(),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    w, c, s = report["whole_process_s"], report["compute_only_s"], report["startup_s"]
    print(f"{args.points}-rate sweep of {args.level}, medians")
    print(f"  whole process: lrgame {w['lrgame']:.3f} s, numpy {w['numpy']:.3f} s", end="")
    print(f", torch {w['torch']:.2f} s" if "torch" in w else "  (torch not installed)")
    print(f"    lrgame / numpy = {w['lrgame'] / w['numpy']:.2f}x (target: within 3x)")
    if "torch" in w:
        print(f"    torch / lrgame = {w['torch'] / w['lrgame']:.0f}x (target: at least 300x)")
    print(
        f"  compute only:  lrgame {c['lrgame'] * 1000:.1f} ms, numpy {c['numpy'] * 1000:.1f} ms",
        end="",
    )
    print(f", torch {c['torch']:.2f} s" if "torch" in c else "")
    print(f"    lrgame / numpy = {c['lrgame'] / c['numpy']:.2f}x", end="")
    print(f", torch / lrgame = {c['torch'] / c['lrgame']:.0f}x" if "torch" in c else "")
    print("  start-up, fresh interpreters: " + ", ".join(f"{k} {v:.3f} s" for k, v in s.items()))
    for points, t in report["scaling_s"].items():
        print(f"  {points} rates, compute only: lrgame / numpy = {t['lrgame'] / t['numpy']:.2f}x "
              f"({t['lrgame'] * 1000:.0f} ms / {t['numpy'] * 1000:.0f} ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
