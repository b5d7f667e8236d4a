"""FeatureFrame: named float64 feature columns, one row per customer.

The matrix is stored column-major (each feature contiguous), read-only, so
scorers read whole columns without copies and nobody changes features behind
a result's back.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from riskkit._checks import readonly
from riskkit.errors import SchemaError, ValidationError

__all__ = ["FeatureFrame"]


class FeatureFrame:
    """Named float64 columns, one row per customer (missing values are NaN).

    Parameters
    ----------
    values : array-like of shape (n_customers, n_features)
        Copied into a read-only column-major float64 matrix.
    names : sequence of str
        Unique column names, one per column of ``values``.
    customer_ids : array-like of str, optional
        Row labels (length ``n_customers``).
    as_of : datetime.date, optional
        The point in time the features describe.

    Examples
    --------
    >>> import numpy as np
    >>> ff = FeatureFrame(np.array([[1.0, 2.0], [3.0, np.nan]]), ["a", "b"], customer_ids=["C1", "C2"])
    >>> ff
    FeatureFrame(2 rows x 2 features: a, b)
    >>> ff["b"]
    array([ 2., nan])
    >>> np.asarray(ff).shape
    (2, 2)
    """

    __slots__ = ("_as_of", "_customer_ids", "_index", "_names", "_values")

    def __init__(
        self,
        values: npt.ArrayLike,
        names: Sequence[str],
        *,
        customer_ids: npt.ArrayLike | None = None,
        as_of: _dt.date | None = None,
    ) -> None:
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim != 2:
            raise ValidationError(f"FeatureFrame values must be 2-D, got shape {arr.shape}", field="values")
        names = tuple(names)
        if not all(isinstance(n, str) for n in names):
            raise ValidationError("FeatureFrame names must be strings", field="names", value=names)
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise ValidationError(f"FeatureFrame names must be unique; repeated: {dupes}", field="names")
        if arr.shape[1] != len(names):
            raise ValidationError(
                f"FeatureFrame has {arr.shape[1]} columns but {len(names)} names", field="names"
            )
        arr = readonly(np.array(arr, dtype=np.float64, order="F", copy=True))
        ids = None
        if customer_ids is not None:
            ids = np.array(customer_ids, dtype=object)
            if ids.shape != (arr.shape[0],):
                raise ValidationError(
                    f"customer_ids has shape {ids.shape}, expected ({arr.shape[0]},)", field="customer_ids"
                )
            ids = readonly(ids)
        self._values = arr
        self._names = names
        self._index = {n: j for j, n in enumerate(names)}
        self._customer_ids = ids
        self._as_of = as_of

    @classmethod
    def _adopt(
        cls,
        values: np.ndarray,
        names: tuple[str, ...],
        *,
        customer_ids: np.ndarray | None = None,
        as_of: _dt.date | None = None,
    ) -> FeatureFrame:
        """Wrap a column-major float64 matrix this module's caller built and hands over (no copy).

        For riskkit's own computations, whose names are known to be unique
        strings: a million customers' features are not copied once more.
        """
        if values.dtype != np.float64 or values.ndim != 2 or not values.flags.f_contiguous:
            return cls(values, names, customer_ids=customer_ids, as_of=as_of)
        if values.shape[1] != len(names) or (customer_ids is not None and customer_ids.shape != (values.shape[0],)):
            return cls(values, names, customer_ids=customer_ids, as_of=as_of)
        self = object.__new__(cls)
        self._values = readonly(values)
        self._names = tuple(names)
        self._index = {n: j for j, n in enumerate(self._names)}
        ids = None
        if customer_ids is not None:
            ids = customer_ids if customer_ids.dtype == object and not customer_ids.flags.writeable else (
                readonly(np.array(customer_ids, dtype=object)))
        self._customer_ids = ids
        self._as_of = as_of
        return self

    @classmethod
    def from_mapping(
        cls,
        columns: Mapping[str, npt.ArrayLike],
        *,
        customer_ids: npt.ArrayLike | None = None,
        as_of: _dt.date | None = None,
    ) -> FeatureFrame:
        """Build from a mapping of name to 1-D numeric array (all the same length).

        Examples
        --------
        >>> FeatureFrame.from_mapping({"x": [1, 2, 3]}).names
        ('x',)
        """
        names = list(columns)
        cols = []
        for name in names:
            col = np.asarray(columns[name])
            if col.ndim != 1:
                raise ValidationError(f"column {name!r} must be 1-D, got shape {col.shape}", field=name)
            if col.dtype.kind not in "fiub":
                raise ValidationError(
                    f"column {name!r} has dtype {col.dtype}; FeatureFrame holds numbers only", field=name
                )
            cols.append(col.astype(np.float64, copy=False))
        lengths = {c.size for c in cols}
        if len(lengths) > 1:
            raise ValidationError(
                "columns have different lengths: " + ", ".join(f"{n}={c.size}" for n, c in zip(names, cols, strict=True))
            )
        n = lengths.pop() if lengths else 0
        values = np.empty((n, len(names)), dtype=np.float64, order="F")
        for j, col in enumerate(cols):
            values[:, j] = col
        return cls(values, names, customer_ids=customer_ids, as_of=as_of)

    # --- accessors -----------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, in column order."""
        return self._names

    @property
    def customer_ids(self) -> np.ndarray | None:
        """Row labels, or None."""
        return self._customer_ids

    @property
    def as_of(self) -> _dt.date | None:
        """The point in time the features describe, or None."""
        return self._as_of

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_customers, n_features)``."""
        return (int(self._values.shape[0]), int(self._values.shape[1]))

    def __len__(self) -> int:
        return self.shape[0]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def column_index(self, name: str) -> int:
        """Position of column ``name``; an unknown name raises naming the available ones."""
        try:
            return self._index[name]
        except KeyError:
            raise SchemaError(
                f"no feature {name!r}; available: {', '.join(self._names)}"
            ) from None

    @overload
    def __getitem__(self, key: str) -> np.ndarray: ...
    @overload
    def __getitem__(self, key: list[str] | tuple[str, ...]) -> FeatureFrame: ...

    def __getitem__(self, key: str | list[str] | tuple[str, ...]) -> np.ndarray | FeatureFrame:
        if isinstance(key, str):
            return self._values[:, self.column_index(key)]
        return self.select(key)

    def select(self, names: Iterable[str]) -> FeatureFrame:
        """A FeatureFrame with only ``names``, in that order."""
        names = list(names)
        idx = [self.column_index(n) for n in names]
        return FeatureFrame(self._values[:, idx], names, customer_ids=self._customer_ids, as_of=self._as_of)

    def to_numpy(self, copy: bool = False) -> np.ndarray:
        """The ``(n_customers, n_features)`` matrix (read-only unless ``copy``)."""
        return self._values.copy(order="F") if copy else self._values

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if copy is False and dtype is not None and np.dtype(dtype) != self._values.dtype:
            raise ValueError("cannot convert FeatureFrame without a copy")
        out = self._values if dtype is None else self._values.astype(dtype, copy=False)
        return out.copy(order="F") if copy else out

    def to_dict(self) -> dict[str, np.ndarray]:
        """Column name -> 1-D array (views, no copy)."""
        return {n: self._values[:, j] for j, n in enumerate(self._names)}

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by customer id (needs pandas)."""
        import pandas as pd

        index = pd.Index(self._customer_ids, name="customer_id") if self._customer_ids is not None else None
        return pd.DataFrame(self._values.copy(), columns=list(self._names), index=index)

    # --- display -------------------------------------------------------------

    def __repr__(self) -> str:
        n, k = self.shape
        shown = ", ".join(self._names[:8]) + (", ..." if k > 8 else "")
        return f"FeatureFrame({n} rows x {k} features: {shown})"

    def _repr_html_(self, max_rows: int = 10) -> str:
        from riskkit._display import FEATURE_UNITS, html_table
        from riskkit.features import catalogue

        n, k = self.shape
        ids = self._customer_ids if self._customer_ids is not None else np.arange(n)
        rows = [[ids[i], *self._values[i].tolist()] for i in range(min(n, max_rows))]
        footer = f"{n} rows x {k} features" + (f", as of {self._as_of}" if self._as_of else "")
        units = {f.name: FEATURE_UNITS[f.unit] for f in catalogue() if f.unit in FEATURE_UNITS}
        money = [f.name for f in catalogue() if f.unit == "money"]
        return html_table(
            ["customer_id", *self._names], rows, caption="riskkit.FeatureFrame", footer=footer, units=units, fixed=money
        )
