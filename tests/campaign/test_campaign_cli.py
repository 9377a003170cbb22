"""The campaign's command line: range-test, levels --json for every kind, bad level files."""

import json
import textwrap
import time

import pytest

from lrgame.__main__ import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_range_test_json_contract(capsys):
    code, out, _ = run(capsys, "range-test", "fit-a-line", "--min", "1e-4", "--max", "3", "--json")
    assert code == 0
    report = json.loads(out)
    assert {"points", "suggested_lr", "rule"} <= report.keys()
    lrs = [p["lr"] for p in report["points"]]
    assert lrs == sorted(lrs) and lrs[0] == pytest.approx(1e-4)
    assert all(set(p) == {"lr", "loss"} for p in report["points"])
    assert report["stopped_early"] and lrs[-1] < 3
    assert 1e-4 < report["suggested_lr"] < 3
    assert "falls fastest" in report["rule"]


def test_range_test_uses_the_levels_own_settings(capsys):
    code, out, _ = run(capsys, "range-test", "range-finder", "--json")
    report = json.loads(out)
    assert code == 0 and report["min"] == 1e-5 and report["max"] == 10 and report["steps"] == 200
    code, out, _ = run(capsys, "range-test", "range-finder", "--steps", "50", "--json")
    assert json.loads(out)["steps"] == 50


def test_range_test_text_draws_the_chart(capsys):
    code, out, _ = run(capsys, "range-test", "hundred-bowl", "--steps", "60")
    assert code == 0
    assert "range test, loss against the learning rate" in out
    assert "suggested lr" in out and "\x1b[" not in out


def test_range_test_chart_has_decade_ticks_and_the_levels_title(capsys):
    """Ticks at powers of ten (not 0.00001 / 0.00019 / 0.00365 ...), titled by the
    level's title, not its id."""
    from lrgame.levels import find_level

    code, out, _ = run(capsys, "range-test", "coarse-to-fine")
    assert code == 0
    title = find_level("coarse-to-fine").title
    assert f"{title}: range test" in out and "coarse-to-fine: range test" not in out
    axis = next(line for line in out.splitlines() if "1e-5" in line)
    assert all(f"1e-{k}" in axis for k in range(2, 8)), axis
    assert "0.0001" not in out and "0.00001" not in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["range-test", "fit-a-line", "--min", "1", "--max", "0.1"], "must be below --max"),
        (["range-test", "fit-a-line", "--steps", "2"], "--steps must be from 3"),
        (["range-test", "fit-a-line", "--min", "zero"], "--min must be a number"),
    ],
)
def test_range_test_usage_errors(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_levels_computes_each_level_s_par_once(capsys, monkeypatch):
    from lrgame.levels import base as levels  # par is found and cached there

    monkeypatch.delenv("LRGAME_PAR_CACHE_DIR", raising=False)  # none stored yet
    calls = []
    real = levels.find_par
    monkeypatch.setattr(levels, "find_par", lambda *a, **k: calls.append(1) or real(*a, **k))
    # The cache itself is emptied, not swapped for a new one: the pars found here (a minute
    # of CPU, most of it the network chapter's) serve the tests after this one.
    levels._PAR_CACHE.clear()
    t0 = time.process_time()
    code, out, _ = run(capsys, "levels")
    assert code == 0 and "million-bowl" in out
    assert time.process_time() - t0 < 600  # a hang guard: tens of CPU seconds here
    first = len(calls)
    assert first > 0
    code, again, _ = run(capsys, "levels")  # par is cached per level content
    assert code == 0 and again == out and len(calls) == first


def test_levels_json_describes_every_kind(capsys):
    code, out, _ = run(capsys, "levels", "--json")
    assert code == 0
    rows = {r["id"]: r for r in json.loads(out)}
    for r in rows.values():
        assert {"kind", "chapter", "par", "best_lr", "stochastic", "best_schedule"} <= r.keys()
        assert r["par"] is not None
    assert rows["million-bowl"]["kind"] == "bowl"
    assert rows["million-bowl"]["n_params"] == 1_000_000
    assert rows["fit-a-line"]["kind"] == "regression" and not rows["fit-a-line"]["stochastic"]
    assert rows["noisy-line"]["stochastic"] and rows["noisy-line"]["goal"]["hold"] == 10
    assert rows["slow-down"]["best_schedule"].startswith(("step", "exponential", "cosine"))
    assert rows["coarse-to-fine"]["trials"] == {"cost": 50}
    assert rows["range-finder"]["range_test"] == {"min": 1e-5, "max": 10, "steps": 200}


def test_run_a_stochastic_level_shows_batch_and_all_data_loss(capsys):
    code, out, _ = run(capsys, "run", "noisy-line", "--lr", "0.013", "--json")
    report = json.loads(out)
    assert code == 0 and report["outcome"] == "cleared"
    assert {"loss", "full_loss"} <= report["trajectory"][1].keys()
    assert report["final_loss"] == report["trajectory"][-1]["full_loss"]
    code, out, _ = run(capsys, "run", "noisy-line", "--lr", "0.013", "--max-iterations", "5")
    assert "batch loss" in out and "all-data loss" in out


def test_run_the_million_bowl_prints_norms(capsys):
    code, out, _ = run(capsys, "run", "million-bowl", "--lr", "0.0195", "--max-iterations", "3")
    assert code == 0 and "|params|" in out


BOWL = """\
id: my-bowl
kind: bowl
title: Mine
n: 50
curvature: {min: 1, max: 10}
start: {seed: 1, scale: 1.0}
goal:
  loss_below: 1e-4
  max_iterations: 200
lr: {default: 0.01, min: 1e-4, max: 1}
"""

LINE = """\
id: my-line
kind: regression
title: Mine
generate: {seed: 1, n: 30, w: 2, b: 1, noise: 0.1}
batch_size: 5
goal:
  loss_below: 1e-3
  max_iterations: 300
lr: {default: 0.01, min: 1e-4, max: 1}
"""


@pytest.mark.parametrize(
    "text, change, line, message",
    [
        (BOWL, ("n: 50", "n: -5"), 4, "n: input should be greater than or equal to 1, got -5"),
        (BOWL, ("n: 50", "n: 5000000"), 4, "n: input should be less than or equal to 2000000"),
        (BOWL, ("n: 50", "n: fifty"), 4, "n: expected a whole number, got 'fifty'"),
        (BOWL, ("{min: 1, max: 10}", "{min: 1, max: 10, spacin: log}"), 5, "unknown key 'spacin'"),
        (BOWL, ("{min: 1, max: 10}", "{min: 10, max: 1}"), 5, "min (10) must not be above max (1)"),
        (BOWL, ("{min: 1, max: 10}", "[1, -3]"), 5, "curvature.1: input should be greater than 0"),
        (BOWL, ("{min: 1, max: 10}", "steep"), 5, "curvature: expected a list of curvatures"),
        (BOWL, ("{seed: 1, scale: 1.0}", "[1, 2, 3]"), 6, "a list of 3 numbers for 50 parameters"),
        (BOWL, ("{seed: 1, scale: 1.0}", "{seed: -1}"), 6, "start.seed: input should be greater"),
        (
            BOWL,
            ("{seed: 1, scale: 1.0}", "{sead: 1}"),
            6,
            "unknown key 'sead' in start (allowed: seed, scale; did you mean 'seed'?)",
        ),
        (BOWL, ("n: 50", "n: 50\ncurvatures: [1]"), 5, "unknown key 'curvatures'"),
        (LINE, ("batch_size: 5", "batch_size: 50"), 5, "50 is more than the 30 data points"),
        (LINE, ("noise: 0.1}", "noise: -1}"), 4, "generate.noise: input should be greater"),
        (
            LINE,
            ("generate:", "points: [[1, 2]]\ngenerate:"),
            4,
            "points: List should have at least 2",
        ),
        (LINE, ("batch_size: 5", "batch_size: 5\nschedules: [warp]"), 6, "unknown schedule 'warp'"),
        (LINE, ("batch_size: 5", "batch_size: 5\ntrials: {cost: -2}"), 6, "trials.cost"),
        (
            LINE,
            ("batch_size: 5", "batch_size: 5\nrange_test: {min: 1, max: 0.1}"),
            6,
            "range_test.min",
        ),
    ],
)
def test_a_faulty_level_of_a_new_kind_is_one_line_with_its_line(
    capsys, tmp_path, text, change, line, message
):
    path = tmp_path / "level.yaml"
    path.write_text(textwrap.dedent(text.replace(*change)))
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:{line}: ") and message in lines[0], lines


def test_a_good_level_of_each_new_kind_validates(capsys, tmp_path):
    for name, text in (("bowl.yaml", BOWL), ("line.yaml", LINE)):
        path = tmp_path / name
        path.write_text(text)
        code, out, err = run(capsys, "validate", str(path))
        assert code == 0 and "ok" in out, err
