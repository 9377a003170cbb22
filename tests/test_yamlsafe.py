"""Tests for lrgame.yamlsafe: the loader of untrusted YAML level and challenge files."""

from __future__ import annotations

import math
import os
import pickle
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrgame import yamlsafe
from lrgame.yamlsafe import MAX_BYTES, Document, InputError, load_yaml_file, load_yaml_text

P = "levels/demo.yaml"

# The module prefers libyaml and falls back to the pure-Python parser: test both.
LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(params=LOADERS, ids=lambda cls: cls.__name__, autouse=True)
def loader(request, monkeypatch):
    monkeypatch.setattr(yamlsafe, "_LOADERS", (request.param,))
    return request.param


def fault(text: str | bytes, path: str = P) -> InputError:
    with pytest.raises(InputError) as info:
        load_yaml_text(text, path)
    return info.value


def assert_fault(text: str | bytes, line: int | None, message: str, path: str = P) -> InputError:
    err = fault(text, path)
    assert err.path == path
    assert err.line == line, str(err)
    if line is None:
        assert str(err) == f"{path}: {err.message}"
    else:
        assert str(err).startswith(f"{path}:{line}: ")
        assert str(err) == f"{path}:{line}: {err.message}"
    assert message in err.message, str(err)
    assert "\n" not in str(err)
    return err


# ---------------------------------------------------------------- InputError


def test_input_error_str_with_and_without_line():
    err = InputError("a.yaml", "bad thing", 3)
    assert (err.path, err.message, err.line) == ("a.yaml", "bad thing", 3)
    assert str(err) == "a.yaml:3: bad thing"
    assert str(InputError("a.yaml", "bad thing")) == "a.yaml: bad thing"
    assert InputError("a.yaml", "m").line is None
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == "a.yaml:3: bad thing"


# ---------------------------------------------------------------- line map

LEVEL = """\
# a level
name: valley
goal:
  loss_below: 1e-6
  max_iterations: 500
params:
  x: 0.5
hints:
  - start small
  - watch the curve
  - text: nested
    more: [1, 2]
flow: {a: 1, b: [x, y]}
"""


def test_data_and_line_map():
    doc = load_yaml_text(LEVEL, P)
    assert isinstance(doc, Document)
    assert doc.path == P
    assert doc.data == {
        "name": "valley",
        "goal": {"loss_below": 1e-6, "max_iterations": 500},
        "params": {"x": 0.5},
        "hints": ["start small", "watch the curve", {"text": "nested", "more": [1, 2]}],
        "flow": {"a": 1, "b": ["x", "y"]},
    }
    assert list(doc.data) == ["name", "goal", "params", "hints", "flow"]
    lines = doc.lines
    assert lines[()] == 1
    assert lines[("name",)] == 2
    assert lines[("goal",)] == 3
    assert lines[("goal", "loss_below")] == 4
    assert lines[("goal", "max_iterations")] == 5
    assert lines[("params", "x")] == 7
    assert lines[("hints",)] == 8
    assert lines[("hints", 0)] == 9
    assert lines[("hints", 1)] == 10
    assert lines[("hints", 2)] == 11
    assert lines[("hints", 2, "text")] == 11
    assert lines[("hints", 2, "more")] == 12
    assert lines[("hints", 2, "more", 1)] == 12
    assert lines[("flow", "b", 0)] == 13


def test_line_of_falls_back_to_longest_known_prefix():
    doc = load_yaml_text(LEVEL, P)
    assert doc.line_of(()) == 1
    assert doc.line_of(("goal", "max_iterations")) == 5
    assert doc.line_of(["goal", "max_iterations"]) == 5
    assert doc.line_of(("goal", "missing_key")) == 3
    assert doc.line_of(("goal", "loss_below", "deeper", 3)) == 4
    assert doc.line_of(("params", "x")) == 7
    assert doc.line_of(("params", "y")) == 6
    assert doc.line_of(("hints", 1)) == 10
    assert doc.line_of(("hints", 99)) == 8
    assert doc.line_of(("hints", 2, "more", 0)) == 12
    assert doc.line_of(("nope", "nothing")) == 1
    # pydantic-style locs may hold odd parts: never a crash
    assert doc.line_of(("goal", "function-after[check(), float]")) == 3
    assert doc.line_of(("goal", ["unhashable"])) == 3
    assert Document(data={}, path=P, lines={}).line_of(("a",)) is None


def test_document_error():
    doc = load_yaml_text(LEVEL, P)
    err = doc.error(("goal", "max_iterations"), "must be at most 100")
    assert isinstance(err, InputError)
    assert str(err) == f"{P}:5: must be at most 100"
    assert str(doc.error(("goal", "nope"), "unknown")) == f"{P}:3: unknown"


def test_list_items_starting_on_next_line():
    doc = load_yaml_text("items:\n-\n  a: 1\n- b\n", P)
    assert doc.data == {"items": [{"a": 1}, "b"]}
    assert doc.lines[("items", 0, "a")] == 3
    assert doc.lines[("items", 1)] == 4


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("- a\n- b\n", ["a", "b"]),
        ("42\n", 42),
        ("hello\n", "hello"),
        ("~\n", None),
        ("[1, {a: 2}]\n", [1, {"a": 2}]),
    ],
)
def test_top_level_that_is_not_a_mapping_is_returned(text, data):
    doc = load_yaml_text(text, P)
    assert doc.data == data
    assert doc.lines[()] == 1


def test_root_list_line_map():
    doc = load_yaml_text("# head\n- a\n- b: 1\n", P)
    assert doc.lines[(0,)] == 2
    assert doc.lines[(1, "b")] == 3


def test_bytes_input_and_bom():
    assert load_yaml_text(b"a: 1\n", P).data == {"a": 1}
    assert load_yaml_text("\ufeffa: 1\n".encode(), P).data == {"a": 1}
    assert load_yaml_text("\ufeffa: 1\n", P).data == {"a": 1}
    assert load_yaml_text("a: héllo ✓\n".encode(), P).data == {"a": "héllo ✓"}


# ---------------------------------------------------------------- scalars (YAML 1.2 core)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1e-6", 1e-6),
        ("1E6", 1e6),
        ("-2.5e+3", -2500.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("-.5", -0.5),
        ("+3.25", 3.25),
        ("0.001", 0.001),
        ("1.5E-10", 1.5e-10),
        ("0x1F", 31),
        ("0o17", 15),
        ("42", 42),
        ("-7", -7),
        ("+7", 7),
        ("0", 0),
        ("007", 7),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("~", None),
        ("", None),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("Yes", "Yes"),
        ("y", "y"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("0x", "0x"),
        ("1e", "1e"),
        ("e5", "e5"),
        ("1.2.3", "1.2.3"),
        ("2024-01-31", "2024-01-31"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("12:30:00", "12:30:00"),
        ("tRUE", "tRUE"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("=", "="),
        ("x^2 + 1", "x^2 + 1"),
    ],
)
def test_plain_scalars_follow_yaml_12_core_schema(raw, value):
    got = load_yaml_text(f"v: {raw}\n", P).data["v"]
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(("raw", "sign"), [(".inf", 1), ("-.inf", -1), ("+.inf", 1), (".Inf", 1)])
def test_infinities_are_floats(raw, sign):
    got = load_yaml_text(f"v: {raw}\n", P).data["v"]
    assert isinstance(got, float) and math.isinf(got) and math.copysign(1, got) == sign


@pytest.mark.parametrize("raw", [".nan", ".NaN", ".NAN"])
def test_nan_is_float(raw):
    got = load_yaml_text(f"v: {raw}\n", P).data["v"]
    assert isinstance(got, float) and math.isnan(got)


@pytest.mark.parametrize(
    "raw", ["'1e-6'", '"42"', "'true'", '"null"', "''", "'~'", '"0x1F"', "'.inf'"]
)
def test_quoted_scalars_are_always_text(raw):
    got = load_yaml_text(f"v: {raw}\n", P).data["v"]
    assert type(got) is str
    assert got == raw[1:-1]


def test_block_scalars_are_text():
    doc = load_yaml_text("a: |\n  12\nb: >\n  true\n", P)
    assert doc.data == {"a": "12\n", "b": "true\n"}


def test_huge_numbers():
    assert load_yaml_text("v: 1e999\n", P).data["v"] == math.inf
    assert load_yaml_text("v: " + "9" * 300 + "\n", P).data["v"] == int("9" * 300)
    assert_fault("a: 1\nv: " + "9" * 20_000 + "\n", 2, "number is too long")


# ---------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("text", "line", "shown"),
    [
        (
            'a: 1\nrun: !!python/object/apply:os.system ["touch CANARY"]\n',
            2,
            "!!python/object/apply:os.system",
        ),
        ("a: 1\nb: 2\nf: !!python/name:os.system\n", 3, "!!python/name:os.system"),
        ("a: !!python/object:collections.OrderedDict {}\n", 1, "!!python/object:"),
        ("a: !foo bar\n", 1, "!foo"),
        ("a: !!binary aGVsbG8=\n", 1, "!!binary"),
        ("a: !!set {x, y}\n", 1, "!!set"),
        ("a: !!str 12\n", 1, "!!str"),
        ("a: !!int '12'\n", 1, "!!int"),
        ("a: !!float 1\n", 1, "!!float"),
        ("a: !!timestamp 2001-12-14\n", 1, "!!timestamp"),
        ("a: ! plain\n", 1, "'!'"),
        ("a: !<tag:example.com,2000:x> v\n", 1, "tag:example.com,2000:x"),
        ("%TAG !e! tag:example.com,2000:\n---\na:\n  - !e!thing v\n", 4, "tag:example.com"),
        ("!!python/object/apply:os.system\n- ls\n", 1, "!!python/object/apply:os.system"),
        ("!!map\na: 1\n", 1, "!!map"),
        ("x:\n  !!python/tuple [1, 2]: y\n", 2, "!!python/tuple"),
    ],
)
def test_explicit_tags_are_refused(text, line, shown):
    err = assert_fault(text, line, "tags like '")
    assert shown in err.message
    assert err.message.endswith("' are not allowed")


def test_tag_message_exact():
    err = fault('x: !!python/object/apply:os.system ["touch CANARY"]\n')
    assert str(err) == f"{P}:1: tags like '!!python/object/apply:os.system' are not allowed"


def test_tag_with_escaped_newline_still_gives_one_line():
    err = assert_fault("a: !<tag:x%0Ay> v\n", 1, "are not allowed")
    assert "\n" not in err.message


def test_python_tag_never_runs_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "CANARY"
    bad = tmp_path / "evil.yaml"
    for text in (
        '!!python/object/apply:os.system ["touch CANARY"]\n',
        'a: !!python/object/apply:os.system ["touch CANARY"]\n',
        "a: !!python/object/apply:os.system\n  args: [touch CANARY]\n",
        '- !!python/object/new:os.system ["touch CANARY"]\n',
        '? !!python/object/apply:os.system ["touch CANARY"]\n: 1\n',
    ):
        bad.write_text(text)
        with pytest.raises(InputError) as info:
            load_yaml_file(bad)
        assert "tags like '!!python/object/" in str(info.value)
        with pytest.raises(InputError):
            load_yaml_text(text, "evil.yaml")
    assert not canary.exists()


# ---------------------------------------------------------------- anchors, aliases, merge keys


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x 1\n", 1),
        ("a: 1\nb: &x [1, 2]\nc: *x\n", 2),
        ("a: 1\nc: *x\n", 2),
        ("base: 1\nitems:\n  - &it {k: v}\n", 3),
        ("- &a\n  x: 1\n", 1),
        ("&root\na: 1\n", 1),
    ],
)
def test_anchors_and_aliases_are_refused(text, line):
    err = assert_fault(text, line, "anchors and aliases (&, *) are not allowed")
    assert err.message == "anchors and aliases (&, *) are not allowed"


def test_merge_keys_are_refused():
    assert_fault("a: 1\n<<: {b: 2}\n", 2, "merge keys (<<) are not allowed")
    assert_fault("base: &b {x: 1}\nd:\n  <<: *b\n", 1, "anchors and aliases")
    # a quoted '<<' is only text
    assert load_yaml_text("'<<': 1\n", P).data == {"<<": 1}


def test_billion_laughs_is_refused_fast():
    lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghijklmnopqrstuvwxyz"):
        prev = "abcdefghijklmnopqrstuvwxyz"[i]
        lol.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lol) + "\n"
    start = time.perf_counter()
    assert_fault(text, 1, "anchors and aliases (&, *) are not allowed")
    assert time.perf_counter() - start < 10.0  # a hang guard: refused at the first anchor


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\n1: x\n", 2, "keys must be text, found 1"),
        ("true: x\n", 1, "keys must be text, found true"),
        ("a: 1\nb:\n  1.5: x\n", 3, "keys must be text, found 1.5"),
        ("~: x\n", 1, "keys must be text, found ~"),
        ("null: x\n", 1, "keys must be text, found null"),
        ("0x10: x\n", 1, "keys must be text, found 0x10"),
        ("? \n: x\n", 1, "keys must be text, found an empty key"),
        ("{1: 2}\n", 1, "keys must be text, found 1"),
        ("? [a, b]\n: x\n", 1, "keys must be text, found a list"),
        ("a: 1\n? {k: v}\n: x\n", 2, "keys must be text, found a mapping"),
        ("[a, b]: x\n", 1, "keys must be text, found a list"),
    ],
)
def test_keys_must_be_text(text, line, message):
    err = assert_fault(text, line, message)
    assert err.message == message


def test_quoted_and_word_keys_are_fine():
    doc = load_yaml_text("'1': a\n\"true\": b\nyes: c\non: d\n2024-01-01: e\n", P)
    assert doc.data == {"1": "a", "true": "b", "yes": "c", "on": "d", "2024-01-01": "e"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("x: 1\ny: 2\nx: 3\n", 3, "duplicate key 'x' (first at line 1)"),
        ("g:\n  a: 1\n  b: 2\n  a: 3\n", 4, "duplicate key 'a' (first at line 2)"),
        ("{a: 1, a: 2}\n", 1, "duplicate key 'a' (first at line 1)"),
        ("a: 1\n'a': 2\n", 2, "duplicate key 'a' (first at line 1)"),
    ],
)
def test_duplicate_keys(text, line, message):
    err = assert_fault(text, line, message)
    assert err.message == message


def test_same_key_in_different_mappings_is_fine():
    doc = load_yaml_text("a: {x: 1}\nb: {x: 2}\nl: [{x: 1}, {x: 2}]\n", P)
    assert doc.data["l"] == [{"x": 1}, {"x": 2}]
    assert doc.lines[("l", 1, "x")] == 3


# ---------------------------------------------------------------- file-level faults


@pytest.mark.parametrize(
    "data",
    [
        b"a: 1\n\x00b: 2\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"a: \xff\xfe\n",
        b"a: \xc3\n",
        "a: 1\n".encode("utf-16"),
        "a: \x00\n",
        "a: \ud800\n",
    ],
)
def test_binary_content(data):
    err = assert_fault(data, None, "not a text file (binary content)")
    assert str(err) == f"{P}: not a text file (binary content)"


@pytest.mark.parametrize(
    "text", ["", "\n\n", "   \n", "# only a comment\n", "# a\n\n# b", b"", "\ufeff"]
)
def test_empty_file(text):
    err = assert_fault(text, None, "the file is empty")
    assert str(err) == f"{P}: the file is empty"


def test_lone_document_marker_is_empty():
    assert_fault("---\n", None, "the file is empty")
    assert_fault("# c\n---\n...\n", None, "the file is empty")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\na: 1\n---\nb: 2", 3),
        ("a: 1\n---\nb: 2\n", 2),
        ("a: 1\n...\n---\nb: 2\n", 3),
        ("a: 1\n---\n", 2),
    ],
)
def test_more_than_one_document(text, line):
    assert_fault(text, line, "only one YAML document is allowed")


def test_single_document_with_markers_is_fine():
    assert load_yaml_text("---\na: 1\n...\n", P).data == {"a": 1}
    assert load_yaml_text("%YAML 1.2\n---\na: 1\n", P).data == {"a": 1}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: 2\n  c: 3\n", 3),
        ("a: [1, 2\nb: 3\n", 2),
        ("a: 1\nb: 'open\n", 3),
        ("a:\n\tb: 1\n", 2),
        ("a: 1\n- b\n", 2),
        ("a: 1\nb: @x\n", 2),
        ("a: 1\nb: 2\nc: \x07\n", 3),
        ("a: 1\nb: \u0085\x01\n", 3),
        ("a: 1\rb: \x01\n", 2),
        ("é: 1\néé: \x02\n", 2),
        ("%YAML 9.0\n---\na: 1\n", 1),
    ],
)
def test_invalid_yaml_reports_problem_line(text, line):
    err = assert_fault(text, line, "invalid YAML: ")
    assert err.message.startswith("invalid YAML: ")
    assert len(err.message) > len("invalid YAML: ")


def test_invalid_yaml_line_matches_pyyaml_problem_mark():
    text = "goal:\n  loss_below: 1\n  oops\n  max: 2\n"
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yaml.safe_load(text)
    expected = info.value.problem_mark.line + 1
    assert_fault(text, expected, "invalid YAML: ")


# ---------------------------------------------------------------- size, depth, node limits


def test_too_large_text():
    big = "a: " + "x" * (MAX_BYTES + 10) + "\n"
    assert_fault(big, None, "file is too large (over 1 MB)")
    assert_fault(big.encode(), None, "file is too large (over 1 MB)")
    # under the limit in characters, over it in UTF-8 bytes
    assert_fault("a: " + "é" * (MAX_BYTES // 2 + 10), None, "file is too large (over 1 MB)")


def test_too_large_file_2mb(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("".join(f"k{i}: {i}\n" for i in range(200_000)))
    assert path.stat().st_size > 2_000_000
    with pytest.raises(InputError) as info:
        load_yaml_file(path)
    assert str(info.value) == f"{path}: file is too large (over 1 MB)"


def test_huge_file_is_not_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(4_000_000_000)  # sparse: costs no disk
    sizes: list[int] = []
    real_fdopen = os.fdopen

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            self.handle.__enter__()
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def fileno(self):
            return self.handle.fileno()

        def read(self, size=-1):
            sizes.append(size)
            return self.handle.read(size)

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Spy(real_fdopen(*a, **k)))
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_yaml_file(path)
    assert time.perf_counter() - start < 10.0  # a hang guard: it reads 1 MB, then stops
    assert "file is too large (over 1 MB)" in str(info.value)
    assert sizes and all(0 <= size <= MAX_BYTES + 1 for size in sizes)


def test_file_of_exactly_max_bytes_is_read(tmp_path):
    path = tmp_path / "edge.yaml"
    body = "a: x\n"
    path.write_text(body + "#" * (MAX_BYTES - len(body)))
    assert path.stat().st_size == MAX_BYTES
    assert load_yaml_file(path).data == {"a": "x"}


def nested_flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_block(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth - 1)) + "  " * (depth - 1) + "k: 1\n"


def test_depth_limit_exact():
    assert load_yaml_text(nested_flow(50), P).data is not None
    assert_fault(nested_flow(51), 1, "nesting is too deep (more than 50 levels)")
    doc = load_yaml_text(nested_block(50), P)
    assert doc.lines[tuple(f"k{i}" for i in range(49)) + ("k",)] == 50
    assert_fault(nested_block(51), 51, "nesting is too deep (more than 50 levels)")


@pytest.mark.parametrize(
    "text",
    [
        nested_flow(10_000),
        "[" * 10_000,
        "{a: " * 10_000,
        "a: " + "[" * 10_000 + "\n",
        "".join("  " * i + "- \n" for i in range(500)) + "  " * 500 + "x\n",
        "- " * 10_000 + "x\n",
    ],
    ids=["flow-balanced", "flow-open", "flow-maps", "in-value", "block-seq", "compact-seq"],
)
def test_very_deep_nesting_is_refused_without_crash(text):
    start = time.perf_counter()
    err = fault(text)
    assert err.message == "nesting is too deep (more than 50 levels)"
    assert err.line is not None
    assert time.perf_counter() - start < 20.0  # a hang guard: this takes milliseconds


class _ParserThatRefusesDepth(yaml.SafeLoader):
    """A parser that, like libyaml in PyYAML 6.0.4, refuses deep flow nesting itself,
    in its own words, before any event reaches lrgame: a later release may do the same
    with other words or at another depth."""

    def get_event(self):
        raise yaml.parser.ParserError(None, None, "some new wording about depth", None)

    check_event = peek_event = get_event


@pytest.mark.parametrize(
    "text, line",
    [
        (nested_flow(51), 1),
        ("a: 1\nb:\n  c: " + "[" * 60 + "\n", 3),
        ("a: '[[['\n" + "{x: " * 51 + "1" + "}" * 51 + "\n", 2),
        ("# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n" + "[" * 51, 2),
    ],
    ids=["flow", "in-a-value", "after-quoted-brackets", "after-a-comment"],
)
def test_depth_message_is_lrgames_whatever_the_parser_says(monkeypatch, text, line):
    monkeypatch.setattr(yamlsafe, "_LOADERS", (_ParserThatRefusesDepth,))
    assert_fault(text, line, "nesting is too deep (more than 50 levels)")


@pytest.mark.parametrize(
    "text",
    [
        "a: '" + "[" * 60 + "'\n",
        'a: "' + "{" * 60 + '"\n',
        "# " + "[" * 60 + "\n",
        "a: [1, 2]\n" * 60,
    ],
)
def test_brackets_in_quotes_and_comments_are_not_nesting(monkeypatch, text):
    """Only a file the parser refused is scanned; a scan that counted quoted or
    commented brackets would give a broken file the wrong message."""
    monkeypatch.setattr(yamlsafe, "_LOADERS", (_ParserThatRefusesDepth,))
    err = fault(text)
    assert err.message == "invalid YAML: some new wording about depth"


def test_recursion_limit_is_not_needed():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        assert_fault(nested_flow(10_000), 1, "nesting is too deep")
    finally:
        sys.setrecursionlimit(old)


def test_node_limit(loader):
    ok = "[" + ",".join(["1"] * 99_999) + "]"
    assert len(load_yaml_text(ok, P).data) == 99_999
    assert_fault("[" + ",".join(["1"] * 100_000) + "]", 1, "too many values")
    if loader is yaml.SafeLoader and len(LOADERS) > 1:
        return  # the pure-Python parser is slow: the line check below once is enough
    lines = "".join(f"k{i}: v\n" for i in range(60_000))
    # node 1 is the mapping, then key and value per line: node 100,001 is on line 50,000
    assert_fault(lines, 50_000, "too many values (more than 100000)")


def test_one_megabyte_loads_fast(loader):
    if loader is yaml.SafeLoader and len(LOADERS) > 1:
        pytest.skip("the pure-Python parser is only a fallback; libyaml is used")
    parts: list[str] = []
    size = 0
    i = 0
    while True:
        part = (
            f"level_{i}:\n"
            f'  title: "A fairly long title for level number {i}, with words"\n'
            "  goal: {loss_below: 1.0e-6, max_iterations: 500}\n"
            "  hints:\n"
            "    - try a smaller learning rate first, maybe 0.01 or so\n"
            "    - watch the loss curve carefully for oscillation\n"
        )
        if size + len(part) > MAX_BYTES:
            break
        parts.append(part)
        size += len(part)
        i += 1
    text = "".join(parts)
    assert len(text) > 0.95 * MAX_BYTES
    start = time.perf_counter()
    doc = load_yaml_text(text, P)
    elapsed = time.perf_counter() - start
    assert len(doc.data) == i
    assert doc.lines[(f"level_{i - 1}", "hints", 1)] == 6 * i
    assert elapsed < 15, elapsed  # a hang guard: under 0.2 s with libyaml


# ---------------------------------------------------------------- load_yaml_file


def test_load_file_paths(tmp_path):
    path = tmp_path / "level.yaml"
    path.write_text(LEVEL)
    for given_path in (path, str(path)):
        doc = load_yaml_file(given_path)
        assert doc.path == str(path)
        assert doc.data["goal"]["max_iterations"] == 500
        assert doc.lines[("goal", "max_iterations")] == 5
    path.write_text("a: 1\nb: *x\n")
    with pytest.raises(InputError) as info:
        load_yaml_file(path)
    assert str(info.value).startswith(f"{path}:2: ")


def test_load_file_binary_and_empty(tmp_path):
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\x00\x01\x02garbage\xff")
    with pytest.raises(InputError, match="not a text file"):
        load_yaml_file(path)
    path.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        load_yaml_file(path)


def test_load_file_missing_or_directory(tmp_path):
    with pytest.raises(InputError) as info:
        load_yaml_file(tmp_path / "missing.yaml")
    assert str(info.value).startswith(f"{tmp_path / 'missing.yaml'}: ")
    with pytest.raises(InputError):
        load_yaml_file(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_load_file_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(InputError, match="not a regular file"):
        load_yaml_file(fifo)
    assert time.perf_counter() - start < 1.0


def test_load_file_device_is_refused():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        load_yaml_file("/dev/zero")


# ---------------------------------------------------------------- never a traceback

YAMLISH = [
    *":-[]{}?,&*!|>'\"#%@` \n\t\r0123456789abexo.~<_+\x00\x01\x85\u2028\ufeffé",
    "---",
    "...",
    "!!python/object/apply:os.system",
    "<<",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    ".inf",
    "0x",
    "  ",
    "\n  - ",
    "k: ",
]

ANY_INPUT = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(YAMLISH), max_size=80).map("".join),
    st.binary(max_size=200),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=ANY_INPUT)
def test_random_input_gives_document_or_input_error(text):
    # runs once per parser (the autouse fixture); a loop would need a fixture per example
    try:
        doc = load_yaml_text(text, "fuzz.yaml")
    except InputError as err:
        message = str(err)
        assert message.startswith("fuzz.yaml:")
        assert "\n" not in message
        assert err.line is None or err.line >= 1
    else:
        assert isinstance(doc, Document)
        assert doc.lines[()] == 1
        assert all(isinstance(line, int) and line >= 1 for line in doc.lines.values())
