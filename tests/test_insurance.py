"""Credit insurance: the insurance table, cover, notification deadlines, the signal, the limit method, CLI, report."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import insurance, signals
from riskkit.errors import ValidationError
from riskkit.policy import CreditPolicy
from riskkit.records import InsuranceDecision
from riskkit.scoring import ScoreResult

AS_OF = "2025-06-30"


def book(as_of: str = AS_OF, **extra: object) -> riskkit.Portfolio:
    """Four customers; decisions over time:

    - A: granted 50,000 (2025-01-10), reduced to 20,000 (2025-05-01), indemnity 0.8 on the reduction.
    - B: requested 30,000 (2025-06-01), nothing decided.
    - C: granted 40,000 (2025-02-01), cancelled (2025-06-15).
    - D: no decision (uninsured).
    """
    invoices = [
        # A: 35,000 open, due 2025-04-06 -> 85 days past due at 2025-06-30; deadline 2025-07-05, 5 days left
        {"id": "A1", "customer_id": "A", "issued": "2025-03-07", "due": "2025-04-06", "amount": 35000.0},
        # A: not due yet
        {"id": "A2", "customer_id": "A", "issued": "2025-06-20", "due": "2025-07-20", "amount": 5000.0},
        # B: overdue, but B only has a request: not insured
        {"id": "B1", "customer_id": "B", "issued": "2025-01-02", "due": "2025-02-01", "amount": 12000.0},
        # C: issued while C was insured, due 2025-03-07 -> 115 days past due: deadline 2025-06-05, passed 25 days
        {"id": "C1", "customer_id": "C", "issued": "2025-02-05", "due": "2025-03-07", "amount": 9000.0},
        # C: issued before any cover (2025-01-15 < 2025-02-01): not insured
        {"id": "C0", "customer_id": "C", "issued": "2025-01-15", "due": "2025-02-14", "amount": 1000.0},
        # D: overdue, uninsured
        {"id": "D1", "customer_id": "D", "issued": "2025-01-02", "due": "2025-02-01", "amount": 7000.0},
    ]
    decisions = [
        {"customer_id": "A", "date": "2025-01-10", "status": "granted", "amount": 50000.0},
        {"customer_id": "A", "date": "2025-05-01", "status": "reduced", "amount": 20000.0, "indemnity": 0.8},
        {"customer_id": "B", "date": "2025-06-01", "status": "requested", "amount": 30000.0},
        {"customer_id": "C", "date": "2025-01-20", "status": "requested", "amount": 40000.0},
        {"customer_id": "C", "date": "2025-02-01", "status": "granted", "amount": 40000.0},
        {"customer_id": "C", "date": "2025-06-15", "status": "cancelled"},
    ]
    kwargs = {"customers": [{"id": c, "name": f"Firm {c}"} for c in "ABCD"], "invoices": invoices,
              "insurance": decisions, "as_of": as_of, **extra}
    return riskkit.Portfolio.from_records(**kwargs)  # type: ignore[arg-type]


# --- the table ------------------------------------------------------------------------


def test_an_absent_table_is_empty_and_changes_nothing() -> None:
    p, _ = riskkit.datasets.make_portfolio(300, seed=5)
    assert p.insurance.n_rows == 0 and not insurance.has_insurance(p)
    c = insurance.cover(p)
    # no decision: no limit (NaN), no cover, uninsured exposure = the whole exposure
    assert np.isnan(c["insured_limit"]).all() and (c["cover"] == 0).all()
    np.testing.assert_array_equal(c["uninsured_exposure"], p.features()["exposure"])
    assert len(insurance.deadlines(p)) == 0
    assert len(signals.evaluate(p, signals=["insurance_deadline"])) == 0
    assert riskkit.report(p).insurance is None


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ({"status": "refused", "amount": 1.0}, "status", "is not a known insurance status; accepted: requested"),
        ({"status": "granted"}, "amount", "is missing; it is required for a requested, granted or reduced"),
        ({"status": "cancelled", "amount": 5.0}, "amount", "is set on a cancellation"),
        ({"status": "granted", "amount": 5.0, "indemnity": 1.2}, "indemnity", r"is not a share in \(0, 1\]"),
        ({"status": "granted", "amount": 5.0, "indemnity": 0.0}, "indemnity", r"is not a share in \(0, 1\]"),
        ({"status": "granted", "amount": -5.0}, "amount", ""),
        ({"status": "granted", "amount": 5.0, "customer_id": "Z"}, "customer_id", "is not a known customer id"),
    ],
)
def test_bad_decisions_are_named(row: dict, field: str, reason: str) -> None:
    decision = {"customer_id": "A", "date": "2025-01-01", **row}
    with pytest.raises(ValidationError, match=f"insurance row 0 .*field '{field}'.*{reason}") as err:
        riskkit.Portfolio.from_records(customers=[{"id": "A"}], insurance=[decision])
    assert err.value.table == "insurance" and err.value.field == field
    collected = riskkit.Portfolio.from_records(customers=[{"id": "A"}], insurance=[decision], errors="collect")
    assert collected.insurance.n_rows == 0 and [r.field for r in collected.rejected] == [field]


def test_two_decisions_on_one_day_are_refused() -> None:
    rows = [{"customer_id": "A", "date": "2025-01-01", "status": "requested", "amount": 5.0},
            {"customer_id": "A", "date": "2025-01-01", "status": "granted", "amount": 5.0}]
    with pytest.raises(ValidationError, match=r"insurance row 1 .*duplicate .*one decision per customer and date"):
        riskkit.Portfolio.from_records(customers=[{"id": "A"}], insurance=rows)


def test_the_record_validates_like_the_table() -> None:
    # a cancellation needs no amount (NaN); records with NaN amounts still compare equal
    assert np.isnan(InsuranceDecision("A", "2025-01-01", "cancelled").amount)
    assert InsuranceDecision("A", "2025-01-01", "cancelled") == InsuranceDecision("A", "2025-01-01", "cancelled")
    with pytest.raises(ValidationError, match="field 'indemnity'"):
        InsuranceDecision("A", "2025-01-01", "granted", 5.0, indemnity=2.0)
    p = riskkit.Portfolio.from_objects(customers=[riskkit.CustomerRecord("A")],
                                       insurance=[InsuranceDecision("A", "2025-01-01", "granted", 5.0)])
    assert p.insurance["amount"].tolist() == [5.0] and np.isnan(p.insurance["indemnity"]).all()


def test_amounts_are_converted_to_the_reporting_currency() -> None:
    p = riskkit.Portfolio.from_records(
        customers=[{"id": "A"}],
        insurance=[{"customer_id": "A", "date": "2025-01-01", "status": "granted", "amount": 1000.0,
                    "currency": "USD"}],
        currency="EUR", rates={"USD": 0.9})
    assert p.insurance["amount"].tolist() == [900.0]  # 1,000 USD x 0.9


# --- cover --------------------------------------------------------------------------------


def test_cover_by_hand() -> None:
    c = insurance.cover(book())
    # A: reduced to 20,000 at 0.8 on 2025-05-01; exposure 35,000 + 5,000 = 40,000
    #    cover = min(40,000, 20,000) x 0.8 = 16,000; uninsured = 40,000 - 16,000 = 24,000
    # B: only a request: limit 0, pending 30,000; cover 0; uninsured = 12,000
    # C: cancelled 2025-06-15: limit 0, cover 0; uninsured = 9,000 + 1,000 = 10,000
    # D: no decision: limit NaN, cover 0; uninsured = 7,000
    assert c["status"].tolist() == ["reduced", "requested", "cancelled", ""]
    np.testing.assert_array_equal(c["insured_limit"], [20000.0, 0.0, 0.0, np.nan])
    np.testing.assert_array_equal(c["pending"], [np.nan, 30000.0, np.nan, np.nan])
    np.testing.assert_array_equal(c["indemnity"], [0.8, np.nan, 0.9, np.nan])
    assert c["exposure"].tolist() == [40000.0, 12000.0, 10000.0, 7000.0]
    assert c["cover"].tolist() == [16000.0, 0.0, 0.0, 0.0]
    assert c["uninsured_exposure"].tolist() == [24000.0, 12000.0, 10000.0, 7000.0]
    assert c["decided"].astype(str).tolist() == ["2025-05-01", "2025-06-01", "2025-06-15", "NaT"]
    t = c.totals()
    # 16,000 / (40,000 + 12,000 + 10,000 + 7,000 = 69,000)
    assert t["insured_customers"] == 1 and t["cover"] == 16000.0 and t["cover_share"] == 16000.0 / 69000.0


def test_cover_is_point_in_time() -> None:
    p = book()
    # 2025-03-31: A granted 50,000 (default indemnity 0.9), exposure 35,000 (A1; A2 not issued yet)
    #   cover = min(35,000, 50,000) x 0.9 = 31,500; C granted 40,000, exposure 10,000 -> 9,000
    c = insurance.cover(p, "2025-03-31")
    assert c["status"].tolist() == ["granted", "", "granted", ""]
    np.testing.assert_array_equal(c["insured_limit"], [50000.0, np.nan, 40000.0, np.nan])
    assert c["cover"].tolist() == [31500.0, 0.0, 9000.0, 0.0]
    # 2025-01-25: C's request of 2025-01-20 only: limit 0, pending 40,000
    early = insurance.cover(p, "2025-01-25")
    assert early["status"].tolist()[2] == "requested" and early["insured_limit"][2] == 0.0
    assert early["pending"][2] == 40000.0
    # indemnity argument for decisions without one: 0.75 x 35,000 = 26,250
    assert insurance.cover(p, "2025-03-31", indemnity=0.75)["cover"][0] == 26250.0
    np.testing.assert_array_equal(insurance.insured_limit(p, "2025-03-31"), c["insured_limit"])


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.1, "0.9", float("nan")])
def test_a_bad_indemnity_argument_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError, match="indemnity"):
        insurance.cover(book(), indemnity=bad)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    amounts=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=6),
    limits=st.lists(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)), min_size=6, max_size=6),
    share=st.floats(0.05, 1.0),
)
def test_cover_is_never_above_the_limit_nor_the_exposure(amounts: list[float], limits: list, share: float) -> None:
    n = len(amounts)
    p = riskkit.Portfolio.from_records(
        customers=[{"id": f"C{i}"} for i in range(n)],
        exposures=[{"customer_id": f"C{i}", "credit_limit": 0.0, "open_orders": a} for i, a in enumerate(amounts)],
        insurance=[{"customer_id": f"C{i}", "date": "2025-01-01", "status": "granted", "amount": limits[i]}
                   for i in range(n) if limits[i] is not None],
        as_of="2025-06-30")
    c = insurance.cover(p, indemnity=share)
    limit = np.nan_to_num(c["insured_limit"])
    assert (c["cover"] <= np.minimum(limit, c["exposure"]) * share + 1e-9).all()
    assert (c["cover"] >= 0).all()
    np.testing.assert_allclose(c["cover"] + c["uninsured_exposure"], c["exposure"])


# --- deadlines and the signal ------------------------------------------------------------


def test_deadlines_by_hand() -> None:
    d = insurance.deadlines(book())
    # C1: due 2025-03-07 + 90 = 2025-06-05, passed by 25 days (insured on its issue date 2025-02-05, cancelled later)
    # A1: due 2025-04-06 + 90 = 2025-07-05: 5 days left; B1, C0, D1 are not insured; A2 is not overdue
    assert d["invoice_id"].tolist() == ["C1", "A1"]
    assert d["deadline"].astype(str).tolist() == ["2025-06-05", "2025-07-05"]
    assert d["days_to_deadline"].tolist() == [-25, 5] and d["lost"].tolist() == [True, False]
    assert d["days_past_due"].tolist() == [115, 85] and d["open_amount"].tolist() == [9000.0, 35000.0]
    assert d["insured_limit"].tolist() == [40000.0, 50000.0]  # the limit in force on the issue date
    # a 60-day period: C1 60 - 115 = -55; A1 due 2025-04-06 + 60 = 2025-06-05, 60 - 85 = -25
    assert insurance.deadlines(book(), max_extension_days=60)["days_to_deadline"].tolist() == [-55, -25]
    assert insurance.deadlines(book(), within_days=4)["invoice_id"].tolist() == ["C1"]  # 5 days > 4
    with pytest.raises(ValidationError, match="max_extension_days"):
        insurance.deadlines(book(), max_extension_days=-1)


def test_a_deadline_in_five_days_fires_the_signal_and_a_lost_cover_is_critical() -> None:
    p = book()
    wl = signals.evaluate(p, signals=["insurance_deadline"])
    # C is in default (115 days past due): a collections case, not on the watchlist; A is
    assert [(r["customer_id"], r["severity"], r["value"], r["evidence"]) for r in wl.to_records()] == [
        ("A", "warning", 5.0, "notify the insurer of A1 (35,000 open, due 2025-04-06) by 2025-07-05: 5 days left")]
    signal = signals.get("insurance_deadline")
    hits = signal.evaluate(p, np.datetime64(AS_OF), {s: np.full(4, v) for s, v in signal.thresholds.items()})
    # value <= 14: warning; <= 0: critical; B and D have no insured overdue invoice (NaN)
    assert [(p.customer_ids[c], signals.SEVERITIES[s], v) for c, s, v in
            zip(hits.customer.tolist(), hits.severity.tolist(), hits.value.tolist(), strict=True)] == [
        ("A", "warning", 5.0), ("C", "critical", -25.0)]
    assert hits.evidence.tolist()[1] == ("notify the insurer of C1 (9,000 open, due 2025-03-07) by 2025-06-05: "
                                         "passed 25 days ago: cover lost")
    # ten days earlier A1 has 15 days left: watch (<= 30), not warning (<= 14)
    earlier = signals.evaluate(p, "2025-06-20", signals=["insurance_deadline"])
    assert [(r["customer_id"], r["severity"], r["value"]) for r in earlier.to_records()] == [("A", "watch", 15.0)]


def test_the_signal_does_not_fire_on_the_synthetic_book() -> None:
    p, _ = riskkit.datasets.make_portfolio(1000, seed=0)
    assert len(signals.evaluate(p, signals=["insurance_deadline"])) == 0
    assert "insurance_deadline" in signals.available()


# --- the limit method ---------------------------------------------------------------------


def test_the_insured_limit_method_caps_the_limit() -> None:
    p = book()
    scores = ScoreResult(score=[90.0] * 4, pd=[0.001] * 4, grade=["AAA"] * 4, customer_ids=list("ABCD"))
    policy = CreditPolicy(methods=("sales", "insured"), limit_rounding=0, floor_grade="", max_cut=1,
                          new_customer_months=0)
    rec = policy.recommend(p, scores)
    month = 365 / 12
    # sales (AAA): purchases / months of history x 3 months (90 days) x 2.0
    # A: 40,000 over 115 days (2025-03-07 .. 2025-06-30); B: 12,000, D: 7,000 over 179 days
    sales_a = 40000 / (115 / month) * 3 * 2.0  # 63,478: above the insured 20,000
    sales_d = 7000 / (179 / month) * 3 * 2.0
    assert rec.method_limits["sales"][[0, 3]].tolist() == pytest.approx([sales_a, sales_d])
    # insured: A 20,000; B 0 (a request only); C 0 (cancelled); D none (no decision: does not apply)
    np.testing.assert_array_equal(rec.method_limits["insured"], [20000.0, 0.0, 0.0, np.nan])
    # the methods combined (lowest that applies), then the review: B, C and D are in default (> 90 days) -> 0
    assert rec.method_limit.tolist() == pytest.approx([20000.0, 0.0, 0.0, sales_d])
    assert rec.limit.tolist() == [20000.0, 0.0, 0.0, 0.0]
    assert rec.binding_method.tolist() == ["insured", "insured", "insured", "sales"]
    assert "insured limit: 20,000 (credit insurance in force) (lowest of 2 methods)" in rec.reason[0]
    assert "insured" not in CreditPolicy().methods  # the default policy is unchanged
    with pytest.raises(ValidationError, match="methods"):
        CreditPolicy(methods=("insurance",))


# --- command line and report ----------------------------------------------------------------


def test_the_command_writes_cover_and_invoices(tmp_path: Path) -> None:
    from riskkit.cli import main

    p = book()
    for name in ("customers", "invoices", "insurance"):
        p.table(name).to_pandas()[[c for c in riskkit.portfolio.schema()[name] if c in p.table(name)]].to_csv(
            tmp_path / f"{name}.csv", index=False)
    tables = [arg for name in ("customers", "invoices", "insurance") for arg in (f"--{name}", str(tmp_path / f"{name}.csv"))]
    assert main(["insurance", *tables, "--as-of", AS_OF, "--out", str(tmp_path / "cover.csv"), "-q"]) == 0
    rows = list(csv.DictReader((tmp_path / "cover.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["customer_id"], r["cover"], r["uninsured_exposure"], r["notify_invoice"], r["days_to_deadline"])
            for r in rows] == [("A", "16000", "24000", "A1", "5"), ("B", "0", "12000", "", ""),
                               ("C", "0", "10000", "C1", "-25"), ("D", "0", "7000", "", "")]
    assert main(["insurance", *tables, "--as-of", AS_OF, "--rows", "invoices", "--within-days", "14",
                 "--out", str(tmp_path / "notify.csv"), "-q"]) == 0
    notify = list(csv.DictReader((tmp_path / "notify.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["invoice_id"], r["deadline"], r["days_to_deadline"], r["lost"]) for r in notify] == [
        ("C1", "2025-06-05", "-25", "True"), ("A1", "2025-07-05", "5", "False")]


def test_the_report_has_an_insurance_section() -> None:
    rep = riskkit.report(book())
    part = rep.insurance
    assert part["totals"]["cover"] == 16000.0 and part["totals"]["uninsured_exposure"] == 53000.0
    # within 14 days: A1 (35,000); lost: C1 (9,000)
    assert part["notify"] == {"due": 1, "due_amount": 35000.0, "lost": 1, "lost_amount": 9000.0}
    assert [r["invoice_id"] for r in part["rows"]] == ["C1", "A1"]
    assert '<section id="insurance"><h2>Credit insurance</h2>' in rep.html
    assert "Firm A: notify A1 (35,000 open) by" in str(rep) and "in 5 days" in str(rep)


def test_dates_after_as_of_are_not_known() -> None:
    # a decision dated after as_of changes nothing at as_of
    later = book(as_of="2025-04-30")
    c = insurance.cover(later)
    assert c["status"].tolist()[0] == "granted" and c["insured_limit"][0] == 50000.0
    assert later.as_of == dt.date(2025, 4, 30)


def test_uninsured_exposure_is_a_feature() -> None:
    """The feature equals cover()'s column: A owes 40,000 (35,000 + 5,000) under a 20,000 limit at 80%:
    40,000 - min(40,000, 20,000) x 0.8 = 24,000; B (a request only), C (cancelled) and D (none) keep
    their whole exposure; at 2025-04-30 A's 50,000 grant at the default 90% covers all 35,000 of A1:
    35,000 - 35,000 x 0.9 = 3,500."""
    p = book()
    f = p.features()
    assert f["uninsured_exposure"].tolist() == [24000.0, 12000.0, 10000.0, 7000.0]
    np.testing.assert_array_equal(f["uninsured_exposure"], insurance.cover(p)["uninsured_exposure"])
    earlier = p.features("2025-04-30")
    assert earlier["uninsured_exposure"][0] == pytest.approx(3500.0)
    # a book without decisions: the exposure itself
    bare = book(insurance=[])
    np.testing.assert_array_equal(bare.features()["uninsured_exposure"], bare.features()["exposure"])
