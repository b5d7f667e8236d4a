"""JSON bodies of riskkit's own savable types (see :mod:`riskkit.persistence`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from riskkit.errors import FormatError
from riskkit.persistence import decode_float, register


def _classes_to_body(classes: np.ndarray) -> dict[str, Any]:
    dtype = "object" if classes.dtype == object else classes.dtype.str
    return {"dtype": dtype, "values": classes.tolist()}


def _classes_from_body(d: dict[str, Any]) -> np.ndarray:
    dtype = d["dtype"]
    if not isinstance(dtype, str) or (dtype != "object" and dtype[1:2] not in set("biufU")):
        raise FormatError(f"unsupported class label dtype {dtype!r}")
    return np.array(d["values"], dtype=object if dtype == "object" else np.dtype(dtype))


def _master_scale(value: Any) -> Any:
    from riskkit.grades import MasterScale

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


def _scorecard_from_body(body: dict[str, Any]) -> Any:
    from riskkit._card import Card
    from riskkit.binning import Binning
    from riskkit.scorecard import Scorecard

    sc = Scorecard(**body["params"])
    sc.card_ = Card.from_dict(body["card"])
    sc.binnings_ = {name: Binning.from_dict(b) for name, b in body["binnings"].items()}
    sc.iv_ = {name: decode_float(v, f"iv[{name!r}]") for name, v in body["iv"].items()}
    sc.selected_features_ = tuple(body["selected"])
    sc.coef_ = np.array([decode_float(c, "coef") for c in body["coef"]], dtype=np.float64)
    sc.intercept_ = decode_float(body["intercept"], "intercept")
    sc.classes_ = _classes_from_body(body["classes"])
    sc._bad_positive_ = bool(body["bad_positive"])
    sc._named_ = bool(body["named"])
    names = tuple(str(n) for n in body["feature_names"])
    sc._feature_names_ = names
    if sc._named_:
        sc.feature_names_in_ = np.asarray(names, dtype=object)
    sc.n_features_in_ = len(names)
    if set(sc.card_.names) - set(names):
        raise FormatError("the card uses features that are not among feature_names")
    return sc


def _expert_to_body(card: Any) -> dict[str, Any]:
    body: dict[str, Any] = card.to_dict()
    return body


def _expert_from_body(body: dict[str, Any]) -> Any:
    from riskkit.scorecard import ExpertScorecard

    return ExpertScorecard.from_dict(body)


def _scale_from_body(body: dict[str, Any]) -> Any:
    from riskkit.grades import MasterScale

    return MasterScale.from_dict(body)


#: Built-in savable types and the module holding each, imported only when that type is saved or loaded,
#: so that loading a scorecard in a short-lived job does not import the tree or logistic modules.
BUILTIN = {
    "MasterScale": "riskkit.grades",
    "ExpertScorecard": "riskkit.scorecard",
    "Scorecard": "riskkit.scorecard",
    "LogisticScorer": "riskkit.logistic",
    "DecisionTreeScorer": "riskkit.tree",
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
