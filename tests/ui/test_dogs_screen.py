"""The child-and-dogs level, played with keys: the three regimes show on the screen."""

from __future__ import annotations

import pytest

from lrgame.ui.kinds.child_and_dogs import DogsScreen
from lrgame.ui.screens.result import ResultScreen


def _quiz(app) -> str:
    return str(app.screen.query_one("#quiz").render())


def _herd_names(app) -> list[str]:
    herd = app.screen.query_one("#herd")
    return [str(herd.get_row_at(i)[0]) for i in range(herd.row_count)]


async def test_the_level_opens_on_its_own_screen_with_the_first_dogs(ui):
    app = ui.game("child-and-dogs")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        assert isinstance(app.screen, DogsScreen)
        names = _herd_names(app)
        assert names[0] == "the baker's dog" and len(names) == 11  # ten dogs and the next
        assert names[-1] == "→ a white dog up the street"
        assert "dog 0/2" in ui.status_text(app) and "lr 0.01" in ui.status_text(app)
        assert "A small child" in str(app.screen.query_one("#diagnosis").render())


@pytest.mark.parametrize(
    "lr, wrong, right",
    [
        ("0.01", "a white dog: not a dog", "a black dog: a dog"),
        ("1", "a black dog: not a dog", "a white dog: a dog"),
    ],
)
async def test_a_rate_too_low_or_too_high_gets_the_quiz_wrong(ui, lr, wrong, right):
    app = ui.game("child-and-dogs")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, lr)
        await pilot.press("space")
        assert "dog 1/2" in ui.status_text(app)
        assert "a white dog up the street" in _herd_names(app)
        await pilot.press("space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        result = app.screen.result
        assert not result.cleared and result.stars == 0
        words = str(app.screen.query_one("#result-diagnosis").render())
        assert "raise the rate" in words if lr == "0.01" else "lower the rate" in words
        await pilot.press("escape")  # back to the board: the quiz, as the child answers it
        quiz = _quiz(app)
        assert f"✗ {wrong}" in quiz and f"✓ {right}" in quiz


async def test_a_middle_rate_gets_the_whole_quiz_right_and_undo_reset_work(ui):
    app = ui.game("child-and-dogs")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.3")
        await pilot.press("space")
        await pilot.press("u")
        assert "dog 0/2" in ui.status_text(app)
        await pilot.press("space", "x")
        assert app.screen.run.iteration == 0
        await pilot.press("space", "space")
        await ui.wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        result = app.screen.result
        assert result.cleared and result.stars == 3 and result.score > 800
        await pilot.press("escape")
        quiz = _quiz(app)
        assert "✗" not in quiz and quiz.count("✓") == 4
        assert "the new dogs moved the child's idea without erasing" in str(
            app.screen.query_one("#diagnosis").render()
        )


async def test_brackets_move_the_rate_and_the_preview_follows(ui):
    app = ui.game("child-and-dogs")
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.screen.lr == pytest.approx(0.01 * 10**0.5)
        assert "3.16% of the way" in str(app.screen.query_one("#diagnosis").render())


async def test_the_herd_table_is_headed_as_the_idea_and_names_the_next_dog_whole(ui):
    from textual.widgets import DataTable

    from lrgame.levels.kinds.child_and_dogs.level import label

    app = ui.game("child-and-dogs")
    async with app.run_test(size=(100, 32)) as pilot:
        await ui.settle(pilot)
        level = app.screen.level
        herd = app.screen.query_one("#herd", DataTable)
        heads = [" ".join(str(c.label).split()).replace("- ", "-") for c in herd.columns.values()]
        assert heads == ["dog", *[label(level, f) for f in level.features], "lr"]
        idea = app.screen.query_one("#idea", DataTable)
        rows = [str(idea.get_row_at(i)[0]) for i in range(idea.row_count)]
        assert rows == heads[1:-1]  # the idea's rows are the herd's columns
        nxt = str(herd.get_row_at(herd.row_count - 1)[0])
        assert nxt == f"→ {level.stream[0].name}"
        assert herd.columns["dog"].width >= len(nxt)  # shown whole, not cut


async def test_the_result_shows_the_quiz_over_time(ui):
    from lrgame.ui.widgets.quiz_chart import QuizChart

    app = ui.game("child-and-dogs")
    async with app.run_test(size=(100, 32)) as pilot:
        await ui.settle(pilot)
        await ui.type_lr(pilot, "0.2")
        await pilot.press("r")
        await ui.wait_for(pilot, lambda: app.screen.query(QuizChart))
        chart = app.screen.query_one(QuizChart)
        run = app.screen_stack[-2].run
        # one column per moment (before the new dogs, after each), one row per quiz animal
        assert len(chart.history) == len(run.steps) == run.iteration + 1
        wrong = [sum(not a.right for a in answers) for answers in chart.history]
        assert wrong == [int(s.loss) for s in run.steps]  # the run's own loss, step by step
        assert wrong[0] > 0 and wrong[-1] == 0  # the new dogs taught it: a change to see
