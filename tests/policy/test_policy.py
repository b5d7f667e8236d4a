"""CreditPolicy: each limit method, combination, terms, conditions, every check step and outcome, by hand.

Hand-built books are observed on 2025-06-30. The limits book:

* C1 (grade A): 12 monthly invoices of 10,000 in the last year (plus an older
  one, so 14 months of history): 10,000 avg monthly; statement with tangible
  net worth 400,000 (equity 500,000 less intangibles 100,000), working capital
  200,000 and a profit. Limit on file 50,000.
* C2 (BBB): a loss-making statement, net worth 200,000, working capital -30,000.
* C3 (BB): negative net worth (-50,000), working capital 5,000.
* C4 (AAA): a new customer, first invoice 73 days ago (2.4 months), 24,000 invoiced.
* C5 (no grade): nothing at all.

The tests of the limit methods switch the limit review off (``methods_only``:
no rounding, no purchases floor, no cap on the cut) so each method's figure is
the limit; tests/policy/test_limits_fit.py covers the review rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit.dunning import dunning_level
from riskkit.errors import DataTypeError, FormatError, ValidationError
from riskkit.policy import (
    CONDITIONS,
    LIMIT_METHODS,
    OUTCOMES,
    STEPS,
    CreditDecision,
    CreditPolicy,
    Recommendations,
    StepResult,
)
from riskkit.portfolio import Portfolio
from riskkit.scoring import ScoreResult

AS_OF = "2025-06-30"
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone.utc)
NAN = float("nan")
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")


def invoice(iid: str, cid: str, issued: str, due: str, amount: float, paid_on: str | None = None) -> dict:
    row = {"id": iid, "customer_id": cid, "issued": issued, "due": due, "amount": amount}
    if paid_on is not None:
        row.update(paid_amount=amount, paid_on=paid_on)
    return row


def add_days(day: str, n: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=n)).isoformat()


def limits_book() -> Portfolio:
    invoices = [invoice("I0", "C1", "2024-05-01", "2024-05-31", 5000.0, "2024-05-31")]
    for k, issued in enumerate([f"2024-{m:02d}-15" for m in range(7, 13)] + [f"2025-{m:02d}-15" for m in range(1, 7)]):
        due = add_days(issued, 30)
        invoices.append(invoice(f"I{k + 1}", "C1", issued, due, 10000.0, due if due <= AS_OF else None))
    invoices += [
        invoice("N1", "C4", "2025-04-18", "2025-05-18", 12000.0, "2025-05-18"),
        invoice("N2", "C4", "2025-05-18", "2025-06-17", 12000.0, "2025-06-17"),
    ]
    statement = {"period_end": "2024-12-31", "published": "2025-03-01"}
    return Portfolio.from_records(
        customers=[{"id": c} for c in ("C1", "C2", "C3", "C4", "C5")],
        exposures=[{"customer_id": "C1", "credit_limit": 50000.0, "open_orders": 5000.0}],
        invoices=invoices,
        statements=[
            {**statement, "customer_id": "C1", "equity": 500000.0, "intangible_assets": 100000.0,
             "current_assets": 300000.0, "current_liabilities": 100000.0, "net_income": 50000.0},
            {**statement, "customer_id": "C2", "equity": 200000.0, "net_income": -10000.0,
             "current_assets": 50000.0, "current_liabilities": 80000.0},
            {**statement, "customer_id": "C3", "equity": -50000.0, "net_income": -1.0,
             "current_assets": 10000.0, "current_liabilities": 5000.0},
        ],
        as_of=AS_OF,
    )


def scores_for(grades: list[str], ids: list[str]) -> ScoreResult:
    score = [NAN if g == "" else 50.0 for g in grades]
    return ScoreResult(score=score, pd=score, grade=grades, customer_ids=ids)


#: The limit review switched off: the methods' figures are the limits.
REVIEW_OFF = {"limit_rounding": 0.0, "floor_grade": "", "max_cut": 1.0}


def methods_only(**kwargs: object) -> CreditPolicy:
    return CreditPolicy(**{**REVIEW_OFF, **kwargs})


LIMIT_IDS = ["C1", "C2", "C3", "C4", "C5"]
LIMIT_GRADES = ["A", "BBB", "BB", "AAA", ""]


@pytest.fixture(scope="module")
def book() -> Portfolio:
    return limits_book()


@pytest.fixture(scope="module")
def scores() -> ScoreResult:
    return scores_for(LIMIT_GRADES, LIMIT_IDS)


def row(rec: Recommendations, cid: str) -> dict:
    return next(r for r in rec.to_records() if r["customer_id"] == cid)


# ------------------------------------------------------------------ each limit method, by hand


def test_net_worth_method(book: Portfolio, scores: ScoreResult) -> None:
    rec = methods_only(methods=["net_worth"]).recommend(book, scores)
    c1 = row(rec, "C1")
    assert c1["limit"] == pytest.approx(40000.0)  # 10 % (A) x (500,000 - 100,000)
    assert c1["binding_method"] == "net_worth"
    assert c1["reason"] == (
        "fall 50,000 -> 40,000: net worth: 10% (A) x tangible net worth 400,000 = 40,000 (only method that applies)"
    )
    # loss-making C2: 7.5 % (BBB) x 0.5 x 200,000
    c2 = row(rec, "C2")
    assert c2["limit"] == pytest.approx(7500.0)
    assert "x 0.5 (net loss)" in c2["reason"]
    assert row(rec, "C4")["binding_method"] == "none"  # no statement: the method does not apply
    assert row(rec, "C4")["limit"] == 0.0


def test_net_worth_k_by_grade(book: Portfolio) -> None:
    policy = methods_only(methods=["net_worth"], net_worth_k={"AA": 0.12})
    for grade, k in [("AAA", 0.15), ("AA", 0.12), ("A", 0.10), ("BBB", 0.075), ("BB", 0.05), ("B", 0.0)]:
        rec = policy.recommend(book, scores_for([grade, "A", "A", "A", ""], LIMIT_IDS))
        assert rec.limit[0] == pytest.approx(k * 400000.0)


def test_nonpositive_net_worth_and_working_capital(book: Portfolio, scores: ScoreResult) -> None:
    zero = methods_only(methods=["net_worth", "working_capital"]).recommend(book, scores)
    c3 = row(zero, "C3")
    assert c3["limit_net_worth"] == 0.0 and c3["limit"] == 0.0 and c3["binding_method"] == "net_worth"
    assert c3["reason"].startswith("hold 0 (none on file): net worth: tangible net worth -50,000 <= 0 -> 0")
    assert row(zero, "C2")["limit_working_capital"] == 0.0  # working capital -30,000
    assert row(zero, "C2")["binding_method"] == "working_capital"

    skip = methods_only(methods=["net_worth", "working_capital"], nonpositive_base="skip").recommend(book, scores)
    assert math.isnan(row(skip, "C3")["limit_net_worth"])
    assert row(skip, "C3")["limit"] == pytest.approx(500.0)  # only working capital: 10 % x 5,000
    assert row(skip, "C2")["limit"] == pytest.approx(7500.0)  # only net worth


def test_working_capital_method(book: Portfolio, scores: ScoreResult) -> None:
    rec = methods_only(methods=["working_capital"], working_capital_share=0.2).recommend(book, scores)
    assert rec.limit[0] == pytest.approx(40000.0)  # 20 % x (300,000 - 100,000)
    assert rec.reason[0] == (
        "fall 50,000 -> 40,000: working capital: 20% x working capital 200,000 = 40,000 (only method that applies)"
    )
    assert methods_only(methods=["working_capital"]).recommend(book, scores).limit[0] == pytest.approx(20000.0)


def test_sales_method(book: Portfolio, scores: ScoreResult) -> None:
    rec = methods_only(methods=["sales"]).recommend(book, scores)
    # 120,000 invoiced in the last 365 days / 12 = 10,000 a month; A: 60 days = 2 months x 0.8
    assert rec.limit[0] == pytest.approx(16000.0)
    assert rec.reason[0] == (
        "fall 50,000 -> 16,000: sales-based: 10,000 avg monthly x 2 months x 0.8 (A) = 16,000 (only method that applies)"
    )
    assert rec.history_months[0] == pytest.approx(425 / (365 / 12))
    # C4 has traded 2.4 months: 24,000 / 2.4 = 10,000 a month; capped at AA: 2 months x 1.0
    assert rec.limit[3] == pytest.approx(20000.0)
    assert "(over 2.4 months)" in rec.reason[3]
    # no invoices: the method does not apply
    assert math.isnan(rec.method_limits["sales"][1])


@pytest.mark.parametrize(
    ("grade", "terms", "coefficient"),
    [("AAA", 90, 2.0), ("AA", 60, 1.0), ("A", 60, 0.8), ("BBB", 45, 0.6), ("BB", 30, 0.0), ("B", 0, 0.0), ("C", 0, 0.0)],
)
def test_sales_method_by_grade(book: Portfolio, grade: str, terms: int, coefficient: float) -> None:
    rec = methods_only(methods=["sales"]).recommend(book, scores_for([grade, "A", "A", "A", ""], LIMIT_IDS))
    assert rec.limit[0] == pytest.approx(10000.0 * terms / 30 * coefficient)


def test_trade_reference_method(book: Portfolio, scores: ScoreResult) -> None:
    policy = methods_only(methods=["trade_reference"])
    rec = policy.recommend(book, scores, trade_references={"C1": 30000.0})
    assert rec.limit.tolist() == [30000.0, 0.0, 0.0, 0.0, 0.0]
    assert rec.reason[0] == "fall 50,000 -> 30,000: trade reference: 30,000 (only method that applies)"
    assert rec.binding_method.tolist() == ["trade_reference", "none", "none", "none", "none"]
    half = methods_only(methods=["trade_reference"], trade_reference_factor=0.5)
    arr = half.recommend(book, scores, trade_references=[30000.0, NAN, NAN, 8000.0, NAN])
    assert arr.limit.tolist() == [15000.0, 0.0, 0.0, 4000.0, 0.0]
    assert arr.reason[0].startswith("fall 50,000 -> 15,000: trade reference: 0.5 x 30,000 = 15,000")
    # optional: without references the method simply does not apply
    assert np.isnan(CreditPolicy().recommend(book, scores).method_limits["trade_reference"]).all()


def test_concentration_cap(book: Portfolio, scores: ScoreResult) -> None:
    policy = methods_only(seller_annual_revenue=120000.0)  # 10 % -> cap 12,000
    rec = policy.recommend(book, scores)
    assert rec.limit[0] == pytest.approx(12000.0) and rec.binding_method[0] == "concentration"
    assert rec.bound_by[0] == "concentration"
    assert rec.reason[0].startswith(
        "fall 50,000 -> 12,000: concentration cap: 10% of seller revenue 120,000 = 12,000; uncapped: sales-based"
    )
    assert rec.limit[3] == pytest.approx(12000.0)  # C4: 20,000 capped
    assert rec.binding_method[4] == "none" and rec.limit[4] == 0.0
    assert (rec.method_limits["concentration"] == 12000.0).all()
    share = methods_only(seller_annual_revenue=120000.0, concentration_share=0.5).recommend(book, scores)
    assert share.limit[0] == pytest.approx(16000.0) and share.binding_method[0] == "sales"
    # None: not applied
    assert np.isnan(CreditPolicy().recommend(book, scores).method_limits["concentration"]).all()


def test_concentration_cap_binds_under_max(book: Portfolio, scores: ScoreResult) -> None:
    rec = methods_only(combine="max", seller_annual_revenue=300000.0).recommend(book, scores)
    assert rec.limit[0] == pytest.approx(30000.0) and rec.binding_method[0] == "concentration"


def test_limit_rounding_is_down(book: Portfolio, scores: ScoreResult) -> None:
    rec = methods_only(limit_rounding=5000.0).recommend(book, scores)
    assert rec.limit[0] == 15000.0  # 16,000 rounded down
    assert rec.reason[0].endswith("-> rounded down to 15,000 (a multiple of 5,000)")


# ------------------------------------------------------------------ combination rules


@pytest.mark.parametrize(
    ("combine", "refs", "limit", "method", "note"),
    [
        ("min", None, 16000.0, "sales", "(lowest of 3 methods)"),
        ("max", None, 40000.0, "net_worth", "(highest of 3 methods)"),
        ("median", None, 20000.0, "working_capital", "(median of 3 methods)"),
        ("min", {"C1": 30000.0}, 16000.0, "sales", "(lowest of 4 methods)"),
        ("max", {"C1": 30000.0}, 40000.0, "net_worth", "(highest of 4 methods)"),
        # 16k, 20k, 30k, 40k: the lower middle value, so one method is named
        ("median", {"C1": 30000.0}, 20000.0, "working_capital", "(median of 4 methods)"),
        ("median", {"C1": 17000.0}, 17000.0, "trade_reference", "(median of 4 methods)"),
    ],
)
def test_combination_rules(
    book: Portfolio, scores: ScoreResult, combine: str, refs: dict | None, limit: float, method: str, note: str
) -> None:
    rec = methods_only(combine=combine).recommend(book, scores, trade_references=refs)
    assert rec.limit[0] == pytest.approx(limit)
    assert rec.binding_method[0] == method
    assert rec.reason[0].endswith(note)


def test_methods_subset_and_order(book: Portfolio, scores: ScoreResult) -> None:
    rec = methods_only(methods=["working_capital", "net_worth"]).recommend(book, scores)
    assert set(rec.method_limits) == {"working_capital", "net_worth", "concentration"}
    assert rec.limit[0] == pytest.approx(20000.0)
    # a tie binds the method listed first
    tie = methods_only(methods=["net_worth", "working_capital"], net_worth_k={"A": 0.05})
    assert tie.recommend(book, scores).binding_method[0] == "net_worth"
    tie2 = methods_only(methods=["working_capital", "net_worth"], net_worth_k={"A": 0.05})
    assert tie2.recommend(book, scores).binding_method[0] == "working_capital"


def test_no_method_applies(book: Portfolio, scores: ScoreResult) -> None:
    rec = CreditPolicy().recommend(book, scores)
    assert rec.limit[4] == 0.0 and rec.binding_method[4] == "none" and rec.bound_by[4] == "none"
    assert rec.direction[4] == "hold"
    assert rec.reason[4].startswith("hold 0 (none on file): no limit method applies (no statement with equity")


# ------------------------------------------------------------------ terms, conditions, new customers


@pytest.mark.parametrize(
    ("grade", "terms", "payment", "conditions"),
    [
        ("AAA", 90, "net 90", "none"),
        ("AA", 60, "net 60", "none"),
        ("A", 60, "net 60", "none"),
        ("BBB", 45, "net 45", "none"),
        ("BB", 30, "net 30", "credit_insurance"),
        ("B", 0, "cash on delivery", "guarantee"),
        ("CCC", 0, "prepayment", "prepayment"),
        ("CC", 0, "prepayment", "prepayment"),
        ("C", 0, "prepayment", "prepayment"),
        ("D", 0, "prepayment", "prepayment"),
    ],
)
def test_terms_and_conditions_by_grade(book: Portfolio, grade: str, terms: int, payment: str, conditions: str) -> None:
    rec = CreditPolicy().recommend(book, scores_for([grade, "A", "A", "A", ""], LIMIT_IDS))
    assert (rec.policy_grade[0], rec.terms_days[0], rec.payment_terms[0], rec.conditions[0]) == (
        grade, terms, payment, conditions
    )


def test_custom_terms_and_conditions(book: Portfolio) -> None:
    policy = methods_only(terms_days={"BBB": 30}, conditions={"BBB": "guarantee"})
    rec = policy.recommend(book, scores_for(["BBB", "A", "A", "A", ""], LIMIT_IDS))
    assert (rec.terms_days[0], rec.conditions[0], rec.payment_terms[0]) == (30, "guarantee", "net 30")
    assert rec.limit[0] == pytest.approx(10000.0 * 1 * 0.6)  # the sales method uses the grade's terms


def test_ungraded_customer_is_the_worst_grade(book: Portfolio, scores: ScoreResult) -> None:
    rec = CreditPolicy().recommend(book, scores)
    assert rec.grade[4] == "" and rec.policy_grade[4] == "D"
    assert rec.conditions[4] == "prepayment" and rec.payment_terms[4] == "prepayment"


def test_new_customer_grade_cap(book: Portfolio, scores: ScoreResult) -> None:
    rec = CreditPolicy().recommend(book, scores)
    assert rec.new_customer.tolist() == [False, True, True, True, True]  # C2, C3, C5 have no invoices
    assert rec.grade[3] == "AAA" and rec.policy_grade[3] == "AA"
    assert rec.terms_days[3] == 60
    assert rec.reason[3].endswith("new customer (2.4 months of history): grade AAA capped at AA")
    assert rec.history_months[3] == pytest.approx(2.4)
    # grades at or below the cap are left alone
    assert rec.policy_grade[1] == "BBB"
    assert rec.reason[1].endswith("new customer (no invoices yet)")


def test_new_customer_months_parameter(book: Portfolio, scores: ScoreResult) -> None:
    short = methods_only(new_customer_months=2).recommend(book, scores)  # 2.4 months is no longer new
    assert not short.new_customer[3] and short.policy_grade[3] == "AAA"
    assert short.limit[3] == pytest.approx(10000.0 * 3 * 2.0)
    off = CreditPolicy(new_customer_months=0).recommend(book, scores)
    assert not off.new_customer.any() and off.policy_grade[3] == "AAA"
    a_cap = CreditPolicy(new_customer_max_grade="A").recommend(book, scores)
    assert a_cap.policy_grade[3] == "A"
    long = CreditPolicy(new_customer_months=24).recommend(book, scores)  # C1 has 14 months
    assert long.new_customer[0] and long.policy_grade[0] == "A"  # already below the cap


def test_current_limit_and_change(book: Portfolio, scores: ScoreResult) -> None:
    rec = CreditPolicy().recommend(book, scores)
    assert rec.current_limit[0] == 50000.0
    # C1 (A): methods 16,000; purchases floor max(10,000 x 30 / 30, exposure within terms 15,000)
    # + 10,000 = 25,000, as much as the cap on the cut (50 % of 50,000): the floor is named
    assert rec.limit[0] == 25000.0 and rec.bound_by[0] == "floor" and rec.direction[0] == "fall"
    assert rec.change[0] == pytest.approx(25000.0 - 50000.0)
    assert np.isnan(rec.current_limit[1]) and np.isnan(rec.change[1])


def test_recommend_as_of_is_point_in_time(book: Portfolio, scores: ScoreResult) -> None:
    # before the statement was published (2025-03-01) only the sales method applies for C1
    early = CreditPolicy().recommend(book, scores, as_of="2025-02-15")
    assert np.isnan(early.method_limits["net_worth"][0])
    assert early.as_of == dt.date(2025, 2, 15)


def test_recommendations_container(book: Portfolio, scores: ScoreResult) -> None:
    rec = CreditPolicy(version="v7").recommend(book, scores)
    assert len(rec) == 5 and rec.policy_version == "v7"
    records = rec.to_records()
    assert records[0]["customer_id"] == "C1" and records[0]["limit"] == pytest.approx(25000.0)
    assert {"limit_net_worth", "limit_sales", "limit_concentration", "reason"} <= set(records[0])
    assert {"direction", "bound_by", "method_limit", "floor", "cut_cap", "in_default"} <= set(records[0])
    assert records[0]["method_limit"] == pytest.approx(16000.0)
    df = rec.to_pandas()
    assert df.index.name == "customer_id" and df.loc["C4", "policy_grade"] == "AA"
    assert df.shape[0] == 5
    html = rec._repr_html_()
    assert "<table>" in html and "C1" in html and "25,000" in html and "limit changes by grade" in html
    # C1 25,000 (floor, a fall from 50,000); C4 a rise to 20,000 from none on file: sales-based
    # 10,000 a month x 2 months x 1.0 (AA), as much as its floor 10,000 x 30 / 30 + 10,000 (all paid)
    assert repr(rec).startswith("Recommendations(5 customers, total limit 45,000 (on file 50,000): 1 rise, 3 hold, 1 fall")
    assert "grade" in repr(rec).splitlines()[1] and repr(rec).splitlines()[-1].startswith("all")
    with pytest.raises(ValueError):
        rec.limit[0] = 1.0  # read-only


# ------------------------------------------------------------------ the credit check: hand-built book


def checks_book(**extra: dict) -> Portfolio:
    """K1 clean (limit 10,000, open orders 6,000); K2 45 days overdue; K3 paid 90 days late
    (payment index 30); K4 blocked; K6 clean, big limit, paid on time (index 80)."""
    return Portfolio.from_records(
        customers=[
            {"id": "K1"},
            {"id": "K2"},
            {"id": "K3"},
            {"id": "K4", "blocked": True},
            {"id": "K6"},
        ],
        exposures=[
            {"customer_id": "K1", "credit_limit": 10000.0, "open_orders": 6000.0},
            {"customer_id": "K2", "credit_limit": 100000.0},
            {"customer_id": "K3", "credit_limit": 100000.0},
            {"customer_id": "K4", "credit_limit": 100000.0},
            {"customer_id": "K6", "credit_limit": 1000000.0},
        ],
        invoices=[
            invoice("A1", "K2", "2025-04-01", "2025-05-16", 2000.0),
            invoice("A2", "K3", "2025-01-01", "2025-01-31", 1000.0, "2025-05-01"),
            invoice("A3", "K6", "2025-03-01", "2025-03-31", 1000.0, "2025-03-31"),
        ],
        as_of=AS_OF,
    )


@pytest.fixture(scope="module")
def kbook() -> Portfolio:
    return checks_book()


def step(decision: CreditDecision, name: str) -> StepResult:
    return next(s for s in decision.steps if s.name == name)


def test_facts_of_the_check_book(kbook: Portfolio) -> None:
    f = kbook.features()
    assert np.isnan(f["max_days_past_due"][0]) and f["max_days_past_due"][1] == 45.0
    assert f["exposure"].tolist() == [6000.0, 2000.0, 0.0, 0.0, 0.0]
    assert f["payment_index"][2] == pytest.approx(30.0)
    assert f["payment_index"][4] == pytest.approx(80.0)


def test_step_static_limit(kbook: Portfolio) -> None:
    p = CreditPolicy()
    ok = p.check_order(kbook, "K1", 4000.0, now=NOW)  # 6,000 + 4,000 = 10,000 <= 10,000
    s = step(ok, "static_limit")
    assert s.passed and (s.value, s.limit) == (10000.0, 10000.0)
    assert s.reason == "exposure 6,000 + order 4,000 = 10,000 <= limit 10,000"
    bad = step(p.check_order(kbook, "K1", 4000.01, now=NOW), "static_limit")
    assert not bad.passed and bad.on_fail == "hold"
    assert bad.reason == "exposure 6,000 + order 4,000.01 = 10,000.01 > limit 10,000"


def test_step_static_limit_without_a_limit_on_file() -> None:
    bare = Portfolio.from_records(customers=[{"id": "X"}], as_of=AS_OF)
    d = CreditPolicy().check_order(bare, "X", 1.0, now=NOW)
    s = step(d, "static_limit")
    assert not s.passed and s.limit == 0.0 and d.credit_limit is None
    assert s.reason.endswith("(no limit on file)")
    assert step(CreditPolicy().check_order(bare, "X", 0.0, now=NOW), "static_limit").passed


def test_step_static_limit_recommended_and_lower(book: Portfolio, scores: ScoreResult) -> None:
    # C1: limit on file 50,000, recommended 25,000, exposure 10,000 open invoice + 5,000 open orders
    rec = CreditPolicy(checks={"static_limit": {"limit": "recommended"}})
    d = rec.check_order(book, "C1", 10000.0, scores=scores, now=NOW)
    s = step(d, "static_limit")
    assert s.passed and s.limit == pytest.approx(25000.0) and s.value == pytest.approx(25000.0)
    assert d.limit_source == "recommended" and s.reason.endswith("(recommended)")
    assert not step(rec.check_order(book, "C1", 10000.01, scores=scores, now=NOW), "static_limit").passed
    lower = CreditPolicy(checks={"static_limit": {"limit": "lower"}}, seller_annual_revenue=1e9)
    assert step(lower.check_order(book, "C1", 0.0, scores=scores, now=NOW), "static_limit").limit == pytest.approx(25000.0)
    only = methods_only(checks={"static_limit": {"limit": "recommended"}})
    assert step(only.check_order(book, "C1", 0.0, scores=scores, now=NOW), "static_limit").limit == pytest.approx(16000.0)
    current = CreditPolicy().check_order(book, "C1", 30000.0, scores=scores, now=NOW)
    assert step(current, "static_limit").passed and current.credit_limit == 50000.0
    with pytest.raises(ValidationError, match="pass scores="):
        rec.check_order(book, "C1", 1.0, now=NOW)


def test_step_max_document_value(kbook: Portfolio) -> None:
    p = CreditPolicy()
    s = step(p.check_order(kbook, "K6", 100000.0, now=NOW), "max_document_value")
    assert s.passed and (s.value, s.limit) == (100000.0, 100000.0)
    s = step(p.check_order(kbook, "K6", 150000.0, now=NOW), "max_document_value")
    assert not s.passed and s.reason == "order 150,000 > maximum document value 100,000"
    raised = CreditPolicy(checks={"max_document_value": {"max_amount": 200000}})
    assert step(raised.check_order(kbook, "K6", 150000.0, now=NOW), "max_document_value").passed


def test_step_oldest_open_item(kbook: Portfolio) -> None:
    p = CreditPolicy()
    s = step(p.check_order(kbook, "K2", 10.0, now=NOW), "oldest_open_item")
    assert not s.passed and (s.value, s.limit) == (45.0, 30.0)
    assert s.reason == "oldest open item 45 days past due > 30"
    assert step(p.check_order(kbook, "K1", 10.0, now=NOW), "oldest_open_item").value == 0.0
    assert step(p.check_order(kbook, "K1", 10.0, now=NOW), "oldest_open_item").passed
    relaxed = CreditPolicy(checks={"oldest_open_item": {"max_days": 45}})
    assert step(relaxed.check_order(kbook, "K2", 10.0, now=NOW), "oldest_open_item").passed


def test_step_dunning_level_derived_and_supplied(kbook: Portfolio) -> None:
    p = CreditPolicy()
    d = p.check_order(kbook, "K2", 10.0, now=NOW)
    s = step(d, "dunning_level")
    assert not s.passed and (s.value, s.limit) == (3.0, 2.0) and d.dunning_level == 3
    assert s.reason == "dunning level 3 (from 45 days past due) > 2"
    assert step(p.check_order(kbook, "K1", 10.0, now=NOW), "dunning_level").passed
    supplied = step(p.check_order(kbook, "K1", 10.0, now=NOW, dunning_levels={"K1": 4}), "dunning_level")
    assert not supplied.passed and supplied.reason == "dunning level 4 (supplied) > 2"
    forgiven = p.check_order(kbook, "K2", 10.0, now=NOW, dunning_levels={"K2": 0})
    assert step(forgiven, "dunning_level").passed
    assert step(CreditPolicy(checks={"dunning_level": {"max_level": 3}}).check_order(kbook, "K2", 1.0, now=NOW),
                "dunning_level").passed
    # other bands
    wide = CreditPolicy(dunning_bands=[0, 60])
    assert wide.check_order(kbook, "K2", 10.0, now=NOW).dunning_level == 1


def test_dunning_level_bands() -> None:
    assert dunning_level([0, 1, 15, 16, 30, 31, 60, 61, 90, 91, 400]).tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert dunning_level([5, 11], bands=[10]).tolist() == [0, 1]


def test_step_payment_index(kbook: Portfolio) -> None:
    p = CreditPolicy()
    low = step(p.check_order(kbook, "K3", 10.0, now=NOW), "payment_index")
    assert not low.passed and low.value == pytest.approx(30.0) and low.limit == 50.0
    assert low.on_fail == "conditions" and low.reason == "payment index 30.0 < 50"
    good = step(p.check_order(kbook, "K6", 10.0, now=NOW), "payment_index")
    assert good.passed and good.value == pytest.approx(80.0)
    missing = p.check_order(kbook, "K1", 10.0, now=NOW)
    assert step(missing, "payment_index").passed and missing.payment_index is None
    strict = CreditPolicy(checks={"payment_index": {"missing": "fail", "min_index": 30}})
    assert not step(strict.check_order(kbook, "K1", 10.0, now=NOW), "payment_index").passed
    assert step(strict.check_order(kbook, "K3", 10.0, now=NOW), "payment_index").passed  # 30 >= 30


def test_step_blocked(kbook: Portfolio) -> None:
    p = CreditPolicy()
    s = step(p.check_order(kbook, "K4", 10.0, now=NOW), "blocked")
    assert not s.passed and s.on_fail == "reject" and s.reason == "customer is blocked in the ERP"
    assert step(p.check_order(kbook, "K1", 10.0, now=NOW), "blocked").passed


def test_disabled_step_is_left_out(kbook: Portfolio) -> None:
    p = CreditPolicy(checks={"blocked": {"enabled": False}, "payment_index": {"enabled": False}})
    d = p.check_order(kbook, "K4", 10.0, now=NOW)
    assert [s.name for s in d.steps] == ["static_limit", "max_document_value", "oldest_open_item", "dunning_level"]
    assert d.outcome == "approve" and d.reason == "approve: all 4 checks passed"


# ------------------------------------------------------------------ outcomes


def test_outcome_approve(kbook: Portfolio) -> None:
    d = CreditPolicy().check_order(kbook, "K1", 3000.0, now=NOW)
    assert d.outcome == "approve" and d.approved
    assert [s.name for s in d.steps] == list(UNGROUPED_STEPS) and all(s.passed for s in d.steps)


def test_outcome_with_conditions_from_a_soft_step(kbook: Portfolio) -> None:
    d = CreditPolicy().check_order(kbook, "K3", 10.0, now=NOW)
    assert d.outcome == "approve_with_conditions" and d.approved
    assert d.reason == "approve_with_conditions: payment_index: payment index 30.0 < 50"


def test_outcome_with_conditions_from_the_grade(kbook: Portfolio) -> None:
    ids = kbook.customer_ids.tolist()
    graded = scores_for(["BB", "A", "A", "A", "A"], ids)
    d = CreditPolicy().check_order(kbook, "K1", 3000.0, scores=graded, now=NOW)
    assert d.outcome == "approve_with_conditions"
    assert (d.grade, d.conditions, d.terms_days) == ("BB", "credit_insurance", 30)
    assert d.reason == "approve_with_conditions: credit_insurance required for grade BB"
    # a grade without conditions approves; K1 has no invoices, so it is new and capped at AA
    top = CreditPolicy().check_order(kbook, "K1", 3000.0, scores=scores_for(["AAA"] * 5, ids), now=NOW)
    assert top.outcome == "approve" and top.grade == "AA" and top.conditions == "none"


def test_outcome_hold(kbook: Portfolio) -> None:
    d = CreditPolicy().check_order(kbook, "K2", 10.0, now=NOW)
    assert d.outcome == "hold" and not d.approved
    assert d.reason == (
        "hold: oldest_open_item: oldest open item 45 days past due > 30; "
        "dunning_level: dunning level 3 (from 45 days past due) > 2"
    )


def test_outcome_reject(kbook: Portfolio) -> None:
    d = CreditPolicy().check_order(kbook, "K4", 10.0, now=NOW)
    assert d.outcome == "reject" and d.reason == "reject: blocked: customer is blocked in the ERP"


def test_outcome_severity_order(kbook: Portfolio) -> None:
    # K4 blocked and over the document value: reject wins over hold
    d = CreditPolicy().check_order(kbook, "K4", 200000.0, now=NOW)
    assert d.outcome == "reject"
    assert {s.name for s in d.steps if not s.passed} == {"blocked", "static_limit", "max_document_value"}
    # on_fail is configurable: a blocked customer held for review instead
    held = CreditPolicy(checks={"blocked": {"on_fail": "hold"}}).check_order(kbook, "K4", 10.0, now=NOW)
    assert held.outcome == "hold"
    soft = CreditPolicy(checks={"oldest_open_item": {"on_fail": "conditions"}, "dunning_level": {"on_fail": "conditions"}})
    assert soft.check_order(kbook, "K2", 10.0, now=NOW).outcome == "approve_with_conditions"
    hard = CreditPolicy(checks={"payment_index": {"on_fail": "reject"}})
    assert hard.check_order(kbook, "K3", 10.0, now=NOW).outcome == "reject"


def test_decision_records_its_facts(kbook: Portfolio) -> None:
    d = CreditPolicy(version="2025-07").check_order(kbook, "K2", 10.0, as_of=AS_OF, now=NOW)
    assert (d.customer_id, d.amount, d.exposure, d.credit_limit) == ("K2", 10.0, 2000.0, 100000.0)
    assert (d.oldest_item_days, d.dunning_level, d.payment_index, d.blocked) == (45.0, 3, None, False)
    assert (d.segment, d.policy_version, d.as_of, d.decided_at) == ("standard", "2025-07", dt.date(2025, 6, 30), NOW)
    assert d.grade is None and d.conditions is None and d.terms_days is None


def test_check_as_of_is_point_in_time(kbook: Portfolio) -> None:
    # on 2025-05-20 K2's invoice was 4 days overdue
    d = CreditPolicy().check_order(kbook, "K2", 10.0, as_of="2025-05-20", now=NOW)
    assert d.oldest_item_days == 4.0 and d.dunning_level == 1 and d.outcome == "approve"


def test_now_is_stored_in_utc(kbook: Portfolio) -> None:
    cet = dt.timezone(dt.timedelta(hours=2))
    d = CreditPolicy().check_order(kbook, "K1", 1.0, now=dt.datetime(2025, 6, 30, 14, 0, tzinfo=cet))
    assert d.decided_at == NOW and d.decided_at.tzinfo == dt.timezone.utc
    assert CreditPolicy().check_order(kbook, "K1", 1.0, now="2025-06-30T12:00:00+00:00").decided_at == NOW
    fresh = CreditPolicy().check_order(kbook, "K1", 1.0)
    assert fresh.decided_at.tzinfo == dt.timezone.utc


# ------------------------------------------------------------------ per-segment overrides, each step

BAD = {"blocked": True}


def segment_book(segment_by: str = "debtor_type") -> Portfolio:
    """Two identical customers failing every step; only their segment differs."""
    label = {"debtor_type": "government", "industry": "construction"}[segment_by]
    customers = [{"id": "S", **BAD}, {"id": "G", **BAD, segment_by: label}]
    invoices = []
    for cid in ("S", "G"):
        invoices += [
            invoice(f"{cid}1", cid, "2025-04-01", "2025-05-16", 2000.0),  # 45 days overdue
            invoice(f"{cid}2", cid, "2025-01-01", "2025-01-31", 1000.0, "2025-05-01"),  # index 30
        ]
    return Portfolio.from_records(
        customers=customers,
        exposures=[{"customer_id": c, "credit_limit": 1000.0, "open_orders": 900.0} for c in ("S", "G")],
        invoices=invoices,
        as_of=AS_OF,
    )


SEGMENT_OVERRIDES = {
    "blocked": {"on_fail": "hold"},
    "static_limit": {"limit": "recommended"},
    "max_document_value": {"max_amount": 200000},
    "oldest_open_item": {"max_days": 45},
    "dunning_level": {"max_level": 3},
    "payment_index": {"min_index": 30},
}


#: The steps that run for a customer outside a group with a group limit (tests/test_groups.py checks group_limit).
UNGROUPED_STEPS = tuple(s for s in STEPS if s != "group_limit")


@pytest.mark.parametrize("name", UNGROUPED_STEPS)
@pytest.mark.parametrize("segment_by", ["debtor_type", "industry"])
def test_each_step_per_segment(name: str, segment_by: str) -> None:
    bk = segment_book(segment_by)
    label = {"debtor_type": "government", "industry": "construction"}[segment_by]
    policy = CreditPolicy(
        methods=["trade_reference"], segment_by=segment_by, segments={label: {name: SEGMENT_OVERRIDES[name]}}
    )
    refs = {"S": 1e9, "G": 1e9}
    s_dec, g_dec = policy.check_orders(
        bk, ["S", "G"], [150000.0, 150000.0], scores=scores_for(["A", "A"], ["S", "G"]), now=NOW,
        trade_references=refs,
    )
    assert s_dec.segment == ("standard" if segment_by == "debtor_type" else "")
    assert g_dec.segment == label
    s_step, g_step = step(s_dec, name), step(g_dec, name)
    assert not s_step.passed  # the default fails for everyone
    if name == "blocked":
        assert (s_step.on_fail, g_step.on_fail) == ("reject", "hold")
        assert not g_step.passed
    else:
        assert g_step.passed, g_step.reason
    # all other steps are untouched by the override
    for other in UNGROUPED_STEPS:
        if other != name:
            assert step(g_dec, other).passed == step(s_dec, other).passed


def test_segment_can_disable_a_step() -> None:
    bk = segment_book()
    policy = CreditPolicy(segments={"government": {"blocked": {"enabled": False}}})
    s_dec, g_dec = policy.check_orders(bk, ["S", "G"], [1.0, 1.0], now=NOW)
    assert "blocked" in [s.name for s in s_dec.steps] and "blocked" not in [s.name for s in g_dec.steps]
    assert s_dec.outcome == "reject" and g_dec.outcome == "hold"


def test_segment_override_on_the_hand_book(kbook: Portfolio) -> None:
    bk = Portfolio.from_records(
        customers=[{"id": "K2"}, {"id": "K5", "debtor_type": "government"}],
        exposures=[{"customer_id": c, "credit_limit": 100000.0} for c in ("K2", "K5")],
        invoices=[invoice(f"A{c}", c, "2025-04-01", "2025-05-16", 2000.0) for c in ("K2", "K5")],
        as_of=AS_OF,
    )
    policy = CreditPolicy.from_dict(
        {"segments": {"government": {"oldest_open_item": {"max_days": 60}, "dunning_level": {"max_level": 3}}}}
    )
    k2, k5 = policy.check_orders(bk, ["K2", "K5"], [10.0, 10.0], now=NOW)
    assert (k2.outcome, k5.outcome) == ("hold", "approve")


# ------------------------------------------------------------------ JSON of decisions


def test_decision_json_round_trip(kbook: Portfolio) -> None:
    ids = kbook.customer_ids.tolist()
    for d in CreditPolicy().check_orders(kbook, ids, [10.0] * 5, scores=scores_for(["A"] * 5, ids), now=NOW):
        text = d.to_json()
        assert text == d.to_json()
        back = CreditDecision.from_json(text)
        assert back == d and back.to_json() == text
        doc = json.loads(text)
        assert list(doc) == sorted(doc) and doc["type"] == "CreditDecision"
        assert doc["decided_at"] == "2025-06-30T12:00:00+00:00" and doc["as_of"] == AS_OF


def test_decision_from_json_refuses_other_documents() -> None:
    with pytest.raises(FormatError, match="CreditDecision"):
        CreditDecision.from_json('{"a": 1}')
    with pytest.raises(FormatError):
        CreditDecision.from_json("not json")
    with pytest.raises(FormatError, match="missing"):
        CreditDecision.from_json('{"type": "CreditDecision", "amount": 1.0}')


# ------------------------------------------------------------------ policy documents


def test_default_policy() -> None:
    p = CreditPolicy.default()
    assert p == CreditPolicy() and hash(p) == hash(CreditPolicy())
    assert p.version == "1" and p.combine == "min" and p.seller_annual_revenue is None
    assert dict(p.sales_coefficient) == dict(zip(GRADES, [2.0, 1.0, 0.8, 0.6, 0, 0, 0, 0, 0, 0], strict=True))
    assert dict(p.terms_days) == dict(zip(GRADES, [90, 60, 60, 45, 30, 0, 0, 0, 0, 0], strict=True))
    assert set(p.conditions.values()) <= set(CONDITIONS)
    assert p.methods == LIMIT_METHODS and tuple(p.checks) == STEPS
    assert p.checks["oldest_open_item"]["max_days"] == 30.0


def test_policy_is_immutable() -> None:
    p = CreditPolicy()
    with pytest.raises(TypeError):
        p.checks["blocked"]["enabled"] = False  # type: ignore[index]
    with pytest.raises(AttributeError):
        p.combine = "max"  # type: ignore[misc]
    assert repr(p.terms_days).startswith("{'AAA': 90")


def test_policy_round_trips(tmp_path) -> None:
    p = CreditPolicy(
        version="2025-Q3", combine="median", seller_annual_revenue=5e6, sales_coefficient={"AAA": 1.5},
        segments={"government": {"max_document_value": {"max_amount": 1e6}}}, segment_by="debtor_type",
        checks={"payment_index": {"min_index": 60, "missing": "fail"}}, limit_rounding=1000,
    )
    assert CreditPolicy.from_dict(p.to_dict()) == p
    assert CreditPolicy.from_json(p.to_json()) == p
    path = tmp_path / "policy.json"
    path.write_text(p.to_json(), encoding="utf-8")
    assert CreditPolicy.from_json(path) == p
    assert CreditPolicy.from_json(str(path)) == p
    toml = tmp_path / "policy.toml"
    toml.write_text(
        'version = "2025-Q3"\ncombine = "median"\nseller_annual_revenue = 5e6\nlimit_rounding = 1000\n'
        "[sales_coefficient]\nAAA = 1.5\n"
        "[checks.payment_index]\nmin_index = 60\nmissing = \"fail\"\n"
        "[segments.government.max_document_value]\nmax_amount = 1e6\n",
        encoding="utf-8",
    )
    assert CreditPolicy.from_toml(toml) == p
    assert CreditPolicy.from_toml(toml.read_text(encoding="utf-8")) == p


def test_policy_documents_malformed(tmp_path) -> None:
    with pytest.raises(FormatError):
        CreditPolicy.from_json("{not json")
    with pytest.raises(FormatError):
        CreditPolicy.from_toml("[x\ny = ")
    with pytest.raises(ValidationError, match="cannot read"):
        CreditPolicy.from_json(tmp_path / "missing.json")
    with pytest.raises(ValidationError, match="must be a mapping"):
        CreditPolicy.from_dict([("combine", "min")])  # type: ignore[arg-type]


def test_custom_grades_need_every_value() -> None:
    with pytest.raises(ValidationError, match=r"net_worth_k\['X'\] must be a number in \[0, 1\], got no value"):
        CreditPolicy(grades=["X", "Y"], new_customer_max_grade="X")
    full = {g: 0.0 for g in ("X", "Y")}
    with pytest.raises(ValidationError, match=r"floor_grade must be one of '', 'X', 'Y'"):
        CreditPolicy(grades=["X", "Y"], new_customer_max_grade="X", net_worth_k=full, sales_coefficient=full,
                     terms_days={"X": 30, "Y": 0}, conditions={"X": "none", "Y": "prepayment"})
    p = CreditPolicy(grades=["X", "Y"], new_customer_max_grade="X", net_worth_k=full, sales_coefficient=full,
                     terms_days={"X": 30, "Y": 0}, conditions={"X": "none", "Y": "prepayment"},
                     floor_grade="X", max_cut_exempt_grade="Y")
    assert p.grades == ("X", "Y")


# ------------------------------------------------------------------ bad inputs


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"combine": "mean"}, ["combine", "'min', 'max', 'median'"]),
        ({"methods": ["net_worth", "ebitda"]}, ["methods", "ebitda", "trade_reference"]),
        ({"methods": []}, ["methods"]),
        ({"methods": "sales"}, ["methods", "sequence"]),
        ({"working_capital_share": -0.1}, ["working_capital_share", "in [0, 1]"]),
        ({"working_capital_share": NAN}, ["working_capital_share", "in [0, 1], got nan"]),
        ({"trade_reference_factor": -1}, ["trade_reference_factor", ">= 0"]),
        ({"concentration_share": 0}, ["concentration_share", "in (0, 1]"]),
        ({"concentration_share": 1.5}, ["concentration_share", "in (0, 1]"]),
        ({"seller_annual_revenue": -5}, ["seller_annual_revenue", "> 0"]),
        ({"seller_annual_revenue": NAN}, ["seller_annual_revenue", "> 0 or None, got nan"]),
        ({"net_worth_k": {"AAA": 1.5}}, ["net_worth_k['AAA']", "in [0, 1]"]),
        ({"net_worth_k": {"ZZ": 0.1}}, ["net_worth_k", "is not a grade", "ZZ"]),
        ({"sales_coefficient": {"AA": -1}}, ["sales_coefficient['AA']", ">= 0"]),
        ({"sales_coefficient": {"AA": NAN}}, ["sales_coefficient['AA']", ">= 0, got nan"]),
        ({"sales_coefficient": [1, 2]}, ["sales_coefficient", "mapping"]),
        ({"terms_days": {"AA": -5}}, ["terms_days['AA']", "whole number >= 0"]),
        ({"terms_days": {"AA": 30.5}}, ["terms_days['AA']", "whole number"]),
        ({"conditions": {"B": "collateral"}}, ["conditions['B']", "'credit_insurance'"]),
        ({"new_customer_months": -1}, ["new_customer_months", ">= 0"]),
        ({"new_customer_max_grade": "Z"}, ["new_customer_max_grade", "'AAA'"]),
        ({"nonpositive_base": "none"}, ["nonpositive_base", "'zero', 'skip'"]),
        ({"segment_by": "region"}, ["segment_by", "'debtor_type', 'industry'"]),
        ({"dunning_bands": [30, 10]}, ["dunning_bands", "strictly increasing"]),
        ({"dunning_bands": [-1, 10]}, ["dunning_bands", ">= 0"]),
        ({"limit_rounding": -100}, ["limit_rounding", ">= 0"]),
        ({"version": ""}, ["version"]),
        ({"checks": {"credit_score": {}}}, ["checks", "credit_score", "payment_index"]),
        ({"checks": {"payment_index": {"threshold": 5}}}, ["checks.payment_index", "threshold", "min_index"]),
        ({"checks": {"payment_index": {"min_index": 150}}}, ["checks.payment_index.min_index", "in [0, 100]"]),
        ({"checks": {"max_document_value": {"max_amount": -1}}}, ["checks.max_document_value.max_amount", ">= 0"]),
        ({"checks": {"oldest_open_item": {"max_days": NAN}}}, ["checks.oldest_open_item.max_days", ">= 0, got nan"]),
        ({"checks": {"dunning_level": {"max_level": -2}}}, ["checks.dunning_level.max_level", ">= 0"]),
        ({"checks": {"blocked": {"on_fail": "ignore"}}}, ["checks.blocked.on_fail", "'conditions', 'hold', 'reject'"]),
        ({"checks": {"blocked": {"enabled": "yes"}}}, ["checks.blocked.enabled", "true or false"]),
        ({"checks": {"static_limit": {"limit": "dynamic"}}}, ["checks.static_limit.limit", "'recommended'"]),
        ({"segments": {"government": {"max_document_value": {"max_amount": -1}}}},
         ["segments.government.max_document_value.max_amount", ">= 0"]),
        ({"segments": {"government": {"nope": {}}}}, ["segments.government", "nope is not a step"]),
    ],
)
def test_bad_policy_parameters(kwargs: dict, names: list[str]) -> None:
    with pytest.raises(ValidationError) as info:
        CreditPolicy.from_dict(kwargs)
    message = str(info.value)
    assert message.startswith("CreditPolicy")
    for name in names:
        assert name in message, message


def test_unknown_policy_keys_are_named() -> None:
    with pytest.raises(ValidationError, match=r"limit_cap is not a parameter; accepted: version, grades"):
        CreditPolicy.from_dict({"rating": 1, "limit_cap": 5})
    with pytest.raises(ValidationError, match="combination is not a parameter"):
        CreditPolicy.from_json('{"combine": "min", "combination": "max"}')


def test_bad_check_inputs(kbook: Portfolio) -> None:
    p = CreditPolicy()
    with pytest.raises(ValidationError, match="unknown customer id 'NOPE'"):
        p.check_order(kbook, "NOPE", 1.0, now=NOW)
    with pytest.raises(ValidationError, match=r"customer 'K1': amount must be a finite number >= 0, got -5.0"):
        p.check_order(kbook, "K1", -5.0, now=NOW)
    with pytest.raises(ValidationError, match="amount must be a finite number >= 0, got nan"):
        p.check_order(kbook, "K1", NAN, now=NOW)
    with pytest.raises(ValidationError, match="got inf"):
        p.check_order(kbook, "K1", math.inf, now=NOW)
    with pytest.raises(ValidationError, match="amounts must be numbers"):
        p.check_order(kbook, "K1", "100", now=NOW)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="2 amounts for 1 orders"):
        p.check_orders(kbook, ["K1"], [1.0, 2.0], now=NOW)
    with pytest.raises(ValidationError, match="single string"):
        p.check_orders(kbook, "K1", [1.0], now=NOW)
    with pytest.raises(ValidationError, match="timezone-aware"):
        p.check_order(kbook, "K1", 1.0, now=dt.datetime(2025, 6, 30, 12, 0))
    with pytest.raises(ValidationError, match="ISO timestamp"):
        p.check_order(kbook, "K1", 1.0, now="yesterday")
    with pytest.raises(ValidationError, match=r"dunning_levels\['K1'\] must be a whole number >= 0"):
        p.check_order(kbook, "K1", 1.0, now=NOW, dunning_levels={"K1": -1})
    with pytest.raises(ValidationError, match="unknown customer id 'ZZ'"):
        p.check_order(kbook, "K1", 1.0, now=NOW, dunning_levels={"ZZ": 1})
    with pytest.raises(ValidationError) as info:
        p.check_order(kbook, "K1", -1.0, now=NOW)
    assert info.value.field == "amount"


def test_bad_scores(book: Portfolio, scores: ScoreResult) -> None:
    p = CreditPolicy()
    with pytest.raises(ValidationError, match="scores has 4 rows but the portfolio has 5 customers"):
        p.recommend(book, scores_for(LIMIT_GRADES[:4], LIMIT_IDS[:4]))
    swapped = scores_for(LIMIT_GRADES, ["C2", "C1", "C3", "C4", "C5"])
    with pytest.raises(ValidationError, match="row 0 is 'C2' in the scores and 'C1' in the portfolio"):
        p.recommend(book, swapped)
    with pytest.raises(ValidationError, match=r"grades \['Z'\] the policy does not know"):
        p.recommend(book, scores_for(["Z", "A", "A", "A", "A"], LIMIT_IDS))
    with pytest.raises(DataTypeError, match=r"must be a riskkit\.ScoreResult"):
        p.recommend(book, ["A"] * 5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="scores has 4 rows"):
        p.check_order(book, "C1", 1.0, scores=scores_for(LIMIT_GRADES[:4], LIMIT_IDS[:4]), now=NOW)
    # scores without ids are accepted when the length matches
    bare = ScoreResult(score=scores.score, pd=scores.pd, grade=scores.grade)
    assert p.recommend(book, bare).limit.tolist() == p.recommend(book, scores).limit.tolist()


def test_bad_trade_references(book: Portfolio, scores: ScoreResult) -> None:
    p = CreditPolicy()
    with pytest.raises(ValidationError, match="unknown customer id 'C9'"):
        p.recommend(book, scores, trade_references={"C9": 1.0})
    with pytest.raises(ValidationError, match=r"trade_references\['C1'\] must be a number >= 0, got -1"):
        p.recommend(book, scores, trade_references={"C1": -1.0})
    with pytest.raises(ValidationError, match=r"trade_references\['C1'\] .* got nan"):
        p.recommend(book, scores, trade_references={"C1": NAN})
    with pytest.raises(ValidationError, match="customer 'C2' must be >= 0"):
        p.recommend(book, scores, trade_references=[1.0, -2.0, NAN, NAN, NAN])
    with pytest.raises(ValidationError, match="one value per customer"):
        p.recommend(book, scores, trade_references=[1.0])


# ------------------------------------------------------------------ integration: the synthetic book


@functools.lru_cache(maxsize=2)
def synthetic(n: int, seed: int) -> tuple[Portfolio, ScoreResult]:
    portfolio, _ = riskkit.datasets.make_portfolio(n, seed=seed)
    return portfolio, riskkit.scoring.five_c().score(portfolio.features())


def test_recommend_on_the_synthetic_book() -> None:
    portfolio, scores = synthetic(500, 0)
    policy = CreditPolicy(seller_annual_revenue=20_000_000.0, concentration_share=0.01)
    rec = policy.recommend(portfolio, scores)
    assert len(rec) == 500 and rec.customer_ids.tolist() == portfolio.customer_ids.tolist()
    assert np.isfinite(rec.limit).all() and (rec.limit >= 0).all() and (rec.limit <= 200_000.0).all()
    assert set(rec.binding_method.tolist()) <= {*LIMIT_METHODS, "concentration", "none"}
    assert (rec.binding_method == "concentration").any()
    assert all(isinstance(r, str) and r for r in rec.reason.tolist())
    # the new-customer cap: no new customer above AA
    new_grades = rec.policy_grade[rec.new_customer]
    assert "AAA" not in set(new_grades.tolist())
    assert (rec.policy_grade == rec.grade)[~rec.new_customer].all()
    assert rec.terms_days.tolist() == [policy.terms_days[g] for g in rec.policy_grade.tolist()]
    assert rec.conditions.tolist() == [policy.conditions[g] for g in rec.policy_grade.tolist()]
    # a binding method's own figure is the methods' limit, unless the cap bound it
    for m in LIMIT_METHODS:
        sel = rec.binding_method == m
        np.testing.assert_allclose(rec.method_limit[sel], rec.method_limits[m][sel])
    # and the limit itself without the review
    plain = methods_only(seller_annual_revenue=20_000_000.0, concentration_share=0.01).recommend(portfolio, scores)
    np.testing.assert_allclose(plain.limit, rec.method_limit)
    assert set(plain.bound_by.tolist()) <= {"method", "concentration", "none", "default"}
    np.testing.assert_allclose(rec.change, rec.limit - rec.current_limit)
    df = rec.to_pandas()
    assert df.shape[0] == 500 and "limit_sales" in df.columns


def test_checks_on_the_synthetic_book() -> None:
    portfolio, scores = synthetic(500, 0)
    ids = portfolio.customer_ids.tolist()
    limits = np.nan_to_num(portfolio.features()["credit_limit"], nan=0.0)
    policy = CreditPolicy(segments={"government": {"max_document_value": {"max_amount": 1_000_000}}})
    decisions = policy.check_orders(portfolio, ids, limits * 0.1, scores=scores, now=NOW)
    assert len(decisions) == 500 and [d.customer_id for d in decisions] == ids
    assert {d.outcome for d in decisions} <= set(OUTCOMES)
    assert len({d.outcome for d in decisions}) >= 3
    blocked = np.asarray(portfolio.customers["blocked"], dtype=bool)
    assert all(d.outcome == "reject" for d, b in zip(decisions, blocked, strict=True) if b)
    for i in range(0, 500, 50):
        assert policy.check_order(portfolio, ids[i], float(limits[i] * 0.1), scores=scores, now=NOW) == decisions[i]


# ------------------------------------------------------------------ properties

# cents and up: statement amounts, not subnormal floats whose ratios overflow in the features
money = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e8))
signed = st.one_of(money, money.map(lambda x: -x))


@st.composite
def random_books(draw: st.DrawFn) -> tuple[Portfolio, ScoreResult, np.ndarray]:
    n = draw(st.integers(1, 5))
    ids = [f"R{i}" for i in range(n)]
    invoices, statements, exposures = [], [], []
    for cid in ids:
        for j in range(draw(st.integers(0, 4))):
            issued = add_days(AS_OF, -draw(st.integers(0, 700)))
            terms, amount = draw(st.sampled_from([0, 30, 60])), draw(money)
            if draw(st.booleans()) and j:  # a credit note
                amount = -amount
            invoices.append(invoice(f"{cid}-{j}", cid, issued, add_days(issued, 0 if amount < 0 else terms), amount))
        if draw(st.booleans()):
            exposures.append({"customer_id": cid, "credit_limit": draw(money), "open_orders": draw(money)})
        if draw(st.booleans()):
            statements.append({
                "customer_id": cid, "period_end": "2024-12-31", "equity": draw(signed),
                "intangible_assets": draw(st.one_of(st.none(), money)), "current_assets": draw(money),
                "current_liabilities": draw(money), "net_income": draw(signed),
            })
    book = Portfolio.from_records(
        customers=[{"id": c} for c in ids], invoices=invoices or None, statements=statements or None,
        exposures=exposures or None, as_of=AS_OF,
    )
    grades = draw(st.lists(st.sampled_from([*GRADES, ""]), min_size=n, max_size=n))
    refs = np.array(draw(st.lists(st.one_of(st.just(NAN), money), min_size=n, max_size=n)))
    return book, scores_for(grades, ids), refs


random_policies = st.builds(
    CreditPolicy,
    methods=st.lists(st.sampled_from(LIMIT_METHODS), min_size=1, max_size=4, unique=True),
    combine=st.sampled_from(["min", "max", "median"]),
    net_worth_k=st.fixed_dictionaries({"AAA": st.floats(0, 1), "BB": st.floats(0, 1)}),
    sales_coefficient=st.fixed_dictionaries({"AAA": st.floats(0, 5), "A": st.floats(0, 5)}),
    working_capital_share=st.floats(0, 1),
    trade_reference_factor=st.floats(0, 3),
    concentration_share=st.floats(0.001, 1),
    seller_annual_revenue=st.one_of(st.none(), st.floats(1, 1e10)),
    nonpositive_base=st.sampled_from(["zero", "skip"]),
    limit_rounding=st.sampled_from([0.0, 1.0, 1000.0, 0.25]),
    new_customer_months=st.floats(0, 36),
    floor_grade=st.sampled_from(["", "AAA", "BBB", "B", "D"]),
    floor_headroom_months=st.floats(0, 3),
    floor_exposure=st.booleans(),
    max_cut=st.floats(0, 1),
    max_cut_exempt_grade=st.sampled_from(["AAA", "CCC", "D"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=random_books(), policy=random_policies)
def test_property_limits_are_between_zero_and_the_cap(
    data: tuple[Portfolio, ScoreResult, np.ndarray], policy: CreditPolicy
) -> None:
    book, scores, refs = data
    rec = policy.recommend(book, scores, trade_references=refs)
    assert np.isfinite(rec.limit).all()
    assert (rec.limit >= 0).all()
    cap = math.inf
    if policy.seller_annual_revenue is not None:
        cap = policy.concentration_share * policy.seller_annual_revenue
        assert (rec.limit <= cap).all()
    unit = policy.limit_rounding
    if unit:
        assert np.allclose(rec.limit / unit, np.round(rec.limit / unit), rtol=0, atol=1e-6)
    applicable = np.column_stack([rec.method_limits[m] for m in policy.methods])
    some = ~np.isnan(applicable).all(axis=1)
    guarantee = np.fmax(np.nan_to_num(rec.floor), np.nan_to_num(rec.cut_cap))
    assert (rec.limit[~some & (guarantee == 0)] == 0).all()
    with np.errstate(invalid="ignore"):
        top = np.nanmax(np.where(np.isnan(applicable), -np.inf, applicable), axis=1)
    ceiling = np.maximum(np.maximum(top, 0.0), guarantee)
    # never above every rule's figure (but for rounding up to keep a guarantee), nor below a guarantee
    assert (rec.limit <= ceiling + unit + 1e-6 * np.maximum(1, ceiling)).all()
    kept = np.minimum(guarantee, cap)
    assert (rec.limit >= np.floor(kept / unit + 1e-9) * unit if unit else rec.limit >= kept - 1e-6 * kept).all()
    if math.isinf(cap):
        assert (rec.limit >= guarantee - 1e-6 * np.maximum(1, guarantee)).all()
    np.testing.assert_array_equal(rec.floor[~np.isnan(rec.floor)] >= 0, True)
    assert set(rec.direction.tolist()) <= {"rise", "hold", "fall"}
    assert len(rec.reason) == len(book)


@functools.lru_cache(maxsize=1)
def batch_book() -> tuple[Portfolio, ScoreResult]:
    return synthetic(80, 1)


BATCH_POLICY = CreditPolicy(
    version="prop",
    checks={"static_limit": {"limit": "lower"}},
    segments={"project": {"oldest_open_item": {"max_days": 60}}, "government": {"payment_index": {"enabled": False}}},
)


@settings(max_examples=40, deadline=None)
@given(
    orders=st.lists(st.tuples(st.integers(0, 79), st.floats(0, 5e5, allow_nan=False)), min_size=1, max_size=12),
    use_scores=st.booleans(),
)
def test_property_batch_equals_single_checks(orders: list[tuple[int, float]], use_scores: bool) -> None:
    portfolio, scores = batch_book()
    policy = BATCH_POLICY if use_scores else CreditPolicy(version="prop")
    ids = [str(portfolio.customer_ids[i]) for i, _ in orders]
    amounts = [a for _, a in orders]
    given_scores = scores if use_scores else None
    batch = policy.check_orders(portfolio, ids, amounts, scores=given_scores, now=NOW)
    singles = [policy.check_order(portfolio, c, a, scores=given_scores, now=NOW) for c, a in zip(ids, amounts, strict=True)]
    assert batch == singles


@settings(max_examples=40, deadline=None)
@given(
    index=st.integers(0, 79),
    amount=st.floats(0, 1e7, allow_nan=False),
    now=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                     timezones=st.just(dt.timezone.utc)),
    use_scores=st.booleans(),
)
def test_property_decision_json_is_deterministic_and_round_trips(
    index: int, amount: float, now: dt.datetime, use_scores: bool
) -> None:
    portfolio, scores = batch_book()
    cid = str(portfolio.customer_ids[index])
    policy, given_scores = (BATCH_POLICY, scores) if use_scores else (CreditPolicy(), None)
    first = policy.check_order(portfolio, cid, amount, scores=given_scores, now=now)
    again = policy.check_order(portfolio, cid, amount, scores=given_scores, now=now)
    assert first.to_json() == again.to_json()  # two separate computations, the same text
    back = CreditDecision.from_json(first.to_json())
    assert back == first and back.to_json() == first.to_json()


@settings(max_examples=40, deadline=None)
@given(policy=random_policies)
def test_property_policy_round_trips(policy: CreditPolicy) -> None:
    assert CreditPolicy.from_dict(policy.to_dict()) == policy
    assert CreditPolicy.from_json(policy.to_json()) == policy
    assert hash(CreditPolicy.from_json(policy.to_json())) == hash(policy)


def test_recommendations_hold_one_copy_of_each_figure_and_one_string_per_grade() -> None:
    """Until the reasons are first read, the recommendations keep what they quote: the figures the
    recommendations hold too are not kept twice, what the reasons never read is let go, and the reasons
    equal those written from every figure. Grades are one string object per grade, not per customer."""
    from riskkit.policy._limits import limit_arrays
    from riskkit.policy._reasons import reasons
    from riskkit.scoring import five_c

    book, _ = riskkit.datasets.make_portfolio(400, seed=6)
    scores = five_c().score(book.features())
    policy = CreditPolicy()
    rec = policy.recommend(book, scores)
    kept = rec._reason._build.args[1]  # what the lazy reasons hold
    for name in ("limit", "current_limit", "direction", "method_limit", "floor", "cut_cap", "terms_days"):
        assert kept[name] is getattr(rec, name)
    assert all(kept["method_limits"][m] is v for m, v in rec.method_limits.items())
    assert not {"payment_terms", "conditions", "bound_by", "combined", "net_income"} & set(kept)
    full = limit_arrays(policy, book, book.resolve_as_of(), scores, None)
    assert rec.reason.tolist() == reasons(policy, full).tolist()
    grades = rec.grade.tolist()
    assert grades == [str(g) for g in scores.grade.tolist()]
    assert len({id(g) for g in grades}) == len(set(grades))
    # the scores' grades too (an override's or the default grade's label may be a string of its own)
    assert len({id(g) for g in scores.grade.tolist()}) <= 2 * len(set(scores.grade.tolist())) < len(scores) / 10
