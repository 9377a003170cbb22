"""Safe loading of untrusted YAML (level files, challenge files).

The text is parsed by PyYAML's safe loader (libyaml's ``CSafeLoader`` when it is
available, else the pure-Python ``SafeLoader``), but nothing is ever
*constructed* by PyYAML: the parser's event stream is turned into plain Python
data here, by a loop without recursion, so that

* no explicit tag, anchor, alias or merge key is accepted (no object
  construction, no alias bombs);
* plain scalars are resolved with the YAML 1.2 core schema (``1e-6`` is a
  float, ``yes``/``no``/``on``/``off`` and dates stay strings);
* nesting depth, node count and file size are bounded;
* every key path is mapped to its 1-based line, so every fault can be reported
  as one line ``PATH:LINE: message``.

Every failure is raised as :class:`InputError`; nothing else escapes.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import InputError, printable  # noqa: F401 - defined with the other errors

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "InputError",
    "clean_text",
    "has_control",
    "load_yaml_file",
    "load_yaml_text",
]

MAX_BYTES = 1_000_000
MAX_DEPTH = 50
MAX_NODES = 100_000

# Prefer libyaml: the pure-Python parser needs about a second for 1 MB.
_LOADERS: tuple[type, ...] = (
    (yaml.CSafeLoader, yaml.SafeLoader) if hasattr(yaml, "CSafeLoader") else (yaml.SafeLoader,)
)


@dataclass
class Document:
    """Plain data loaded from a YAML file, with the line of every key path."""

    data: Any
    path: str
    lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence) -> int | None:
        """Line of the longest known prefix of ``loc`` (ints in ``loc`` index lists)."""
        try:
            key = tuple(loc)
        except TypeError:
            key = ()
        for end in range(len(key), -1, -1):
            try:
                line = self.lines.get(key[:end])
            except TypeError:  # an unhashable part of a loc: skip it
                continue
            if line is not None:
                return line
        return None

    def error(self, loc: Sequence, message: str) -> InputError:
        return InputError(self.path, message, self.line_of(loc))


# --------------------------------------------------------------------------
# YAML 1.2 core schema for plain scalars

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")

_CORE_TAG = "tag:yaml.org,2002:"


def _resolve_plain(text: str) -> Any:
    """Value of a plain (unquoted, untagged) scalar under the YAML 1.2 core schema.

    Raises ValueError for an integer too long to convert.
    """
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    first = text[0]
    if not (first.isdigit() or first in "+-."):
        return text  # fast path: most scalars are words
    if _INT10.fullmatch(text):
        return int(text)
    if _INT16.fullmatch(text):
        return int(text[2:], 16)
    if _INT8.fullmatch(text):
        return int(text[2:], 8)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text[0] == "-" else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


# Terminal escape sequences, removed whole: CSI (ESC [ or C1 0x9b, parameters, a final
# byte), strings (OSC ESC ], DCS ESC P, SOS, PM, APC, or their C1 forms) up to their
# terminator (BEL, ST) or the end of the text, and the two-character ESC sequences.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|\Z)"
    r"|\x1b[ -/]*[0-~]?",
    re.DOTALL,
)
# Line breaks other than \n, made \n (a lone CR would move the cursor back over a line).
_OTHER_BREAK = re.compile("\r\n?|[\x85\u2028\u2029]")
# What is left to remove: C0 controls but \n (a tab becomes a space first), DEL, C1
# controls, and the bidirectional embeddings, overrides, isolates and marks, which
# reorder how a line is shown (the "Trojan source" trick): text in a right-to-left
# script still shows right to left without them.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Text from a file made safe to show on a terminal: escape sequences, control and
    bidi-override characters removed, tabs made spaces, every line break a ``\\n``.

    Applied to every text value the YAML loader returns, so no output path (the game,
    ``run``, ``challenge``, ``validate``, ``grade``) can forget it.
    """
    if text.isprintable():
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _OTHER_BREAK.sub("\n", text).replace("\t", " ")
    return _CONTROL.sub("", text)


def has_control(text: str) -> bool:
    """True if ``text`` holds anything clean_text would change."""
    return clean_text(text) != text


def _show(text: str, limit: int = 60) -> str:
    """Text from the file made safe for a one-line message."""
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _show_tag(tag: str) -> str:
    if tag.startswith(_CORE_TAG):
        tag = "!!" + tag[len(_CORE_TAG) :]
    return _show(tag)


# --------------------------------------------------------------------------
# Event stream -> plain data


class _Fault(Exception):
    """Internal: a fault with a 0-based mark line, turned into InputError by the caller."""

    def __init__(self, message: str, line0: int | None):
        super().__init__(message)
        self.message = message
        self.line0 = line0


def _line0(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return None if mark is None else mark.line


def _convert(loader: Any) -> tuple[Any, dict[tuple, int]]:
    """Build plain data and the line map from the loader's event stream."""
    get_event = loader.get_event
    event = get_event()
    if not isinstance(event, yaml.StreamStartEvent):  # pragma: no cover - parser guarantees
        raise _Fault("invalid YAML: no stream start", None)
    event = get_event()
    if isinstance(event, yaml.StreamEndEvent):
        raise _Fault("the file is empty", None)

    lines: dict[tuple, int] = {(): 1}
    # Each open collection: [container, key path, pending key or _NO_KEY]
    stack: list[list[Any]] = []
    root: Any = None
    done = False
    nodes = 0
    no_key = _NO_KEY

    event = get_event()  # first event after DocumentStartEvent
    while True:
        cls = type(event)
        if cls is yaml.SequenceEndEvent or cls is yaml.MappingEndEvent:
            stack.pop()
            if not stack:
                done = True
        else:
            # A node: scalar, collection start, or alias.
            if cls is yaml.AliasEvent or event.anchor is not None:
                raise _Fault("anchors and aliases (&, *) are not allowed", _line0(event))
            if event.tag is not None:
                raise _Fault(f"tags like '{_show_tag(event.tag)}' are not allowed", _line0(event))
            nodes += 1
            if nodes > MAX_NODES:
                raise _Fault(f"too many values (more than {MAX_NODES})", _line0(event))
            line = event.start_mark.line + 1
            is_scalar = cls is yaml.ScalarEvent

            if is_scalar:
                text = event.value
                if event.implicit[0]:
                    try:
                        value = _resolve_plain(text)
                    except ValueError:
                        raise _Fault("number is too long", line - 1) from None
                else:
                    value = text
                is_key = bool(stack) and type(stack[-1][0]) is dict and stack[-1][2] is no_key
                if type(value) is str and not is_key:  # keys are checked name by name
                    value = clean_text(value)
            else:
                value = {} if cls is yaml.MappingStartEvent else []

            if stack:
                frame = stack[-1]
                container = frame[0]
                if type(container) is list:
                    here = frame[1] + (len(container),)
                    lines[here] = line
                    container.append(value)
                elif frame[2] is no_key:
                    # This node is a mapping key.
                    if not is_scalar:
                        kind = "a mapping" if type(value) is dict else "a list"
                        raise _Fault(f"keys must be text, found {kind}", line - 1)
                    if type(value) is not str:
                        found = _show(text) if text else "an empty key"
                        raise _Fault(f"keys must be text, found {found}", line - 1)
                    if value == "<<" and event.implicit[0]:
                        raise _Fault("merge keys (<<) are not allowed", line - 1)
                    here = frame[1] + (value,)
                    first = lines.get(here)
                    if first is not None:
                        raise _Fault(
                            f"duplicate key {_show(value)!r} (first at line {first})", line - 1
                        )
                    lines[here] = line
                    frame[2] = value
                    event = get_event()
                    continue
                else:
                    here = frame[1] + (frame[2],)
                    container[frame[2]] = value
                    frame[2] = no_key
            else:
                here = ()
                root = value
                if is_scalar:
                    if text == "" and event.implicit[0]:
                        raise _Fault("the file is empty", None)
                    done = True

            if not is_scalar:
                if len(stack) >= MAX_DEPTH:
                    raise _Fault(_DEPTH_FAULT, line - 1)
                stack.append([value, here, no_key])

        if done:
            break
        event = get_event()

    get_event()  # DocumentEndEvent
    event = get_event()
    if not isinstance(event, yaml.StreamEndEvent):
        raise _Fault("only one YAML document is allowed (found a second '---')", _line0(event))
    return root, lines


_NO_KEY = object()
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _reader_line(exc: yaml.reader.ReaderError, text: str, encoded: bytes | None) -> int | None:
    pos = exc.position
    if not isinstance(pos, int) or pos < 0:
        return None
    before = encoded[:pos].decode("utf-8", "ignore") if encoded is not None else text[:pos]
    return len(_LINE_BREAK.findall(before)) + 1


_DEPTH_FAULT = f"nesting is too deep (more than {MAX_DEPTH} levels)"
#: Characters after which a quote opens a quoted scalar in flow or block context.
_QUOTE_MAY_OPEN = frozenset("[{,:-?\n")


def _flow_too_deep(text: str) -> int | None:
    """The 1-based line where ``[``/``{`` nesting first passes MAX_DEPTH, or None.

    Asked only once the parser has refused the file: libyaml scans ahead and may
    refuse deep flow nesting itself, in its own words, before the event loop sees it.
    The file is refused either way; this keeps the message lrgame's, whichever
    PyYAML and loader are installed. Quotes and comments are skipped roughly: a miss
    changes only which message a broken file gets.
    """
    depth, line = 0, 1
    prev = "\n"
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "#" and prev in " \t\n":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'" and prev in _QUOTE_MAY_OPEN:
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\" and c == '"':
                    j += 1
                elif text[j] == "\n":
                    line += 1
                j += 1
            i = j + 1
            prev = c
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif c in "]}":
            depth = max(depth - 1, 0)
        if c not in " \t":
            prev = c
        i += 1
    return None


def _parse(text: str, encoded: bytes | None, path: str) -> Document:
    """Parse ``text`` (its UTF-8 bytes in ``encoded`` when known) into a Document."""
    loader_cls = _LOADERS[0]
    if encoded is None and loader_cls is not yaml.SafeLoader:
        encoded = text.encode("utf-8")
    if loader_cls is yaml.SafeLoader:
        encoded = None  # pure-Python marks count characters, not bytes
    loader = None
    try:
        loader = loader_cls(text)  # the pure-Python reader checks the text here
        data, lines = _convert(loader)
    except _Fault as fault:
        line = None if fault.line0 is None else fault.line0 + 1
        raise InputError(path, fault.message, line) from None
    except yaml.YAMLError as exc:
        deep_at = _flow_too_deep(text)
        if deep_at is not None:
            raise InputError(path, _DEPTH_FAULT, deep_at) from None
        raise _refuse(exc, text, encoded, path) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data=data, path=path, lines=lines)


def _refuse(exc: yaml.YAMLError, text: str, encoded: bytes | None, path: str) -> InputError:
    """The InputError for a parser's own refusal of the file."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "cannot parse").split())
        return InputError(path, f"invalid YAML: {problem}", None if mark is None else mark.line + 1)
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character
        what = f"#x{char:04x}" if isinstance(char, int) else _show(repr(char))
        return InputError(
            path,
            f"invalid YAML: unacceptable character {what}: {exc.reason}",
            _reader_line(exc, text, encoded),
        )
    return InputError(path, f"invalid YAML: {_show(str(exc), 200)}")


def load_yaml_text(text: str | bytes, path: str) -> Document:
    """Load untrusted YAML ``text`` (str or UTF-8 bytes); ``path`` is used in messages."""
    path = str(path)
    try:
        encoded: bytes | None = None
        if isinstance(text, (bytes, bytearray, memoryview)):
            encoded = bytes(text)
            if len(encoded) > MAX_BYTES:
                raise InputError(path, "file is too large (over 1 MB)")
            if b"\x00" in encoded:
                raise InputError(path, "not a text file (binary content)")
            try:
                text = encoded.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(path, "not a text file (binary content)") from None
        elif isinstance(text, str):
            if len(text) > MAX_BYTES:
                raise InputError(path, "file is too large (over 1 MB)")
            if "\x00" in text:
                raise InputError(path, "not a text file (binary content)")
            try:
                encoded = text.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates
                raise InputError(path, "not a text file (binary content)") from None
            if len(encoded) > MAX_BYTES:
                raise InputError(path, "file is too large (over 1 MB)")
        else:
            raise InputError(path, f"expected text, got {type(text).__name__}")
        if text.startswith("\ufeff"):
            text = text[1:]
            encoded = None
        return _parse(text, encoded, path)
    except InputError:
        raise
    except RecursionError:
        raise InputError(path, "the file is nested too deeply") from None
    except MemoryError:
        raise InputError(path, "the file is too large to load") from None
    except UnicodeError:
        raise InputError(path, "not a text file (binary content)") from None


def read_capped(path: str | os.PathLike, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file; raise InputError (path, no line).

    O_NONBLOCK and the regular-file check: a FIFO or a device in a file's place must
    not hang the reader. A caller compares the length with ``limit`` for "too large".
    """
    name = os.fsdecode(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(name, f"cannot open file: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(name, "not a regular file")
            return handle.read(limit + 1)
    except OSError as exc:
        raise InputError(name, f"cannot read file: {exc.strerror or exc}") from None


def load_yaml_file(path: str | os.PathLike) -> Document:
    """Load an untrusted YAML file, reading at most ``MAX_BYTES + 1`` bytes of it."""
    name = os.fsdecode(path)
    raw = read_capped(path, MAX_BYTES)
    if len(raw) > MAX_BYTES:
        raise InputError(name, "file is too large (over 1 MB)")
    return load_yaml_text(raw, name)
