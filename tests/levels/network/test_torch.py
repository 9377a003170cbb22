"""The exported network trained in PyTorch (nn.Linear, BCEWithLogitsLoss, optim.SGD) gives
the loss lrgame reports at every step, to 1e-6 relative. Skipped where torch is absent."""

import textwrap

import numpy as np
import pytest

from lrgame.commands.export import export_level
from lrgame.commands.run import run_report
from lrgame.engine import Run
from lrgame.levels import parse_level
from lrgame.yamlsafe import load_yaml_text

torch = pytest.importorskip("torch")


def level(extra: str, hidden="[8, 8]", activation="tanh"):
    text = textwrap.dedent(
        f"""
        kind: network
        id: torch-check
        title: Torch check
        data: {{shape: spiral, points: 60, noise: 0.05, seed: 7}}
        network: {{hidden: {hidden}, activation: {activation}, seed: 3}}
        goal: {{loss_below: 0.01, max_iterations: 60}}
        lr: {{default: 0.5, min: 1e-3, max: 10}}
        """
    )
    return parse_level(load_yaml_text(text + extra, "torch-check.yaml"))


def torch_losses(model, data: dict, lr: float, steps: int) -> tuple[list[float], list[float]]:
    """(the loss each step trains on, the loss over all the data) before each step."""
    x = torch.tensor(data["x"], dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.float64)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    batch_losses, full = [], []
    for t in range(steps):
        idx = data["batches"][t] if data["batches"] else list(range(len(data["y"])))
        with torch.no_grad():
            full.append(float(loss_fn(model(x).squeeze(1), y)))
        opt.zero_grad()
        loss = loss_fn(model(x[idx]).squeeze(1), y[idx])
        batch_losses.append(loss.item())
        loss.backward()
        opt.step()
    return batch_losses, full


@pytest.mark.parametrize(
    "extra, hidden, activation",
    [
        ("", "[8, 8]", "tanh"),
        ("batch_size: 10\nseed: 4\n", "[6]", "relu"),
        ("", "[5, 4, 3]", "sigmoid"),
        ("batch_size: 7\n", "[]", "tanh"),
    ],
)
def test_pytorch_gives_the_loss_of_every_step(extra, hidden, activation, torch_model):
    lv = level(extra, hidden, activation)
    data = export_level(lv)
    lr = 0.5
    run = Run(lv.landscape(), lv.engine_goal).play([lr] * 40)
    report = run_report(lv, run, lr)
    steps = report["trajectory"]
    batch, full = torch_losses(torch_model(data), data, lr, len(steps) - 1)
    ours = [s["loss"] for s in steps[:-1]]
    np.testing.assert_allclose(batch, ours, rtol=1e-6)
    ours_full = [s.get("full_loss", s["loss"]) for s in steps[:-1]]
    np.testing.assert_allclose(full, ours_full, rtol=1e-6)
    assert abs(ours_full[-1] - ours_full[0]) > 1e-3  # the run moved: a real comparison


def test_the_docs_example_clears_where_lrgame_does(monkeypatch, capsys):
    import os
    import re
    import sys
    from pathlib import Path

    text = (Path(__file__).parents[3] / "docs" / "network.md").read_text()
    code = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    exec(compile(code, "docs/network.md", "exec"), {})
    from lrgame.levels import load_shipped

    lv = load_shipped("four-rates")
    run = Run(lv.landscape(), lv.engine_goal).play([2.0] * lv.goal.max_iterations)
    assert capsys.readouterr().out.strip() == f"cleared after {run.iteration} steps"
    assert run.iteration == 54


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_the_gradient_is_pytorch_autograd(activation):
    lv = level("batch_size: 9\n", "[7, 5]", activation)
    land = lv.landscape()
    rng = np.random.default_rng(1)
    P = land.start + 0.5 * rng.normal(size=(3, land.n_params))
    ours = land.grad(P, 4)
    idx = torch.tensor(land.batch(4))
    x = torch.tensor(land.x, dtype=torch.float64)[idx]
    y = torch.tensor(land.y, dtype=torch.float64)[idx]
    act = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[activation]
    for row, params in zip(ours, P):
        p = torch.tensor(params, dtype=torch.float64, requires_grad=True)
        h, at = x, 0
        sizes = land.sizes
        for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            W = p[at : at + fan_out * fan_in].reshape(fan_out, fan_in)
            b = p[at + fan_out * fan_in : at + fan_out * fan_in + fan_out]
            at += fan_out * fan_in + fan_out
            h = h @ W.T + b
            if k < len(sizes) - 2:
                h = act(h)
        torch.nn.functional.binary_cross_entropy_with_logits(h.squeeze(1), y).backward()
        np.testing.assert_allclose(row, p.grad.numpy(), rtol=1e-10, atol=1e-14)
