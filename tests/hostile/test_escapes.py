"""Terminal escapes in a file never reach the terminal, on any output path.

Text from a file is cleaned once, on the way in, by the YAML loader
(``yamlsafe.clean_text``): escape sequences (CSI, OSC, DCS, ...; ESC or C1 forms)
are removed whole, other C0/C1 controls and DEL removed, tabs made spaces, line
breaks made ``\\n`` (kept: stories have several lines), and the bidirectional
overrides, embeddings, isolates and marks removed (they reorder how a line is shown;
right-to-left text still shows right to left without them). A result file is made
by the game, which writes none of these: one holding them is refused as forged.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from lrgame import levels as L
from lrgame.yamlsafe import clean_text, load_yaml_text

#: The two attacks the red team used, and variants (written as YAML escapes).
CLIPBOARD_TITLE = r"Valley\e]52;c;cm0gLXJmIH4K\e\\"  # OSC 52: the clipboard becomes "rm -rf ~"
CLEAR_STORY = r"\e[2J\e]0;owned\e\\"  # clears the screen, sets the window title
VARIANTS = [
    r"C1\x9b2J\x9b31mCSI",
    r"bell\aBEL\x07",
    r"carriage\rreturn",
    r"osc-bel\e]0;owned\a",
    r"dcs\eP1;2|secret\e\\",
    r"apc\e_secret\x9c",
    r"bidi\u202eevil\u202c",
    r"isolate\u2066x\u2069",
    r"del\x7f",
    r"nul\0char",
    r"unterminated\e]0;owned",
]
#: Nothing of these may be in any output.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PAYLOADS = ("cm0gLXJmIH4K", "owned", "secret", "2J", "31m")


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Valley\x1b]52;c;cm0gLXJmIH4K\x1b\\", "Valley"),
        ("\x1b[2J\x1b]0;owned\x1b\\", ""),
        ("a\x9b31mred\x9b0m", "ared"),
        ("bell\x07!", "bell!"),
        ("one\r\ntwo\rthree\x85four\u2028five", "one\ntwo\nthree\nfour\nfive"),
        ("tab\there", "tab here"),
        ("abc\u202edef\u202c", "abcdef"),
        ("\u200fשלום\u200e", "שלום"),
        ("x\x1bcy", "xy"),
        ("osc\x1b]0;never ends", "osc"),
        ("apc\x1b_data\x9cafter", "apcafter"),
        ("del\x7f\x00", "del"),
        ("line 1\nline 2", "line 1\nline 2"),
        ("ok é ✓ — ½", "ok é ✓ — ½"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean
    assert clean_text(clean) == clean


def test_the_loader_cleans_every_text_value_but_leaves_keys_for_their_checks():
    doc = load_yaml_text(
        f'title: "{CLIPBOARD_TITLE}"\nstory: "{CLEAR_STORY}\\nsecond line"\n'
        'hints: ["a\\x9b2Jb", {deep: "c\\ad"}]\n"k\\e[2J": "v\\e[1m"\n',
        "f.yaml",
    )
    assert doc.data == {
        "title": "Valley",
        "story": "\nsecond line",
        "hints": ["ab", {"deep": "cd"}],
        "k\x1b[2J": "v",  # an unknown key: refused by name, its escape shown as \x1b
    }


def _hostile_level(story_extra: str = "") -> str:
    hints = ", ".join(f'"{v}"' for v in VARIANTS)
    return (
        f'id: hostile-valley\ntitle: "{CLIPBOARD_TITLE}"\n'
        f'story: "{CLEAR_STORY}A valley.\\n{story_extra}"\nhints: [{hints}]\n'
        'params: {x: 2.0}\nloss: "x**2"\n'
        "goal: {loss_below: 1e-6, max_iterations: 50}\nlr: {default: 0.1, min: 1e-5, max: 10}\n"
    )


def test_a_hostile_level_loads_clean(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(_hostile_level(r"\tindented\r"))
    level = L.load_level(path)
    assert level.title == "Valley"
    assert level.story == "A valley.\n indented\n"
    for text in (level.title, level.story, *level.hints):
        assert not FORBIDDEN.search(text.replace("\n", " ")), repr(text)
        assert not any(p in text for p in PAYLOADS), repr(text)


def _assert_clean(result):
    out = result.output
    assert "Traceback" not in out, out[-2000:]
    bad = FORBIDDEN.search(out.replace("\n", " "))
    assert bad is None, f"{bad.group()!r} reaches the terminal: {out!r:.500}"
    assert not any(p in out for p in PAYLOADS), out[-2000:]


@pytest.fixture
def hostile_files(tmp_path):
    (tmp_path / "hostile-valley.yaml").write_text(_hostile_level())
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "hostile-valley.yaml").write_text(_hostile_level())
    (pack / "pack.yaml").write_text(
        f'title: "{CLIPBOARD_TITLE}"\nauthor: "{CLEAR_STORY}Ann"\n'
        f'description: "{VARIANTS[0]}"\norder: [hostile-valley]\n'
    )
    (tmp_path / "ch.yaml").write_text(
        f'title: "{CLIPBOARD_TITLE}"\nauthor: "{CLEAR_STORY}Ann"\n'
        f'description: "{VARIANTS[1]}"\nlevels: [hostile-valley.yaml]\n'
    )
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("run", "hostile-valley.yaml", "--lr", "0.1"),
        ("run", "hostile-valley.yaml", "--lr", "0.1", "--json"),
        ("validate", "hostile-valley.yaml", "--chart"),
        ("validate", "pack"),
        ("challenge", "ch.yaml"),
        ("sweep", "hostile-valley.yaml", "--points", "5"),
        ("range-test", "hostile-valley.yaml"),
    ],
    ids=lambda a: " ".join(a[:1] + a[-1:]),
)
def test_no_command_prints_a_files_escapes(args, hostile_files, lrgame_cli):
    result = lrgame_cli(*args, cwd=hostile_files)
    assert result.returncode == 0, result.output[-2000:]
    _assert_clean(result)


def test_grade_prints_no_escapes_from_the_challenge(hostile_files, lrgame_cli):
    played = lrgame_cli(
        "run", "hostile-valley", "--lr", "0.5", "--challenge", "ch.yaml",
        "--player", "bea", "--replay", "bea.json", cwd=hostile_files,
    )  # fmt: skip
    assert played.returncode == 0, played.output[-2000:]
    _assert_clean(played)
    assert json.loads((hostile_files / "bea.json").read_text())["challenge"]["title"] == "Valley"
    for extra in ((), ("--json",), ("--csv",)):
        graded = lrgame_cli(
            "grade", "--challenge", "ch.yaml", "bea.json", *extra, cwd=hostile_files
        )
        assert graded.returncode == 0, graded.output[-2000:]
        _assert_clean(graded)


@pytest.mark.parametrize("field", ["written_by", "started_at", "player"])
@pytest.mark.parametrize("attack", ["\x1b]52;c;cm0gLXJmIH4K\x1b\\", "\x9b2J", "\u202e", "\x07"])
def test_a_result_file_holding_escapes_is_refused_as_forged(field, attack, tmp_path, lrgame_cli):
    record = {
        "format": "lrgame-result/1",
        "player": "eve",
        "attempts": [],
        field: f"x{attack}y",
    }
    (tmp_path / "r.json").write_text(json.dumps(record))
    result = lrgame_cli("grade", "r.json", cwd=tmp_path)
    assert f"r.json: rejected: broken file: '{field}' holds a control character" in result.stdout
    _assert_clean(result)


# Found by the red team: a student names the file they hand in, and the teacher runs
# `lrgame grade *.json`: the name reached the terminal as it was, escapes and all, and
# a name starting with = became a formula in the spreadsheet the CSV is opened in.
ESCAPED_NAME = "eve\x1b]0;owned\x07\x9b2J.json"
FORMULA_NAME = "=1+2+cmd.json"


def test_grade_prints_no_escapes_from_file_names_and_no_formulas_in_its_csv(tmp_path, lrgame_cli):
    record = {"format": "lrgame-result/1", "player": "eve", "attempts": []}
    (tmp_path / ESCAPED_NAME).write_text(json.dumps(record))
    (tmp_path / FORMULA_NAME).write_text(json.dumps({**record, "player": "mallory"}))
    (tmp_path / "=broken.json").write_text("{")
    names = (ESCAPED_NAME, FORMULA_NAME, "=broken.json")
    for extra in ((), ("--json",), ("--csv",)):
        graded = lrgame_cli("grade", *names, *extra, cwd=tmp_path)
        assert graded.returncode == 1, graded.output[-2000:]  # =broken.json is refused
        bad = FORBIDDEN.search(graded.output.replace("\n", " "))
        assert bad is None, f"{bad.group()!r} reaches the terminal: {graded.output!r:.500}"
        if extra == ("--csv",):
            rows = list(csv.reader(io.StringIO(graded.stdout)))
            cells = [cell for row in rows[1:] for cell in row]
            assert len(rows) == 4 and not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_validate_prints_no_escapes_from_a_file_name(tmp_path, lrgame_cli):
    (tmp_path / "a\x1b[2Jlevel.yaml").write_text("id: [")
    result = lrgame_cli("validate", "a\x1b[2Jlevel.yaml", "gone\x07.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.output
    assert FORBIDDEN.search(result.output.replace("\n", " ")) is None, result.output
    assert "a\\x1b[2Jlevel.yaml:" in result.stderr and "gone\\x07.yaml: " in result.stderr
    good = tmp_path / "b\x1b[2Jlevel.yaml"
    good.write_text(_hostile_level())
    (tmp_path / "c\x9b2J.yaml").write_text("title: C\nlevels: [hostile-valley.yaml]\n")
    (tmp_path / "hostile-valley.yaml").write_text(_hostile_level())
    for args in (("validate", good.name), ("challenge", "c\x9b2J.yaml")):
        result = lrgame_cli(*args, cwd=tmp_path)
        assert result.returncode == 0, result.output[-2000:]
        assert FORBIDDEN.search(result.output.replace("\n", " ")) is None, result.output
        assert ": ok — " in result.stdout
