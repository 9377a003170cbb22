"""show_loss: false hides a level's formula everywhere the player could read it, so a
search level is played by searching; the slopes' values stay in the step table."""

from __future__ import annotations

import re

import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.fileformat import level_hash
from lrgame.judging.diagnose import diagnose_level

SEARCH = "coarse-to-fine"


def shown_and_hidden() -> tuple[L.Level, L.Level]:
    hidden = L.find_level(SEARCH)
    assert hidden.show_loss is False
    shown = type(hidden).model_validate({**hidden.model_dump(), "show_loss": True})
    return shown, hidden


def formula_bits(level: L.Level) -> list[str]:
    """Pieces of the loss and its slopes that would let the rate be worked out."""
    return ["30*", "50*", "60*", "100*", "**2", "x - 0.4", "y + 0.7"]


def test_the_search_level_hides_its_formula_and_its_slopes_formulas():
    shown, hidden = shown_and_hidden()
    assert shown.landscape().loss_formula() and shown.landscape().slope_formulas()
    assert hidden.landscape().loss_formula() is None
    assert hidden.landscape().slope_formulas() is None


def test_no_story_or_hint_of_the_search_level_gives_the_curvatures():
    lv = L.find_level(SEARCH)
    for text in [lv.story, *lv.hints, lv.title]:
        for n in ("30", "50", "60", "100", "160"):
            assert not re.search(rf"(?<![\d.]){n}(?![\d])", text.replace("50 points", "")), text


def test_lrgame_run_prints_no_formula_but_every_slope(capsys):
    assert main(["run", SEARCH, "--lr", "0.01"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.endswith("loss = ?")
    assert not any(bit in out for bit in formula_bits(L.find_level(SEARCH)))
    assert "slope x" in out and "slope y" in out  # the slope column stays
    assert re.search(r"^\s+0\s+1\s+1\s+36\s+170\b", out, re.M)  # the slopes' values


def test_lrgame_run_shows_the_formula_of_an_ordinary_level(capsys):
    assert main(["run", "x-squared", "--lr", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "loss = x**2" in out.splitlines()[0] and "2*x" in out


@pytest.mark.parametrize("lr", [None, 0.01, 1.0])
def test_the_diagnosis_names_no_formula(lr):
    shown, hidden = shown_and_hidden()
    words_shown = diagnose_level(shown, shown.new_run(), lr).text
    words_hidden = diagnose_level(hidden, hidden.new_run(), lr).text
    assert "60*x" in words_shown or "60x" in words_shown.replace("*", "")  # control
    assert not any(bit in words_hidden for bit in formula_bits(hidden))
    assert "36" in words_hidden and "170" in words_hidden  # the slopes, as numbers


def test_show_loss_left_at_its_default_does_not_change_a_level_s_hash():
    lv = L.find_level("x-squared")
    written = type(lv).model_validate({**lv.model_dump(), "show_loss": True})
    assert level_hash(written) == level_hash(lv)
    hidden = type(lv).model_validate({**lv.model_dump(), "show_loss": False})
    assert level_hash(hidden) != level_hash(lv)


def test_show_loss_must_be_true_or_false(tmp_path):
    path = tmp_path / "bad.yaml"
    text = L.shipped_path("x-squared").read_text(encoding="utf-8")
    path.write_text(text + "show_loss: no\n", encoding="utf-8")  # a newcomer's YAML 1.1
    with pytest.raises(L.LevelError) as err:
        L.load_level(path)
    line = len(text.splitlines()) + 1
    assert str(err.value) == f"{path}:{line}: show_loss: write true or false, got 'no'"
