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
import json
import math
import os
import tempfile
from collections.abc import Callable
from typing import Any

from riskkit._version import __version__
from riskkit.errors import FormatError, ValidationError

__all__ = ["load", "register", "save"]

FORMAT = "riskkit"
FORMAT_VERSION = 1
_JOBLIB_FORMAT = "riskkit-joblib"

# type name -> (class, to_body, from_body); filled lazily so importing this module stays cheap
_REGISTRY: dict[str, tuple[type, Callable[[Any], dict[str, Any]], Callable[[dict[str, Any]], Any]]] = {}


def register(
    name: str, cls: type, to_body: Callable[[Any], dict[str, Any]], from_body: Callable[[dict[str, Any]], Any]
) -> None:
    """Make ``cls`` savable as JSON under the type ``name``."""
    _REGISTRY[name] = (cls, to_body, from_body)


def _builtin(name: str | None) -> None:
    """Make the built-in type ``name`` known (importing only its module); unknown names are left alone."""
    from riskkit import _persist_types

    if isinstance(name, str) and name in _persist_types.BUILTIN and name not in _REGISTRY:
        _persist_types.register_builtin(name)


def _known_types() -> list[str]:
    from riskkit._persist_types import BUILTIN

    return sorted(set(_REGISTRY) | set(BUILTIN))


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


def decode_float(value: Any, where: str) -> float:
    """Inverse of :func:`encode` for one float."""
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".riskkit-", dir=directory)
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
    _builtin(type(obj).__name__)
    if format == "joblib":
        import joblib

        envelope = {"format": _JOBLIB_FORMAT, "format_version": FORMAT_VERSION, "riskkit_version": __version__,
                    "type": type(obj).__name__, "object": obj}
        tmp_dir = os.path.dirname(os.path.abspath(os.fspath(path)))
        fd, tmp = tempfile.mkstemp(prefix=".riskkit-", dir=tmp_dir)
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
    type_name = next((name for name, (cls, _, _) in _REGISTRY.items() if type(obj) is cls), None)
    if type_name is None:
        known = ", ".join(_known_types())
        raise ValidationError(
            f"cannot save a {type(obj).__name__} as JSON; savable types: {known} (or use format='joblib')"
        )
    body = encode(_REGISTRY[type_name][1](obj))
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
    if not raw.lstrip().startswith(b"{"):
        return _load_joblib(path, allow_pickle)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{os.fspath(path)!r} is not a complete riskkit JSON document: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FormatError(f"{os.fspath(path)!r} is not a riskkit document (no \"format\": \"riskkit\")")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise FormatError(
            f"{os.fspath(path)!r} has format_version {version!r}; this riskkit ({__version__}) reads version "
            f"{FORMAT_VERSION}"
        )
    kind = document.get("type")
    _builtin(kind)
    if kind not in _REGISTRY:
        raise FormatError(f"{os.fspath(path)!r} holds an unknown type {kind!r}; known: {', '.join(_known_types())}")
    body = document.get("body")
    checksum = document.get("sha256")
    if not isinstance(body, dict) or not isinstance(checksum, str):
        raise FormatError(f"{os.fspath(path)!r} has no body or checksum")
    if hashlib.sha256(_canonical(body)).hexdigest() != checksum:
        raise FormatError(
            f"{os.fspath(path)!r} failed its checksum: the body was modified after saving (or the file is "
            "corrupt). Hand-edited expert cards belong in ExpertScorecard.from_json, which has no checksum."
        )
    try:
        return _REGISTRY[kind][2](body)
    except FormatError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
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
