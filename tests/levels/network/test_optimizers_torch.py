"""Optimisers on a network: the exported network trained by real ``torch.optim`` (momentum,
Nesterov, Adam) and by SGD-HD written from the paper in torch gives, at every step, the
loss lrgame's run reports, to 1e-9 relative. Skipped without torch; to run it where a
separate venv has torch (same numpy), put its site-packages on the path:
``PYTHONPATH=/work/torchvenv/lib/python3.11/site-packages pytest THIS_FILE``."""

import textwrap

import numpy as np
import pytest

from lrgame.commands.export import export_level
from lrgame.engine import Run
from lrgame.engine.optimizers import parse_optimizer
from lrgame.levels import parse_level
from lrgame.yamlsafe import load_yaml_text

torch = pytest.importorskip("torch")

STEPS = 40


def level(extra: str = ""):
    text = textwrap.dedent(
        """
        kind: network
        id: torch-optimizers
        title: Torch optimisers
        data: {shape: moons, points: 50, noise: 0.1, seed: 5}
        network: {hidden: [6, 4], activation: tanh, seed: 2}
        goal: {loss_below: 0.001, max_iterations: 60}
        lr: {default: 0.1, min: 1e-3, max: 10}
        """
    )
    return parse_level(load_yaml_text(text + extra, "torch-optimizers.yaml"))


class HyperGradient(torch.optim.Optimizer):
    """SGD-HD (Baydin et al. 2018) from its definition: h = g_t . g_{t-1} over every
    parameter (g_{-1} = 0), lr_t = lr_{t-1} + beta h, then p <- p - lr_t g_t."""

    def __init__(self, params, lr, beta):
        super().__init__(params, {"lr": lr, "beta": beta})
        self.last = None

    @torch.no_grad()
    def step(self):
        group = self.param_groups[0]
        g = torch.cat([p.grad.reshape(-1) for p in group["params"]])
        if self.last is not None:
            group["lr"] += group["beta"] * float(g @ self.last)
        self.last = g.clone()
        for p in group["params"]:
            p -= group["lr"] * p.grad


OPTIMIZERS = {
    "momentum:beta=0.9": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9),
    "momentum:beta=0.8,nesterov=true": lambda ps, lr: torch.optim.SGD(
        ps, lr=lr, momentum=0.8, nesterov=True
    ),
    "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr),
    "adam:beta1=0.8,beta2=0.99,eps=1e-6": lambda ps, lr: torch.optim.Adam(
        ps, lr=lr, betas=(0.8, 0.99), eps=1e-6
    ),
    "hypergradient:beta=0.01": lambda ps, lr: HyperGradient(ps, lr, 0.01),
}
RATES = {"momentum": 0.3, "adam": 0.02, "hypergradient": 0.5}


def torch_full_losses(model, data: dict, make, lr: float, steps: int) -> list[float]:
    """The loss over all the points after 0, 1, ..., steps steps of ``make``'s optimiser
    (each step on the exported batch of that step, or on all the points)."""
    x = torch.tensor(data["x"], dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.float64)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = make(list(model.parameters()), lr)
    full = []
    for t in range(steps + 1):
        with torch.no_grad():
            full.append(float(loss_fn(model(x).squeeze(1), y)))
        if t == steps:
            break
        idx = data["batches"][t] if data["batches"] else list(range(len(data["y"])))
        opt.zero_grad()
        loss_fn(model(x[idx]).squeeze(1), y[idx]).backward()
        opt.step()
    return full


@pytest.mark.parametrize("extra", ["", "batch_size: 10\nseed: 3\n"])
@pytest.mark.parametrize("spec", OPTIMIZERS)
def test_every_step_is_torchs(spec, extra, torch_model):
    lv = level(extra)
    lr = RATES[spec.split(":")[0]]
    data = export_level(lv)
    want = torch_full_losses(torch_model(data), data, OPTIMIZERS[spec], lr, STEPS)
    run = Run(lv.landscape(), lv.engine_goal, optimizer=parse_optimizer(spec))
    run.play([lr] * STEPS)
    assert run.iteration == STEPS  # the comparison covers every step
    ours = [s.full_loss for s in run.steps]
    np.testing.assert_allclose(ours, want, rtol=1e-9, atol=0)
    assert abs(ours[-1] - ours[0]) > 1e-2  # the run moved: a real comparison
