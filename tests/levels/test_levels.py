"""Level files: good ones load, every fault is one PATH:LINE: message line."""

import textwrap
import time
from pathlib import Path

import pytest

from lrgame import levels as L

GOOD = """\
id: my-level
title: Mine
params:
  x: 2.0
loss: "x**2"
goal:
  loss_below: 1e-6
  max_iterations: 50
lr:
  default: 0.1
  min: 1e-5
  max: 10
"""


def write(tmp_path: Path, text: str, name: str = "level.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def errors_of(path: Path) -> list[str]:
    with pytest.raises(L.LevelError) as info:
        L.load_level(path)
    return str(info.value).splitlines()


def test_a_good_level_loads_with_numbers_read_as_numbers(tmp_path):
    level = L.load_level(write(tmp_path, GOOD))
    assert level.kind == "landscape"
    assert level.goal.loss_below == 1e-6 and level.lr.min == 1e-5
    assert level.landscape().slope_formulas() == {"x": "2*x"}


@pytest.mark.parametrize(
    "change, line, message",
    [
        (
            ("  loss_below: 1e-6", "  loss_bellow: 1e-6"),
            7,
            "unknown key 'loss_bellow' in goal (allowed: loss_below, accuracy_at_least, "
            "max_iterations, hold; did you mean 'loss_below'?)",
        ),
        (("title: Mine", "title: Mine\ncolour: red"), 3, "unknown key 'colour'"),
        (("  x: 2.0", "  x: .nan"), 4, "params.x: must be a finite number"),
        (("  x: 2.0", "  x: .inf"), 4, "params.x: must be a finite number"),
        (("  x: 2.0", "  x: two"), 4, "params.x: expected a number, got 'two'"),
        (("  max_iterations: 50", "  max_iterations: 0"), 8, "goal.max_iterations"),
        (("  max_iterations: 50", "  max_iterations: 2.5"), 8, "expected a whole number"),
        (("  max_iterations: 50", "  max_iterations: 1000000"), 8, "less than or equal to 100000"),
        (("  min: 1e-5", "  min: 20"), 9, "lr.min (20) must be below lr.max (10)"),
        (("  default: 0.1", "  default: 50"), 9, "lr.default (50) must lie between"),
        (("  min: 1e-5", "  min: -1"), 11, "lr.min: input should be greater than 0"),
        (('loss: "x**2"', 'loss: "y**2"'), 5, "name 'y' is not a parameter"),
        (('loss: "x**2"', 'loss: "9**9**9**9"'), 5, "loss:"),
        (('loss: "x**2"', "loss: \"__import__('os').system('touch CANARY')\""), 5, "not allowed"),
        (("  x: 2.0", "  sin: 2.0"), 4, "params:"),
        (("  x: 2.0", "  _x: 2.0"), 4, "params:"),
        (("id: my-level", "id: My Level"), 1, "id 'My Level' must be lowercase"),
        (("id: my-level", "kind: wobble\nid: my-level"), 1, "unknown kind 'wobble'"),
        (("title: Mine\n", ""), 1, "missing required key 'title'"),
        (('loss: "x**2"', 'loss: "log(x-2)"'), 3, "the loss at the starting point is"),
    ],
)
def test_each_fault_is_one_line_with_its_line_number(tmp_path, monkeypatch, change, line, message):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, GOOD.replace(*change))
    lines = errors_of(path)
    assert any(ln.startswith(f"{path}:{line}: ") and message in ln for ln in lines), lines
    assert not (tmp_path / "CANARY").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        ("- just\n- a list\n", "must be a mapping"),
        ("id: x\ntitle: !!python/object/apply:os.system ['touch CANARY']\n", "tags like"),
        ("a: &a [1, 2]\nb: *a\n", "anchors and aliases"),
        ("id: [unclosed\n", "invalid YAML"),
    ],
)
def test_broken_files_are_refused_in_one_line(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    lines = errors_of(write(tmp_path, text))
    assert len(lines) == 1 and message in lines[0]
    assert not (tmp_path / "CANARY").exists()


def test_a_binary_and_a_huge_file_are_refused_quickly(tmp_path):
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    huge = tmp_path / "h.yaml"
    huge.write_text("hints:\n" + "  - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" * 60_000)
    start = time.perf_counter()
    assert "binary" in errors_of(binary)[0]
    assert "too large" in errors_of(huge)[0]
    assert time.perf_counter() - start < 20  # a hang guard: milliseconds here


def test_every_shipped_level_loads_in_campaign_order():
    ids = [lid for _, lid in L.campaign_ids()]
    assert ids[0] == "x-squared"
    assert len(ids) == len(set(ids))
    for lid in ids:
        assert L.load_level(L.shipped_path(lid)).id == lid


def test_resolve_finds_ids_and_paths(tmp_path):
    assert L.resolve("x-squared") == L.shipped_path("x-squared")
    path = write(tmp_path, GOOD)
    assert L.resolve(str(path)) == path
    with pytest.raises(L.LevelNotFound, match="no shipped level"):
        L.resolve("no-such-level")
    with pytest.raises(L.LevelNotFound, match="no such level file"):
        L.resolve(str(tmp_path / "missing.yaml"))


def test_a_level_too_costly_to_sweep_is_refused_with_the_budget_that_fits(tmp_path):
    text = GOOD.replace("  max_iterations: 50", "  max_iterations: 100000").replace(
        'loss: "x**2"', 'loss: "' + " + ".join(["sin(x)**2*cosh(x)"] * 20) + '"'
    )
    lines = errors_of(write(tmp_path, text))
    assert len(lines) == 1 and ":8: too costly to play:" in lines[0]
    assert "allow at most" in lines[0]
