"""Each regime of ``make_portfolio`` has the property it claims, measured through riskkit's features.

The regimes exist to break rules tuned to the default book, so every test also
checks that the default book (same seed, same size) does not show the property:
otherwise the regime would not be unlike it. Structural tests (columns, point in
time, determinism) run for every regime in ``test_datasets.py``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

from riskkit import Outcomes
from riskkit.datasets import REGIMES, make_portfolio
from riskkit.portfolio import Portfolio

N, SEED = 3000, 0
AS_OF = np.datetime64("2025-12-31", "D")
DAY = np.timedelta64(1, "D")
NAT = np.datetime64("NaT", "D")
# the month-ends of the book's last year
MONTH_ENDS = (np.arange(np.datetime64("2025-01"), np.datetime64("2026-01")) + 1).astype(
    "datetime64[D]"
) - DAY


@functools.cache
def _book(regime: str) -> tuple[Portfolio, Outcomes]:
    return make_portfolio(N, seed=SEED, regime=regime)


def _never(outcomes: Outcomes) -> np.ndarray:
    return np.asarray(outcomes.defaulted == 0)


def _at(portfolio: Portfolio, days: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Feature ``names`` of each customer on its own date ``days[i]`` (NaN where NaT)."""
    out = {name: np.full(days.size, np.nan) for name in names}
    for day in np.unique(days[~np.isnat(days)]):
        frame = portfolio.features(day)
        hit = days == day
        for name in names:
            out[name][hit] = frame[name][hit]
    return out


def _ordered(portfolio: Portfolio, start: Any, end: Any) -> np.ndarray:
    """Order amount per customer dated in ``(start, end]`` (dates, or one per customer)."""
    orders = portfolio.orders
    cust, date = orders["customer"], orders["date"]
    lo = start[cust] if np.ndim(start) else start
    hi = end[cust] if np.ndim(end) else end
    hit = (date > lo) & (date <= hi)
    return np.bincount(cust[hit], weights=orders["amount"][hit], minlength=portfolio.n_customers)


def _year_on_year(portfolio: Portfolio, end: Any) -> np.ndarray:
    """Orders of the 90 days to ``end`` / orders of the same 90 days a year before.

    NaN for a customer without orders in those earlier days, or one that was not
    yet ordering in the quarter before them (its year-ago quarter may be incomplete).
    """
    last = _ordered(portfolio, end - 90 * DAY, end)
    ago = _ordered(portfolio, end - 455 * DAY, end - 365 * DAY)
    before = _ordered(portfolio, end - 545 * DAY, end - 455 * DAY)
    known = (ago > 0) & (before > 0)
    return np.where(known, last / np.where(known, ago, 1.0), np.nan)


def _terms(portfolio: Portfolio) -> np.ndarray:
    """Each customer's payment terms in days (due - issued of its invoices; 0 without)."""
    inv = portfolio.invoices
    terms = np.zeros(portfolio.n_customers, dtype=np.int64)
    terms[inv["customer"]] = (inv["due"] - inv["issued"]).astype(np.int64)
    return terms


def _share(mask: np.ndarray) -> float:
    return float(np.mean(mask))


# --- every regime ----------------------------------------------------------------------


@pytest.mark.parametrize("regime", REGIMES)
def test_default_rate_is_that_of_the_default_regime(regime: str) -> None:
    _, outcomes = _book(regime)
    _, base = _book("default")
    rate, base_rate = outcomes.defaulted.mean(), base.defaulted.mean()
    assert 0.5 * base_rate <= rate <= 2.0 * base_rate
    ahead = outcomes.defaults_within(AS_OF, 180).mean()
    base_ahead = base.defaults_within(AS_OF, 180).mean()
    assert 0.5 * base_ahead <= ahead <= 2.0 * base_ahead


@pytest.mark.parametrize("regime", REGIMES)
def test_the_book_as_riskkit_reads_it(regime: str) -> None:
    portfolio, outcomes = _book(regime)
    np.testing.assert_array_equal(portfolio.customers["id"], outcomes.customer_ids)
    frame = portfolio.features()
    assert np.isfinite(frame["payment_index"]).mean() > 0.9
    assert (frame["open_amount"] >= 0).mean() > 0.95
    assert portfolio.n_customers == N


# --- late_payers -----------------------------------------------------------------------


def test_late_payers_pay_20_to_45_days_late_by_habit() -> None:
    portfolio, outcomes = _book("late_payers")
    never = _never(outcomes)
    frame = portfolio.features(AS_OF)
    late = (frame["wadl_90d"] > 20) & never
    # about a third of the sound customers pay more than 20 days late ...
    assert 0.25 <= _share(late[never]) <= 0.45
    # ... by 20-45 days, with a payment index and DBT to match
    assert 25 <= np.median(frame["wadl_90d"][late]) <= 40
    assert 45 <= np.median(frame["payment_index"][late]) <= 60
    assert _share(frame["payment_index"][never] < 60) >= 0.2
    assert np.median(frame["dbt_weighted"][late]) >= 10
    base_portfolio, base_outcomes = _book("default")
    base = base_portfolio.features(AS_OF)
    assert _share((base["wadl_90d"] > 20)[_never(base_outcomes)]) < 0.08


def test_late_payers_break_fixed_overdue_levels() -> None:
    # the rule "oldest open invoice > 20 days overdue and paying > 20 days late" fires on
    # sound customers, at the book's end and more so over the last six month-ends
    def fires(portfolio: Portfolio, day: np.datetime64) -> np.ndarray:
        frame = portfolio.features(day)
        return np.asarray((frame["max_days_past_due"] > 20) & (frame["wadl_90d"] > 20))

    portfolio, outcomes = _book("late_payers")
    base_portfolio, base_outcomes = _book("default")
    never, base_never = _never(outcomes), _never(base_outcomes)
    assert _share(fires(portfolio, AS_OF)[never]) >= 0.10
    assert _share(fires(base_portfolio, AS_OF)[base_never]) <= 0.03
    months = np.array([fires(portfolio, day) for day in MONTH_ENDS[-6:]])
    base_months = np.array([fires(base_portfolio, day) for day in MONTH_ENDS[-6:]])
    assert _share(np.any(months, axis=0)[never]) >= 0.20
    assert _share(np.any(base_months, axis=0)[base_never]) <= 0.05
    # and "oldest open invoice > 15 days overdue" fires at month-ends on sound customers
    over15 = np.array([portfolio.features(d)["max_days_past_due"] for d in MONTH_ENDS[-6:]]) > 15
    often = np.asarray(over15.mean(axis=0) >= 0.5)  # at half the month-ends or more
    assert _share(often[never]) >= 0.15


def test_late_payers_do_not_default_for_it() -> None:
    # lateness a year before the book's end says nothing of a default after its next
    # 180 days (later than any deterioration that could have begun by then)
    portfolio, outcomes = _book("late_payers")
    day = AS_OF - 365 * DAY
    late = portfolio.features(day)["wadl_90d"] > 20
    dates = outcomes.default_date
    later = (outcomes.defaulted == 1) & (dates > day + 180 * DAY)
    known = (outcomes.defaulted == 0) | later  # not yet deteriorating on ``day``
    assert late[known].sum() >= 300
    ratio = later[late & known].mean() / later[~late & known].mean()
    assert 0.6 <= ratio <= 1.6


def test_late_paying_defaulters_drift_from_their_own_habit() -> None:
    portfolio, outcomes = _book("late_payers")
    dates = outcomes.default_date
    defaulted = outcomes.defaulted == 1
    # habitual late payers, 240 days before a default seen in the book (before any
    # deterioration: it starts 60-180 days ahead)
    seen = defaulted & (dates <= AS_OF) & (dates - 240 * DAY >= AS_OF - 730 * DAY)
    early = _at(portfolio, np.where(seen, dates - 240 * DAY, NAT), ("wadl_90d",))["wadl_90d"]
    habitual = seen & (early > 20) & (early < 50)
    assert habitual.sum() >= 15
    last = _at(portfolio, np.where(habitual, dates, NAT), ("max_days_past_due", "order_trend_3m"))
    # on its default date the oldest open invoice is 60+ days overdue, far past its habit
    assert np.median(last["max_days_past_due"][habitual]) >= 60
    assert np.median(last["max_days_past_due"][habitual] - early[habitual]) >= 25
    # and it has been ordering less
    assert np.nanmedian(last["order_trend_3m"][habitual]) < 0.8


# --- seasonal --------------------------------------------------------------------------


def test_seasonal_orders_peak_at_about_3x_in_each_industrys_month() -> None:
    portfolio, _ = _book("seasonal")
    orders = portfolio.orders
    this_year = orders["date"] > AS_OF - 365 * DAY
    industry = portfolio.customers["industry"][orders["customer"]]
    month = (orders["date"].astype("datetime64[M]") - np.datetime64("2025-01", "M")).astype(int)
    peaks = set()
    for name in np.unique(industry):
        hit = this_year & (industry == name)
        volume = np.bincount(month[hit], weights=orders["amount"][hit], minlength=12)
        assert volume.max() / volume.mean() >= 2.2, name
        assert volume.min() / volume.mean() <= 0.35, name
        peaks.add(int(volume.argmax()))
    assert len(peaks) >= 4  # different phase per industry


def test_seasonal_troughs_break_the_order_drop_rule() -> None:
    # "last 3 months' orders < 50% of the 3 before" fires on a fifth of sound customers
    def worst(regime: str) -> float:
        portfolio, outcomes = _book(regime)
        never = _never(outcomes)
        return max(_share((portfolio.features(d)["order_trend_3m"] < 0.5)[never]) for d in MONTH_ENDS)

    assert worst("seasonal") >= 0.20
    assert worst("default") <= 0.12


def test_seasonal_defaulters_show_against_the_same_months_a_year_before() -> None:
    portfolio, outcomes = _book("seasonal")
    never = _never(outcomes)
    # against the same months a year before, sound customers' orders are flat at every
    # month-end (there is a year-ago quarter from mid-2025 on), troughs and peaks alike ...
    for day in MONTH_ENDS[5::3]:
        sound = _year_on_year(portfolio, day)[never]
        sound = sound[np.isfinite(sound)]
        assert sound.size >= 300
        assert 0.8 <= np.median(sound) <= 1.25
        assert _share(sound < 0.5) <= 0.2
    # ... while a defaulter's orders on its default date have fallen against them
    dates = outcomes.default_date
    seen = (outcomes.defaulted == 1) & (dates <= AS_OF)
    yoy = np.full(N, np.nan)
    for day in np.unique(dates[seen]):
        hit = seen & (dates == day)
        yoy[hit] = _year_on_year(portfolio, day)[hit]
    fallen = yoy[seen][np.isfinite(yoy[seen])] < 0.5
    assert fallen.size >= 30
    sound = _year_on_year(portfolio, AS_OF)[never]
    assert _share(fallen) >= 2 * _share(sound[np.isfinite(sound)] < 0.5)


# --- sudden ----------------------------------------------------------------------------


def _look_sound_60_days_before(regime: str) -> tuple[float, float]:
    """Shares of the defaulters (default seen 60 days ahead in the book) looking sound and
    warning 60 days before their default."""
    portfolio, outcomes = _book(regime)
    dates = outcomes.default_date
    seen = (outcomes.defaulted == 1) & (dates - 60 * DAY <= AS_OF)
    f = _at(portfolio, np.where(seen, dates - 60 * DAY, NAT), ("payment_index", "max_days_past_due"))
    sound = (f["payment_index"] >= 70) & (f["max_days_past_due"] <= 15)
    warning = (f["payment_index"] < 60) | (f["max_days_past_due"] > 30)
    return _share(sound[seen]), _share(warning[seen])


def test_sudden_defaulters_look_sound_60_days_before_default() -> None:
    sound, warning = _look_sound_60_days_before("sudden")
    base_sound, base_warning = _look_sound_60_days_before("default")
    assert sound >= 0.25
    assert sound >= base_sound + 0.10
    # the others warn as usual
    assert warning >= 0.25
    assert base_warning > warning


def test_sudden_defaulters_still_default_with_unpaid_invoices() -> None:
    portfolio, outcomes = _book("sudden")
    seen = np.asarray(outcomes.defaulted_by(AS_OF - 30 * DAY) == 1)
    assert _share(portfolio.features(AS_OF)["overdue_amount"][seen] > 0) >= 0.9


# --- growth ----------------------------------------------------------------------------


def test_growth_customers_double_their_orders_in_a_year() -> None:
    def doubled(regime: str) -> float:
        portfolio, _ = _book(regime)
        return _share(_year_on_year(portfolio, AS_OF) > 1.8)  # of all customers

    assert doubled("growth") >= 0.20
    assert doubled("default") <= 0.12


def test_growth_pushes_sound_customers_over_their_limits() -> None:
    def over(regime: str, level: float) -> float:
        portfolio, outcomes = _book(regime)
        return _share((portfolio.features(AS_OF)["utilization"] > level)[_never(outcomes)])

    assert over("growth", 1.5) >= over("default", 1.5) + 0.08
    assert over("growth", 2.0) >= 0.05
    assert over("default", 2.0) <= 0.01


# --- mixed_terms -----------------------------------------------------------------------


def test_mixed_terms_are_in_use() -> None:
    portfolio, _ = _book("mixed_terms")
    terms = _terms(portfolio)
    used = terms[terms > 0]
    lengths, counts = np.unique(used, return_counts=True)
    assert (lengths[counts >= 0.05 * used.size]).size >= 4
    # government and large institutions are on long terms
    slow = np.isin(portfolio.customers["debtor_type"], ["government", "large_institution"])
    assert (terms[slow & (terms > 0)] >= 60).all()
    base_terms = _terms(_book("default")[0])
    assert set(np.unique(base_terms[base_terms > 0]).tolist()) == {30, 60, 90}


def test_mixed_terms_dso_and_overdue_days_follow_terms_not_risk() -> None:
    portfolio, outcomes = _book("mixed_terms")
    terms = _terms(portfolio)
    never = _never(outcomes)
    frame = portfolio.features(AS_OF)
    dso = frame["dso_90d"]
    assert np.nanmedian(dso[never & (terms == 120)]) >= 2.5 * np.nanmedian(dso[never & (terms == 30)])
    over = frame["max_days_past_due"] > 15
    assert _share(over[never & (terms == 14)]) >= 3 * _share(over[never & (terms == 30)])
    # short terms are not riskier: the default rate on 14 days is that of 30 days
    defaulted = outcomes.defaulted == 1
    ratio = defaulted[terms == 14].mean() / defaulted[terms == 30].mean()
    assert 0.5 <= ratio <= 2.0
