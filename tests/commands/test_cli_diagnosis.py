"""`lrgame run` carries the diagnosis after every step, with the forecast it is built on."""

import json

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.engine import Goal, parse_schedule, simulate


def run_json(capsys, *argv) -> dict:
    assert main(["run", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "argv",
    [
        ("x-squared", "--lr", "0.1"),
        ("x-squared", "--lr", "0.01", "--max-iterations", "20"),
        ("the-leap", "--lr", "2.5"),
        ("raised-floor", "--lr", "0.5258029050319802"),
        ("slow-down", "--lr", "8", "--schedule", "exponential:gamma=0.7"),
        ("double-well", "--lr", "0.05"),
        ("child-and-dogs", "--lr", "0.2"),
    ],
)
def test_every_entry_after_the_start_carries_a_diagnosis_and_its_forecast(capsys, argv):
    report = run_json(capsys, *argv)
    traj = report["trajectory"]
    assert "diagnosis" not in traj[0]
    for entry in traj[1:]:
        d = entry["diagnosis"]
        assert {"kind", "text", "forecast"} <= d.keys()
        assert d["text"]
        # every later step followed the same rule: the forecast is how the run ended
        assert d["forecast"] == {"outcome": report["outcome"], "iterations": report["iterations"]}
        if "below about" in d["text"]:
            assert d["stable_below"] > 0
        else:
            assert "stable_below" not in d


def test_a_named_rate_bound_is_in_the_json_and_holds(capsys):
    report = run_json(capsys, "quartic", "--lr", "0.5")
    last = report["trajectory"][-1]["diagnosis"]
    edge = last["stable_below"]
    assert last["kind"] == "diverged" and 0.078 < edge < 0.5
    level = L.find_level("quartic")
    rates = [edge * f for f in (0.01, 0.1, 0.5, 0.9, 1.0)]
    assert not simulate(level.landscape(), rates, Goal(1e-300, 3000)).diverged.any()


def test_the_forecast_with_a_schedule_follows_the_schedule(capsys):
    report = run_json(capsys, "settle-the-noise", "--lr", "0.12", "--schedule", "cosine:t_max=80")
    level = L.find_level("settle-the-noise")
    b = simulate(level.landscape(), [0.12], level.engine_goal, parse_schedule("cosine:t_max=80"))
    first = report["trajectory"][1]["diagnosis"]["forecast"]
    assert first == {"outcome": b.outcome(0).value, "iterations": int(b.iterations[0])}


@pytest.mark.parametrize(
    "argv", [("raised-floor", "--lr", "0.2214346357779824"), ("double-well", "--lr", "0.05")]
)
def test_the_text_output_ends_with_the_final_diagnosis(capsys, argv):
    final = run_json(capsys, *argv)["trajectory"][-1]["diagnosis"]["text"]
    assert main(["run", *argv]) == 0
    out = capsys.readouterr().out
    assert " ".join(out.split()).endswith(" ".join(final.split()))


@pytest.mark.parametrize(
    "argv",
    [
        ("stretched-bowl", "--lr", "0.01"),  # clears slowly: a bigger rate is quicker
        ("the-leap", "--lr", "2.5"),  # diverges: a smaller rate
        ("noisy-line", "--lr", "0.05", "--max-iterations", "60"),
        ("long-valley", "--lr", "0.001", "--optimizer", "momentum:beta=0.9"),
    ],
)
def test_the_text_ends_with_the_json_s_last_diagnosis(capsys, argv):
    """The text diagnoses its last step only (not every step, as the JSON does): the same
    words the JSON's last entry holds."""
    last = run_json(capsys, *argv)["trajectory"][-1]["diagnosis"]["text"]
    assert main(["run", *argv]) == 0
    out = capsys.readouterr().out
    assert " ".join(out.split()).endswith(" ".join(last.split()))
