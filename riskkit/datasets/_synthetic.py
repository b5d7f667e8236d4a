"""A synthetic B2B credit book with known defaults, for examples, tests and backtests.

The generator draws every table of a :class:`riskkit.portfolio.Portfolio` for a book
of business customers, plus the outcome of each customer (default or not, and when).
It is a simulation of behaviour, not of accounting: each customer has a latent risk
that drives its chance of default, its habitual lateness and its financial
strength, and each defaulter *deteriorates* for 60-180 days before its default
date, so that early-warning signals have something to find.

What is simulated
-----------------
* **Customers** in 10 industries (each with a risk index, shipped in the
  ``industry_risk`` column), 6 regions and 6 collections debtor types
  (standard, project, manufacturer, distributor, government,
  large_institution); founded 1-40 years before ``as_of`` (7% unknown); trading
  history starting 12-24 months before ``as_of``.
* **Orders** roughly monthly with an industry-seasonal rate and a per-customer
  trend; ``quantity`` is set so that ``amount / quantity`` is the unit price.
* **Invoices** on net-30/60/90 terms: most customers are invoiced per delivery
  (an order ships in 1-4 deliveries), about a third monthly for all the month's
  orders. Orders not yet invoiced on ``as_of`` are the exposure's open orders
  (not yet delivered) and open deliveries (delivered, not yet invoiced).
* **Payments**: customer-specific lateness around the due date (government and
  large institutions slower, about 15% of customers taking early-payment
  discounts), occasional disputed invoices, and temporarily slow episodes for
  about 12% of customers. Most invoices are paid in one go and carry
  ``paid_amount`` / ``paid_on``; invoices paid in instalments leave those at
  0 / NaT and list their instalments in the payments table.
* **Statements**: yearly, period end Dec 31, published 60-120 days later, with
  a consistent balance sheet (``equity = total_assets - total_liabilities``,
  ``current_assets <= total_assets``, ``current_liabilities <= total_liabilities``).
  About a quarter of the reporting customers are listed and have a
  ``market_value_equity``.
* **Events** at a low base rate, far more often for deteriorating customers.

How defaulters deteriorate
--------------------------
About 8% of customers default, on a date spread over ``[as_of - 270 days,
as_of + 180 days]``; ``defaulted`` counts the defaults after ``as_of`` too, so the
book can be scored on ``as_of`` and checked against what happens next. From 60-180
days before its default date (per customer) a defaulter pays later and later
(toward 60-120 days late), pays more invoices in part, orders less (some first
stockpile at a lower unit price), publishes weaker statements and produces more
lawsuits, broken promises, bounced payments and the like. A minority
deteriorates late or silently, and some customers who never default go through
slow patches, so detection is not trivial. From the default date on, the
customer neither orders nor pays.

Regimes
-------
Rules and models tuned on this book learn its habits (sound customers pay within
days of the due date, order evenly, keep to their limit, are on 30-90 day terms;
defaulters warn months ahead). ``regime`` (one of :data:`REGIMES`) draws a book
that breaks one of those habits, to judge them on. A regime changes behaviour
only: the customers (industry, region, debtor type, risk), who defaults and when
are the same as in the default book for a seed, so the default rate is too; the
regime's own draws come from a separate random stream. Every regime has the same
tables and columns, follows the same point-in-time rules, and is deterministic.

* ``"default"``: the book described above, unchanged bit for bit.
* ``"late_payers"``: a third of the customers, whatever their risk, pay 20-45 days
  late by habit (each its own, stable, with noise of 3-8 days) and take no
  discounts; their payment index is 45-60 and their DBT to match, and they default
  no more often than the rest. A defaulter among them deteriorates from its own
  habit, 60-120 days later still by its default (80-165 days late), ordering less.
  Breaks fixed days-past-due, WADL and payment-index levels.
* ``"seasonal"``: the volume of orders (and so of invoices) follows
  ``exp(k cos(phase)) / I0(k)`` with ``k`` in 1.4-2.0 per customer: peaks 2.6-3.2x
  the yearly mean and troughs at 6-16% of it, the peak in the industry's month (give
  or take half a month); count and size of orders each carry the square root.
  Breaks "orders of the last 3 months < 50% of the 3 before", which fires on sound
  customers every trough; a defaulter's fall shows against the same months a year
  before.
* ``"sudden"``: 35% of the defaulters (fraud, the insolvency of a large customer of
  theirs) pay, order and report as usual until 7-29 days before their default:
  their deterioration window is that short and their statements do not weaken. The
  others deteriorate as in the default book. Breaks "defaulters warn months ahead".
* ``"growth"``: 28% of the customers, at least 15 months in the book, double or
  triple their purchases within the last year (order count and size each grow by
  the square root), on a credit limit set on last year's purchases, and report
  revenue growing to match. Breaks fixed utilisation and order-jump levels.
* ``"mixed_terms"``: terms of 14 (25%), 30 (35%), 60 (20%), 90 (12%) or 120 days
  (8%); government, large institutions and most of the biggest tenth of buyers
  get 60-120 days. Customers on 14-day terms pay on their own payment run, 8-25
  days past due. Limits follow the terms. Overdue days and DSO differ by terms,
  not by risk, which breaks fixed overdue-days and DSO levels.

Point in time
-------------
Nothing dated after ``as_of`` is in the tables: payments made later leave the
invoice open, later orders, invoices, events and payments are absent, and a
statement published after ``as_of`` is omitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from riskkit._checks import Integer, check
from riskkit._pit import as_of_day
from riskkit.errors import ValidationError

__all__ = ["DEFAULT_AS_OF", "REGIMES", "generate"]

#: The ``as_of`` used when none is given: fixed so that a seed always gives the same book.
DEFAULT_AS_OF = np.datetime64("2025-12-31", "D")

#: The kinds of book the generator draws (see "Regimes" in the module docstring).
REGIMES = ("default", "late_payers", "seasonal", "sudden", "growth", "mixed_terms")

Tables = dict[str, dict[str, np.ndarray]]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_YEAR = 365.25
_MONTH = _YEAR / 12
_NEVER = np.int64(10**7)  # a day number far beyond any as_of: "no default"

# name, industry risk index, seasonal peak month (1-12), share of customers
_INDUSTRIES = (
    ("construction", 0.80, 6, 0.12),
    ("hospitality", 0.70, 7, 0.06),
    ("retail", 0.60, 11, 0.12),
    ("transport_logistics", 0.55, 10, 0.09),
    ("agriculture_food", 0.50, 9, 0.08),
    ("wholesale", 0.50, 10, 0.14),
    ("manufacturing", 0.45, 4, 0.17),
    ("it_services", 0.30, 12, 0.08),
    ("healthcare", 0.25, 1, 0.07),
    ("utilities_energy", 0.20, 1, 0.07),
)
_CONSTRUCTION = 0

# name, risk shift, share
_REGIONS = (
    ("north", 0.0, 0.22),
    ("south", 0.15, 0.20),
    ("east", 0.25, 0.16),
    ("west", 0.0, 0.22),
    ("central", 0.05, 0.12),
    ("export", 0.35, 0.08),
)

# name, risk shift, share, sales multiplier
_DEBTOR_TYPES = (
    ("standard", 0.0, 0.45, 1.0),
    ("project", 0.35, 0.10, 1.5),
    ("manufacturer", 0.0, 0.16, 1.3),
    ("distributor", 0.15, 0.16, 1.5),
    ("government", -2.0, 0.06, 2.0),
    ("large_institution", -1.2, 0.07, 3.0),
)
_PROJECT, _GOVERNMENT, _LARGE = 1, 4, 5

# event kinds with their yearly base rate per customer and their weight among the
# events of a deteriorating customer
_EVENT_KINDS = (
    ("lawsuit", 0.020, 0.12),
    ("asset_freeze", 0.003, 0.04),
    ("asset_pledge", 0.015, 0.04),
    ("legal_rep_change", 0.020, 0.06),
    ("broken_promise", 0.020, 0.20),
    ("bounced_payment", 0.012, 0.12),
    ("key_person_change", 0.040, 0.06),
    ("contact_unreachable", 0.015, 0.10),
    ("bank_change", 0.040, 0.04),
    ("limit_increase_request", 0.050, 0.10),
    ("explanation_change", 0.010, 0.07),
    ("discount_stopped", 0.0, 0.0),
    ("instrument_change", 0.015, 0.05),
)
_KIND_INDEX = {name: i for i, (name, _, _) in enumerate(_EVENT_KINDS)}

_NAME_STEMS = np.array(
    [
        "Adler",
        "Aurora",
        "Baltic",
        "Boreal",
        "Castell",
        "Cedar",
        "Delta",
        "Dorado",
        "Elbe",
        "Falcon",
        "Granite",
        "Harbor",
        "Helios",
        "Iris",
        "Juniper",
        "Kestrel",
        "Linden",
        "Meridian",
        "Nordic",
        "Oak",
        "Orion",
        "Pioneer",
        "Quarry",
        "Rhine",
        "Sable",
        "Summit",
        "Tamar",
        "Tidewater",
        "Unity",
        "Vega",
        "Westmark",
        "Zenith",
    ]
)
_NAME_WORDS = np.array(
    [
        "Construction",
        "Hotels",
        "Retail",
        "Logistics",
        "Foods",
        "Trading",
        "Industries",
        "Systems",
        "Health",
        "Energy",
    ]
)
_NAME_SUFFIXES = np.array(["Ltd", "GmbH", "AG", "SA", "BV", "Srl", "Oy", "AB", "Inc", "plc"])


def _resolve_as_of(as_of: Any) -> np.datetime64:
    """``as_of`` as a ``datetime64[D]``: :data:`DEFAULT_AS_OF` when None, else read by :func:`riskkit._pit.as_of_day`."""
    return DEFAULT_AS_OF if as_of is None else as_of_day(as_of)


def _check_count(n_customers: Any) -> int:
    return int(check("n_customers", n_customers, Integer(1)))


def _ids(prefix: str, numbers: IntArray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded ``numbers`` as a str array, without a Python loop."""
    n = numbers.size
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    buf = np.empty((n, head.size + width), dtype=np.uint8)
    buf[:, : head.size] = head
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    buf[:, head.size :] = (numbers[:, None] // powers) % 10 + ord("0")
    return buf.view(f"S{head.size + width}").ravel().astype(f"U{head.size + width}")


def _expand(counts: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Owner index, position within owner and owner start offsets for ``counts`` children each."""
    counts = counts.astype(np.int64)
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    position = np.arange(owner.size, dtype=np.int64) - starts[owner]
    return owner, position, starts


def _split_cents(
    rng: np.random.Generator, total: IntArray, owner: IntArray, position: IntArray, shape: float
) -> IntArray:
    """Split each ``total`` (integer cents) over its children at random; parts sum exactly."""
    weight = rng.gamma(shape, size=owner.size)
    weight /= np.bincount(owner, weights=weight, minlength=total.size)[owner]
    part = np.floor(weight * total[owner]).astype(np.int64)
    remainder = total - np.bincount(owner, weights=part, minlength=total.size).astype(np.int64)
    part[position == 0] += remainder[owner[position == 0]]
    return part


def _dates(days: npt.NDArray[Any], missing: BoolArray | None = None) -> np.ndarray:
    out = days.astype("datetime64[D]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _progress(day: IntArray, start: IntArray, end: IntArray) -> FloatArray:
    """Share of a deterioration window ``[start, end]`` elapsed on ``day`` (0 outside defaulters)."""
    span = np.maximum(end - start, 1)
    return np.clip((day - start) / span, 0.0, 1.0)


def _solve_intercept(score: FloatArray, target: float) -> float:
    """Intercept ``a`` with ``mean(sigmoid(a + score)) == target`` (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(1.0 / (1.0 + np.exp(-(mid + score)))) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


class _Book:
    """Customer-level draws shared by the table builders (day numbers are int64)."""

    def __init__(self, rng: np.random.Generator, n: int, today: int) -> None:
        self.n = n
        self.today = today
        ind_share = np.array([s for *_, s in _INDUSTRIES])
        self.industry = rng.choice(len(_INDUSTRIES), size=n, p=ind_share / ind_share.sum())
        self.industry_risk = np.array([r for _, r, _, _ in _INDUSTRIES])[self.industry]
        self.region = rng.choice(len(_REGIONS), size=n, p=[s for *_, s in _REGIONS])
        self.debtor_type = rng.choice(len(_DEBTOR_TYPES), size=n, p=[t[2] for t in _DEBTOR_TYPES])
        # construction firms mostly bill by project milestone
        project = (self.industry == _CONSTRUCTION) & (rng.random(n) < 0.5)
        self.debtor_type[project] = _PROJECT
        gov = self.debtor_type == _GOVERNMENT
        large = self.debtor_type == _LARGE
        self.slow_payer_type = gov | large

        age_years = 1.0 + 39.0 * rng.beta(1.3, 2.2, size=n)
        self.established = today - np.round(age_years * _YEAR).astype(np.int64)
        self.established_missing = rng.random(n) < 0.07

        self.risk = (
            2.2 * (self.industry_risk - 0.5)
            + np.array([r for _, r, _ in _REGIONS])[self.region]
            + np.array([t[1] for t in _DEBTOR_TYPES])[self.debtor_type]
            + 0.8 * (age_years < 3)
            + 0.35 * (age_years < 8)
            + rng.normal(0.0, 1.0, size=n)
        )
        score = 1.1 * self.risk
        p_default = 1.0 / (1.0 + np.exp(-(_solve_intercept(score, 0.08) + score)))
        self.defaulted = rng.random(n) < p_default
        d = today + rng.integers(-270, 181, size=n)
        self.default_day = np.where(self.defaulted, d, _NEVER)
        # deterioration starts 60-180 days before default, more often early than late
        lead = 60 + np.round(120 * np.sqrt(rng.random(n))).astype(np.int64)
        # non-defaulters: a window that never starts
        self.distress_start = np.where(self.defaulted, d - lead, _NEVER)
        self.history_start = today - rng.integers(365, 731, size=n)
        # nobody trades with a firm before it exists
        self.established = np.minimum(self.established, self.history_start - 30)

        # trading terms and volumes
        terms_normal = rng.choice([30, 60, 90], size=n, p=[0.55, 0.30, 0.15])
        terms_slow = rng.choice([30, 60, 90], size=n, p=[0.20, 0.40, 0.40])
        self.terms = np.where(self.slow_payer_type, terms_slow, terms_normal).astype(np.int64)
        self.monthly_billing = rng.random(n) < np.where(self.slow_payer_type, 0.6, 0.3)
        sales_mult = np.array([t[3] for t in _DEBTOR_TYPES])[self.debtor_type]
        self.monthly_sales = rng.lognormal(np.log(15_000.0), 0.9, size=n) * sales_mult
        self.order_rate = np.where(
            self.monthly_billing,
            rng.lognormal(np.log(1.6), 0.25, size=n),
            rng.lognormal(np.log(1.05), 0.1, size=n),
        )
        self.trend = rng.normal(0.02, 0.15, size=n)  # yearly log-growth of ordering
        peak = np.array([m for _, _, m, _ in _INDUSTRIES])[self.industry]
        self.season_peak = (peak - 0.5) / 12.0  # as a fraction of the year
        self.season_amp = rng.uniform(0.03, 0.2, size=n)
        self.order_day = rng.integers(0, 30, size=n)
        self.unit_price = rng.lognormal(np.log(40.0), 1.0, size=n)
        self.delivery_lead = rng.integers(1, 11, size=n)

        # payment habits (days relative to due)
        extra = np.select(
            [gov, large, self.debtor_type == _PROJECT],
            [rng.uniform(5, 25, size=n), rng.uniform(3, 12, size=n), rng.uniform(0, 10, size=n)],
            0.0,
        )
        self.late_mean = np.maximum(rng.normal(2.0, 3.0, size=n) + 1.5 * self.risk, -5.0) + extra
        self.late_sd = rng.uniform(1.5, 6.0, size=n) * np.where(
            self.debtor_type == _PROJECT, 2.0, 1.0
        )
        self.discount_taker = (rng.random(n) < 0.15) & ~self.slow_payer_type
        self.discount_day = rng.integers(7, 15, size=n)  # days after issue
        self.partial_rate = np.where(self.debtor_type == _PROJECT, 0.06, 0.01)
        # temporary slow patches, for defaulters and non-defaulters alike
        self.episode = rng.random(n) < 0.12
        span = today - self.history_start
        self.episode_start = self.history_start + (rng.random(n) * span).astype(np.int64)
        self.episode_end = self.episode_start + rng.integers(30, 121, size=n)
        self.episode_extra = rng.uniform(15, 50, size=n)

        # how each defaulter deteriorates
        # lateness jumps by a share of its final level when trouble starts, then climbs;
        # late starters show nothing at first
        self.distress_late = rng.uniform(60, 120, size=n)
        late_starter = rng.random(n) < 0.15
        self.distress_jump = np.where(late_starter, 0.0, rng.uniform(0.15, 0.4, size=n))
        self.distress_shape = np.where(
            late_starter, rng.uniform(1.5, 2.5, size=n), rng.uniform(0.5, 1.0, size=n)
        )
        # 0 orders fall, 1 orders spike at a lower price and then fall, 2 orders unchanged
        self.order_style = rng.choice(3, size=n, p=[0.55, 0.30, 0.15])
        silent = rng.random(n) < 0.15
        self.distress_events = rng.uniform(3.0, 8.0, size=n) * np.where(silent, 0.25, 1.0)
        self.financial_weakness = np.where(rng.random(n) < 0.3, 0.2, 1.0)

        self.credit_limit = (
            np.ceil(
                self.monthly_sales
                * (self.terms / 30.0 + 1.0)
                * rng.uniform(0.8, 1.5, size=n)
                / 1000
            )
            * 1000
        )
        # set by the regimes (see _apply_regime); None keeps the default book's behaviour
        self.season_k: FloatArray | None = None
        self.statement_growth: FloatArray | None = None

    @property
    def cutoff(self) -> IntArray:
        """Last day a customer orders, receives goods or pays: its default date, or never."""
        return self.default_day


def _check_regime(regime: Any) -> str:
    if not isinstance(regime, str) or regime not in REGIMES:
        raise ValidationError(
            f"regime={regime!r} is not a regime; give one of {', '.join(map(repr, REGIMES))}",
            field="regime",
            value=regime,
        )
    return regime


def _regime_rng(seed: Any, regime: str) -> np.random.Generator:
    """A stream of its own for a regime's draws, so the book's own draws stay as they are."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(REGIMES.index(regime),)))


def _apply_regime(b: _Book, regime: str, rng: np.random.Generator) -> None:
    """Change a drawn book's behaviour to ``regime``; customers and defaults stay the same."""
    n, today = b.n, b.today
    if regime == "late_payers":
        # a third pay 20-45 days late by habit, whatever their risk; a defaulter among
        # them drifts from its own habit, 60-120 days further
        habitual = rng.random(n) < 1 / 3
        b.late_mean = np.where(habitual, rng.uniform(20.0, 45.0, size=n), b.late_mean)
        b.late_sd = np.where(habitual, rng.uniform(3.0, 8.0, size=n), b.late_sd)
        b.discount_taker = b.discount_taker & ~habitual
    elif regime == "seasonal":
        # volume exp(k cos(phase)) / I0(k): peaks 2.6-3.2x the yearly mean, troughs 6-16% of
        # it; the peak month is the industry's, give or take half a month per customer
        b.season_k = rng.uniform(1.4, 2.0, size=n)
        b.season_peak = b.season_peak + rng.uniform(-0.5, 0.5, size=n) / 12.0
    elif regime == "sudden":
        # 35% of the defaulters (fraud, a large customer's insolvency) behave and report as
        # usual until 7-29 days before their default
        idx = np.flatnonzero(b.defaulted)
        chosen = rng.choice(idx, size=round(0.35 * idx.size), replace=False)
        lead = rng.integers(7, 30, size=chosen.size)
        b.distress_start = b.distress_start.copy()
        b.distress_start[chosen] = b.default_day[chosen] - lead
        b.financial_weakness = b.financial_weakness.copy()
        b.financial_weakness[chosen] = 0.0
    elif regime == "growth":
        # 28% of the customers, long enough in the book, double or triple their purchases
        # in a year on a limit set on last year's purchases
        fast = rng.random(n) < 0.28
        factor = rng.uniform(2.0, 3.0, size=n)  # purchases now / a year ago
        # order count and order size both follow the trend: each grows by sqrt(factor)
        b.trend = np.where(fast, 0.5 * np.log(factor), b.trend)
        start = today - rng.integers(455, 731, size=n)
        b.history_start = np.where(fast, np.minimum(b.history_start, start), b.history_start)
        b.established = np.minimum(b.established, b.history_start - 30)
        b.credit_limit = np.where(
            fast, np.ceil(b.credit_limit / factor / 1000) * 1000, b.credit_limit
        )
        b.statement_growth = np.where(fast, 0.7 * np.log(factor), np.nan)
    elif regime == "mixed_terms":
        # terms of 14-120 days; government, large institutions and the biggest buyers get
        # long ones; short-term customers pay on their monthly payment run, past due
        short = rng.choice([14, 30, 60, 90, 120], size=n, p=[0.25, 0.35, 0.20, 0.12, 0.08])
        long = rng.choice([60, 90, 120], size=n, p=[0.2, 0.4, 0.4])
        big = b.monthly_sales >= np.quantile(b.monthly_sales, 0.9)
        use_long = b.slow_payer_type | (big & (rng.random(n) < 0.6))
        terms = np.where(use_long, long, short).astype(np.int64)
        b.late_mean = b.late_mean + np.where(terms == 14, rng.uniform(8.0, 25.0, size=n), 0.0)
        b.credit_limit = (
            np.ceil(b.credit_limit * (terms / 30.0 + 1.0) / (b.terms / 30.0 + 1.0) / 1000) * 1000
        )
        b.terms = terms


def _customers(
    rng: np.random.Generator, b: _Book, first: int = 1, width: int | None = None
) -> dict[str, np.ndarray]:
    n = b.n
    ids = _ids("C", np.arange(first, first + n, dtype=np.int64), width or max(5, len(str(n))))
    names = np.char.add(
        np.char.add(_NAME_STEMS[rng.integers(0, _NAME_STEMS.size, size=n)], " "),
        np.char.add(
            np.char.add(_NAME_WORDS[b.industry], " "),
            _NAME_SUFFIXES[rng.integers(0, _NAME_SUFFIXES.size, size=n)],
        ),
    )
    insured = rng.random(n) < 0.15
    secured = np.where(insured, np.round(b.credit_limit * rng.uniform(0.3, 0.9, size=n), 2), 0.0)
    defaulted_already = b.default_day <= b.today
    blocked = (defaulted_already & (rng.random(n) < 0.7)) | (rng.random(n) < 0.005)
    return {
        "id": ids,
        "name": names,
        "industry": np.array([name for name, *_ in _INDUSTRIES])[b.industry],
        "region": np.array([name for name, *_ in _REGIONS])[b.region],
        "established": _dates(b.established, b.established_missing),
        "debtor_type": np.array([t[0] for t in _DEBTOR_TYPES])[b.debtor_type],
        "industry_risk": b.industry_risk.astype(np.float64),
        "secured_amount": secured,
        "blocked": blocked,
    }


def _trade(
    rng: np.random.Generator, b: _Book
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Orders, invoices (with their customer and due day) and the exposures table."""
    today = b.today
    # monthly slots from the start of each customer's history to as_of
    n_slots = (today - b.history_start) // 30 + 1
    s_owner, s_pos, _ = _expand(n_slots)
    slot_start = b.history_start[s_owner] + np.round(s_pos * _MONTH).astype(np.int64)
    mid = slot_start + 15
    year_frac = mid / _YEAR
    if b.season_k is None:
        season = 1.0 + b.season_amp[s_owner] * np.cos(
            2 * np.pi * (year_frac - b.season_peak[s_owner])
        )
    else:
        # order count and order size each carry the square root of the seasonal volume
        sharp = b.season_k[s_owner]
        phase = 2 * np.pi * (year_frac - b.season_peak[s_owner])
        volume = np.exp(sharp * np.cos(phase)) / np.i0(sharp)
        season = np.sqrt(volume)
    growth = np.exp(b.trend[s_owner] * (mid - today) / _YEAR)
    p = _progress(mid, b.distress_start[s_owner], b.default_day[s_owner])
    style = b.order_style[s_owner]
    spike = (style == 1) & (p > 0.1) & (p < 0.6)
    after_spike = np.clip((p - 0.6) / 0.4, 0.0, 1.0)
    # ordering thins out but does not stop before the default date: defaulters owe money
    fall = np.select([style == 0, style == 1], [1.0 - 0.5 * p**0.5, 1.0 - 0.5 * after_spike], 1.0)
    count_mult = np.where(spike, 1.8, fall)
    rate = b.order_rate[s_owner] * season * growth * count_mult
    # roughly monthly: the rate rounded up or down at random, so ordering is regular
    rate *= rng.lognormal(0.0, 0.15, size=rate.size)
    n_orders = np.floor(rate + rng.random(rate.size)).astype(np.int64)

    o_slot, o_pos, _ = _expand(n_orders)
    o_cust = s_owner[o_slot]
    # customers order on about the same day of the month; a second order comes mid-month
    offset = b.order_day[o_cust] + 15 * o_pos + rng.integers(-4, 5, size=o_slot.size)
    o_day = slot_start[o_slot] + offset % 30
    o_amount = (
        b.monthly_sales[o_cust]
        / b.order_rate[o_cust]
        * rng.lognormal(-0.02, 0.2, size=o_slot.size)
        * season[o_slot]
        * growth[o_slot]
        * np.where(spike[o_slot], 1.2, np.where(style[o_slot] == 1, 1.0, 1.0 - 0.5 * p[o_slot]))
    )
    keep = (o_day <= np.minimum(today, b.cutoff[o_cust])) & (o_day >= b.history_start[o_cust])
    o_slot, o_cust, o_day, o_amount = o_slot[keep], o_cust[keep], o_day[keep], o_amount[keep]
    o_cents = np.maximum(np.round(o_amount * 100), 100).astype(np.int64)
    price = (
        b.unit_price[o_cust]
        * rng.lognormal(0.0, 0.03, size=o_cust.size)
        * np.where(spike[o_slot], 0.85, 1.0)
    )
    quantity = np.maximum(np.round(o_cents / 100 / price), 1.0)
    sort = np.argsort(o_day * (b.n + 1) + o_cust, kind="stable")
    orders = {
        "customer_id": o_cust[sort],  # replaced by ids by the caller
        "date": o_day[sort],
        "amount": o_cents[sort] / 100,
        "quantity": quantity[sort],
    }

    # each order ships in 1-4 deliveries (monthly-billed customers: one)
    monthly = b.monthly_billing[o_cust]
    k = np.where(monthly, 1, 1 + rng.binomial(3, 0.05, size=o_cust.size))
    p_order, p_pos, p_start = _expand(k)
    p_cents = _split_cents(rng, o_cents, p_order, p_pos, 3.0)
    gaps = np.where(p_pos == 0, 0, rng.integers(5, 21, size=p_order.size))
    cum = np.cumsum(gaps)
    cum -= np.repeat(cum[p_start], k)
    p_cust = o_cust[p_order]
    delivery = o_day[p_order] + b.delivery_lead[p_cust] + cum
    slot_issue = slot_start + 30 + rng.integers(0, 4, size=slot_start.size)
    p_monthly = monthly[p_order]
    issued = np.where(
        p_monthly, slot_issue[o_slot[p_order]], delivery + rng.integers(0, 4, size=p_order.size)
    )
    delivery = np.minimum(delivery, issued)

    # what was ordered but not invoiced on as_of is exposure (unless the customer defaulted)
    pending = (issued > today) & (b.cutoff[p_cust] > today)
    open_orders = np.bincount(
        p_cust[pending & (delivery > today)],
        weights=p_cents[pending & (delivery > today)],
        minlength=b.n,
    )
    open_deliveries = np.bincount(
        p_cust[pending & (delivery <= today)],
        weights=p_cents[pending & (delivery <= today)],
        minlength=b.n,
    )

    # group the invoiced pieces into invoices: one per slot for monthly billing, else one each
    invoiced = issued <= np.minimum(today, b.cutoff[p_cust])
    key = np.where(p_monthly, o_slot[p_order], slot_start.size + np.arange(p_order.size))[invoiced]
    used = np.zeros(slot_start.size + p_order.size, dtype=bool)
    used[key] = True
    code = (np.cumsum(used) - 1)[key]
    n_inv = int(used.sum())
    inv_cust = np.empty(n_inv, dtype=np.int64)
    inv_cust[code] = p_cust[invoiced]
    inv_issued = np.empty(n_inv, dtype=np.int64)
    inv_issued[code] = issued[invoiced]
    inv_cents = np.rint(np.bincount(code, weights=p_cents[invoiced], minlength=n_inv)).astype(
        np.int64
    )
    sort = np.argsort(inv_issued * (b.n + 1) + inv_cust, kind="stable")
    invoices = {
        "customer": inv_cust[sort],
        "issued": inv_issued[sort],
        "due": inv_issued[sort] + b.terms[inv_cust[sort]],
        "cents": inv_cents[sort],
    }

    special_mask = rng.random(b.n) < 0.05
    exposures = {
        "credit_limit": b.credit_limit.copy(),
        "open_orders": np.round(open_orders) / 100,
        "open_deliveries": np.round(open_deliveries) / 100,
        "special": np.where(
            special_mask, np.round(b.credit_limit * rng.uniform(0.05, 0.3, size=b.n), 2), 0.0
        ),
    }
    return orders, invoices, exposures


def _settle(
    rng: np.random.Generator, b: _Book, inv: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Payment columns of the invoices, and the instalment payments table."""
    cust, issued, due, cents = inv["customer"], inv["issued"], inv["due"], inv["cents"]
    m = cust.size
    p = _progress(due, b.distress_start[cust], b.default_day[cust])
    distressed = p > 0
    late = b.late_mean[cust] + b.late_sd[cust] * rng.standard_normal(m)
    late += np.where(rng.random(m) < 0.015, rng.uniform(15, 45, size=m), 0.0)  # disputes
    in_episode = b.episode[cust] & (due >= b.episode_start[cust]) & (due <= b.episode_end[cust])
    late += np.where(in_episode, b.episode_extra[cust], 0.0)
    jump = b.distress_jump[cust]
    late += b.distress_late[cust] * (jump + (1 - jump) * p ** b.distress_shape[cust]) * distressed
    # discount takers pay soon after issue, until distress makes them stop
    discount = b.discount_taker[cust] & ~distressed & ~in_episode
    pay_day = np.where(
        discount, issued + b.discount_day[cust], due + np.round(late).astype(np.int64)
    )
    pay_day = np.maximum(pay_day, issued + 1)
    last_day = np.minimum(b.today, b.cutoff[cust])

    partial = rng.random(m) < b.partial_rate[cust] + 0.5 * p + 0.2 * in_episode
    paid = ~partial & (pay_day <= last_day)
    paid_amount = np.where(paid, cents / 100, 0.0)
    paid_on = _dates(pay_day, ~paid)

    # instalments: the last one on the pay day, the earlier ones 7-30 days apart before it
    parts = np.where(rng.random(m) < 0.35, 3, 2)
    idx = np.flatnonzero(partial)
    i_owner, i_pos, _ = _expand(parts[idx])
    inv_of = idx[i_owner]
    i_cents = _split_cents(rng, cents[idx], i_owner, i_pos, 2.0)
    step = rng.integers(7, 31, size=idx.size)
    before = (parts[idx][i_owner] - 1 - i_pos) * step[i_owner]
    i_day = np.maximum(pay_day[inv_of] - before, issued[inv_of] + 1)
    # a deteriorating customer often never pays the rest
    never = rng.random(idx.size) < np.where(p[idx] > 0, 0.3 + 0.6 * p[idx], 0.0)
    is_last = i_pos == parts[idx][i_owner] - 1
    keep = (i_day <= last_day[inv_of]) & ~(is_last & never[i_owner])
    sort = np.lexsort((inv_of[keep], i_day[keep]))
    payments = {
        "invoice": inv_of[keep][sort],
        "date": i_day[keep][sort],
        "amount": i_cents[keep][sort] / 100,
    }
    return {"paid_amount": paid_amount, "paid_on": paid_on}, payments


def _statements(rng: np.random.Generator, b: _Book, as_of: np.datetime64) -> dict[str, np.ndarray]:
    n = b.n
    year = int(as_of.astype("datetime64[Y]").astype(np.int64)) + 1970
    gov, large = b.debtor_type == _GOVERNMENT, b.debtor_type == _LARGE
    reports = rng.random(n) < np.where(gov, 0.1, np.where(large, 0.9, 0.75))
    listed = rng.random(n) < np.where(large, 0.6, 0.2)
    annual_purchases = b.monthly_sales * 12
    revenue0 = annual_purchases * rng.uniform(3.0, 40.0, size=n)
    growth = rng.normal(0.04, 0.06, size=n)
    if b.statement_growth is not None:
        growth = np.where(np.isnan(b.statement_growth), growth, b.statement_growth)
    turnover = rng.lognormal(np.log(1.2), 0.3, size=n)
    ca_share = rng.uniform(0.3, 0.75, size=n)
    leverage0 = 0.45 + 0.06 * b.risk + rng.normal(0.0, 0.1, size=n)
    current_ratio0 = np.exp(rng.normal(np.log(1.6) - 0.08 * b.risk, 0.25, size=n))
    margin0 = rng.normal(0.07 - 0.012 * b.risk, 0.03, size=n)
    capital_share = rng.uniform(0.03, 0.15, size=n)
    intangible_share = np.where(rng.random(n) < 0.6, rng.uniform(0.0, 0.2, size=n), np.nan)
    price_to_book = rng.lognormal(np.log(1.5), 0.4, size=n)

    years = np.arange(year - 4, year)
    c = np.repeat(np.arange(n), years.size)
    fy = np.tile(years, n)
    period_end = np.array([f"{y}-12-31" for y in years], dtype="datetime64[D]").astype(np.int64)[
        np.tile(np.arange(years.size), n)
    ]
    published = period_end + rng.integers(60, 121, size=c.size)
    keep = (
        reports[c]
        & (rng.random(c.size) < 0.92)
        & (published <= b.today)
        & (period_end >= b.established[c])
        & (period_end < b.cutoff[c])
    )
    c, fy, period_end, published = c[keep], fy[keep], period_end[keep], published[keep]
    k = c.size
    t = (fy - (year - 1)).astype(np.float64)  # 0 for the last full year, negative before
    gap = b.default_day[c] - period_end
    weak = np.clip((720.0 - gap) / 480.0, 0.0, 1.0) * b.financial_weakness[c]

    revenue = revenue0[c] * np.exp(growth[c] * t) * rng.lognormal(0.0, 0.05, size=k)
    revenue *= 1.0 - 0.25 * weak
    total_assets = revenue / turnover[c] * rng.lognormal(0.0, 0.04, size=k)
    current_assets = total_assets * np.clip(ca_share[c] + rng.normal(0.0, 0.03, size=k), 0.1, 0.95)
    leverage = np.clip(leverage0[c] + rng.normal(0.0, 0.04, size=k) + 0.25 * weak, 0.08, 1.3)
    total_liabilities = total_assets * leverage
    current_ratio = current_ratio0[c] * rng.lognormal(0.0, 0.08, size=k) * (1.0 - 0.35 * weak)
    current_liabilities = current_assets / current_ratio
    # the current liabilities are part of the total liabilities
    total_liabilities = np.maximum(
        total_liabilities, current_liabilities * rng.uniform(1.0, 1.3, size=k)
    )
    equity = total_assets - total_liabilities
    retained = equity - total_assets * capital_share[c]
    margin = margin0[c] + rng.normal(0.0, 0.015, size=k) - 0.08 * weak
    ebit = revenue * margin
    pre_tax = ebit - 0.045 * total_liabilities
    net_income = np.where(pre_tax > 0, 0.75 * pre_tax, pre_tax)
    ocf = net_income + 0.04 * total_assets + revenue * (rng.normal(0.0, 0.03, size=k) - 0.07 * weak)
    mve = np.where(
        listed[c],
        np.maximum(equity, 0.02 * total_assets) * price_to_book[c] * rng.lognormal(0, 0.1, size=k),
        np.nan,
    )

    def money(x: FloatArray) -> FloatArray:
        return np.round(x, 2)

    order = np.lexsort((period_end, c))
    table = {
        "customer_id": c,
        "period_end": period_end,
        "revenue": money(revenue),
        "ebit": money(ebit),
        "net_income": money(net_income),
        "total_assets": money(total_assets),
        "total_liabilities": money(total_liabilities),
        "current_assets": money(current_assets),
        "current_liabilities": money(current_liabilities),
        "retained_earnings": money(retained),
        "equity": money(total_assets) - money(total_liabilities),
        "market_value_equity": money(mve),
        "operating_cash_flow": money(ocf),
        "intangible_assets": money(total_assets * intangible_share[c]),
        "published": published,
    }
    table = {name: col[order] for name, col in table.items()}
    table["current_liabilities"] = np.minimum(
        table["current_liabilities"], table["total_liabilities"]
    )
    table["period_end"] = _dates(table["period_end"])
    table["published"] = _dates(table["published"])
    return table


def _events(rng: np.random.Generator, b: _Book) -> dict[str, np.ndarray]:
    n, today = b.n, b.today
    base_rate = np.array([r for _, r, _ in _EVENT_KINDS])
    distress_weight = np.array([w for _, _, w in _EVENT_KINDS])
    years = (today - b.history_start) / _YEAR
    scale = np.exp(0.3 * np.clip(b.risk, -3, 3))

    # background events, uniform over the history
    counts = rng.poisson(np.outer(years * scale, base_rate))
    bg_cust, _, _ = _expand(counts.sum(axis=1))
    bg_kind = np.repeat(np.tile(np.arange(base_rate.size), n), counts.ravel())
    bg_day = b.history_start[bg_cust] + (
        rng.random(bg_cust.size) * (today - b.history_start[bg_cust])
    ).astype(np.int64)

    # deterioration: more events, denser toward (and a month past) the default date
    d_counts = np.where(b.defaulted, rng.poisson(b.distress_events), 0)
    d_cust, _, _ = _expand(d_counts)
    d_kind = rng.choice(base_rate.size, size=d_cust.size, p=distress_weight / distress_weight.sum())
    start = b.distress_start[d_cust]
    end = b.default_day[d_cust] + 30
    d_day = start + (rng.random(d_cust.size) ** 0.8 * (end - start)).astype(np.int64)
    # discount takers stop taking discounts when trouble starts
    stop = np.flatnonzero(b.defaulted & b.discount_taker)
    s_day = b.distress_start[stop] + rng.integers(0, 21, size=stop.size)
    # slow patches come with the odd broken promise or changing explanation
    ep = np.flatnonzero(b.episode & (rng.random(n) < 0.35))
    ep_kind = np.where(
        rng.random(ep.size) < 0.6, _KIND_INDEX["broken_promise"], _KIND_INDEX["explanation_change"]
    )
    ep_day = b.episode_start[ep] + rng.integers(10, 40, size=ep.size)

    cust = np.concatenate([bg_cust, d_cust, stop, ep])
    kind = np.concatenate(
        [bg_kind, d_kind, np.full(stop.size, _KIND_INDEX["discount_stopped"]), ep_kind]
    )
    day = np.concatenate([bg_day, d_day, s_day, ep_day])
    # nobody talks to a customer for long after it defaulted
    keep = (day <= today) & (day <= b.default_day[cust] + 30) & (day >= b.history_start[cust])
    cust, kind, day = cust[keep], kind[keep], day[keep]

    sales = b.monthly_sales[cust]
    limit = b.credit_limit[cust]
    u = rng.uniform(0.0, 1.0, size=cust.size)
    amount = np.full(cust.size, np.nan)
    for name, value in (
        ("lawsuit", sales * (1.0 + 12.0 * u)),
        ("asset_freeze", sales * (2.0 + 20.0 * u)),
        ("asset_pledge", sales * (2.0 + 20.0 * u)),
        ("broken_promise", sales * (0.3 + 1.2 * u)),
        ("bounced_payment", sales * (0.2 + 0.8 * u)),
        ("limit_increase_request", limit * (0.3 + 1.2 * u)),
    ):
        hit = kind == _KIND_INDEX[name]
        amount[hit] = np.round(value[hit], 2)
    order = np.argsort(day * (n + 1) + cust, kind="stable")
    names = np.array([name for name, _, _ in _EVENT_KINDS])
    return {
        "customer_id": cust[order],
        "date": _dates(day[order]),
        "kind": names[kind[order]],
        "amount": amount[order],
    }


#: Days after its default on which a defaulter's open invoices are written off (``write_offs=True``).
WRITE_OFF_DAYS = 120


def _with_write_offs(
    b: _Book, inv: dict[str, np.ndarray], paid: dict[str, np.ndarray], pay: dict[str, np.ndarray],
    events: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """``events`` with a ``write_off`` of each defaulter :data:`WRITE_OFF_DAYS` after its default, when on or
    before ``as_of``: its amount is what the customer still owed then. Derived from the drawn book, no draw."""
    day = np.where(b.defaulted, b.default_day + WRITE_OFF_DAYS, _NEVER)
    who = np.flatnonzero(day <= b.today)
    cust = inv["customer"]
    cut = day[cust]  # each invoice's customer's write-off day
    owed = np.where(inv["issued"] <= cut, inv["cents"] / 100, 0.0)
    paid_by = paid["paid_on"] <= _dates(cut)  # NaT (not paid in one go) compares False
    owed -= np.where(paid_by, paid["paid_amount"], 0.0)
    part = pay["date"] <= cut[pay["invoice"]]
    left = (np.bincount(cust, weights=owed, minlength=b.n)
            - np.bincount(cust[pay["invoice"][part]], weights=pay["amount"][part], minlength=b.n))
    customer = np.concatenate([events["customer_id"], who])
    when = np.concatenate([events["date"], _dates(day[who])])
    order = np.argsort(when.astype(np.int64) * (b.n + 1) + customer, kind="stable")
    return {
        "customer_id": customer[order],
        "date": when[order],
        "kind": np.concatenate([events["kind"], np.full(who.size, "write_off")])[order],
        "amount": np.concatenate([events["amount"], np.round(np.maximum(left[who], 0.0), 2)])[order],
    }


def generate(
    n_customers: int = 1000, seed: int = 0, as_of: Any = None, *, regime: str = "default",
    write_offs: bool = False,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """Draw a synthetic B2B credit book and the outcome of every customer.

    Parameters
    ----------
    n_customers : int, default 1000
        Number of customers. About 20 invoices, 22 orders, 2.5 statements and
        0.8 events are drawn per customer.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed, size and
        ``as_of`` give the same book.
    as_of : datetime.date, numpy.datetime64 or str, optional
        The date the book is observed on (ISO ``'YYYY-MM-DD'`` text accepted).
        Defaults to the fixed date 2025-12-31, never to today.
    regime : str, default "default"
        One of :data:`REGIMES`: the kind of book (see the module docstring).
        ``"default"`` draws exactly the book drawn before regimes existed.
    write_offs : bool, default False
        Record a ``write_off`` event for each defaulter :data:`WRITE_OFF_DAYS`
        days after its default (when that is on or before ``as_of``), with
        the amount it still owed then: what a provision matrix learns losses
        from. Derived from the drawn book without a random draw, so every
        other row is the same as without it.

    Returns
    -------
    tables : dict of str to dict of str to numpy.ndarray
        ``customers``, ``exposures``, ``invoices``, ``payments``, ``orders``,
        ``statements`` and ``events``, each a mapping of the column names of
        :mod:`riskkit._schema` to arrays (ids and text as str arrays, dates as
        ``datetime64[D]``, money as float64), ready for
        ``Portfolio.from_arrays(**tables, as_of=as_of)``. Nothing in them is dated
        after ``as_of``.
    outcomes : dict of str to numpy.ndarray
        ``customer_ids``, ``defaulted`` (int8 0/1) and ``default_date``
        (``datetime64[D]``, NaT for customers who do not default), in the order
        of the customers table. Defaults up to 180 days after ``as_of`` are
        included, so a score taken on ``as_of`` can be checked against them.

    Raises
    ------
    ValidationError
        If ``n_customers`` is not an integer >= 1, ``as_of`` is not a date or
        ``regime`` is not one of :data:`REGIMES`.

    Notes
    -----
    The module docstring describes what is simulated. Everything is vectorized;
    ``generate(50_000)`` takes a couple of seconds, whatever the regime.

    Examples
    --------
    >>> from riskkit.datasets._synthetic import generate
    >>> tables, outcomes = generate(200, seed=1)
    >>> sorted(tables)
    ['customers', 'events', 'exposures', 'invoices', 'orders', 'payments', 'statements']
    >>> tables["customers"]["id"][:3]
    array(['C00001', 'C00002', 'C00003'], dtype='<U6')
    >>> bool((tables["invoices"]["issued"] <= np.datetime64("2025-12-31")).all())
    True
    >>> outcomes["defaulted"].dtype, len(outcomes["customer_ids"])
    (dtype('int8'), 200)
    """
    n = _check_count(n_customers)
    return _draw(n, seed, _resolve_as_of(as_of), _check_regime(regime), write_offs=bool(write_offs))


def _draw(
    n: int,
    seed: Any,
    day: np.datetime64,
    regime: str,
    *,
    first_customer: int = 1,
    first_invoice: int = 1,
    customer_width: int | None = None,
    invoice_width: int | None = None,
    write_offs: bool = False,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """:func:`generate` with checked arguments; ids numbered from ``first_*`` (zero-padded to ``*_width``)."""
    today = int(day.astype(np.int64))
    rng = np.random.default_rng(seed)
    book = _Book(rng, n, today)
    if regime != "default":
        _apply_regime(book, regime, _regime_rng(seed, regime))

    customers = _customers(rng, book, first_customer, customer_width)
    ids = customers["id"]
    orders, inv, exposures = _trade(rng, book)
    paid, pay = _settle(rng, book, inv)
    statements = _statements(rng, book, day)
    events = _events(rng, book)
    if write_offs:  # after every draw: the rest of the book is the same
        events = _with_write_offs(book, inv, paid, pay, events)

    n_inv = inv["customer"].size
    invoice_ids = _ids(
        "INV",
        np.arange(first_invoice, first_invoice + n_inv, dtype=np.int64),
        invoice_width or max(7, len(str(n_inv))),
    )
    tables: Tables = {
        "customers": customers,
        "exposures": {"customer_id": ids.copy(), **exposures},
        "invoices": {
            "id": invoice_ids,
            "customer_id": ids[inv["customer"]],
            "issued": _dates(inv["issued"]),
            "due": _dates(inv["due"]),
            "amount": inv["cents"] / 100,
            **paid,
        },
        "payments": {
            "invoice_id": invoice_ids[pay["invoice"]],
            "date": _dates(pay["date"]),
            "amount": pay["amount"],
        },
        "orders": {
            **orders,
            "customer_id": ids[orders["customer_id"]],
            "date": _dates(orders["date"]),
        },
        "statements": {**statements, "customer_id": ids[statements["customer_id"]]},
        "events": {**events, "customer_id": ids[events["customer_id"]]},
    }
    outcomes = {
        "customer_ids": ids.copy(),
        "defaulted": book.defaulted.astype(np.int8),
        "default_date": _dates(book.default_day, ~book.defaulted),
    }
    return tables, outcomes
