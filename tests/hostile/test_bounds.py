"""Every command's time and memory are bounded by the work, whatever the file and flags.

A run moves every parameter of the level (the game, ``lrgame run``, a replay in
``grade``), par and sweeps move one per distinct curvature; each has its own limit,
and a sweep runs its rates in chunks so that its memory does not grow with them.
"""

from __future__ import annotations

import json

import pytest

from lrgame import levels as L
from lrgame.engine import descent

BOWL = """\
id: big-bowl
kind: bowl
title: A big bowl
n: {n}
curvature: {curvature}
start: {{seed: 1}}
goal: {{loss_below: 1e-300, max_iterations: {budget}}}
lr: {{default: 1e-7, min: 1e-9, max: 1e-6}}
"""


def bowl(tmp_path, n, budget, curvature="{min: 1, max: 1000, values: 1000}", name="bowl.yaml"):
    path = tmp_path / name
    path.write_text(BOWL.format(n=n, budget=budget, curvature=curvature))
    return path


def test_a_bowls_run_cost_counts_every_parameter_not_only_its_curvatures(tmp_path):
    # one curvature makes par cheap; a run still moves 2,000,000 numbers every step
    path = bowl(tmp_path, 2_000_000, 100_000, curvature="[1]")
    with pytest.raises(L.LevelError, match="one run of 100,000 steps over 2,000,000 parameters"):
        L.load_level(path)
    at_the_limit = bowl(tmp_path, 1_000_000, 999, curvature="[1]", name="ok.yaml")
    level = L.load_level(at_the_limit)
    assert level.goal.max_iterations * level.run_step_cost() <= L.MAX_RUN_COST
    over = bowl(tmp_path, 1_000_000, 1000, curvature="[1]", name="over.yaml")
    with pytest.raises(L.LevelError, match="allow at most 999 steps"):
        L.load_level(over)


def test_the_million_bowl_is_shipped_and_within_every_limit():
    level = L.load_level(L.shipped_path("million-bowl"))
    assert level.n_params == 1_000_000
    assert level.goal.max_iterations * level.run_step_cost() <= L.MAX_RUN_COST
    assert L.most_sweep_points(level) >= 10_000


def test_flags_cannot_ask_a_command_for_more_work_than_a_level_may(tmp_path, lrgame_cli):
    path = bowl(tmp_path, 1_000_000, 100)
    for args, flag in [
        (("run", str(path), "--lr", "1e-9", "--max-iterations", "100000"), "--max-iterations"),
        (("range-test", str(path), "--steps", "10000"), "--steps"),
        (("sweep", str(path), "--points", "100000"), "--points"),
    ]:
        result = lrgame_cli(*args, cwd=tmp_path, timeout=60)
        assert result.returncode == 2, result.output
        assert "Traceback" not in result.output
        assert result.stdout == ""
        (line,) = result.stderr.strip().splitlines()
        assert flag in line and "too costly on this level" in line, line


def test_a_chunked_sweep_gives_exactly_what_one_vectorised_sweep_gives(monkeypatch, tmp_path):
    level = L.load_level(bowl(tmp_path, 3000, 40, "{min: 1, max: 100, values: 30}"))
    from lrgame.engine.sweep import log_rates, sweep

    rates = log_rates(1e-3, 0.05, 97)
    whole = sweep(level.sweep_landscape(), level.engine_goal, rates)
    monkeypatch.setattr(descent, "CHUNK_NUMBERS", 7 * 30)  # chunks of 7 rates, the last short
    chunked = sweep(level.sweep_landscape(), level.engine_goal, rates)
    for name in descent._BATCH_ARRAYS:
        assert getattr(chunked, name).tolist() == getattr(whole, name).tolist(), name
    assert chunked.start_loss == whole.start_loss


def test_a_chunked_sweep_of_the_child_gives_what_one_sweep_gives(monkeypatch):
    from lrgame.engine import dogs as E

    level = L.load_level(L.shipped_path("child-and-dogs"))
    rates = [[0.01] * level.engine_goal.max_iterations, [0.5] * level.engine_goal.max_iterations]
    for lrs in (E.np.geomspace(1e-3, 1, 41), E.np.array(rates)):
        whole = level.sweep_rates(lrs)
        monkeypatch.setattr(descent, "CHUNK_NUMBERS", 1)  # one rate at a time
        chunked = level.sweep_rates(lrs)
        monkeypatch.undo()
        for name in descent._BATCH_ARRAYS:
            assert getattr(chunked, name).tolist() == getattr(whole, name).tolist(), name


def _dogs_at_the_limits() -> str:
    features = {f"f{i}": f"feature {i}" for i in range(16)}

    def animal(name, value):
        return {"name": name, **{f: value for f in features}}

    doc = {
        "id": "many-dogs",
        "kind": "child-and-dogs",
        "title": "Many dogs",
        "features": features,
        "first_dogs": {
            "lr": 0.3,
            "animals": [animal(f"d{i}", 0.9) for i in range(L.MAX_ANIMALS)],
        },
        "stream": [animal(f"s{i}", 0.1 + 0.8 * (i % 2)) for i in range(L.MAX_ANIMALS)],
        "quiz": {
            "black_dog": animal("b", 0.9),
            "white_dog": animal("w", 0.1),
            "brown_dog": animal("br", 0.5),
            "cat": animal("c", 0.0),
        },
        "decision": {"threshold": 2.0, "min_spread": 0.1},
        "lr": {"default": 0.01, "min": 0.001, "max": 1},
    }
    return json.dumps(doc)  # JSON is YAML


@pytest.mark.parametrize(
    "name, points",
    [("bowl", "100000"), ("dogs", "2000")],
)
def test_a_sweep_of_many_rates_fits_in_a_bounded_address_space(name, points, tmp_path, lrgame_cli):
    # unchunked, the bowl needs 100,000 rates x 1,000 numbers x 3 arrays (2.4 GB) and the
    # child 2,000 rates x 1,001 ideas x 16 features x 12 arrays (3 GB); the child's
    # address space is capped at 1.5 GB (conftest.MEMORY_LIMIT)
    if name == "bowl":
        path = bowl(tmp_path, 1000, 5)
    else:
        path = tmp_path / "dogs.yaml"
        path.write_text(_dogs_at_the_limits())
    result = lrgame_cli("sweep", str(path), "--points", points, "--json", cwd=tmp_path, timeout=120)
    assert "Traceback" not in result.output, result.output[-2000:]
    assert result.returncode == 0, result.output[-2000:]
    assert result.stderr == ""
    assert len(json.loads(result.stdout)["points"]) == int(points)


def test_the_costliest_bowl_run_is_refused_with_one_line(tmp_path, lrgame_cli):
    path = bowl(tmp_path, 2_000_000, 999)
    result = lrgame_cli("run", str(path), "--lr", "1e-9", cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:7: too costly to play: one run of 999 steps"), line


def test_running_out_of_memory_anyway_is_one_line_not_a_traceback(monkeypatch, capsys):
    from lrgame.__main__ import main
    from lrgame.commands import sweep

    def exhausted(args):
        raise MemoryError

    monkeypatch.setattr(sweep, "cmd_sweep", exhausted)
    assert main(["sweep", "x-squared"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "lrgame sweep: out of memory\n" and captured.out == ""


def test_a_child_and_dogs_sweep_is_costed_by_what_each_rate_keeps(tmp_path):
    # each rate keeps the idea after every animal and its distance to each quiz animal
    path = tmp_path / "dogs.yaml"
    path.write_text(_dogs_at_the_limits())
    level = L.load_level(path)
    per_rate = L.MAX_ANIMALS * 16 * (4 + 2 * 4)
    assert level.step_cost() * level.engine_goal.max_iterations == per_rate
    assert L.most_sweep_points(level) == L.MAX_SWEEP_COST // per_rate
