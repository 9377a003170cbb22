"""Everything the game records, grade accepts: every tool of every shipped level, of
every kind, played the way the board plays it and recorded the way it records.

The board (``ui/screens/play.py`` and ``ui/screens/challenge.py``) takes each step at
``legal.scheduled_rate(level, schedule, base, t)``, notes the (schedule, base) of each
step, keeps the base in the level's range with ``legal.field_rate``, and records the
run with ``ChallengeSession.record_run(level_id, run, legal.label_of(used))``. The
Pilot tests in tests/ui/test_challenge_play.py drive the screen itself.
"""

from __future__ import annotations

import pytest

from lrgame import levels as L
from lrgame.classroom.challenge import ChallengeSession, load_challenge
from lrgame.classroom.grade import Grader
from lrgame.judging.replay import new_run
from lrgame.legal import field_rate, label_of, scheduled_rate

IDS = [lid for _, lid in L.campaign_ids()]
#: Levels whose every run is costly to replay here: one tool each is enough.
BIG = {"million-bowl"}


def board_run(level, plan):
    """Play a run as the board does. ``plan(t)`` gives the (schedule, base rate) in
    force at step t; returns the run and the label the board records."""
    run, used = new_run(level), []
    while not run.over:
        schedule, base = plan(run.iteration)
        base = field_rate(level, base)
        used.append((schedule, base))
        run.step(scheduled_rate(level, schedule, base, run.iteration))
    return run, label_of(used)


def plans(level):
    """(name, plan) for every tool the level offers, and changes mid-run."""
    par = level.compute_par()
    best = par.best_lr if par.best_lr is not None else level.lr.default
    tools = level.schedule_tools()
    out = [(s.spec(), lambda t, s=s: (s, best)) for s in tools]
    if level.range_test is not None:
        suggested = level.run_range_test().suggested_lr or level.lr.default
        out.append(("range test", lambda t: (tools[0], suggested)))
    if level.id in BIG:
        return out[:1]
    out.append(("rate changed", lambda t: (tools[0], best if t % 2 else level.lr.default)))
    out.append(("rate out of range", lambda t: (tools[0], level.lr.max * 10)))
    if len(tools) > 1:  # a schedule switched mid-run, and a typed variant of the last
        last = tools[-1]
        out.append(("switched", lambda t: (tools[t % 2], best)))
        edited = type(last)(last.name, {**last.options})
        if "gamma" in edited.options:
            edited.options["gamma"] = min(edited.options["gamma"] * 1.5, 10.0)
        out.append(("edited " + edited.spec(), lambda t: (edited, best)))
    return out


@pytest.mark.parametrize("level_id", IDS)
def test_every_tool_round_trips_through_the_grader(tmp_path, level_id):
    path = tmp_path / "ch.yaml"
    path.write_text(f"title: One level\nlevels: [{level_id}]\nrules: {{attempts: 20}}\n")
    challenge = load_challenge(path)
    level = challenge.level(level_id)
    session = ChallengeSession(challenge, "ada", tmp_path / "ada.json")
    claimed = []
    for name, plan in plans(level):
        run, label = board_run(level, plan)
        record = session.record_run(level_id, run, label)
        claimed.append((name, record.score))
    entry = Grader(challenge).grade(str(session.path))
    assert entry.status == "accepted", (claimed, entry.reason)
    assert entry.levels[0].score == max(score for _, score in claimed)
    if level.trials is not None:  # every attempt after the first paid for its trials
        assert session.attempts[-1].score <= max(0, 1000 - level.trials.cost * (len(claimed) - 1))


def test_an_abandoned_run_with_a_schedule_round_trips(tmp_path):
    path = tmp_path / "ch.yaml"
    path.write_text("title: t\nlevels: [slow-down]\n")
    challenge = load_challenge(path)
    level = challenge.level("slow-down")
    session = ChallengeSession(challenge, "ada", tmp_path / "ada.json")
    cosine = level.schedule_tools()[-1]
    run, used = new_run(level), []
    for t in range(5):
        used.append((cosine, 8.0))
        run.step(scheduled_rate(level, cosine, 8.0, t))
    assert session.record_run("slow-down", run, label_of(used)).outcome == "abandoned"
    assert Grader(challenge).grade(str(session.path)).status == "accepted"
