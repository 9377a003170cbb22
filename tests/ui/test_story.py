"""The story is shortened to fit the message box; what to do now is never cut; i opens
the whole story."""

from __future__ import annotations

from rich.text import Text

from lrgame import levels
from lrgame.ui.widgets.story import MORE, SHORT, StoryScreen, _rows, fit_story

STORY = " ".join(["word"] * 200)


def test_a_story_that_fits_is_whole_and_one_that_does_not_keeps_the_question():
    after = Text("Press space: a white dog comes along.")
    short = fit_story("A short story.", after, 80, 5)
    assert short.plain == "A short story.\nPress space: a white dog comes along."
    long = fit_story(STORY, after, 40, 6)
    assert long.plain.endswith("\nPress space: a white dog comes along.")
    assert MORE.strip() in long.plain and _rows(long, 40) <= 6
    # as much of the story as fits: one word more would not
    n = long.plain.split(MORE)[0].count("word")
    more = Text(" ".join(["word"] * (n + 1)) + MORE) + Text("\n") + after
    assert _rows(more, 40) > 6


def test_where_no_word_of_the_story_fits_it_is_named_on_the_question_s_first_row():
    after = Text(" ".join(["step"] * 30))  # 149 cells: 4 rows of 40
    fitted = fit_story(STORY, after, 40, 4)
    assert fitted.plain == SHORT + after.plain and "\n" not in fitted.plain
    assert _rows(fitted, 40) <= 5  # the question keeps its rows; no row is spent on a "…"


async def test_dogs_at_80x24_show_the_next_dog_s_question_whole(ui):
    app = ui.game("child-and-dogs")
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.settle(pilot)
        await pilot.pause()
        box = app.screen.query_one("#diagnosis")
        shown = str(box.render())
        nxt = levels.find_level("child-and-dogs").stream[0].name
        assert f"Press space: {nxt} comes along" in shown
        assert "of the way from the idea to the dog." in shown
        assert "(i: the whole story)" in shown
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StoryScreen)


async def test_a_box_with_room_shows_the_whole_story(ui):
    app = ui.game("the-crawl")  # a short story: at 120 columns it fits with the diagnosis
    async with app.run_test(size=(160, 40)) as pilot:
        await ui.settle(pilot)
        await pilot.pause()
        shown = " ".join(str(app.screen.query_one("#diagnosis").render()).split())
        assert "and choose a better one." in shown and "Iteration 0" in shown
        assert "(i: the whole story)" not in shown
