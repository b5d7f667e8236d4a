"""Receivables metrics over whole columns: days past due, aging, DSO, payment index.

The conventions are those of the domain reference (``docs/domain.md``, *Receivables metrics*):

* days past due (dpd) = ``as_of - due_date`` in days; an invoice is overdue
  when ``dpd > 0``;
* aging buckets default to current (dpd <= 0), 1-30, 31-60, 61-90 and 91+ and
  never overlap;
* DSO / best-possible DSO / ADD / CEI use period-end balances and the full
  period's credit sales;
* the payment index is a PAYDEX-style 1-100 scale (not Dun & Bradstreet's
  proprietary score).

Grouped reductions
------------------
Functions taking ``groups`` reduce per integer group code in
``[0, n_groups)`` in one vectorized pass and return an array with a leading
axis of length ``n_groups``. ``n_groups`` defaults to ``groups.max() + 1``;
pass it explicitly so that groups with no rows still get a slot (an empty
group gets 0 for sums and NaN for means). With ``groups=None`` the reduction
runs over all rows and the leading axis is dropped: amount-weighted means come
back as a 0-d float64 array (``result.shape == ()``; use ``float(result)``) and
:func:`aging` as a 1-d array of bucket amounts.

Elementwise metrics (:func:`dso` and friends) broadcast their arguments and
return NaN wherever a denominator is 0 or an input is NaN.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from riskkit._numeric import FloatArray, IntArray, group_sum, safe_divide
from riskkit.errors import ValidationError

__all__ = [
    "AGING_EDGES",
    "AGING_LABELS",
    "PAYMENT_INDEX_POINTS",
    "aging",
    "average_days_delinquent",
    "best_possible_dso",
    "collection_effectiveness_index",
    "days_beyond_terms",
    "days_past_due",
    "dso",
    "payment_index",
    "payment_index_band",
    "payment_points",
    "weighted_average_days_late",
]

AGING_EDGES: tuple[int, ...] = (0, 30, 60, 90)
"""Default upper bucket edges in days past due (inclusive): ``dpd <= 0``, ``<= 30``, ..."""

AGING_LABELS: tuple[str, ...] = ("current", "1_30", "31_60", "61_90", "91_plus")
"""Column labels of :func:`aging` with the default :data:`AGING_EDGES`."""

PAYMENT_INDEX_POINTS: tuple[tuple[int, int], ...] = (
    (-30, 100),
    (-20, 90),
    (0, 80),
    (15, 70),
    (22, 60),
    (30, 50),
    (60, 40),
    (90, 30),
    (120, 20),
    (180, 1),
)
"""Key points ``(days beyond terms, points)`` of :func:`payment_points`; negative days are early."""

_PI_DAYS = np.array([d for d, _ in PAYMENT_INDEX_POINTS], dtype=np.float64)
_PI_POINTS = np.array([p for _, p in PAYMENT_INDEX_POINTS], dtype=np.float64)


# --------------------------------------------------------------------------- validation


def _column(name: str, x: npt.ArrayLike) -> FloatArray:
    """``x`` as a 1-d float64 column (a scalar becomes one row)."""
    try:
        a = np.atleast_1d(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{name} must be numeric; got {type(x).__name__}: {exc}", field=name
        ) from None
    if a.ndim != 1:
        raise ValidationError(f"{name} must be 1-d; got shape {a.shape}", field=name)
    return a


def _first_bad(name: str, a: FloatArray, bad: npt.NDArray[np.bool_], what: str) -> None:
    """Raise naming the first row flagged in ``bad`` (only called after ``bad.any()``)."""
    row = int(np.flatnonzero(bad)[0])
    value = float(a[row])
    raise ValidationError(
        f"{name} must be {what}; row {row} holds {value!r}", row=row, field=name, value=value
    )


def _amounts(name: str, x: npt.ArrayLike) -> FloatArray:
    """A column of money amounts: finite and >= 0."""
    a = _column(name, x)
    finite = np.isfinite(a)
    if not finite.all():
        _first_bad(name, a, ~finite, "finite (no NaN or inf)")
    negative = a < 0
    if negative.any():
        _first_bad(name, a, negative, ">= 0")
    return a


def _days(name: str, x: npt.ArrayLike) -> FloatArray:
    """A column of day counts of either sign: finite."""
    a = _column(name, x)
    finite = np.isfinite(a)
    if not finite.all():
        _first_bad(name, a, ~finite, "finite (no NaN or inf)")
    return a


def _same_length(**columns: npt.NDArray[np.generic]) -> int:
    lengths = {name: len(c) for name, c in columns.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise ValidationError(f"arguments must have the same length; got {shown}")
    return next(iter(lengths.values()))


def _group_codes(
    groups: npt.ArrayLike | None, n_groups: int | None, n: int
) -> tuple[IntArray, int]:
    """Validated group codes and group count; ``groups=None`` puts every row in group 0."""
    if groups is None:
        if n_groups is not None:
            raise ValidationError("n_groups is given but groups is None", field="n_groups")
        return np.zeros(n, dtype=np.int64), 1
    g = np.atleast_1d(np.asarray(groups))
    if g.size == 0 and g.dtype.kind == "f":  # np.asarray([]) is float64
        g = g.astype(np.int64)
    if g.ndim != 1 or g.dtype.kind not in "iu":
        raise ValidationError(
            f"groups must be a 1-d array of integer codes; got dtype {g.dtype}, shape {g.shape}",
            field="groups",
        )
    if len(g) != n:
        raise ValidationError(
            f"groups must have one code per row; got {len(g)} codes for {n} rows", field="groups"
        )
    if n_groups is None:
        n_groups = int(g.max()) + 1 if n else 0
    elif isinstance(n_groups, bool) or not isinstance(n_groups, (int, np.integer)) or n_groups < 0:
        raise ValidationError(
            f"n_groups must be an int >= 0; got {n_groups!r}", field="n_groups", value=n_groups
        )
    n_groups = int(n_groups)
    if n:
        out_of_range = (g < 0) | (g >= n_groups)
        if out_of_range.any():
            row = int(np.flatnonzero(out_of_range)[0])
            raise ValidationError(
                f"group codes must lie in [0, {n_groups}); row {row} holds {int(g[row])}",
                row=row,
                field="groups",
                value=int(g[row]),
            )
    return g.astype(np.int64, copy=False), n_groups


def _weighted_mean(
    values: FloatArray,
    weights: FloatArray,
    groups: npt.ArrayLike | None,
    n_groups: int | None,
) -> FloatArray:
    """Weighted mean per group (NaN where the weights sum to 0), 0-d without groups."""
    codes, k = _group_codes(groups, n_groups, len(weights))
    out = safe_divide(group_sum(values * weights, codes, k), group_sum(weights, codes, k))
    return out.reshape(()) if groups is None else out


def _check_edges(edges: Sequence[int] | npt.ArrayLike) -> IntArray:
    e = np.asarray(edges)
    ok = e.ndim == 1 and e.size > 0 and e.dtype.kind in "iuf"
    if ok:
        ef = e.astype(np.float64)
        ok = bool(
            np.isfinite(ef).all()
            and (ef == np.round(ef)).all()
            and (ef >= 0).all()
            and (np.diff(ef) > 0).all()
        )
    if not ok:
        raise ValidationError(
            "edges must be a non-empty, strictly increasing sequence of integers >= 0, "
            f"e.g. (0, 30, 60, 90); got {edges!r}",
            field="edges",
            value=edges,
        )
    return e.astype(np.int64)


# --------------------------------------------------------------------------- days and aging


def days_past_due(
    due: npt.ArrayLike, as_of: np.datetime64 | _dt.date | str
) -> npt.NDArray[np.int64]:
    """Days past due of each invoice at ``as_of``: ``as_of - due`` in whole days.

    Parameters
    ----------
    due : array-like of datetime64[D]
        Due dates (anything ``np.asarray(..., dtype="datetime64[D]")`` accepts:
        ``datetime64``, ``datetime.date`` objects or ISO strings). ``NaT`` is not
        allowed.
    as_of : numpy.datetime64, datetime.date or ISO string
        The evaluation date (a ``datetime`` is truncated to its day).

    Returns
    -------
    numpy.ndarray of int64
        Same shape as ``due``; positive means overdue, 0 means due today,
        negative means not yet due.

    Raises
    ------
    ValidationError
        If ``due`` holds ``NaT`` or unparseable dates, or ``as_of`` is not one date.

    Examples
    --------
    >>> import numpy as np
    >>> due = np.array(["2024-03-01", "2024-03-31", "2024-04-15"], dtype="datetime64[D]")
    >>> days_past_due(due, np.datetime64("2024-03-31"))
    array([ 30,   0, -15])
    """
    try:
        d = np.asarray(due, dtype="datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"due must hold dates; {exc}", field="due") from None
    try:
        ref = np.asarray(as_of, dtype="datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"as_of must be one date; {exc}", field="as_of", value=as_of
        ) from None
    if ref.ndim != 0 or np.isnat(ref):
        raise ValidationError(f"as_of must be one date; got {as_of!r}", field="as_of", value=as_of)
    nat = np.isnat(d)
    if nat.any():
        row = int(np.flatnonzero(nat.ravel())[0])
        raise ValidationError(f"due must not be NaT; row {row} is NaT", row=row, field="due")
    return (ref - d).astype(np.int64)


def aging(
    open_amount: npt.ArrayLike,
    days_past_due: npt.ArrayLike,
    groups: npt.ArrayLike | None = None,
    n_groups: int | None = None,
    edges: Sequence[int] | npt.ArrayLike = AGING_EDGES,
) -> FloatArray:
    """Open amounts per aging bucket, optionally per group.

    With edges ``e0 < e1 < ... < e(m-1)`` there are ``m + 1`` buckets:
    ``dpd <= e0``, ``e0 < dpd <= e1``, ..., ``dpd > e(m-1)``. The default
    edges ``(0, 30, 60, 90)`` give current (dpd <= 0), 1-30, 31-60, 61-90 and
    91+ (:data:`AGING_LABELS`). Every row falls in exactly one bucket, so the
    buckets sum to the total open amount.

    Parameters
    ----------
    open_amount : array-like of float, shape (n,)
        Open (unpaid) amount of each invoice; finite and >= 0.
    days_past_due : array-like, shape (n,)
        Days past due of each invoice (see :func:`days_past_due`); finite.
    groups : array-like of int, shape (n,), optional
        Group code of each row (e.g. customer code) in ``[0, n_groups)``.
    n_groups : int, optional
        Number of groups; defaults to ``groups.max() + 1``.
    edges : sequence of int, default :data:`AGING_EDGES`
        Strictly increasing non-negative upper bucket edges (inclusive).

    Returns
    -------
    numpy.ndarray of float64
        Shape ``(n_groups, len(edges) + 1)`` with groups, ``(len(edges) + 1,)``
        without. Empty groups and buckets hold 0.

    Raises
    ------
    ValidationError
        If an amount is negative or not finite, a dpd is not finite, lengths
        differ, a group code is out of range, or ``edges`` is not a strictly
        increasing sequence of non-negative integers.

    Examples
    --------
    >>> aging([100.0, 50.0, 20.0, 5.0], [-3, 30, 31, 120])
    array([100.,  50.,  20.,   0.,   5.])
    >>> aging([100.0, 50.0, 20.0], [0, 45, 1], groups=[0, 1, 1], n_groups=3)
    array([[100.,   0.,   0.,   0.,   0.],
           [  0.,  20.,  50.,   0.,   0.],
           [  0.,   0.,   0.,   0.,   0.]])
    """
    amount = _amounts("open_amount", open_amount)
    dpd = _days("days_past_due", days_past_due)
    e = _check_edges(edges)
    n = _same_length(open_amount=amount, days_past_due=dpd)
    codes, k = _group_codes(groups, n_groups, n)
    n_buckets = len(e) + 1
    # side="left" counts the edges strictly below dpd, so an edge value itself
    # belongs to the bucket it closes (dpd == 30 is in 1-30, not 31-60).
    bucket = np.searchsorted(e, dpd, side="left")
    flat = np.bincount(codes * n_buckets + bucket, weights=amount, minlength=k * n_buckets)
    out: FloatArray = flat[: k * n_buckets].astype(np.float64, copy=False).reshape(k, n_buckets)
    return out[0] if groups is None else out


# --------------------------------------------------------------------------- period metrics


def _result(x: npt.ArrayLike) -> FloatArray:
    # ufuncs turn 0-d inputs into numpy scalars; keep the documented array type.
    return np.asarray(x, dtype=np.float64)


def dso(ar: npt.ArrayLike, credit_sales: npt.ArrayLike, days: npt.ArrayLike) -> FloatArray:
    """Days sales outstanding: ``ar / credit_sales * days``.

    Parameters
    ----------
    ar : array-like of float
        Accounts receivable at the period end.
    credit_sales : array-like of float
        Credit sales over the period.
    days : array-like of float
        Length of the period in days.

    Returns
    -------
    numpy.ndarray of float64
        Broadcast shape of the inputs (0-d for scalars); NaN where
        ``credit_sales`` is 0 or any input is NaN.

    Examples
    --------
    >>> print(float(dso(15_000, 10_000, 30)))
    45.0
    """
    return _result(safe_divide(_broadcast_product(ar, days), credit_sales))


def best_possible_dso(
    current_ar: npt.ArrayLike, credit_sales: npt.ArrayLike, days: npt.ArrayLike
) -> FloatArray:
    """Best-possible DSO: ``current_ar / credit_sales * days``.

    ``current_ar`` is the receivable not yet due at the period end, so this is
    the DSO the firm would have if every customer paid exactly on terms.

    Parameters
    ----------
    current_ar : array-like of float
        Current (not yet due) accounts receivable at the period end.
    credit_sales : array-like of float
        Credit sales over the period.
    days : array-like of float
        Length of the period in days.

    Returns
    -------
    numpy.ndarray of float64
        NaN where ``credit_sales`` is 0 or any input is NaN.

    Examples
    --------
    >>> print(float(best_possible_dso(4_000, 10_000, 30)))
    12.0
    """
    return _result(safe_divide(_broadcast_product(current_ar, days), credit_sales))


def average_days_delinquent(
    ar: npt.ArrayLike,
    current_ar: npt.ArrayLike,
    credit_sales: npt.ArrayLike,
    days: npt.ArrayLike,
) -> FloatArray:
    """Average days delinquent: ``dso - best_possible_dso``.

    Parameters
    ----------
    ar : array-like of float
        Accounts receivable at the period end.
    current_ar : array-like of float
        The part of ``ar`` not yet due.
    credit_sales : array-like of float
        Credit sales over the period.
    days : array-like of float
        Length of the period in days.

    Returns
    -------
    numpy.ndarray of float64
        NaN where ``credit_sales`` is 0 or any input is NaN.

    Examples
    --------
    >>> print(float(average_days_delinquent(15_000, 4_000, 10_000, 30)))
    33.0
    """
    return _result(dso(ar, credit_sales, days) - best_possible_dso(current_ar, credit_sales, days))


def collection_effectiveness_index(
    ar_begin: npt.ArrayLike,
    credit_sales: npt.ArrayLike,
    ar_end: npt.ArrayLike,
    current_ar_end: npt.ArrayLike,
) -> FloatArray:
    """Collection effectiveness index in percent.

    ``(ar_begin + credit_sales - ar_end) / (ar_begin + credit_sales - current_ar_end) * 100``,
    with the full period's credit sales (not divided by the number of months).
    100 means everything collectable was collected.

    Parameters
    ----------
    ar_begin : array-like of float
        Accounts receivable at the period start.
    credit_sales : array-like of float
        Credit sales over the whole period.
    ar_end : array-like of float
        Accounts receivable at the period end.
    current_ar_end : array-like of float
        Current (not yet due) receivable at the period end.

    Returns
    -------
    numpy.ndarray of float64
        NaN where the denominator is 0 (up to the rounding of the amounts
        that cancel in it) or any input is NaN.

    Examples
    --------
    >>> # (12,000 + 10,000 - 15,000) / (12,000 + 10,000 - 4,000) * 100 = 7,000 / 18,000 * 100
    >>> print(round(float(collection_effectiveness_index(12_000, 10_000, 15_000, 4_000)), 4))
    38.8889
    """
    a0 = np.asarray(ar_begin, dtype=np.float64)
    s = np.asarray(credit_sales, dtype=np.float64)
    current = np.asarray(current_ar_end, dtype=np.float64)
    collectable = a0 + s
    collected = collectable - np.asarray(ar_end, dtype=np.float64)
    denominator = collectable - current
    # a denominator that is only the rounding left over from cancelling amounts is 0, not a tiny number
    scale = np.abs(a0) + np.abs(s) + np.abs(current)
    denominator = np.where(np.abs(denominator) <= 1e-9 * scale, 0.0, denominator)
    return _result(safe_divide(collected * 100.0, denominator))


def _broadcast_product(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    try:
        return np.multiply(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    except ValueError as exc:  # shapes that do not broadcast
        raise ValidationError(f"arguments do not broadcast together: {exc}") from None


# --------------------------------------------------------------------------- lateness


def weighted_average_days_late(
    amount: npt.ArrayLike,
    days_late: npt.ArrayLike,
    groups: npt.ArrayLike | None = None,
    n_groups: int | None = None,
) -> FloatArray:
    """Weighted average days late (WADL) of paid invoices.

    ``sum(amount * max(0, days_late)) / sum(amount)``: early and on-time
    payments count as 0 days late but keep their weight.

    Parameters
    ----------
    amount : array-like of float, shape (n,)
        Paid amount of each invoice; finite and >= 0.
    days_late : array-like of float, shape (n,)
        ``paid - due`` in days for each invoice; finite.
    groups : array-like of int, shape (n,), optional
        Group code of each row in ``[0, n_groups)``.
    n_groups : int, optional
        Number of groups; defaults to ``groups.max() + 1``.

    Returns
    -------
    numpy.ndarray of float64
        Shape ``(n_groups,)`` with groups, 0-d without. NaN where the amounts
        sum to 0 (no rows, or only zero amounts).

    Raises
    ------
    ValidationError
        If an amount is negative or not finite, a day count is not finite,
        lengths differ or a group code is out of range.

    Examples
    --------
    >>> # (100 * 10 + 300 * 0) / (100 + 300) = 2.5
    >>> print(float(weighted_average_days_late([100.0, 300.0], [10, -5])))
    2.5
    >>> weighted_average_days_late([100.0, 300.0, 50.0], [10, 20, 3], groups=[1, 1, 0], n_groups=3)
    array([ 3. , 17.5,  nan])
    """
    w = _amounts("amount", amount)
    late = _days("days_late", days_late)
    _same_length(amount=w, days_late=late)
    return _weighted_mean(np.maximum(late, 0.0), w, groups, n_groups)


def days_beyond_terms(
    open_amount: npt.ArrayLike,
    days_past_due: npt.ArrayLike,
    groups: npt.ArrayLike | None = None,
    n_groups: int | None = None,
) -> FloatArray:
    """Days beyond terms (DBT): amount-weighted dpd of the open overdue invoices.

    Only rows with ``days_past_due > 0`` count, weighted by open amount.
    A group with no overdue open amount (no rows, nothing overdue, or only
    zero amounts overdue) gets NaN, not 0, so that "no overdue items" stays
    distinguishable from an average; use ``np.nan_to_num(result)`` to read it
    as 0 days.

    Parameters
    ----------
    open_amount : array-like of float, shape (n,)
        Open amount of each invoice; finite and >= 0.
    days_past_due : array-like, shape (n,)
        Days past due of each invoice at ``as_of``; finite.
    groups : array-like of int, shape (n,), optional
        Group code of each row in ``[0, n_groups)``.
    n_groups : int, optional
        Number of groups; defaults to ``groups.max() + 1``.

    Returns
    -------
    numpy.ndarray of float64
        Shape ``(n_groups,)`` with groups, 0-d without.

    Raises
    ------
    ValidationError
        If an amount is negative or not finite, a dpd is not finite, lengths
        differ or a group code is out of range.

    Examples
    --------
    >>> # the not-yet-due 500 is ignored: (100 * 10 + 300 * 30) / (100 + 300) = 25
    >>> print(float(days_beyond_terms([100.0, 300.0, 500.0], [10, 30, -4])))
    25.0
    >>> days_beyond_terms([100.0, 500.0], [10, 0], groups=[0, 1])
    array([10., nan])
    """
    amount = _amounts("open_amount", open_amount)
    dpd = _days("days_past_due", days_past_due)
    _same_length(open_amount=amount, days_past_due=dpd)
    overdue_amount = np.where(dpd > 0, amount, 0.0)
    return _weighted_mean(dpd, overdue_amount, groups, n_groups)


# --------------------------------------------------------------------------- payment index


def payment_points(days_beyond_terms: npt.ArrayLike) -> FloatArray:
    """Payment-index points (1-100) of each payment's days beyond terms.

    Piecewise-linear interpolation through :data:`PAYMENT_INDEX_POINTS`
    (30 days early -> 100, on time -> 80, 30 days late -> 50, 180+ days late
    -> 1), clamped outside: 30 or more days early scores 100, 180 or more days
    late scores 1. Non-increasing in days.

    Parameters
    ----------
    days_beyond_terms : array-like of float
        ``paid - due`` in days; negative means paid early.

    Returns
    -------
    numpy.ndarray of float64
        Same shape as the input; NaN where the input is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> # 10 days late lies 10/15 of the way from 80 (on time) to 70 (15 late): 73.33
    >>> print(np.round(payment_points([-45, -30, 0, 10, 30, 45, 200]), 2))
    [100.   100.    80.    73.33  50.    45.     1.  ]
    """
    d = np.asarray(days_beyond_terms, dtype=np.float64)
    return _result(np.interp(d, _PI_DAYS, _PI_POINTS))


def payment_index(
    amount: npt.ArrayLike,
    days_beyond_terms: npt.ArrayLike,
    groups: npt.ArrayLike | None = None,
    n_groups: int | None = None,
) -> FloatArray:
    """Payment index (1-100, PAYDEX-style): amount-weighted mean of :func:`payment_points`.

    This is riskkit's own transparent scale built from the public key points,
    not Dun & Bradstreet's proprietary PAYDEX score.

    Parameters
    ----------
    amount : array-like of float, shape (n,)
        Paid amount of each invoice; finite and >= 0.
    days_beyond_terms : array-like of float, shape (n,)
        ``paid - due`` in days for each invoice; finite.
    groups : array-like of int, shape (n,), optional
        Group code of each row in ``[0, n_groups)``.
    n_groups : int, optional
        Number of groups; defaults to ``groups.max() + 1``.

    Returns
    -------
    numpy.ndarray of float64
        Shape ``(n_groups,)`` with groups, 0-d without; within [1, 100]. NaN
        where the amounts sum to 0.

    Raises
    ------
    ValidationError
        If an amount is negative or not finite, a day count is not finite,
        lengths differ or a group code is out of range.

    Examples
    --------
    >>> # points 80 (on time) and 50 (30 late): (300 * 80 + 100 * 50) / 400 = 72.5
    >>> print(float(payment_index([300.0, 100.0], [0, 30])))
    72.5
    >>> payment_index([300.0, 100.0], [0, 30], groups=[0, 2], n_groups=3)
    array([80., nan, 50.])
    """
    w = _amounts("amount", amount)
    d = _days("days_beyond_terms", days_beyond_terms)
    _same_length(amount=w, days_beyond_terms=d)
    return _weighted_mean(np.interp(d, _PI_DAYS, _PI_POINTS), w, groups, n_groups)


def payment_index_band(index: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Risk band of a payment index.

    ``"low"`` for ``index >= 80``, ``"medium"`` for ``50 <= index < 80``,
    ``"high"`` for ``index < 50`` and ``""`` for NaN.

    Parameters
    ----------
    index : array-like of float
        Payment index values (see :func:`payment_index`).

    Returns
    -------
    numpy.ndarray of str
        Same shape as the input.

    Examples
    --------
    >>> payment_index_band([95.0, 80.0, 79.99, 50.0, 49.9, float("nan")])
    array(['low', 'low', 'medium', 'medium', 'high', ''], dtype='<U6')
    """
    x = np.asarray(index, dtype=np.float64)
    band = np.where(x >= 80.0, "low", np.where(x >= 50.0, "medium", "high"))
    return np.where(np.isnan(x), "", band).astype("<U6")
