"""Point in time: the one reading of an ``as_of`` date, and the state of a book at a date.

Everything riskkit computes "as of" a date sees only what was known by that
date (docs/domain.md, "Point in time"): invoices issued by it, payments
received by it, statements published by it. These primitives are shared by
the features, the signals, the policy and the dunning worklist; they take a
:class:`~riskkit.Portfolio` and a ``numpy.datetime64[D]`` date.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from riskkit import _ledger
from riskkit._convert import DATE_FORMS, FIRST_DAY, LAST_DAY, OUT_OF_RANGE, _Reject, is_missing, show, to_date
from riskkit.errors import ValidationError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = [
    "as_of_date",
    "as_of_dates",
    "as_of_day",
    "known_statements",
    "latest_statements",
    "open_at",
    "statement_column",
    "window",
]


def as_of_day(value: Any, field: str = "as_of") -> np.datetime64:
    """``value`` as a ``numpy.datetime64[D]`` day: the one reading of a date argument.

    Accepted: a :class:`datetime.date`, a :class:`datetime.datetime` at
    midnight without a time zone, a ``numpy.datetime64`` of a day (or finer,
    at midnight), or ``'YYYY-MM-DD'`` text; years 1 to 9999.

    Parameters
    ----------
    value : date-like
        The date.
    field : str, default "as_of"
        The argument's name, for the error message.

    Returns
    -------
    numpy.datetime64

    Raises
    ------
    ValidationError
        Anything else, naming ``field`` and the accepted forms.

    Examples
    --------
    >>> as_of_day("2025-03-31")
    np.datetime64('2025-03-31')
    >>> as_of_day("31.03.2025", field="as_of")
    Traceback (most recent call last):
    riskkit.errors.ValidationError: as_of ('31.03.2025') is not a valid date; expected a date (datetime.date, numpy.datetime64 or 'YYYY-MM-DD')
    """
    try:
        return to_date(value)
    except _Reject as exc:
        raise ValidationError(f"{field} ({show(value)}) {exc}", field=field, value=value) from None


def as_of_date(value: Any, field: str = "as_of") -> _dt.date:
    """``value`` as a :class:`datetime.date`; accepted forms and errors as in :func:`as_of_day`.

    Examples
    --------
    >>> as_of_date(np.datetime64("2025-03-31"))
    datetime.date(2025, 3, 31)
    """
    return as_of_day(value, field).astype(object)


def as_of_dates(values: Any, field: str = "as_of_dates", *, missing: bool = False) -> np.ndarray:
    """Every one of ``values`` as ``datetime64[D]``, read as :func:`as_of_day` reads one date.

    Parameters
    ----------
    values : array-like of date-like
        A list or array of dates (any shape). A ``datetime64`` array (numpy
        or pandas) is checked in whole-array operations; other values one by
        one.
    field : str, default "as_of_dates"
        The argument's name; an error names the element (``field[i]``).
    missing : bool, default False
        Whether a value may be missing: None, NaN, NaT, pandas' NA or the
        text ``'NaT'`` (as numpy writes it) then give NaT.

    Returns
    -------
    numpy.ndarray of datetime64[D]
        A new array of the shape of ``values``.

    Raises
    ------
    ValidationError
        A value that is not a date (or a missing one without ``missing``),
        naming ``field``, the element and the accepted forms.

    Examples
    --------
    >>> as_of_dates(["2025-01-31", np.datetime64("2025-02-28")])
    array(['2025-01-31', '2025-02-28'], dtype='datetime64[D]')
    >>> as_of_dates(["2025-01-31", None], "default_date", missing=True)
    array(['2025-01-31',        'NaT'], dtype='datetime64[D]')
    >>> as_of_dates(["2025-01-31", "soon"])
    Traceback (most recent call last):
    riskkit.errors.ValidationError: as_of_dates[1] ('soon') is not a valid date; expected a date (datetime.date, numpy.datetime64 or 'YYYY-MM-DD')
    """
    # a list is read item by item (numpy would turn 20250331 next to text into '20250331');
    # an array (numpy, pandas) of datetime64 is checked whole
    array = np.asarray(values) if hasattr(values, "dtype") else np.asarray(values, dtype=object)
    if array.dtype.kind == "M":
        return _datetime64_days(array, field, missing)
    flat = array.ravel()
    out = np.empty(flat.size, dtype="datetime64[D]")
    for i, value in enumerate(flat.tolist() if flat.dtype != object else flat):
        if missing and (is_missing(value) or (isinstance(value, str) and value.strip() == "NaT")):
            out[i] = np.datetime64("NaT")
            continue
        try:
            out[i] = to_date(value)
        except _Reject as exc:
            _refuse(field, array.shape, i, value, str(exc))
    return out.reshape(array.shape)


def _datetime64_days(array: np.ndarray, field: str, missing: bool) -> np.ndarray:
    """A ``datetime64`` array as days, refusing (vectorised) what :func:`riskkit._convert.to_date` refuses."""
    if np.datetime_data(array.dtype)[0] in ("Y", "M", "W"):
        nat = np.isnat(array).ravel()
        if not nat.all():
            i = int(np.argmin(nat))
            _refuse(field, array.shape, i, array.ravel()[i], f"is a year, month or week, not a day; expected {DATE_FORMS}")
    day = array.astype("datetime64[D]")
    nat = np.isnat(array)
    bad_time = ~nat & (day != array)
    bad_range = ~nat & ((day < FIRST_DAY) | (day > LAST_DAY))
    for bad, reason in ((bad_time, f"has a time of day; expected {DATE_FORMS}"), (bad_range, OUT_OF_RANGE)):
        if bad.any():
            i = int(np.argmax(bad.ravel()))
            _refuse(field, array.shape, i, array.ravel()[i], reason)
    if not missing and nat.any():
        i = int(np.argmax(nat.ravel()))
        _refuse(field, array.shape, i, array.ravel()[i], f"is NaT (not a time); expected {DATE_FORMS}")
    return day


def _refuse(field: str, shape: tuple[int, ...], flat_index: int, value: Any, reason: str) -> NoReturn:
    """Raise the ValidationError of one bad element (``field[i]``, or ``field[i, j]`` for a table of dates)."""
    where = np.unravel_index(flat_index, shape) if len(shape) > 1 else (flat_index,) if shape else ()
    name = f"{field}[{', '.join(map(str, where))}]" if where else field
    raise ValidationError(f"{name} ({show(value)}) {reason}", field=field, value=value,
                          row=int(flat_index) if shape else None)


def window(dates: np.ndarray, as_of: np.datetime64, days: int, lag: int = 0) -> np.ndarray:
    """Mask of dates in ``(as_of - lag - days, as_of - lag]`` (NaT is never inside).

    Examples
    --------
    >>> d = np.array(["2025-01-01", "2025-01-02", "NaT", "2025-01-03"], dtype="datetime64[D]")
    >>> window(d, np.datetime64("2025-01-03"), 2).tolist()
    [False, True, False, True]
    """
    end = as_of - np.timedelta64(lag, "D")
    start = end - np.timedelta64(days, "D")
    if dates.dtype == _DAY and _as_day(end) == end and _as_day(start) == start:
        # day numbers compare several times faster than datetime64; NaT is the smallest int64, never inside
        d = dates.view(np.int64)
        return (d > _day_number(start)) & (d <= _day_number(end))
    return (dates > start) & (dates <= end)


_DAY = np.dtype("datetime64[D]")


def _as_day(when: np.datetime64) -> np.ndarray:
    return np.asarray(when).astype("datetime64[D]")


def _day_number(day: np.datetime64) -> int:
    return int(_as_day(day).astype(np.int64))


def open_at(p: Portfolio, when: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Per document: (issued by ``when``, open invoice amount at ``when``; 0 for credit notes,
    settled documents and documents not issued yet). See :mod:`riskkit._ledger`."""
    issued, open_, _ = _ledger.open_at(p, when)
    return issued, open_


def known_statements(p: Portfolio, as_of: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the statements known at ``as_of`` (period ended and published by then), sorted by customer
    then period end, and their customers."""
    st = p.statements
    published = st["published"]
    ended = window(st["period_end"], as_of, _EVER)
    known = ended & (np.isnat(published) | window(published, as_of, _EVER))
    # the known rows in the book's order by customer and period end (kept with the Portfolio): the same order
    # as sorting them alone, both sorts being stable
    order = _statement_order(p)
    order = order[known[order]]
    return order, st["customer"][order]


#: Days back to the beginning of time: ``window(dates, as_of, _EVER)`` is ``dates <= as_of`` (NaT never).
_EVER = 10**7


def _statement_order(p: Portfolio) -> np.ndarray:
    """The statements' rows sorted by customer, then period end (stable), kept with the Portfolio."""
    st = p.statements
    return p._cached("pit.statement_order", lambda: np.lexsort((st["period_end"], st["customer"])), inherit=True)


def latest_statements(p: Portfolio, as_of: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Row of each customer's latest known statement and of the one before (-1 if none)."""
    n = p.n_customers
    # known statements by customer then period end: the last of a run is the latest
    order, cust = known_statements(p, as_of)
    latest = np.full(n, -1, dtype=np.int64)
    previous = np.full(n, -1, dtype=np.int64)
    if order.size:
        last = np.r_[cust[1:] != cust[:-1], True]
        latest[cust[last]] = order[last]
        before_last = np.r_[last[1:], False] & np.r_[cust[:-1] == cust[1:], False]
        previous[cust[before_last]] = order[before_last]
    return latest, previous


def statement_column(p: Portfolio, rows: np.ndarray, name: str) -> np.ndarray:
    """Column ``name`` of the statements at ``rows`` (NaN, or NaT for a date, where a row is -1: no statement)."""
    col = p.statements[name]
    if np.issubdtype(col.dtype, np.datetime64):
        out = np.full(rows.size, np.datetime64("NaT"), dtype=col.dtype)
    else:
        out = np.full(rows.size, np.nan)
    have = rows >= 0
    out[have] = col[rows[have]]
    return out
