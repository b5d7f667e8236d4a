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

from typing import TYPE_CHECKING

import attrs
import numpy as np

from riskkit import _ledger, finance, receivables
from riskkit._frame import FeatureFrame
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


def _lateness(p: Portfolio, ev: dict[str, np.ndarray], end: np.datetime64, days: int) -> tuple[np.ndarray, ...]:
    """Per customer, over ``(end - days, end]``: amount-weighted days late of the payments received and of
    the invoices open and overdue at ``end`` (days past due so far), and the payment index and late share
    of the payments alone."""
    n = p.n_customers
    inv = p.invoices
    paid = window(ev["date"], end, days)
    amount, late, cust = ev["amount"][paid], ev["days_late"][paid], ev["customer"][paid]
    num = group_sum(amount * np.maximum(late, 0.0), cust, n)
    den = group_sum(amount, cust, n)
    _, open_end, _ = _ledger.open_at(p, end)
    open_end = np.nan_to_num(open_end)
    dpd = (end - inv["due"]).astype(np.int64)
    overdue = (open_end > 0) & (dpd > 0)
    num += group_sum(open_end[overdue] * dpd[overdue], inv["customer"][overdue], n)
    den += group_sum(open_end[overdue], inv["customer"][overdue], n)
    index = receivables.payment_index(amount, late, cust, n)
    late_share = safe_divide(group_sum((late > 0).astype(np.float64), cust, n), group_count(cust, n))
    return safe_divide(num, den), index, late_share


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
        ref_values, ref_groups = values, groups
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


def _baseline(
    p: Portfolio,
    as_of: np.datetime64,
    cols: dict[str, np.ndarray],
    issued: np.ndarray,
    open_: np.ndarray,
    dpd: np.ndarray,
    open_begin: np.ndarray,
    ev: dict[str, np.ndarray],
) -> None:
    """Change-against-baseline and peer features: each customer against its own past and its industry."""
    n = p.n_customers
    inv = p.invoices
    cust = inv["customer"]
    recent_late, recent_index, recent_share = _lateness(p, ev, as_of, WINDOW_90D)
    prior_end = as_of - np.timedelta64(WINDOW_90D, "D")
    prior_late, prior_index, prior_share = _lateness(p, ev, prior_end, WINDOW_12M)
    cols["days_late_90d"] = recent_late
    cols["days_late_change"] = recent_late - prior_late
    cols["payment_index_change"] = recent_index - prior_index
    cols["late_share_change"] = recent_share - prior_share
    # DBT and utilisation 90 days ago, from the open items then
    open_then = np.nan_to_num(open_begin)
    dpd_then = dpd - WINDOW_90D
    overdue_then = (open_then > 0) & (dpd_then > 0)
    dbt_then = receivables.days_beyond_terms(np.where(overdue_then, open_then, 0.0), dpd_then, cust, n)
    had_invoices = group_count(cust[inv["issued"] <= prior_end], n) > 0
    dbt_then = np.where(had_invoices & np.isnan(dbt_then), 0.0, dbt_then)
    cols["dbt_change_90d"] = cols["dbt_weighted"] - dbt_then
    _, _, balance_then = _ledger.open_at(p, prior_end)
    net_then = group_sum(open_then, cust, n) + balance_then
    exposure_then = np.maximum(cols["exposure"] - cols["open_amount"] + net_then, 0.0)
    limit = cols["credit_limit"]
    cols["utilization_change_90d"] = cols["utilization"] - safe_divide(exposure_then, np.where(limit > 0, limit, np.nan))
    # orders against the same months a year before and against the customer's own average quarter
    # (compute has refused orders of the last 455 days that overflow when summed)
    od = p.orders
    last3 = group_sum(np.where(window(od["date"], as_of, WINDOW_90D), od["amount"], 0.0), od["customer"], n)
    year_ago = group_sum(np.where(window(od["date"], as_of, WINDOW_90D, lag=WINDOW_12M), od["amount"], 0.0),
                         od["customer"], n)
    prior_year = group_sum(np.where(window(od["date"], as_of, WINDOW_12M, lag=WINDOW_90D), od["amount"], 0.0),
                           od["customer"], n)
    cols["orders_yoy_3m"] = safe_divide(last3, year_ago)
    cols["orders_vs_average_3m"] = safe_divide(last3, prior_year * (WINDOW_90D / WINDOW_12M))
    # peers: position within the industry
    industry = np.asarray(p.customers["industry"], dtype=object)
    for name, ranked in PEER_FEATURES.items():
        cols[name] = peer_percentile(cols[ranked], industry)


def _in_default(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray], open_: np.ndarray,
                dpd: np.ndarray) -> np.ndarray:
    definition = p.default_definition
    n = p.n_customers
    inv = p.invoices
    late = (open_ > 0) & (dpd > definition.days_past_due)
    past_due = group_sum(np.where(late, open_, 0.0), inv["customer"], n)
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
    n = p.n_customers
    cols: dict[str, np.ndarray] = {}
    book = _receivables(p, as_of, cols)
    ev = _payment_behaviour(p, as_of, cols)
    open_begin = _dso_family(p, as_of, cols)
    _exposure(p, cols)
    _ordering(p, as_of, cols)
    _financials(p, as_of, cols)
    _profile(p, as_of, cols)
    _events(p, as_of, cols)
    _baseline(p, as_of, cols, book.issued, book.open_, book.dpd, open_begin, ev)
    cols["in_default"] = _in_default(p, as_of, cols, book.open_, book.dpd).astype(np.float64)

    for info in _CATALOGUE:
        if info.unit == "money" or info.name in _OVERFLOW_CHECKED:
            _refuse_overflow(p, info.name, cols[info.name])
    values = np.empty((n, len(_CATALOGUE)), dtype=np.float64, order="F")
    for j, info in enumerate(_CATALOGUE):
        values[:, j] = cols[info.name]
    return FeatureFrame(
        values, [f.name for f in _CATALOGUE], customer_ids=p.customer_ids, as_of=as_of.astype(object)
    )


@attrs.frozen
class _Book:
    """The documents at ``as_of``: issued by then, their open amounts and days past due."""

    issued: np.ndarray
    open_: np.ndarray
    dpd: np.ndarray


def _receivables(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> _Book:
    """Balances, overdue amounts, aging, days past due and DBT: open invoices carry days past due,
    every other item nets into the balance."""
    n = p.n_customers
    inv = p.invoices
    cust = inv["customer"]
    issued, open_, balance = _ledger.open_at(p, as_of)
    unknown = np.isnan(balance)  # residual-only documents before the export date
    open_ = np.nan_to_num(open_)
    debit = ~inv["credit"]
    has_invoices = group_count(cust[issued & debit], n) > 0
    dpd = (as_of - inv["due"]).astype(np.int64)
    is_open = open_ > 0
    overdue = is_open & (dpd > 0)
    open_invoices = group_sum(open_, cust, n)
    _refuse_overflow(p, "open_amount", open_invoices, "the sum of their open invoices")
    _refuse_overflow(p, "credit_balance", balance, "the sum of the credits on their account")
    cols["credit_balance"] = -balance
    cols["open_amount"] = open_invoices + balance
    cols["overdue_amount"] = group_sum(np.where(overdue, open_, 0.0), cust, n)
    cols["overdue_ratio"] = safe_divide(cols["overdue_amount"], open_invoices)
    buckets = receivables.aging(open_, dpd, cust, n)
    for j, label in enumerate(receivables.AGING_LABELS):
        cols[f"aging_{label}"] = buckets[:, j]
    in_book = issued & debit
    cols["max_days_past_due"] = group_max(np.where(overdue, dpd, 0)[in_book], cust[in_book], n, empty=np.nan)
    dbt = receivables.days_beyond_terms(np.where(overdue, open_, 0.0), dpd, cust, n)
    cols["dbt_weighted"] = np.where(has_invoices & np.isnan(dbt), 0.0, dbt)
    for name in ("open_amount", "overdue_amount", "overdue_ratio", *(f"aging_{x}" for x in receivables.AGING_LABELS),
                 "max_days_past_due", "dbt_weighted"):
        cols[name] = np.where(unknown, np.nan, cols[name])

    return _Book(issued, open_, dpd)


def _payment_behaviour(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Days late, the payment index and partial payments; returns the payment events."""
    n = p.n_customers
    cust = p.invoices["customer"]
    ev = payment_events(p)
    recent = window(ev["date"], as_of, WINDOW_90D)
    cols["wadl_90d"] = receivables.weighted_average_days_late(
        ev["amount"][recent], ev["days_late"][recent], ev["customer"][recent], n
    )
    _refuse_overflow(p, "payment_index", group_sum(np.where(ev["date"] <= as_of, ev["amount"], 0.0), ev["customer"], n),
                     "the sum of their payments")
    year = window(ev["date"], as_of, PAYMENT_INDEX_WINDOW)
    cols["payment_index"] = receivables.payment_index(
        ev["amount"][year], ev["days_late"][year], ev["customer"][year], n
    )
    # a residual-only export says nothing about how a customer paid: NaN, not "never partial"
    no_history = (group_count(cust[_ledger.ledger(p).has_residual], n) > 0) & (group_count(ev["customer"], n) == 0)

    cols["partial_payments_90d"] = np.where(no_history, np.nan, group_sum(recent & ev["partial"], ev["customer"], n))
    return ev


def _dso_family(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> np.ndarray:
    """DSO, best possible DSO, ADD and CEI over the last 90 days: credit sales net of credit notes,
    current AR = AR - overdue. Returns each document's open amount 90 days before ``as_of``."""
    n = p.n_customers
    inv = p.invoices
    cust = inv["customer"]
    sales = group_sum(np.where(window(inv["issued"], as_of, WINDOW_90D), inv["amount"], 0.0), cust, n)
    _refuse_overflow(p, "dso_90d", sales, "the sum of their credit sales of the last 90 days")
    ar_end = cols["open_amount"]
    current_end = ar_end - cols["overdue_amount"]
    cols["dso_90d"] = receivables.dso(ar_end, sales, WINDOW_90D)
    cols["bpdso_90d"] = receivables.best_possible_dso(current_end, sales, WINDOW_90D)
    cols["add_90d"] = receivables.average_days_delinquent(ar_end, current_end, sales, WINDOW_90D)
    _, open_begin, balance_begin = _ledger.open_at(p, as_of - np.timedelta64(WINDOW_90D, "D"))
    open_begin_sum = group_sum(open_begin, cust, n)
    _refuse_overflow(p, "cei_90d", open_begin_sum, "the sum of their invoices open 90 days before as_of")
    _refuse_overflow(p, "cei_90d", balance_begin, "the sum of the credits on their account 90 days before as_of")
    ar_begin = open_begin_sum + balance_begin
    cols["cei_90d"] = receivables.collection_effectiveness_index(ar_begin, sales, ar_end, current_end)

    return open_begin


def _exposure(p: Portfolio, cols: dict[str, np.ndarray]) -> None:
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



def _ordering(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> None:
    """Orders of the last quarter against the one before."""
    n = p.n_customers
    od = p.orders
    _refuse_overflow(p, "order_trend_3m", group_sum(
        np.where(window(od["date"], as_of, WINDOW_12M + WINDOW_90D), od["amount"], 0.0), od["customer"], n),
        "the sum of their orders of the last 455 days")
    last3 = group_sum(np.where(window(od["date"], as_of, 90), od["amount"], 0.0), od["customer"], n)
    prior3 = group_sum(np.where(window(od["date"], as_of, 90, lag=90), od["amount"], 0.0), od["customer"], n)
    cols["order_trend_3m"] = safe_divide(last3, prior3)



def _financials(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> None:
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



def _profile(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> None:
    """Age, industry risk and collateral coverage."""
    cu = p.customers
    established = cu["established"]
    age_days = (as_of - established).astype("timedelta64[D]").astype(np.float64)
    age_days[np.isnat(established)] = np.nan
    cols["years_in_business"] = age_days / 365.25
    cols["industry_risk"] = cu["industry_risk"].astype(np.float64)
    cols["collateral_coverage"] = safe_divide(cu["secured_amount"], cols["exposure"])



def _events(p: Portfolio, as_of: np.datetime64, cols: dict[str, np.ndarray]) -> None:
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
    cols["bounced_payments_90d"] = group_sum(in_90 & (kinds == EventKind.BOUNCED_PAYMENT), evt["customer"], n)
