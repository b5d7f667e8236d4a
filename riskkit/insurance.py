"""Credit insurance: the insured limit of each customer, the cover it gives, and the notification deadlines.

A credit insurer decides, customer by customer, how much of the seller's
receivables it insures (docs/domain.md, *Credit insurance*). The decisions
are the Portfolio's ``insurance`` table (:class:`riskkit.records.InsuranceDecision`):
one row per customer and date with a status, ``requested``, ``granted``,
``reduced`` or ``cancelled``, an amount and, optionally, the indemnity (the
insured share of a loss). Everything here is read at a point in time: a
decision dated after ``as_of`` is not known yet.

Conventions
-----------
Insured limit at ``as_of``
    The amount of the latest *granted* or *reduced* decision dated on or
    before ``as_of``; 0 after a *cancellation*; 0 when the customer only has
    a request (a request is not cover yet); NaN for a customer without any
    decision (not insured: uninsured exposure is its whole exposure). A
    request made after a limit was granted leaves that limit in force and
    is shown as ``requested`` (its amount in ``pending``).
Cover
    ``min(exposure, insured limit) x indemnity``: the insurer pays the
    indemnity share of a loss up to the limit. ``exposure`` is the
    counted-exposure feature (:mod:`riskkit.features`); ``indemnity`` is the
    decision's own, else the ``indemnity`` argument (default
    :data:`DEFAULT_INDEMNITY`, 0.9). **Uninsured exposure** is
    ``exposure - cover``: what the seller loses if the customer pays nothing,
    the self-retention (``1 - indemnity``) included.
Notification deadline
    An overdue invoice must be notified to the insurer within the policy's
    maximum extension period, or its cover is lost: ``deadline = due +
    max_extension_days`` (default :data:`DEFAULT_MAX_EXTENSION_DAYS`, 90
    days past due; policies run from 60 to 180). ``days_to_deadline =
    deadline - as_of = max_extension_days - days past due``; 0 is the last
    day, below 0 the cover of that invoice is lost. An invoice is insured
    when a limit above 0 was in force on its issue date (the delivery): a
    later reduction or cancellation leaves the deliveries made before it
    insured.

Examples
--------
>>> import riskkit
>>> from riskkit import insurance
>>> book = riskkit.Portfolio.from_records(
...     customers=[{"id": "C1"}, {"id": "C2"}],
...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-10", "due": "2025-02-09",
...                "amount": 30000.0},
...               {"id": "I2", "customer_id": "C2", "issued": "2025-04-01", "due": "2025-05-01",
...                "amount": 8000.0}],
...     insurance=[{"customer_id": "C1", "date": "2025-01-02", "status": "granted", "amount": 20000.0}],
...     as_of="2025-05-05")
>>> c = insurance.cover(book)
>>> c["insured_limit"].tolist(), c["cover"].tolist(), c["uninsured_exposure"].tolist()
([20000.0, nan], [18000.0, 0.0], [12000.0, 8000.0])
>>> d = insurance.deadlines(book)
>>> d["invoice_id"].tolist(), d["deadline"].astype(str).tolist(), d["days_to_deadline"].tolist()
(['I1'], ['2025-05-10'], [5])
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._checks import Integer, Interval, check, readonly
from riskkit._ledger import open_book

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = [
    "DEFAULT_INDEMNITY",
    "DEFAULT_MAX_EXTENSION_DAYS",
    "Cover",
    "Deadlines",
    "cover",
    "deadlines",
    "has_insurance",
    "insured_limit",
    "nearest_deadline",
    "notification_totals",
]

#: Insured share of a loss when a decision gives none.
DEFAULT_INDEMNITY = 0.9
#: Days past due by which an overdue invoice must be notified to the insurer.
DEFAULT_MAX_EXTENSION_DAYS = 90

_LIMIT_STATUSES = ("granted", "reduced", "cancelled")


class _Table:
    """Named read-only columns of one length; the base of :class:`Cover` and :class:`Deadlines`."""

    __slots__ = ("_as_of", "_columns")
    _what = "rows"

    def __init__(self, columns: Mapping[str, np.ndarray], as_of: _dt.date) -> None:
        self._columns = {name: readonly(np.asarray(v)) for name, v in columns.items()}
        self._as_of = as_of

    @property
    def as_of(self) -> _dt.date:
        """The date the table is as of."""
        return self._as_of

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self._columns)

    def __getitem__(self, name: str) -> np.ndarray:
        from riskkit.errors import SchemaError

        try:
            return self._columns[name]
        except KeyError:
            raise SchemaError(f"{type(self).__name__} has no column {name!r}; columns: "
                              f"{', '.join(self._columns)}") from None

    def __len__(self) -> int:
        return int(next(iter(self._columns.values())).size)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row, plain Python values."""
        lists = {k: v.astype(object).tolist() if v.dtype.kind == "M" else v.tolist() for k, v in self._columns.items()}
        return [dict(zip(lists, row, strict=True)) for row in zip(*lists.values(), strict=True)]

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the columns (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(dict(self._columns))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self):,} {self._what}, as_of={self._as_of})"


class Cover(_Table):
    """The credit-insurance cover of every customer at one date (made by :func:`cover`).

    ==================  =======  ======================================================================
    column              dtype    meaning
    ==================  =======  ======================================================================
    customer_id         object   the customer, in portfolio order
    status              object   the latest decision known (requested, granted, reduced, cancelled; "")
    decided             date     its date (NaT without a decision)
    insured_limit       float64  the limit in force (0 cancelled or only requested; NaN no decision)
    pending             float64  the amount of a request not decided yet (NaN none)
    indemnity           float64  the insured share applied (NaN without a limit in force)
    exposure            float64  counted exposure (the ``exposure`` feature)
    cover               float64  ``min(exposure, insured_limit) x indemnity`` (0 uninsured)
    uninsured_exposure  float64  ``exposure - cover``
    ==================  =======  ======================================================================
    """

    __slots__ = ()
    _what = "customers"

    def totals(self) -> dict[str, float | int]:
        """Book totals: ``insured_customers`` (limit above 0), ``insured_limit``, ``exposure``, ``cover``,
        ``uninsured_exposure`` and ``cover_share`` (cover / exposure; NaN for a book without exposure)."""
        exposure = float(self["exposure"].sum())
        covered = float(self["cover"].sum())
        return {
            "insured_customers": int((self["insured_limit"] > 0).sum()),
            "insured_limit": float(np.nansum(self["insured_limit"])),
            "exposure": exposure,
            "cover": covered,
            "uninsured_exposure": float(self["uninsured_exposure"].sum()),
            "cover_share": covered / exposure if exposure > 0 else float("nan"),
        }


class Deadlines(_Table):
    """Overdue insured invoices and their notification deadlines, the nearest first (made by :func:`deadlines`).

    ================  ========  =================================================================
    column            dtype     meaning
    ================  ========  =================================================================
    invoice_id        object    the invoice
    customer_id       object    its customer
    issued, due       date      its dates
    days_past_due     int64     at ``as_of``
    open_amount       float64   its open amount at ``as_of``
    insured_limit     float64   the limit in force on its issue date
    deadline          date      ``due + max_extension_days``: notify the insurer by this date
    days_to_deadline  int64     ``deadline - as_of``; 0 the last day, below 0 the cover is lost
    lost              bool      ``days_to_deadline < 0``
    ================  ========  =================================================================
    """

    __slots__ = ()
    _what = "invoices"


def has_insurance(portfolio: Portfolio) -> bool:
    """Whether the portfolio has any credit-insurance decision (the ``insurance`` table is not empty)."""
    return bool(portfolio.insurance.n_rows)


def _sorted_decisions(portfolio: Portfolio, statuses: tuple[str, ...] | None) -> tuple[np.ndarray, ...]:
    """The decisions (of ``statuses``; None: all) sorted by customer and date: rows, customers, days."""
    ins = portfolio.insurance
    rows = np.arange(ins.n_rows)
    if statuses is not None:
        rows = rows[np.isin(ins["status"], np.array(statuses, dtype=object))]
    cust = ins["customer"][rows]
    days = ins["date"][rows].astype(np.int64)
    order = np.lexsort((days, cust))
    return rows[order], cust[order], days[order]


def _latest(
    portfolio: Portfolio, statuses: tuple[str, ...] | None, customers: np.ndarray, days: np.ndarray
) -> np.ndarray:
    """Row of the latest decision (of ``statuses``) of each ``customers[i]`` dated on or before ``days[i]``; -1 for none.

    One search over (customer, date) keys: decisions are unique per customer
    and date (the ingest refuses a second one), so the latest is well defined.
    """
    rows, cust, when = _sorted_decisions(portfolio, statuses)
    out = np.full(customers.size, -1, dtype=np.int64)
    if not rows.size or not customers.size:
        return out
    low = min(int(when.min()), int(days.min()))
    span = max(int(when.max()), int(days.max())) - low + 1
    keys = cust * span + (when - low)
    wanted = customers.astype(np.int64) * span + (days.astype(np.int64) - low)
    pos = np.searchsorted(keys, wanted, side="right") - 1
    found = pos >= 0
    found[found] = cust[pos[found]] == customers[found]
    out[found] = rows[pos[found]]
    return out


def _limit_at(portfolio: Portfolio, customers: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The insured limit in force and its decision's row (-1 none) for each (customer, day)."""
    row = _latest(portfolio, _LIMIT_STATUSES, customers, days)
    ins = portfolio.insurance
    has = row >= 0
    limit = np.full(customers.size, np.nan)
    r = row[has]
    limit[has] = np.where(ins["status"][r] == "cancelled", 0.0, ins["amount"][r])
    return limit, row


def insured_limit(portfolio: Portfolio, as_of: Any = None) -> np.ndarray:
    """The insured limit in force per customer at ``as_of`` (portfolio order), as :func:`cover` gives it.

    NaN for a customer without any decision, 0 after a cancellation or with
    only a request. Cheap: it reads the ``insurance`` table alone (no features).

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}, {"id": "C2"}, {"id": "C3"}],
    ...     insurance=[{"customer_id": "C1", "date": "2025-01-02", "status": "granted", "amount": 50000.0},
    ...                {"customer_id": "C1", "date": "2025-03-01", "status": "reduced", "amount": 30000.0},
    ...                {"customer_id": "C2", "date": "2025-02-01", "status": "requested", "amount": 10000.0}],
    ...     as_of="2025-02-15")
    >>> insured_limit(book).tolist(), insured_limit(book, "2025-03-31").tolist()
    ([50000.0, 0.0, nan], [30000.0, 0.0, nan])
    """
    when = portfolio.resolve_as_of(as_of)
    n = portfolio.n_customers
    codes = np.arange(n)
    limit, _ = _limit_at(portfolio, codes, np.full(n, when.astype(np.int64)))
    any_row = _latest(portfolio, None, codes, np.full(n, when.astype(np.int64)))
    limit[np.isnan(limit) & (any_row >= 0)] = 0.0  # only a request: not cover yet
    return readonly(limit)


def _indemnity_in_force(portfolio: Portfolio, limit_row: np.ndarray, share: float) -> np.ndarray:
    """The indemnity share of the decision in force per customer (``share`` when it gives none); NaN without."""
    in_force = limit_row >= 0
    given = np.full(limit_row.size, np.nan)
    given[in_force] = portfolio.insurance["indemnity"][limit_row[in_force]]
    return np.where(in_force, np.where(np.isnan(given), share, given), np.nan)


def covered_amount(exposure: np.ndarray, limit: np.ndarray, indemnity: np.ndarray) -> np.ndarray:
    """Cover = min(exposure, insured limit) x indemnity where a limit above 0 is in force, else 0."""
    return np.where(limit > 0, np.minimum(exposure, np.nan_to_num(limit)) * np.nan_to_num(indemnity), 0.0)


def uninsured_exposure(portfolio: Portfolio, when: np.datetime64, exposure: np.ndarray) -> np.ndarray:
    """``exposure`` less the cover in force at ``when`` (the feature ``uninsured_exposure``).

    The exposure itself for a customer without a limit in force, and for
    every customer of a book without insurance decisions. Decisions without
    an indemnity take :data:`DEFAULT_INDEMNITY`, as :func:`cover` does by
    default.
    """
    if not has_insurance(portfolio):
        return exposure.copy()
    n = portfolio.n_customers
    day = np.full(n, when.astype("datetime64[D]").astype(np.int64))
    limit, limit_row = _limit_at(portfolio, np.arange(n), day)
    used = _indemnity_in_force(portfolio, limit_row, DEFAULT_INDEMNITY)
    return exposure - covered_amount(exposure, limit, used)


def cover(portfolio: Portfolio, as_of: Any = None, *, indemnity: float = DEFAULT_INDEMNITY) -> Cover:
    """Every customer's insured limit, indemnity, cover and uninsured exposure at ``as_of``.

    Parameters
    ----------
    portfolio : riskkit.Portfolio
    as_of : date-like, optional
        Default ``portfolio.as_of``. Decisions dated after it are not known.
    indemnity : float in (0, 1], default 0.9
        The insured share of a loss for decisions that give none.

    Returns
    -------
    Cover
        One row per customer, in portfolio order (see :class:`Cover` for the columns).

    Raises
    ------
    riskkit.errors.ValidationError
        ``indemnity`` is not a number in (0, 1].

    Examples
    --------
    Hand-computed: C1 is granted 50,000 at 85 %, owes 60,000: cover
    ``min(60,000, 50,000) x 0.85 = 42,500``, uninsured ``60,000 - 42,500 = 17,500``.

    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-03-01", "due": "2025-03-31",
    ...                "amount": 60000.0}],
    ...     insurance=[{"customer_id": "C1", "date": "2025-01-02", "status": "granted", "amount": 50000.0,
    ...                 "indemnity": 0.85}],
    ...     as_of="2025-03-15")
    >>> c = cover(book)
    >>> c["cover"].tolist(), c["uninsured_exposure"].tolist(), c.totals()["cover_share"]
    ([42500.0], [17500.0], 0.7083333333333334)
    """
    share = check("indemnity", indemnity, Interval(float, 0, 1, closed="right"))
    when = portfolio.resolve_as_of(as_of)
    n = portfolio.n_customers
    codes = np.arange(n)
    day = np.full(n, when.astype(np.int64))
    ins = portfolio.insurance
    limit, limit_row = _limit_at(portfolio, codes, day)
    any_row = _latest(portfolio, None, codes, day)
    has_any = any_row >= 0
    a = np.maximum(any_row, 0)
    status = np.where(has_any, ins["status"][a] if ins.n_rows else "", "").astype(object)
    decided = np.where(has_any, ins["date"][a] if ins.n_rows else np.datetime64("NaT", "D"),
                       np.datetime64("NaT", "D")).astype("datetime64[D]")
    pending = np.where(has_any & (status == "requested"), ins["amount"][a] if ins.n_rows else np.nan, np.nan)
    limit[np.isnan(limit) & has_any] = 0.0  # only a request: not cover yet
    used = _indemnity_in_force(portfolio, limit_row, share)
    exposure = np.asarray(portfolio.features(when)["exposure"], dtype=np.float64)
    covered = covered_amount(exposure, limit, used)
    return Cover(
        {
            "customer_id": portfolio.customer_ids,
            "status": status,
            "decided": decided,
            "insured_limit": limit,
            "pending": pending,
            "indemnity": used,
            "exposure": exposure,
            "cover": covered,
            "uninsured_exposure": exposure - covered,
        },
        when.astype(object),
    )


def deadlines(
    portfolio: Portfolio,
    as_of: Any = None,
    *,
    max_extension_days: int = DEFAULT_MAX_EXTENSION_DAYS,
    within_days: int | None = None,
) -> Deadlines:
    """The overdue insured invoices at ``as_of`` with their notification deadline, the nearest first.

    Parameters
    ----------
    portfolio : riskkit.Portfolio
    as_of : date-like, optional
        Default ``portfolio.as_of``.
    max_extension_days : int >= 0, default 90
        The insurer's maximum extension period, in days past due.
    within_days : int >= 0, optional
        Only the invoices whose deadline is at most this many days away
        (those whose cover is lost included); default all of them.

    Returns
    -------
    Deadlines
        One row per overdue open invoice of a customer with a limit above 0
        in force on the invoice's issue date; ordered by ``days_to_deadline``,
        then invoice row.

    Raises
    ------
    riskkit.errors.ValidationError
        ``max_extension_days`` or ``within_days`` is not a whole number >= 0.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": f"I{k}", "customer_id": "C1", "issued": "2025-01-01", "due": due,
    ...                "amount": 1000.0} for k, due in enumerate(["2025-01-31", "2025-03-15", "2025-05-30"])],
    ...     insurance=[{"customer_id": "C1", "date": "2024-12-01", "status": "granted", "amount": 5000.0}],
    ...     as_of="2025-05-05")
    >>> d = deadlines(book, max_extension_days=60)
    >>> d["invoice_id"].tolist(), d["days_to_deadline"].tolist(), d["lost"].tolist()
    (['I0', 'I1'], [-34, 9], [True, False])
    >>> len(deadlines(book, max_extension_days=60, within_days=5))
    1
    """
    extension = check("max_extension_days", max_extension_days, Integer(0, None, unit="days"))
    within = None if within_days is None else check("within_days", within_days, Integer(0, None, unit="days"))
    when = portfolio.resolve_as_of(as_of)
    a = _overdue_insured(portfolio, when, extension)
    keep = np.ones(a["rows"].size, dtype=bool) if within is None else a["to_deadline"] <= within
    order = np.lexsort((a["rows"][keep], a["to_deadline"][keep]))
    pick = np.flatnonzero(keep)[order]
    inv = portfolio.invoices
    r = a["rows"][pick]
    due = inv["due"][r]
    to_deadline = a["to_deadline"][pick]
    return Deadlines(
        {
            "invoice_id": inv.take("id", r),
            "customer_id": inv.take("customer_id", r),
            "issued": inv["issued"][r],
            "due": due,
            "days_past_due": a["dpd"][pick],
            "open_amount": a["amount"][pick],
            "insured_limit": a["limit"][pick],
            "deadline": due + np.timedelta64(extension, "D"),
            "days_to_deadline": to_deadline,
            "lost": to_deadline < 0,
        },
        when.astype(object),
    )


def _overdue_insured(portfolio: Portfolio, when: np.datetime64, extension: int) -> dict[str, np.ndarray]:
    """The overdue open invoices insured on their issue date, in row order: rows, customer codes, days past
    due, open amounts, the limit in force at issue and the days to the notification deadline."""
    book = open_book(portfolio, when)
    overdue = np.flatnonzero(book.dpd > 0) if has_insurance(portfolio) else np.zeros(0, dtype=np.int64)
    rows = book.rows[overdue]
    customers = book.customer[overdue]
    limit, _ = _limit_at(portfolio, customers, portfolio.invoices["issued"][rows].astype(np.int64))
    insured = limit > 0  # NaN compares False
    dpd = book.dpd[overdue][insured]
    return {
        "rows": rows[insured],
        "customer": customers[insured],
        "dpd": dpd,
        "amount": book.amount[overdue][insured],
        "limit": limit[insured],
        "to_deadline": extension - dpd,
    }


def nearest_deadline(
    portfolio: Portfolio, as_of: Any = None, *, max_extension_days: int = DEFAULT_MAX_EXTENSION_DAYS
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer (portfolio order): the fewest days to a notification deadline among its overdue insured
    invoices (NaN for none), and the invoice row with those days (-1 for none; the first row on a tie).

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}, {"id": "C2"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 1000.0}],
    ...     insurance=[{"customer_id": "C1", "date": "2024-12-01", "status": "granted", "amount": 5000.0}],
    ...     as_of="2025-04-25")
    >>> days, rows = nearest_deadline(book)
    >>> days.tolist(), rows.tolist()
    ([6.0, nan], [0, -1])
    """
    extension = check("max_extension_days", max_extension_days, Integer(0, None, unit="days"))
    when = portfolio.resolve_as_of(as_of)
    a = _overdue_insured(portfolio, when, extension)
    n = portfolio.n_customers
    value = np.full(n, np.nan)
    row = np.full(n, -1, dtype=np.int64)
    if a["rows"].size:
        # sorted by customer, then days to the deadline, then row: the first of each customer is its nearest
        order = np.lexsort((a["rows"], a["to_deadline"], a["customer"]))
        cust = a["customer"][order]
        first = np.r_[True, cust[1:] != cust[:-1]]
        value[cust[first]] = a["to_deadline"][order][first]
        row[cust[first]] = a["rows"][order][first]
    return readonly(value), readonly(row)


def notification_totals(d: Deadlines, within_days: int) -> dict[str, float | int]:
    """Counts and open amounts of ``d``: ``due`` (deadline within ``within_days``, not passed) and ``lost``."""
    lost = d["lost"]
    soon = ~lost & (d["days_to_deadline"] <= within_days)
    amount = d["open_amount"]
    return {
        "due": int(soon.sum()),
        "due_amount": float(amount[soon].sum()),
        "lost": int(lost.sum()),
        "lost_amount": float(amount[lost].sum()),
    }
