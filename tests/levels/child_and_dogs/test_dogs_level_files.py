"""Bad child-and-dogs level files: each fault is one PATH:LINE: message line."""

import re
from pathlib import Path

import pytest

from lrgame import levels as L
from lrgame.__main__ import main

SHIPPED = Path(L.shipped_path("child-and-dogs")).read_text()
LINE = re.compile(r"^[^:]+\.yaml:\d+: .+$")


def write(tmp_path, text):
    p = tmp_path / "dogs.yaml"
    p.write_text(text)
    return p


def line_of(text, needle):
    """The first line that starts with ``needle``, indentation included."""
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(needle))


def one_error(tmp_path, capsys, text):
    path = write(tmp_path, text)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert LINE.match(err[0]), err[0]
    return err[0]


def test_the_shipped_file_loads(tmp_path):
    level = L.load_level(write(tmp_path, SHIPPED))
    assert level.kind == "child-and-dogs"
    assert len(level.animals()) == 12


def test_a_feature_value_of_two(tmp_path, capsys):
    text = SHIPPED.replace(
        "{name: a white dog up the street, dark: 0.0,", "{name: a white dog up the street, dark: 2,"
    )
    err = one_error(tmp_path, capsys, text)
    assert f":{line_of(text, '  - {name: a white dog up the street')}: " in err
    assert "stream.0.dark" in err and "less than or equal to 1" in err


def test_a_missing_quiz_animal(tmp_path, capsys):
    text = "\n".join(ln for ln in SHIPPED.splitlines() if "cat: {name" not in ln) + "\n"
    err = one_error(tmp_path, capsys, text)
    assert "missing required key 'cat' in quiz" in err
    assert f":{line_of(text, 'quiz:')}: " in err


def test_an_unknown_key(tmp_path, capsys):
    text = SHIPPED.replace("decision:\n", "colour: black\ndecision:\n")
    err = one_error(tmp_path, capsys, text)
    assert "unknown key 'colour'" in err
    assert f":{line_of(text, 'colour: black')}: " in err


def test_an_unknown_feature_on_one_animal(tmp_path, capsys):
    text = SHIPPED.replace("{name: a brown dog,", "{name: a brown dog, size: 0.5,")
    err = one_error(tmp_path, capsys, text)
    assert "quiz.brown_dog: unknown feature 'size'" in err


def test_a_missing_feature_on_one_animal(tmp_path, capsys):
    text = SHIPPED.replace("{name: the farm dog, dark: 1.0,", "{name: the farm dog,")
    err = one_error(tmp_path, capsys, text)
    assert "first_dogs.animals.4 (the farm dog): missing feature dark" in err
    assert f":{line_of(text, '    - {name: the farm dog')}: " in err


def test_a_goal_is_refused(tmp_path, capsys):
    text = SHIPPED.replace("decision:\n", "goal: {loss_below: 1, max_iterations: 2}\ndecision:\n")
    err = one_error(tmp_path, capsys, text)
    assert "takes no goal" in err


def test_a_pretraining_rate_out_of_range(tmp_path, capsys):
    text = SHIPPED.replace("  lr: 0.3\n", "  lr: 1.5\n")
    err = one_error(tmp_path, capsys, text)
    assert "first_dogs.lr" in err


@pytest.mark.parametrize("value", ["true", "'high'", ".nan"])
def test_a_feature_that_is_not_a_number(tmp_path, capsys, value):
    text = SHIPPED.replace("{name: a black dog, dark: 1.0,", f"{{name: a black dog, dark: {value},")
    err = one_error(tmp_path, capsys, text)
    assert "quiz.black_dog.dark" in err


def test_a_level_no_rate_can_clear_is_unsolvable(tmp_path, capsys):
    text = SHIPPED.replace("  threshold: 2.0", "  threshold: 200")  # even the cat fits
    path = write(tmp_path, text)
    assert main(["validate", str(path)]) == 1
    assert "unsolvable" in capsys.readouterr().err
