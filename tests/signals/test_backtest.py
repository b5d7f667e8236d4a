"""The signal backtest: pooled hit rate, false alarms, precision, lead time, caught ahead."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

import riskkit
from riskkit import Outcomes, signals
from riskkit.datasets import make_portfolio
from riskkit.errors import ValidationError

DATES = ["2025-03-01", "2025-04-01", "2025-05-01"]
IDS = ["A", "B", "C", "D", "E"]
DEFAULTS = np.array(["2025-05-15", "2025-04-20", "NaT", "2025-09-01", "2025-06-20"], dtype="datetime64[D]")


def invoice(iid: str, cid: str, due: str, paid_on: str | None = None) -> dict:
    d = dt.date.fromisoformat(due)
    row = {"id": iid, "customer_id": cid, "issued": (d - dt.timedelta(days=30)).isoformat(), "due": due,
           "amount": 1000.0}
    if paid_on is not None:
        row.update(paid_amount=1000.0, paid_on=paid_on)
    return row


def tiny() -> tuple[riskkit.Portfolio, Outcomes]:
    """Five customers; overdue_days (> 3 info, > 7 watch, > 15 warning, > 30 critical) at the three dates.

    ==  =====================  ================================  ==========  ======================
    id  invoice                days past due 03-01 / 04-01 / 05-01  default     lead 03-01 / 04-01 / 05-01
    ==  =====================  ================================  ==========  ======================
    A   due 02-01, unpaid      28 warning / 59 crit / 89 crit    2025-05-15  75 / 44 / 14
    B   none                   - / - / -                         2025-04-20  50 / 19 / defaulted
    C   due 03-25, paid 04-10  - / 7 info / -                    never       -
    D   due 01-01, unpaid      59 / 90 / 120, all critical       2025-09-01  184 / 153 / 123
    E   due 03-20, paid 04-30  - / 12 watch / -                  2025-06-20  111 / 80 / 50
    ==  =====================  ================================  ==========  ======================
    """
    p = riskkit.Portfolio.from_records(
        customers=[{"id": c} for c in IDS],
        invoices=[
            invoice("IA", "A", "2025-02-01"),
            invoice("IC", "C", "2025-03-25", paid_on="2025-04-10"),
            invoice("ID", "D", "2025-01-01"),
            invoice("IE", "E", "2025-03-20", paid_on="2025-04-30"),
        ],
        as_of="2025-05-01",
    )
    flags = (~np.isnat(DEFAULTS)).astype(int)
    return p, Outcomes(customer_ids=IDS, defaulted=flags, default_date=DEFAULTS)


def same(x: list[dict], y: list[dict]) -> bool:
    """Tables equal, NaN equal to NaN."""
    def key(rows: list[dict]) -> list[tuple]:
        return [tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in r.values()) for r in rows]

    return key(x) == key(y)


def rows_of(report: signals.BacktestReport, signal: str) -> dict[str, dict]:
    return {r["severity"]: r for r in report.table() if r["signal"] == signal}


def test_the_tiny_case_by_hand() -> None:
    p, outcomes = tiny()
    report = signals.backtest(p, outcomes, DATES, horizon_days=90, signals=["overdue_days"])
    rows = rows_of(report, "overdue_days")
    # defaulter pairs (lead 1..90): A x3, B x2 (B has defaulted by 05-01), E at 04-01 and 05-01 -> 7
    # non-defaulter pairs (lead > 90 or never): C x3, D x3, E at 03-01 -> 7
    # flagged >= info: A x3, E 04-01 | C 04-01, D x3
    expected = {
        #          hit    false  precision  median lead (A first caught 03-01: 75; E 04-01: 80)  n_flagged
        "info": (4 / 7, 4 / 7, 4 / 8, 77.5, 8),
        "watch": (4 / 7, 3 / 7, 4 / 7, 77.5, 7),  # C's info no longer counts
        "warning": (3 / 7, 3 / 7, 3 / 6, 75.0, 6),  # E's watch no longer counts
        "critical": (2 / 7, 3 / 7, 2 / 5, 44.0, 5),  # A caught from 04-01 only
    }
    for sev, (hit, false, precision, lead, n_flagged) in expected.items():
        row = rows[sev]
        assert row["hit_rate"] == pytest.approx(hit), sev
        assert row["false_alarm_rate"] == pytest.approx(false), sev
        assert row["precision"] == pytest.approx(precision), sev
        assert row["median_lead_days"] == lead, sev
        assert (row["n_defaulters"], row["n_flagged"]) == (7, n_flagged), sev
    # with one signal the combined watchlist is that signal
    combined = rows_of(report, "(any)")
    for sev in signals.SEVERITIES:
        assert {k: v for k, v in combined[sev].items() if k != "signal"} == {
            k: v for k, v in rows[sev].items() if k != "signal"}


def test_min_lead_days_leaves_out_defaults_too_close_to_act_on() -> None:
    p, outcomes = tiny()
    report = signals.backtest(p, outcomes, DATES, horizon_days=90, signals=["overdue_days"], min_lead_days=30)
    row = rows_of(report, "overdue_days")["warning"]
    # defaulter pairs now need lead 30..90: A 03-01 (75), A 04-01 (44), B 03-01 (50), E 04-01 (80), E 05-01 (50)
    assert row["n_defaulters"] == 5
    assert row["hit_rate"] == pytest.approx(2 / 5)  # A at 03-01 and 04-01
    assert row["false_alarm_rate"] == pytest.approx(3 / 7)
    assert row["precision"] == pytest.approx(2 / 5)
    assert row["median_lead_days"] == 75.0
    assert "min lead 30 days" in repr(report)


def test_caught_ahead_by_hand() -> None:
    p, outcomes = tiny()
    report = signals.backtest(p, outcomes, DATES, horizon_days=90, signals=["overdue_days"])
    # a date 60..90 days before the default: A (03-01, 75 days) and E (04-01, 80 days); B's lead is 50 at best
    # false alarms per date among non-defaulters: 03-01 D of C, D, E; 04-01 D of C, D; 05-01 D of C, D
    ahead = report.caught_ahead(60, "warning")
    assert (ahead.n_defaulters, ahead.n_caught) == (2, 1)  # E only reached watch
    assert ahead.caught == pytest.approx(0.5)
    assert ahead.false_alarm_rate == pytest.approx((1 / 3 + 1 / 2 + 1 / 2) / 3)
    assert report.caught_ahead(60, "watch").caught == pytest.approx(1.0)
    assert report.caught_ahead(10, "critical").n_defaulters == 3  # B at 04-01 (19 days) now counts
    assert repr(ahead).startswith("CaughtAhead(caught=50.0% (1 of 2 defaulters) at >= warning >= 60 days ahead")
    with pytest.raises(ValidationError, match="severity must be one of"):
        report.caught_ahead(60, "orange")


def test_outcomes_as_arrays_and_validation() -> None:
    p, outcomes = tiny()
    a = signals.backtest(p, outcomes, DATES, horizon_days=90, signals=["overdue_days"])
    b = signals.backtest(p, (outcomes.defaulted.tolist(), DEFAULTS.astype(str).tolist()), DATES[::-1] + DATES[:1],
                         horizon_days=90, signals=["overdue_days"])
    assert same(a.table(), b.table())
    assert b.as_of_dates.tolist() == [dt.date(2025, 3, 1), dt.date(2025, 4, 1), dt.date(2025, 5, 1)]
    with pytest.raises(ValidationError, match="after the portfolio's as_of"):
        signals.backtest(p, outcomes, ["2025-06-01"], signals=["overdue_days"])
    with pytest.raises(ValidationError, match="empty"):
        signals.backtest(p, outcomes, [], signals=["overdue_days"])
    shuffled = Outcomes(customer_ids=IDS[::-1], defaulted=outcomes.defaulted[::-1],
                        default_date=DEFAULTS[::-1])
    with pytest.raises(ValidationError, match="portfolio's customer order"):
        signals.backtest(p, shuffled, DATES, signals=["overdue_days"])
    with pytest.raises(ValidationError, match="one value per customer"):
        signals.backtest(p, ([0, 1], DEFAULTS[:2]), DATES, signals=["overdue_days"])
    with pytest.raises(ValidationError, match="defaulter needs a date"):
        signals.backtest(p, ([1, 0, 0, 0, 0], np.full(5, "NaT", "datetime64[D]")), DATES, signals=["overdue_days"])
    with pytest.raises(ValidationError, match="horizon_days"):
        signals.backtest(p, outcomes, DATES, horizon_days=0, signals=["overdue_days"])
    with pytest.raises(ValidationError, match="must be below horizon_days"):
        signals.backtest(p, outcomes, DATES, horizon_days=30, min_lead_days=30, signals=["overdue_days"])
    with pytest.raises(ValidationError, match="unknown signal"):
        signals.backtest(p, outcomes, DATES, signals=["nope"])


def test_point_in_time_flags_equal_evaluate_at_each_date() -> None:
    p, outcomes = make_portfolio(300, seed=3)
    dates = ["2025-08-31", "2025-10-31", "2025-12-31"]
    report = signals.backtest(p, outcomes, dates, horizon_days=120)
    combined = report.combined
    rank = {s: i for i, s in enumerate(signals.SEVERITIES)}
    for d, day in enumerate(dates):
        wl = signals.evaluate(p, day)
        expected = np.full(p.n_customers, -1)
        for row in wl.customers():
            expected[p.codes([row["customer_id"]])[0]] = rank[row["worst_severity"]]
        # the watchlist lists customers in default apart (collections cases); the backtest counts every one
        keep = ~np.isin(p.customer_ids, wl.in_default)
        np.testing.assert_array_equal(combined[d][keep], expected[keep])


def test_rates_match_a_computation_from_watchlists() -> None:
    p, outcomes = make_portfolio(400, seed=4)
    dates = ["2025-09-30", "2025-12-31"]
    report = signals.backtest(p, outcomes, dates, horizon_days=150, signals=["overdue_days"])
    row = rows_of(report, "overdue_days")["warning"]
    hits = defaulters = false = clean = 0
    for day in dates:
        flagged = set(signals.evaluate(p, day, signals=["overdue_days"]).at_least("warning").column("customer_id"))
        target = outcomes.defaults_within(day, 150).astype(bool)
        already = outcomes.defaulted_by(day).astype(bool)
        is_flagged = np.isin(p.customer_ids, list(flagged))
        hits += int((is_flagged & target).sum())
        defaulters += int(target.sum())
        false += int((is_flagged & ~target & ~already).sum())
        clean += int((~target & ~already).sum())
    assert row["n_defaulters"] == defaulters
    assert row["hit_rate"] == pytest.approx(hits / defaulters)
    assert row["false_alarm_rate"] == pytest.approx(false / clean)
    assert row["precision"] == pytest.approx(hits / (hits + false))


def test_table_output_and_display() -> None:
    pd = pytest.importorskip("pandas")
    p, outcomes = tiny()
    report = signals.backtest(p, outcomes, DATES, horizon_days=90, signals=["overdue_days"])
    table = report.table()
    assert [(r["signal"], r["severity"]) for r in table] == [
        ("overdue_days", s) for s in signals.SEVERITIES] + [("(any)", s) for s in signals.SEVERITIES]
    assert list(table[0]) == ["signal", "severity", "hit_rate", "false_alarm_rate", "precision",
                              "median_lead_days", "n_defaulters", "n_flagged"]
    df = report.to_pandas()
    assert df.shape == (8, 8) and df["n_defaulters"].tolist() == [7] * 8
    text = repr(report)
    assert text.splitlines()[0] == ("BacktestReport(1 signals, 3 dates 2025-03-01 .. 2025-05-01, 5 customers, "
                                    "horizon 90 days)")
    assert "overdue_days" in text and "(any)" in text
    assert report._repr_html_().startswith("<table>")
    assert report.signals == ("overdue_days",) and report.horizon_days == 90
    table[0]["hit_rate"] = 2.0
    assert report.table()[0]["hit_rate"] != 2.0
    with pytest.raises(AttributeError, match="immutable"):
        report.horizon_days = 3  # type: ignore[misc]
    assert isinstance(pd.DataFrame(table), pd.DataFrame)


def test_only_the_severities_a_signal_has_are_listed() -> None:
    p, outcomes = tiny()
    report = signals.backtest(p, outcomes, DATES, horizon_days=90, signals=["overdue_days"],
                              thresholds={"overdue_days": {"info": None, "watch": None}})
    assert [r["severity"] for r in report.table() if r["signal"] == "overdue_days"] == ["warning", "critical"]
    rows = rows_of(report, "(any)")
    assert rows["info"]["n_flagged"] == rows["warning"]["n_flagged"] == 6
