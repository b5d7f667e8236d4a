"""The target ``y`` of every trainable scorer, validated once (``Scorecard``, ``LogisticScorer``, ``DecisionTreeScorer``).

:func:`binary_target` accepts a 1-D sequence, numpy array or pandas Series
(or a single-column 2-D array, with scikit-learn's ``DataConversionWarning``)
of exactly two class labels: integers, bools, whole-number floats or texts,
with no missing value. Anything else is a :class:`~riskkit.ValidationError`
saying what is wrong (and where) and what is accepted, never an exception
from inside scikit-learn.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

import numpy as np

from riskkit.errors import ValidationError

__all__ = ["binary_target"]

_ACCEPTED = "y must be 1-D, one class label per row, with exactly two classes (0/1, True/False or two texts) and no missing values"


def _as_array(y: Any, owner: str) -> np.ndarray:
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):
        dtype = getattr(y, "dtype", None)
        if type(dtype).__module__.startswith("pandas") and getattr(dtype, "name", "") != "category":
            return np.asarray(y.to_numpy(dtype=object, na_value=None))  # nullable dtypes: NA as None
        return np.asarray(y.to_numpy())
    try:
        return np.asarray(y)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise ValidationError(f"{owner}: cannot read y ({exc}); {_ACCEPTED}", field="y") from None


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float | np.floating):
        return not math.isfinite(v)
    if isinstance(v, decimal.Decimal):
        return not v.is_finite()
    return type(v).__name__ in {"NAType", "NaTType"}


def binary_target(
    y: Any, n_rows: int | None, owner: str, bad_label: Any = None
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate a binary target.

    Parameters
    ----------
    y : array-like
        The class labels, one per row.
    n_rows : int or None
        Rows of X, checked against y's length when given.
    owner : str
        The scorer's name, for the messages.
    bad_label : object, optional
        The bad class; by default the greater of the two labels.

    Returns
    -------
    (y01, classes, bad_is_positive)
        y as int8 with 1 = bad, the two labels sorted (``classes_``), and
        whether ``classes[1]`` is the bad one. ``classes[(y01 if
        bad_is_positive else 1 - y01)]`` gives y back as a clean 1-D array.

    Raises
    ------
    ValidationError
        y is None, not 1-D, holds a missing value, non-integer numbers,
        complex numbers, mixed types or other than two classes, or its length
        differs from X's.
    """
    if y is None:
        raise ValidationError(f"{owner} requires y to be passed, but the target y is None; {_ACCEPTED}", field="y")
    arr = _as_array(y, owner)
    if arr.ndim == 2 and arr.shape[1] == 1:
        import warnings

        from sklearn.exceptions import DataConversionWarning

        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the shape of y to "
            "(n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValidationError(f"{owner}: y has shape {arr.shape}; {_ACCEPTED}", field="y")
    if n_rows is not None and arr.size != n_rows:
        raise ValidationError(f"{owner}: X has {n_rows} rows but y has {arr.size}", field="y")
    kind = arr.dtype.kind
    if kind == "c" or (kind == "O" and any(isinstance(v, complex | np.complexfloating) for v in arr.tolist())):
        raise ValidationError(f"{owner}: y holds complex numbers (Complex data not supported); {_ACCEPTED}", field="y")
    if kind not in "biufUSO":
        raise ValidationError(f"{owner}: y has dtype {arr.dtype}; {_ACCEPTED}", field="y")
    if kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValidationError(
                f"{owner}: Input y contains NaN or infinity (row {row}: {float(arr[row])}); {_ACCEPTED}",
                field="y",
                row=row,
            )
    if kind == "O":
        values = arr.tolist()
        for row, v in enumerate(values):
            if _missing(v):
                raise ValidationError(
                    f"{owner}: y row {row} is missing ({v!r}); {_ACCEPTED}", field="y", row=row, value=v
                )
        types = {type(v) for v in values}
        if all(issubclass(t, str) for t in types):
            arr = np.array(values, dtype=object)
        elif all(issubclass(t, bool | int | float | np.bool_ | np.integer | np.floating | decimal.Decimal)
                 for t in types):
            try:
                arr = np.array([float(v) if isinstance(v, decimal.Decimal) else v for v in values])
            except OverflowError:
                raise ValidationError(f"{owner}: y holds a number too large to be a label; {_ACCEPTED}") from None
            kind = arr.dtype.kind
            if kind == "O":  # ints too large for int64
                raise ValidationError(f"{owner}: y holds a number too large to be a label; {_ACCEPTED}", field="y")
        else:
            names = sorted(t.__name__ for t in types)
            raise ValidationError(f"{owner}: y mixes types ({', '.join(names)}); {_ACCEPTED}", field="y")
    if kind == "f":
        fractional = arr != np.round(arr)
        if fractional.any():
            row = int(np.flatnonzero(fractional)[0])
            raise ValidationError(
                f"{owner}: y holds continuous values (row {row}: {float(arr[row])!r}), not class labels; {_ACCEPTED}",
                field="y",
                row=row,
            )
    classes = np.unique(arr)
    if classes.size < 2:
        raise ValidationError(
            f"{owner} needs two classes (good and bad); y has only one class: {classes.tolist()}", field="y"
        )
    if classes.size > 2:
        raise ValidationError(
            f"{owner}: Only binary classification is supported (good/bad); y has {classes.size} classes: "
            f"{classes.tolist()[:10]}",
            field="y",
        )
    if bad_label is None:
        bad = classes[1]
    else:
        try:
            known = bad_label in classes.tolist()
        except (TypeError, ValueError):
            known = False
        if not known:
            raise ValidationError(
                f"bad_label {bad_label!r} is not in y's classes {classes.tolist()}", field="bad_label"
            )
        bad = bad_label
    return (arr == bad).astype(np.int8), classes, bool(classes[1] == bad)


def labels(y01: np.ndarray, classes: np.ndarray, bad_is_positive: bool) -> np.ndarray:
    """y back from :func:`binary_target`'s result: a clean 1-D array of the two labels."""
    return np.asarray(classes[y01 if bad_is_positive else 1 - y01])
