"""The network kind: its schema's faults as PATH:LINE lines, its bounds, its export."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from lrgame.commands.export import export_level
from lrgame.levels import LevelError, parse_level
from lrgame.yamlsafe import load_yaml_text

BASE = """\
kind: network
id: net
title: A net
data: {shape: moons, points: 80, noise: 0.1, seed: 2}
network: {hidden: [6, 5], activation: tanh, seed: 1}
goal: {loss_below: 0.1, max_iterations: 200}
lr: {default: 0.1, min: 1e-3, max: 10}
"""


def load(text: str):
    return parse_level(load_yaml_text(textwrap.dedent(text), "net.yaml"))


def fault(text: str) -> str:
    with pytest.raises(LevelError) as info:
        load(text)
    return str(info.value)


def test_a_network_level_loads():
    level = load(BASE)
    assert level.landscape().sizes == [2, 6, 5, 1]
    assert level.landscape().n_params == 2 * 6 + 6 + 6 * 5 + 5 + 5 + 1


@pytest.mark.parametrize(
    "old, new, where, words",
    [
        ("shape: moons", "shape: donut", "net.yaml:4:", "data.shape"),
        ("hidden: [6, 5]", "hidden: [6, 500]", "net.yaml:5:", "less than or equal to 32"),
        ("hidden: [6, 5]", "hidden: [2, 2, 2, 2, 2]", "net.yaml:5:", "at most 4"),
        ("activation: tanh", "activation: gelu", "net.yaml:5:", "network.activation"),
        ("points: 80", "points: 5000", "net.yaml:4:", "less than or equal to 1000"),
        ("points: 80", "points: [[0, 0, 1], [1, 1, 2]]", "net.yaml:4:", "data.points"),
        (
            "shape: moons, points: 80",
            "points: [[0, 0, 1], [1, 1, 1]]",
            "net.yaml:4:",
            "both labels",
        ),
        ("shape: moons, points: 80", "points: 80", "net.yaml:4:", "data needs a shape"),
        ("shape: moons", "shape: moons, sead: 3", "net.yaml:4:", "did you mean 'seed'"),
        ("max_iterations: 200", "max_iterations: 100000", "net.yaml:6:", "too costly"),
    ],
)
def test_faults_are_one_line_each(old, new, where, words):
    text = fault(BASE.replace(old, new))
    assert text.startswith(where), text
    assert words in text, text
    assert "\n" not in text and "Traceback" not in text


def test_batch_size_above_the_points_is_refused():
    text = fault(BASE + "batch_size: 81\n")
    assert text.startswith("net.yaml:8:") and "more than the 80" in text


def test_the_biggest_network_stays_within_the_work_bounds():
    big = BASE.replace("points: 80", "points: 1000").replace("[6, 5]", "[32, 32, 32, 32]")
    text = fault(big)
    assert "too costly" in text and "allow at most" in text
    most = int(text.split("allow at most ")[1].split(" ")[0].replace(",", ""))
    assert 1 <= most < 200
    load(big.replace("max_iterations: 200", f"max_iterations: {most}"))


def test_listed_points_are_the_data():
    level = load(
        BASE.replace("shape: moons, points: 80", "points: [[0, 0, 0], [1, 1, 1], [0.5, -2, 1]]")
    )
    land = level.landscape()
    assert land.x.tolist() == [[0, 0], [1, 1], [0.5, -2]]
    assert land.y.tolist() == [0, 1, 1]


def test_the_export_holds_the_network_as_pytorch_stores_it():
    level = load(BASE + "batch_size: 16\nseed: 3\n")
    data = export_level(level)
    assert data["kind"] == "network" and data["activation"] == "tanh"
    assert np.array(data["x"]).shape == (80, 2) and len(data["y"]) == 80
    shapes = [np.array(layer["W"]).shape for layer in data["layers"]]
    assert shapes == [(6, 2), (5, 6), (1, 5)]  # out x in, input first
    assert [len(layer["b"]) for layer in data["layers"]] == [6, 5, 1]
    assert len(data["batches"]) == 200 and all(len(b) == 16 for b in data["batches"])
    land = level.landscape()
    assert data["batches"][7] == land.batch(7).tolist()
    flat = np.concatenate([np.concatenate([np.ravel(L["W"]), L["b"]]) for L in data["layers"]])
    assert np.array_equal(flat, land.start)
    assert list(data["start"].values()) == land.start.tolist()
    assert data["goal"]["max_iterations"] == 200
    assert export_level(load(BASE))["batches"] is None


@pytest.mark.parametrize("ref", ["x-squared", "noisy-line", "child-and-dogs", "stretched-bowl"])
def test_export_works_for_every_kind(ref):
    out = subprocess.run(
        [sys.executable, "-m", "lrgame", "export", ref, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"kind", "start", "goal"} <= set(data)
    assert data["start"]


def test_the_registry_finds_the_kind_in_its_module():
    from lrgame.levels.kinds.network import NetworkLevel
    from lrgame.levels.registry import LEVEL_KINDS

    assert LEVEL_KINDS["network"] is NetworkLevel
    assert type(load(BASE)) is NetworkLevel


def test_a_network_takes_optimizers_and_races_the_autopilot():
    level = load(BASE + "optimizers: [momentum:beta=0.9, adam]\n")
    assert [o.spec() for o in level.optimizer_tools()] == [
        "sgd",
        "momentum:beta=0.9",
        "adam:beta1=0.9,beta2=0.999,eps=1e-08",
    ]
    out = subprocess.run(
        [sys.executable, "-m", "lrgame", "run", "four-rates", "--lr", "0.05"]
        + ["--optimizer", "adam", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["optimizer"].startswith("adam") and report["iterations"] >= 1
    from lrgame.autopilot import autopilot_optimizer

    pilot = autopilot_optimizer(load(BASE))
    assert pilot is not None and pilot.sets_own_rate


def test_a_preloading_server_leaves_the_networks_par_to_the_board(monkeypatch):
    from lrgame.levels import campaign
    from lrgame.levels.base import LevelBase

    found = []
    monkeypatch.setattr(LevelBase, "compute_par", lambda self: found.append(self.kind))
    monkeypatch.setattr(campaign, "_PRELOADED", {})
    campaign.preload_shipped(par=True)
    assert "network" not in found and "landscape" in found
    kinds = {level.kind for _sig, level in campaign._PRELOADED.values()}
    assert "network" in kinds  # read, only its par left out
