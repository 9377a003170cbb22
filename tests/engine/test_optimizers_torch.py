"""The engine's optimisers against real ``torch.optim`` (skipped without torch).

torch is not a dependency of lrgame. To run these where a separate venv has it (same
numpy version), put its site-packages on the path, e.g.
``PYTHONPATH=/work/torchvenv/lib/python3.11/site-packages pytest tests/engine/test_optimizers_torch.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from lrgame.engine import Goal, Run, simulate
from lrgame.engine.landscape import ExpressionLandscape
from lrgame.engine.optimizers import parse_optimizer
from lrgame.engine.schedules import parse_schedule

torch = pytest.importorskip("torch")

LANDSCAPES = {
    "rosenbrock": (
        "(1 - x)**2 + 5*(y - x**2)**2",
        {"x": -1.2, "y": 1.0},
        lambda p: (1 - p[0]) ** 2 + 5 * (p[1] - p[0] ** 2) ** 2,
    ),
    "tilted": (
        "log(1 + (x - 1)**2) + 0.5*tanh(y)**2 + 0.1*x*y",
        {"x": 2.5, "y": -1.5},
        lambda p: torch.log(1 + (p[0] - 1) ** 2) + 0.5 * torch.tanh(p[1]) ** 2 + 0.1 * p[0] * p[1],
    ),
}
STEPS = 60


def torch_path(loss, start, make, lr, scheduler=None):
    p = torch.tensor(list(start.values()), dtype=torch.float64, requires_grad=True)
    opt = make([p], lr)
    sched = scheduler(opt) if scheduler else None
    path, rates = [p.detach().numpy().copy()], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss(p).backward()
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        if sched:
            sched.step()
        path.append(p.detach().numpy().copy())
    return np.array(path), rates


OPTIMIZERS = {
    "momentum:beta=0.9": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9),
    "momentum:beta=0.7,nesterov=true": lambda ps, lr: torch.optim.SGD(
        ps, lr=lr, momentum=0.7, nesterov=True
    ),
    "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr),
    "adam:beta1=0.8,beta2=0.99,eps=1e-6": lambda ps, lr: torch.optim.Adam(
        ps, lr=lr, betas=(0.8, 0.99), eps=1e-6
    ),
}


def _close(a, b, rel=1e-9):
    scale = np.maximum(np.abs(b), 1e-12)
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= rel * scale))


@pytest.mark.parametrize("name", LANDSCAPES)
@pytest.mark.parametrize("spec", OPTIMIZERS)
def test_trajectory_matches_torch(name, spec):
    text, start, loss = LANDSCAPES[name]
    lr = 0.003 if spec.startswith("momentum") else 0.05
    want, _ = torch_path(loss, start, OPTIMIZERS[spec], lr)
    run = Run(
        ExpressionLandscape(text, start), Goal(1e-300, STEPS), optimizer=parse_optimizer(spec)
    )
    run.play([lr] * STEPS)
    assert _close([s.params for s in run.steps], want)


@pytest.mark.parametrize("spec", ["momentum:beta=0.9", "adam"])
def test_a_scheduler_with_an_optimizer_matches_torch(spec):
    text, start, loss = LANDSCAPES["tilted"]
    lr = 0.01 if spec.startswith("momentum") else 0.1
    want, rates = torch_path(
        loss,
        start,
        OPTIMIZERS[spec],
        lr,
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
    )
    land = ExpressionLandscape(text, start)
    sched = parse_schedule("step:step_size=7,gamma=0.5")
    batch = simulate(land, [lr], Goal(1e-300, STEPS), sched, parse_optimizer(spec))
    assert batch.final_loss[0] == pytest.approx(float(land.loss(want[-1:])[0]), rel=1e-9)
    mine = [float(sched.rates(np.array([lr]), t)[0]) for t in range(STEPS)]
    assert _close(mine, rates)
