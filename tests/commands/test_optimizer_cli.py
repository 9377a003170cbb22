"""--optimizer on run, sweep and range-test; levels that offer optimisers; result files
that record one, graded by re-simulation, with a forged setting refused."""

from __future__ import annotations

import json
import textwrap

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.engine import Run, simulate
from lrgame.engine.optimizers import parse_optimizer

LEVEL = textwrap.dedent(
    """\
    id: offers-momentum
    title: A valley that offers momentum
    params: {x: 3.0, y: 1.0}
    loss: "0.5*x**2 + 25*y**2"
    goal: {loss_below: 1e-6, max_iterations: 300}
    lr: {default: 0.01, min: 1e-4, max: 1}
    optimizers: ["momentum:beta=0.9", "hypergradient:beta=1e-05"]
    """
)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def level_file(tmp_path):
    path = tmp_path / "offers-momentum.yaml"
    path.write_text(LEVEL)
    return path


def test_run_json_names_the_optimizer_and_each_steps_rate(capsys, level_file):
    code, out, _ = run(
        capsys,
        "run",
        level_file,
        "--lr",
        "0.01",
        "--optimizer",
        "hypergradient:beta=1e-05",
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    assert report["optimizer"] == "hypergradient:beta=1e-05"
    level = L.load_level(level_file)
    want = Run(
        level.landscape(), level.engine_goal, optimizer=parse_optimizer("hypergradient:beta=1e-05")
    )
    want.play([0.01] * 300)
    rates = [e["lr"] for e in report["trajectory"]]
    assert rates[0] is None and rates[1:] == want.lrs
    assert len(set(rates[1:])) > 5
    assert report["iterations"] == want.iteration


def test_sweep_json_is_the_optimizers_sweep(capsys, level_file):
    code, out, _ = run(
        capsys, "sweep", level_file, "--optimizer", "momentum:beta=0.9", "--points", "7", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["optimizer"] == "momentum:beta=0.9"
    level = L.load_level(level_file)
    lrs = [p["lr"] for p in report["points"]]
    batch = simulate(
        level.landscape(), lrs, level.engine_goal, optimizer=parse_optimizer("momentum")
    )
    assert [p["iterations"] for p in report["points"]] == batch.iterations.tolist()


def test_range_test_with_momentum_and_not_with_the_hypergradient(capsys, level_file):
    code, out, _ = run(capsys, "range-test", level_file, "--optimizer", "momentum", "--json")
    assert code == 0 and json.loads(out)["optimizer"] == "momentum:beta=0.9"
    code, _, err = run(capsys, "range-test", level_file, "--optimizer", "hypergradient:beta=1")
    assert code == 2 and "sets its own rate" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["run", "x-squared", "--lr", "0.1", "--optimizer", "nadam"], "unknown optimizer 'nadam'"),
        (["run", "x-squared", "--lr", "0.1", "--optimizer", "adam:beta1=1.5"], "beta1 must be"),
        (
            [
                "run",
                "x-squared",
                "--lr",
                "0.1",
                "--optimizer",
                "hypergradient:beta=0.1",
                "--schedule",
                "step:step_size=3",
            ],
            "drop --schedule",
        ),
        (["sweep", "x-squared", "--optimizer", "momentum:beta=x"], "not a number"),
        (["run", "child-and-dogs", "--lr", "0.1", "--optimizer", "adam"], "no optimizers"),
    ],
)
def test_bad_optimizers_are_one_line_usage_errors(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1 and not out


def test_par_is_the_best_over_what_the_level_offers(capsys, level_file):
    level = L.load_level(level_file)
    par = level.compute_par()
    plain = L.load_level(level_file).model_copy(update={"optimizers": []}).compute_par()
    assert par.optimizer.name == "momentum" and par.par < plain.par
    check = simulate(level.landscape(), [par.best_lr], level.engine_goal, optimizer=par.optimizer)
    assert check.cleared[0] and int(check.iterations[0]) == par.par
    code, out, _ = run(capsys, "validate", level_file, "--quiet")
    assert code == 0


def test_a_bad_optimizer_in_a_level_is_one_line_with_its_place(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(LEVEL.replace('"momentum:beta=0.9"', '"rmsprop:alpha=0.9"'))
    code, out, err = run(capsys, "validate", path)
    assert code == 1
    line = (out + err).strip().splitlines()[0]
    assert line.startswith(f"{path}:7:") and "unknown optimizer 'rmsprop'" in line


def test_a_replay_with_momentum_grades_and_a_forged_beta_is_refused(capsys, tmp_path, level_file):
    honest = tmp_path / "honest.json"
    code, _, _ = run(
        capsys,
        "run",
        level_file,
        "--lr",
        "0.02",
        "--optimizer",
        "momentum:beta=0.9",
        "--replay",
        honest,
        "--player",
        "ada",
    )
    assert code == 0
    data = json.loads(honest.read_text())
    assert data["attempts"][0]["optimizer"] == "momentum:beta=0.9"
    code, out, _ = run(capsys, "grade", honest, "--level", level_file, "--json")
    assert code == 0 and json.loads(out)["entries"][0]["status"] == "accepted"

    def forged(name, change):
        d = json.loads(honest.read_text())
        change(d["attempts"][0])
        path = tmp_path / name
        path.write_text(json.dumps(d))
        code, out, _ = run(capsys, "grade", path, "--level", level_file)
        assert code == 1
        return out

    out = forged("beta.json", lambda a: a.update(optimizer="momentum:beta=0.99"))
    assert "the level offers momentum only as momentum:beta=0.9" in out
    out = forged("adam.json", lambda a: a.update(optimizer="adam"))
    assert "does not offer the adam optimizer" in out
    out = forged("junk.json", lambda a: a.update(optimizer="momentum:beta=\u202e9"))
    assert "rejected" in out
    # the same rates under plain descent are another run: its claims do not hold
    out = forged("plain.json", lambda a: a.update(optimizer="sgd"))
    assert "rejected" in out and "changed" in out


def test_a_hypergradient_replay_records_the_start_rate_and_grades(capsys, tmp_path, level_file):
    path = tmp_path / "hd.json"
    code, _, _ = run(
        capsys,
        "run",
        level_file,
        "--lr",
        "0.01",
        "--optimizer",
        "hypergradient:beta=1e-05",
        "--replay",
        path,
        "--player",
        "ada",
    )
    assert code == 0
    attempt = json.loads(path.read_text())["attempts"][0]
    assert set(attempt["lrs"]) == {0.01} and attempt["schedule"] == "constant"
    code, out, _ = run(capsys, "grade", path, "--level", level_file, "--json")
    assert json.loads(out)["entries"][0]["status"] == "accepted"
    d = json.loads(path.read_text())
    d["attempts"][0]["lrs"][5] = 0.02  # a rate changed by hand: the autopilot has none
    d["attempts"][0]["schedule"] = "manual"
    path.write_text(json.dumps(d))
    code, out, _ = run(capsys, "grade", path, "--level", level_file)
    assert code == 1 and "sets its own rate" in out


def test_levels_json_lists_the_optimizers_and_the_best(capsys):
    code, out, _ = run(capsys, "levels", "--json")
    rows = json.loads(out)
    assert all(r["optimizers"][0] == "sgd" for r in rows)
    assert all("best_optimizer" in r for r in rows)


def test_sgd_result_files_without_the_key_still_grade(capsys, tmp_path):
    path = tmp_path / "old.json"
    code, _, _ = run(capsys, "run", "x-squared", "--lr", "0.5", "--replay", path, "--player", "bo")
    d = json.loads(path.read_text())
    del d["attempts"][0]["optimizer"]
    path.write_text(json.dumps(d))
    code, out, _ = run(capsys, "grade", path)
    assert code == 0, out


BIG_BOWL = textwrap.dedent(
    """\
    id: big-adam
    title: Big
    kind: bowl
    n: 2000
    curvature: {min: 1, max: 10, spacing: log}
    start: {seed: 3, scale: 1.0}
    goal: {loss_below: 1e-3, max_iterations: 100}
    lr: {default: 0.1, min: 1e-3, max: 1}
    optimizers: [adam]
    """
)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t, "adam has no smaller twin here"),
        (
            lambda t: t.replace("n: 2000", "n: 500").replace(
                "optimizers: [adam]",
                'optimizers: [adam, momentum, "momentum:beta=0.5", "hypergradient:beta=0.01"]\n'
                "schedules: [step, exponential, cosine]",
            ),
            "16 pairs here (at most 12)",
        ),
        (
            lambda t: t.replace("n: 2000", "n: 999").replace(
                "max_iterations: 100", "max_iterations: 2000"
            ),
            "adam's sweep runs every parameter",
        ),
    ],
)
def test_costly_optimizers_are_refused_in_one_line(capsys, tmp_path, change, words):
    path = tmp_path / "big.yaml"
    path.write_text(change(BIG_BOWL))
    code, out, err = run(capsys, "validate", path)
    assert code == 1
    line = (out + err).strip().splitlines()[0]
    assert line.startswith(f"{path}:9:") and words in line


def test_no_adam_on_a_million_parameters_with_different_starts(capsys):
    code, _, err = run(capsys, "run", "million-bowl", "--lr", "0.1", "--optimizer", "adam")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "adam has no smaller twin here" in err and "1,000,000 parameters" in err
