"""The grader's integrity: every rate of a replay is one the game lets the player use.

Reproductions of the red team's forgeries (issue 11), and their variants: each was
accepted before the rule "a replay uses only rates the game allows, on that level's
tools, under that challenge's rules" was one function shared by the game and grade.
"""

import json

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.classroom.grade import Grader

OVERSHOOT = """\
title: Overshoot
levels:
  - id: overshoot
    title: Overshoot
    params: {x: 2.0}
    loss: "x**2"
    goal: {loss_below: 1e-6, max_iterations: 100}
    lr: {default: 0.8, min: 0.7, max: 0.95}
rules: {lr_changes: false, attempts: 1}
"""


@pytest.fixture
def overshoot(tmp_path):
    path = tmp_path / "ch.yaml"
    path.write_text(OVERSHOOT)
    return path


def grade_one(challenge, path):
    grader = Grader(load_challenge(challenge) if challenge else None)
    return grader.grade(str(path))


def test_the_9000_point_cyclic_forgery_is_not_recorded_nor_accepted(capsys, tmp_path, overshoot):
    out = tmp_path / "bea.json"
    argv = ["run", "overshoot", "--lr", "0.8", "--challenge", str(overshoot), "--player", "bea"]
    cyclic = ["--schedule", "cyclic:base_lr=0.5,max_lr=0.5,step_size_up=1"]
    assert main([*argv, *cyclic, "--replay", str(out)]) == 2
    assert "not recorded" in capsys.readouterr().err
    # the same file written by hand: an honest run at 0.8, its rates and label edited
    assert main([*argv, "--replay", str(out)]) == 0
    capsys.readouterr()
    data = json.loads(out.read_text())
    assert data["attempts"][0]["score"] <= 1000
    forged = dict(data["attempts"][0], schedule=cyclic[1], lrs=[0.5], iterations=1)
    forged.update(final_loss=0.0, stars=3, score=9000)
    out.write_text(json.dumps(dict(data, attempts=[forged])))
    entry = grade_one(overshoot, out)
    assert entry.status == "rejected", entry
    assert "one rate for a whole run" in entry.reason


TOOLS = """\
title: Tools
levels:
  - slow-down
  - coarse-to-fine
  - id: cyc
    title: Cycles
    params: {x: 2.0}
    loss: "x**2"
    goal: {loss_below: 1e-6, max_iterations: 100}
    lr: {default: 0.8, min: 0.7, max: 0.95}
    schedules: [cyclic]
  - id: dec
    title: Decays
    params: {x: 2.0}
    loss: "x**2"
    goal: {loss_below: 1e-6, max_iterations: 100}
    lr: {default: 0.8, min: 0.7, max: 0.95}
    schedules: [exponential]
rules: {lr_changes: LR_CHANGES, attempts: 5}
"""


def session(tmp_path, lr_changes=True, player="ada"):
    path = tmp_path / "tools.yaml"
    path.write_text(TOOLS.replace("LR_CHANGES", str(lr_changes).lower()))
    challenge = load_challenge(path)
    return ChallengeSession(challenge, player, tmp_path / f"{player}.json"), path


def forge(tmp_path, challenge, level_id, lrs, label, **claims):
    """A file holding one attempt with these rates and label, claiming what they earn."""
    from lrgame.judging.replay import attempt_from_run, new_result, replay, write_result

    ch = load_challenge(challenge)
    level = ch.level(level_id)
    record = attempt_from_run(level, replay(level, lrs), label)
    record = record.model_copy(update=claims)
    return write_result(tmp_path / "forged.json", new_result("eve", [record], ch.ref))


@pytest.mark.parametrize(
    "level_id, label, lrs, reason",
    [
        # cyclic with base_lr and max_lr below the level's range: 0.5 is out of 0.7 to 0.95
        ("cyc", "cyclic:base_lr=0.5,max_lr=0.5,step_size_up=1", [0.5], "base_lr 0.5 is outside"),
        ("cyc", "cyclic:base_lr=0.7,max_lr=2,step_size_up=1", [0.7, 2.0], "max_lr 2 is outside"),
        # a schedule the level does not offer
        ("cyc", "cosine:t_max=3", [0.9, 0.675], "does not offer the cosine schedule"),
        ("dec", "step:step_size=1,gamma=0.5", [0.9, 0.45], "does not offer the step schedule"),
        ("cyc", "exponential:gamma=0.5", [0.9, 0.45], "does not offer the exponential"),
        # rates that are not what their label gives
        ("dec", "exponential:gamma=0.5", [0.9, 0.5], "is not what exponential:gamma=0.5 gives"),
        (
            "dec",
            "exponential:gamma=10",
            [0.9, 9.0],
            "is not what exponential:gamma=10 gives (0.95)",
        ),
        (
            "dec",
            "constant",
            [0.5],
            "the learning rate 0.5 is outside the level's range 0.7 to 0.95",
        ),
        ("dec", "constant", [0.9, 0.5], "lr changed mid-run"),
        ("dec", "manual", [0.5], "step 1's learning rate 0.5 is outside the level's range"),
        ("dec", "manual", [0.9, 1.5], "step 2's learning rate 1.5 is outside the level's range"),
        # without a decay on offer, a rate chosen by hand stays in the range
        ("cyc", "manual", [0.9, 0.5], "step 2's learning rate 0.5 is outside the level's range"),
        ("cyc", "nonsense:a=1", [0.9], "not one the game has"),
    ],
)
def test_rates_the_game_cannot_make_are_rejected(tmp_path, level_id, label, lrs, reason):
    _, path = session(tmp_path)
    forged = forge(tmp_path, path, level_id, lrs, label)
    entry = grade_one(path, forged)
    assert entry.status == "rejected" and reason in entry.reason, entry.reason


@pytest.mark.parametrize(
    "level_id, label, lrs",
    [
        ("cyc", "cyclic", None),  # the level's own cyclic: from lr.default / 10, below lr.min
        ("cyc", "cyclic:base_lr=0.7,max_lr=0.95,step_size_up=3", None),
        ("dec", "exponential:gamma=10", None),  # held at lr.max, as the game holds it
        ("dec", "exponential:gamma=1e-300", None),  # down to 0: steps that do not move
        ("dec", "manual", [0.9, 0.8, 1e-9, 0.0]),  # an edited decay reaches any of these
        ("cyc", "manual", [0.9, 0.7, 0.95]),
        ("cyc", "manual", "switched"),  # constant, then the level's cyclic (below lr.min)
    ],
)
def test_rates_the_game_can_make_are_accepted(tmp_path, level_id, label, lrs):
    from lrgame.legal import scheduled_rate
    from lrgame.levels import default_schedule

    _, path = session(tmp_path)
    level = load_challenge(path).level(level_id)
    if lrs == "switched":
        cyclic = default_schedule("cyclic", level)
        lrs = [0.9 if t % 2 else scheduled_rate(level, cyclic, 0.9, t) for t in range(100)]
        assert min(lrs) < level.lr.min
    if lrs is None:
        schedule = default_schedule(label, level)
        lrs = [scheduled_rate(level, schedule, 0.9, t) for t in range(100)]
        label = schedule.spec()
    forged = forge(tmp_path, path, level_id, lrs, label)
    entry = grade_one(path, forged)
    assert entry.status == "accepted", entry.reason


@pytest.mark.parametrize(
    "label, lrs, reason",
    [
        ("exponential:gamma=0.7", [8.0, 5.6], "one rate for a whole run: no schedules"),
        ("cosine:t_max=12", [8.0], "one rate for a whole run: no schedules"),
        ("manual", [8.0, 5.6], "lr changed mid-run"),
        ("constant", [8.0, 8.0000001], "lr changed mid-run"),
    ],
)
def test_under_one_rate_per_run_no_schedule_and_no_change(tmp_path, label, lrs, reason):
    s, path = session(tmp_path, lr_changes=False)
    forged = forge(tmp_path, path, "slow-down", lrs, label)
    entry = grade_one(path, forged)
    assert entry.status == "rejected" and reason in entry.reason, entry.reason
    from lrgame.classroom.challenge import ChallengeRuleError
    from lrgame.judging.replay import replay

    with pytest.raises(ChallengeRuleError, match=reason.split(":")[0]):  # nor is it recorded
        s.record_run("slow-down", replay(s.challenge.level("slow-down"), lrs), label)
    assert s.attempts == []


def test_a_failed_trial_then_a_par_run_scores_950_in_the_game_and_in_grade(tmp_path):
    s, path = session(tmp_path)
    level = s.challenge.level("coarse-to-fine")
    par = level.compute_par()
    first = s.play("coarse-to-fine", [1.0] * 10)  # blows up
    second = s.play("coarse-to-fine", [par.best_lr] * 10)
    assert (first.outcome, first.score) == ("diverged", 0)
    assert (second.outcome, second.iterations, second.score) == ("cleared", par.par, 950)
    entry = grade_one(path, s.path)
    assert entry.status == "accepted", entry.reason
    assert entry.total_score == 950
    # the same file claiming 1000 for the par run is rejected
    data = json.loads(s.path.read_text())
    data["attempts"][1]["score"] = 1000
    s.path.write_text(json.dumps(data))
    entry = grade_one(path, s.path)
    assert (
        entry.status == "rejected" and "claims 1000 points, the replay scores 950" in entry.reason
    )


# -- grading cost: bounded per file, counted before anything is replayed ---------------------


def _attempts_file(tmp_path, level_id, lrs, n, name="many.json"):
    from lrgame.judging.replay import attempt_from_run, new_result, replay, write_result

    level = L.find_level(level_id)
    record = attempt_from_run(level, replay(level, lrs), "constant")
    return write_result(tmp_path / name, new_result("eve", [record] * n))


def test_without_a_challenge_attempts_per_level_are_capped(tmp_path):
    from lrgame.classroom.grade import MAX_LONE_ATTEMPTS

    ok = _attempts_file(tmp_path, "x-squared", [0.5], MAX_LONE_ATTEMPTS, "ok.json")
    assert Grader().grade(str(ok)).status == "accepted"
    many = _attempts_file(tmp_path, "x-squared", [0.5], MAX_LONE_ATTEMPTS + 1)
    entry = Grader().grade(str(many))
    assert entry.status == "rejected"
    assert (
        entry.reason == "too many attempts: 11 on x-squared (without a challenge, grade allows 10)"
    )


def test_work_is_counted_before_any_replay_and_a_costly_file_is_refused(tmp_path, monkeypatch):
    import lrgame.classroom.grade as G

    path = _attempts_file(tmp_path, "x-squared", [1e-3] * 30, 2)  # 2 x 30 steps
    monkeypatch.setattr(G, "MAX_FILE_WORK", 1000)  # one full attempt (50 steps) stays in reach
    monkeypatch.setattr(G, "replay", lambda *a: pytest.fail("replayed before the work was counted"))
    entry = G.Grader().grade(str(path))
    w = G.step_work(L.find_level("x-squared"))  # 1,000 + the level's cost of a step
    assert w > 1000
    assert entry.status == "rejected"
    assert entry.reason == (
        f"too costly to grade: replaying its 60 steps is {60 * w:,} units of work (a step is "
        f"1,000 plus the numbers it touches); grade allows {50 * w:,} per file"
    )


def test_the_bound_never_refuses_what_the_game_records(tmp_path, monkeypatch):
    import lrgame.classroom.grade as G

    monkeypatch.setattr(G, "MAX_FILE_WORK", 10_000)  # less than one attempt of x-squared
    path = tmp_path / "ch.yaml"
    path.write_text("title: t\nlevels: [x-squared]\nrules: {attempts: 2}\n")
    ch = load_challenge(path)
    w = G.step_work(L.find_level("x-squared"))
    assert G.honest_work(ch) == 2 * 50 * w
    s = ChallengeSession(ch, "ada", tmp_path / "ada.json")
    s.play("x-squared", [1e-3] * 50)  # two full-budget attempts: all the rules allow
    s.play("x-squared", [1e-3] * 50)
    assert G.Grader(ch).grade(str(s.path)).status == "accepted"
    # without a challenge, one full-budget attempt is always within reach; two are not
    one = _attempts_file(tmp_path, "x-squared", [1e-3] * 50, 1, "one.json")
    assert G.Grader().grade(str(one)).status == "accepted"
    two = _attempts_file(tmp_path, "x-squared", [1e-3] * 50, 2, "two.json")
    entry = G.Grader().grade(str(two))
    assert entry.status == "rejected" and f"grade allows {50 * w:,} per file" in entry.reason
