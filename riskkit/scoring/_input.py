"""Reading a scorer's input X into named 1-D columns, without importing pandas or scikit-learn.

X may be a :class:`~riskkit.FeatureFrame`, a pandas DataFrame, a mapping of
column name to array, or a 2-D array in the scorer's feature order. Named
inputs are read by name (extra columns are ignored, order does not matter);
positional inputs must have exactly the fitted number of columns.

Numeric columns become float64 (NaN = missing, +/-inf kept); categorical
columns become object arrays of str with ``None`` for missing. Nothing is
coerced silently: text in a numeric column, or a number in a categorical
column that is not an integer, is an error naming the feature and the row.

One customer may be given as a mapping of name to single value (what
``row.to_dict()`` of a pandas row gives), read exactly as a batch of one row:

* ``decimal.Decimal`` is a number, converted to the nearest float; a Decimal
  or int too large for a float64 is an error naming the feature (never made
  infinite);
* ``None``, NaN, ``pandas.NA`` and ``NaT`` are missing, in numeric and
  categorical features alike;
* a bool in a **categorical** feature is refused (a
  :class:`~riskkit.ValidationError` naming the feature), in a batch and for a
  single customer alike: ``True`` is neither the level ``"1"`` nor ``"True"``;
  give the level's text. In a numeric feature a bool is 1.0 or 0.0.
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from riskkit.errors import DataTypeError, SchemaError, ValidationError

NUMERIC = "numeric"
CATEGORICAL = "categorical"


@attrs.frozen
class Categories:
    """A categorical column given as codes into levels (pandas ``category`` dtype), read without a copy.

    ``codes`` are integers with -1 for missing; ``levels`` are the level texts.
    """

    codes: np.ndarray
    levels: list[str]

    def __len__(self) -> int:
        return int(self.codes.size)

    def __getitem__(self, row: int) -> str | None:
        code = int(self.codes[row])
        return None if code < 0 else self.levels[code]


@attrs.frozen
class Input:
    """Columns read from X: ``columns[name]`` for every requested name."""

    columns: dict[str, Any]
    n_rows: int
    customer_ids: np.ndarray | None
    names: tuple[str, ...] | None  # the input's own column names, when it had any
    # a float 2-D array given positionally, and the column of each needed feature, for chunked copies
    matrix: tuple[np.ndarray, list[int]] | None = None


def is_dataframe(X: Any) -> bool:
    return type(X).__module__.split(".", 1)[0] == "pandas" and hasattr(X, "columns")


def _is_sparse(X: Any) -> bool:
    return hasattr(X, "toarray") and hasattr(X, "nnz")


def input_names(X: Any) -> tuple[str, ...] | None:
    """The column names X carries (FeatureFrame, DataFrame, mapping), else None."""
    from riskkit._frame import FeatureFrame

    if isinstance(X, FeatureFrame):
        return X.names
    if is_dataframe(X):
        return tuple(str(c) for c in X.columns)
    if isinstance(X, Mapping):
        return tuple(str(k) for k in X)
    return None


def _raw_columns(X: Any, owner: str) -> tuple[dict[str, Any] | list[Any], int, np.ndarray | None]:
    """Split X into raw columns: a dict by name for named inputs, a list for positional ones."""
    from riskkit._frame import FeatureFrame

    if _is_sparse(X):
        raise DataTypeError(
            f"{owner} does not accept sparse input ({type(X).__name__}); pass a dense array or a DataFrame"
        )
    if isinstance(X, FeatureFrame):
        return X.to_dict(), len(X), X.customer_ids
    if is_dataframe(X):
        index = X.index
        ids = None if type(index).__name__ == "RangeIndex" else np.asarray(index, dtype=object)
        return {str(c): X[c] for c in X.columns}, len(X), ids
    if isinstance(X, Mapping):
        single = [str(k) for k, v in X.items() if is_scalar(v) or not hasattr(v, "__len__") or np.ndim(v) == 0]
        if single and len(single) < len(X):
            columns = [str(k) for k in X if str(k) not in single]
            raise ValidationError(
                f"{owner}: X mixes single values ({', '.join(map(repr, single[:5]))}) with columns "
                f"({', '.join(map(repr, columns[:5]))}); give one value per feature (one customer) or "
                "one column per feature",
                field=single[0],
            )
        if single:
            # one value per feature, some of them neither number nor text (a dict ...): one customer whose
            # odd values are refused by the features that read them, as in a one-row batch
            return _raw_columns(as_one_row(X), owner)
        lengths = {str(k): len(v) for k, v in X.items()}
        if len(set(lengths.values())) > 1:
            raise ValidationError(
                "columns have different lengths: " + ", ".join(f"{k}={n}" for k, n in lengths.items())
            )
        return {str(k): v for k, v in X.items()}, next(iter(lengths.values()), 0), None
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise DataTypeError(f"{owner} cannot read X of type {type(X).__name__}: {exc}") from None
    if arr.ndim != 2:
        raise ValidationError(
            f"{owner} expects a 2-D array (rows x features), a FeatureFrame, a DataFrame or a mapping; "
            f"got an array of shape {arr.shape}. Reshape your data either using array.reshape(-1, 1) if it "
            "has a single feature or array.reshape(1, -1) if it contains a single sample."
        )
    return [arr[:, j] for j in range(arr.shape[1])], int(arr.shape[0]), None


def read(
    X: Any,
    *,
    owner: str,
    feature_names: Sequence[str],
    needed: Sequence[str],
    kinds: Mapping[str, str],
    named: bool = True,
    lazy: bool = False,
) -> Input:
    """Read the ``needed`` columns of X, converted by ``kinds``.

    ``feature_names`` are all the names the scorer was fitted with (their
    order is the positional order); ``named`` is False when they were made up
    because the fitting input had no names, in which case named inputs are
    read by position too.
    """
    raw, n_rows, ids = _raw_columns(X, owner)
    columns: dict[str, np.ndarray] = {}
    if isinstance(raw, list) or not named:
        values = list(raw.values()) if isinstance(raw, dict) else raw
        if len(values) != len(feature_names):
            raise ValidationError(
                f"X has {len(values)} features, but {owner} is expecting {len(feature_names)} features as input"
            )
        by_name = dict(zip(feature_names, values, strict=True))
        given_names = None if isinstance(raw, list) else tuple(raw)
    else:
        missing = [n for n in needed if n not in raw]
        if missing:
            unseen = [c for c in raw if c not in feature_names]
            msg = f"{owner}: X is missing the feature(s) {', '.join(map(repr, missing))}. "
            msg += "The feature names should match those that were passed during fit.\n"
            if unseen:
                msg += "Feature names unseen at fit time:\n" + "".join(f"- {c}\n" for c in unseen)
            msg += "Feature names seen at fit time, yet now missing:\n" + "".join(f"- {c}\n" for c in missing)
            raise SchemaError(msg)
        by_name = raw
        given_names = tuple(raw)
    for name in needed:
        columns[name] = convert(by_name[name], kinds[name], name, n_rows, lazy=lazy)
    matrix = None
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype in (np.float64, np.float32):
        position = {n: j for j, n in enumerate(feature_names)}
        matrix = (X, [position[n] for n in needed])
    return Input(columns=columns, n_rows=n_rows, customer_ids=ids, names=given_names, matrix=matrix)


def _to_numpy(col: Any) -> np.ndarray:
    """A 1-D numpy array from a column (pandas nullable dtypes to float or object without coercion)."""
    if hasattr(col, "to_numpy") and not isinstance(col, np.ndarray):
        dtype = getattr(col, "dtype", None)
        kind = getattr(dtype, "kind", "O")
        if type(dtype).__module__.startswith("pandas"):
            if kind in "fiu":
                return np.asarray(col.to_numpy(dtype=np.float64, na_value=np.nan))
            return np.asarray(col.to_numpy(dtype=object, na_value=None))
        return np.asarray(col.to_numpy())
    return np.asarray(col)


def _pandas_categories(col: Any, name: str) -> Categories | None:
    dtype: Any = getattr(col, "dtype", None)
    if getattr(dtype, "name", None) != "category" or not hasattr(col, "cat"):
        return None
    levels = [_category(v, name, -1) for v in dtype.categories]
    if any(v is None for v in levels):
        raise ValidationError(f"feature {name!r}: a categorical dtype with a missing level", field=name)
    return Categories(codes=np.asarray(col.cat.codes.to_numpy()), levels=[str(v) for v in levels])


def convert(col: Any, kind: str, name: str, n_rows: int, *, lazy: bool = False) -> Any:
    """Convert one column to the storage of ``kind``.

    Numeric: float64 or float32 (read as is), other numbers as float64.
    Categorical: an object array of text with None for missing (integers as
    their decimal text, anything else an error). With ``lazy`` (the scoring
    path), pandas ``category`` columns come back as :class:`Categories` and
    object arrays as they are, their values checked only where the lookup of
    a value fails (:func:`category_of`).
    """
    if kind != NUMERIC and lazy:
        cats = _pandas_categories(col, name)
        if cats is not None:
            if len(cats) != n_rows:
                raise ValidationError(f"feature {name!r} must have {n_rows} rows, got {len(cats)}", field=name)
            return cats
    arr = _to_numpy(col)
    if arr.ndim != 1 or arr.shape[0] != n_rows:
        raise ValidationError(f"feature {name!r} must be 1-D with {n_rows} rows, got shape {arr.shape}", field=name)
    if kind == NUMERIC:
        return numeric(arr, name)
    return categorical(arr, name, lazy=lazy)


def numeric(arr: np.ndarray, name: str) -> np.ndarray:
    """float64 or float32 as given (no copy), other real numbers as float64; text and objects refused."""
    if arr.dtype == np.float64 or arr.dtype == np.float32:
        return arr
    if arr.dtype.kind in "fiub":
        return arr.astype(np.float64)
    if arr.dtype.kind == "c":
        raise ValidationError(f"feature {name!r}: Complex data not supported; expected real numbers", field=name)
    if arr.dtype.kind in "US":
        raise ValidationError(
            f"feature {name!r} is numeric but holds text (row 0: {arr[0]!r}); expected numbers", field=name
        )
    if arr.dtype != object:
        raise DataTypeError(f"feature {name!r} has dtype {arr.dtype}; expected numbers")
    out = np.empty(arr.shape[0], dtype=np.float64)
    for i, v in enumerate(arr):
        out[i] = number(v, name, i)
    return out


def is_na(v: Any) -> bool:
    """Whether a single value stands for missing: None, NaN (float, numpy or Decimal), pandas NA or NaT."""
    if v is None:
        return True
    if isinstance(v, float | np.floating):
        return bool(v != v)
    if isinstance(v, decimal.Decimal):
        return v.is_nan()
    return type(v).__name__ in {"NAType", "NaTType"}


def number(v: Any, name: str, row: int | None = None) -> float:
    """One value of a numeric feature as a float: NaN for missing, errors naming the feature (and row).

    ``decimal.Decimal`` is read exactly as ``float(d)`` (the nearest float);
    an integer or a Decimal too large for a float is refused, never made
    infinite; ``None``, NaN, ``pandas.NA`` and ``NaT`` are missing. Text,
    complex numbers and other objects are refused.
    """
    at = f"feature {name!r}" + ("" if row is None else f" row {row}")
    if is_na(v):
        return math.nan
    if isinstance(v, str | bytes):
        raise ValidationError(f"{at}: {v!r} is text; expected a number", field=name, row=row, value=v)
    if isinstance(v, complex | np.complexfloating):
        raise ValidationError(f"{at}: Complex data not supported; expected real numbers", field=name, row=row)
    if isinstance(v, float | np.floating):
        return float(v)
    if isinstance(v, bool | np.bool_ | int | np.integer | decimal.Decimal | numbers.Real):
        try:
            out = float(v)
        except (OverflowError, ValueError, decimal.InvalidOperation):
            out = math.inf if not isinstance(v, decimal.Decimal) or not v.is_nan() else math.nan
        # a finite number that is too large for a float (a huge int or Decimal) is refused, not made infinite
        if math.isinf(out) and not (isinstance(v, decimal.Decimal) and v.is_infinite()):
            raise ValidationError(
                f"{at}: {_short(v)} is too large for a float64 (at most about 1.8e308)",
                field=name,
                row=row,
                value=v,
            )
        return out
    kind = type(v).__name__
    raise DataTypeError(
        f"{at}: a {kind} is not a number; the argument must be a real number (not a string or a {kind}), "
        "or None for missing; expected a number"
    )


def _short(v: Any) -> str:
    """A value for an error message, shortened (an int of 5,000 digits cannot even be printed)."""
    try:
        text = repr(v)
    except ValueError:
        return f"an integer of about {v.bit_length() * 0.30103:.0f} digits"
    return text if len(text) <= 60 else text[:30] + "..." + text[-10:]


def categorical(arr: np.ndarray, name: str, *, lazy: bool = False) -> np.ndarray:
    """Object array of str, None for missing; integers become their decimal text (see :func:`convert`)."""
    if arr.dtype.kind == "U":
        return arr.astype(object)
    if arr.dtype.kind in "iu":
        return np.array([str(int(v)) for v in arr], dtype=object)
    if arr.dtype.kind == "f":
        return np.array([_category(v, name, i) for i, v in enumerate(arr)], dtype=object)
    if arr.dtype.kind == "b":
        if arr.size:
            _category(arr[0].item(), name, 0)  # raises the bool error, as for a single value
        return arr.astype(object)
    if arr.dtype != object:
        raise DataTypeError(f"feature {name!r} has dtype {arr.dtype}; expected text categories")
    if lazy or all(type(v) is str for v in arr):
        return arr
    out = np.empty(arr.shape[0], dtype=object)
    for i, v in enumerate(arr):
        out[i] = _category(v, name, i)
    return out


def category_of(v: Any, name: str, row: int) -> str | None:
    """The category a raw value stands for (see :func:`categorical`); errors name feature and row."""
    return _category(v, name, row)


def _category(v: Any, name: str, row: int) -> str | None:
    """The category of one raw value.

    Text is itself; None, NaN, pandas NA and NaT are missing; a whole number
    (int, numpy integer, integral float or Decimal) is its decimal text. A
    bool is refused in a categorical feature, in a batch and for a single
    customer alike: ``True`` is not the level ``"1"`` nor ``"True"``; write the
    level's text.
    """
    if isinstance(v, str):
        return v
    if is_na(v):
        return None
    if isinstance(v, bool | np.bool_):
        raise ValidationError(
            f"feature {name!r} row {row}: {v!r} is a bool, which a categorical feature does not take; "
            "give the level as text (e.g. '1' or 'True')",
            field=name,
            row=row,
            value=v,
        )
    try:
        if isinstance(v, numbers.Integral):
            return str(int(v))
        if isinstance(v, numbers.Real | decimal.Decimal):
            x = v if isinstance(v, decimal.Decimal) else float(v)
            finite = x.is_finite() if isinstance(x, decimal.Decimal) else math.isfinite(x)
            if finite and x == int(x):
                return str(int(x))
    except (ValueError, OverflowError, decimal.InvalidOperation):  # beyond Python's int-to-text limit
        raise ValidationError(
            f"feature {name!r} row {row}: {_short(v)} is too long a number to be a category",
            field=name,
            row=row,
        ) from None
    raise ValidationError(
        f"feature {name!r} row {row}: {v!r} ({type(v).__name__}) is not a category; expected text or an integer",
        field=name,
        row=row,
        value=v,
    )


def infer_kind(col: Any) -> str:
    """``categorical`` for text columns, ``numeric`` otherwise (used when fitting)."""
    arr = _to_numpy(col)
    if arr.dtype.kind in "US":
        return CATEGORICAL
    if arr.dtype == object:
        sample = [v for v in arr[:1000] if v is not None and not (isinstance(v, float) and v != v)]
        if sample and all(isinstance(v, str) for v in sample):
            return CATEGORICAL
    return NUMERIC


_SCALARS = (str, bytes, numbers.Number, np.generic, type(None), decimal.Decimal)


def is_scalar(v: Any) -> bool:
    """A single value (not a column): text, a number (Decimal too), None, pandas NA or NaT."""
    return isinstance(v, _SCALARS) or type(v).__name__ in {"NAType", "NaTType", "Timestamp", "Timedelta"}


#: The plain values of a one-customer dict, recognised by their exact type before :func:`is_scalar`.
_PLAIN = frozenset({float, int, str, type(None), bool})


def is_single_row(X: Any) -> bool:
    """True for a mapping of feature name to one plain value (a customer scored on its own).

    ``row.to_dict()`` of a pandas row qualifies: its values may be Decimal, ``pd.NA`` or numpy scalars.
    """
    return (
        isinstance(X, Mapping) and bool(X) and all(type(v) in _PLAIN or is_scalar(v) for v in X.values())
    )


def as_one_row(X: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """A customer given as name -> single value, as a one-row mapping of arrays (text and None as objects)."""
    return {
        str(k): np.array([v]) if isinstance(v, bool | int | float | np.generic) and not _huge(v)
        else np.array([v], dtype=object)
        for k, v in X.items()
    }


def _huge(v: Any) -> bool:
    """An int numpy cannot hold as int64 (kept as an object, so the numeric check names it)."""
    return isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**63


def scalar(value: Any, name: str, kind: str) -> Any:
    """Validate one value of a single-row input as a batch reads it.

    Numeric features: a float (see :func:`number`). Categorical features: the
    value as given, once checked to stand for a category (see :func:`category_of`).
    """
    if kind != NUMERIC:
        if type(value) is not str:  # text is a category as it is
            _category(value, name, 0)
        return value
    if type(value) is float and value == value:  # a number as it is (NaN is read as math.nan below)
        return value
    return number(value, name, 0)
