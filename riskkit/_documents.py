"""Reading configuration documents (JSON or TOML) given as text or as a path.

Shared by every ``from_json`` / ``from_toml`` constructor (expert scorecards,
credit policies), so they accept the same inputs and fail the same way.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from riskkit.errors import FormatError, ValidationError


def read_text(text_or_path: str | os.PathLike[str], looks_like: str, what: str) -> str:
    """The document: a str spanning lines or opening like one (``looks_like``) is the text, else a path."""
    if isinstance(text_or_path, str) and ("\n" in text_or_path or text_or_path.lstrip().startswith(looks_like)):
        return text_or_path
    try:
        with open(text_or_path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, TypeError) as exc:
        raise ValidationError(f"cannot read {what} {text_or_path!r}: {exc}") from None


def load_json(text_or_path: str | os.PathLike[str], what: str) -> Any:
    """Parse a JSON document; malformed JSON is a :class:`~riskkit.FormatError` naming ``what``."""
    from riskkit.persistence import parse_json

    try:
        # refuses deep nesting, huge integers, NaN/Infinity and a BOM-less mess as FormatError
        return parse_json(read_text(text_or_path, "{", what), what)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{what} JSON is malformed: {exc}") from None


def load_toml(text_or_path: str | os.PathLike[str], what: str) -> Any:
    """Parse a TOML document (``tomllib``; the ``tomli`` backport on Python 3.10)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 needs the tomli backport
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise ValidationError("reading TOML on Python 3.10 needs the 'tomli' package") from None
    text = read_text(text_or_path, "[", what)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{what} TOML is malformed: {exc}") from None
