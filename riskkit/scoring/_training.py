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
    #: The row weights scaled to a mean of 1, or None: no weights, or all equal (the same fit as none).
    weight: np.ndarray | None = None


def training_data(est: Any, X: Any, y: Any, sample_weight: Any = None) -> Training:
    """Check a scorer's parameters, then y, then X, then ``sample_weight``, for ``est.fit(X, y, sample_weight)``.

    ``est`` has ``_validate_params()``, ``base_score``, ``base_odds``, ``pdo``,
    ``master_scale``, ``categorical`` and ``bad_label``.

    With weights, the rows of weight 0 are left out of the result (a weight
    of 0 is the same fit as no row), and the other weights are scaled to a
    mean of 1, so that multiplying every weight by a constant changes
    nothing: the regularisation, the smoothing of pure bins and the minimum
    counts keep the meaning they have without weights (rows). Weights that
    are all equal are the same fit as none: ``weight`` is then None.
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
    weight = None
    if sample_weight is not None:
        w = sample_weights(sample_weight, y01.size, owner)
        keep = w > 0
        if not keep.all():
            columns = {n: c[keep] for n, c in columns.items()}
            y01, w = y01[keep], w[keep]
        n_bad = int(y01.sum())
        if n_bad == 0 or n_bad == y01.size:
            only = classes[1] if (n_bad > 0) == bad_positive else classes[0]
            raise ValidationError(
                f"{owner}: only one class ({only!r}) has rows of positive sample_weight; a scorer needs both "
                "classes (sklearn: y contains only one label)",
                field="sample_weight",
            )
        weight = None if np.all(w == w[0]) else w / w.mean()
    return Training(names, named, columns, kinds, y01, classes, bad_positive, scaling, scale, weight)


def sample_weights(sample_weight: Any, n: int, owner: str) -> np.ndarray:
    """``sample_weight`` as float64 of ``n`` finite values >= 0, not all 0; a ValidationError otherwise.

    >>> sample_weights([1, 2.5, 0], 3, "Scorecard").tolist()
    [1.0, 2.5, 0.0]
    >>> sample_weights([1, -1, 0], 3, "Scorecard")
    Traceback (most recent call last):
    riskkit.errors.ValidationError: Scorecard: sample_weight must be finite and >= 0; row 1 holds -1.0
    """
    try:
        w = np.asarray(sample_weight)
    except (TypeError, ValueError):  # pragma: no cover - ragged input
        raise ValidationError(f"{owner}: sample_weight must be a 1-D array of numbers", field="sample_weight") from None
    if w.ndim != 1 or w.size != n:
        raise ValidationError(
            f"{owner}: sample_weight must be 1-D with one weight per row ({n}), got shape {w.shape}",
            field="sample_weight",
        )
    if w.dtype.kind not in "biuf":
        raise ValidationError(
            f"{owner}: sample_weight must hold numbers, got values of dtype {w.dtype}", field="sample_weight"
        )
    w = w.astype(np.float64)  # a copy: the caller's array is never changed
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            f"{owner}: sample_weight must be finite and >= 0; row {row} holds {float(w[row])!r}",
            field="sample_weight",
            row=row,
            value=float(w[row]),
        )
    if not (w > 0).any():
        raise ValidationError(
            f"{owner}: sample_weight must contain at least one non-zero number (all {n} are 0)",
            field="sample_weight",
        )
    return w


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
