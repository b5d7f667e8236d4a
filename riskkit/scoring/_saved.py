"""The parts of a saved scorer's JSON body that every fitted estimator shares (see :mod:`riskkit.persistence`).

A fitted Scorecard, LogisticScorer or DecisionTreeScorer writes its
parameters (``params``), the two class labels (``classes``, with their dtype),
which of them is bad (``bad_positive``) and its input features
(``feature_names``, ``named`` and, for the raw-feature models, ``kinds``). On
loading, every value is checked as fitting would have made it, and a bad one
is a :class:`~riskkit.FormatError` naming its key path, e.g. ``body.classes.values[1]``.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, TypeVar

import numpy as np

from riskkit.errors import FormatError, ValidationError
from riskkit.persistence import decode_bool, decode_floats, decode_mapping, decode_texts
from riskkit.scoring._grades import MasterScale
from riskkit.scoring._input import CATEGORICAL, NUMERIC
from riskkit.scoring._training import master_scale_from

__all__ = [
    "floats_from_json",
    "inputs_from_json",
    "inputs_to_json",
    "params_from_json",
    "params_to_json",
]

E = TypeVar("E")

#: The keys :func:`inputs_to_json` writes (``kinds`` only for the raw-feature models).
INPUT_KEYS = ("feature_names", "named", "classes", "bad_positive")
#: Parameters added after the first saved documents, with the value an older document means by leaving them out.
ADDED_PARAMS: dict[str, Any] = {"bins": None}


def params_to_json(est: Any) -> dict[str, Any]:
    """The estimator's parameters as JSON values (a MasterScale as its dict, a sequence as a list)."""
    params: dict[str, Any] = est.get_params(deep=False)
    if isinstance(params.get("master_scale"), MasterScale):
        params["master_scale"] = params["master_scale"].to_dict()
    if params.get("categorical") is not None:
        params["categorical"] = list(params["categorical"])
    if params.get("bins") is not None:
        from riskkit.scoring._bins_spec import to_json

        params["bins"] = to_json(params["bins"])
    return params


def params_from_json(cls: type[E], params: Any, where: str = "body.params") -> E:
    """``cls(**params)`` with every parameter present and checked as ``fit`` checks them.

    A refused value is a FormatError naming the parameter, ``body.params.C: ...``.
    A parameter of :data:`ADDED_PARAMS` may be absent (a document saved before it existed).
    """
    names = list(inspect.signature(cls).parameters)
    added = [n for n in names if n in ADDED_PARAMS]
    decode_mapping(params, where, [n for n in names if n not in added], added)  # no silent default
    est: Any = cls(**{**{n: ADDED_PARAMS[n] for n in added}, **params})
    try:
        est._validate_params()
    except ValidationError as exc:
        raise FormatError(f"{where}.{exc.field or ''}: {exc}") from None
    try:
        master_scale_from(est.master_scale)
    except ValidationError as exc:
        raise FormatError(f"{where}.master_scale: {exc}") from None
    return est


def _classes_to_json(classes: np.ndarray) -> dict[str, Any]:
    dtype = "object" if classes.dtype == object else classes.dtype.str
    return {"dtype": dtype, "values": classes.tolist()}


def _classes_from_json(d: Any, where: str) -> np.ndarray:
    """The two class labels, checked: a known dtype, two distinct sorted values of that type."""
    decode_mapping(d, where, ("dtype", "values"))
    dtype = d["dtype"]
    if not isinstance(dtype, str) or (dtype != "object" and dtype[1:2] not in set("biufU")):
        raise FormatError(f"{where}.dtype: unsupported class label dtype {dtype!r}")
    values = d["values"]
    if not isinstance(values, list) or len(values) != 2:
        raise FormatError(f"{where}.values: expected the two class labels, got {values!r:.80}")
    kind = "O" if dtype == "object" else dtype[1]
    for i, v in enumerate(values):
        ok = {
            "b": isinstance(v, bool),
            "i": isinstance(v, int) and not isinstance(v, bool),
            "u": isinstance(v, int) and not isinstance(v, bool) and v >= 0,
            "f": isinstance(v, float) and math.isfinite(v),
            "U": isinstance(v, str),
        }.get(kind, isinstance(v, str | int | float | bool) and not (isinstance(v, float) and not math.isfinite(v)))
        if not ok:
            raise FormatError(f"{where}.values[{i}]: {v!r:.80} is not a label of dtype {dtype}")
    try:
        arr = np.array(values, dtype=object if dtype == "object" else np.dtype(dtype))
    except (TypeError, ValueError, OverflowError) as exc:
        raise FormatError(f"{where}: {exc}") from None
    if arr.dtype != object and arr.tolist() != values:
        raise FormatError(f"{where}.values: {values!r:.80} do not fit the dtype {dtype}")
    try:
        ordered = bool(arr[0] < arr[1])
    except TypeError:
        ordered = False
    if not ordered:
        raise FormatError(f"{where}.values: expected two distinct labels in increasing order, got {values!r:.80}")
    return arr


def inputs_to_json(est: Any, *, kinds: bool = True) -> dict[str, Any]:
    """The fitted input of ``est`` (see :meth:`EstimatorMixin._set_inputs`): the keys :data:`INPUT_KEYS`.

    ``kinds=True`` adds ``kinds``, one ``"numeric"`` or ``"categorical"`` per feature.
    """
    out: dict[str, Any] = {
        "feature_names": list(est._feature_names_),
        "named": est._named_,
        "classes": _classes_to_json(est.classes_),
        "bad_positive": est._bad_positive_,
    }
    if kinds:
        out["kinds"] = [est._kinds_[n] for n in est._feature_names_]
    return out


def inputs_from_json(est: Any, body: dict[str, Any], *, kinds: bool = True, where: str = "body") -> None:
    """Inverse of :func:`inputs_to_json`: check the keys of ``body`` and set them on ``est``.

    Feature names are unique texts, at least one; ``kinds`` (when read) one per name.
    """
    names = tuple(decode_texts(body["feature_names"], f"{where}.feature_names"))
    if not names:
        raise FormatError(f"{where}.feature_names: a model needs at least one feature")
    by_name: dict[str, str] | None = None
    if kinds:
        given = body["kinds"]
        if not isinstance(given, list) or len(given) != len(names):
            raise FormatError(f"{where}.kinds: expected one kind per feature ({len(names)})")
        for i, k in enumerate(given):
            if k not in (NUMERIC, CATEGORICAL):
                raise FormatError(f"{where}.kinds[{i}]: expected 'numeric' or 'categorical', got {k!r:.80}")
        by_name = dict(zip(names, given, strict=True))
    named = decode_bool(body["named"], f"{where}.named")
    classes = _classes_from_json(body["classes"], f"{where}.classes")
    bad_positive = decode_bool(body["bad_positive"], f"{where}.bad_positive")
    est._set_inputs(names, named, by_name, classes, bad_positive)


def floats_from_json(values: Any, where: str, n: int | None = None, **checks: bool) -> np.ndarray:
    """A JSON list of numbers as float64 (see :func:`riskkit.persistence.decode_float` for ``checks``)."""
    return np.array(decode_floats(values, where, n, **checks), dtype=np.float64)
