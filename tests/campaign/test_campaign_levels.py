"""The shipped campaign: every level is solvable at par, and teaches what it says."""

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.commands.validate import validate_one
from lrgame.engine import Goal, Run, play_schedule, simulate

IDS = [lid for _, lid in L.campaign_ids()]


def level(lid: str) -> L.Level:
    return L.load_level(L.shipped_path(lid))


def play(lv: L.Level, lr: float, steps: int | None = None) -> Run:
    run = Run(lv.landscape(), lv.engine_goal)
    return run.play([lr] * (steps or lv.goal.max_iterations))


def test_the_campaign_has_six_chapters_and_at_least_fourteen_levels():
    chapters = [ch.title for ch in L.load_campaign().chapters]
    assert chapters[:6] == [
        "The slope",
        "Bowls of many parameters",
        "Fitting a line",
        "Rough terrain",
        "Finding the learning rate",
        "Schedules",
    ]
    assert IDS[0] == "x-squared"
    assert len([i for i in IDS if i != "child-and-dogs"]) >= 14
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("lid", IDS)
def test_every_level_validates_and_its_best_lr_clears_in_par(lid):
    lv = level(lid)
    assert lv.id == lid
    assert validate_one(lv) == []
    par = lv.compute_par()
    assert par.par is not None and par.best_lr is not None
    assert lv.lr.min <= par.best_lr <= lv.lr.max
    assert lv.story.strip() and lv.hints
    run = play_schedule(lv.new_run(optimizer=par.optimizer), par.best_lr, par.schedule)
    assert str(run.outcome) == "cleared"
    assert run.iteration == par.par


# -- the slope --------------------------------------------------------------------------


def test_no_two_levels_of_chapter_one_share_a_best_rate():
    # the player must connect the rate to each valley's curvature, not carry one answer
    first = L.load_campaign().chapters[0].levels
    best = {lid: level(lid).compute_par().best_lr for lid in first}
    rounded = {lid: float(f"{lr:.2g}") for lid, lr in best.items()}
    assert len(set(rounded.values())) == len(first), rounded
    # and the round bowl that follows is not the first valley's answer again
    assert level("round-bowl").compute_par().best_lr != best["x-squared"]


def test_a_valley_s_best_rate_is_one_over_its_curvature():
    # each loss is c(x - m)^2: curvature 2c, and the one-step rate 1/(2c)
    for lid, curvature in [
        ("x-squared", 2),
        ("which-way", 4),
        ("the-leap", 10),
        ("the-crawl", 0.2),
        ("just-right", 1),
    ]:
        lv = level(lid)
        assert lv.compute_par().best_lr == pytest.approx(1 / curvature, rel=0.01), lid
        assert str(play(lv, 1 / curvature).outcome) == "cleared"
        assert play(lv, 1 / curvature).iteration == 1


def test_which_way_the_step_goes_right_for_every_rate():
    lv = level("which-way")
    for lr in (1e-5, 0.01, 0.1, 0.5, 2.0):
        run = play(lv, lr, 1)
        assert run.steps[0].gradient[0] == -12.0
        assert run.steps[1].params[0] > 0.0


def test_the_leap_goes_from_one_to_minus_four_and_the_loss_to_sixteen_times():
    lv = level("the-leap")
    assert lv.lr.default == 0.5
    run = play(lv, lv.lr.default)
    assert run.steps[1].params[0] == pytest.approx(-4.0)
    assert run.steps[1].loss == pytest.approx(16 * run.steps[0].loss)
    assert run.steps[2].params[0] == pytest.approx(16.0)  # the next leap is bigger
    assert str(run.outcome) == "diverged"
    assert lv.compute_par().max_stable_lr == pytest.approx(0.2, rel=1e-2)


def test_the_crawl_runs_out_of_budget_at_the_first_valley_s_best_rate():
    lv = level("the-crawl")
    assert lv.lr.default == level("x-squared").compute_par().best_lr == 0.5
    run = play(lv, 0.5)
    assert str(run.outcome) == "out_of_budget" and run.iteration == 40
    assert run.params[0] == pytest.approx(2 * 0.9**40)
    # bigger and bigger: the steps fall until one step is enough
    steps = [play(lv, lr).iteration for lr in (1, 2, 5)]
    assert steps[0] > steps[1] > steps[2] == 1


def test_just_right_is_a_band_around_one_over_the_curvature():
    lv = level("just-right")
    cleared = {lr: str(play(lv, lr).outcome) == "cleared" for lr in (0.6, 0.7, 1, 1.3, 1.4)}
    assert cleared == {0.6: False, 0.7: True, 1: True, 1.3: True, 1.4: False}
    assert play(lv, 1).iteration == 1
    assert str(play(lv, lv.lr.default).outcome) != "cleared"


# -- bowls ------------------------------------------------------------------------------


def test_the_round_bowl_walks_a_straight_line_to_the_centre():
    lv = level("round-bowl")
    for lr in (0.01, 1.2, 3.6):
        run = play(lv, lr, 20)
        ratios = [s.params[1] / s.params[0] for s in run.steps if abs(s.params[0]) > 1e-12]
        assert np.allclose(ratios, -4 / 3)
    assert play(lv, 2).iteration == 1


def test_the_stretched_bowl_limit_is_two_over_the_steepest_curvature():
    lv = level("stretched-bowl")
    L_, mu = 20.0, 2.0
    over = play(lv, 2 / L_ * 1.02)  # just past the limit y swings wider at every step...
    ys = np.abs([s.params[1] for s in over.steps])
    assert np.all(np.diff(ys) > 0) and str(over.outcome) != "cleared"
    longer = Goal(lv.goal.loss_below, 5000)  # ...until it blows up
    assert simulate(lv.landscape(), [2 / L_ * 1.02], longer).diverged[0]
    under = play(lv, 2 / L_ * 0.98)  # just inside it, y swings narrower at every step
    assert np.all(np.diff(np.abs([s.params[1] for s in under.steps])) < 0)
    par = lv.compute_par()
    assert par.best_lr == pytest.approx(2 / (L_ + mu), rel=0.03)
    assert par.max_stable_lr == pytest.approx(2 / L_, rel=0.02)


@pytest.mark.parametrize(
    "lid, steepest, gentlest", [("hundred-bowl", 50, 1), ("million-bowl", 100, 1)]
)
def test_many_parameters_obey_the_same_rule(lid, steepest, gentlest):
    lv = level(lid)
    par = lv.compute_par()
    assert par.max_stable_lr == pytest.approx(2 / steepest, rel=0.02)
    assert par.best_lr == pytest.approx(2 / (steepest + gentlest), rel=0.02)
    small = lv.sweep_landscape()
    over = simulate(small, [2 / steepest * 1.05], Goal(lv.goal.loss_below, 2000))
    assert over.diverged[0]


def test_the_million_bowl_has_a_million_parameters_and_sweeps_on_two_hundred():
    lv = level("million-bowl")
    assert lv.n_params == 1_000_000
    assert lv.sweep_landscape().n_params == 200
    full, small = lv.landscape(), lv.sweep_landscape()
    for lr in (0.0, 0.01, 0.019):
        P = full.start - lr * full.grad(full.start[None, :])[0]
        Q = small.start - lr * small.grad(small.start[None, :])[0]
        assert full.loss(P[None, :])[0] == pytest.approx(small.loss(Q[None, :])[0], rel=1e-9)


# -- fitting a line ---------------------------------------------------------------------


def test_fit_a_line_minimum_is_the_least_squares_loss():
    lv = level("fit-a-line")
    pts = np.array(lv.points)
    w, b = np.polyfit(pts[:, 0], pts[:, 1], 1)
    expected = np.mean((w * pts[:, 0] + b - pts[:, 1]) ** 2)
    assert lv.landscape().minimum == pytest.approx(expected)
    assert not lv.stochastic
    chart = lv.chart(np.array([w, b]))
    assert chart["line_y"] == pytest.approx(chart["best_line_y"])


def test_the_noisy_line_is_jagged_repeatable_and_punishes_the_full_data_rate():
    lv = level("noisy-line")
    assert lv.stochastic and lv.engine_goal.hold == 10
    a, b = play(lv, 0.013), play(level("noisy-line"), 0.013)
    assert [s.loss for s in a.steps] == [s.loss for s in b.steps]  # the same draws for all
    batch_losses = np.array([s.loss for s in a.steps])
    assert (np.diff(batch_losses) > 0).sum() > 20  # the loss a player sees jumps about
    assert str(a.outcome) == "cleared"
    # the rate that is best with all the data every step never settles with batches
    full = L.RegressionLevel.model_validate({**lv.model_dump(), "batch_size": None})
    full_best = full.compute_par().best_lr
    assert full_best > 0.3
    assert str(play(lv, full_best).outcome) == "out_of_budget"
    chart = lv.chart(a.params, 3)
    assert len(chart["batch"]) == 10


# -- rough terrain ----------------------------------------------------------------------


def test_quartic_a_rate_fine_near_the_bottom_is_fatal_far_from_it():
    lv = level("quartic")
    assert str(play(lv, lv.lr.default).outcome) == "diverged"
    near = L.LandscapeLevel.model_validate({**lv.model_dump(), "params": {"x": 0.5, "y": -0.3}})
    near_run = play(near, lv.lr.default)
    assert str(near_run.outcome) == "cleared" and near_run.iteration < 50
    par = lv.compute_par()
    assert par.best_lr < par.max_stable_lr < 0.1


def test_double_well_small_rates_stick_in_the_shallow_valley_bolder_ones_escape():
    lv = level("double-well")
    timid = play(lv, 0.01)
    assert str(timid.outcome) == "out_of_budget"
    assert timid.params[0] == pytest.approx(0.9601, abs=1e-3)  # the shallow valley
    assert timid.loss > lv.landscape().minimum + 0.5
    bold = play(lv, 0.12)
    assert str(bold.outcome) == "cleared"
    assert bold.params[0] == pytest.approx(-1.0356, abs=1e-2)  # the deep valley
    assert str(play(lv, 0.3).outcome) == "diverged"


def test_raised_floor_counts_from_its_minimum_not_from_zero():
    lv = level("raised-floor")
    run = play(lv, lv.compute_par().best_lr)
    assert run.loss == pytest.approx(5.0, abs=1e-4)
    wrong = L.LandscapeLevel.model_validate({**lv.model_dump(), "minimum": 0.0})
    assert any("unsolvable" in p for p in validate_one(wrong))


# -- finding the learning rate ----------------------------------------------------------


def test_coarse_to_fine_powers_of_ten_narrow_it_down_then_finer_steps_find_par():
    lv = level("coarse-to-fine")
    decades = 10.0 ** np.arange(-7, 1)
    outcomes = [str(play(lv, lr).outcome) for lr in decades]
    assert outcomes.count("cleared") == 1 and outcomes[5] == "cleared"  # only 0.01
    par = lv.compute_par()
    assert play(lv, 0.01).iteration > par.par
    assert 0.01 < par.best_lr < 0.014
    # the band of rates that clear at all is narrow on this scale
    lrs = np.geomspace(lv.lr.min, lv.lr.max, 4001)
    band = lrs[simulate(lv.landscape(), lrs, lv.engine_goal).cleared]
    assert band.max() / band.min() < 1.6
    assert lv.trials.cost == 50
    assert lv.trial_score(1000, 3) == 850 and lv.trial_score(100, 5) == 0


def test_range_finder_its_suggestion_clears_the_level():
    lv = level("range-finder")
    result = lv.run_range_test()
    assert result.stopped_early and result.lrs[-1] < lv.range_test.max
    assert np.all(np.diff(result.lrs) > 0)
    run = play(lv, result.suggested_lr)
    assert str(run.outcome) == "cleared"
    assert str(play(lv, result.lrs[-1]).outcome) != "cleared"  # where the test blew up


# -- schedules --------------------------------------------------------------------------


def test_slow_down_no_constant_rate_clears_but_decay_does():
    lv = level("slow-down")
    goal, land = lv.engine_goal, lv.landscape()
    # the walls' slope is below 1, so each step moves x by less than lr: from x = 24,
    # twelve steps need lr >= 2 just to arrive...
    assert goal.max_iterations * 2.0 < 24 + 0.1
    # ...and every constant rate, tried densely over the whole range, fails
    dense = simulate(land, np.linspace(lv.lr.min, lv.lr.max, 200_000), goal)
    assert not dense.cleared.any()
    par = lv.compute_par()
    assert par.schedule.name != "constant"
    tools = {s.name: s for s in lv.schedule_tools()}
    assert set(tools) == {"constant", "step", "exponential", "cosine"}
    for name in ("step", "exponential", "cosine"):
        lrs = np.geomspace(lv.lr.min, lv.lr.max, 400)
        assert simulate(land, lrs, goal, tools[name]).cleared.any(), name


def test_settle_the_noise_decay_beats_every_constant_rate():
    lv = level("settle-the-noise")
    goal, land = lv.engine_goal, lv.sweep_landscape()
    assert lv.stochastic
    dense = simulate(land, np.geomspace(lv.lr.min, lv.lr.max, 20_000), goal)
    assert not dense.cleared.any()
    # with double the budget a constant rate does clear, but slower than decay does here
    longer = simulate(land, dense.lrs, Goal(goal.loss_below, 2 * goal.max_iterations, goal.hold))
    assert longer.cleared.any() and longer.iterations[longer.cleared].min() > lv.compute_par().par
    tools = {s.name: s for s in lv.schedule_tools()}
    for name in ("step", "exponential", "cosine"):
        batch = simulate(land, np.geomspace(lv.lr.min, lv.lr.max, 400), goal, tools[name])
        assert batch.cleared.any(), name
        assert batch.cleared[np.argmin(abs(batch.lrs - 0.12))], name  # the hint's rate
