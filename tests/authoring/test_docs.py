"""The complete levels in docs/levels.md load, validate and can be cleared."""

import re
from pathlib import Path

import pytest

from lrgame import levels as L
from lrgame.commands.validate import validate_one
from lrgame.fileformat import validate_model
from lrgame.levels.packs import Pack
from lrgame.yamlsafe import load_yaml_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "levels.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
LEVELS = [b for b in BLOCKS if b.startswith("# A complete level")]


def test_the_reference_has_its_sections_and_complete_examples():
    text = DOC.read_text(encoding="utf-8")
    assert "## Landscape levels" in text
    for heading in [
        "## Overview",
        "## Landscape levels",
        "## The expression language",
        "## Goals and par",
        "## Schedules",
        "## Packs",
        "## Errors",
    ]:
        assert f"\n{heading}\n" in text, heading
    assert len(LEVELS) >= 2


@pytest.mark.parametrize("block", LEVELS, ids=lambda b: b.split("\n")[1])
def test_each_complete_level_validates(block):
    doc = load_yaml_text(block, "docs/levels.md")
    if doc.data.get("kind", "landscape") not in L.LEVEL_KINDS:
        pytest.skip(f"kind {doc.data['kind']!r} is not registered in this tree")
    level = L.parse_level(doc)
    assert validate_one(level) == []


def test_the_pack_example_is_a_valid_pack_yaml():
    (block,) = [b for b in BLOCKS if b.startswith("title:") and "order:" in b]
    pack = validate_model(Pack, load_yaml_text(block, "pack.yaml"), "pack.yaml")
    assert pack.order == ["first-valley", "steep-walls"]


def test_the_challenge_example_in_classroom_md_loads(tmp_path):
    from lrgame.classroom.challenge import load_challenge
    from lrgame.commands.new import write_new_level

    text = (DOC.parent / "classroom.md").read_text(encoding="utf-8")
    block, week5 = [
        b
        for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
        if b.startswith("title:") and "levels:" in b
    ]
    (tmp_path / "valleys").mkdir()
    write_new_level("first-valley", tmp_path / "valleys")
    (tmp_path / "week3.yaml").write_text(block, encoding="utf-8")
    challenge = load_challenge(tmp_path / "week3.yaml")
    assert list(challenge.levels) == ["x-squared", "first-valley", "tilted"]
    assert challenge.rules.time_limit_minutes == 30
    # the optimisers' example, and the faults the text shows for it, line numbers and all
    path = tmp_path / "week5.yaml"
    path.write_text(week5, encoding="utf-8")
    assert load_challenge(path).pins == {"long-valley": "momentum:beta=0.9", "two-scales": "sgd"}
    for bad in ("momentum:beta=0.99", "rmsprop"):
        path.write_text(week5.replace("momentum:beta=0.9 ", f"{bad} ", 1), encoding="utf-8")
        with pytest.raises(L.LevelError) as info:
            load_challenge(path)
        shown = str(info.value).replace(str(path), "week5.yaml")
        assert shown in text, shown
