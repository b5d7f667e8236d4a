"""Small vectorized helpers shared by the feature computations.

Group-bys take integer group codes in ``[0, n_groups)`` and reduce with
``np.bincount`` or ``ufunc.at``, so they cost one pass over the data whatever
the number of groups.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def as_float(x: npt.ArrayLike) -> FloatArray:
    """Return ``x`` as a float64 array (no copy when it already is one)."""
    return np.asarray(x, dtype=np.float64)


def safe_divide(num: npt.ArrayLike, den: npt.ArrayLike) -> FloatArray:
    """Elementwise ``num / den`` with NaN wherever ``den`` is 0 or either side is NaN."""
    n = as_float(num)
    d = as_float(den)
    out = np.full(np.broadcast(n, d).shape, np.nan)
    np.divide(n, d, out=out, where=d != 0)
    return out


def group_sum(values: npt.ArrayLike, groups: IntArray, n_groups: int) -> FloatArray:
    """Sum ``values`` per group code; groups with no rows get 0."""
    return np.bincount(groups, weights=as_float(values), minlength=n_groups)[:n_groups].astype(np.float64, copy=False)


def group_count(groups: IntArray, n_groups: int) -> IntArray:
    """Number of rows per group code."""
    return np.bincount(groups, minlength=n_groups)[:n_groups].astype(np.int64)


def group_max(values: npt.ArrayLike, groups: IntArray, n_groups: int, empty: float = np.nan) -> FloatArray:
    """Maximum of ``values`` per group code; groups with no rows get ``empty``."""
    v = as_float(values)
    out = np.full(n_groups, -np.inf)
    np.maximum.at(out, groups, v)
    out[group_count(groups, n_groups) == 0] = empty
    return out


def group_weighted_mean(
    values: npt.ArrayLike, weights: npt.ArrayLike, groups: IntArray, n_groups: int
) -> FloatArray:
    """Weighted mean per group; NaN for groups whose weights sum to 0."""
    w = as_float(weights)
    return safe_divide(group_sum(as_float(values) * w, groups, n_groups), group_sum(w, groups, n_groups))


def factorize(values: npt.ArrayLike) -> tuple[list[object], IntArray]:
    """The distinct values, in order of first appearance, and each value's position among them.

    One hash lookup per value and no sort, no text copy: for labels (debtor
    types, grades) repeated over a million rows, where ``np.unique`` on text
    would copy every label into a fixed-width array and sort it.

    Examples
    --------
    >>> distinct, codes = factorize(np.array(["b", "a", "b", ""], dtype=object))
    >>> distinct, codes.tolist()
    (['b', 'a', ''], [0, 1, 0, 2])
    """
    keys = np.asarray(values).reshape(-1).tolist()
    position = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    codes = np.fromiter(map(position.__getitem__, keys), dtype=np.int64, count=len(keys))
    return list(position), codes
