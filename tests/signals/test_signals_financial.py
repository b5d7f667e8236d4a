"""The financial, legal, management and industry signals against hand-computed examples.

The book below is small enough to check by hand. On AS_OF (2025-06-30):

* D is in distress. Its 2024 statement (published 2025-03-15) gives Z' 1.025,
  current ratio 0.70 (1.60 a year before), TL/TA 0.95, net margin -5% (4% the
  year before), and three negative operating cash flows running; a 2025-03-31
  statement with fine figures is published only on 2025-07-20.
* S is sound (Z' 3.06, current ratio 2.0, TL/TA 0.33), G sits in the grey
  zone with a single statement lacking a cash flow, P has a statement with
  revenue and income only, N has none, X has negative equity.
* Q reports quarterly: its latest statement (2025-03-31) is compared with
  2024-03-31 for the margin and with 2024-12-31 for the current ratio.
* R's cash-flow run is broken by a statement without a cash flow.
* E has events only (no statements).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import _schema, finance, signals
from riskkit.datasets import make_portfolio
from riskkit.signals import SEVERITIES, SignalHits, resolve_thresholds

AS_OF = "2025-06-30"

FINANCIAL = ("distress_zone", "current_ratio_low", "current_ratio_falling", "negative_ocf", "leverage_high",
             "margin_drop", "distress_probability")
LEGAL = ("new_lawsuit", "litigation_vs_net_assets", "assets_frozen", "legal_rep_change")
MANAGEMENT = ("key_person_change", "contact_unreachable", "bank_change", "explanation_change")
INDUSTRY = ("industry_risk",)
ALL = FINANCIAL + LEGAL + MANAGEMENT + INDUSTRY


def statement(customer: str, period_end: str, **items: Any) -> dict[str, Any]:
    return {"customer_id": customer, "period_end": period_end, **items}


def full(revenue: float, ebit: float, ni: float, ta: float, tl: float, ca: float, cl: float, re: float,
         ocf: float | None) -> dict[str, Any]:
    return dict(revenue=revenue, ebit=ebit, net_income=ni, total_assets=ta, total_liabilities=tl,
                current_assets=ca, current_liabilities=cl, retained_earnings=re, equity=ta - tl,
                operating_cash_flow=ocf)


def event(customer: str, date: str, kind: str, amount: float | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"customer_id": customer, "date": date, "kind": kind}
    if amount is not None:
        row["amount"] = amount
    return row


STATEMENTS = [
    statement("D", "2022-12-31", **full(1_000_000, 20_000, -10_000, 800_000, 520_000, 400_000, 250_000,
                                         120_000, -5_000)),
    statement("D", "2023-12-31", **full(1_000_000, 60_000, 40_000, 800_000, 560_000, 400_000, 250_000,
                                         100_000, -20_000)),
    statement("D", "2024-12-31", published="2025-03-15",
              **full(900_000, -30_000, -45_000, 700_000, 665_000, 280_000, 400_000, -20_000, -60_000)),
    # known only from 2025-07-20: fine figures that must not be used on AS_OF
    statement("D", "2025-03-31", published="2025-07-20",
              **full(900_000, 150_000, 110_000, 900_000, 300_000, 500_000, 100_000, 400_000, 80_000)),
    statement("S", "2023-12-31", **full(1_900_000, 190_000, 130_000, 1_400_000, 500_000, 760_000, 380_000,
                                         450_000, 120_000)),
    statement("S", "2024-12-31", published="2025-04-01",
              **full(2_000_000, 200_000, 140_000, 1_500_000, 500_000, 800_000, 400_000, 500_000, 150_000)),
    statement("G", "2024-12-31", **full(2_000_000, 200_000, 140_000, 1_500_000, 600_000, 800_000, 400_000,
                                         500_000, None)),
    statement("P", "2024-12-31", revenue=500_000, net_income=-80_000),
    statement("X", "2024-12-31", total_assets=100_000, total_liabilities=110_000, equity=-10_000),
    statement("Q", "2024-03-31", revenue=250_000, net_income=12_500, current_assets=150_000,
              current_liabilities=100_000),
    statement("Q", "2024-12-31", revenue=250_000, net_income=2_500, current_assets=150_000,
              current_liabilities=100_000),
    statement("Q", "2025-03-31", published="2025-05-15", revenue=250_000, net_income=10_000,
              current_assets=117_000, current_liabilities=100_000),
    statement("R", "2022-12-31", operating_cash_flow=-1_000.0),
    statement("R", "2023-12-31", revenue=100_000.0),
    statement("R", "2024-12-31", operating_cash_flow=-2_000.0),
]

EVENTS = [
    # D
    event("D", "2025-05-10", "lawsuit", 20_000),
    event("D", "2025-06-01", "asset_pledge", 50_000),
    event("D", "2025-06-15", "asset_freeze", 80_000),
    event("D", "2025-06-01", "key_person_change"),
    event("D", "2025-03-01", "contact_unreachable"),  # more than 90 days ago
    # S: 250,000 claimed in 12 months against equity 1,000,000; a claim a year old to the day is out
    event("S", "2025-01-15", "lawsuit", 150_000),
    event("S", "2025-06-01", "lawsuit", 100_000),
    event("S", "2024-06-30", "lawsuit", 900_000),
    # X: negative equity
    event("X", "2025-02-01", "lawsuit", 5_000),
    # E: events only
    event("E", "2025-04-01", "lawsuit", 1_000),  # exactly 90 days before AS_OF: outside (as_of - 90, as_of]
    event("E", "2025-04-02", "lawsuit", 2_000),
    event("E", "2025-06-30", "lawsuit"),
    event("E", "2025-07-01", "lawsuit", 3_000),  # after AS_OF
    event("E", "2025-02-01", "asset_freeze"),
    event("E", "2024-12-15", "asset_pledge"),  # older than 180 days
    event("E", "2025-03-01", "legal_rep_change"),
    event("E", "2025-05-01", "key_person_change"),
    event("E", "2025-06-01", "key_person_change"),
    event("E", "2025-06-10", "contact_unreachable"),
    event("E", "2025-06-20", "contact_unreachable"),
    event("E", "2025-07-02", "contact_unreachable"),  # after AS_OF
    event("E", "2025-02-01", "bank_change"),
    event("E", "2025-06-01", "explanation_change"),
]

CUSTOMERS = [
    {"id": "D", "industry": "construction", "industry_risk": 0.8},
    {"id": "S", "industry": "healthcare", "industry_risk": 0.3},
    {"id": "G", "industry": "retail", "industry_risk": 0.6},
    {"id": "P", "industry": "retail"},
    {"id": "N"},
    {"id": "X", "industry": "construction"},
    {"id": "Q", "industry_risk": 0.65},
    {"id": "R"},
    {"id": "E", "industry": "hospitality", "industry_risk": 0.7},
]


@pytest.fixture(scope="module")
def book() -> riskkit.Portfolio:
    return riskkit.Portfolio.from_records(customers=CUSTOMERS, statements=STATEMENTS, events=EVENTS, as_of=AS_OF)


def run(book: riskkit.Portfolio, name: str, as_of: Any = AS_OF, override: Any = None) -> SignalHits:
    signal = signals.get(name)
    labels = {"industry": book.customers["industry"], "region": book.customers["region"]}
    thresholds = resolve_thresholds(name, signal.thresholds, override, labels, book.n_customers)
    return signal.evaluate(book, as_of, thresholds)


def by_customer(book: riskkit.Portfolio, hits: SignalHits) -> dict[str, dict[str, Any]]:
    ids = book.customer_ids[hits.customer].tolist()
    return {
        cid: {"severity": SEVERITIES[s], "value": v, "threshold": t, "window": w, "evidence": e}
        for cid, s, v, t, w, e in zip(ids, hits.severity.tolist(), hits.value.tolist(), hits.threshold.tolist(),
                                      hits.window_days.tolist(), hits.evidence.tolist(), strict=True)
    }


# --- the catalogue ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_registered_with_category_and_documented(name: str) -> None:
    signal = signals.get(name)
    expected = ("financial" if name in FINANCIAL else "legal" if name in LEGAL
                else "management" if name in MANAGEMENT else "industry")
    assert signal.category == expected
    assert signals.source(name) == "riskkit (built-in)"
    assert isinstance(signal, riskkit.Signal)
    doc = type(signal).__doc__
    for part in ("Value:", "Window:", "Default thresholds", "Evidence:"):
        assert part in doc, (name, part)
    assert signal.description
    assert set(signal.thresholds) <= set(SEVERITIES)


def test_defaults_from_the_domain_reference() -> None:
    get = signals.get
    assert get("distress_zone").thresholds == {"info": 2.90, "warning": 1.23}
    assert get("current_ratio_low").thresholds["watch"] == 1.0
    assert get("current_ratio_falling").thresholds["watch"] == 0.20
    assert get("negative_ocf").thresholds["warning"] == 3.0
    assert get("leverage_high").thresholds["watch"] == 0.8
    assert get("margin_drop").thresholds["info"] == 0.15
    assert get("distress_probability").thresholds["warning"] == 0.5  # the models' own "at risk"
    assert get("litigation_vs_net_assets").thresholds["warning"] == 0.2
    assert get("new_lawsuit").window_days == 90
    # weak or common evidence never reaches warning
    for name in ("industry_risk", "key_person_change", "bank_change"):
        assert max(SEVERITIES.index(s) for s in get(name).thresholds) <= SEVERITIES.index("watch")


# --- financial ----------------------------------------------------------------------------


def test_distress_zone(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "distress_zone"))
    assert set(hits) == {"D", "G"}  # S is safe; P, N, Q, R, X lack the items; E has no statement
    z = float(finance.altman_z_private(working_capital=-120_000, retained_earnings=-20_000, ebit=-30_000,
                                       book_equity=35_000, sales=900_000, total_assets=700_000,
                                       total_liabilities=665_000))
    assert z == pytest.approx(1.024977, abs=1e-6)
    d = hits["D"]
    assert d["value"] == pytest.approx(z)
    assert (d["severity"], d["threshold"], d["window"]) == ("warning", 1.23, 0)
    assert d["evidence"] == "Z' 1.02 (distress zone); statement 2024-12-31 (published 2025-03-15); net loss 45,000"
    g = hits["G"]
    assert g["value"] == pytest.approx(2.8484667)
    assert (g["severity"], g["threshold"]) == ("info", 2.90)
    assert g["evidence"] == "Z' 2.85 (grey zone); statement 2024-12-31"


def test_current_ratio_low(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "current_ratio_low"))
    assert set(hits) == {"D"}  # Q's 1.17, S's and G's 2.0 are fine
    assert hits["D"]["value"] == pytest.approx(0.7)
    assert (hits["D"]["severity"], hits["D"]["threshold"]) == ("warning", 0.75)
    assert hits["D"]["evidence"] == (
        "current assets 280,000 / current liabilities 400,000 = 0.70; statement 2024-12-31 (published 2025-03-15)")
    # a ratio between 0.75 and 1 is a watch
    watch = by_customer(book, run(book, "current_ratio_low", override={"warning": 0.5}))
    assert watch["D"]["severity"] == "watch" and watch["D"]["threshold"] == 1.0


def test_current_ratio_falling_against_previous_statement(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "current_ratio_falling"))
    assert set(hits) == {"D", "Q"}  # S flat; G one statement
    d = hits["D"]
    assert d["value"] == pytest.approx(1 - 0.7 / 1.6)
    assert (d["severity"], d["threshold"], d["window"]) == ("warning", 0.25, 366)
    assert d["evidence"] == "current ratio 1.60 -> 0.70 (down 56%); statements 2023-12-31 -> 2024-12-31 (published 2025-03-15)"
    q = hits["Q"]  # the quarter before, not the year before
    assert q["value"] == pytest.approx(1 - 1.17 / 1.5)
    assert (q["severity"], q["threshold"], q["window"]) == ("watch", 0.20, 90)


def test_negative_ocf_counts_the_run_up_to_the_latest(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "negative_ocf"))
    assert set(hits) == {"D", "R"}  # S positive, G's cash flow missing, the others have none
    d = hits["D"]
    assert (d["value"], d["severity"], d["threshold"], d["window"]) == (3.0, "warning", 3.0, 731)
    assert d["evidence"] == ("operating cash flow negative in the latest 3 statements: "
                             "2022-12-31: -5,000, 2023-12-31: -20,000, 2024-12-31: -60,000")
    r = hits["R"]  # 2023 has no cash flow: unknown ends the run
    assert (r["value"], r["severity"], r["window"]) == (1.0, "info", 0)
    assert r["evidence"] == "operating cash flow negative in the latest statement: 2024-12-31: -2,000"


def test_negative_ocf_value_is_zero_after_a_positive_latest() -> None:
    p = riskkit.Portfolio.from_records(
        customers=[{"id": "A"}],
        statements=[statement("A", f"{y}-12-31", operating_cash_flow=v)
                    for y, v in ((2020, -1.0), (2021, -1.0), (2022, -1.0), (2023, -1.0), (2024, 5.0))],
        as_of=AS_OF,
    )
    assert len(run(p, "negative_ocf")) == 0
    values, _ = signals.get("negative_ocf").values(p, np.datetime64(AS_OF))
    assert values.tolist() == [0.0]
    four = by_customer(p, run(p, "negative_ocf", as_of="2024-06-30"))["A"]
    assert (four["value"], four["window"]) == (4.0, 1095)
    assert four["evidence"].endswith("2021-12-31: -1, 2022-12-31: -1, 2023-12-31: -1 (and 1 earlier)")


def test_leverage_high(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "leverage_high"))
    assert set(hits) == {"D", "X"}
    assert hits["D"]["value"] == pytest.approx(0.95)
    assert (hits["D"]["severity"], hits["D"]["threshold"]) == ("warning", 0.9)
    assert hits["X"]["value"] == pytest.approx(1.1)  # negative equity
    assert (hits["X"]["severity"], hits["X"]["threshold"]) == ("critical", 1.0)
    assert hits["D"]["evidence"] == (
        "total liabilities 665,000 / total assets 700,000 = 0.95; statement 2024-12-31 (published 2025-03-15)")


def test_margin_drop_relative_year_on_year(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "margin_drop"))
    assert set(hits) == {"D", "Q"}  # S's margin rose
    d = hits["D"]  # 4% -> -5%: (0.04 + 0.05) / 0.04
    assert d["value"] == pytest.approx(2.25)
    assert (d["severity"], d["threshold"], d["window"]) == ("warning", 1.5, 366)
    assert d["evidence"] == "net margin 4.0% -> -5.0%; statements 2023-12-31 -> 2024-12-31 (published 2025-03-15)"
    q = hits["Q"]  # 2025Q1 4% against 2024Q1 5% (not against 2024Q4's 1%): 20% down
    assert q["value"] == pytest.approx(0.2)
    assert (q["severity"], q["threshold"], q["window"]) == ("info", 0.15, 365)
    assert "statements 2024-03-31 -> 2025-03-31" in q["evidence"]


def test_margin_drop_floor_near_zero() -> None:
    p = riskkit.Portfolio.from_records(
        customers=[{"id": "A"}, {"id": "B"}],
        statements=[statement("A", "2023-12-31", revenue=1000.0, net_income=5.0),   # 0.5%
                    statement("A", "2024-12-31", revenue=1000.0, net_income=3.0),   # 0.3%
                    statement("B", "2023-12-31", revenue=1000.0, net_income=-20.0),  # -2%
                    statement("B", "2024-12-31", revenue=1000.0, net_income=-50.0)],  # -5%
        as_of=AS_OF,
    )
    values, _ = signals.get("margin_drop").values(p, np.datetime64(AS_OF))
    assert values == pytest.approx([0.002 / 0.02, 0.03 / 0.02])  # measured against 2 points; a deeper loss falls


def test_distress_probability(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "distress_probability"))
    assert set(hits) == {"D"}
    p = float(finance.zmijewski_p(net_income=-45_000, total_assets=700_000, total_liabilities=665_000,
                                  current_assets=280_000, current_liabilities=400_000))
    assert hits["D"]["value"] == pytest.approx(max(p, book.features(AS_OF)["ohlson_p"][0]))
    assert hits["D"]["value"] == pytest.approx(0.911808, abs=1e-6)  # Zmijewski
    assert (hits["D"]["severity"], hits["D"]["threshold"]) == ("warning", 0.5)
    assert hits["D"]["evidence"].startswith("Zmijewski P 0.91, Ohlson P ")


def test_missing_statements_never_raise_a_financial_signal(book: riskkit.Portfolio) -> None:
    for name in FINANCIAL:
        hit = set(by_customer(book, run(book, name)))
        assert not hit & {"N", "P", "E"}, name
        values, _ = signals.get(name).values(book, np.datetime64(AS_OF))
        for cid in ("N", "P", "E"):
            assert math.isnan(values[list(book.customer_ids).index(cid)]), (name, cid)


def test_statement_published_after_as_of_is_ignored(book: riskkit.Portfolio) -> None:
    # on AS_OF, D's 2025-03-31 statement (published 2025-07-20) is unknown: D is in distress
    assert "D" in by_customer(book, run(book, "distress_zone"))
    # once published, it is D's latest statement and the distress is gone
    for name in ("distress_zone", "current_ratio_low", "leverage_high", "negative_ocf"):
        assert "D" not in by_customer(book, run(book, name, as_of="2025-07-20")), name
    # before the 2024 statement was published, the 2023 one is D's latest
    early = by_customer(book, run(book, "current_ratio_low", as_of="2025-03-14"))
    assert "D" not in early
    ocf = by_customer(book, run(book, "negative_ocf", as_of="2025-03-14"))["D"]
    assert (ocf["value"], ocf["window"]) == (2.0, 365)
    # a statement whose period has not ended is unknown even without a publication date
    assert "S" not in by_customer(book, run(book, "negative_ocf", as_of="2023-12-30"))


# --- legal ------------------------------------------------------------------------------------


def test_new_lawsuit_window_and_severity(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "new_lawsuit"))
    assert set(hits) == {"D", "S", "E"}  # X's is older than 90 days
    assert (hits["D"]["value"], hits["D"]["severity"], hits["D"]["threshold"]) == (1.0, "warning", 1.0)
    assert hits["D"]["window"] == 90
    assert hits["D"]["evidence"] == "lawsuit 2025-05-10 (20,000)"
    # E: 2025-04-02 and 2025-06-30 count; 2025-04-01 is 90 days back (outside), 2025-07-01 is in the future
    assert (hits["E"]["value"], hits["E"]["severity"]) == (2.0, "critical")
    assert hits["E"]["evidence"] == "lawsuit 2025-06-30, lawsuit 2025-04-02 (2,000)"


def test_events_after_as_of_are_ignored(book: riskkit.Portfolio) -> None:
    later = by_customer(book, run(book, "new_lawsuit", as_of="2025-07-01"))
    assert later["E"]["evidence"] == "lawsuit 2025-07-01 (3,000), lawsuit 2025-06-30"
    assert by_customer(book, run(book, "contact_unreachable"))["E"]["value"] == 2.0
    third = by_customer(book, run(book, "contact_unreachable", as_of="2025-07-02"))["E"]
    assert (third["value"], third["severity"]) == (3.0, "critical")
    assert by_customer(book, run(book, "new_lawsuit", as_of="2025-04-01"))["E"]["value"] == 1.0  # on the day
    assert "E" not in by_customer(book, run(book, "new_lawsuit", as_of="2025-03-31"))


def test_litigation_vs_net_assets(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "litigation_vs_net_assets"))
    assert set(hits) == {"D", "S", "X"}  # E has no statement: no net assets to compare with
    s = hits["S"]  # 150,000 + 100,000 in 12 months (the 2024-06-30 claim is a year old) / 1,000,000
    assert s["value"] == pytest.approx(0.25)
    assert (s["severity"], s["threshold"], s["window"]) == ("warning", 0.2, 365)
    assert s["evidence"] == ("claimed 250,000 vs equity 1,000,000 (statement 2024-12-31); "
                             "lawsuit 2025-06-01 (100,000), lawsuit 2025-01-15 (150,000)")
    assert hits["D"]["value"] == pytest.approx(20_000 / 35_000)
    assert hits["D"]["severity"] == "critical"
    assert hits["X"]["value"] == math.inf  # any claim exceeds negative net assets
    assert hits["X"]["severity"] == "critical"


def test_assets_frozen_or_pledged(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "assets_frozen"))
    assert set(hits) == {"D", "E"}
    assert (hits["D"]["value"], hits["D"]["severity"], hits["D"]["window"]) == (2.0, "critical", 180)
    assert hits["D"]["evidence"] == "asset_freeze 2025-06-15 (80,000), asset_pledge 2025-06-01 (50,000)"
    assert (hits["E"]["value"], hits["E"]["severity"]) == (1.0, "warning")  # the 2024-12-15 pledge is too old
    assert hits["E"]["evidence"] == "asset_freeze 2025-02-01"


def test_legal_rep_change(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "legal_rep_change"))
    assert set(hits) == {"E"}
    assert (hits["E"]["value"], hits["E"]["severity"], hits["E"]["window"]) == (1.0, "watch", 180)


# --- management ------------------------------------------------------------------------------


def test_management_signals(book: riskkit.Portfolio) -> None:
    kp = by_customer(book, run(book, "key_person_change"))
    assert {c: (h["value"], h["severity"]) for c, h in kp.items()} == {"D": (1.0, "info"), "E": (2.0, "watch")}
    assert kp["E"]["evidence"] == "key_person_change 2025-06-01, key_person_change 2025-05-01"
    cu = by_customer(book, run(book, "contact_unreachable"))
    assert {c: (h["value"], h["severity"], h["window"]) for c, h in cu.items()} == {"E": (2.0, "warning", 90)}
    bc = by_customer(book, run(book, "bank_change"))
    assert {c: (h["value"], h["severity"], h["window"]) for c, h in bc.items()} == {"E": (1.0, "info", 180)}
    ex = by_customer(book, run(book, "explanation_change"))
    assert {c: (h["value"], h["severity"], h["window"]) for c, h in ex.items()} == {"E": (1.0, "watch", 90)}


def test_event_evidence_lists_three_and_counts_the_rest() -> None:
    days = ["2025-06-01", "2025-06-05", "2025-06-10", "2025-06-20", "2025-06-25"]
    p = riskkit.Portfolio.from_records(customers=[{"id": "A"}],
                                       events=[event("A", d, "bank_change") for d in days], as_of=AS_OF)
    hit = by_customer(p, run(p, "bank_change"))["A"]
    assert (hit["value"], hit["severity"]) == (5.0, "watch")
    assert hit["evidence"] == "bank_change 2025-06-25, bank_change 2025-06-20, bank_change 2025-06-10, +2 more"


# --- industry ----------------------------------------------------------------------------------


def test_industry_risk(book: riskkit.Portfolio) -> None:
    hits = by_customer(book, run(book, "industry_risk"))
    assert {c: (h["value"], h["severity"]) for c, h in hits.items()} == {
        "D": (0.8, "watch"), "G": (0.6, "info"), "Q": (0.65, "info"), "E": (0.7, "info")}
    assert hits["D"]["evidence"] == "industry 'construction': risk index 0.8"
    assert hits["Q"]["evidence"] == "risk index 0.65 (industry not given)"
    assert hits["D"]["window"] == 0
    # the scale is the user's: a 1-10 index needs its own levels
    p = riskkit.Portfolio.from_records(customers=[{"id": "A", "industry": "mining", "industry_risk": 7.0}],
                                       as_of=AS_OF)
    assert by_customer(p, run(p, "industry_risk"))["A"]["severity"] == "watch"
    ten = by_customer(p, run(p, "industry_risk", override={"info": 6.0, "watch": 8.0}))["A"]
    assert (ten["severity"], ten["threshold"]) == ("info", 6.0)


# --- thresholds per customer ----------------------------------------------------------------


def test_thresholds_per_segment(book: riskkit.Portfolio) -> None:
    override = {"by": "industry", "segments": {"construction": {"critical": 0.9}}}
    hits = by_customer(book, run(book, "leverage_high", override=override))
    assert (hits["D"]["severity"], hits["D"]["threshold"]) == ("critical", 0.9)
    assert (hits["X"]["severity"], hits["X"]["threshold"]) == ("critical", 0.9)
    # a severity switched off for everyone
    hits = by_customer(book, run(book, "new_lawsuit", override={"warning": None}))
    assert set(hits) == {"E"}
    # thresholds as arrays, one per customer
    signal = signals.get("distress_zone")
    thresholds = {"warning": np.where(book.customer_ids == "G", 3.0, 1.0)}
    hits = by_customer(book, signal.evaluate(book, AS_OF, thresholds))
    assert {c: (h["severity"], h["threshold"]) for c, h in hits.items()} == {"G": ("warning", 3.0)}


def test_all_signals_give_hits_of_the_right_shape(book: riskkit.Portfolio) -> None:
    for name in ALL:
        hits = run(book, name)
        assert hits.signal == name
        assert hits.customer.dtype == np.intp
        assert all(isinstance(e, str) and e for e in hits.evidence.tolist()), name
        empty = riskkit.Portfolio.from_records(customers=[{"id": "A"}], as_of=AS_OF)
        assert len(run(empty, name)) == 0, name


# --- the synthetic book: point in time, batch equals parts, and some power ---------------------------


@pytest.fixture(scope="module")
def synthetic() -> tuple[riskkit.Portfolio, Any]:
    return make_portfolio(400, seed=5)


def _tables(p: riskkit.Portfolio) -> dict[str, dict[str, np.ndarray]]:
    return {name: {c: p.table(name)[c] for c in _schema.TABLES[name].names} for name in _schema.TABLES}


def _known_at(p: riskkit.Portfolio, t: np.datetime64) -> riskkit.Portfolio:
    """The statements and events an extract taken on ``t`` would hold (the other tables as they are)."""
    tables = _tables(p)
    s = tables["statements"]
    keep = (s["period_end"] <= t) & (np.isnat(s["published"]) | (s["published"] <= t))
    tables["statements"] = {c: v[keep] for c, v in s.items()}
    keep = tables["events"]["date"] <= t
    tables["events"] = {c: v[keep] for c, v in tables["events"].items()}
    return riskkit.Portfolio.from_arrays(**tables, as_of=t)


def _same(a: SignalHits, b: SignalHits, ids_a: np.ndarray, ids_b: np.ndarray) -> None:
    assert ids_a[a.customer].tolist() == ids_b[b.customer].tolist()
    np.testing.assert_array_equal(a.severity, b.severity)
    np.testing.assert_array_equal(a.value, b.value)
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_array_equal(a.window_days, b.window_days)
    assert a.evidence.tolist() == b.evidence.tolist()


@settings(max_examples=6, deadline=None)
@given(days_back=st.integers(min_value=0, max_value=540))
def test_signals_use_only_facts_known_on_as_of(synthetic: tuple[riskkit.Portfolio, Any], days_back: int) -> None:
    book, _ = synthetic
    t = np.datetime64(book.as_of, "D") - np.timedelta64(days_back, "D")
    then = _known_at(book, t)
    for name in ALL:
        _same(run(book, name, as_of=t), run(then, name, as_of=t), book.customer_ids, then.customer_ids)


def test_a_customer_alone_gets_the_hits_it_gets_in_the_book(synthetic: tuple[riskkit.Portfolio, Any]) -> None:
    book, _ = synthetic
    tables = _tables(book)
    rng = np.random.default_rng(0)
    chosen = np.sort(rng.choice(book.customer_ids, size=40, replace=False))
    part = {}
    for name, cols in tables.items():
        key = "id" if name == "customers" else "customer_id" if "customer_id" in cols else None
        if key is None:  # payments: keep those of kept invoices
            keep = np.isin(cols["invoice_id"], part["invoices"]["id"])
        else:
            keep = np.isin(cols[key], chosen)
        part[name] = {c: v[keep] for c, v in cols.items()}
    small = riskkit.Portfolio.from_arrays(**part, as_of=book.as_of)
    for name in ALL:
        full_hits = run(book, name, as_of=book.as_of)
        rows = np.flatnonzero(np.isin(book.customer_ids[full_hits.customer], chosen))
        sub = SignalHits(name, full_hits.customer[rows], full_hits.severity[rows], full_hits.value[rows],
                         full_hits.threshold[rows], full_hits.window_days[rows], full_hits.evidence[rows])
        _same(sub, run(small, name, as_of=book.as_of), book.customer_ids, small.customer_ids)


def test_warnings_point_at_later_defaulters() -> None:
    book, outcomes = make_portfolio(2000, seed=1)
    as_of = np.datetime64(book.as_of, "D") - np.timedelta64(180, "D")
    days = outcomes.default_date
    later = (days > as_of + np.timedelta64(60, "D")) & (days <= as_of + np.timedelta64(180, "D"))
    sound = ~(days <= as_of + np.timedelta64(180, "D"))
    flagged = np.zeros(book.n_customers, dtype=bool)
    for name in ALL:
        hits = run(book, name, as_of=as_of)
        flagged[hits.customer[hits.severity >= SEVERITIES.index("warning")]] = True
    assert flagged[later].mean() > 0.3
    assert flagged[sound].mean() < 0.06


def test_overrides_through_the_watchlist(book: riskkit.Portfolio) -> None:
    wl = signals.evaluate(book, signals=list(FINANCIAL), thresholds={
        "leverage_high": {"by": "industry", "segments": {"construction": {"critical": 0.9}}},
        "distress_zone": {"info": None},
    })
    rows = {(r["customer_id"], r["signal"]): r for r in wl.to_records()}
    assert rows["D", "leverage_high"]["severity"] == "critical"
    assert ("G", "distress_zone") not in rows
    assert rows["D", "distress_zone"]["severity"] == "warning"
    assert {cid for cid, _ in rows} <= {"D", "Q", "R", "X"}
