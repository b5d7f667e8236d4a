"""Payment-behaviour signals (docs/domain.md, *Warning signals*, payment).

Each value is one whole-column computation over all customers at ``as_of``
and follows the point-in-time rule (docs/domain.md, *Point in time*): a payment or an event
dated after ``as_of`` has not happened yet, an invoice paid later is still
open. Windows run from the day after ``as_of - days`` up to and including
``as_of``; "the 90 days before" is the same length, ending 90 days earlier.
Python runs per customer hit only, in the evidence builders.

The severities are chosen for a watchlist read at ``warning`` and above:
strong evidence of a cash squeeze (bounced payments, broken promises, paying
weeks later than a quarter ago) reaches ``warning``; states with innocent
explanations (a well-used limit, a few partial payments) stay at ``info`` or
``watch``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from riskkit import _ledger, _pit, receivables
from riskkit import features as _features
from riskkit._numeric import group_count, group_sum, safe_divide
from riskkit.records import EventKind
from riskkit.signals._base import ThresholdSignal
from riskkit.signals._context import Context, context
from riskkit.signals._events import EventCountSignal, event_evidence
from riskkit.signals._registry import register

Evidence = Callable[[np.ndarray], list[str]]

#: Days in a quarter: the trend signals compare the last 90 days with the 90 before.
QUARTER = 90


# --- helpers ---------------------------------------------------------------------------------


def window(ctx: Context, dates: np.ndarray, days: int, lag: int = 0) -> np.ndarray:
    """Mask of ``dates`` in ``(as_of - lag - days, as_of - lag]`` (as :meth:`Context.window`, on day numbers)."""
    d = dates.astype("datetime64[D]", copy=False).view(np.int64)
    end = int(ctx.as_of.astype("datetime64[D]").astype(np.int64)) - lag
    return (d > end - days) & (d <= end)  # NaT is the smallest int64: never inside


def top_rows(row_customer: np.ndarray, mask: np.ndarray, customers: np.ndarray, n: int,
             order_by: np.ndarray | None = None, limit: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``limit`` rows of ``mask`` per customer code in ``customers``, largest ``order_by`` first.

    Returns the rows and their customers, grouped by customer. Vectorized, so
    the evidence touches at most ``limit`` rows per customer in Python.
    """
    wanted = np.zeros(n, dtype=bool)
    wanted[customers] = True
    rows = np.flatnonzero(mask & wanted[row_customer])
    keys = (rows,) if order_by is None else (rows, -order_by[rows])
    rows = rows[np.lexsort((*keys, row_customer[rows]))]
    cust = row_customer[rows]
    pos = np.arange(rows.size)
    first = np.ones(rows.size, dtype=bool)
    first[1:] = cust[1:] != cust[:-1]
    keep = pos - np.maximum.accumulate(np.where(first, pos, 0)) < limit
    return rows[keep], cust[keep]


def joined(customers: np.ndarray, row_customer: Sequence[int], labels: Sequence[str], empty: str = "") -> list[str]:
    """For each customer code in ``customers``: its ``labels`` (one per row of ``row_customer``), comma-joined."""
    found: dict[int, list[str]] = {}
    for c, label in zip(row_customer, labels, strict=True):
        found.setdefault(c, []).append(label)
    return [", ".join(found[c]) if c in found else empty for c in customers.tolist()]


# --- overdue ----------------------------------------------------------------------------


@register("overdue_days")
class OverdueDays(ThresholdSignal):
    """The oldest open invoice is overdue by more than 3 / 7 / 15 / 30 days.

    Value: days past due of the customer's oldest open overdue invoice at
    ``as_of`` (feature ``max_days_past_due``; 0 when nothing is overdue, NaN
    without invoices). An invoice paid after ``as_of`` is open at ``as_of``.

    Window: 0 (a state).

    Default thresholds (value above): ``info`` 3 days, ``watch`` 7,
    ``warning`` 15, ``critical`` 30 (docs/domain.md, *Warning signals*).

    Evidence: the ids of the (up to three) most overdue open invoices.
    """

    category = "payment"
    description = "Oldest open invoice overdue by more than the threshold (days)."
    thresholds = {"info": 3.0, "watch": 7.0, "warning": 15.0, "critical": 30.0}
    compare = ">"
    window_days = 0

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]]]:
        ctx = context(portfolio, as_of)

        def evidence(customers: np.ndarray) -> list[str]:
            inv = ctx.portfolio.invoices
            open_, dpd = ctx.open_invoices
            rows, owner = top_rows(inv["customer"], (open_ > 0) & (dpd > 0), customers, ctx.n, order_by=dpd)
            return [f"overdue invoices: {i}" for i in joined(customers, owner.tolist(), inv.take("id", rows).tolist())]

        return ctx.feature("max_days_past_due"), evidence


# --- lateness trends --------------------------------------------------------------------


def days_beyond_terms_window(ctx: Context, lag: int = 0, days: int = QUARTER) -> np.ndarray:
    """Amount-weighted days beyond terms of the window ``(end - days, end]``, ``end = as_of - lag``.

    The items weighed are the payments received in the window, each with its
    amount and ``max(0, paid - due)``, and the invoices open and overdue at
    the window's end, each with its open amount and its days past due then
    (a lower bound of how late it will be paid). Invoices not yet due are
    left out: their lateness is not known yet. NaN without any such item.
    """
    p, n = ctx.portfolio, ctx.n
    inv, pay = p.invoices, ctx.payments
    paid = window(ctx, pay["date"], days, lag)
    amount, cust = pay["amount"][paid], pay["customer"][paid]
    num = group_sum(amount * np.maximum(pay["days_late"][paid], 0.0), cust, n)
    den = group_sum(amount, cust, n)
    book = _ledger.open_book(p, ctx.as_of)  # the invoices open now, as rows
    if lag:
        # open then = open now + paid since, for the invoices issued by then: only the invoices open now
        # or paid since can be open then (the others add 0 to the sums)
        _, open_now = _pit.open_at(p, ctx.as_of)
        since = np.flatnonzero(window(ctx, pay["date"], lag))
        paid_since = np.bincount(pay["invoice"][since], weights=pay["amount"][since], minlength=open_now.size)
        maybe = np.zeros(open_now.size, dtype=bool)
        maybe[book.rows] = True
        maybe[pay["invoice"][since]] = True
        rows = np.flatnonzero(maybe)
        rows = rows[~window(ctx, inv["issued"][rows], lag)]
        open_ = open_now[rows] + paid_since[rows]
        dpd = (ctx.as_of - inv["due"][rows]).astype(np.int64) - lag
        overdue = (open_ > 0) & (dpd > 0)
        open_, dpd, cust = open_[overdue], dpd[overdue], inv["customer"][rows[overdue]]
    else:
        overdue = book.overdue()
        open_, dpd, cust = book.amount[overdue], book.dpd[overdue], book.customer[overdue]
    num += group_sum(open_ * dpd, cust, n)
    den += group_sum(open_, cust, n)
    return safe_divide(num, den)


@register("dbt_trend")
class DbtTrend(ThresholdSignal):
    """Days beyond terms of the last 90 days worse than those of the 90 days before.

    Value: ``DBT(last 90 days) - DBT(the 90 days before)``, in days. The DBT
    of a window is the amount-weighted days beyond terms of the payments
    received in it (``max(0, paid - due)`` each) and of the invoices open and
    overdue at its end (their days past due on that day); invoices not yet
    due are left out. Each window is read as it was known at its end. NaN
    when either window has no such item.

    Window: 180 days.

    Default thresholds (value at least): ``watch`` 10 days (docs/domain.md, *Warning signals*);
    ``warning`` 20 (three weeks slower than a quarter ago is rarely a slow
    patch); ``critical`` 45.

    Evidence: both DBTs and the invoices paid latest or most overdue in the
    last 90 days.

    Examples
    --------
    >>> import numpy as np, riskkit
    >>> from riskkit.signals import get
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 100.0, "paid_amount": 100.0, "paid_on": "2025-02-02"},
    ...               {"id": "I2", "customer_id": "C1", "issued": "2025-03-01", "due": "2025-04-30",
    ...                "amount": 300.0}],
    ...     as_of="2025-06-29")
    >>> # prior window (Dec 31, Mar 31]: I1 paid 2 days late; last window: I2 open, 60 days past due
    >>> hits = get("dbt_trend").evaluate(p, None, {"warning": np.array([20.0])})
    >>> hits.value.tolist(), hits.evidence[0]
    ([58.0], 'DBT 60.0 days in the last 90 days vs 2.0 in the 90 before; slowest invoices: I2')
    """

    category = "payment"
    description = "Days beyond terms of the last 90 days minus those of the 90 days before (days)."
    thresholds = {"watch": 10.0, "warning": 20.0, "critical": 45.0}
    compare = ">="
    window_days = 2 * QUARTER

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        last = days_beyond_terms_window(ctx)
        prior = days_beyond_terms_window(ctx, lag=QUARTER)

        def evidence(customers: np.ndarray) -> list[str]:
            inv = ctx.portfolio.invoices
            open_, dpd = ctx.open_invoices
            pay = ctx.payments
            paid = window(ctx, pay["date"], QUARTER) & (pay["days_late"] > 0)
            overdue = np.flatnonzero((open_ > 0) & (dpd > 0))
            # late payments and open overdue invoices of the last window, slowest first
            cust = np.concatenate([pay["customer"][paid], inv["customer"][overdue]])
            row = np.concatenate([pay["invoice"][paid], overdue])
            late = np.concatenate([pay["days_late"][paid], dpd[overdue].astype(np.float64)])
            # each invoice once, at its worst
            order = np.lexsort((-late, row))
            first = np.ones(order.size, dtype=bool)
            first[1:] = row[order][1:] != row[order][:-1]
            keep = order[first]
            cust, row, late = cust[keep], row[keep], late[keep]
            rows, owner = top_rows(cust, np.ones(cust.size, dtype=bool), customers, ctx.n, order_by=late)
            slowest = joined(customers, owner.tolist(), inv.take("id", row[rows]).tolist(), "none late")
            return [
                f"DBT {d1:.1f} days in the last 90 days vs {d0:.1f} in the 90 before; slowest invoices: {ids}"
                for d1, d0, ids in zip(last[customers].tolist(), prior[customers].tolist(), slowest, strict=True)
            ]

        return last - prior, evidence


@register("partial_payments")
class PartialPayments(ThresholdSignal):
    """Two or more partial payments in 90 days.

    Value: number of payments received in ``(as_of - 90 days, as_of]`` that
    left their invoice partly unpaid (feature ``partial_payments_90d``; a
    payment is partial by what was paid up to and including it, so a later
    payment of the rest does not change it).

    Window: 90 days.

    Default thresholds (value at least): ``watch`` 2 (docs/domain.md, *Warning signals*; project
    customers pay by instalment as a matter of course); ``warning`` 4 (a run
    of partial payments is a cash squeeze).

    Evidence: the invoices paid in part, latest first.
    """

    category = "payment"
    description = "Partial payments received in the last 90 days (count)."
    thresholds = {"watch": 2.0, "warning": 4.0}
    compare = ">="
    window_days = QUARTER

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)

        def evidence(customers: np.ndarray) -> list[str]:
            pay = ctx.payments
            mask = window(ctx, pay["date"], QUARTER) & pay["partial"]
            # one row per invoice: its last partial payment (events are sorted by invoice, then date)
            rows = np.flatnonzero(mask)
            invoice = pay["invoice"][rows]
            mask[rows[np.r_[invoice[:-1] == invoice[1:], False]]] = False
            rows, owner = top_rows(pay["customer"], mask, customers, ctx.n,
                                   order_by=pay["date"].view(np.int64).astype(np.float64))
            ids = ctx.portfolio.invoices.take("id", pay["invoice"][rows]).tolist()
            return [f"paid in part: {i}" for i in joined(customers, owner.tolist(), ids)]

        return ctx.feature("partial_payments_90d"), evidence


# --- events -----------------------------------------------------------------------------


@register("broken_promises")
class BrokenPromises(EventCountSignal):
    """Broken promises to pay.

    Value: number of ``broken_promise`` events dated in
    ``(as_of - 90 days, as_of]``.

    Window: 90 days.

    Default thresholds (value at least): ``warning`` 1 (the customer did not
    pay what it promised collections: short of cash or of good faith);
    ``critical`` 2 (twice in a quarter).

    Evidence: the broken promises (date and amount promised, when known),
    newest first.

    With a ``promises`` table, the promises the payments did not keep
    (:func:`riskkit.promises.broken_counts`, counted on the day they became
    broken) add to the events, and the evidence names them.
    """

    kinds = (EventKind.BROKEN_PROMISE,)
    category = "payment"
    description = "Broken promises to pay in the last 90 days (count)."
    thresholds = {"warning": 1.0, "critical": 2.0}
    window_days = QUARTER

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]]]:
        counts, evidence = super().values(portfolio, as_of)
        if not portfolio.promises.n_rows:
            return counts, evidence
        from riskkit import promises

        computed = promises.broken_counts(portfolio, as_of, int(self.window_days))

        def with_promises(customers: np.ndarray) -> list[str]:
            texts = evidence(customers)
            return [f"{t}{', ' if t else ''}{int(k)} promise(s) to pay not kept" if k else t
                    for t, k in zip(texts, computed[customers].tolist(), strict=True)]

        return counts + computed, with_promises


@register("bounced_payments")
class BouncedPayments(EventCountSignal):
    """Returned (bounced) payments.

    Value: number of ``bounced_payment`` events dated in
    ``(as_of - 90 days, as_of]``.

    Window: 90 days.

    Default thresholds (value at least): ``warning`` 1 (a payment returned
    unpaid is hard evidence of a cash shortage); ``critical`` 2.

    Evidence: the returned payments (date and amount, when known), newest
    first.
    """

    kinds = (EventKind.BOUNCED_PAYMENT,)
    category = "payment"
    description = "Returned (bounced) payments in the last 90 days (count)."
    thresholds = {"warning": 1.0, "critical": 2.0}
    window_days = QUARTER


@register("instrument_change")
class InstrumentChange(EventCountSignal):
    """Switch to longer payment instruments (e.g. bank acceptance drafts instead of transfers).

    Value: number of ``instrument_change`` events dated in
    ``(as_of - 180 days, as_of]``; a switch lasts, so the window is longer
    than for broken promises.

    Window: 180 days.

    Default thresholds (value at least): ``watch`` 1 (buying time, but also
    a treasury policy); ``warning`` 2.

    Evidence: the changes, newest first.
    """

    kinds = (EventKind.INSTRUMENT_CHANGE,)
    category = "payment"
    description = "Switches to longer payment instruments in the last 180 days (count)."
    thresholds = {"watch": 1.0, "warning": 2.0}
    window_days = 2 * QUARTER


@register("discount_stopped")
class DiscountStopped(ThresholdSignal):
    """An early payer stopped taking early-payment discounts.

    Value: how many of two indications show at ``as_of`` (0, 1 or 2):

    - a ``discount_stopped`` event dated in ``(as_of - 180 days, as_of]``;
    - the payments show it. An invoice is paid early when paid by its
      discount deadline, ``early_days`` (10) days before its due date:
      nobody pays that early but for a discount. Of the invoices whose
      deadline fell in the 305 days before the last 60, at least
      ``habit_share`` (60%) of the amount was paid early; of those whose
      deadline fell in the last 60 days, at most ``stopped_share`` (20%)
      was. Every deadline lies on or before ``as_of``, so both are known
      then; a customer without invoices in either period shows nothing.

    Window: 180 days (events); 365 days of discount deadlines (payments).

    Default thresholds (value at least): ``warning`` 1. Giving up a discount
    that is far dearer than any bank credit is what a customer short of cash
    does.

    Evidence: the recorded events and the early-paid shares.
    """

    category = "payment"
    description = "Indications (event, payment pattern) that an early payer stopped taking discounts (count)."
    thresholds = {"warning": 1.0}
    compare = ">="
    window_days = 2 * QUARTER
    #: Days before the due date by which a payment takes the discount.
    early_days = 10
    #: Days of discount deadlines read in all, and the most recent of them.
    habit_days = 365
    recent_days = 60
    #: Least share of the amount paid early that makes a habit, most that counts as stopped.
    habit_share = 0.6
    stopped_share = 0.2

    def early_shares(self, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
        """Per customer: the share of the amount paid early of the invoices whose discount deadline
        fell in the last ``recent_days``, and in the ``habit_days - recent_days`` before (NaN without any)."""
        inv, pay, n = ctx.portfolio.invoices, ctx.payments, ctx.n
        early = np.flatnonzero(pay["days_late"] <= -self.early_days)
        early_invoice = pay["invoice"][early]
        early_amount, early_customer = pay["amount"][early], pay["customer"][early]
        # an invoice due sooner than early_days after issue never had a discount deadline
        eligible = _ledger.days_between(inv["due"], inv["issued"]) >= self.early_days
        shares = []
        for days, lag in ((self.recent_days, 0), (self.habit_days - self.recent_days, self.recent_days)):
            # a deadline (due - early_days) in the window is a due date in it moved early_days later
            m = window(ctx, inv["due"], days, lag - self.early_days) & eligible
            e = m[early_invoice]
            shares.append(safe_divide(group_sum(early_amount[e], early_customer[e], n),
                                      group_sum(inv["amount"][m], inv["customer"][m], n)))
        return shares[0], shares[1]

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        recent, habit = self.early_shares(ctx)
        with np.errstate(invalid="ignore"):
            derived = (habit >= self.habit_share) & (recent <= self.stopped_share)
        kinds = (EventKind.DISCOUNT_STOPPED,)
        recorded = ctx.count_events(kinds, self.window_days) > 0

        def evidence(customers: np.ndarray) -> list[str]:
            events = event_evidence(ctx, ctx.event_mask(kinds, self.window_days), customers)
            out = []
            for c, note in zip(customers.tolist(), events, strict=True):
                parts = [note] if note else []
                if derived[c]:
                    parts.append(f"paid {habit[c]:.0%} early before, {recent[c]:.0%} of the invoices whose "
                                 f"discount deadline fell in the last {self.recent_days} days")
                out.append("; ".join(parts))
            return out

        return recorded.astype(np.float64) + derived, evidence


# --- payment index ----------------------------------------------------------------------


@register("payment_index_low")
class PaymentIndexLow(ThresholdSignal):
    """Payment index below 50 (the high-risk band).

    Value: the payment index (1-100, PAYDEX-style, docs/domain.md, *Receivables metrics*) of the
    payments received in ``(as_of - 365 days, as_of]`` (feature
    ``payment_index``); NaN without payments.

    Window: 365 days.

    Default thresholds (value below): ``watch`` 50 (docs/domain.md, *Warning signals*: 30 days
    late on average); ``warning`` 40 (60 days late); ``critical`` 30 (90
    days late).

    Evidence: the index and the invoices paid latest in the window.
    """

    category = "payment"
    description = "Payment index (1-100) of the last 365 days below the threshold."
    thresholds = {"watch": 50.0, "warning": 40.0, "critical": 30.0}
    compare = "<"
    window_days = _features.PAYMENT_INDEX_WINDOW

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        index = ctx.feature("payment_index")

        def evidence(customers: np.ndarray) -> list[str]:
            pay = ctx.payments
            mask = window(ctx, pay["date"], self.window_days) & (pay["days_late"] > 0)
            rows, owner = top_rows(pay["customer"], mask, customers, ctx.n, order_by=pay["days_late"])
            ids = ctx.portfolio.invoices.take("id", pay["invoice"][rows]).tolist()
            labels = [f"{i} ({d:.0f} days late)" for i, d in zip(ids, pay["days_late"][rows].tolist(), strict=True)]
            latest = joined(customers, owner.tolist(), labels, "none late")
            return [f"payment index {x:.1f}; paid latest: {late}"
                    for x, late in zip(index[customers].tolist(), latest, strict=True)]

        return index, evidence


def payment_index_window(ctx: Context, lag: int = 0, days: int = QUARTER) -> np.ndarray:
    """Payment index of the payments received in ``(as_of - lag - days, as_of - lag]``; NaN without any."""
    pay = ctx.payments
    m = window(ctx, pay["date"], days, lag)
    amount, cust = pay["amount"][m], pay["customer"][m]
    points = receivables.payment_points(pay["days_late"][m])
    return safe_divide(group_sum(points * amount, cust, ctx.n), group_sum(amount, cust, ctx.n))


@register("payment_index_drop")
class PaymentIndexDrop(ThresholdSignal):
    """Payment index down 15 points or more in a quarter.

    Value: the payment index (docs/domain.md, *Receivables metrics*) of the payments received in the
    90 days before the last 90, minus that of the payments received in the
    last 90 days, in points (positive = paying worse). NaN when either
    quarter has no payment.

    Window: 180 days.

    Default thresholds (value at least): ``watch`` 15 (docs/domain.md, *Warning signals*);
    ``warning`` 25 (e.g. from on time to 22 days late); ``critical`` 40.

    Evidence: both indices and the number of payments behind each.
    """

    category = "payment"
    description = "Payment index of the quarter before minus that of the last quarter (points)."
    thresholds = {"watch": 15.0, "warning": 25.0, "critical": 40.0}
    compare = ">="
    window_days = 2 * QUARTER

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        last = payment_index_window(ctx)
        prior = payment_index_window(ctx, lag=QUARTER)

        def evidence(customers: np.ndarray) -> list[str]:
            pay = ctx.payments
            n_last = group_count(pay["customer"][window(ctx, pay["date"], QUARTER)], ctx.n)[customers]
            n_prior = group_count(pay["customer"][window(ctx, pay["date"], QUARTER, QUARTER)], ctx.n)[customers]
            return [
                f"payment index {x1:.1f} in the last 90 days ({k1} payments) vs {x0:.1f} in the 90 before "
                f"({k0} payments)"
                for x1, k1, x0, k0 in zip(last[customers].tolist(), n_last.tolist(), prior[customers].tolist(),
                                          n_prior.tolist(), strict=True)
            ]

        return prior - last, evidence


# --- exposure ---------------------------------------------------------------------------


def _exposure_evidence(ctx: Context) -> Evidence:
    def evidence(customers: np.ndarray) -> list[str]:
        exposure = ctx.feature("exposure")[customers].tolist()
        limit = ctx.feature("credit_limit")[customers].tolist()
        return [f"exposure {e:,.2f} of limit {m:,.2f}" for e, m in zip(exposure, limit, strict=True)]

    return evidence


@register("utilization_high")
class UtilizationHigh(ThresholdSignal):
    """High utilisation of the credit limit.

    Value: counted exposure / credit limit at ``as_of`` (feature
    ``utilization``, docs/domain.md, *Receivables metrics*); NaN without a positive limit. The open
    invoices are those at ``as_of``; open orders, deliveries and special
    exposure come from the exposures table, which holds one (current) row
    per customer.

    Window: 0 (a state).

    Default thresholds (value at least): ``info`` 0.8; ``watch`` 0.9
    (docs/domain.md, *Warning signals*). A customer using its limit fully is not in trouble by
    that alone, so this stays below ``warning``; :class:`OverLimit` takes
    over beyond the limit.

    Evidence: exposure and limit.
    """

    category = "payment"
    description = "Exposure / credit limit at or above the threshold (ratio)."
    thresholds = {"info": 0.8, "watch": 0.9}
    compare = ">="
    window_days = 0

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        return ctx.feature("utilization"), _exposure_evidence(ctx)


@register("over_limit")
class OverLimit(ThresholdSignal):
    """Exposure beyond the credit limit.

    Value: counted exposure / credit limit at ``as_of`` (feature
    ``utilization``, as for :class:`UtilizationHigh`); NaN without a
    positive limit.

    Window: 0 (a state).

    Default thresholds (value above): ``watch`` 1.0 (docs/domain.md, *Warning signals*: over 100%
    of the limit); ``warning`` 2.0 (twice the limit: unpaid invoices piling
    up, or a limit nobody maintains).

    Evidence: exposure and limit.
    """

    category = "payment"
    description = "Exposure / credit limit above the threshold (ratio)."
    thresholds = {"watch": 1.0, "warning": 2.0}
    compare = ">"
    window_days = 0

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        return ctx.feature("utilization"), _exposure_evidence(ctx)
