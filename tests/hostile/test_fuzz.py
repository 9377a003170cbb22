"""Fuzzing the level loader and the result-file reader: only lrgame's own errors escape.

Structured: a shipped level (or an honest result file) is loaded as data, mutated
(keys dropped, duplicated or added, values swapped for other types, NaN, infinities,
huge or tiny numbers, random expressions) and written back. Unstructured: random
bytes. A fixed budget and ``derandomize=True`` keep CI deterministic and bounded.

A level that still loads must also start a run and take steps without a warning: a
file that passes validation must be safe to play.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lrgame import levels as L
from lrgame.classroom.grade import Grader, entries_json, leaderboard_text, rank, write_csv
from lrgame.fileformat import level_hash
from lrgame.judging.replay import (
    ResultError,
    attempt_from_run,
    dumps_result,
    new_result,
    read_result,
)
from lrgame.yamlsafe import load_yaml_file

#: LRGAME_FUZZ_EXAMPLES=5000 LRGAME_FUZZ_RANDOM=1 pytest tests/hostile/test_fuzz.py: a longer,
#: fresh hunt by hand; CI runs the fixed, derandomized 200.
FUZZ = settings(
    max_examples=int(os.environ.get("LRGAME_FUZZ_EXAMPLES", 200)),
    deadline=None,
    derandomize=not os.environ.get("LRGAME_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SEED_LEVELS = [
    "x-squared",
    "stretched-bowl",
    "double-well",
    "hundred-bowl",
    "fit-a-line",
    "noisy-line",
    "settle-the-noise",
    "coarse-to-fine",
    "range-finder",
    "child-and-dogs",
]


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory(prefix="lrgame-fuzz-") as name:
        yield Path(name)


def _seed(level_id: str):
    return load_yaml_file(L.shipped_path(level_id)).data


SEEDS = {lid: _seed(lid) for lid in SEED_LEVELS}

# -- values and mutations ------------------------------------------------------------------

EXPRESSION_TOKENS = [
    *"xyab0123456789.+-*/() ",
    "**", "e", "pi", "sin(", "exp(", "log(", "sqrt(", "abs(", "cosh(", "1e308", "1e-320",
    "__import__('os')", ".__class__", "lambda:", "[", "]", "'", ",", "9**9**9", ")**1000",
]  # fmt: skip

WEIRD_NUMBERS = [
    math.nan, math.inf, -math.inf, 0, -0.0, -1, 1e308, -1e308, 5e-324, 1e-300, 2**63,
    10**30, 2**53 + 1, 100_000, 100_001, 2_000_001, 1e6, 0.5,
]  # fmt: skip

LEAVES = st.one_of(
    st.sampled_from(WEIRD_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    st.lists(st.sampled_from(EXPRESSION_TOKENS), max_size=25).map("".join),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _paths(data, prefix=()):
    """Every key path into nested dicts and lists."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


NUMBERS = st.one_of(
    st.sampled_from(WEIRD_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
)
EXPRESSIONS = st.lists(st.sampled_from(EXPRESSION_TOKENS), max_size=40).map("".join)


def _like(value):
    """A value of the same shape: these keep a level loadable more often, and probe it deeper."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, (int, float)):
        return NUMBERS
    if isinstance(value, str):
        return st.one_of(EXPRESSIONS, st.text(max_size=30))
    return VALUES


@st.composite
def mutated(draw, seed):
    """A deep copy of ``seed`` with one to three mutations."""
    data = json.loads(json.dumps(seed))
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(data, path), path[-1]
        action = draw(st.sampled_from(["drop", "like", "like", "like", "any", "add", "retype"]))
        if action == "drop":
            del parent[key]
        elif action == "like":
            parent[key] = draw(_like(parent[key]))
        elif action == "any":
            parent[key] = draw(VALUES)
        elif action == "add" and isinstance(parent, dict):
            name = draw(st.sampled_from(["__class__", "extra", "loss", "kind", "x", "seed"]))
            parent[name] = draw(VALUES)
        elif action == "retype":
            value = parent[key]
            parent[key] = (
                str(value) if not isinstance(value, str) else [value] if len(value) < 50 else {}
            )
    return data


def _dump(data, duplicate: bool) -> str:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    if duplicate and isinstance(data, dict) and data:
        key = next(iter(data))  # a duplicated key: the loader must not pick one silently
        text += yaml.safe_dump({key: data[key]}, allow_unicode=True)
    return text


def _play_briefly(level) -> None:
    """What the game does with a level it has loaded: a run, a few steps, its hash."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        level_hash(level)
        run = level.new_run()
        for _ in range(3):
            if run.over:
                break
            run.step(level.lr.default)
        assert math.isfinite(run.current.full_loss) or run.over


def _load(folder: Path, content: bytes | str):
    path = folder / "fuzz.yaml"
    path.write_bytes(
        content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    )
    try:
        level = L.load_level(path)
    except L.LevelError as exc:
        text = str(exc)
        assert text and all(line.startswith(f"{path}") for line in text.splitlines()), text
        assert all(c.isprintable() or c == "\n" for c in text), repr(text)
        event("refused")
        return None
    event(f"loaded a {level.kind} level")
    return level


# -- levels ---------------------------------------------------------------------------------


@FUZZ
@given(data=st.data(), duplicate=st.sampled_from([False] * 6 + [True]))
def test_mutated_levels_load_or_raise_level_error(folder, data, duplicate):
    seed = SEEDS[data.draw(st.sampled_from(SEED_LEVELS))]
    level = _load(folder, _dump(data.draw(mutated(seed)), duplicate))
    if level is not None:
        _play_briefly(level)


@FUZZ
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_random_bytes_load_or_raise_level_error(folder, content):
    assert _load(folder, content) is None


@FUZZ
@given(data=st.data())
def test_random_text_spliced_into_a_level(folder, data):
    text = L.shipped_path(data.draw(st.sampled_from(SEED_LEVELS))).read_bytes()
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 40))
    junk = data.draw(st.binary(max_size=30) | st.text(max_size=30).map(str.encode))
    level = _load(folder, text[:at] + junk + text[at + cut :])
    if level is not None:
        _play_briefly(level)


# -- result files ------------------------------------------------------------------------------


def _honest_result() -> dict:
    attempts = []
    for lid, lrs in (
        ("x-squared", [0.5]),
        ("stretched-bowl", [0.09] * 3),
        ("fit-a-line", [0.05] * 4),
    ):
        level = L.find_level(lid)
        run = level.new_run()
        for lr in lrs:
            run.step(lr)
        attempts.append(attempt_from_run(level, run))
    return json.loads(dumps_result(new_result("ada", attempts)))


HONEST = _honest_result()


def _grade(folder: Path, content: bytes):
    path = folder / "result.json"
    path.write_bytes(content)
    try:
        read_result(path)
    except ResultError as exc:
        assert str(exc).startswith(f"{path}: rejected: ") and "\n" not in str(exc)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        entries = rank([Grader().grade(str(path))])  # never raises: accepted or rejected
    leaderboard_text(entries)
    json.dumps(entries_json(entries), allow_nan=False)
    write_csv(entries, io.StringIO())
    return entries[0]


def test_the_honest_result_is_accepted(folder):
    entry = _grade(folder, json.dumps(HONEST).encode())
    assert entry.status == "accepted", entry.reason


@FUZZ
@given(data=st.data())
def test_mutated_result_files_are_accepted_or_rejected(folder, data):
    entry = _grade(folder, json.dumps(data.draw(mutated(HONEST)), allow_nan=True).encode())
    event(entry.status)
    assert entry.status in ("accepted", "rejected")


@FUZZ
@given(data=st.data())
def test_result_files_with_random_bytes_spliced_in(folder, data):
    text = json.dumps(HONEST, indent=1).encode()
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 20))
    junk = data.draw(st.binary(max_size=20) | st.sampled_from([b"NaN", b"1e999", b"-", b"{", b"]"]))
    entry = _grade(folder, text[:at] + junk + text[at + cut :])
    event(entry.status)
    assert entry.status in ("accepted", "rejected")


@FUZZ
@given(content=st.binary(max_size=300))
def test_random_bytes_as_a_result_file_are_rejected(folder, content):
    assert _grade(folder, content).status == "rejected"
