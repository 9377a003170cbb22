"""Benchmark: a sweep of 2,000 rates of a 2-8-8-1 network, lrgame against per-rate torch.

The network: tanh, Glorot-uniform weights from seed 3; 200 points of ``circles`` (noise
0.1, seed 7); full-batch descent on the mean binary cross-entropy; 1,000 steps at most;
rates log-spaced from 0.001 to 10. Both sides stop a rate as the engine does: cleared
when the loss is within 0.05, diverged when it is not finite or above 1e6 * max(start
loss, 1). Both print the fewest steps any rate needed; the script checks they agree. Both count
the steps they take (summed over the rates), so the report also gives CPU time per rate
and step.

- lrgame, whole process: ``python benchmarks/bench_network.py --side lrgame`` in a fresh
  interpreter (imports, data, the sweep).
- torch, whole process: the loop a notebook user writes, one ``nn.Sequential`` of
  ``nn.Linear`` layers and one ``torch.optim.SGD`` per rate, float64, on the network
  ``lrgame export`` would give (read from a JSON file written first). A run of all 2,000
  rates takes many minutes, so by default torch runs every 10th rate and its time is
  scaled by 10 (printed as such); ``--torch-every 1`` runs them all.

    python benchmarks/bench_network.py [--torch-python PATH] [--torch-every 10] [--json]

torch is not installed by this script; ``--torch-python`` names an interpreter that has
it (default: this one).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RATES, LO, HI = 2000, 1e-3, 10.0
GOAL, BUDGET = 0.05, 1000


def rates(every: int = 1) -> list[float]:
    return [LO * (HI / LO) ** (i / (RATES - 1)) for i in range(0, RATES, every)]


def lrgame_side(export: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from lrgame.engine import Goal, simulate
    from lrgame.engine.datasets import make_data
    from lrgame.engine.network import Network

    x, y = make_data("circles", 200, 0.1, 7)
    net = Network(x, y, (8, 8), "tanh", init_seed=3)
    if export:
        layers = net.layers(net.start[None, :])
        data = {
            "x": x.tolist(),
            "y": y.tolist(),
            "layers": [{"W": W[0].tolist(), "b": b[0].tolist()} for W, b in layers],
        }
        Path(export).write_text(json.dumps(data))
        return
    batch = simulate(net, np.array(rates()), Goal(GOAL, BUDGET))
    steps = batch.iterations[batch.cleared]
    fewest = int(steps.min()) if steps.size else None
    print(json.dumps({"fewest": fewest, "rate_steps": int(batch.iterations.sum())}))


def torch_side(path: str, every: int, threads: int | None) -> None:
    import torch

    if threads:
        torch.set_num_threads(threads)

    data = json.loads(Path(path).read_text())
    x = torch.tensor(data["x"], dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.float64)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    fewest = None
    rate_steps = 0  # steps taken, summed over the rates
    for lr in rates(every):
        modules = []
        for k, layer in enumerate(data["layers"]):
            W = torch.tensor(layer["W"], dtype=torch.float64)
            linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(W)
                linear.bias.copy_(torch.tensor(layer["b"], dtype=torch.float64))
            modules.append(linear)
            if k < len(data["layers"]) - 1:
                modules.append(torch.nn.Tanh())
        model = torch.nn.Sequential(*modules)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        bound = None
        for t in range(BUDGET + 1):
            opt.zero_grad()
            loss = loss_fn(model(x).squeeze(1), y)
            value = loss.item()  # the loss after t steps
            if bound is None:
                bound = 1e6 * max(value, 1)
            if value <= GOAL:
                fewest = t if fewest is None else min(fewest, t)
                break
            if not math.isfinite(value) or value > bound or t == BUDGET:
                break
            loss.backward()
            opt.step()
            rate_steps += 1
    print(json.dumps({"fewest": fewest, "rate_steps": rate_steps}))


def timed(cmd: list[str]) -> tuple[float, dict]:
    """(wall seconds, the child's printed JSON with its CPU seconds added as "cpu_s")."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads(out.strip().splitlines()[-1])
    report["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, report


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--side", choices=["lrgame", "torch", "export"])
    p.add_argument("--data")
    p.add_argument("--torch-python", default=sys.executable)
    p.add_argument("--torch-every", type=int, default=10)
    p.add_argument("--torch-threads", type=int, help="torch.set_num_threads (default: torch's)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if args.side == "lrgame":
        return lrgame_side(None)
    if args.side == "export":
        return lrgame_side(args.data)
    if args.side == "torch":
        return torch_side(args.data, args.torch_every, args.torch_threads)
    me = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "net.json")
        subprocess.run([sys.executable, me, "--side", "export", "--data", data], check=True)
        lr_s, lr_out = timed([sys.executable, me, "--side", "lrgame"])
        every = args.torch_every
        cmd = [args.torch_python, me, "--side", "torch", "--data", data]
        if args.torch_threads:
            cmd += ["--torch-threads", str(args.torch_threads)]
        t_s, t_out = timed([*cmd, "--torch-every", str(every)])
        # the same rates on both sides, for a like-for-like check of the fewest steps
        sub_s, sub_out = timed([sys.executable, "-c", _SUBSET.format(root=ROOT, every=every)])
    report = {
        "lrgame_2000_rates_s": round(lr_s, 2),
        "lrgame_fewest": lr_out["fewest"],
        "torch_rates_run": len(rates(every)),
        "torch_threads": args.torch_threads or "default",
        "torch_s": round(t_s, 2),
        "torch_2000_rates_s_estimated": round(t_s * every, 1),
        "torch_fewest_on_its_rates": t_out["fewest"],
        "lrgame_fewest_on_the_same_rates": sub_out["fewest"],
        "lrgame_same_rates_s": round(sub_s, 2),
        "speedup_2000_rates": round(t_s * every / lr_s, 1),
        "lrgame_cpu_s": round(lr_out["cpu_s"], 1),
        "torch_cpu_s_estimated": round(t_out["cpu_s"] * every, 1),
        "speedup_cpu": round(t_out["cpu_s"] * every / lr_out["cpu_s"], 1),
        # CPU per rate and step, whole process (start-up included) over the steps taken
        "lrgame_cpu_us_per_rate_step": round(lr_out["cpu_s"] / lr_out["rate_steps"] * 1e6, 1),
        "torch_cpu_us_per_rate_step": round(t_out["cpu_s"] / t_out["rate_steps"] * 1e6, 1),
        "torch_rate_steps": t_out["rate_steps"],
        "lrgame_rate_steps": lr_out["rate_steps"],
    }
    assert report["torch_fewest_on_its_rates"] == report["lrgame_fewest_on_the_same_rates"]
    print(json.dumps(report, indent=2) if args.json else report)


_SUBSET = """
import json, sys
sys.path.insert(0, "{root}")
import numpy as np
sys.argv = ["x"]
from benchmarks.bench_network import rates, GOAL, BUDGET
from lrgame.engine import Goal, simulate
from lrgame.engine.datasets import make_data
from lrgame.engine.network import Network
x, y = make_data("circles", 200, 0.1, 7)
net = Network(x, y, (8, 8), "tanh", init_seed=3)
b = simulate(net, np.array(rates({every})), Goal(GOAL, BUDGET))
s = b.iterations[b.cleared]
print(json.dumps({{"fewest": int(s.min()) if s.size else None}}))
"""

if __name__ == "__main__":
    main()
