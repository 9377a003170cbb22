"""Validating the small YAML formats around levels (packs, challenges) like levels are.

A pydantic model checks the data a ``yamlsafe.Document`` holds; every fault becomes
one ``PATH:LINE: message`` line, gathered in a ``LevelError``. Level files keep
their own messages in ``levels.py``; this adds the one thing they cannot give other
models: the list of allowed keys of *this* model when a key is unknown.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import levels as L
from .levels.registry import friendly_error, key_path, show_value
from .yamlsafe import Document, InputError, read_capped  # noqa: F401 - re-exported

M = TypeVar("M", bound=BaseModel)

ID_REGEX = r"^[a-z0-9][a-z0-9-]{0,63}$"


def validate_model(model: type[M], doc: Document, what: str) -> M:
    """``doc.data`` as a ``model``; raise LevelError with every fault, sorted by line."""
    if not isinstance(doc.data, dict):
        raise L.LevelError([doc.error((), f"{what} must be a mapping of keys")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = [_friendly(e, doc, model) for e in exc.errors()]
        raise L.LevelError(sorted(errors, key=lambda e: e.line or 0)) from None


def _friendly(err: dict, doc: Document, model: type[BaseModel]) -> InputError:
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        parent = loc[:-1]
        allowed = _allowed_keys(model, parent)
        hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        in_ = f" in {key_path(parent)}" if parent else ""
        return doc.error(loc, f"unknown key {show_value(str(loc[-1]))}{in_}{hint}")
    if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == ID_REGEX:
        where = ".".join(map(str, loc))
        return doc.error(
            loc,
            f"{where}: {show_value(err.get('input'))} is not a level id: "
            "lowercase letters, digits and dashes",
        )
    # Every other kind of fault reads the same as in a level file.
    return friendly_error(err, doc, None)


def _allowed_keys(model: Any, parent: tuple) -> list[str]:
    for part in parent:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def sub_document(doc: Document, prefix: tuple) -> Document:
    """The part of ``doc`` under key path ``prefix``, with its own lines (same file)."""
    data: Any = doc.data
    for part in prefix:
        data = data[part]
    n = len(prefix)
    lines = {k[n:]: v for k, v in doc.lines.items() if k[:n] == prefix}
    return Document(data=data, path=doc.path, lines=lines)


# -- content hashes ---------------------------------------------------------------------


def canonical_json(data: Any) -> str:
    """JSON with sorted keys, no spaces, floats as repr (exact), and no NaN or infinity."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def content_hash(data: Any) -> str:
    """``sha256:`` and the hex digest of ``canonical_json(data)``."""
    return "sha256:" + hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


#: Keys added to levels after result files were first written, with their defaults: at
#: the default they drop out of the hash, so every result written before still matches.
LATER_KEYS = {"show_loss": True, "predict": False, "optimizers": []}
#: The same for keys added inside ``goal`` (a network's accuracy goal).
LATER_GOAL_KEYS = {"accuracy_at_least": None}


def level_hash(level: L.Level) -> str:
    """The hash of a level's validated content, not of its bytes.

    Comments, spacing, key order, ``1e-6`` against ``0.000001`` and defaults written
    out or left implicit do not change it; any change to a value does (the story too).
    """
    return level.cached("hash", lambda: content_hash(_hashed_content(level)))


def _hashed_content(level: L.Level) -> dict:
    content = level.model_dump(mode="json")
    for key, default in LATER_KEYS.items():
        if key in content and content[key] == default:
            del content[key]
    goal = content.get("goal")
    if isinstance(goal, dict):
        for key, default in LATER_GOAL_KEYS.items():
            if key in goal and goal[key] == default:
                del goal[key]
    return content


# -- reading untrusted files ------------------------------------------------------------
