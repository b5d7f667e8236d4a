"""JSON bodies of riskkit's own savable types (see :mod:`riskkit.persistence`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from riskkit.errors import FormatError, ValidationError
from riskkit.persistence import (
    decode_bool,
    decode_float,
    decode_floats,
    decode_mapping,
    decode_texts,
    register,
)


def _classes_to_body(classes: np.ndarray) -> dict[str, Any]:
    dtype = "object" if classes.dtype == object else classes.dtype.str
    return {"dtype": dtype, "values": classes.tolist()}


def _classes_from_body(d: Any, where: str = "body.classes") -> np.ndarray:
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


def params_from_body(cls: type, params: Any, where: str = "body.params") -> Any:
    """``cls(**params)`` with its parameters checked as ``fit`` checks them; errors name the parameter."""
    import inspect

    accepted = list(inspect.signature(cls).parameters)
    decode_mapping(params, where, accepted)  # every parameter, as save writes them: no silent default
    obj = cls(**params)
    try:
        obj._validate_params()
        from riskkit.scoring._training import master_scale_from, scaling_params

        scaling_params(obj)
    except ValidationError as exc:
        raise FormatError(f"{where}.{exc.field or ''}: {exc}") from None
    try:
        master_scale_from(obj.master_scale)
    except ValidationError as exc:
        raise FormatError(f"{where}.master_scale: {exc}") from None
    return obj


def names_from_body(body: dict[str, Any], where: str = "body") -> tuple[tuple[str, ...], dict[str, str], bool]:
    """feature_names (unique texts), kinds (one per name) and named (a JSON boolean)."""
    names = tuple(decode_texts(body["feature_names"], f"{where}.feature_names"))
    if not names:
        raise FormatError(f"{where}.feature_names: a model needs at least one feature")
    kinds = body["kinds"]
    if not isinstance(kinds, list) or len(kinds) != len(names):
        raise FormatError(f"{where}.kinds: expected one kind per feature ({len(names)})")
    for i, k in enumerate(kinds):
        if k not in ("numeric", "categorical"):
            raise FormatError(f"{where}.kinds[{i}]: expected 'numeric' or 'categorical', got {k!r:.80}")
    named = decode_bool(body["named"], f"{where}.named")
    return names, dict(zip(names, kinds, strict=True)), named


def _master_scale(value: Any) -> Any:
    from riskkit.scoring._grades import MasterScale

    return value.to_dict() if isinstance(value, MasterScale) else value


def _scorecard_to_body(sc: Any) -> dict[str, Any]:
    sc._check_fitted()
    params = sc.get_params(deep=False)
    params["master_scale"] = _master_scale(params["master_scale"])
    return {
        "params": params,
        "card": sc.card_.to_dict(),
        "binnings": {name: b.to_dict() for name, b in sc.binnings_.items()},
        "iv": sc.iv_,
        "selected": list(sc.selected_features_),
        "coef": sc.coef_.tolist(),
        "intercept": sc.intercept_,
        "classes": _classes_to_body(sc.classes_),
        "bad_positive": sc._bad_positive_,
        "named": sc._named_,
        "feature_names": list(sc._feature_names_),
    }


_SCORECARD_KEYS = (
    "params", "card", "binnings", "iv", "selected", "coef", "intercept", "classes", "bad_positive", "named",
    "feature_names",
)


def _scorecard_from_body(body: dict[str, Any]) -> Any:
    from riskkit.scoring._binning import Binning
    from riskkit.scoring._card import Card
    from riskkit.scoring._scorecard import Scorecard

    decode_mapping(body, "body", _SCORECARD_KEYS)
    import inspect

    params = decode_mapping(body["params"], "body.params", list(inspect.signature(Scorecard).parameters))
    try:
        sc = Scorecard(**params)
        sc._validate_params()
    except (TypeError, OverflowError) as exc:  # an unknown parameter, or an int beyond float range
        raise FormatError(f"body.params: {type(exc).__name__}: {exc}") from None
    except ValidationError as exc:
        raise FormatError(f"body.params.{exc.field or ''}: {exc}") from None
    sc.card_ = Card.from_dict(body["card"], "body.card")
    binnings = decode_mapping(body["binnings"], "body.binnings", exact=False)
    sc.binnings_ = {}
    for name, b in binnings.items():
        try:
            sc.binnings_[name] = Binning.from_dict(b)
        except (FormatError, KeyError, TypeError, ValueError, OverflowError) as exc:
            raise FormatError(f"body.binnings.{name}: {type(exc).__name__}: {exc}") from None
    iv = decode_mapping(body["iv"], "body.iv", exact=False)
    sc.iv_ = {name: decode_float(v, f"body.iv.{name}") for name, v in iv.items()}
    sc.selected_features_ = tuple(decode_texts(body["selected"], "body.selected"))
    sc.coef_ = np.array(decode_floats(body["coef"], "body.coef", finite=True), dtype=np.float64)
    sc.intercept_ = decode_float(body["intercept"], "body.intercept", finite=True)
    sc.classes_ = _classes_from_body(body["classes"])
    sc._bad_positive_ = decode_bool(body["bad_positive"], "body.bad_positive")
    sc._named_ = decode_bool(body["named"], "body.named")
    names = tuple(decode_texts(body["feature_names"], "body.feature_names"))
    sc._feature_names_ = names
    if sc._named_:
        sc.feature_names_in_ = np.asarray(names, dtype=object)
    sc.n_features_in_ = len(names)
    if set(sc.card_.names) - set(names):
        raise FormatError("body.card: the card uses features that are not among body.feature_names")
    return sc


def _expert_to_body(card: Any) -> dict[str, Any]:
    body: dict[str, Any] = card.to_dict()
    return body


def _expert_from_body(body: dict[str, Any]) -> Any:
    from riskkit.scoring._scorecard import ExpertScorecard

    return ExpertScorecard.from_dict(body)


def _scale_from_body(body: dict[str, Any]) -> Any:
    from riskkit.scoring._grades import MasterScale

    return MasterScale.from_dict(body)


#: Built-in savable types and the module holding each, imported only when that type is saved or loaded,
#: so that loading a scorecard in a short-lived job does not import the tree or logistic modules.
BUILTIN = {
    "MasterScale": "riskkit.scoring._grades",
    "ExpertScorecard": "riskkit.scoring._scorecard",
    "Scorecard": "riskkit.scoring._scorecard",
    "LogisticScorer": "riskkit.scoring._logistic",
    "DecisionTreeScorer": "riskkit.scoring._tree",
    "Calibration": "riskkit.signals._calibrate",
}


def register_builtin(name: str) -> None:
    """Register the built-in type ``name`` (see :data:`BUILTIN`)."""
    import importlib

    cls = getattr(importlib.import_module(BUILTIN[name]), name)
    if name == "MasterScale":
        register(name, cls, lambda s: s.to_dict(), _scale_from_body)
    elif name == "ExpertScorecard":
        register(name, cls, _expert_to_body, _expert_from_body)
    elif name == "Scorecard":
        register(name, cls, _scorecard_to_body, _scorecard_from_body)
    else:
        module = importlib.import_module(BUILTIN[name])
        register(name, cls, module._to_body, module._from_body)
