"""Challenge files validate like levels; a session keeps the rules and saves every attempt."""

import datetime as dt
import textwrap

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.classroom.challenge import (
    ChallengeRuleError,
    ChallengeSession,
    default_result_path,
    load_challenge,
)
from lrgame.engine import Run
from lrgame.judging.replay import read_result


def test_levels_by_id_by_path_and_inline_in_order(challenge_file):
    ch = load_challenge(challenge_file)
    assert list(ch.levels) == ["x-squared", "my-valley", "tilted"]
    assert ch.campaign_ids()[2] == ("Week 3 — finding the rate", "tilted")
    assert ch.rules.lr_changes is False and ch.rules.attempts == 2
    assert ch.rules.time_limit_minutes is None
    assert ch.level("tilted").compute_par().par == 1
    with pytest.raises(L.LevelNotFound, match="not a level of the challenge"):
        ch.level("nope")


def _errors(path):
    with pytest.raises(L.LevelError) as info:
        load_challenge(path)
    return str(info.value).splitlines()


@pytest.mark.parametrize(
    "change, line, message",
    [
        (('loss: "0.5*x**2"', 'loss: "0.5*x^2"'), 9, "loss: '^' is not an operator here"),
        (("    title: A tilted valley\n", ""), 6, "missing required key 'title'"),
        (("  - x-squared", "  - x-cubed"), 4, "no shipped level has the id 'x-cubed'"),
        (("valleys/my-valley.yaml", "../my-valley.yaml"), 5, "inside its folder"),
        (("valleys/my-valley.yaml", "/etc/passwd.yaml"), 5, "inside its folder"),
        (("valleys/my-valley.yaml", "valleys/gone.yaml"), 5, "no level file"),
        (("  - id: tilted", "  - id: x-squared"), 6, "the id 'x-squared' comes twice"),
        (("  attempts: 2", "  attempts: 2\n  tries: 3"), 15, "unknown key 'tries' in rules (allowed: lr_changes, attempts, time_limit_minutes)"),
        (("  lr_changes: false", "  lr_changes: no"), 13, "rules.lr_changes"),
        (("  attempts: 2", "  attempts: 0"), 14, "rules.attempts"),
        (("title: Week 3 — finding the rate\n", ""), 1, "missing required key 'title'"),
        (("levels:", "level:"), 3, "unknown key 'level' (allowed: title, description, author, levels, rules)"),
    ],
)  # fmt: skip
def test_each_fault_is_one_line_with_its_line(
    challenge_text, challenge_file, change, line, message
):
    challenge_file.write_text(challenge_text.replace(*change))
    lines = _errors(challenge_file)
    assert any(ln.startswith(f"{challenge_file}:{line}: ") and message in ln for ln in lines), lines


def test_a_fault_inside_a_level_file_names_that_file(challenge_file):
    level_file = challenge_file.parent / "valleys" / "my-valley.yaml"
    level_file.write_text(level_file.read_text().replace("  min: 1e-4", "  min: 5"))
    lines = _errors(challenge_file)
    assert any(ln.startswith(f"{level_file}:") and "lr.min (5)" in ln for ln in lines), lines


def test_the_hash_follows_content_not_formatting(challenge_text, challenge_file):
    before = load_challenge(challenge_file).hash
    challenge_file.write_text(
        "# a comment\n"
        + challenge_text.replace("author: Ms Rivera", "author: Someone else\ndescription: hi")
        .replace("loss_below: 1e-6", "loss_below: 0.000001")
        .replace("{x: 4.0}", "{x: 4}")
    )
    assert load_challenge(challenge_file).hash == before
    challenge_file.write_text(challenge_text.replace("attempts: 2", "attempts: 3"))
    assert load_challenge(challenge_file).hash != before
    challenge_file.write_text(challenge_text.replace("{x: 4.0}", "{x: 4.5}"))
    assert load_challenge(challenge_file).hash != before


class Now:
    def __init__(self):
        self.t = dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self):
        return self.t


def test_a_session_counts_attempts_and_saves_each(challenge_file, tmp_path):
    ch = load_challenge(challenge_file)
    out = tmp_path / "ada.json"
    s = ChallengeSession(ch, "ada", out)
    assert s.attempts_left("x-squared") == 2 and not s.lr_changes
    rec = s.play("x-squared", [0.5])
    assert (rec.outcome, rec.iterations, rec.stars, rec.score) == ("cleared", 1, 3, 1000)
    saved = read_result(out)
    assert saved.player == "ada" and saved.challenge.hash == ch.hash
    assert [a.level for a in saved.attempts] == ["x-squared"]
    # an abandoned run counts as an attempt
    run = Run(ch.level("x-squared").landscape(), ch.level("x-squared").engine_goal)
    run.step(0.1)
    assert s.record_run("x-squared", run, "manual").outcome == "abandoned"
    with pytest.raises(ChallengeRuleError, match="no attempts left on x-squared"):
        s.play("x-squared", [0.5])
    with pytest.raises(ChallengeRuleError, match="keep the learning rate fixed"):
        s.play("tilted", [0.5, 0.6, 0.7])
    with pytest.raises(ChallengeRuleError, match="not a level of the challenge"):
        s.play("stretched-bowl", [0.05])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files


def test_a_session_resumes_only_its_own_file(challenge_text, challenge_file, tmp_path):
    ch = load_challenge(challenge_file)
    out = tmp_path / "ada.json"
    ChallengeSession(ch, "ada", out).play("tilted", [1.0])
    again = ChallengeSession.open(ch, "ada", out)
    assert again.attempts_used("tilted") == 1 and again.attempts_left("tilted") == 1
    with pytest.raises(ChallengeRuleError, match="holds the results of 'ada', not 'bob'"):
        ChallengeSession.open(ch, "bob", out)
    challenge_file.write_text(challenge_text.replace("attempts: 2", "attempts: 5"))
    with pytest.raises(ChallengeRuleError, match="another challenge"):
        ChallengeSession.open(load_challenge(challenge_file), "ada", out)
    out.write_text("{")
    with pytest.raises(ChallengeRuleError, match="cannot continue it"):
        ChallengeSession.open(ch, "ada", out)


def test_the_time_limit(challenge_text, challenge_file, tmp_path):
    challenge_file.write_text(challenge_text + "  time_limit_minutes: 20\n")
    ch = load_challenge(challenge_file)
    now = Now()
    s = ChallengeSession(ch, "ada", tmp_path / "ada.json", now=now)
    assert s.time_left() == 20 * 60
    now.t += dt.timedelta(minutes=5)
    s.play("x-squared", [0.5])
    assert read_result(s.path).elapsed_seconds == 300
    now.t += dt.timedelta(minutes=16)
    assert s.time_left() == 0
    with pytest.raises(ChallengeRuleError, match="time is up"):
        s.play("tilted", [1.0])


def test_player_names_are_checked():
    for bad in ["", "=cmd()", "\x1b[31mred", "a" * 41, "-rf", "ab\u202ecd"]:
        with pytest.raises(ValueError):
            from lrgame.judging.replay import check_player

            check_player(bad)


def test_challenge_command_summarises_and_hands_the_session_to_the_game(
    challenge_file, capsys, tmp_path, monkeypatch
):
    code = main(["challenge", str(challenge_file)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "3 levels" in out and "one rate for a whole run, 2 attempts per level" in out
    assert "tilted" in out and "hash sha256:" in out

    import lrgame.commands.play

    seen = {}
    monkeypatch.setattr(
        lrgame.commands.play, "start_challenge", lambda session: seen.setdefault("s", session) and 0,
        raising=False,
    )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code = main(["challenge", str(challenge_file), "--player", "Ada L"])
    assert code == 0
    session = seen["s"]
    assert session.player == "Ada L" and session.path.name == "week3-Ada-L.json"
    assert default_result_path(session.challenge, "Ada L").name == "week3-Ada-L.json"


def test_challenge_command_errors(challenge_text, challenge_file, capsys):
    challenge_file.write_text(textwrap.dedent(challenge_text).replace("rules:", "rulez:"))
    code = main(["challenge", str(challenge_file)])
    _, err = capsys.readouterr()
    assert code == 1 and "unknown key 'rulez'" in err
    code = main(["challenge", str(challenge_file), "--player", "=x"])
    assert code == 1  # the file is checked first
