"""`lrgame validate` shows an author the window of good rates; packs validate like levels."""

import textwrap
from pathlib import Path

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.commands.new import write_new_level
from lrgame.commands.validate import rate_window
from lrgame.levels.packs import load_pack


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_explicit_level_gets_its_windows_and_charts(capsys, tmp_path):
    path = write_new_level("valley", tmp_path)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert f"{path}: ok — par 1, best lr 0.5" in out
    assert "constant rates that clear it within 50 steps: lr " in out
    assert "★★☆ (at most 2 steps), constant rates: lr " in out
    assert "iterations against log10(lr)" in out and "final loss" in out
    assert "\x1b[" not in out  # no terminal codes in a pipe


def test_shipped_levels_and_quiet_stay_one_line_each(capsys, tmp_path):
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert len(out.strip().splitlines()) == len(L.campaign_ids())
    path = write_new_level("valley", tmp_path)
    code, out, _ = run(capsys, "validate", "--quiet", str(path))
    assert code == 0 and len(out.strip().splitlines()) == 1


def test_a_mistake_is_one_line_with_its_line_number(capsys, tmp_path):
    path = write_new_level("valley", tmp_path)
    lines = path.read_text().splitlines()
    n = next(i for i, ln in enumerate(lines, 1) if ln.startswith("loss:"))
    path.write_text(path.read_text().replace('loss: "(x - 3)**2 + 1"', 'loss: "(x - 3)^2 + 1"'))
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1 and out == ""
    assert err.strip() == f"{path}:{n}: loss: '^' is not an operator here: write ** for powers"


def test_rate_window():
    lrs = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    assert rate_window(lrs, np.array([0, 1, 1, 1, 0], bool)) == (0.2, 0.4, True)
    assert rate_window(lrs, np.array([1, 0, 1, 0, 0], bool)) == (0.1, 0.3, False)
    assert rate_window(lrs, np.zeros(5, bool)) is None


# -- packs ------------------------------------------------------------------------------


def make_pack(tmp_path: Path, pack_yaml: str, ids=("first", "second")) -> Path:
    folder = tmp_path / "valleys"
    folder.mkdir()
    (folder / "pack.yaml").write_text(textwrap.dedent(pack_yaml))
    for lid in ids:
        write_new_level(lid, folder)
    return folder


GOOD_PACK = """\
title: Valleys
author: Ms Rivera
order:
  - second
  - first
"""


def test_a_pack_loads_in_its_order_and_plays_as_a_campaign(tmp_path):
    folder = make_pack(tmp_path, GOOD_PACK, ids=("first", "second", "extra"))
    pack = load_pack(folder)
    assert pack.title == "Valleys"
    assert pack.campaign_ids() == [("Valleys", "second"), ("Valleys", "first")]
    assert pack.level("first").id == "first"
    assert pack.level_path("first") == folder / "first.yaml"
    assert pack.unlisted == ["extra.yaml"]


def test_validate_a_pack_folder(capsys, tmp_path):
    folder = make_pack(tmp_path, GOOD_PACK, ids=("first", "second", "extra"))
    code, out, _ = run(capsys, "validate", str(folder))
    assert code == 0
    assert f"{folder}: pack 'Valleys' by Ms Rivera, 2 levels" in out
    assert f"{folder / 'second.yaml'}: ok — par 1" in out
    assert "extra.yaml is not in pack.yaml's order" in out
    assert "log10(lr)" not in out  # one line a level unless --chart
    code, out, _ = run(capsys, "validate", "--chart", str(folder))
    assert code == 0 and "log10(lr)" in out


@pytest.mark.parametrize(
    "pack_yaml, line, message",
    [
        (GOOD_PACK + "colour: red\n", 6, "unknown key 'colour' (allowed: title, author, description, order)"),
        (GOOD_PACK + "  - third\n", 6, "order: no level file third.yaml in"),
        (GOOD_PACK + "  - first\n", 3, "level 'first' is listed twice"),
        (GOOD_PACK.replace("  - first\n", "  - First\n"), 5, "lowercase"),
        (GOOD_PACK.replace("title: Valleys\n", ""), 1, "missing required key 'title'"),
        ("- a list\n", 1, "pack.yaml must be a mapping"),
        (GOOD_PACK.replace("order:\n  - second\n  - first\n", "order: []\n"), 3, "order"),
    ],
)  # fmt: skip
def test_pack_faults_are_one_line_each_with_the_line(capsys, tmp_path, pack_yaml, line, message):
    folder = make_pack(tmp_path, pack_yaml)
    with pytest.raises(L.LevelError) as info:
        load_pack(folder)
    lines = str(info.value).splitlines()
    assert any(
        ln.startswith(f"{folder / 'pack.yaml'}:{line}: ") and message in ln for ln in lines
    ), lines
    code, _, err = run(capsys, "validate", str(folder))
    assert code == 1 and message in err


def test_a_broken_level_in_a_pack_reports_its_own_file_and_line(tmp_path):
    folder = make_pack(tmp_path, GOOD_PACK)
    (folder / "first.yaml").write_text(
        (folder / "first.yaml").read_text().replace("  max_iterations: 50", "  max_iterations: 0")
    )
    lines = (folder / "first.yaml").read_text().splitlines()
    n = next(i for i, ln in enumerate(lines, 1) if "max_iterations: 0" in ln)
    with pytest.raises(L.LevelError) as info:
        load_pack(folder)
    assert str(info.value).startswith(f"{folder / 'first.yaml'}:{n}: goal.max_iterations")


def test_a_level_file_named_unlike_its_id_and_a_folder_without_pack_yaml(tmp_path):
    folder = make_pack(tmp_path, GOOD_PACK)
    (folder / "first.yaml").write_text((folder / "second.yaml").read_text())
    with pytest.raises(L.LevelError, match=r"pack.yaml:5: order: first.yaml holds the level"):
        load_pack(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(L.LevelError, match="not a level pack: there is no pack.yaml"):
        load_pack(empty)


def test_a_level_whose_par_comes_from_a_schedule_shows_that_schedule_s_window(capsys):
    code, out, _ = run(capsys, "validate", str(L.shipped_path("slow-down")))
    assert code == 0
    assert "par 7 comes from the schedule exponential:gamma=0.7" in out
    assert "★★★ (at most 7 steps), constant rates: none" in out
    assert "★★★ (at most 7 steps), exponential:gamma=0.7, base: lr " in out


def test_a_kind_that_scores_its_own_way_gets_no_step_stars(capsys):
    code, out, _ = run(capsys, "validate", str(L.shipped_path("child-and-dogs")))
    assert code == 0 and "constant rates that clear it" in out and "★" not in out


def test_play_target_opens_a_pack_or_a_level(tmp_path):
    from lrgame.levels.packs import LoadedPack, play_target

    folder = make_pack(tmp_path, GOOD_PACK)
    assert isinstance(play_target(str(folder)), LoadedPack)
    assert play_target("x-squared").id == "x-squared"
    assert play_target(str(folder / "first.yaml")).id == "first"
    with pytest.raises(L.LevelNotFound):
        play_target("no-such-level")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(L.LevelError, match="not a level pack"):
        play_target(str(empty))
