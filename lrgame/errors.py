"""The errors lrgame reports to a person: bad usage, a bad input file, a bad level.

Each one's text is what the player or author reads: one line per fault, ``PATH:LINE:
message`` where the file and line are known. This module imports nothing of lrgame,
so every layer may raise them.
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad command-line usage: exit 2."""


class InputError(Exception):
    """One fault in an input file.

    ``str(err) == f"{path}:{line}: {message}"`` when the line is known, else
    ``f"{path}: {message}"``.
    """

    def __init__(self, path: str, message: str, line: int | None = None):
        # Messages quote the file (keys, values): a terminal escape or a line break
        # from a hostile file must not reach the terminal, nor split the line.
        message = printable(message)
        super().__init__(path, message, line)
        self.path = path
        self.message = message
        self.line = line

    def __str__(self) -> str:
        path = printable(str(self.path))  # a file's name may hold escapes too
        if self.line is None:
            return f"{path}: {self.message}"
        return f"{path}:{self.line}: {self.message}"


class LevelError(Exception):
    """One or more faults in a level file; str() is one ``PATH:LINE: message`` line each."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def printable(text: str) -> str:
    """``text`` with every unprintable character (controls, line breaks, bidi overrides)
    written as its escape, e.g. ``\\x1b``; printable text, accents and symbols unchanged."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
