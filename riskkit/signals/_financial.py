"""Financial-statement signals (docs/domain.md, *Warning signals*, financial).

Every signal here reads the customers' statements known at ``as_of``: a
statement counts once its period has ended and, where a publication date is
given, once it is published (docs/domain.md, *Point in time*). A customer without a usable
statement, or whose statement lacks a line item a signal needs, gets NaN and
is never hit: missing figures never look like distress.

The window of a hit is the span of statements its value is measured over:
0 for a state read off the latest statement (a ratio, a score), the days
between the two period ends compared for a change (year on year: about 365),
and the days from the first to the last period end of a run of negative cash
flows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from riskkit._numeric import safe_divide
from riskkit._pit import statement_column
from riskkit.finance import ALTMAN_ZONES
from riskkit.signals._base import SignalHits, ThresholdSignal, hits_from_values
from riskkit.signals._context import Context, context
from riskkit.signals._registry import register

Evidence = Callable[[np.ndarray], list[str]]
Measured = tuple[np.ndarray, np.ndarray, Evidence]

#: A year-on-year comparison takes the statement whose period ended this many days
#: (give or take YEAR_TOLERANCE) before the latest one: a 52/53-week year or a moved
#: closing date still counts as the same period of last year.
YEAR = 365
YEAR_TOLERANCE = 31


class StatementSignal(ThresholdSignal):
    """A :class:`ThresholdSignal` on the known statements that reports a window per hit.

    Subclasses implement :meth:`measure`, returning each customer's value, the
    span in days of the statements behind it, and an evidence maker.
    """

    def measure(self, ctx: Context) -> Measured:
        raise NotImplementedError

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        values, _, evidence = self.measure(context(portfolio, as_of))
        return values, evidence

    def evaluate(self, portfolio: Any, as_of: Any, thresholds: Mapping[str, np.ndarray]) -> SignalHits:
        """Hits of this signal on ``portfolio`` at ``as_of`` with per-customer ``thresholds``."""
        ctx = context(portfolio, as_of)
        values, spans, evidence = self.measure(ctx)
        hits = hits_from_values(self.name, np.asarray(values, dtype=np.float64), thresholds, self.compare,
                                self.window_days, evidence)
        if len(hits):
            hits = attrs.evolve(hits, window_days=spans[hits.customer])
        return hits


# --- helpers -------------------------------------------------------------------------


def _column(ctx: Context, rows: np.ndarray, name: str) -> np.ndarray:
    """``name`` of the statement rows (NaN / NaT where a row is -1)."""
    return statement_column(ctx.portfolio, rows, name)


def _span(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Days from ``earlier`` to ``later`` (0 where either is NaT)."""
    days = (later - earlier).astype("timedelta64[D]").astype(np.int64)
    return np.where(np.isnat(later) | np.isnat(earlier), 0, days)


def _latest_ratio(ctx: Context, feature: str, numerator: str, denominator: str) -> Measured:
    """A ratio ``feature`` of the latest statement; evidence: both statement items, the ratio and the statement."""
    value = ctx.feature(feature)
    rows = ctx.statement_rows[0]
    num_label, den_label = numerator.replace("_", " "), denominator.replace("_", " ")

    def evidence(customers: np.ndarray) -> list[str]:
        r = rows[customers]
        num = _column(ctx, r, numerator).tolist()
        den = _column(ctx, r, denominator).tolist()
        return [f"{num_label} {_money(a)} / {den_label} {_money(b)} = {v:.2f}; {note}"
                for a, b, v, note in zip(num, den, value[customers].tolist(), _statement_note(ctx, r), strict=True)]

    return value, np.zeros(ctx.n, dtype=np.int64), evidence


def _money(x: float) -> str:
    return "n/a" if x != x else f"{x:,.0f}"


def _day_strings(days: np.ndarray) -> list[str]:
    """ISO text of each date (``"NaT"`` for none); formats each distinct date once."""
    distinct, inverse = np.unique(days, return_inverse=True)
    return distinct.astype(str)[inverse.ravel()].tolist()


def _shown(values: np.ndarray, spec: str, decimals: int) -> np.ndarray:
    """``values`` formatted with ``spec`` (showing ``decimals`` decimals; NaN as n/a), as an object array of str.

    Rounded first, so each distinct shown value is formatted once: evidence for
    tens of thousands of hits costs array work, not a format call per hit.
    """
    distinct, inverse = np.unique(np.round(values, decimals), return_inverse=True)
    text = np.array(["n/a" if v != v else format(v, spec) for v in distinct.tolist()], dtype=object)
    return text[inverse.ravel()]


def _statement_dates(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """``2024-12-31 (published 2025-03-15)`` for each statement row (object array of str)."""
    st = ctx.portfolio.statements
    end = st["period_end"][rows].astype("datetime64[D]").astype(np.int64)
    published = st["published"][rows].astype("datetime64[D]")
    delay = np.where(np.isnat(published), -1, published.astype(np.int64) - end)
    # few distinct (period end, publication) pairs: format each once
    distinct, inverse = np.unique(end * (1 << 24) + (delay + 1), return_inverse=True)
    ends = (distinct >> 24).astype("datetime64[D]")
    delays = (distinct & ((1 << 24) - 1)) - 1
    text = np.array(
        [f"{e}" if d < 0 else f"{e} (published {e + np.timedelta64(d, 'D')})"
         for e, d in zip(ends.tolist(), delays.tolist(), strict=True)],
        dtype=object,
    )
    return text[inverse.ravel()]


def _statement_note(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """``statement 2024-12-31 (published 2025-03-15)`` for each statement row (object array of str)."""
    return "statement " + _statement_dates(ctx, rows)


def _pair_note(ctx: Context, earlier: np.ndarray, later: np.ndarray) -> np.ndarray:
    """``statements 2023-12-31 -> 2024-12-31 (published 2025-03-15)`` for pairs of statement rows."""
    then = np.array(_day_strings(ctx.portfolio.statements["period_end"][earlier]), dtype=object)
    return "statements " + then + " -> " + _statement_dates(ctx, later)


def _year_before(ctx: Context) -> np.ndarray:
    """Per customer: the known statement whose period ended a year before the latest one's (-1 if none).

    The closest period end within ``YEAR +- YEAR_TOLERANCE`` days wins, so a
    quarterly reporter is compared with the same quarter of the year before.
    """
    st = ctx.portfolio.statements
    order, cust = ctx.known_statements
    latest = ctx.statement_rows[0]
    out = np.full(ctx.n, -1, dtype=np.int64)
    have = np.flatnonzero(latest >= 0)
    if have.size == 0:
        return out
    day = st["period_end"].astype("datetime64[D]").astype(np.int64)
    keys = cust.astype(np.int64) * (1 << 32) + (day[order] + (1 << 31))
    target = day[latest[have]] - YEAR
    tkeys = have.astype(np.int64) * (1 << 32) + (target + (1 << 31))
    pos = np.searchsorted(keys, tkeys)
    best = np.full(have.size, -1, dtype=np.int64)
    best_gap = np.full(have.size, YEAR_TOLERANCE + 1, dtype=np.int64)
    for cand in (pos - 1, pos):  # the neighbours on either side of the target date
        ok = (cand >= 0) & (cand < order.size)
        c = np.clip(cand, 0, max(order.size - 1, 0))
        ok &= cust[c] == have
        gap = np.abs(day[order[c]] - target)
        better = ok & (gap < best_gap)
        best[better] = order[c][better]
        best_gap[better] = gap[better]
    out[have] = best
    return out


# --- signals -------------------------------------------------------------------------


@register("distress_zone")
class DistressZone(StatementSignal):
    """Altman Z' (private firms) of the latest statement in the grey or distress zone.

    Value: the customer's Altman Z' score (:func:`riskkit.finance.altman_z_private`)
    on its latest known statement; NaN without a statement or when a needed
    line item (working capital, retained earnings, EBIT, equity, sales, total
    assets or liabilities) is missing, so an incomplete statement never reads
    as distress.

    Why Z' for everyone: it needs book figures only, which every reporting
    customer has, listed or not, and it is the Altman variant built for
    private firms, which most trade customers are. The 1968 Z needs a market
    value of equity (listed firms only) and Z'' drops sales for
    non-manufacturers, and an industry code does not reliably say which
    customers are manufacturers. One model on one scale keeps one threshold
    per severity meaningful and lets users override it. Use another model by
    subclassing with ``model = "altman_z_nonmfg"`` (or ``"altman_z"``) and
    that model's zones from :data:`riskkit.finance.ALTMAN_ZONES`, registered
    under a new name.

    Window: 0 (a state of the latest statement).

    Default thresholds (value below): ``info`` 2.90, the grey zone;
    ``warning`` 1.23, Altman's distress zone.

    Evidence: the score and its zone, the latest statement's period end (and
    publication date), and the net income when it is a loss.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     statements=[{"customer_id": "C1", "period_end": "2024-12-31", "published": "2025-03-15",
    ...                  "revenue": 900e3, "ebit": -30e3, "net_income": -45e3, "total_assets": 700e3,
    ...                  "total_liabilities": 665e3, "current_assets": 280e3, "current_liabilities": 400e3,
    ...                  "retained_earnings": -20e3, "equity": 35e3}],
    ...     as_of="2025-06-30")
    >>> wl = riskkit.signals.evaluate(book, signals=["distress_zone"])
    >>> [(r["severity"], round(r["value"], 3), r["evidence"]) for r in wl.to_records()]
    [('warning', 1.025, "Z' 1.02 (distress zone); statement 2024-12-31 (published 2025-03-15); net loss 45,000")]
    >>> len(riskkit.signals.evaluate(book, "2025-03-14", signals=["distress_zone"]))  # not published yet
    0
    """

    model = "altman_z_private"
    category = "financial"
    description = "Altman Z' of the latest statement in the grey (info) or distress (warning) zone."
    thresholds = {"info": ALTMAN_ZONES["altman_z_private"][1], "warning": ALTMAN_ZONES["altman_z_private"][0]}
    compare = "<"
    window_days = 0

    def measure(self, ctx: Context) -> Measured:
        z = ctx.feature(self.model)
        rows = ctx.statement_rows[0]
        low, _ = ALTMAN_ZONES[self.model]
        label = {"altman_z": "Z", "altman_z_private": "Z'", "altman_z_nonmfg": "Z''"}.get(self.model, self.model)

        def evidence(customers: np.ndarray) -> list[str]:
            r = rows[customers]
            v = z[customers]
            zones = np.where(v < low, " (distress zone); ", " (grey zone); ").astype(object)
            out = (label + " " + _shown(v, ".2f", 2) + zones + _statement_note(ctx, r)).tolist()
            income = _column(ctx, r, "net_income")
            for i in np.flatnonzero(income < 0).tolist():
                out[i] += f"; net loss {_money(-income[i])}"
            return out

        return z, np.zeros(ctx.n, dtype=np.int64), evidence


@register("current_ratio_low")
class CurrentRatioLow(StatementSignal):
    """Current ratio of the latest statement below 1.

    Value: current assets / current liabilities on the latest known
    statement; NaN without a statement, with a missing item or with no
    current liabilities.

    Window: 0 (a state of the latest statement).

    Default thresholds (value below): ``watch`` 1.0 (current liabilities
    exceed current assets); ``warning`` 0.75 (current assets cover less than
    three quarters of them).

    Evidence: both amounts, the ratio and the statement.
    """

    category = "financial"
    description = "Current ratio (current assets / current liabilities) of the latest statement below the threshold."
    thresholds = {"watch": 1.0, "warning": 0.75}
    compare = "<"
    window_days = 0

    def measure(self, ctx: Context) -> Measured:
        return _latest_ratio(ctx, "current_ratio", "current_assets", "current_liabilities")


@register("current_ratio_falling")
class CurrentRatioFalling(StatementSignal):
    """Current ratio down by more than 20% against the previous statement.

    Value: the relative fall ``1 - CR_latest / CR_previous`` between the
    latest known statement and the one before it (0.25 = down 25%; negative
    when the ratio rose); NaN when either ratio is missing or the previous one
    is not positive.

    Window: days between the two statements' period ends (365 for yearly
    statements).

    Default thresholds (value above): ``watch`` 0.20 (docs/domain.md); ``warning``
    0.25 (down by more than a quarter).

    Evidence: both ratios, the change and the two statements.
    """

    category = "financial"
    description = "Current ratio fell by more than the threshold (a fraction) against the previous statement."
    thresholds = {"watch": 0.20, "warning": 0.25}
    compare = ">"
    window_days = YEAR

    def measure(self, ctx: Context) -> Measured:
        latest, previous = ctx.statement_rows
        now = ctx.feature("current_ratio")
        before = safe_divide(_column(ctx, previous, "current_assets"), _column(ctx, previous, "current_liabilities"))
        before[before <= 0] = np.nan
        value = 1.0 - now / before
        spans = _span(_column(ctx, latest, "period_end"), _column(ctx, previous, "period_end"))

        def evidence(customers: np.ndarray) -> list[str]:
            return [f"current ratio {b:.2f} -> {a:.2f} (down {v:.0%}); {note}"
                    for b, a, v, note in zip(before[customers].tolist(), now[customers].tolist(),
                                             value[customers].tolist(),
                                             _pair_note(ctx, previous[customers], latest[customers]), strict=True)]

        return value, spans, evidence


@register("negative_ocf")
class NegativeOperatingCashFlow(StatementSignal):
    """Operating cash flow negative in 3 consecutive statements.

    Value: how many consecutive known statements, up to and including the
    latest, report a negative operating cash flow (0 when the latest is not
    negative); NaN without a statement or when the latest one's operating
    cash flow is missing. A missing figure earlier on ends the run: unknown
    is not counted as negative.

    Window: days from the period end of the first statement of the run to
    that of the latest (730 for three yearly statements).

    Default thresholds (value at least): ``info`` 1; ``watch`` 2;
    ``warning`` 3 (docs/domain.md: negative three periods running).

    Evidence: the period ends and cash flows of the run (the latest three).
    """

    category = "financial"
    description = "Operating cash flow negative in at least the threshold number of consecutive statements."
    thresholds = {"info": 1.0, "watch": 2.0, "warning": 3.0}
    compare = ">="
    window_days = 2 * YEAR

    def measure(self, ctx: Context) -> Measured:
        st = ctx.portfolio.statements
        order, cust = ctx.known_statements
        value = np.full(ctx.n, np.nan)
        spans = np.zeros(ctx.n, dtype=np.int64)
        first = np.full(ctx.n, -1, dtype=np.int64)
        last_position = np.full(ctx.n, -1, dtype=np.int64)
        if order.size:
            ocf = st["operating_cash_flow"][order]
            negative = ocf < 0  # NaN is not negative: it ends a run
            idx = np.arange(order.size)
            starts = np.r_[True, cust[1:] != cust[:-1]]
            # position of the last statement that breaks the run (the one before a customer's first counts)
            breaks = np.where(~negative, idx, np.where(starts, idx - 1, -1))
            run = idx - np.maximum.accumulate(breaks)
            last = np.r_[cust[1:] != cust[:-1], True]
            lc, lr = cust[last], run[last]
            last_position[lc] = np.flatnonzero(last)
            value[lc] = np.where(np.isnan(ocf[last]), np.nan, lr)
            first[lc] = order[np.flatnonzero(last) - np.maximum(lr - 1, 0)]
            spans = _span(_column(ctx, ctx.statement_rows[0], "period_end"), _column(ctx, first, "period_end"))

        def evidence(customers: np.ndarray) -> list[str]:
            runs = value[customers].astype(np.int64)
            ends = last_position[customers]
            shown = np.minimum(runs, 3)
            # the latest (up to) three statements of each run, oldest first
            owner = np.repeat(np.arange(customers.size), shown)
            back = np.repeat(shown, shown) - 1 - (np.arange(owner.size) - np.repeat(np.cumsum(shown) - shown, shown))
            rows = order[ends[owner] - back]
            items = [f"{d}: {_money(v)}" for d, v in zip(_day_strings(st["period_end"][rows]),
                                                        st["operating_cash_flow"][rows].tolist(), strict=True)]
            out = []
            start = 0
            for run, k in zip(runs.tolist(), shown.tolist(), strict=True):
                listed = ", ".join(items[start:start + k]) + (f" (and {run - 3} earlier)" if run > 3 else "")
                start += k
                out.append(f"operating cash flow negative in the latest {run} statements: {listed}" if run > 1
                           else f"operating cash flow negative in the latest statement: {listed}")
            return out

        return value, spans, evidence


@register("leverage_high")
class LeverageHigh(StatementSignal):
    """Total liabilities above 80% of total assets on the latest statement.

    Value: total liabilities / total assets (the debt ratio) of the latest
    known statement; NaN without a statement, with a missing item or zero
    total assets.

    Window: 0 (a state of the latest statement).

    Default thresholds (value above): ``watch`` 0.8; ``warning`` 0.9;
    ``critical`` 1.0 (liabilities exceed assets: negative equity, over-indebted
    on the balance sheet).

    Evidence: both amounts, the ratio and the statement.
    """

    category = "financial"
    description = "Total liabilities / total assets of the latest statement above the threshold."
    thresholds = {"watch": 0.8, "warning": 0.9, "critical": 1.0}
    compare = ">"
    window_days = 0

    def measure(self, ctx: Context) -> Measured:
        return _latest_ratio(ctx, "debt_ratio", "total_liabilities", "total_assets")


@register("margin_drop")
class MarginDrop(StatementSignal):
    """Net margin down by more than 15% year on year (relative to last year's margin).

    Value: the relative fall of the net margin (net income / revenue) from
    the statement a year before to the latest known one,
    ``(m_before - m_latest) / max(|m_before|, 0.02)``: 0.25 means the margin
    lost a quarter of its level, 1.0 that it fell to zero, 2.0 that a profit
    turned into a loss as large as the profit was. NaN when either margin is
    missing or no statement ended a year (+- 31 days) before the latest; a
    quarterly reporter is compared with the same quarter of the year before.

    Why relative: docs/domain.md's "down 15%" only makes sense relative to the
    margin (15 percentage points would be more than most firms earn), and a
    relative fall weighs a 2-point fall on a 3% margin as the alarm it is.
    Why the floor: relative to a margin near zero any wobble is hundreds of
    percent, so a margin below 2% is measured against 2 points (a fall from
    0.5% to 0.3% is 10%, not 40%). Dividing by ``|m_before|`` keeps the
    direction right after a loss year too: a loss deepening from -2% to -5% of
    revenue is a fall of 1.5.

    Window: days between the two statements' period ends (about 365).

    Default thresholds (value above): ``info`` 0.15 (docs/domain.md); ``watch``
    0.5 (margin halved); ``warning`` 1.5 (a profit turned into a loss half
    its size, e.g. 4% to -2%).

    Evidence: both margins in percent and the two statements.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     statements=[{"customer_id": "C1", "period_end": "2023-12-31", "revenue": 1e6, "net_income": 40e3},
    ...                 {"customer_id": "C1", "period_end": "2024-12-31", "revenue": 1e6, "net_income": 10e3}],
    ...     as_of="2025-06-30")
    >>> [(r["severity"], r["value"], r["window_days"], r["evidence"])
    ...  for r in riskkit.signals.evaluate(book, signals=["margin_drop"]).to_records()]
    [('watch', 0.75, 366, 'net margin 4.0% -> 1.0%; statements 2023-12-31 -> 2024-12-31')]
    """

    category = "financial"
    description = "Net margin fell year on year by more than the threshold, relative to last year's margin."
    thresholds = {"info": 0.15, "watch": 0.5, "warning": 1.5}
    compare = ">"
    window_days = YEAR
    floor = 0.02

    def measure(self, ctx: Context) -> Measured:
        latest = ctx.statement_rows[0]
        before_rows = _year_before(ctx)
        now = ctx.feature("net_margin")
        before = safe_divide(_column(ctx, before_rows, "net_income"), _column(ctx, before_rows, "revenue"))
        value = (before - now) / np.maximum(np.abs(before), self.floor)
        spans = _span(_column(ctx, latest, "period_end"), _column(ctx, before_rows, "period_end"))

        def evidence(customers: np.ndarray) -> list[str]:
            return ("net margin " + _shown(before[customers], ".1%", 3) + " -> " + _shown(now[customers], ".1%", 3)
                    + "; " + _pair_note(ctx, before_rows[customers], latest[customers])).tolist()

        return value, spans, evidence


@register("distress_probability")
class DistressProbability(StatementSignal):
    """Zmijewski or Ohlson probability of distress above 0.5.

    Value: the higher of the Zmijewski (1984) and Ohlson (1980) probabilities
    (:func:`riskkit.finance.zmijewski_p`, :func:`riskkit.finance.ohlson_p`) on
    the latest known statement, so either model reading "at risk" counts; the
    one available when the other is NaN (Ohlson also needs the previous
    statement's net income); NaN when both are.

    Window: 0 (a state of the latest statement).

    Default thresholds (value above): ``watch`` 0.3; ``warning`` 0.5 (the
    models' own at-risk cut-off, docs/domain.md, *Financial distress models*).

    Evidence: both probabilities and the statement.
    """

    category = "financial"
    description = "Higher of the Zmijewski and Ohlson distress probabilities above the threshold."
    thresholds = {"watch": 0.3, "warning": 0.5}
    compare = ">"
    window_days = 0

    def measure(self, ctx: Context) -> Measured:
        zm, oh = ctx.feature("zmijewski_p"), ctx.feature("ohlson_p")
        value = np.fmax(zm, oh)
        rows = ctx.statement_rows[0]

        def evidence(customers: np.ndarray) -> list[str]:
            return ("Zmijewski P " + _shown(zm[customers], ".2f", 2) + ", Ohlson P " + _shown(oh[customers], ".2f", 2)
                    + "; " + _statement_note(ctx, rows[customers])).tolist()

        return value, np.zeros(ctx.n, dtype=np.int64), evidence
