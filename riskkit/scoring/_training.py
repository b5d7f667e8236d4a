"""Fitting-time helpers shared by the trainable scorers (Scorecard, LogisticScorer, DecisionTreeScorer).

Reading X and y for ``fit`` the same way everywhere, so the three scorers
accept the same inputs and refuse bad ones with the same messages (the ones
scikit-learn's conformance checks expect): first the parameters, then y (by
:func:`riskkit.scoring._target.binary_target`), then X.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from riskkit.errors import ValidationError
from riskkit.scoring import _input, _target
from riskkit.scoring._grades import MasterScale
from riskkit.scoring._scaling import Scaling


def master_scale_from(value: Any) -> MasterScale:
    """The ``master_scale`` parameter as a MasterScale: None or ``"default"``, ``"expert_100"``, a scale or its dict."""
    if value is None or value == "default":
        return MasterScale.default()
    if value == "expert_100":
        return MasterScale.expert_100()
    if isinstance(value, MasterScale):
        return value
    if isinstance(value, Mapping):
        return MasterScale.from_dict(value)
    raise ValidationError(
        f"master_scale must be 'default', 'expert_100', a MasterScale or its dict, got {value!r}",
        field="master_scale",
    )


def scaling_params(owner: Any) -> Scaling:
    """The scaling of a scorer's ``base_score``, ``base_odds`` and ``pdo``."""
    return Scaling(owner.base_score, owner.base_odds, owner.pdo)


def refuse_values(name: str, col: np.ndarray, bad: np.ndarray, why: str) -> None:
    """A ValidationError at the first row of feature ``name`` where ``bad`` holds, if any.

    ``why`` follows the value in the message: what is wrong with it and what is accepted.
    """
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            f"feature {name!r} row {row}: {col[row]} {why}", field=name, row=row, value=float(col[row])
        )


class Training(NamedTuple):
    """The checked fitting data of a scorer (see :func:`training_data`)."""

    names: list[str]
    named: bool
    columns: dict[str, np.ndarray]
    kinds: dict[str, str]
    y01: np.ndarray
    classes: np.ndarray
    bad_positive: bool
    scaling: Scaling
    master_scale: MasterScale


def training_data(est: Any, X: Any, y: Any) -> Training:
    """Check a scorer's parameters, then y, then X, for ``est.fit(X, y)``.

    ``est`` has ``_validate_params()``, ``base_score``, ``base_odds``, ``pdo``,
    ``master_scale``, ``categorical`` and ``bad_label``.
    """
    est._validate_params()
    scaling = scaling_params(est)
    scale = master_scale_from(est.master_scale)
    owner = type(est).__name__
    # y first, by riskkit's own rules (scikit-learn's errors never escape); then X, with the clean y
    y = _target.labels(*_target.binary_target(y, None, owner, est.bad_label))
    names, named, columns, kinds, y01, classes, bad_positive = training_columns(
        owner, X, y, est.categorical, est.bad_label
    )
    return Training(names, named, columns, kinds, y01, classes, bad_positive, scaling, scale)


def training_columns(
    owner: str, X: Any, y: Any, categorical: Sequence[str] | None, bad_label: Any
) -> tuple[list[str], bool, dict[str, np.ndarray], dict[str, str], np.ndarray, np.ndarray, bool]:
    """Read and validate fitting data.

    Returns (names, named, columns, kinds, y01 with 1 = bad, classes_, classes_[1] is bad).
    """
    names_given = _input.input_names(X)
    raw, n_rows, _ = _input._raw_columns(X, owner)
    names = list(names_given) if names_given is not None else [f"x{j}" for j in range(len(raw))]
    values = list(raw.values()) if isinstance(raw, dict) else raw
    if not values:
        raise ValidationError(
            f"{owner}: 0 feature(s) (shape=({n_rows}, 0)) while a minimum of 1 is required."
        )
    if n_rows == 0:
        raise ValidationError(
            f"{owner}: 0 sample(s) (shape=(0, {len(values)})) while a minimum of 1 is required."
        )
    y01, classes, bad_is_positive = _target.binary_target(y, n_rows, owner, bad_label)
    if y01.size != n_rows:
        raise ValidationError(f"{owner}: X has {n_rows} rows but y has {y01.size}")
    if categorical is not None and (isinstance(categorical, str) or not isinstance(categorical, Sequence)):
        raise ValidationError(
            f"categorical must be a list of feature names or None, got {categorical!r}", field="categorical"
        )
    forced = set(categorical or ())
    unknown_cat = forced - set(names)
    if unknown_cat:
        raise ValidationError(
            f"categorical names unknown feature(s) {sorted(unknown_cat)}", field="categorical"
        )
    columns: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {}
    for name, col in zip(names, values, strict=True):
        kinds[name] = _input.CATEGORICAL if name in forced else _input.infer_kind(col)
        converted = _input.convert(col, kinds[name], name, n_rows)
        # fitting works in float64 whatever the input's float width
        columns[name] = (
            np.asarray(converted, dtype=np.float64) if kinds[name] == _input.NUMERIC else converted
        )
    return names, names_given is not None, columns, kinds, y01, classes, bad_is_positive
