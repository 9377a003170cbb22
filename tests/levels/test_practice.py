"""lrgame practice: a seed makes one level, the same everywhere; every generated level is
valid and playable, its par is the true fewest steps, and its words are true."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.engine import Goal, simulate
from lrgame.levels import practice as P

SEEDS = st.integers(min_value=0, max_value=P.MAX_SEED)


def test_the_same_seed_gives_the_same_level_and_another_seed_another():
    a, b = P.generate(42), P.generate(42)
    assert a.yaml == b.yaml and a.level.model_dump() == b.level.model_dump()
    assert P.generate(43).yaml != a.yaml
    # the choices are Python's own Random on a string seed: fixed on every platform
    assert P.recipe(42) == P.Recipe(42, "valley", (10,), (1,), (-4,))


def test_seeds_cover_every_kind():
    kinds = {P.recipe(s).kind for s in range(60)}
    assert kinds == set(P.KINDS)


def test_a_seed_out_of_range_is_a_usage_error(capsys):
    assert main(["practice", "--seed", "-1", "--yaml"]) == 2
    assert "a practice seed is a whole number" in capsys.readouterr().err


def test_yaml_prints_a_level_file_that_validates_and_loads_as_the_same_level(tmp_path, capsys):
    assert main(["practice", "--seed", "42", "--yaml"]) == 0
    text = capsys.readouterr().out
    assert text == P.generate(42).yaml
    path = tmp_path / "practice-42.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert "ok — par 1, best lr 0.1" in capsys.readouterr().out
    assert L.load_level(path).model_dump() == P.generate(42).level.model_dump()


def _brute_par(level: L.Level, extra: list[float]) -> int | None:
    """The fewest steps of any constant rate: 20,000 log-spaced rates and the special
    ones (1/k, 2/(k1+k2)) a grid could step over."""
    lrs = np.concatenate([np.geomspace(level.lr.min, level.lr.max, 20_000), extra])
    lrs = lrs[(lrs >= level.lr.min) & (lrs <= level.lr.max)]
    b = simulate(level.landscape(), lrs, level.engine_goal)
    return int(b.iterations[b.cleared].min()) if b.cleared.any() else None


def _special_rates(r: P.Recipe) -> list[float]:
    ks = sorted(set(r.curvatures))
    return [1 / k for k in ks] + [2 / (ks[0] + ks[-1])]


def _check_level(seed: int) -> None:
    p = P.generate(seed)
    lv, r = p.level, p.recipe
    assert lv.id == f"practice-{seed}"
    from lrgame.commands.validate import validate_one

    assert validate_one(lv) == []
    par = lv.compute_par()
    assert par.par is not None and lv.lr.min <= par.best_lr <= lv.lr.max
    # par is the true fewest steps, and the budget leaves room to search
    assert par.par == _brute_par(lv, _special_rates(r))
    assert lv.goal.max_iterations == P.budget_for(par.par)
    # the default rate is not already the answer
    b = simulate(lv.landscape(), [lv.lr.default], lv.engine_goal)
    assert not (b.cleared[0] and b.iterations[0] <= par.par)
    _check_words(p)


def _check_words(p: P.Practice) -> None:
    """Every number in the story and hints, computed again from the landscape."""
    lv, r = p.level, p.recipe
    land = lv.landscape()
    start = land.start
    assert list(start) == list(r.start)
    floor = np.array([r.floors], dtype=float)
    assert land.loss(floor)[0] == 0 and np.allclose(land.grad(floor)[0], 0)
    grad = land.grad(start[None, :])[0]
    assert np.allclose(grad, P.slopes_at_start(r))
    # each direction's curvature: the slope's change over a unit move
    for i, k in enumerate(r.curvatures):
        e = np.zeros_like(start)
        e[i] = 1
        assert np.isclose(land.grad((floor[0] + e)[None, :])[0][i], k)
    text = "\n".join([lv.story, *lv.hints]).replace("−", "-")
    stated = {float(n) for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?", text)}
    known = {
        float(p.recipe.seed),
        *map(float, r.floors),
        *(float(abs(m)) for m in r.floors),  # "(x + 3)" for a floor at −3
        *map(float, r.start),
        *map(float, r.curvatures),
        *(k / 2 for k in r.curvatures),
        *(float(round(2 / k, 10)) for k in r.curvatures),
        *(float(round(g, 10)) for g in grad),
        *(float(m - s) for m, s in zip(r.floors, r.start)),
        2.0,  # "near 2 / (k1 + k2)", and the ² of each term
    }
    assert stated <= known, f"numbers with no source: {sorted(stated - known)}"
    # the edge the hints state is true: just past 2/k the steepest direction grows
    edge = 2 / max(r.curvatures)
    longer = Goal(lv.goal.loss_below, 2000)
    assert simulate(land, [edge * 1.02], longer).diverged[0]
    assert not simulate(land, [edge * 0.98], longer).diverged[0]


@pytest.mark.parametrize("seed", [0, 1, 2, 5, 7, 42, 999_999, P.MAX_SEED])
def test_chosen_seeds_make_good_levels(seed):
    _check_level(seed)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SEEDS)
def test_every_seed_makes_a_valid_level_with_the_true_par(seed):
    _check_level(seed)


def test_the_streak_counts_par_clears_in_a_row_and_keeps_its_best():
    s = P.Streak()
    for won in (True, True, False, True):
        s = s.after(won)
    assert s == P.Streak(now=1, best=2)


def test_the_streak_lives_in_the_progress_store(tmp_path):
    from lrgame.store import Store

    store = Store.open(tmp_path)
    assert P.read_streak(store) == P.Streak(0, 0)
    P.record_run(store, True)
    P.record_run(store, True)
    assert P.read_streak(Store.open(tmp_path)) == P.Streak(2, 2)  # saved, not in memory
    P.record_run(store, False)
    assert P.read_streak(store) == P.Streak(0, 2)
    store.set_setting(P.STREAK_KEY, "not a number")
    assert P.read_streak(store).now == 0
