"""Player names: one spelling per player; duplicates and lookalikes are flagged by grade."""

import csv
import io
import json

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.judging.replay import attempt_from_run, check_player, new_result, replay, write_result
from lrgame.names import looks_like, mixed_scripts, normal_form, same_player_key

CYRILLIC_A = "\u0430"  # а, which looks like Latin a


def test_names_are_kept_in_one_normal_form():
    assert check_player("  Alice \t  Smith ") == "Alice Smith"
    assert check_player("ａｌｉｃｅ") == "alice"  # fullwidth letters: NFKC
    assert same_player_key("Alice") == same_player_key("alice ") == same_player_key("ALICE")
    assert normal_form("Zoë") == "Zoë" and check_player("Иван Petrov") == "Иван Petrov"


def test_a_word_mixing_latin_with_cyrillic_or_greek_is_refused():
    with pytest.raises(ValueError, match="mixes Cyrillic and Latin letters"):
        check_player(CYRILLIC_A + "lice")
    with pytest.raises(ValueError, match="mixes Greek and Latin letters"):
        check_player("b\u03bfb")  # Greek omicron
    assert mixed_scripts("Иван Petrov") is None  # two words, one script each


@pytest.mark.parametrize(
    "a, b",
    [
        ("ace", "\u0430\u0441\u0435"),  # асе, all Cyrillic
        ("BOB", "\u0412\u041e\u0412"),  # ВОВ, Cyrillic capitals
        ("TOM", "\u03a4\u039f\u039c"),  # ΤΟΜ, Greek capitals
        ("pop", "\u0440\u043e\u0440"),  # рор
    ],
)
def test_lookalike_names(a, b):
    assert looks_like(a, b) and looks_like(b, a)
    assert not looks_like(a, a.upper())  # that is the same player, not a lookalike


def _file(tmp_path, name, player):
    level = L.find_level("x-squared")
    record = attempt_from_run(level, replay(level, [0.5]), "constant")
    result = new_result("x", [record]).model_copy(update={"player": player})
    return write_result(tmp_path / name, result)


@pytest.fixture
def classroom(tmp_path):
    return [
        _file(tmp_path, "alice.json", "Alice"),
        _file(tmp_path, "alice-again.json", "alice"),
        _file(tmp_path, "ace.json", "ace"),
        _file(tmp_path, "ace-cyrillic.json", "\u0430\u0441\u0435"),
        _file(tmp_path, "bob.json", "bob"),
    ]


def test_grade_flags_one_player_twice_and_lookalikes_in_every_output(capsys, classroom):
    code = main(["grade", *map(str, classroom)])
    out = capsys.readouterr().out
    assert code == 1
    assert (
        out.splitlines()[0]
        == "5 result files: 5 accepted (4 flagged: check their names), 0 rejected"
    )
    flagged = [line for line in out.splitlines() if ": flagged: " in line]
    assert len(flagged) == 4
    assert any(
        line.startswith(f"{classroom[0]}: flagged: one player, more than one file: 'Alice'")
        for line in flagged
    )
    assert any(
        line.startswith(f"{classroom[3]}: flagged: name '\\u0430\\u0441\\u0435' looks like 'ace'")
        for line in flagged
    )
    assert all(line.isprintable() for line in out.splitlines())
    assert not any(str(classroom[4]) in line for line in flagged)

    assert main(["grade", *map(str, classroom), "--json"]) == 1
    entries = {e["player"]: e for e in json.loads(capsys.readouterr().out)["entries"]}
    assert entries["bob"]["flags"] == []
    assert "more than one file" in entries["alice"]["flags"][0]
    assert "looks like 'ace'" in entries["\u0430\u0441\u0435"]["flags"][0]

    assert main(["grade", *map(str, classroom), "--csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    by_player = {r["player"]: r for r in rows}
    assert by_player["bob"]["flags"] == ""
    assert "more than one file" in by_player["Alice"]["flags"]
    assert "looks like" in by_player["ace"]["flags"]


@pytest.mark.parametrize(
    "player, reason",
    [
        (CYRILLIC_A + "lice", "mixes Cyrillic and Latin letters"),
        ("alice  smith", "is not written as the game writes names"),
        ("\uff41lice", "is not written as the game writes names"),  # a fullwidth a
    ],
)
def test_grade_rejects_names_the_game_does_not_write(capsys, tmp_path, player, reason):
    path = _file(tmp_path, "r.json", player)
    assert main(["grade", str(path)]) == 1
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith(f"{path}: rejected: ") and reason in line and line.isprintable()
