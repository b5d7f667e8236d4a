"""Point-in-time risk features per customer, and their catalogue.

:meth:`riskkit.Portfolio.features` calls :func:`compute`; every feature is a
whole-column numpy computation (group-bys with ``bincount``), never a loop
over customers. The point-in-time rule (docs/domain.md, *Point in time*) holds throughout: an
invoice issued after ``as_of`` does not exist yet, a payment after ``as_of``
has not happened (the invoice is still open), a statement whose period ends
(or that is published) after ``as_of`` is unknown.

Missing inputs give NaN, never 0: a customer with no statement has NaN
ratios; a customer with no invoices has ``open_amount`` 0 (nothing is owed)
but NaN for averages and ratios over invoices.

Amounts too large to add up are an error, never ``inf`` or NaN: when a
customer's amounts summed per customer (its open items, credits, credit
sales, payments, orders, exposure) or weighted by days overflow float64
(beyond about 1.8e308), :func:`compute` raises
:class:`~riskkit.errors.ValidationError` naming the customer ids and the
feature. Each amount alone is finite (the ingest refuses others); only their
sums can overflow.

Examples
--------
>>> import riskkit
>>> names = [f.name for f in riskkit.features.catalogue()]
>>> names[:4]
['open_amount', 'overdue_amount', 'overdue_ratio', 'aging_current']
>>> riskkit.features.describe("add_90d")
'Average days delinquent over the last 90 days: dso_90d - bpdso_90d (days).'
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from riskkit import _ledger, finance, receivables
from riskkit._frame import FeatureFrame
from riskkit._memory import give_back_after, large_book, large_step
from riskkit._numeric import group_count, group_max, group_sum, safe_divide
from riskkit._pit import latest_statements, statement_column, window
from riskkit.errors import SchemaError, ValidationError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["FeatureInfo", "catalogue", "compute", "describe"]

#: Days in a "_90d" window and in the "12m" window; windows are (as_of - days, as_of].
WINDOW_90D = 90
WINDOW_12M = 365
#: Payments within this many days feed ``payment_index``.
PAYMENT_INDEX_WINDOW = 365


@attrs.frozen
class FeatureInfo:
    """One feature: its name, group, unit and definition."""

    name: str
    group: str
    unit: str
    definition: str


_CATALOGUE: tuple[FeatureInfo, ...] = tuple(
    FeatureInfo(*row)
    for row in [
        (
            "open_amount",
            "receivables",
            "money",
            "The customer's net open balance at as_of: open invoices less credit_balance (credit notes, "
            "unapplied cash, payments ahead of their invoice); below 0 for a credit balance. A document "
            "settled within the load's tolerance is not open.",
        ),
        (
            "overdue_amount",
            "receivables",
            "money",
            "Open amount of invoices past due (as_of > due); credit notes and cash carry no days past due.",
        ),
        (
            "overdue_ratio",
            "receivables",
            "ratio",
            "overdue_amount / open amount of invoices (before credits); NaN when no invoice is open.",
        ),
        ("aging_current", "receivables", "money", "Open amount of invoices not yet due (days past due <= 0)."),
        ("aging_1_30", "receivables", "money", "Open amount of invoices 1-30 days past due."),
        ("aging_31_60", "receivables", "money", "Open amount of invoices 31-60 days past due."),
        ("aging_61_90", "receivables", "money", "Open amount of invoices 61-90 days past due."),
        ("aging_91_plus", "receivables", "money", "Open amount of invoices 91 or more days past due."),
        (
            "credit_balance",
            "receivables",
            "money",
            "Credits on the account not applied to an invoice, as a positive amount: credit notes on account, "
            "unapplied cash, the excess of overpayments beyond the tolerance, payments ahead of their invoice; "
            "less refunds beyond a credit. The aging buckets + unapplied items: open_amount = "
            "sum(aging) - credit_balance.",
        ),
        (
            "max_days_past_due",
            "receivables",
            "days",
            "Days past due of the oldest open overdue invoice; 0 when none is overdue; NaN without invoices.",
        ),
        (
            "dbt_weighted",
            "receivables",
            "days",
            "Days beyond terms, weighted by open amount, of the open overdue invoices; 0 when none is "
            "overdue; NaN without invoices.",
        ),
        (
            "wadl_90d",
            "payment",
            "days",
            "Weighted average days late of payments received in the last 90 days: "
            "sum(amount x max(0, paid - due)) / sum(amount), amount being the part applied to the invoice "
            "(cash on account and refunds are not payments of an invoice).",
        ),
        (
            "payment_index",
            "payment",
            "points",
            "Payment index 1-100 (PAYDEX-style, docs/domain.md, *Receivables metrics*) of payments received in the last 365 days, "
            "amount-weighted.",
        ),
        (
            "dso_90d",
            "receivables",
            "days",
            "Days sales outstanding: open_amount / credit sales of the last 90 days x 90; credit sales are "
            "net of credit notes issued in the window.",
        ),
        (
            "bpdso_90d",
            "receivables",
            "days",
            "Best-possible DSO: current AR (open_amount - overdue_amount) / credit sales of the last 90 days x 90.",
        ),
        ("add_90d", "receivables", "days", "Average days delinquent over the last 90 days: dso_90d - bpdso_90d (days)."),
        (
            "cei_90d",
            "receivables",
            "percent",
            "Collection effectiveness index over the last 90 days: (AR begin + sales - AR end) / "
            "(AR begin + sales - current AR end) x 100.",
        ),
        (
            "exposure",
            "exposure",
            "money",
            "Counted exposure: net open balance + open orders + open deliveries + special exposure, less the "
            "categories declared statistical; a credit balance lowers it, never below 0.",
        ),
        ("credit_limit", "exposure", "money", "Current credit limit; NaN without an exposure row."),
        ("utilization", "exposure", "ratio", "exposure / credit_limit; NaN without a positive limit."),
        (
            "uninsured_exposure",
            "exposure",
            "money",
            "exposure less the credit-insurance cover in force at as_of, min(exposure, insured limit) x "
            "indemnity (riskkit.insurance); the exposure itself without an insured limit in force.",
        ),
        (
            "order_trend_3m",
            "ordering",
            "ratio",
            "Orders of the last 90 days / orders of the 90 days before (1 = flat); NaN without earlier orders.",
        ),
        ("current_ratio", "financial", "ratio", "Current assets / current liabilities (latest statement)."),
        ("debt_ratio", "financial", "ratio", "Total liabilities / total assets (latest statement)."),
        ("net_margin", "financial", "ratio", "Net income / revenue (latest statement)."),
        ("ocf_to_liabilities", "financial", "ratio", "Operating cash flow / total liabilities (latest statement)."),
        ("altman_z", "financial", "score", "Altman Z (1968); needs market value of equity."),
        ("altman_z_private", "financial", "score", "Altman Z' for private firms (book equity)."),
        ("altman_z_nonmfg", "financial", "score", "Altman Z'' for non-manufacturers."),
        ("zmijewski_p", "financial", "probability", "Zmijewski (1984) probit probability of distress."),
        (
            "ohlson_p",
            "financial",
            "probability",
            "Ohlson O-score probability (price index 1, FFO = operating cash flow); needs the previous "
            "statement.",
        ),
        ("years_in_business", "profile", "years", "(as_of - established) / 365.25; NaN when unknown."),
        ("industry_risk", "profile", "index", "The user-supplied industry risk index of the customer."),
        (
            "collateral_coverage",
            "profile",
            "ratio",
            "Guarantees and credit insurance (secured_amount) / exposure; NaN when secured_amount is not "
            "given (unknown) or exposure is 0; 0 only when secured_amount is given as 0.",
        ),
        ("legal_events_12m", "legal", "count", "Events of category 'legal' in the last 365 days."),
        ("broken_promises_90d", "payment", "count", "Broken promises to pay in the last 90 days."),
        ("bounced_payments_90d", "payment", "count", "Returned (bounced) payments in the last 90 days."),
        (
            "partial_payments_90d",
            "payment",
            "count",
            "Payments in the last 90 days that left their invoice open beyond the tolerance; NaN for a "
            "customer known only from a residual export (no payment history).",
        ),
        (
            "in_default",
            "default",
            "flag",
            "1 when the customer is in default at as_of (docs/domain.md, default): more than 90 days past due "
            "on a material amount (above 500 and above 1% of its exposure), or an unlikeliness-to-pay event "
            "(insolvency filing, enforcement, restructuring, write-off) in the last 365 days; else 0. "
            "Portfolio.default_definition sets the thresholds.",
        ),
        (
            "days_late_90d",
            "change",
            "days",
            "How late the customer paid in the last 90 days: amount-weighted days late of the payments received "
            "in the window and of the invoices still open and overdue at its end (their days past due so far); "
            "NaN without any.",
        ),
        (
            "days_late_change",
            "change",
            "days",
            "days_late_90d minus the same measure over the customer's own previous 12 months (days 91-455 "
            "before as_of): positive when it pays later than its habit; NaN without history.",
        ),
        (
            "dbt_change_90d",
            "change",
            "days",
            "dbt_weighted now minus dbt_weighted 90 days earlier; NaN when either is unknown.",
        ),
        (
            "payment_index_change",
            "change",
            "points",
            "Payment index of payments received in the last 90 days minus that of the customer's previous 12 "
            "months: negative when it pays worse than its habit; NaN without both.",
        ),
        (
            "late_share_change",
            "change",
            "ratio",
            "Share of payments received late (after due) in the last 90 days minus that share over the previous "
            "12 months; NaN without both.",
        ),
        (
            "utilization_change_90d",
            "change",
            "ratio",
            "utilization now minus utilization with the open balance of 90 days earlier (the same limit and "
            "non-invoice exposure); NaN without a positive limit.",
        ),
        (
            "orders_yoy_3m",
            "change",
            "ratio",
            "Orders of the last 90 days / orders of the same 90 days a year earlier (1 = as last year); NaN "
            "without orders then.",
        ),
        (
            "orders_vs_average_3m",
            "change",
            "ratio",
            "Orders of the last 90 days / the customer's average 90 days over its previous 12 months (days "
            "91-455 before as_of); NaN without orders then.",
        ),
        (
            "dbt_industry_pct",
            "peers",
            "share",
            "Position of dbt_weighted among the customers of the same industry: the share of peers paying no "
            "later (0-1, higher = later than peers); NaN without an industry or with fewer than 5 peers.",
        ),
        (
            "payment_index_industry_pct",
            "peers",
            "share",
            "Position of payment_index among the customers of the same industry: the share of peers with an "
            "index no higher (0-1, lower = worse than peers); NaN without an industry or fewer than 5 peers.",
        ),
    ]
)

_BY_NAME = {f.name: f for f in _CATALOGUE}


def catalogue() -> tuple[FeatureInfo, ...]:
    """Every feature :meth:`Portfolio.features` returns, in column order, with its definition."""
    return _CATALOGUE


def describe(name: str) -> str:
    """The definition of feature ``name``; an unknown name lists the known ones."""
    try:
        return _BY_NAME[name].definition
    except KeyError:
        raise SchemaError(f"unknown feature {name!r}; features: {', '.join(_BY_NAME)}") from None


# --- computation ----------------------------------------------------------------


def payment_events(p: Portfolio) -> dict[str, np.ndarray]:
    """Every payment of an invoice as one row: the invoices' own ``paid_amount``/``paid_on`` and the payments table.

    Columns: ``invoice`` (invoice row), ``customer``, ``date``, ``amount``
    (the part applied to the invoice, reporting currency), ``days_late``
    (date - due, negative when early) and ``partial`` (the invoice was still
    open after this payment, beyond the tolerance). Cash on account, the
    excess of an overpayment, refunds and credit notes are not payments of an
    invoice and are not rows here. Cached per portfolio.
    """
    return _ledger.payment_events(p)


def _lateness(p: Portfolio, memo: _Memo, end: np.datetime64, days: int, keep: bool) -> tuple[np.ndarray, ...]:
    """Per customer, over ``(end - days, end]``: amount-weighted days late of the payments received and of
    the invoices open and overdue at ``end`` (days past due so far), and the payment index and late share
    of the payments alone. ``keep``: whether the window's payments stay for other families."""
    n = p.n_customers
    window_ = memo.paid(end, days, keep=keep)
    amount, late, cust, points = window_
    weight = np.maximum(late, 0.0)
    weight *= amount  # in place: a year's window of a large book is millions of payments
    num = group_sum(weight, cust, n)
    del weight
    paid = memo.paid_sum(end, days, window_)
    den = paid.copy()
    book = _ledger.open_book(p, end)
    overdue = book.overdue()
    open_end, dpd, owner = book.amount[overdue], book.dpd[overdue], book.customer[overdue]
    num += group_sum(open_end * dpd, owner, n)
    den += group_sum(open_end, owner, n)
    # (the points are the caller's own when the window is not kept: weighted in place)
    weighted = points * amount if memo.kept(end, days) else np.multiply(points, amount, out=points)
    index = safe_divide(group_sum(weighted, cust, n), paid)  # receivables.payment_index
    del weighted
    late_share = safe_divide(group_sum((late > 0).astype(np.float64), cust, n), group_count(cust, n))
    return safe_divide(num, den), index, late_share


def _payment_points(p: Portfolio, late: np.ndarray) -> np.ndarray:
    """The payment-index points (:func:`riskkit.receivables.payment_points`) of payment events ``late`` days late.

    Days late are whole days within a few years: the points of each day in
    their range are computed once, kept with ``p``, and looked up.
    """
    table = _points_by_day(p)
    if table is None:
        return receivables.payment_points(late)
    low, points = table
    day = late.astype(np.int64)
    day -= low  # in place: a year's window of a large book is millions of payments
    return points.take(day)


def _points_by_day(p: Portfolio) -> tuple[int, np.ndarray] | None:
    """(first day late, points of each day late from it) covering every payment event, or None when the
    days late are not whole days within 100,000 days."""

    def build() -> tuple[int, np.ndarray] | None:
        late = payment_events(p)["days_late"]
        if late.size:
            low, high = float(late.min()), float(late.max())
            if np.isfinite(low) and np.isfinite(high) and high - low <= 100_000 and bool(
                    (late == np.round(late)).all()):
                return int(low), receivables.payment_points(np.arange(int(low), int(high) + 1, dtype=np.float64))
        return None

    return p._cached("features.payment_points", build, inherit=True)


class _Memo:
    """What several feature families of one :func:`compute` read: computed once, on first use."""

    def __init__(self, p: Portfolio) -> None:
        self.p = p
        self._paid: dict[tuple[np.datetime64, int], tuple[np.ndarray, ...]] = {}
        self._rows: dict[tuple[np.datetime64, int], np.ndarray] = {}
        self._sums: dict[tuple[np.datetime64, int], np.ndarray] = {}
        self._orders: dict[tuple[int, int], np.ndarray] = {}

    @property
    def ev(self) -> dict[str, np.ndarray]:
        """The payment events (:func:`payment_events`), read from the ledger on first use."""
        return payment_events(self.p)

    def paid(self, end: np.datetime64, days: int, keep: bool = True) -> tuple[np.ndarray, ...]:
        """The payments received in ``(end - days, end]``: amount, days late, customer and payment points.

        ``keep=False`` for a window one family reads: not kept for the rest of the computation (a year's
        window of a large book is most of its payment events).
        """
        key = (end, days)
        if key in self._paid:
            return self._paid[key]
        ev = self.ev
        rows = np.flatnonzero(window(ev["date"], end, days))
        amount, late, cust = ev["amount"][rows], ev["days_late"][rows], ev["customer"][rows]
        if keep:
            self._rows[key] = rows  # before _paid: another thread may read both once _paid has the key
        del rows  # (not kept: gone before the points are computed)
        paid = (amount, late, cust, _payment_points(self.p, late))
        if keep:
            self._paid[key] = paid
        return paid

    def kept(self, end: np.datetime64, days: int) -> bool:
        """Whether the window of :meth:`paid` is kept: the arrays of one that is not are the caller's own."""
        return (end, days) in self._paid

    def paid_sum(self, end: np.datetime64, days: int, paid: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
        """Per customer: the amount of the payments of :meth:`paid` (given as ``paid`` when not kept)."""
        key = (end, days)
        if key not in self._sums:
            amount, _, cust, _ = self.paid(end, days) if paid is None else paid
            self._sums[key] = group_sum(amount, cust, self.p.n_customers)
        return self._sums[key]

    def paid_partial(self, end: np.datetime64, days: int) -> np.ndarray:
        """Of the payments of :meth:`paid`: whether each left its invoice partly unpaid."""
        self.paid(end, days)
        return self.ev["partial"][self._rows[(end, days)]]

    def orders(self, as_of: np.datetime64, days: int, lag: int = 0) -> np.ndarray:
        """Per customer: the amount of the orders dated in ``(as_of - lag - days, as_of - lag]``."""
        key = (days, lag)
        if key not in self._orders:
            od = self.p.orders
            rows = np.flatnonzero(window(od["date"], as_of, days, lag=lag))  # the others add 0
            self._orders[key] = group_sum(od["amount"][rows], od["customer"][rows], self.p.n_customers)
        return self._orders[key]


#: Features that place a customer among its industry peers, and the feature each one ranks.
PEER_FEATURES = {"dbt_industry_pct": "dbt_weighted", "payment_index_industry_pct": "payment_index"}
#: Fewest peers (customers of the industry with a value) for a position to be given.
MIN_PEERS = 5


def peer_percentile(
    values: np.ndarray,
    groups: np.ndarray,
    ref_values: np.ndarray | None = None,
    ref_groups: np.ndarray | None = None,
    min_peers: int = MIN_PEERS,
) -> np.ndarray:
    """Each value's position among the reference values of its group: the share at or below it (ties half).

    The reference is ``values``/``groups`` themselves by default; a
    partitioned computation passes the whole book's. NaN for a missing value,
    an empty group name, or a group with fewer than ``min_peers`` reference
    values. Vectorised: one sort of the reference.

    Examples
    --------
    >>> v = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 9.0])
    >>> peer_percentile(v, np.array(["a"] * 5 + ["b"], dtype=object)).tolist()
    [0.1, 0.3, 0.5, 0.7, 0.9, nan]
    """
    if ref_values is None or ref_groups is None:
        have = groups != ""
        names, code = np.unique(np.asarray(groups)[have].astype(str), return_inverse=True)
        codes = np.full(values.size, -1, dtype=np.int64)
        codes[have] = code.ravel()
        return _peer_percentile_self(values, codes, min_peers)
    out = np.full(values.size, np.nan)
    have = ~np.isnan(values) & (groups != "")
    ref_have = ~np.isnan(ref_values) & (ref_groups != "")
    if not have.any() or not ref_have.any():
        return out
    names, code = np.unique(
        np.concatenate([ref_groups[ref_have], groups[have]]).astype(str), return_inverse=True
    )
    _, rank = np.unique(np.concatenate([ref_values[ref_have], values[have]]), return_inverse=True)
    key = code.ravel().astype(np.int64) * (int(rank.max()) + 1) + rank.ravel()  # group, then value
    m = int(ref_have.sum())
    ref_key, ref_code = np.sort(key[:m]), code.ravel()[:m]
    own_key, own_code = key[m:], code.ravel()[m:]
    size = np.bincount(ref_code, minlength=names.size)
    start = np.r_[0, np.cumsum(size)[:-1]][own_code]
    below = np.searchsorted(ref_key, own_key, side="left") - start
    equal = np.searchsorted(ref_key, own_key, side="right") - start - below
    peers = size[own_code]
    with np.errstate(invalid="ignore", divide="ignore"):
        out[have] = np.where(peers >= min_peers, (below + 0.5 * equal) / peers, np.nan)
    return out


def _peer_percentile_self(values: np.ndarray, codes: np.ndarray, min_peers: int = MIN_PEERS) -> np.ndarray:
    """:func:`peer_percentile` of ``values`` among themselves, groups given as integer codes (-1: none).

    One sort by (group, value); each value's peers below and equal to it are
    read off the runs of that order, so no text is sorted.
    """
    out = np.full(values.size, np.nan)
    rows = np.flatnonzero(~np.isnan(values) & (codes >= 0))
    if not rows.size:
        return out
    v, g = values[rows], codes[rows]
    order = np.argsort(v, kind="stable")
    if g.max() < np.iinfo(np.int16).max:
        g = g.astype(np.int16)  # a stable sort of small integers is a radix sort
    order = order[np.argsort(g[order], kind="stable")]  # by group, then value: np.lexsort((v, g))
    v, g = v[order], g[order]
    k = np.arange(rows.size)
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, v[1:] != v[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, k, 0))
    run_start = np.maximum.accumulate(np.where(new_value, k, 0))
    run_end = np.r_[np.flatnonzero(new_value)[1:], rows.size]  # per run
    group_end = np.r_[np.flatnonzero(new_group)[1:], rows.size]  # per group
    below = run_start - group_start
    equal = run_end[np.cumsum(new_value) - 1] - run_start
    peers = group_end[np.cumsum(new_group) - 1] - group_start
    with np.errstate(invalid="ignore", divide="ignore"):
        out[rows[order]] = np.where(peers >= min_peers, (below + 0.5 * equal) / peers, np.nan)
    return out


def _industry_codes(p: Portfolio) -> np.ndarray:
    """Each customer's industry as an integer code (-1 without one), kept with the Portfolio."""

    def build() -> np.ndarray:
        # a code per distinct industry, in order of appearance (no text is sorted); none: -1
        industry = p.customers["industry"].tolist()
        code = {k: i for i, k in enumerate(dict.fromkeys(industry))}
        code[""] = -1
        return np.fromiter(map(code.__getitem__, industry), dtype=np.int64, count=len(industry))

    return p._cached("features.industry_codes", build, inherit=True)


def _trends(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Change against the customer's own past in payments (no other family's columns read)."""
    _trend_columns(cols, _recent_lateness(p, as_of, memo), _prior_lateness(p, as_of, memo))


def _recent_lateness(p: Portfolio, as_of: np.datetime64, memo: _Memo) -> tuple[np.ndarray, ...]:
    """:func:`_lateness` of the last 90 days (their payments kept: the payment behaviour reads them too)."""
    return _lateness(p, memo, as_of, WINDOW_90D, keep=True)


def _prior_lateness(p: Portfolio, as_of: np.datetime64, memo: _Memo) -> tuple[np.ndarray, ...]:
    """:func:`_lateness` of the year before the last 90 days."""
    return _lateness(p, memo, as_of - np.timedelta64(WINDOW_90D, "D"), WINDOW_12M, keep=False)


def _trend_columns(cols: dict[str, np.ndarray], recent: tuple[np.ndarray, ...], prior: tuple[np.ndarray, ...]) -> None:
    """The trends' columns from the lateness of the last 90 days and of the year before them."""
    recent_late, recent_index, recent_share = recent
    prior_late, prior_index, prior_share = prior
    cols["days_late_90d"] = recent_late
    cols["days_late_change"] = recent_late - prior_late
    cols["payment_index_change"] = recent_index - prior_index
    cols["late_share_change"] = recent_share - prior_share


def _order_trends(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Orders against the same months a year before and against the customer's own average quarter
    (compute has refused orders of the last 455 days that overflow when summed)."""
    last3 = memo.orders(as_of, WINDOW_90D)
    year_ago = memo.orders(as_of, WINDOW_90D, lag=WINDOW_12M)
    prior_year = memo.orders(as_of, WINDOW_12M, lag=WINDOW_90D)
    cols["orders_yoy_3m"] = safe_divide(last3, year_ago)
    cols["orders_vs_average_3m"] = safe_divide(last3, prior_year * (WINDOW_90D / WINDOW_12M))


def _change_90d(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Change against the customer's own past: DBT and utilisation now against 90 days ago, from the open
    items then (reads the receivables and the exposure)."""
    n = p.n_customers
    prior_end = as_of - np.timedelta64(WINDOW_90D, "D")
    # DBT and utilisation 90 days ago, from the open items then (unknown ones count as 0)
    then = _ledger.open_book(p, prior_end)
    overdue_then = then.overdue()
    dbt_then = receivables.days_beyond_terms(then.amount[overdue_then], then.dpd[overdue_then],
                                             then.customer[overdue_then], n)
    had_invoices = first_issued(p, debit_only=False) <= _day(prior_end)  # a document issued by then
    dbt_then = np.where(had_invoices & np.isnan(dbt_then), 0.0, dbt_then)
    cols["dbt_change_90d"] = cols["dbt_weighted"] - dbt_then
    balance_then = _ledger.balance_at(p, prior_end)
    net_then = group_sum(then.amount, then.customer, n) + balance_then
    exposure_then = np.maximum(cols["exposure"] - cols["open_amount"] + net_then, 0.0)
    limit = cols["credit_limit"]
    cols["utilization_change_90d"] = cols["utilization"] - safe_divide(exposure_then, np.where(limit > 0, limit, np.nan))


def _peers(p: Portfolio, cols: dict[str, np.ndarray]) -> None:
    """Each customer's position within its industry, for the peer features not yet in ``cols`` whose
    ranked feature is (so each of two threads computes those of its own families)."""
    for name, ranked in PEER_FEATURES.items():
        if ranked in cols and name not in cols:
            cols[name] = _peer_percentile_self(cols[ranked], _industry_codes(p))


def first_issued(p: Portfolio, debit_only: bool) -> np.ndarray:
    """Per customer: the day number of its first invoice (``debit_only``) or document; the largest int64 without.

    Kept with the Portfolio: features, and the policy's history of each customer, read it.
    """

    def build() -> np.ndarray:
        inv = p.invoices
        if debit_only and not inv["credit"].any():
            return first_issued(p, debit_only=False)  # every document an invoice
        none = np.iinfo(np.int64).max
        days = inv["issued"].astype("datetime64[D]", copy=False).view(np.int64)  # NaT: the smallest int64
        skip = days == np.iinfo(np.int64).min
        if debit_only:
            skip |= inv["credit"]
        first = np.full(p.n_customers, none, dtype=np.int64)
        np.minimum.at(first, inv["customer"], np.where(skip, none, days) if skip.any() else days)
        return first

    return p._cached("features.first_issued", build, at=debit_only, inherit=True)


def _day(when: np.datetime64) -> int:
    """The day number of a date (days since 1970-01-01)."""
    return int(np.asarray(when).astype("datetime64[D]").astype(np.int64))


def _in_default(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> np.ndarray:
    definition = p.default_definition
    n = p.n_customers
    book = _ledger.open_book(p, as_of)
    late = book.dpd > definition.days_past_due
    past_due = group_sum(book.amount[late], book.customer[late], n)
    exposure = np.maximum(np.nan_to_num(cols["exposure"]), cols["overdue_amount"] + cols["aging_current"])
    evt = p.events
    utp = np.isin(evt["kind"], np.array(definition.events, dtype=object)) & window(
        evt["date"], as_of, definition.event_days
    )
    events = group_count(evt["customer"][utp], n)
    return definition.flags(past_due, exposure, events)


#: Features checked for overflow once computed: every money feature, the amount-weighted averages and the
#: DSO family (amount x days products).
_OVERFLOW_CHECKED = ("dbt_weighted", "wadl_90d", "payment_index", "days_late_90d", "days_late_change",
                     "payment_index_change", "dbt_change_90d", "dso_90d", "bpdso_90d", "add_90d", "cei_90d")


def _refuse_overflow(p: Portfolio, feature: str, values: np.ndarray, what: str = "") -> None:
    """Raise naming the customers whose ``values`` (a per-customer amount sum) overflowed to +-inf."""
    bad = np.flatnonzero(np.isinf(values))
    if not bad.size:
        return
    ids = p.customer_ids[bad].tolist()
    shown = ", ".join(map(repr, ids[:5])) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    raise ValidationError(
        f"customer(s) {shown}: {feature} cannot be computed: {what or 'the sum of their amounts'} overflows "
        "(beyond about 1.8e308). Each amount is finite but together they are too large to add up; "
        "check those customers' amounts (a unit or currency mix-up?)",
        table="customers",
        field=feature,
        value=ids[0],
    )


def compute(p: Portfolio, as_of: np.datetime64) -> FeatureFrame:
    """All catalogue features for every customer of ``p`` at ``as_of``, family by family.

    Raises
    ------
    ValidationError
        A customer's amounts overflow float64 when summed (see the module
        documentation); the message names the customers and the feature.
    """
    with large_step(p):  # a large book: see riskkit._memory
        return _compute(p, as_of)


def _compute(p: Portfolio, as_of: np.datetime64) -> FeatureFrame:
    n = p.n_customers
    cols: dict[str, np.ndarray] = {}
    memo = _Memo(p)
    if _threaded(p):
        _families_in_two_threads(p, as_of, cols, memo)
    else:
        for family in _FAMILIES:
            family(p, as_of, cols, memo)
    _peers(p, cols)
    del memo  # the payment windows it kept go before the frame is built
    cols["in_default"] = _in_default(p, as_of, cols).astype(np.float64)

    for info in _CATALOGUE:
        if info.unit == "money" or info.name in _OVERFLOW_CHECKED:
            _refuse_overflow(p, info.name, cols[info.name])
    values = np.empty((n, len(_CATALOGUE)), dtype=np.float64, order="F")
    for j, info in enumerate(_CATALOGUE):
        values[:, j] = cols.pop(info.name)  # each column let go once copied: not all held twice
        if j % _COLUMNS_PER_GIVE_BACK == _COLUMNS_PER_GIVE_BACK - 1:
            give_back_after(p)  # on a large book, the memory of the columns copied so far, now
    return FeatureFrame._adopt(
        values, tuple(f.name for f in _CATALOGUE), customer_ids=p.customer_ids, as_of=as_of.astype(object)
    )


#: On a large book (riskkit._memory), the columns copied into the frame between two give-backs of their
#: memory: the allocator keeps a freed column for reuse, so the frame and all its columns would be held at once.
_COLUMNS_PER_GIVE_BACK = 8

#: Documents from which :func:`compute` runs its two halves of families in two threads (below it,
#: starting a thread costs more than it saves).
THREAD_MIN_DOCUMENTS = 200_000


def _threaded(p: Portfolio) -> bool:
    return (os.cpu_count() or 1) > 1 and p.invoices.n_rows >= THREAD_MIN_DOCUMENTS


def _families_in_two_threads(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """The families of :data:`_FAMILIES` in two threads, with the same results and errors as in order.

    A second thread first runs the families that need no ledger (orders and
    their trends, statements, events) while this one builds the ledger; then it codes the
    industries, sorts out the payment events and runs the payment behaviour and the trends,
    while this one runs the receivables half (receivables, DSO family, exposure, profile, the
    change against 90 days ago: each reads the one before). Each thread then places its
    customers within their industry on the features it computed. The trends compare the
    last 90 days with the year before them: below a large book (riskkit._memory) this thread
    reads that year's payments once its half is done, beside the payment behaviour's year in
    the other; a large book reads one year of payments at a time, both in the second thread.
    numpy releases the GIL in its loops, so on two cores they overlap. Each family writes
    its own columns, so the results are those of the sequential order; when
    families fail, the first in that order raises.
    """
    from concurrent.futures import ThreadPoolExecutor

    other_cols: dict[str, np.ndarray] = {}
    parts: dict[str, tuple[np.ndarray, ...]] = {}  # the trends' two windows, when split over the threads
    split = not large_book(p)

    def recent(p: Portfolio, as_of: np.datetime64, into: dict[str, np.ndarray], memo: _Memo) -> None:
        parts["recent"] = _recent_lateness(p, as_of, memo)

    def prior(p: Portfolio, as_of: np.datetime64, into: dict[str, np.ndarray], memo: _Memo) -> None:
        parts["prior"] = _prior_lateness(p, as_of, memo)

    def order(family: Any) -> int:  # the family's place in the sequential order (the trends' halves: the trends')
        return _FAMILIES.index(_trends if family in (recent, prior) else family)

    def run(families: tuple[Any, ...], into: dict[str, np.ndarray], warm: bool = False) -> tuple[int, BaseException] | None:
        if warm:  # what the families read: the industries (no ledger), then the payment events (the ledger)
            _industry_codes(p)
            payment_events(p)
        for family in families:
            try:
                family(p, as_of, into, memo)
            except BaseException as exc:  # re-raised below, in the sequential order
                return order(family), exc
        _peers(p, into)  # the positions within the industry of what this thread computed
        return None

    payment_half = (_payment_behaviour, recent) if split else _PAYMENT_HALF
    receivables_half = (*_RECEIVABLES_HALF, prior) if split else _RECEIVABLES_HALF
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(run, _WITHOUT_LEDGER, other_cols)
        _ledger.ledger(p)  # built here once, while the other thread runs what does not read it
        then = pool.submit(run, payment_half, other_cols, True)
        failures = [run(receivables_half, cols), first.result(), then.result()]
    failed = [f for f in failures if f is not None]
    if failed:
        raise min(failed, key=lambda f: f[0])[1]
    if split:
        _trend_columns(other_cols, parts.pop("recent"), parts.pop("prior"))
    cols.update(other_cols)


def _sums_cannot_overflow(p: Portfolio, key: str, amounts: np.ndarray) -> bool:
    """Whether no per-customer sum of these amounts (>= 0, finite) can overflow: their total is far from it.

    Kept with the Portfolio, so the per-customer overflow checks of sums of
    amounts cost nothing on an ordinary book.
    """
    total = p._cached("features.total", lambda: float(np.sum(amounts)), at=key, inherit=True)
    return total < 1e300


def _receivables(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Balances, overdue amounts, aging, days past due and DBT: open invoices carry days past due,
    every other item nets into the balance."""
    n = p.n_customers
    balance = _ledger.balance_at(p, as_of)
    unknown = np.isnan(balance)  # residual-only documents before the export date
    # sums over the open invoices only: the other documents add 0
    book = _ledger.open_book(p, as_of)
    has_invoices = first_issued(p, debit_only=True) <= _day(as_of)  # an invoice issued by as_of
    overdue = book.overdue()
    open_ov, dpd_ov, cust_ov = book.amount[overdue], book.dpd[overdue], book.customer[overdue]
    open_invoices = group_sum(book.amount, book.customer, n)
    _refuse_overflow(p, "open_amount", open_invoices, "the sum of their open invoices")
    _refuse_overflow(p, "credit_balance", balance, "the sum of the credits on their account")
    cols["credit_balance"] = -balance
    cols["open_amount"] = open_invoices + balance
    cols["overdue_amount"] = group_sum(open_ov, cust_ov, n)
    cols["overdue_ratio"] = safe_divide(cols["overdue_amount"], open_invoices)
    buckets = receivables.aging(book.amount, book.dpd, book.customer, n)
    for j, label in enumerate(receivables.AGING_LABELS):
        cols[f"aging_{label}"] = buckets[:, j]
    # the oldest overdue invoice: 0 for a customer with invoices none of which is overdue
    oldest = group_max(dpd_ov, cust_ov, n, empty=-np.inf)
    cols["max_days_past_due"] = np.where(has_invoices, np.maximum(oldest, 0.0), np.nan)
    dbt = receivables.days_beyond_terms(open_ov, dpd_ov, cust_ov, n)
    cols["dbt_weighted"] = np.where(has_invoices & np.isnan(dbt), 0.0, dbt)
    if unknown.any():
        for name in ("open_amount", "overdue_amount", "overdue_ratio", *(f"aging_{x}" for x in receivables.AGING_LABELS),
                     "max_days_past_due", "dbt_weighted"):
            cols[name] = np.where(unknown, np.nan, cols[name])


def _payment_behaviour(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Days late, the payment index and partial payments."""
    n = p.n_customers
    ev = memo.ev
    amount, late, cust, _ = memo.paid(as_of, WINDOW_90D)
    cols["wadl_90d"] = receivables.weighted_average_days_late(amount, late, cust, n)
    if not _sums_cannot_overflow(p, "payments", ev["amount"]):
        _refuse_overflow(p, "payment_index",
                         group_sum(np.where(ev["date"] <= as_of, ev["amount"], 0.0), ev["customer"], n),
                         "the sum of their payments")
    year = memo.paid(as_of, PAYMENT_INDEX_WINDOW, keep=False)  # most of the events: read here only
    y_amount, y_late, y_cust, y_points = year
    y_paid = memo.paid_sum(as_of, PAYMENT_INDEX_WINDOW, year)
    kept = memo.kept(as_of, PAYMENT_INDEX_WINDOW)
    del year, y_late  # the days late are not read here: gone before the points are weighted
    # receivables.payment_index of the year's payments, their points computed once (weighted in place when
    # the window is this family's own)
    weighted = y_points * y_amount if kept else np.multiply(y_points, y_amount, out=y_points)
    cols["payment_index"] = safe_divide(group_sum(weighted, y_cust, n), y_paid)
    del y_amount, y_cust, y_points, weighted
    partial = group_sum(memo.paid_partial(as_of, WINDOW_90D), cust, n)
    residual = _ledger.ledger(p).has_residual
    if residual.any():
        # a residual-only export says nothing about how a customer paid: NaN, not "never partial"
        no_history = (group_count(p.invoices["customer"][residual], n) > 0) & (group_count(ev["customer"], n) == 0)
        partial = np.where(no_history, np.nan, partial)
    cols["partial_payments_90d"] = partial


def _dso_family(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """DSO, best possible DSO, ADD and CEI over the last 90 days: credit sales net of credit notes,
    current AR = AR - overdue."""
    n = p.n_customers
    inv = p.invoices
    cust = inv["customer"]
    issued = np.flatnonzero(window(inv["issued"], as_of, WINDOW_90D))  # the others add 0
    sales = group_sum(inv["amount"][issued], cust[issued], n)
    _refuse_overflow(p, "dso_90d", sales, "the sum of their credit sales of the last 90 days")
    ar_end = cols["open_amount"]
    current_end = ar_end - cols["overdue_amount"]
    cols["dso_90d"] = receivables.dso(ar_end, sales, WINDOW_90D)
    cols["bpdso_90d"] = receivables.best_possible_dso(current_end, sales, WINDOW_90D)
    cols["add_90d"] = receivables.average_days_delinquent(ar_end, current_end, sales, WINDOW_90D)
    begin = as_of - np.timedelta64(WINDOW_90D, "D")
    balance_begin = _ledger.balance_at(p, begin)
    book = _ledger.open_book(p, begin)
    # the open invoices then (a document unknown then makes its customer's sum unknown)
    open_begin_sum = (group_sum(_ledger.open_at(p, begin)[1], cust, n) if book.unknown
                      else group_sum(book.amount, book.customer, n))
    _refuse_overflow(p, "cei_90d", open_begin_sum, "the sum of their invoices open 90 days before as_of")
    _refuse_overflow(p, "cei_90d", balance_begin, "the sum of the credits on their account 90 days before as_of")
    ar_begin = open_begin_sum + balance_begin
    cols["cei_90d"] = receivables.collection_effectiveness_index(ar_begin, sales, ar_end, current_end)


def _exposure(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Exposure (open invoices, orders, deliveries, special items), the credit limit and utilisation."""
    n = p.n_customers
    ex = p.exposures
    stat = p.statistical
    limit = np.full(n, np.nan)
    limit[ex["customer"]] = ex["credit_limit"]
    other = np.zeros(n)
    for category in ("open_orders", "open_deliveries", "special"):
        if category not in stat:
            np.add.at(other, ex["customer"], ex[category])
    counted_invoices = np.zeros(n) if "open_invoices" in stat else cols["open_amount"]
    # a credit balance lowers what orders and deliveries add, never below nothing
    cols["exposure"] = np.maximum(counted_invoices + other, 0.0)
    cols["credit_limit"] = limit
    cols["utilization"] = safe_divide(cols["exposure"], np.where(limit > 0, limit, np.nan))
    from riskkit import insurance  # the insurance table's decisions (no import cycle at load)

    cols["uninsured_exposure"] = insurance.uninsured_exposure(p, as_of, cols["exposure"])



def _ordering(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Orders of the last quarter against the one before."""
    n = p.n_customers
    od = p.orders
    if not _sums_cannot_overflow(p, "orders", od["amount"]):
        _refuse_overflow(p, "order_trend_3m", group_sum(
            np.where(window(od["date"], as_of, WINDOW_12M + WINDOW_90D), od["amount"], 0.0), od["customer"], n),
            "the sum of their orders of the last 455 days")
    cols["order_trend_3m"] = safe_divide(memo.orders(as_of, WINDOW_90D), memo.orders(as_of, WINDOW_90D, WINDOW_90D))



def _financials(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Ratios and distress models of each customer's latest statement known at ``as_of``."""
    latest, previous = latest_statements(p, as_of)
    s = {name: statement_column(p, latest, name) for name in (
        "revenue", "ebit", "net_income", "total_assets", "total_liabilities", "current_assets",
        "current_liabilities", "retained_earnings", "equity", "market_value_equity", "operating_cash_flow",
    )}
    wc = finance.working_capital(s["current_assets"], s["current_liabilities"])
    cols["current_ratio"] = finance.current_ratio(s["current_assets"], s["current_liabilities"])
    cols["debt_ratio"] = finance.debt_ratio(s["total_liabilities"], s["total_assets"])
    cols["net_margin"] = finance.net_margin(s["net_income"], s["revenue"])
    cols["ocf_to_liabilities"] = finance.cash_flow_to_liabilities(s["operating_cash_flow"], s["total_liabilities"])
    common = dict(
        working_capital=wc,
        retained_earnings=s["retained_earnings"],
        ebit=s["ebit"],
        total_assets=s["total_assets"],
        total_liabilities=s["total_liabilities"],
    )
    cols["altman_z"] = finance.altman_z(market_value_equity=s["market_value_equity"], sales=s["revenue"], **common)
    cols["altman_z_private"] = finance.altman_z_private(book_equity=s["equity"], sales=s["revenue"], **common)
    cols["altman_z_nonmfg"] = finance.altman_z_nonmfg(book_equity=s["equity"], **common)
    cols["zmijewski_p"] = finance.zmijewski_p(
        net_income=s["net_income"],
        total_assets=s["total_assets"],
        total_liabilities=s["total_liabilities"],
        current_assets=s["current_assets"],
        current_liabilities=s["current_liabilities"],
    )
    cols["ohlson_p"] = finance.ohlson_p(
        total_assets=s["total_assets"],
        total_liabilities=s["total_liabilities"],
        working_capital=wc,
        current_assets=s["current_assets"],
        current_liabilities=s["current_liabilities"],
        net_income=s["net_income"],
        net_income_prev=statement_column(p, previous, "net_income"),
        funds_from_operations=s["operating_cash_flow"],
    )



def _profile(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Age, industry risk and collateral coverage."""
    cu = p.customers
    established = cu["established"]
    age_days = (as_of - established).astype("timedelta64[D]").astype(np.float64)
    age_days[np.isnat(established)] = np.nan
    cols["years_in_business"] = age_days / 365.25
    cols["industry_risk"] = cu["industry_risk"].astype(np.float64)
    cols["collateral_coverage"] = safe_divide(cu["secured_amount"], cols["exposure"])



def _events(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], memo: _Memo) -> None:
    """Legal events of the last year; broken promises and bounced payments of the last 90 days."""
    n = p.n_customers
    from riskkit.records import EventKind

    evt = p.events
    kinds = evt["kind"]
    legal_kinds = [k for k, c in EventKind.known().items() if c == "legal"]
    in_year = window(evt["date"], as_of, WINDOW_12M)
    in_90 = window(evt["date"], as_of, WINDOW_90D)
    cols["legal_events_12m"] = group_sum(in_year & np.isin(kinds, legal_kinds), evt["customer"], n)
    cols["broken_promises_90d"] = group_sum(in_90 & (kinds == EventKind.BROKEN_PROMISE), evt["customer"], n)
    if p.promises.n_rows:  # and the promises the payments did not keep (docs/domain.md, promises and disputes)
        from riskkit.promises import broken_counts

        cols["broken_promises_90d"] = cols["broken_promises_90d"] + broken_counts(p, as_of, WINDOW_90D)
    cols["bounced_payments_90d"] = group_sum(in_90 & (kinds == EventKind.BOUNCED_PAYMENT), evt["customer"], n)


#: The feature families in the order :func:`compute` runs them, each writing its own columns.
_FAMILIES = (_receivables, _payment_behaviour, _dso_family, _exposure, _ordering, _financials, _profile, _events,
             _trends, _order_trends, _change_90d)
#: The families that read columns of another (in this order): one thread runs them, the others a second.
_RECEIVABLES_HALF = (_receivables, _dso_family, _exposure, _profile, _change_90d)
#: A large book's payment behaviour and trends, one after the other in the second thread: they share the last
#: 90 days' payments, and each reads a year of payments (most of a large book's events) not held at once.
_PAYMENT_HALF = (_payment_behaviour, _trends)
#: The families that read no ledger: the second thread runs them while the first builds it.
_WITHOUT_LEDGER = (_ordering, _order_trends, _financials, _events)
