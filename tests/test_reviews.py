"""The credit review calendar: next dates by grade and exposure, new warnings, month ends, point in time, the CLI."""

from __future__ import annotations

import calendar
import csv
import datetime as _dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import cli, reviews
from riskkit.errors import DataTypeError, ValidationError
from riskkit.reviews import ReviewPolicy, add_months, due, schedule

AS_OF = "2025-03-31"
D = _dt.date


def _book(exposures: list[float] | None = None, n: int = 4, as_of: str = AS_OF) -> riskkit.Portfolio:
    """``n`` customers C1..Cn; with ``exposures``, each one's open orders (its whole exposure)."""
    customers = [{"id": f"C{i + 1}", "name": f"Name {i + 1}"} for i in range(n)]
    rows = [{"customer_id": f"C{i + 1}", "credit_limit": 1e7, "open_orders": e} for i, e in enumerate(exposures or [])]
    return riskkit.Portfolio.from_records(customers=customers, exposures=rows or None, as_of=as_of)


# --- next dates -----------------------------------------------------------------------


def test_next_review_per_grade_by_hand() -> None:
    cal = schedule(_book(), grades=["AAA", "BBB", "B", "CCC"], last_review=["2025-01-31"] * 4)
    # 31 Jan 2025 + 12 months = 31 Jan 2026; + 6 = 31 Jul 2025; + 3 = 30 Apr 2025 (April has 30 days);
    # + 1 = 28 Feb 2025 (not a leap year)
    assert cal["next_review"].tolist() == [D(2026, 1, 31), D(2025, 7, 31), D(2025, 4, 30), D(2025, 2, 28)]
    # days from 31 Mar 2025: 306 (= 365 - 59), 122 (30+31+30+31), 30, -31 (overdue since 28 Feb)
    assert cal["days_until"].tolist() == [306, 122, 30, -31]
    assert cal["interval_months"].tolist() == [12, 6, 3, 1]
    assert cal["cause"].tolist() == ["grade"] * 4
    assert cal["reason"].tolist()[3] == "grade CCC: every month; last review 2025-01-31"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),  # clipped to the month's last day
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2025-04-30", 1, "2025-05-30"),  # the day is kept, not moved to the month end
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-12-31", 2, "2026-02-28"),  # across the year
        ("2025-03-15", 12, "2026-03-15"),
        ("2024-02-29", 12, "2025-02-28"),
    ],
)
def test_month_arithmetic(day: str, months: int, expected: str) -> None:
    out = add_months(np.array([day], "datetime64[D]"), np.array([months]))
    assert out.tolist() == [_dt.date.fromisoformat(expected)]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)), st.integers(1, 120))
def test_month_arithmetic_matches_the_calendar(day: _dt.date, months: int) -> None:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    expected = D(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
    assert add_months(np.array([day], "datetime64[D]"), np.array([months])).tolist() == [expected]


def test_exposure_shortens_the_interval() -> None:
    book = _book([100_000.0, 250_000.0, 300_000.0, 1_200_000.0])
    cal = schedule(book, grades=["A"] * 4, last_review=["2025-01-31"] * 4)
    # A: 12 months; above 250,000 at most 6 (exactly 250,000 is not above); above 1,000,000 at most 3
    assert cal["exposure"].tolist() == [100_000.0, 250_000.0, 300_000.0, 1_200_000.0]
    assert cal["interval_months"].tolist() == [12, 12, 6, 3]
    assert cal["next_review"].tolist() == [D(2026, 1, 31), D(2026, 1, 31), D(2025, 7, 31), D(2025, 4, 30)]
    assert cal["cause"].tolist() == ["grade", "grade", "exposure", "exposure"]
    assert cal["reason"][2] == "exposure 300,000 above 250,000: every 6 months instead of 12 months (grade A); " \
                               "last review 2025-01-31"
    # a cap never lengthens: CCC stays monthly above 1,000,000
    assert schedule(book, grades=["CCC"] * 4, last_review=["2025-01-31"] * 4)["interval_months"].tolist() == [1] * 4


def test_a_new_warning_makes_it_due_now() -> None:
    book = _book()
    cal = schedule(book, grades=["AAA"] * 4, last_review=["2025-01-31"] * 4,
                   watchlist={"C1": "2025-03-20", "C2": "2025-01-15", "C3": "2025-04-02"})
    # C1: warned 20 Mar after the review of 31 Jan: due on 20 Mar, 11 days ago;
    # C2: warned before its last review (seen then); C3: warned after as_of (not known yet); C4: none
    assert cal["next_review"].tolist() == [D(2025, 3, 20), D(2026, 1, 31), D(2026, 1, 31), D(2026, 1, 31)]
    assert cal["days_until"][0] == -11
    assert cal["cause"].tolist() == ["warning", "grade", "grade", "grade"]
    assert cal["warned_on"].tolist() == [D(2025, 3, 20), None, None, None]
    assert cal["reason"][0] == "new warning on 2025-03-20 since the last review on 2025-01-31: review now"


def test_never_reviewed_is_due_now() -> None:
    cal = schedule(_book(n=2), grades=["AA", "B"], last_review={"C2": "2025-02-28"})
    assert cal["next_review"].tolist() == [D(2025, 3, 31), D(2025, 5, 28)]  # 28 Feb + 3 months
    assert cal["cause"].tolist() == ["never_reviewed", "grade"]
    assert cal["last_review"].tolist() == [None, D(2025, 2, 28)]
    assert cal["reason"][0] == "no review on record by 2025-03-31: due now (grade AA, every 12 months)"


def test_point_in_time() -> None:
    book = _book(n=3)
    history = {"C1": ["2024-10-15", "2025-02-10", "2025-05-01"], "C2": "2025-04-30", "C3": ["2025-01-05"]}
    cal = schedule(book, grades=["BBB", "BBB", "BBB"], last_review=history)
    # C1: the review of 1 May 2025 was not known on 31 Mar: 10 Feb counts (+6 months = 10 Aug);
    # C2: its only review is later: none on record, due now
    assert cal["last_review"].tolist() == [D(2025, 2, 10), None, D(2025, 1, 5)]
    assert cal["next_review"].tolist() == [D(2025, 8, 10), D(2025, 3, 31), D(2025, 7, 5)]
    # the same with one date per customer in portfolio order
    aligned = schedule(book, grades=["BBB"] * 3, last_review=["2025-02-10", "2025-04-30", "2025-01-05"])
    assert aligned["next_review"].tolist() == cal["next_review"].tolist()
    # earlier: the schedule as it stood on 28 Feb 2025
    early = schedule(book, "2025-02-28", grades=["BBB"] * 3, last_review=history)
    assert early["last_review"].tolist() == [D(2025, 2, 10), None, D(2025, 1, 5)]
    assert early["days_until"].tolist() == [(D(2025, 8, 10) - D(2025, 2, 28)).days, 0, (D(2025, 7, 5) - D(2025, 2, 28)).days]


def test_watchlist_new_alerts_count_and_persisting_ones_do_not() -> None:
    book, _ = riskkit.datasets.make_portfolio(300, seed=1)
    scores = riskkit.scoring.five_c().score(book.features())
    last = ["2025-11-30"] * 300
    earlier = riskkit.signals.evaluate(book, "2025-12-24")
    now = riskkit.signals.evaluate(book, previous=earlier)
    flagged = set(now.flagged("warning").tolist())
    hits = now.at_level("warning")
    fresh = set(hits.column("customer_id")[hits.column("status") != "persisting"].tolist())
    assert fresh and fresh < flagged  # some warned customers have only persisting alerts
    cal = schedule(book, grades=scores, last_review=last, watchlist=now)
    warned = set(cal["customer_id"][cal["cause"] == "warning"].tolist())
    assert warned == fresh
    assert set(cal["warned_on"][cal["cause"] == "warning"].tolist()) == {D(2025, 12, 31)}
    # dated the day after the previous watchlist: a review on 25 Dec has seen them
    dated = schedule(book, grades=scores, last_review=last, watchlist=now, warnings_since="2025-12-24")
    assert set(dated["warned_on"][dated["cause"] == "warning"].tolist()) == {D(2025, 12, 25)}
    seen = schedule(book, grades=scores, last_review=["2025-12-25"] * 300, watchlist=now, warnings_since="2025-12-24")
    assert not (seen["cause"] == "warning").any()
    # without a previous watchlist every alert is new
    plain = schedule(book, grades=scores, last_review=last, watchlist=riskkit.signals.evaluate(book))
    assert set(plain["customer_id"][plain["cause"] == "warning"].tolist()) == flagged
    with pytest.raises(ValidationError, match="after as_of"):
        schedule(book, "2025-12-30", grades=scores, watchlist=now)


# --- the worklist ---------------------------------------------------------------------


def test_due_orders_by_date_then_exposure() -> None:
    book = _book([5_000.0, 90_000.0, 40_000.0, 70_000.0])
    work = due(book, grades=["B", "B", "BBB", "B"], horizon_days=31,
               last_review=["2025-01-31", "2025-01-31", "2025-01-31", "2024-12-31"])
    # B: 30 Apr (day 30) for C1 and C2, 31 Mar (day 0) for C4; BBB: 31 Jul (day 122) is beyond 31 days
    assert work["customer_id"].tolist() == ["C4", "C2", "C1"]
    assert work["days_until"].tolist() == [0, 30, 30]
    assert due(book, grades=["B"] * 4, last_review=["2025-01-31"] * 4, horizon_days=29)["customer_id"].size == 0
    assert repr(work) == "ReviewSchedule(3 customers, as_of=2025-03-31, 1 due now)"
    assert work.for_customer("C2")["next_review"] == D(2025, 4, 30)
    assert list(work) == list(work.columns) and work.columns[-1] == "reason"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 820), st.sampled_from(
        [0.0, 1e5, 3e5, 2e6])), min_size=1, max_size=12)
)
def test_invariants(rows: list[tuple[int, int, int, float]]) -> None:
    scale = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
    book = _book([r[3] for r in rows], n=len(rows))
    last = [np.datetime64("2023-01-01") + np.timedelta64(r[2], "D") for r in rows]  # up to as_of, 31 Mar 2025
    better = [scale[min(a, b)] for a, b, _, _ in rows]
    worse = [scale[max(a, b)] for a, b, _, _ in rows]
    good = schedule(book, grades=better, last_review=last)
    bad = schedule(book, grades=worse, last_review=last)
    # the next review always comes after the last one, and a worse grade is never reviewed later
    assert (good["next_review"] > good["last_review"]).all() and (bad["next_review"] > bad["last_review"]).all()
    assert (bad["next_review"] <= good["next_review"]).all()
    # one customer at a time gives the same rows as the batch
    one = schedule(_book([rows[0][3]], n=1), grades=better[:1], last_review=last[:1])
    assert one["next_review"].tolist() == good["next_review"][:1].tolist()


# --- bad input ------------------------------------------------------------------------


def test_bad_input_is_named() -> None:
    book = _book()
    with pytest.raises(ValidationError, match=r"customer 'C2' has grade 'Z'.*ReviewPolicy.months has AAA"):
        schedule(book, grades=["A", "Z", "A", "A"])
    with pytest.raises(ValidationError, match="grades has shape"):
        schedule(book, grades=["A"])
    with pytest.raises(ValidationError, match=r"grades\[1\] of customer 'C2' must be a grade name, got 3"):
        schedule(book, grades=["A", 3, "A", "A"])
    with pytest.raises(DataTypeError, match="grades must be"):
        schedule(book, grades="A")
    with pytest.raises(ValidationError, match=r"last_review\[2\] \('31.01.2025'\) is not a valid date"):
        schedule(book, grades=["A"] * 4, last_review=["2025-01-31", None, "31.01.2025", None])
    with pytest.raises(ValidationError, match="last_review names unknown customer id 'C9'"):
        schedule(book, grades=["A"] * 4, last_review={"C9": "2025-01-31"})
    with pytest.raises(ValidationError, match="warnings_since goes with a Watchlist"):
        schedule(book, grades=["A"] * 4, warnings_since="2025-03-01")
    with pytest.raises(ValidationError, match="horizon_days must be an integer number of days >= 0"):
        due(book, grades=["A"] * 4, horizon_days=-1)


def test_policy_validation() -> None:
    assert ReviewPolicy().months["B"] == 3 and ReviewPolicy().exposure_caps == ((250_000.0, 6), (1_000_000.0, 3))
    with pytest.raises(ValidationError, match=r"months\['CCC'\] must be at most the interval of the better grade B"):
        ReviewPolicy(months={"B": 3, "CCC": 6})
    with pytest.raises(ValidationError, match=r"months\['A'\] must be an integer number of months in \[1, 120\]"):
        ReviewPolicy(months={"A": 0})
    with pytest.raises(ValidationError, match=r"exposure_caps\[1\] must be a higher exposure than 100000"):
        ReviewPolicy(exposure_caps=[(100_000, 6), (50_000, 3)])
    with pytest.raises(ValidationError, match=r"exposure_caps\[1\] must be a higher exposure than 100000 with at most 6"):
        ReviewPolicy(exposure_caps=[(100_000, 6), (500_000, 12)])
    with pytest.raises(ValidationError, match="warning_level must be one of 'watch', 'warning', 'critical'"):
        ReviewPolicy(warning_level="info")
    with pytest.raises(ValidationError, match=r"ReviewPolicy\.cadence is not a parameter"):
        ReviewPolicy.from_dict({"cadence": 3})
    policy = ReviewPolicy(months={"A": 24, "B": 6}, exposure_caps=[], ungraded_months=2)
    assert ReviewPolicy.from_dict(policy.to_dict()) == policy
    cal = schedule(_book(n=2), grades=["A", ""], last_review=["2025-01-31"] * 2, policy=policy)
    assert cal["interval_months"].tolist() == [24, 2]
    assert cal["reason"][1] == "ungraded: every 2 months; last review 2025-01-31"


# --- the command line and the report -----------------------------------------------------

CUSTOMERS = "id;name\nK1;Müller Bau GmbH\nK2;Acme Handel AG\nK3;Formel KG\n"
INVOICES = """id;customer_id;issued;due;amount;paid_amount;paid_on
R1;K1;01.01.2025;21.01.2025;5.000,00;;
R2;K2;01.03.2025;31.03.2025;1.234,50;;
R3;K3;01.02.2025;03.03.2025;800,00;800,00;01.03.2025
R4;K3;25.04.2025;25.05.2025;600,00;;
"""
REVIEWS = "customer_id;last_review\nK1;31.01.2025\nK2;15.03.2024\nK2;31.12.2024\nK3;01.06.2025\nK9;01.01.2025\n"


def test_cli_reviews(tmp_path: Path) -> None:
    files = {}
    for name, text in (("customers", CUSTOMERS), ("invoices", INVOICES), ("last", REVIEWS)):
        files[name] = tmp_path / f"{name}.csv"
        files[name].write_text(text, encoding="utf-8")
    out, rejects = tmp_path / "due.csv", tmp_path / "rejects.csv"
    code = cli.main(["reviews", "--customers", str(files["customers"]), "--invoices", str(files["invoices"]),
                     "--last-review", str(files["last"]), "--delimiter", "semicolon", "--decimal", ",",
                     "--thousands", ".", "--date-format", "%d.%m.%Y", "--as-of", "2025-05-01", "--out", str(out),
                     "--rejects", str(rejects), "--quiet"])
    assert code == 3  # K9 is not a customer
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # K1 (in default: 100 days past due, grade D) 31 Jan + 1 month = 28 Feb; K2 its latest review 31 Dec + its
    # grade's interval; K3 reviewed after --as-of: none on record, due now
    got = {r["customer_id"]: r for r in rows}
    assert got["K1"]["grade"] == "D" and got["K1"]["next_review"] == "2025-02-28" and got["K1"]["days_until"] == "-62"
    assert got["K2"]["last_review"] == "2024-12-31"
    assert got["K3"]["last_review"] == "" and got["K3"]["next_review"] == "2025-05-01"
    assert got["K3"]["cause"] == "never_reviewed" and got["K1"]["name"] == "Müller Bau GmbH"
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    with open(rejects, newline="", encoding="utf-8") as fh:
        bad = list(csv.DictReader(fh))
    assert [(r["table"], r["value"], r["reason"]) for r in bad] == [("last_review", "K9", "unknown customer id")]
    # the month-end report reads the same file for its "Reviews due" section
    page = tmp_path / "report.html"
    code = cli.main(["report", "--customers", str(files["customers"]), "--invoices", str(files["invoices"]),
                     "--last-review", str(files["last"]), "--delimiter", "semicolon", "--decimal", ",",
                     "--thousands", ".", "--date-format", "%d.%m.%Y", "--as-of", "2025-05-01", "--out", str(page),
                     "--quiet"])
    html = page.read_text(encoding="utf-8")
    assert code == 3 and 'id="reviews"' in html
    assert "3 credit reviews due by the end of the month, 2 of them overdue" in html  # K1, K2 overdue; K3 today


def test_report_section() -> None:
    book, _ = riskkit.datasets.make_portfolio(200, seed=5)
    last = ["2025-06-30"] * 200
    rep = riskkit.report(book, last_review=last)
    cal = reviews.schedule(book, grades=riskkit.scoring.five_c().score(book.features()), last_review=last,
                           watchlist=riskkit.signals.evaluate(book))
    k = rep.review_counts
    assert k["due_this_month"] == int((cal["next_review"] <= np.datetime64("2025-12-31")).sum())
    assert k["overdue"] == int((cal["days_until"] < 0).sum()) and k["never_reviewed"] == 0
    assert [r["customer_id"] for r in rep.reviews] == cal.due(30)["customer_id"][:10].tolist()
    assert 'id="reviews"' in rep.html and "Reviews due" in rep.html
    assert "Reviews: " in rep.text()
