"""Promises to pay and disputed invoices: kept and broken computed from the payments, disputes set apart.

Two optional Portfolio tables feed this module (docs/domain.md, *Promises
and disputes*):

* ``promises``: a customer promised, on ``made``, to pay ``amount`` by
  ``due`` (optionally for one invoice, ``invoice_id``). Whether it was kept
  is computed, never entered: a promise is **kept** once the payments dated
  in ``[made, due + grace_days]`` (the customer's, or the named invoice's)
  add up to the amount less the portfolio's payment tolerance; **broken**
  from ``due + grace_days + 1`` when they did not; **open** before that.
  A promise made after ``as_of`` is ``not_made`` (not known yet).
* ``disputes``: an invoice the customer contests, open from ``opened``
  until ``resolved``. While open, the invoice's open amount is set apart
  from the aging buckets (:func:`aging`) and left out of dunning
  (:func:`riskkit.dunning.worklist`).

Everything is point in time: a payment, promise or dispute dated after
``as_of`` has not happened yet. Every function works on whole columns
(sorted keys and cumulative sums); none loops over promises or customers.

Examples
--------
>>> import riskkit
>>> from riskkit import promises
>>> p = riskkit.Portfolio.from_records(
...     customers=[{"id": "C1"}, {"id": "C2"}],
...     invoices=[
...         {"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31", "amount": 1000.0},
...         {"id": "I2", "customer_id": "C2", "issued": "2025-01-01", "due": "2025-01-31", "amount": 800.0},
...     ],
...     payments=[{"invoice_id": "I1", "date": "2025-02-12", "amount": 1000.0}],
...     promises=[
...         {"customer_id": "C1", "made": "2025-02-05", "due": "2025-02-10", "amount": 1000.0},
...         {"customer_id": "C2", "made": "2025-02-05", "due": "2025-02-10", "amount": 800.0},
...     ],
...     as_of="2025-02-28",
... )
>>> promises.promise_status(p)["status"].tolist()
['kept', 'broken']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit import receivables
from riskkit._checks import readonly
from riskkit._ledger import balance_at, open_at, open_book
from riskkit._numeric import group_count, group_sum, safe_divide
from riskkit.errors import ValidationError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = [
    "GRACE_DAYS",
    "HORIZON_DAYS",
    "QUARTER",
    "STATUSES",
    "aging",
    "broken_counts",
    "collections_counts",
    "collections_summary",
    "customer_summary",
    "disputed_invoices",
    "has_records",
    "promise_status",
]

#: Days after a promise's due date within which a payment still keeps it (a transfer takes a few days to arrive).
GRACE_DAYS = 3
#: Days ahead in which an open promise counts as due (the collections week).
HORIZON_DAYS = 7
#: A promise's status at a date: made after it, kept, broken, or still open.
STATUSES: tuple[str, ...] = ("not_made", "open", "kept", "broken")

_YEAR = 365
#: The window of recent broken promises (as the ``broken_promises_90d`` feature).
QUARTER = 90
#: The least amount that keeps a promise when the tolerance covers the whole amount: one payment, not none.
_LEAST_PAYMENT = 0.01
#: Running totals are kept in whole cents (int64) up to this many.
_MAX_CENTS = 2**62


def _days(name: str, value: Any) -> int:
    """A whole number of days >= 0, or ValidationError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValidationError(f"{name} must be a whole number of days >= 0, got {value!r}", field=name, value=value)
    return int(value)


def _receipts(p: Portfolio) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Money received: invoice row (-1 on account), customer, day and amount of every payment of a debit.

    The payments table and the invoices' one-payment columns (``paid_amount``
    on ``paid_on``), in the reporting currency; refunds of credit notes are
    money paid out and are left out.
    """
    inv, pay = p.invoices, p.payments
    credit = np.asarray(inv["credit"], dtype=bool)
    row = np.asarray(pay["invoice"], dtype=np.int64)
    on_credit = (row >= 0) & credit[np.maximum(row, 0)] if credit.size else np.zeros(row.size, dtype=bool)
    keep = ~on_credit
    paid = (inv["paid_amount"] > 0) & ~np.isnat(inv["paid_on"]) & ~credit
    first = np.flatnonzero(paid)
    return (
        np.concatenate([row[keep], first]),
        np.concatenate([np.asarray(pay["customer"], dtype=np.int64)[keep], inv["customer"][first]]),
        np.concatenate([pay["date"][keep], inv["paid_on"][first]]).astype(np.int64),
        np.concatenate([pay["amount"][keep], inv["paid_amount"][first]]).astype(np.float64),
    )


def _promise_arrays(p: Portfolio, grace: int) -> dict[str, np.ndarray]:
    """Per promise, whatever ``as_of``: the day it was kept (NaT if never) and the day it counts as broken.

    Receipts and promises share one integer key space: an invoice's row for
    a promise naming it, ``n_invoices + customer`` for one that does not. A
    receipt is listed under both its invoice and its customer. Sorted by
    (key, day), a promise's window ``[made, due + grace]`` is a run of
    receipts found with two binary searches; the running total gives what
    was paid in it and the first day it reached the amount.
    """
    pr = p.promises
    n_inv = p.invoices.n_rows
    made = pr["made"].astype(np.int64)
    end = pr["due"].astype(np.int64) + grace
    r_inv, r_cust, r_day, r_amt = _receipts(p)
    # only receipts some promise can count: within the promises' dates, of a promised invoice or of a
    # customer with a promise to any invoice (a book's history is mostly paid invoices nobody promised)
    inside = (r_day >= made.min(initial=0)) & (r_day <= end.max(initial=0))
    promised_invoice = np.zeros(n_inv + 1, dtype=bool)
    promised_invoice[pr["invoice"]] = True  # -1 (no invoice named) marks the spare last slot
    promised_customer = np.zeros(p.n_customers, dtype=bool)
    promised_customer[pr["customer"][pr["invoice"] < 0]] = True
    on_invoice = inside & (r_inv >= 0) & promised_invoice[r_inv]
    on_customer = inside & promised_customer[r_cust]
    keys = np.concatenate([r_inv[on_invoice], n_inv + r_cust[on_customer]])
    days = np.concatenate([r_day[on_invoice], r_day[on_customer]])
    amounts = np.concatenate([r_amt[on_invoice], r_amt[on_customer]])
    key = np.where(pr["invoice"] >= 0, pr["invoice"], n_inv + pr["customer"])
    base = min(int(days.min(initial=0)), int(made.min(initial=0)))
    span = max(int(days.max(initial=0)), int(end.max(initial=0))) - base + 2
    combo = keys * span + (days - base)
    order = np.argsort(combo)  # receipts of one key on one day may come in any order: the day is the same
    combo, days, amounts = combo[order], days[order], amounts[order]
    # in whole cents, so that the running total of a whole book adds up exactly (money is compared to the cent)
    if amounts.sum() >= _MAX_CENTS / 100:
        raise ValidationError("payments: the amounts add up to more than can be counted to the cent "
                              f"({amounts.sum():.6g}); check the payments table's amount column",
                              table="payments", field="amount")
    total = np.concatenate(([0], np.cumsum(np.round(amounts * 100).astype(np.int64))))
    lo = np.searchsorted(combo, key * span + (made - base), side="left")
    hi = np.searchsorted(combo, key * span + (end - base), side="right")
    need = np.round(np.maximum(pr["amount"] - p.tolerance, _LEAST_PAYMENT) * 100).astype(np.int64)
    target = total[lo] + need
    reached = np.searchsorted(total, target, side="left")  # receipts lo .. reached-1 pay the promise
    kept = (reached > lo) & (reached <= hi)
    kept_on = np.where(kept, days[np.clip(reached - 1, 0, max(days.size - 1, 0))] if days.size else 0, 0)
    return {
        "key_start": lo,
        "combo_key": key * span - base,
        "kept_on": np.where(kept, kept_on, np.iinfo(np.int64).min).astype("datetime64[D]"),
        "broken_on": (end + 1).astype("datetime64[D]"),
        "_combo": combo,
        "_total": total,
    }


def _cached_arrays(p: Portfolio, grace: int) -> dict[str, np.ndarray]:
    return p.derived(f"promises.arrays.{grace}", lambda q: _promise_arrays(q, grace))


def promise_status(portfolio: Portfolio, as_of: Any = None, *, grace_days: int = GRACE_DAYS) -> Mapping[str, np.ndarray]:
    """Each promise's status at ``as_of``, computed from the payments (docs/domain.md, *Promises and disputes*).

    Parameters
    ----------
    portfolio : Portfolio
        Its ``promises`` table; payments are the payments table and the
        invoices' ``paid_amount`` / ``paid_on`` (refunds of credit notes are
        not payments).
    as_of : date-like, optional
        Default ``portfolio.as_of``. Payments and promises after it are not known.
    grace_days : int, default :data:`GRACE_DAYS`
        Days after ``due`` within which a payment still keeps the promise.

    Returns
    -------
    mapping of str to ndarray
        One row per promise, in table order: ``customer_id``, ``status``
        (one of :data:`STATUSES`), ``paid`` (received in the window up to
        ``as_of``), ``short`` (amount less paid, at least 0; 0 once kept), ``kept_on``
        (the day the payments reached the amount; NaT unless kept by
        ``as_of``) and ``broken_on`` (``due + grace_days + 1``: the first
        day it counts as broken if not kept).

    Raises
    ------
    ValidationError
        ``grace_days`` is not a whole number >= 0.

    Examples
    --------
    One promise of 600 by 2025-03-10, paid 200 on 03-08 and 400 on 03-12
    (within the 3 days' grace): open on 03-09, kept on 03-12.

    >>> import riskkit
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 600.0}],
    ...     payments=[{"invoice_id": "I1", "date": "2025-03-08", "amount": 200.0},
    ...               {"invoice_id": "I1", "date": "2025-03-12", "amount": 400.0}],
    ...     promises=[{"customer_id": "C1", "made": "2025-03-01", "due": "2025-03-10", "amount": 600.0}],
    ... )
    >>> s = promise_status(p, "2025-03-09")
    >>> s["status"].tolist(), s["paid"].tolist(), s["short"].tolist()
    (['open'], [200.0], [400.0])
    >>> s = promise_status(p, "2025-03-31")
    >>> s["status"].tolist(), str(s["kept_on"][0])
    (['kept'], '2025-03-12')
    """
    grace = _days("grace_days", grace_days)
    when = portfolio.resolve_as_of(as_of)
    pr = portfolio.promises
    arrays = _cached_arrays(portfolio, grace)
    day = when.astype(np.int64)
    made = pr["made"]
    known = made <= when
    kept = known & (arrays["kept_on"] <= when)  # NaT compares False
    broken = known & ~kept & (arrays["broken_on"] <= when)
    status = np.select([~known, kept, broken], ["not_made", "kept", "broken"], "open").astype(object)
    # paid in the window up to as_of (or its end): the run of receipts from the window's start to that day
    combo, total, lo = arrays["_combo"], arrays["_total"], arrays["key_start"]
    last = np.minimum(arrays["broken_on"].astype(np.int64) - 1, day)
    hi = np.searchsorted(combo, arrays["combo_key"] + last, side="right")
    paid = np.where(known, (total[np.maximum(hi, lo)] - total[lo]) / 100, 0.0)
    out = {
        "customer_id": np.asarray(pr["customer_id"], dtype=object),
        "status": status,
        "paid": paid,
        "short": np.where(kept, 0.0, np.maximum(pr["amount"] - paid, 0.0)),
        "kept_on": np.where(kept, arrays["kept_on"], np.datetime64("NaT")).astype("datetime64[D]"),
        "broken_on": arrays["broken_on"],
    }
    return MappingProxyType({k: readonly(v) for k, v in out.items()})


def broken_counts(
    portfolio: Portfolio, as_of: Any = None, window_days: int = QUARTER, *, grace_days: int = GRACE_DAYS
) -> np.ndarray:
    """Per customer, in portfolio order: promises that became broken in ``(as_of - window_days, as_of]``.

    A promise becomes broken on ``due + grace_days + 1`` when it was not kept
    by then; this is the count the ``broken_promises_90d`` feature and the
    ``broken_promises`` signal add to the ``broken_promise`` events.

    Examples
    --------
    >>> import riskkit
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}, {"id": "C2"}],
    ...     promises=[{"customer_id": "C2", "made": "2025-03-01", "due": "2025-03-10", "amount": 50.0}],
    ...     as_of="2025-03-31",
    ... )
    >>> broken_counts(p).tolist(), broken_counts(p, "2025-03-13").tolist()
    ([0.0, 1.0], [0.0, 0.0])
    """
    window = _days("window_days", window_days)
    when = portfolio.resolve_as_of(as_of)
    status = promise_status(portfolio, when, grace_days=grace_days)
    recent = (status["status"] == "broken") & (status["broken_on"] > when - np.timedelta64(window, "D"))
    return group_sum(recent, portfolio.promises["customer"], portfolio.n_customers)


def disputed_invoices(portfolio: Portfolio, as_of: Any = None) -> np.ndarray:
    """Mask over the invoices table: invoices under an open dispute at ``as_of``.

    A dispute is open when ``opened <= as_of`` and it is not resolved by
    then (``resolved`` missing or after ``as_of``).

    Examples
    --------
    >>> import riskkit
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": f"I{i}", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 100.0} for i in (1, 2)],
    ...     disputes=[{"invoice_id": "I2", "opened": "2025-02-03", "resolved": "2025-03-01"}],
    ... )
    >>> [disputed_invoices(p, d).tolist() for d in ("2025-02-02", "2025-02-03", "2025-03-01")]
    [[False, False], [False, True], [False, False]]
    """
    when = portfolio.resolve_as_of(as_of)
    d = portfolio.disputes
    open_ = (d["opened"] <= when) & ~(d["resolved"] <= when)  # NaT (not resolved) compares False
    mask = np.zeros(portfolio.invoices.n_rows, dtype=bool)
    mask[d["invoice"][open_]] = True
    return mask


def aging(portfolio: Portfolio, as_of: Any = None) -> Mapping[str, np.ndarray]:
    """Aging with disputed invoices set apart: per customer, the buckets of the undisputed open invoices
    and ``disputed_amount``, the open amount under an open dispute.

    The buckets are those of the features (``aging_current`` ... ``aging_91_plus``,
    :data:`riskkit.receivables.AGING_LABELS`); for each customer they and
    ``disputed_amount`` add up to the features' buckets. Customers whose
    open amounts are unknown at ``as_of`` (a residual export before its
    date) get NaN, as in the features.

    Examples
    --------
    >>> import riskkit
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31", "amount": 300.0},
    ...               {"id": "I2", "customer_id": "C1", "issued": "2025-02-01", "due": "2025-03-03", "amount": 200.0}],
    ...     disputes=[{"invoice_id": "I1", "reason": "short delivery", "opened": "2025-02-10"}],
    ...     as_of="2025-03-15",
    ... )
    >>> a = aging(p)
    >>> a["aging_1_30"].tolist(), a["aging_31_60"].tolist(), a["disputed_amount"].tolist()
    ([200.0], [0.0], [300.0])
    """
    when = portfolio.resolve_as_of(as_of)
    n = portfolio.n_customers
    book = open_book(portfolio, when)
    apart = disputed_invoices(portfolio, when)[book.rows]
    keep = ~apart
    buckets = receivables.aging(book.amount[keep], book.dpd[keep], book.customer[keep], n)
    out = {f"aging_{label}": buckets[:, j] for j, label in enumerate(receivables.AGING_LABELS)}
    out["disputed_amount"] = group_sum(book.amount[apart], book.customer[apart], n)
    if book.unknown:
        balance = balance_at(portfolio, when)
        unknown = np.isnan(balance)
        out = {k: np.where(unknown, np.nan, v) for k, v in out.items()}
    return MappingProxyType({k: readonly(v) for k, v in out.items()})


def customer_summary(
    portfolio: Portfolio, as_of: Any = None, *, grace_days: int = GRACE_DAYS, horizon_days: int = HORIZON_DAYS
) -> Mapping[str, np.ndarray]:
    """Per customer, in portfolio order: its promises of the last 12 months, those due soon and its disputes.

    Columns (float64 unless said):

    ======================  ========================================================================
    promises_12m            promises made in ``(as_of - 365 days, as_of]``
    kept_12m, broken_12m    of those, kept or broken by ``as_of``
    broken_promise_rate     ``broken_12m / (kept_12m + broken_12m)``; NaN when none is settled
    open_promises           promises open at ``as_of`` (made, neither kept nor broken)
    promises_due            open promises due by ``as_of + horizon_days``
    promised_amount_due     what is still short on those
    disputes_open           invoices under an open dispute
    disputed_amount         their open amount
    ======================  ========================================================================

    Examples
    --------
    >>> import riskkit
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31", "amount": 900.0}],
    ...     payments=[{"invoice_id": "I1", "date": "2025-02-10", "amount": 300.0}],
    ...     promises=[{"customer_id": "C1", "made": "2025-02-01", "due": "2025-02-10", "amount": 300.0},
    ...               {"customer_id": "C1", "made": "2025-02-15", "due": "2025-02-20", "amount": 300.0},
    ...               {"customer_id": "C1", "made": "2025-03-01", "due": "2025-03-05", "amount": 300.0}],
    ...     as_of="2025-03-01",
    ... )
    >>> s = customer_summary(p)
    >>> [s[k].tolist() for k in ("promises_12m", "kept_12m", "broken_12m", "broken_promise_rate", "promises_due")]
    [[3.0], [1.0], [1.0], [0.5], [1.0]]
    """
    horizon = _days("horizon_days", horizon_days)
    when = portfolio.resolve_as_of(as_of)
    n = portfolio.n_customers
    pr = portfolio.promises
    cust = pr["customer"]
    st = promise_status(portfolio, when, grace_days=grace_days)
    status = st["status"]
    recent = (pr["made"] <= when) & (pr["made"] > when - np.timedelta64(_YEAR, "D"))
    kept = group_sum(recent & (status == "kept"), cust, n)
    broken = group_sum(recent & (status == "broken"), cust, n)
    is_open = status == "open"
    due_soon = is_open & (pr["due"] <= when + np.timedelta64(horizon, "D"))
    disputed = disputed_invoices(portfolio, when)
    rows = np.flatnonzero(disputed)
    _, open_, _ = open_at(portfolio, when)
    inv_cust = portfolio.invoices["customer"][rows]
    out = {
        "promises_12m": group_sum(recent, cust, n),
        "kept_12m": kept,
        "broken_12m": broken,
        "broken_promise_rate": safe_divide(broken, kept + broken),
        "open_promises": group_sum(is_open, cust, n),
        "promises_due": group_sum(due_soon, cust, n),
        "promised_amount_due": group_sum(np.where(due_soon, st["short"], 0.0), cust, n),
        "disputes_open": group_count(inv_cust, n).astype(np.float64),
        "disputed_amount": group_sum(np.maximum(open_[rows], 0.0), inv_cust, n),
    }
    return MappingProxyType({k: readonly(v) for k, v in out.items()})


def has_records(portfolio: Portfolio) -> bool:
    """Whether the portfolio has promises or disputes at all (otherwise nothing here adds anything)."""
    return bool(portfolio.promises.n_rows or portfolio.disputes.n_rows)


def collections_counts(portfolio: Portfolio, as_of: Any = None, *, grace_days: int = GRACE_DAYS,
                       horizon_days: int = HORIZON_DAYS) -> dict[str, Any]:
    """Book totals for the month-end report's collections section; ``{}`` without promises and disputes.

    Keys: ``promises_due`` and ``promised_amount_due`` (open promises due
    within ``horizon_days``), ``promises_broken_90d`` (broken in the last
    90 days), ``disputes_open`` and ``disputed_amount``.
    """
    if not has_records(portfolio):
        return {}
    when = portfolio.resolve_as_of(as_of)
    s = customer_summary(portfolio, when, grace_days=grace_days, horizon_days=horizon_days)
    broken = broken_counts(portfolio, when, QUARTER, grace_days=grace_days)
    return {
        "promises_due": int(s["promises_due"].sum()),
        "promised_amount_due": float(s["promised_amount_due"].sum()),
        "promises_broken_90d": int(broken.sum()),
        "disputes_open": int(s["disputes_open"].sum()),
        "disputed_amount": float(s["disputed_amount"].sum()),
        "promise_horizon_days": horizon_days,
    }


def collections_summary(counts: Mapping[str, Any], currency: str = "") -> str:
    """One sentence on promises and disputes from :func:`collections_counts`; ``""`` when it holds none.

    Examples
    --------
    >>> collections_summary({"promises_due": 2, "promised_amount_due": 1500.0, "promises_broken_90d": 1,
    ...                      "disputes_open": 3, "disputed_amount": 4200.0, "promise_horizon_days": 7}, "EUR")
    'Promises to pay: 2 due within 7 days (1,500.00 EUR), 1 broken in the last 90 days. Disputes: 3 invoices open (4,200.00 EUR), left out of dunning.'
    >>> collections_summary({})
    ''
    """
    if "promises_due" not in counts:
        return ""
    unit = f" {currency}" if currency else ""

    def many(k: int, word: str) -> str:
        return f"{k:,} {word}{'' if k == 1 else 's'}"

    return (
        f"Promises to pay: {counts['promises_due']:,} due within {counts['promise_horizon_days']} days "
        f"({counts['promised_amount_due']:,.2f}{unit}), {counts['promises_broken_90d']:,} broken in the last "
        f"90 days. Disputes: {many(counts['disputes_open'], 'invoice')} open "
        f"({counts['disputed_amount']:,.2f}{unit}), left out of dunning."
    )
