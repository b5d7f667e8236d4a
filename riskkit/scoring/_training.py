"""Fitting-time helpers shared by the trainable scorers (Scorecard, LogisticScorer, DecisionTreeScorer).

Reading X and y for ``fit`` the same way everywhere, so the three scorers
accept the same inputs and refuse bad ones with the same messages (the ones
scikit-learn's conformance checks expect).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from riskkit.errors import ValidationError
from riskkit.scoring import _input
from riskkit.scoring._grades import MasterScale
from riskkit.scoring._scaling import Scaling


def master_scale_from(value: Any) -> MasterScale:
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
    return Scaling(owner.base_score, owner.base_odds, owner.pdo)


def binary_target(y: Any, owner: str, bad_label: Any = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate a binary target. Returns (y as 0/1 with 1 = bad, classes_, classes_[1] is bad)."""
    if y is None:
        raise ValidationError(f"{owner} requires y to be passed, but the target y is None")
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d

    y = column_or_1d(y, warn=True)
    if y.dtype.kind in "fc" and not np.isfinite(y).all():
        raise ValidationError(f"{owner}: Input y contains NaN or infinity; y must hold two class labels")
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.size < 2:
        raise ValidationError(f"{owner} needs two classes (good and bad); y has only one class: {classes.tolist()}")
    if classes.size > 2:
        raise ValidationError(
            f"{owner}: Only binary classification is supported (good/bad); y has {classes.size} classes: "
            f"{classes.tolist()[:10]}"
        )
    if bad_label is None:
        bad = classes[1]
    elif bad_label in classes.tolist():
        bad = bad_label
    else:
        raise ValidationError(f"bad_label {bad_label!r} is not in y's classes {classes.tolist()}", field="bad_label")
    return (y == bad).astype(np.int8), classes, bool(classes[1] == bad)


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
    from riskkit.scoring._target import binary_target as checked_target

    y01, classes, bad_is_positive = checked_target(y, n_rows, owner, bad_label)
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
