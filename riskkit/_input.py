"""Reading a scorer's input X into named 1-D columns, without importing pandas or scikit-learn.

X may be a :class:`~riskkit.FeatureFrame`, a pandas DataFrame, a mapping of
column name to array, or a 2-D array in the scorer's feature order. Named
inputs are read by name (extra columns are ignored, order does not matter);
positional inputs must have exactly the fitted number of columns.

Numeric columns become float64 (NaN = missing, +/-inf kept); categorical
columns become object arrays of str with ``None`` for missing. Nothing is
coerced silently: text in a numeric column, or a number in a categorical
column that is not an integer, is an error naming the feature and the row.
"""

from __future__ import annotations

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
    from riskkit.frame import FeatureFrame

    if isinstance(X, FeatureFrame):
        return X.names
    if is_dataframe(X):
        return tuple(str(c) for c in X.columns)
    if isinstance(X, Mapping):
        return tuple(str(k) for k in X)
    return None


def _raw_columns(X: Any, owner: str) -> tuple[dict[str, Any] | list[Any], int, np.ndarray | None]:
    """Split X into raw columns: a dict by name for named inputs, a list for positional ones."""
    from riskkit.frame import FeatureFrame

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
        if v is None:
            out[i] = np.nan
        elif isinstance(v, str):
            raise ValidationError(
                f"feature {name!r} row {i}: {v!r} is text; expected a number", field=name, row=i, value=v
            )
        else:
            try:
                out[i] = float(v)
            except TypeError as exc:
                raise DataTypeError(f"feature {name!r} row {i}: {exc}") from None
    return out


def categorical(arr: np.ndarray, name: str, *, lazy: bool = False) -> np.ndarray:
    """Object array of str, None for missing; integers become their decimal text (see :func:`convert`)."""
    if arr.dtype.kind == "U":
        return arr.astype(object)
    if arr.dtype.kind in "iu":
        return np.array([str(int(v)) for v in arr], dtype=object)
    if arr.dtype.kind == "f":
        return np.array([_category(v, name, i) for i, v in enumerate(arr)], dtype=object)
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
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return str(int(v))
    if isinstance(v, numbers.Real) and float(v).is_integer():
        return str(int(float(v)))
    if type(v).__name__ in {"NAType", "NaTType"}:
        return None
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


_SCALARS = (str, bytes, int, float, bool, np.generic, type(None))


def is_single_row(X: Any) -> bool:
    """True for a mapping of feature name to one plain value (a customer scored on its own)."""
    return isinstance(X, Mapping) and bool(X) and all(isinstance(v, _SCALARS) for v in X.values())


def as_one_row(X: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """A customer given as name -> single value, as a one-row mapping of arrays (text and None as objects)."""
    return {
        str(k): np.array([v], dtype=object) if v is None or isinstance(v, str | bytes) else np.array([v])
        for k, v in X.items()
    }


def scalar(value: Any, name: str, kind: str) -> Any:
    """Validate one value of a single-row input: a float for numeric features, raw for categorical ones."""
    if kind != NUMERIC:
        return value
    if value is None:
        return float("nan")
    if isinstance(value, str | bytes):
        raise ValidationError(f"feature {name!r}: {value!r} is text; expected a number", field=name, value=value)
    if isinstance(value, complex | np.complexfloating):
        raise ValidationError(f"feature {name!r}: Complex data not supported; expected real numbers", field=name)
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise DataTypeError(f"feature {name!r}: {exc}") from None
