"""Player names: one spelling per player, and names that only look alike.

A name is kept in its *normal form*: Unicode NFKC (fullwidth ``ａｌｉｃｅ`` is ``alice``),
with runs of spaces made one and none at the ends. Two names are *the same player*
when their normal forms are equal ignoring case (``Alice`` and ``alice ``), and *look
alike* when they become equal once common Cyrillic and Greek lookalikes of Latin
letters are read as those letters (``аlice`` with a Cyrillic ``а``). A word that mixes
Latin letters with Cyrillic or Greek ones is refused outright: it is how a name is
made to look like another.

The lookalike tables are a small, deliberate subset of Unicode's confusables (TR39):
the letters of Cyrillic and Greek that a reader takes for Latin ones.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Read in upper case (В looks like B, Н like H) and in lower case (р like p, у like y):
# a name is compared both ways, since a letter's lookalike may differ between cases.
_UPPER = str.maketrans(
    {
        **dict(zip("АВЕЅІЈКМНОРСТХУ", "ABESIJKMHOPCTXY")),  # Cyrillic
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")),  # Greek
    }
)
_LOWER = str.maketrans(
    {
        **dict(zip("асеорхуѕіјһԁԛԝӏ", "aceopxysijhdqwl")),  # Cyrillic
        **dict(zip("ονιαρκυχγ", "oviapkuxy")),  # Greek
    }
)
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def normal_form(name: str) -> str:
    """NFKC, with every run of white space one space and none at the ends."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def same_player_key(name: str) -> str:
    """Equal for two spellings of one name (case, width, spaces)."""
    return normal_form(name).casefold()


def lookalike_keys(name: str) -> tuple[str, str]:
    """Equal (either one) for names that look alike once lookalike letters are read as Latin."""
    n = normal_form(name)
    return n.upper().translate(_UPPER), n.casefold().translate(_LOWER)


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    word = unicodedata.name(ch, "").split(" ", 1)[0]
    return word if word in _CONFUSABLE_SCRIPTS else None


def mixed_scripts(name: str) -> str | None:
    """Why the name mixes lookalike scripts within a word, or None."""
    for word in normal_form(name).split(" "):
        scripts = sorted({s for s in map(_script, word) if s})
        if len(scripts) > 1:
            which = " and ".join(s.title() for s in scripts)
            return f"the word {word!a} mixes {which} letters (a name made to look like another?)"
    return None


def looks_like(a: str, b: str) -> bool:
    """True when two different names could be taken for one another."""
    if same_player_key(a) == same_player_key(b):
        return False
    ka, kb = lookalike_keys(a), lookalike_keys(b)
    return ka[0] == kb[0] or ka[1] == kb[1]
