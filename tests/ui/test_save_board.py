"""ctrl+s saves the screen as an SVG and says where."""

from __future__ import annotations

from lrgame.ui.board_svg import svg_name


async def test_ctrl_s_saves_the_board_as_svg_and_says_where(ui, tmp_path, monkeypatch):
    monkeypatch.setenv("LRGAME_SCREENSHOTS", str(tmp_path))
    app = ui.game("the-leap")
    async with app.run_test(size=ui.SIZE, notifications=True) as pilot:
        await ui.settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = list(tmp_path.glob("lrgame-the-giant-leap-*.svg"))
        assert len(saved) == 1
        text = saved[0].read_text(encoding="utf-8")
        assert text.lstrip().startswith("<svg") and "Giant" in text
        assert any(str(saved[0]) in n.message for n in app._notifications)


async def test_a_folder_that_cannot_be_written_is_said_not_raised(ui, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("LRGAME_SCREENSHOTS", str(blocker))
    app = ui.game("x-squared")
    async with app.run_test(size=ui.SIZE, notifications=True) as pilot:
        await ui.settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any(m.startswith(f"Could not save the board in {blocker}") for m in notes)
        assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_the_file_name_is_safe_whatever_the_title():
    name = svg_name("../../etc/\x1b[31mpasswd ★", when=0)
    assert name.startswith("lrgame-etc-31mpasswd-") and name.endswith(".svg")
    assert "/" not in name and "\x1b" not in name
    assert svg_name("★★★", when=0).startswith("lrgame-board-")
