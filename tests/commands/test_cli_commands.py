"""The command line's contracts: text, JSON keys, exit codes, one-line errors."""

import json
import subprocess
import sys
import textwrap

import pytest

from lrgame.__main__ import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_the_walk_through_table(capsys):
    code, out, _ = run(capsys, "run", "x-squared", "--lr", "0.1")
    assert code == 0
    assert "d loss / d x = 2*x" in out
    lines = out.splitlines()
    row3 = next(ln for ln in lines if ln.split()[:1] == ["3"])
    assert row3.split() == ["3", "1.024", "2.048", "0.2048", "1.049"]
    assert "cleared after" in out


def test_run_json_contract(capsys):
    code, out, _ = run(capsys, "run", "x-squared", "--lr", "0.1", "--json")
    assert code == 0
    report = json.loads(out)
    assert {
        "level",
        "lr",
        "outcome",
        "iterations",
        "final_loss",
        "stars",
        "score",
        "trajectory",
    } <= report.keys()
    assert report["outcome"] == "cleared"
    traj = report["trajectory"]
    assert len(traj) == report["iterations"] + 1
    assert traj[0] == {
        "iteration": 0,
        "params": {"x": 2.0},
        "gradient": {"x": 4.0},
        "loss": 4.0,
        "lr": None,
    }
    assert traj[1]["lr"] == 0.1 and traj[1]["params"]["x"] == pytest.approx(1.6)
    # 2 * 0.8**k <= 1e-3 (loss <= 1e-6) first at k = 35
    assert report["iterations"] == 35


def test_run_outcomes_and_stars(capsys):
    _, out, _ = run(capsys, "run", "x-squared", "--lr", "0.5", "--json")
    best = json.loads(out)
    assert (best["outcome"], best["iterations"], best["stars"], best["score"]) == (
        "cleared",
        1,
        3,
        1000,
    )
    _, out, _ = run(capsys, "run", "x-squared", "--lr", "1.5", "--json")
    blown = json.loads(out)
    assert blown["outcome"] == "diverged" and blown["stars"] == 0 and blown["score"] == 0
    _, out, _ = run(capsys, "run", "x-squared", "--lr", "1e-4", "--json")
    crawl = json.loads(out)
    assert crawl["outcome"] == "out_of_budget" and crawl["iterations"] == 50


def test_run_with_a_schedule_records_every_rate(capsys):
    _, out, _ = run(
        capsys,
        "run",
        "x-squared",
        "--lr",
        "0.4",
        "--schedule",
        "step:step_size=2,gamma=0.5",
        "--max-iterations",
        "5",
        "--json",
    )
    report = json.loads(out)
    assert [e["lr"] for e in report["trajectory"][1:]] == [0.4, 0.4, 0.2, 0.2, 0.1][
        : report["iterations"]
    ]


def test_levels_json(capsys):
    code, out, _ = run(capsys, "levels", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["id"] == "x-squared"
    for r in rows:
        assert {
            "id",
            "title",
            "kind",
            "story",
            "n_params",
            "par",
            "best_lr",
            "max_stable_lr",
            "chapter",
        } <= r.keys()
    first = rows[0]
    assert first["par"] == 1 and first["best_lr"] == pytest.approx(0.5, rel=1e-3)


def test_sweep_json_and_text(capsys):
    code, out, _ = run(capsys, "sweep", "x-squared", "--points", "50", "--json")
    assert code == 0
    report = json.loads(out)
    assert len(report["points"]) == 50
    lrs = [p["lr"] for p in report["points"]]
    assert lrs == sorted(lrs) and lrs[0] == pytest.approx(1e-5) and lrs[-1] == pytest.approx(10)
    assert {p["outcome"] for p in report["points"]} == {"cleared", "out_of_budget", "diverged"}
    assert report["par"] == 1
    code, out, _ = run(capsys, "sweep", "stretched-bowl", "--points", "30")
    assert code == 0 and "iterations against log10(lr)" in out


def test_validate_every_shipped_level(capsys):
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "x-squared.yaml: ok" in out and "par 1" in out


def test_validate_reports_unsolvable_and_unbounded_levels(capsys, tmp_path):
    cube = tmp_path / "cube.yaml"
    cube.write_text(
        textwrap.dedent("""\
        id: cube
        title: A slope example, not a loss
        params: {x: 2.0}
        loss: "5*x**3"
        goal: {loss_below: 1e-6, max_iterations: 50}
        lr: {default: 0.01, min: 1e-5, max: 1}
    """)
    )
    code, _, err = run(capsys, "validate", str(cube))
    assert code == 1
    assert "unbounded or mis-declared" in err
    # a well-formed but unsolvable level still plays
    code, out, _ = run(capsys, "run", str(cube), "--lr", "0.5", "--json")
    assert code == 0 and json.loads(out)["outcome"] == "diverged"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "x-squared", "--lr", "abc"], "--lr must be a number"),
        (["run", "x-squared", "--lr", "-1"], "positive"),
        (["run", "x-squared", "--lr", "nan"], "positive finite"),
        (["run", "x-squared", "--lr", "0.1", "--schedule", "warp"], "unknown schedule"),
        (["run", "nope", "--lr", "0.1"], "no shipped level"),
        (["sweep", "x-squared", "--min", "1", "--max", "0.1"], "--min must be below --max"),
    ],
)
def test_usage_errors_exit_2_in_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err


def test_a_bad_level_exits_1_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\ntitle: t\nparams: {x: 1}\nloss: 'x ^ 2'\n"
        "goal: {loss_below: 1e-6, max_iterations: 5}\n"
        "lr: {default: 0.1, min: 0.01, max: 1}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "lrgame", "run", str(bad), "--lr", "0.1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"{bad}:4: loss: '^' is not an operator here: write ** for powers"
    assert "Traceback" not in proc.stderr
