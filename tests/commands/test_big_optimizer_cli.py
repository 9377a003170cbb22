"""run, sweep, range-test and validate with an optimiser on bowls of more than 1,000
parameters: the forecasts play the bowl's twin and tell what the whole bowl does; Adam
on starts that are all different is refused in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.engine import Run, simulate
from lrgame.engine.optimizers import parse_optimizer
from lrgame.engine.range_test import range_test
from tests.levels.big_bowl import BOWL


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bowl_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(BOWL)
    return path


@pytest.mark.parametrize(
    ("spec", "lr"),
    [
        ("momentum:beta=0.9", 0.02),  # clears
        ("momentum:beta=0.9", 0.001),  # out of budget
        ("momentum:beta=0.9", 0.2),  # diverges
        ("hypergradient:beta=1e-8", 0.05),  # out of budget, its rate rising
    ],
)
def test_run_tells_from_the_first_step_how_the_whole_bowl_ends(capsys, bowl_file, spec, lr):
    code, out, _ = run(capsys, "run", bowl_file, "--lr", lr, "--optimizer", spec, "--json")
    assert code == 0
    report = json.loads(out)
    level = L.load_level(bowl_file)
    whole = Run(level.landscape(), level.engine_goal, optimizer=parse_optimizer(spec))
    whole.play([lr] * 200)
    assert (report["outcome"], report["iterations"]) == (whole.outcome.value, whole.iteration)
    first = report["trajectory"][1]["diagnosis"]
    assert first["forecast"] == {"outcome": whole.outcome.value, "iterations": whole.iteration}
    if whole.outcome.value == "cleared":
        assert f"the goal is reached at step {whole.iteration}" in first["text"]


def test_sweep_plays_the_twin_and_says_what_every_parameter_does(capsys, bowl_file):
    spec = "hypergradient:beta=1e-8"
    code, out, _ = run(capsys, "sweep", bowl_file, "--optimizer", spec, "--points", 25, "--json")
    assert code == 0
    points = json.loads(out)["points"]
    level = L.load_level(bowl_file)
    rates = [p["lr"] for p in points]
    whole = simulate(level.landscape(), rates, level.engine_goal, optimizer=parse_optimizer(spec))
    assert [p["outcome"] for p in points] == [whole.outcome(i).value for i in range(25)]
    assert [p["iterations"] for p in points] == whole.iterations.tolist()
    assert {p["outcome"] for p in points} >= {"cleared", "diverged"}


def test_range_test_under_momentum_is_the_whole_bowls(capsys, bowl_file):
    opt = parse_optimizer("momentum:beta=0.9")
    code, out, _ = run(capsys, "range-test", bowl_file, "--optimizer", opt.spec(), "--json")
    assert code == 0
    report = json.loads(out)
    level = L.load_level(bowl_file)
    whole = range_test(level.landscape(), level.lr.min, level.lr.max, 100, optimizer=opt)
    losses = [p["loss"] for p in report["points"]]
    assert len(losses) == whole.losses.size > 10
    assert np.allclose(losses, whole.losses, rtol=1e-12, atol=0)


def test_validate_passes_the_bowl_and_refuses_adam_in_one_line(capsys, bowl_file):
    code, out, _ = run(capsys, "validate", bowl_file, "--quiet")
    assert code == 0 and "ok" in out
    text = BOWL.replace("hypergradient:beta=1e-8", "adam")
    bowl_file.write_text(text)
    at = 1 + next(i for i, line in enumerate(text.splitlines()) if "adam" in line)
    code, out, err = run(capsys, "validate", bowl_file)
    lines = (out + err).strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith(f"{bowl_file}:{at}: ")
    assert "adam has no smaller twin here" in lines[0]


def test_an_optimizer_on_million_bowl(capsys):
    code, out, _ = run(
        capsys, "run", "million-bowl", "--lr", "0.004", "--optimizer", "momentum:beta=0.9",
        "--max-iterations", "3", "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["optimizer"] == "momentum:beta=0.9" and report["iterations"] == 3
    spec = "hypergradient:beta=0.001"
    code, out, _ = run(capsys, "sweep", "million-bowl", "--optimizer", spec, "--points", 5)
    assert code == 0 and "par 136" in out
    code, _, err = run(capsys, "sweep", "million-bowl", "--optimizer", "adam", "--points", 5)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "no two of this bowl's 1,000,000 parameters" in err


def test_a_challenge_pins_momentum_on_the_big_bowl_and_grades_it(capsys, tmp_path, bowl_file):
    challenge = tmp_path / "week.yaml"
    challenge.write_text(
        "title: Momentum on many\nlevels:\n  - level: big.yaml\n"
        "    optimizer: momentum:beta=0.9\nrules:\n  attempts: 2\n"
    )
    code, out, _ = run(capsys, "challenge", challenge)
    assert code == 0 and "played with momentum:beta=0.9 only" in out
    result = tmp_path / "ann.json"
    argv = ["run", "big-momentum", "--lr", "0.02", "--challenge", challenge]
    code, _, _ = run(capsys, *argv, "--replay", result, "--player", "ann")
    assert code == 0
    attempt = json.loads(result.read_text())["attempts"][0]
    level = L.load_level(bowl_file)
    whole = Run(level.landscape(), level.engine_goal, optimizer=parse_optimizer("momentum"))
    whole.play([0.02] * 200)
    assert attempt["optimizer"] == "momentum:beta=0.9"
    assert (attempt["outcome"], attempt["iterations"]) == ("cleared", whole.iteration)
    code, out, _ = run(capsys, "grade", result, "--challenge", challenge)
    assert code == 0 and "1 accepted, 0 rejected" in out
    forged = json.loads(result.read_text())
    forged["attempts"][0]["iterations"] -= 1
    result.write_text(json.dumps(forged))
    code, out, _ = run(capsys, "grade", result, "--challenge", challenge)
    assert code == 1 and "changed iterations" in out
