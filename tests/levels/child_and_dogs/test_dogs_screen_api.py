"""The level methods a game screen draws from, without computing anything itself."""

import pytest

from lrgame import levels as L


@pytest.fixture(scope="module")
def level():
    return L.find_level("child-and-dogs")


def test_animals_in_order_with_their_part(level):
    animals = level.animals()
    assert [a.part for a in animals] == ["first"] * 10 + ["stream"] * 2
    assert animals[0].name == "the baker's dog" and animals[0].lr == 0.3
    assert animals[-1].lr is None
    assert set(animals[0].features) == set(level.features)


def test_beliefs_one_per_animal(level):
    beliefs = level.beliefs(0.3)
    assert len(beliefs) == len(level.animals())
    assert [b.after for b in beliefs] == [a.name for a in level.animals()]
    assert beliefs[0].mean == level.animals()[0].features  # the first dog is the whole idea
    assert beliefs[-1].lr == 0.3 and beliefs[5].lr == 0.3
    # the white dogs pull colour down and widen it
    assert beliefs[-1].mean["dark"] < beliefs[9].mean["dark"]
    assert beliefs[-1].spread["dark"] > beliefs[9].spread["dark"]


def test_answers_say_why(level):
    answers = {a.key: a for a in level.answers(0.01)}
    white = answers["white_dog"]
    assert not white.says_dog and not white.right and white.because == "dark"
    assert white.distance > level.decision.threshold
    assert answers["cat"].right


@pytest.mark.parametrize(
    ("lr", "regime", "words"),
    [
        (0.01, "too_low", "raise the rate"),
        (0.3, "good", "stopped deciding"),
        (1.0, "too_high", "lower the rate"),
    ],
)
def test_explain_in_plain_words(level, lr, regime, words):
    assert level.regime(lr) == regime
    text = level.explain(lr)
    assert words in text
    assert "colour" in text and "(1 black" not in text


def test_narrate_tells_each_step_and_the_moment_of_forgetting(level):
    story = level.narrate(0.8)
    assert len(story) == len(level.stream)
    assert "Now it would say a white dog and a brown dog are dogs." in story[0]
    assert "It would no longer say a black dog or a brown dog is a dog." in story[1]
    assert all("stay as they were" in s for s in level.narrate(0.01))
