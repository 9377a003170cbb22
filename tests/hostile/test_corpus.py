"""Every hostile file in corpus/ goes through the real command line, and is refused.

``lrgame validate`` for levels, ``lrgame challenge`` (its headless check, and with
``--player``, as a student starts it) for challenges, ``lrgame grade`` for result files; each in a subprocess with its address
space capped, in an empty working folder. Each file says what it attacks and a part
of the message it must get: in its first comment lines (``# attack:``, ``# expect:``)
or, for formats without comments, in a sidecar ``NAME.about``. A result file whose
header names a ``challenge:`` (a file in ``corpus/grading/``) is graded with
``--challenge``, that file beside it. A refusal is:

- exit code 1, never a traceback, nothing executed (no CANARY file appears);
- every line of the answer is ``PATH:LINE: message`` or ``PATH: message`` (for grade,
  ``PATH: rejected: reason``), printable (no terminal escapes from the file), short;
- within a bounded CPU time: a hang guard with a wide margin, never a measurement
  (``# seconds:`` raises it for one file, and says why).

Level and result files are checked many to one process (``lrgame validate A B ...``,
``lrgame grade A B ...``), each batch in an empty folder of its own, and the answer
is split by file name: a process per file would only pay the start-up again. A file
with its own ``# seconds:`` runs alone. Challenges run one per process, as students
start them. Files of several megabytes, FIFOs and devices are made at test time
(``GENERATED``), one per process.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # see README: pytest -m "not slow"

CORPUS = Path(__file__).parent / "corpus"
GRADING = CORPUS / "grading"  # challenges some result files are graded against
COMMANDS = {"levels": ["validate"], "challenges": ["challenge"], "results": ["grade"]}
#: CPU seconds a process may take to refuse, start-up (numpy, pydantic, sympy) included:
#: about 0.7 s here, so this only catches a hang, never a busy machine.
DEFAULT_SECONDS = 10.0
#: More CPU seconds a batch may take for each file in it (refusals take milliseconds).
SECONDS_PER_FILE = 1.0
#: Files checked by one process.
BATCH = 16
#: The longest line an answer may have: one line per fault, not a dump of the file.
MAX_LINE = 400


@dataclass
class Case:
    kind: str  # levels | challenges | results
    path: Path
    attack: str
    expect: str
    seconds: float = DEFAULT_SECONDS
    challenge: str = ""  # results only: graded with --challenge corpus/grading/NAME

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.path.name}"


def _header(path: Path) -> dict[str, str]:
    about = path.with_name(path.name + ".about")
    if about.exists():
        lines = about.read_text(encoding="utf-8").splitlines()
    else:
        lines = []
        with path.open("rb") as handle:
            for raw in handle:
                if not raw.startswith(b"# "):
                    break
                lines.append(raw[2:].decode("utf-8").rstrip("\n"))
    fields = {}
    for line in lines:
        key, sep, value = line.partition(": ")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def corpus_cases() -> list[Case]:
    cases = []
    for kind in COMMANDS:
        for path in sorted((CORPUS / kind).iterdir()):
            if path.suffix == ".about":
                continue
            h = _header(path)
            cases.append(
                Case(
                    kind,
                    path,
                    h.get("attack", ""),
                    h.get("expect", ""),
                    float(h.get("seconds", DEFAULT_SECONDS)),
                    h.get("challenge", ""),
                )
            )
    return cases


CASES = corpus_cases()


def test_every_corpus_file_says_what_it_attacks_and_what_it_must_get():
    assert len(CASES) >= 100
    for case in CASES:
        assert case.attack and case.expect, f"{case.id}: no '# attack:' and '# expect:' (or .about)"
    for kind in COMMANDS:
        for about in (CORPUS / kind).glob("*.about"):
            assert about.with_suffix("").exists(), f"{about}: a sidecar without its file"
    for case in CASES:
        assert not case.challenge or (GRADING / case.challenge).is_file(), case.id


def assert_refused(result, kind: str, names: tuple[str, ...], expect: str, seconds: float):
    shown = result.output[-3000:]
    assert "Traceback" not in result.output, shown
    assert result.returncode == 1, f"exit {result.returncode}\n{shown}"
    assert all(c.isprintable() or c == "\n" for c in result.output), (
        f"unprintable characters reach the terminal: {result.output!r:.300}"
    )
    prefix = "|".join(re.escape(n) for n in names)
    if kind == "results":
        assert result.stderr == "", shown
        answer = result.stdout.strip().splitlines()
        assert answer, "refused without a word"
        line = answer[-1]
        assert re.fullmatch(rf"(?:{prefix}): rejected: \S.*", line), line
        lines = [line]
    else:
        assert result.stdout == "", shown
        lines = result.stderr.strip().splitlines()
        assert lines, "refused without a word"
        for line in lines:
            assert re.fullmatch(rf"(?:{prefix})(?::\d+)?: \S.*", line), line
    for line in lines:
        assert len(line) <= MAX_LINE, f"a line of {len(line)} characters: {line[:200]}..."
    assert any(expect in line for line in lines), f"expected {expect!r} in:\n{shown}"
    assert result.cpu_seconds < seconds, f"{result.cpu_seconds:.2f} s of CPU (limit {seconds})"


@dataclass
class Share:
    """One file's part of a batch's answer: what ``assert_refused`` reads."""

    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _lines_of(text: str, name: str) -> str:
    return "".join(
        line for line in text.splitlines(keepends=True) if re.match(rf"{re.escape(name)}[:]", line)
    )


def _batch_header_ok(result, names: list[str]) -> None:
    """Every line of a batch's answer belongs to one of its files (grade adds a count)."""
    pattern = "|".join(re.escape(n) for n in names)
    for line in result.output.splitlines():
        if not line or re.match(r"\d+ result files?: \d+ accepted, \d+ rejected$", line):
            continue
        assert re.match(rf"(?:{pattern}):", line), f"a line of no file: {line[:300]!r}"


def _batches(cases: list[Case]) -> list[list[Case]]:
    """Files with a time bound or a challenge of their own run alone; the rest share."""
    alone = [[c] for c in cases if c.seconds != DEFAULT_SECONDS or c.challenge]
    shared = [c for c in cases if c.seconds == DEFAULT_SECONDS and not c.challenge]
    return alone + [shared[i : i + BATCH] for i in range(0, len(shared), BATCH)]


@pytest.fixture(scope="module")
def refusals(tmp_path_factory, lrgame_many) -> dict:
    """Every case of this module checked once, two processes at a time:
    id -> (its share of the answer, the folder, its argument)."""
    jobs, batches, where = {}, {}, {}
    for kind in ("levels", "results"):
        for n, batch in enumerate(_batches([c for c in CASES if c.kind == kind])):
            cwd = tmp_path_factory.mktemp("hostile")
            command = COMMANDS[kind]
            for case in batch:
                (cwd / case.path.name).write_bytes(case.path.read_bytes())
                if case.challenge:  # alone in its batch: graded against its challenge
                    (cwd / case.challenge).write_bytes((GRADING / case.challenge).read_bytes())
                    command = [*command, "--challenge", case.challenge]
            key = f"{kind} batch {n}"
            jobs[key] = ((*command, *(c.path.name for c in batch)), cwd)
            batches[key] = batch
    for case in CASES:
        if case.kind != "challenges":
            continue
        for suffix, args in (("", ()), (" --player", ("--player", "x"))):
            # headless, and as a player starting it: refused before any game
            cwd = tmp_path_factory.mktemp("challenge")
            (cwd / case.path.name).write_bytes(case.path.read_bytes())
            jobs[case.id + suffix] = (("challenge", case.path.name, *args), cwd)
            where[case.id + suffix] = (cwd, case.path.name)
    for name, (kind, make, _) in GENERATED.items():
        cwd = tmp_path_factory.mktemp("generated")
        arg = make(cwd / Path(name).name)
        jobs[name] = ((*COMMANDS[kind], arg), cwd)
        where[name] = (cwd, arg)
    results = lrgame_many(jobs)
    answers = {key: (results[key], *where[key]) for key in where}
    for key, batch in batches.items():
        result, cwd = results[key], jobs[key][1]
        names = [c.path.name for c in batch]
        for case in batch:
            if isinstance(result, BaseException):
                answers[case.id] = (result, cwd, case.path.name)
                continue
            _batch_header_ok(result, names)
            share = Share(
                result.returncode,
                _lines_of(result.stdout, case.path.name),
                _lines_of(result.stderr, case.path.name),
                result.cpu_seconds,
            )
            answers[case.id] = (share, cwd, case.path.name, names, result)
    return answers


def _finished(refusals: dict, key: str):
    result, cwd, arg, *batch = refusals[key]
    if isinstance(result, BaseException):
        raise result
    return result, cwd, arg, batch


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file_is_refused(case: Case, refusals):
    result, cwd, arg, batch = _finished(refusals, case.id)
    names, seconds = [arg], case.seconds
    if batch:
        names, whole = batch
        assert "Traceback" not in whole.output, whole.output[-3000:]
        seconds = DEFAULT_SECONDS + SECONDS_PER_FILE * len(names)
    assert_refused(result, case.kind, (arg,), case.expect, seconds)
    assert not (cwd / "CANARY").exists(), "the attack ran code"
    given = sorted(filter(None, [*names, case.challenge]))
    assert sorted(p.name for p in cwd.iterdir()) == given, "files appeared"


PLAYED = [c for c in CASES if c.kind == "challenges"]


@pytest.mark.parametrize("case", PLAYED, ids=[c.id for c in PLAYED])
def test_hostile_challenge_is_refused_before_the_game_starts(case: Case, refusals):
    result, cwd, arg, _ = _finished(refusals, case.id + " --player")
    assert_refused(result, case.kind, (arg,), case.expect, case.seconds)
    assert not (cwd / "CANARY").exists(), "the attack ran code"
    assert sorted(p.name for p in cwd.iterdir()) == [arg], "files appeared (a result file?)"


# -- made at test time: big files, files that are not files ----------------------------------

LEVEL = (
    'id: big\ntitle: t\nparams: {x: 2.0}\nloss: "x**2"\n'
    "goal: {loss_below: 1e-6, max_iterations: 50}\nlr: {default: 0.1, min: 1e-5, max: 10}\n"
)
ATTEMPT = {
    "level": "x-squared",
    "level_hash": "sha256:" + "0" * 64,
    "schedule": "constant",
    "lrs": [0.5],
    "outcome": "cleared",
    "iterations": 1,
    "final_loss": 0.0,
    "stars": 3,
    "score": 1000,
}


def _result(**over) -> bytes:
    return json.dumps(
        {"format": "lrgame-result/1", "player": "eve", "attempts": [ATTEMPT], **over}
    ).encode()


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return path.name


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return path.name


def _symlink_to_zero(path: Path) -> str:
    path.symlink_to("/dev/zero")
    return path.name


def _challenge_with_fifo_level(path: Path) -> str:
    os.mkfifo(path.with_name("level.yaml"))
    return _write(path, b"title: t\nlevels: [level.yaml]\n")


# name -> (kind, make(path) -> argument, names the lines may start with, expected text)
GENERATED = {
    "levels/2MB.yaml": ("levels", lambda p: _write(p, LEVEL.encode() + b"# " + b"x" * 2_000_000 + b"\n"), "file is too large (over 1 MB)"),
    "levels/100001-hints.yaml": ("levels", lambda p: _write(p, (LEVEL + "hints: [" + "h, " * 100_000 + "h]\n").encode()), "too many values"),
    "levels/1MB-one-line.yaml": ("levels", lambda p: _write(p, (LEVEL + "story: " + "A" * 990_000 + "\n").encode()), "story"),
    "levels/1MB-unknown-key.yaml": ("levels", lambda p: _write(p, (LEVEL + "? " + "K" * 990_000 + "\n: 1\n").encode()), "unknown key"),
    "levels/fifo.yaml": ("levels", _fifo, "not a regular file"),
    "levels/zero.yaml": ("levels", _symlink_to_zero, "not a regular file"),
    "challenges/2MB.yaml": ("challenges", lambda p: _write(p, b"title: t\nlevels: [x-squared]\n#" + b"x" * 2_000_000), "file is too large (over 1 MB)"),
    "challenges/fifo-level.yaml": ("challenges", _challenge_with_fifo_level, "no level file level.yaml"),
    "challenges/zero.yaml": ("challenges", _symlink_to_zero, "not a regular file"),
    "results/5MB.json": ("results", lambda p: _write(p, _result(written_by="x" * 5_000_000)), "file is too large (over 4 MB)"),
    "results/100001-steps.json": ("results", lambda p: _write(p, _result(attempts=[dict(ATTEMPT, lrs=[0.001] * 100_001)])), "broken file: attempts.0.lrs"),
    "results/1001-attempts.json": ("results", lambda p: _write(p, _result(attempts=[ATTEMPT] * 1001)), "broken file: attempts"),
    "results/deep-objects.json": ("results", lambda p: _write(p, b'{"a":' * 100_000 + b"1" + b"}" * 100_000), "nested too deeply"),
    "results/fifo.json": ("results", _fifo, "not a regular file"),
    "results/zero.json": ("results", _symlink_to_zero, "not a regular file"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_hostile_file_is_refused(name: str, refusals):
    kind, _, expect = GENERATED[name]
    result, cwd, arg, _ = _finished(refusals, name)
    assert_refused(result, kind, (arg, "level.yaml"), expect, DEFAULT_SECONDS)
    assert not (cwd / "CANARY").exists()
