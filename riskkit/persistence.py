"""Saving and loading scorers as versioned, human-readable JSON documents.

``riskkit.save(obj, path)`` writes a JSON document::

    {
     "format": "riskkit",
     "format_version": 1,
     "riskkit_version": "...",
     "type": "Scorecard",
     "sha256": "<checksum of the body>",
     "body": {...}
    }

with keys sorted and one value per line, so two versions of a model diff
cleanly. Floats are written with Python's shortest round-trip repr, so a
reloaded model gives bit-identical scores; non-finite floats are written as
the strings ``"inf"``, ``"-inf"`` and ``"nan"``. ``riskkit.load(path)``
checks the format, the version and the checksum, and raises
:class:`~riskkit.errors.FormatError` for anything malformed, truncated or
modified, never an exception from deep inside numpy. Loading and scoring a
saved scorecard does not import scikit-learn.

Each savable type owns its JSON body: it has a method ``_to_json(self) ->
dict`` and a classmethod ``_from_json(cls, body) -> Self`` that checks every
value and raises :class:`~riskkit.errors.FormatError` naming the key path of a
bad one (``body.coef[3]: ...``). This module is only the codec (the
envelope, versioning, checksum, the float encoding and the ``decode_*``
helpers the bodies use) and :data:`TYPES`, the table of type names; a type's
module is imported only when that type is saved or loaded.

No pickle is involved for the JSON types. An object riskkit cannot write as
JSON may be saved with ``format="joblib"``: a joblib (pickle) file inside a
version envelope. **Security warning**: loading a pickle runs code chosen by
whoever wrote the file; ``load`` refuses joblib files unless called with
``allow_pickle=True``, which must only be done for files you wrote yourself
or otherwise trust.

Examples
--------
>>> import riskkit, tempfile, os
>>> scale = riskkit.MasterScale.default()
>>> path = os.path.join(tempfile.mkdtemp(), "scale.json")
>>> riskkit.save(scale, path)
>>> riskkit.load(path) == scale
True
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import tempfile
from typing import Any

from riskkit._version import __version__
from riskkit.errors import FormatError, ValidationError

__all__ = ["TYPES", "load", "save"]

FORMAT = "riskkit"
FORMAT_VERSION = 1
_JOBLIB_FORMAT = "riskkit-joblib"

#: The JSON types: the ``"type"`` of a document -> ``"module:Class"``, a class with ``_to_json`` and
#: ``_from_json``. Strings, so that this module imports a type's module only to save or load that type.
TYPES = {
    "Calibration": "riskkit.signals._calibrate:Calibration",
    "DecisionTreeScorer": "riskkit.scoring._tree:DecisionTreeScorer",
    "ExpertScorecard": "riskkit.scoring._scorecard:ExpertScorecard",
    "LogisticScorer": "riskkit.scoring._logistic:LogisticScorer",
    "MasterScale": "riskkit.scoring._grades:MasterScale",
    "Scorecard": "riskkit.scoring._scorecard:Scorecard",
}


def _type(name: str) -> Any:
    """The class saved under the type ``name`` (a key of :data:`TYPES`), importing its module."""
    module, _, cls = TYPES[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def encode(value: Any) -> Any:
    """Make floats JSON-safe: non-finite floats become strings; numpy scalars become Python ones."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if hasattr(value, "item") and hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0:
        return encode(value.item())
    if hasattr(value, "tolist"):
        return encode(value.tolist())
    return value


def _show(value: Any) -> str:
    """A value for a message, shortened (a 5,000-digit int cannot even be printed in full)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {value.bit_length() * 0.30103:.0f} digits"
    text = repr(value) if isinstance(value, str | int | float | bool | type(None)) else type(value).__name__
    return text if len(text) <= 60 else text[:40] + "..."


def decode_float(
    value: Any, where: str, *, finite: bool = False, positive: bool = False, nonnegative: bool = False
) -> float:
    """Inverse of :func:`encode` for one float; ``where`` is the key path named by the error.

    ``finite`` refuses NaN and infinities (written as ``"nan"``, ``"inf"`` or
    an overflowing literal such as ``1e999``), ``positive`` anything <= 0,
    ``nonnegative`` anything < 0. An int too large for a float is refused.
    """
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        out = float(value)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(f"{where}: expected a number, got {_show(value)}")
    else:
        try:
            out = float(value)
        except OverflowError:
            raise FormatError(f"{where}: {_show(value)} is too large for a float") from None
    if (finite or positive or nonnegative) and not math.isfinite(out):
        raise FormatError(f"{where}: expected a finite number, got {_show(value)}")
    if positive and not out > 0:
        raise FormatError(f"{where}: expected a number > 0, got {_show(value)}")
    if nonnegative and not out >= 0:
        raise FormatError(f"{where}: expected a number >= 0, got {_show(value)}")
    return out


def decode_floats(values: Any, where: str, n: int | None = None, **checks: bool) -> list[float]:
    """A JSON list of floats (see :func:`decode_float`), of length ``n`` when given."""
    if not isinstance(values, list):
        raise FormatError(f"{where}: expected a list of numbers, got {_show(values)}")
    if n is not None and len(values) != n:
        raise FormatError(f"{where}: expected {n} values, got {len(values)}")
    return [decode_float(v, f"{where}[{i}]", **checks) for i, v in enumerate(values)]


def decode_bool(value: Any, where: str) -> bool:
    """A JSON boolean (``true``/``false``); ``"false"``, 0 or 1 are refused, never read as truthy."""
    if not isinstance(value, bool):
        raise FormatError(f"{where}: expected true or false, got {_show(value)}")
    return value


def decode_int(value: Any, where: str, low: int, high: int) -> int:
    """A JSON integer in ``[low, high]`` (a float such as 1.0, or a bool, is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FormatError(f"{where}: expected a whole number in [{low}, {high}], got {_show(value)}")
    return value


def decode_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise FormatError(f"{where}: expected text, got {_show(value)}")
    return value


def decode_texts(values: Any, where: str, *, unique: bool = True, allow_none: bool = False) -> list[Any]:
    """A JSON list of texts (and ``null`` when ``allow_none``), each listed once when ``unique``."""
    if not isinstance(values, list):
        raise FormatError(f"{where}: expected a list of texts, got {_show(values)}")
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if not (isinstance(v, str) or (allow_none and v is None)):
            raise FormatError(f"{where}[{i}]: expected text{' or null' if allow_none else ''}, got {_show(v)}")
        if unique and v in seen:
            raise FormatError(f"{where}[{i}]: {_show(v)} is listed twice")
        seen.add(v)
    return values


def decode_mapping(
    value: Any, where: str, required: Any = (), optional: Any = (), *, exact: bool = True
) -> dict[str, Any]:
    """A JSON object holding every ``required`` key (and, when ``exact``, no key but those and ``optional``)."""
    if not isinstance(value, dict):
        raise FormatError(f"{where}: expected an object, got {_show(value)}")
    missing = [k for k in required if k not in value]
    if missing:
        raise FormatError(f"{where}.{missing[0]}: missing")
    if exact:
        extra = sorted(set(value) - set(required) - set(optional))
        if extra:
            raise FormatError(
                f"{where}.{extra[0]}: unknown key; accepted: {', '.join(sorted({*required, *optional}))}"
            )
    return value


#: JSON documents nest a few levels (model files about 6); a deeper one is refused before parsing.
MAX_DEPTH = 200
#: Digits of an integer in a JSON document (Python refuses to read more than 4,300).
MAX_INT_DIGITS = 4300


def _depth_ok(text: str, limit: int) -> bool:
    """Whether no array or object in ``text`` nests deeper than ``limit`` (strings skipped; no recursion)."""
    import re

    if text.count("[") + text.count("{") <= limit:
        return True
    depth = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        c = token.group()
        if c in "[{":
            depth += 1
            if depth > limit:
                return False
        elif c in "]}":
            depth -= 1
    return True


def parse_json(data: bytes | str, what: str, kind: str = "JSON document") -> Any:
    """Parse a JSON document safely: every failure is a :class:`FormatError` naming ``what``.

    A leading UTF-8 byte order mark is accepted. Refused: text that is not
    UTF-8, malformed JSON, nesting deeper than :data:`MAX_DEPTH` (which would
    exhaust the stack), integers of more than :data:`MAX_INT_DIGITS` digits
    (Python's limit) and the non-standard constants ``NaN`` and ``Infinity``.
    Shared by :func:`load` and the readers of expert cards and credit policies.
    """
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(f"{what} is not a complete {kind}: not UTF-8 text: {exc}") from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    if not _depth_ok(text, MAX_DEPTH):
        raise FormatError(f"{what} nests arrays or objects more than {MAX_DEPTH} levels deep")

    def parse_int(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            raise FormatError(f"{what} holds an integer of {len(digits)} digits (at most {MAX_INT_DIGITS})")
        return int(digits)

    def parse_float(text: str) -> float:
        value = float(text)
        if math.isinf(value):
            raise FormatError(f"{what} holds the number {text[:40]}, beyond the range of a float")
        return value

    def parse_constant(name: str) -> Any:
        raise FormatError(f"{what} holds {name}, which is not JSON (write a number, or a string)")

    try:
        return json.loads(text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant)
    except FormatError:
        raise
    except json.JSONDecodeError as exc:
        raise FormatError(f"{what} is not a complete {kind}: {exc}") from None
    except (RecursionError, ValueError, MemoryError) as exc:
        raise FormatError(f"{what} cannot be read as JSON: {type(exc).__name__}: {exc}") from None


def _canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _writable_folder(path: str | os.PathLike[str]) -> str:
    """The folder ``path`` is to be written in; a ValidationError naming it when it cannot be."""
    try:
        target = os.fspath(path)
    except TypeError:
        raise ValidationError(f"path must be a str or path-like, got {type(path).__name__}", field="path") from None
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        what = "is not a folder" if os.path.exists(directory) else "does not exist"
        raise ValidationError(f"cannot save to {target!r}: the folder {directory!r} {what}", field="path")
    if os.path.isdir(target):
        raise ValidationError(f"cannot save to {target!r}: it is a folder; give a file name", field="path")
    return directory


def _atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    target = os.fspath(path)
    directory = _writable_folder(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".riskkit-", dir=directory)
    except OSError as exc:
        raise ValidationError(f"cannot save to {target!r} in the folder {directory!r}: {exc}", field="path") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(obj: Any, path: str | os.PathLike[str], *, format: str = "json") -> None:
    """Save a scorer or master scale to ``path`` (written atomically).

    Parameters
    ----------
    obj : Scorecard, ExpertScorecard, LogisticScorer, DecisionTreeScorer or MasterScale
    path : path-like
    format : {"json", "joblib"}, default "json"
        ``"joblib"`` pickles the object inside a version envelope (see the
        module's security warning); use it only for objects JSON cannot hold.
    """
    if format == "joblib":
        import joblib

        envelope = {"format": _JOBLIB_FORMAT, "format_version": FORMAT_VERSION, "riskkit_version": __version__,
                    "type": type(obj).__name__, "object": obj}
        tmp_dir = _writable_folder(path)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".riskkit-", dir=tmp_dir)
        except OSError as exc:
            raise ValidationError(f"cannot save to {os.fspath(path)!r}: {exc}", field="path") from None
        os.close(fd)
        try:
            joblib.dump(envelope, tmp)
            os.replace(tmp, os.fspath(path))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return
    if format != "json":
        raise ValidationError(f"format must be 'json' or 'joblib', got {format!r}", field="format")
    type_name = type(obj).__name__
    if type_name not in TYPES or type(obj) is not _type(type_name):
        raise ValidationError(
            f"cannot save a {type_name} as JSON; savable types: {', '.join(sorted(TYPES))} (or use format='joblib')"
        )
    body = encode(obj._to_json())
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "riskkit_version": __version__,
        "type": type_name,
        "sha256": hashlib.sha256(_canonical(body)).hexdigest(),
        "body": body,
    }
    text = json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
    _atomic_write(path, (text + "\n").encode("utf-8"))


def load(path: str | os.PathLike[str], *, allow_pickle: bool = False) -> Any:
    """Load what :func:`save` wrote.

    Raises
    ------
    FormatError
        The file is not a riskkit document, is of an unknown format version
        or type, is truncated or malformed, or its checksum does not match
        (it was modified after saving).
    """
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ValidationError(f"cannot read {os.fspath(path)!r}: {exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark, as some editors write
        raw = raw[3:]
    if not raw.lstrip().startswith((b"{", b"[")):
        return _load_joblib(path, allow_pickle)
    document = parse_json(raw, f"{os.fspath(path)!r}", "riskkit JSON document")
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FormatError(f"{os.fspath(path)!r} is not a riskkit document (no \"format\": \"riskkit\")")
    version = document.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise FormatError(
            f"{os.fspath(path)!r} has format_version {_show(version)}; this riskkit ({__version__}) reads "
            f"version {FORMAT_VERSION}"
        )
    kind = document.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        raise FormatError(f"{os.fspath(path)!r} holds an unknown type {kind!r}; known: {', '.join(sorted(TYPES))}")
    body = document.get("body")
    checksum = document.get("sha256")
    if not isinstance(body, dict) or not isinstance(checksum, str):
        raise FormatError(f"{os.fspath(path)!r} has no body or checksum")
    try:
        canonical = _canonical(body)
    except (ValueError, TypeError, RecursionError) as exc:
        raise FormatError(f"{os.fspath(path)!r}: the body cannot be checked: {exc}") from None
    if hashlib.sha256(canonical).hexdigest() != checksum:
        raise FormatError(
            f"{os.fspath(path)!r} failed its checksum: the body was modified after saving (or the file is "
            "corrupt). Hand-edited expert cards belong in ExpertScorecard.from_json, which has no checksum."
        )
    try:
        return _type(kind)._from_json(body)
    except FormatError as exc:
        raise FormatError(f"{os.fspath(path)!r}: malformed {kind}: {exc}") from None
    except ValidationError as exc:  # a value a constructor refuses that the type did not name
        raise FormatError(f"{os.fspath(path)!r}: malformed {kind}: body: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError) as exc:
        raise FormatError(f"{os.fspath(path)!r}: malformed {kind} body: {type(exc).__name__}: {exc}") from None


def _load_joblib(path: str | os.PathLike[str], allow_pickle: bool) -> Any:
    if not allow_pickle:
        raise FormatError(
            f"{os.fspath(path)!r} is not a riskkit JSON document. If it is a joblib file you saved yourself, "
            "load it with allow_pickle=True (a pickle can run arbitrary code: never load one you do not trust)."
        )
    import joblib

    try:
        envelope = joblib.load(path)
    except Exception as exc:
        raise FormatError(f"{os.fspath(path)!r} is not a readable joblib file: {exc}") from None
    if not isinstance(envelope, dict) or envelope.get("format") != _JOBLIB_FORMAT:
        raise FormatError(f"{os.fspath(path)!r} is a pickle but not a riskkit envelope; refusing it")
    if envelope.get("format_version") != FORMAT_VERSION:
        raise FormatError(f"{os.fspath(path)!r} has an unknown envelope version {envelope.get('format_version')!r}")
    return envelope["object"]
