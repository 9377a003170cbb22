"""Benchmark: a 2,000-learning-rate sweep, whole process against whole process.

Runs side by side, several times each, and prints medians and ratios:
- lrgame:   `python -m lrgame sweep LEVEL --points 2000 --json`
- numpy:    a hand-vectorised numpy loop doing the same descent (baseline_numpy.py)
- torch:    one torch.optim.SGD loop per rate, as a notebook user would write it
            (baseline_torch.py; skipped, and said so, when torch is not installed)

    python benchmarks/bench_sweep.py [--level stretched-bowl] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--level", default="stretched-bowl")
    p.add_argument("--points", type=int, default=2000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    py = sys.executable
    cmds = {
        "lrgame": [py, "-m", "lrgame", "sweep", args.level, "--points", str(args.points), "--json"],
        "numpy": [py, str(HERE / "baseline_numpy.py"), args.level, str(args.points)],
    }
    try:
        import torch  # noqa: F401

        cmds["torch"] = [py, str(HERE / "baseline_torch.py"), args.level, str(args.points)]
    except ImportError:
        print(
            "torch is not installed: the per-rate torch.optim.SGD baseline is skipped "
            "(pip install torch==2.13.0 to include it)"
        )
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(args.repeat):  # interleaved, so drift on the machine hits every command alike
        for name, cmd in cmds.items():
            times[name].append(timed(cmd))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"machine: {platform.machine()}, {platform.processor() or '?'}, Python "
        f"{platform.python_version()}, {args.repeat} runs each, median wall time"
    )
    for name, t in med.items():
        print(f"  {name:<8} {t:8.3f} s")
    print(f"lrgame / numpy = {med['lrgame'] / med['numpy']:.2f}x  (target: within 3x)")
    if "torch" in med:
        print(
            f"torch / lrgame = {med['torch'] / med['lrgame']:.0f}x  (target: lrgame at least 300x faster)"
        )
    print(json.dumps({"median_s": med}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
