"""The collections ladder and worklist: every stage, shift and reorder branch by hand, then properties."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit.dunning import (
    CAUSES,
    REORDER_INSTALMENTS,
    REORDER_REFUSE,
    REORDER_SETTLE,
    DebtorRule,
    Ladder,
    ReorderRule,
    Stage,
    Worklist,
    worklist,
)
from riskkit.errors import DataTypeError, SchemaError, ValidationError

AS_OF = np.datetime64("2025-06-30")
STAGES = ["reminder", "friendly_reminder", "call", "dunning", "visit", "final_notice"]
#: (dpd, stage) at every default boundary (docs/domain.md, *Collections ladder*)
BOUNDARIES = [(0, "reminder"), (1, "friendly_reminder"), (15, "friendly_reminder"), (16, "call"), (30, "call"),
              (31, "dunning"), (60, "dunning"), (61, "visit"), (90, "visit"), (91, "final_notice")]


def day(offset: int) -> str:
    """The date ``offset`` days after AS_OF."""
    return str(AS_OF + np.timedelta64(offset, "D"))


def book(specs: list[dict[str, Any]], **options: Any) -> riskkit.Portfolio:
    """One customer per spec: ``dpd`` (of one open invoice; None: no open invoice), ``amount``,
    ``debtor_type``, ``blocked``, ``paid_late`` (days late of one paid invoice within the last year:
    the payment-index history; None: none), ``since`` (days ago of a first, long-paid invoice)."""
    customers: list[dict[str, Any]] = []
    invoices: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    for s in specs:
        cid = s["id"]
        customers.append({"id": cid, "debtor_type": s.get("debtor_type", "standard"),
                          "blocked": s.get("blocked", False), "industry_risk": s.get("industry_risk")})
        if s.get("dpd") is not None:
            due = -s["dpd"]
            invoices.append({"id": f"{cid}-open", "customer_id": cid, "issued": day(due - 30), "due": day(due),
                             "amount": s.get("amount", 1000.0)})
        if s.get("paid_late") is not None:
            invoices.append({"id": f"{cid}-hist", "customer_id": cid, "issued": day(-230), "due": day(-200),
                             "amount": 1000.0, "paid_amount": 1000.0, "paid_on": day(-200 + s["paid_late"])})
        if s.get("since") is not None:
            invoices.append({"id": f"{cid}-first", "customer_id": cid, "issued": day(-s["since"]),
                             "due": day(-s["since"] + 30), "amount": 10.0, "paid_amount": 10.0,
                             "paid_on": day(-s["since"] + 30)})
        for inv in s.get("invoices", []):
            invoices.append({"customer_id": cid, **inv})
        payments.extend(s.get("payments", []))
        events.extend({"customer_id": cid, **e} for e in s.get("events", []))
        statements.extend({"customer_id": cid, **st_} for st_ in s.get("statements", []))
    return riskkit.Portfolio.from_records(customers=customers, invoices=invoices, payments=payments,
                                          events=events, statements=statements, as_of=str(AS_OF), **options)


def scores(p: riskkit.Portfolio, grade: Any = "A", pd: Any = 0.01, ids: bool = True) -> riskkit.ScoreResult:
    n = p.n_customers
    grades = [grade] * n if isinstance(grade, str) else list(grade)
    pds = [pd] * n if isinstance(pd, float | int) else list(pd)
    return riskkit.ScoreResult(score=np.full(n, 50.0), pd=pds, grade=np.array(grades, dtype=object),
                               customer_ids=p.customer_ids if ids else None)


def single(dpd: int, grade: str = "", debtor_type: str = "standard", ladder: Ladder | None = None,
           **spec: Any) -> dict[str, Any]:
    p = book([{"id": "X", "dpd": dpd, "debtor_type": debtor_type, **spec}])
    wl = worklist(p, scores(p, grade), ladder=ladder)
    assert len(wl) == 1
    return wl.for_customer("X")


# --- the ladder by days past due -------------------------------------------------------


@pytest.mark.parametrize(("dpd", "stage"), BOUNDARIES)
def test_default_stage_boundaries(dpd: int, stage: str) -> None:
    ladder = Ladder.default()
    assert ladder.stage_for(dpd).name == stage
    assert STAGES[int(ladder.stage_index([dpd])[0])] == stage


@pytest.mark.parametrize(("dpd", "stage"), [b for b in BOUNDARIES if b[0] >= 1])
def test_worklist_stage_at_each_boundary(dpd: int, stage: str) -> None:
    row = single(dpd)
    assert row["stage"] == stage
    assert row["days_past_due"] == dpd
    expected = {s.name: s for s in Ladder.default().stages}[stage]
    assert row["next_action"] == expected.actions[0]
    assert row["actions"] == "; ".join(expected.actions)
    assert row["hold_credit"] is expected.hold_credit
    assert row["hold_credit"] is (dpd >= 31)


def test_stage_actions_match_domain() -> None:
    by = {s.name: s for s in Ladder.default().stages}
    assert by["dunning"].actions == ("send a formal dunning letter", "hold new credit sales")
    assert by["visit"].actions == ("visit the customer", "negotiate an instalment plan", "ask for a guarantee")
    assert by["final_notice"].actions == ("send a final notice", "hand over to a collection agency",
                                          "start legal action")
    assert [s.hold_credit for s in Ladder.default().stages] == [False, False, False, True, True, True]


def test_days_to_next_stage() -> None:
    assert single(20)["days_to_next_stage"] == 11        # call 20 -> dunning at 31
    assert single(20, grade="B")["days_to_next_stage"] == 1   # effective 30 -> 31
    assert single(95)["days_to_next_stage"] == -1        # last stage


# --- grade shifts ----------------------------------------------------------------------

GRADE_SHIFTS = [("AAA", 0), ("AA", 0), ("A", 0), ("BBB", 0), ("", 0), ("BB", 5), ("B", 10), ("CCC", 15),
                ("CC", 15), ("C", 15), ("D", 15)]


@pytest.mark.parametrize(("grade", "shift"), GRADE_SHIFTS)
def test_grade_shift_moves_every_stage_start_sooner(grade: str, shift: int) -> None:
    ladder = Ladder.default()
    assert ladder.shift(grade) == -shift
    for j, start in enumerate([1, 16, 31, 61, 91], start=1):
        first = start - shift
        assert ladder.stage_for(first, grade=grade).name == STAGES[j]
        assert ladder.stage_for(first, grade=grade).start == first
        assert ladder.stage_for(first - 1, grade=grade).name == STAGES[j - 1]


@pytest.mark.parametrize(
    ("grade", "dpd", "stage"),
    [("BB", 10, "friendly_reminder"), ("BB", 11, "call"), ("BB", 26, "dunning"), ("BB", 56, "visit"),
     ("BB", 86, "final_notice"), ("B", 6, "call"), ("B", 21, "dunning"), ("B", 20, "call"), ("B", 81, "final_notice"),
     ("CCC", 1, "call"), ("CCC", 16, "dunning"), ("CCC", 15, "call"), ("CC", 46, "visit"), ("C", 76, "final_notice"),
     ("D", 75, "visit"), ("AAA", 30, "call"), ("BBB", 90, "visit")],
)
def test_grade_shift_hand_computed_in_worklist(grade: str, dpd: int, stage: str) -> None:
    row = single(dpd, grade=grade)
    assert row["stage"] == stage
    assert row["days_past_due"] == dpd  # the shift moves the stage, not the facts


def test_custom_grade_shift() -> None:
    ladder = Ladder.from_dict({"grade_shift": {"BBB": 3, "X": -10}})
    assert ladder.stage_for(13, grade="BBB").name == "call"
    assert ladder.stage_for(25, grade="X").name == "friendly_reminder"  # later for a negative shift
    assert ladder.stage_for(26, grade="X").name == "call"
    assert ladder.stage_for(11, grade="BB").name == "friendly_reminder"  # BB no longer listed: no shift


# --- debtor types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("debtor_type", "delay"),
    [("standard", 0), ("project", 15), ("manufacturer", 0), ("distributor", 0), ("government", 30),
     ("large_institution", 30), ("", 0)],
)
def test_debtor_type_delay(debtor_type: str, delay: int) -> None:
    ladder = Ladder.default()
    assert ladder.shift("", debtor_type) == delay
    for j, start in enumerate([1, 16, 31, 61, 91], start=1):
        assert ladder.stage_for(start + delay, debtor_type=debtor_type).name == STAGES[j]
        assert ladder.stage_for(start + delay - 1, debtor_type=debtor_type).name == STAGES[j - 1]


def test_project_customer_escalates_later_by_milestone() -> None:
    row = single(30, debtor_type="project")
    assert row["stage"] == "friendly_reminder"  # 30 - 15 = 15
    assert row["next_action"] == "check the project milestone"
    assert single(31, debtor_type="project")["stage"] == "call"
    for dpd in (5, 40, 70, 120):
        actions = single(dpd, debtor_type="project")["actions"].split("; ")
        assert actions[0] == "check the project milestone"
        assert actions.count("check the project milestone") == 1


@pytest.mark.parametrize("debtor_type", ["manufacturer", "distributor"])
def test_supply_leverage_from_the_dunning_stage(debtor_type: str) -> None:
    leverage = "stop deliveries (brand and supply leverage)"
    assert leverage not in single(30, debtor_type=debtor_type)["actions"]
    for dpd in (31, 61, 91):
        row = single(dpd, debtor_type=debtor_type)
        assert row["stage"] == {31: "dunning", 61: "visit", 91: "final_notice"}[dpd]
        assert row["next_action"] == leverage


@pytest.mark.parametrize("debtor_type", ["government", "large_institution"])
def test_formal_channels_longer_cycles_no_agency(debtor_type: str) -> None:
    assert single(31, debtor_type=debtor_type)["stage"] == "friendly_reminder"
    assert single(30, debtor_type=debtor_type)["stage"] == "reminder"  # still a plain reminder
    assert single(121, debtor_type=debtor_type)["stage"] == "final_notice"
    assert single(120, debtor_type=debtor_type)["stage"] == "visit"
    final = single(200, debtor_type=debtor_type)
    assert "collection agency" not in final["actions"]
    assert final["actions"].split("; ") == [
        "escalate through formal channels (contracting office, payment authority)",
        "send a final notice",
        "start legal action",
    ]
    assert "collection agency" in single(200)["actions"]


def test_grade_and_debtor_type_shifts_add_up() -> None:
    # CCC (15 sooner) at a government body (30 later): net 15 later
    assert Ladder.default().shift("CCC", "government") == 15
    assert single(45, grade="CCC", debtor_type="government")["stage"] == "call"   # effective 30
    assert single(46, grade="CCC", debtor_type="government")["stage"] == "dunning"
    # B (10 sooner) project (15 later): net 5 later
    assert single(36, grade="B", debtor_type="project")["stage"] == "dunning"
    assert single(35, grade="B", debtor_type="project")["stage"] == "call"
    assert "grade B 10 days sooner, project 15 days later" in single(36, grade="B", debtor_type="project")["reason"]


def test_unknown_debtor_type_names_the_customer() -> None:
    p = book([{"id": "ok", "dpd": 3}, {"id": "odd", "dpd": 3, "debtor_type": "Government"}])
    with pytest.raises(ValidationError, match="unknown debtor type 'Government' \\(customer 'odd'\\)") as err:
        worklist(p, scores(p))
    assert err.value.field == "debtor_type"
    with pytest.raises(ValidationError, match="unknown debtor type"):
        Ladder.default().stage_for(3, debtor_type="nope")


# --- the reorder rule ------------------------------------------------------------------

LADDER_50K = Ladder.from_dict({"reorder": {"valuable_amount": 50_000.0}})


def reorder_case(ladder: Ladder = LADDER_50K, grade: str = "A", **spec: Any) -> dict[str, Any]:
    return single(spec.pop("dpd"), grade=grade, ladder=ladder, **spec)


@pytest.mark.parametrize(
    ("grade", "spec", "rule", "why"),
    [
        # good history (payment index 80: paid on time) and BBB or better, under 61 days
        ("A", {"dpd": 10, "paid_late": 0}, REORDER_INSTALMENTS, "good payment history and grade"),
        ("BBB", {"dpd": 60, "paid_late": 15}, REORDER_INSTALMENTS, "good payment history and grade"),  # index 70
        # good but serious by days: valuable -> settle, not valuable -> refuse
        ("A", {"dpd": 61, "paid_late": 0, "amount": 60_000.0}, REORDER_SETTLE,
         "valuable (large exposure) but serious (61+ days past due)"),
        ("A", {"dpd": 61, "paid_late": 0, "since": 1200}, REORDER_SETTLE,
         "valuable (long relationship) but serious (61+ days past due)"),
        ("A", {"dpd": 61, "paid_late": 0}, REORDER_REFUSE, "61+ days past due and not valuable enough for new credit"),
        # serious by grade
        ("BB", {"dpd": 10, "paid_late": 0, "amount": 60_000.0}, REORDER_SETTLE,
         "valuable (large exposure) but serious (grade BB)"),
        ("B", {"dpd": 10, "paid_late": 0}, REORDER_SETTLE, "serious (grade B)"),
        # mixed history: good grade, payment index below 70 (22 days late: 60)
        ("A", {"dpd": 10, "paid_late": 22}, REORDER_SETTLE, "mixed payment history"),
        ("A", {"dpd": 10}, REORDER_SETTLE, "mixed payment history"),  # no history: not good
        ("", {"dpd": 10, "paid_late": 0}, REORDER_SETTLE, "mixed payment history"),  # no grade
        # high risk
        ("CCC", {"dpd": 5, "paid_late": 0, "amount": 60_000.0}, REORDER_REFUSE, "high risk: grade CCC"),
        ("D", {"dpd": 5, "paid_late": 0}, REORDER_REFUSE, "high risk: grade D"),
        ("AA", {"dpd": 5, "paid_late": 0, "blocked": True, "amount": 60_000.0}, REORDER_REFUSE,
         "high risk: credit blocked"),
        ("A", {"dpd": 91, "paid_late": 60, "amount": 60_000.0}, REORDER_REFUSE,
         "high risk: 91+ days past due with a poor payment history"),  # index 40
        ("A", {"dpd": 91, "amount": 60_000.0}, REORDER_REFUSE,
         "high risk: 91+ days past due with a poor payment history"),  # no payments in a year
        # 91+ with a fair history and valuable: negotiate
        ("A", {"dpd": 91, "paid_late": 22, "amount": 60_000.0}, REORDER_SETTLE,
         "valuable (large exposure) but serious (91+ days past due)".replace("91+", "61+")),
    ],
)
def test_reorder_rule_branches(grade: str, spec: dict[str, Any], rule: str, why: str) -> None:
    row = reorder_case(grade=grade, **spec)
    assert (row["reorder_rule"], row["reorder_reason"]) == (rule, why)


def test_reorder_thresholds_are_configuration() -> None:
    assert reorder_case(dpd=10, paid_late=15)["reorder_rule"] == REORDER_INSTALMENTS  # index 70
    stricter = Ladder.from_dict({"reorder": {"good_payment_index": 75, "valuable_amount": 50_000.0}})
    assert reorder_case(stricter, dpd=10, paid_late=15)["reorder_rule"] == REORDER_SETTLE
    late = Ladder.from_dict({"reorder": {"serious_dpd": 30, "valuable_amount": 50_000.0}})
    assert reorder_case(late, dpd=30, paid_late=0)["reorder_rule"] == REORDER_REFUSE
    assert reorder_case(late, dpd=29, paid_late=0)["reorder_rule"] == REORDER_INSTALMENTS
    bbb_bad = Ladder.from_dict({"reorder": {"good_grades": ["AAA"], "refuse_grades": ["BBB"]}})
    assert reorder_case(bbb_bad, grade="BBB", dpd=5, paid_late=0)["reorder_rule"] == REORDER_REFUSE
    lenient = Ladder.from_dict({"reorder": {"refuse_dpd": 120, "valuable_amount": 50_000.0}})
    assert reorder_case(lenient, dpd=91, amount=60_000.0)["reorder_rule"] == REORDER_SETTLE
    relation = Ladder.from_dict({"reorder": {"valuable_relationship_days": 100, "valuable_amount": 50_000.0}})
    assert reorder_case(relation, dpd=70, paid_late=0)["reorder_rule"] == REORDER_SETTLE  # first invoice 230 days ago


def test_valuable_by_portfolio_quantile() -> None:
    # open amounts 1,000 x 3 and 100,000 x 2: the 80% quantile is 60,400
    specs = [{"id": f"S{i}", "dpd": 70, "paid_late": 0} for i in range(3)]
    specs += [{"id": f"L{i}", "dpd": 70, "paid_late": 0, "amount": 100_000.0} for i in range(2)]
    p = book(specs)
    wl = worklist(p, scores(p))
    rules = dict(zip(wl["customer_id"].tolist(), wl["reorder_rule"].tolist(), strict=True))
    assert rules == {"S0": REORDER_REFUSE, "S1": REORDER_REFUSE, "S2": REORDER_REFUSE,
                     "L0": REORDER_SETTLE, "L1": REORDER_SETTLE}
    half = Ladder.from_dict({"reorder": {"valuable_quantile": 0.0}})
    assert set(worklist(p, scores(p), ladder=half)["reorder_rule"].tolist()) == {REORDER_SETTLE}


# --- priority --------------------------------------------------------------------------

# money in cents and PDs in basis points: realistic grids on which "strictly" is not lost to rounding
amounts = st.integers(0, 10**11).map(lambda cents: cents / 100)
pds = st.integers(0, 10_000).map(lambda bp: bp / 10_000)
days = st.integers(0, 5000)


@given(amounts, amounts, pds, days)
def test_priority_monotone_in_amount(a: float, b: float, pd: float, dpd: int) -> None:
    lo, hi = sorted((a, b))
    p = Ladder.default().priority([lo, hi], [pd, pd], [dpd, dpd])
    assert p[0] <= p[1]
    if lo < hi and dpd > 0:
        assert p[0] < p[1]


@given(amounts, pds, pds, days)
def test_priority_monotone_in_pd(amount: float, a: float, b: float, dpd: int) -> None:
    lo, hi = sorted((a, b))
    p = Ladder.default().priority([amount, amount], [lo, hi], [dpd, dpd])
    assert p[0] <= p[1]
    if lo < hi and amount > 0 and dpd > 0:
        assert p[0] < p[1]


@given(amounts, pds, days, days)
def test_priority_monotone_in_days(amount: float, pd: float, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    p = Ladder.default().priority([amount, amount], [pd, pd], [lo, hi])
    assert p[0] <= p[1]
    if lo < hi and amount > 0:
        assert p[0] < p[1]


def test_priority_formula_and_missing_pd() -> None:
    ladder = Ladder.default()
    assert ladder.priority([1000.0], [0.04], [30])[0] == pytest.approx(1000 * 0.05 * math.log(31))
    assert ladder.priority([1000.0], [float("nan")], [30])[0] == pytest.approx(1000 * 0.06 * math.log(31))
    assert ladder.priority([1000.0], [0.0], [0])[0] == 0.0
    custom = Ladder.from_dict({"pd_floor": 0.0, "missing_pd": 1.0})
    assert custom.priority([10.0], [float("nan")], [1])[0] == pytest.approx(10 * math.log(2))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.floats(1.0, 1e6), st.floats(0.0, 1.0), st.integers(1, 400)), min_size=1, max_size=6)
)
def test_worklist_priority_follows_amount_pd_and_days(rows: list[tuple[float, float, int]]) -> None:
    specs = [{"id": f"C{i}", "dpd": d, "amount": a} for i, (a, _, d) in enumerate(rows)]
    p = book(specs)
    wl = worklist(p, scores(p, pd=[r[1] for r in rows]))
    expected = Ladder.default().priority([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    got = dict(zip(wl["customer_id"].tolist(), wl["priority"].tolist(), strict=True))
    assert got == pytest.approx({f"C{i}": float(v) for i, v in enumerate(expected)})
    pr = wl["priority"]
    assert (pr[:-1] >= pr[1:]).all()


def test_worklist_orders_by_each_driver() -> None:
    p = book([{"id": "small", "dpd": 40, "amount": 1000.0}, {"id": "large", "dpd": 40, "amount": 2000.0}])
    assert worklist(p, scores(p))["customer_id"].tolist() == ["large", "small"]
    p = book([{"id": "new", "dpd": 10}, {"id": "old", "dpd": 100}])
    assert worklist(p, scores(p))["customer_id"].tolist() == ["old", "new"]
    p = book([{"id": "safe", "dpd": 10}, {"id": "risky", "dpd": 10}])
    assert worklist(p, scores(p, pd=[0.01, 0.2]))["customer_id"].tolist() == ["risky", "safe"]


def test_ties_sorted_by_customer_id_whatever_the_portfolio_order() -> None:
    ids = ["m", "b", "z", "a", "k"]
    p = book([{"id": c, "dpd": 20} for c in ids])
    assert worklist(p, scores(p))["customer_id"].tolist() == ["a", "b", "k", "m", "z"]
    q = book([{"id": c, "dpd": 20} for c in reversed(ids)])
    assert worklist(q, scores(q))["customer_id"].tolist() == ["a", "b", "k", "m", "z"]


# --- point in time and who is on the list ----------------------------------------------


def test_payment_after_as_of_leaves_the_invoice_overdue() -> None:
    p = book([
        {"id": "later", "invoices": [{"id": "L", "issued": day(-60), "due": day(-30), "amount": 500.0,
                                      "paid_amount": 500.0, "paid_on": day(5)}]},
        {"id": "before", "invoices": [{"id": "B", "issued": day(-60), "due": day(-30), "amount": 500.0,
                                       "paid_amount": 500.0, "paid_on": day(-1)}]},
        {"id": "partial", "invoices": [{"id": "P", "issued": day(-60), "due": day(-30), "amount": 500.0}],
         "payments": [{"invoice_id": "P", "date": day(-10), "amount": 200.0},
                      {"invoice_id": "P", "date": day(3), "amount": 300.0}]},
        {"id": "future", "invoices": [{"id": "F", "issued": day(2), "due": day(3), "amount": 500.0}]},
    ])
    wl = worklist(p, scores(p))
    assert sorted(wl["customer_id"].tolist()) == ["later", "partial"]
    assert wl.for_customer("later")["overdue_amount"] == 500.0
    assert wl.for_customer("later")["days_past_due"] == 30
    assert wl.for_customer("partial")["overdue_amount"] == 300.0
    # at an earlier as_of nothing is due yet; later, two have paid and the future invoice is overdue
    assert len(worklist(p, scores(p), as_of=day(-30))) == 0
    assert worklist(p, scores(p), as_of=day(6))["customer_id"].tolist() == ["future"]


def test_customers_without_overdue_money_are_absent() -> None:
    p = book([
        {"id": "no_invoices"},
        {"id": "not_due", "dpd": -5},
        {"id": "due_today", "dpd": 0},
        {"id": "paid", "paid_late": 3},
        {"id": "overdue", "dpd": 1},
    ])
    wl = worklist(p, scores(p))
    assert wl["customer_id"].tolist() == ["overdue"]
    with pytest.raises(ValidationError, match="'paid' is not on the worklist"):
        wl.for_customer("paid")


def test_counts_oldest_item_and_amount_over_several_invoices() -> None:
    p = book([{"id": "X", "invoices": [
        {"id": "a", "issued": day(-100), "due": day(-70), "amount": 100.0},
        {"id": "b", "issued": day(-50), "due": day(-20), "amount": 200.0},
        {"id": "c", "issued": day(-20), "due": day(10), "amount": 400.0},   # not yet due
        {"id": "d", "issued": day(-90), "due": day(-60), "amount": 800.0, "paid_amount": 800.0,
         "paid_on": day(-50)},
    ]}])
    row = worklist(p, scores(p, grade="BBB", pd=0.02)).for_customer("X")
    assert (row["overdue_amount"], row["days_past_due"], row["overdue_invoices"]) == (300.0, 70, 2)
    assert row["stage"] == "visit"
    assert row["priority"] == pytest.approx(300 * 0.03 * math.log(71))
    assert row["reason"] == (
        "70 days past due on the oldest of 2 overdue invoices (300.00); PD 2.0%, grade BBB; stage visit"
    )


# --- cause hints -----------------------------------------------------------------------


def test_cause_hints() -> None:
    loss = {"period_end": day(-180), "revenue": 1000.0, "net_income": -50.0, "total_assets": 1000.0,
            "total_liabilities": 500.0, "current_assets": 400.0, "current_liabilities": 200.0}
    sound = dict(loss, net_income=80.0, current_assets=400.0, current_liabilities=100.0)
    p = book([
        {"id": "plain", "dpd": 10},
        {"id": "project", "dpd": 10, "debtor_type": "project"},
        {"id": "sector", "dpd": 10, "industry_risk": 0.8},
        {"id": "loss", "dpd": 10, "statements": [loss]},
        {"id": "partial", "invoices": [{"id": "P", "issued": day(-60), "due": day(-30), "amount": 500.0}],
         "payments": [{"invoice_id": "P", "date": day(-10), "amount": 200.0}]},
        {"id": "promise", "dpd": 10, "events": [{"date": day(-5), "kind": "broken_promise"}]},
        {"id": "silent", "dpd": 40, "statements": [sound]},
        {"id": "recent", "dpd": 20, "statements": [sound]},
    ])
    hints = dict(zip(*(worklist(p, scores(p))[c].tolist() for c in ("customer_id", "cause_hints")), strict=True))
    assert hints == {
        "plain": "",
        "project": "chain debt",
        "sector": "chain debt",
        "loss": "operating pressure",
        "partial": "cash-flow gap",
        "promise": "wilful delay",
        "silent": "wilful delay",      # sound figures, 31+ days, no payment for 90 days
        "recent": "",                  # not yet 31 days
    }
    assert set(CAUSES) == {"chain debt", "operating pressure", "cash-flow gap", "wilful delay"}


# --- scores alignment ------------------------------------------------------------------


def test_scores_must_align_with_the_portfolio() -> None:
    p = book([{"id": "A", "dpd": 5}, {"id": "B", "dpd": 5}])
    with pytest.raises(ValidationError, match="scores has 1 rows but the portfolio has 2 customers"):
        worklist(p, riskkit.ScoreResult(score=[1.0], pd=[0.1], grade=["A"], customer_ids=["A"]))
    swapped = riskkit.ScoreResult(score=[1.0, 2.0], pd=[0.1, 0.2], grade=["A", "B"], customer_ids=["B", "A"])
    with pytest.raises(ValidationError, match="row 0 is 'B' in the scores and 'A' in the portfolio") as err:
        worklist(p, swapped)
    assert err.value.row == 0
    with pytest.raises(DataTypeError, match=r"scores must be a riskkit\.ScoreResult"):
        worklist(p, np.array([0.1, 0.2]))  # type: ignore[arg-type]
    with pytest.raises(DataTypeError, match="ladder must be"):
        worklist(p, scores(p), ladder={"stages": []})  # type: ignore[arg-type]
    assert len(worklist(p, scores(p, ids=False))) == 2  # no ids to check: the length must do


def test_missing_pd_and_grade() -> None:
    p = book([{"id": "A", "dpd": 5}])
    row = worklist(p, scores(p, grade="", pd=float("nan"))).for_customer("A")
    assert math.isnan(row["pd"])
    assert row["priority"] == pytest.approx(1000 * 0.06 * math.log(6))
    assert "PD unknown, grade -" in row["reason"]


# --- configuration ---------------------------------------------------------------------


def test_config_round_trip() -> None:
    ladder = Ladder.default()
    doc = json.loads(json.dumps(ladder.to_dict()))
    assert Ladder.from_dict(doc) == ladder
    assert Ladder.from_dict({}) == ladder
    custom = Ladder(
        stages=(Stage("nudge", -5, ("email",)), Stage("chase", 10, ("phone", "letter"), hold_credit=True)),
        grade_shift={"R": 4},
        debtor_types={"standard": DebtorRule(), "public": DebtorRule(delay_days=20, actions_from={"chase": ["portal"]},
                                                                       drop_actions=["letter"])},
        reorder=ReorderRule(good_grades=("P",), serious_grades=(), refuse_grades=("R",), valuable_amount=5.0),
        pd_floor=0.0,
        missing_pd=0.3,
    )
    again = Ladder.from_dict(json.loads(json.dumps(custom.to_dict())))
    assert again == custom
    assert again.to_dict() == custom.to_dict()
    assert again.stage_for(40, debtor_type="public").actions == ("portal", "phone")
    assert again.stage_for(-100).name == "nudge"  # the first stage covers everything before it
    assert again.stage_for(6, grade="R").name == "chase"


def test_from_dict_partial_keys_take_defaults() -> None:
    ladder = Ladder.from_dict({"reorder": {"refuse_dpd": 120}, "pd_floor": 0.02})
    assert ladder.reorder.refuse_dpd == 120
    assert ladder.reorder.good_payment_index == 70.0
    assert ladder.pd_floor == 0.02
    assert ladder.stages == Ladder.default().stages


def _with(key: str, value: Any) -> dict[str, Any]:
    doc = Ladder.default().to_dict()
    doc[key] = value
    return doc


def _stage_edit(i: int, **changes: Any) -> dict[str, Any]:
    doc = Ladder.default().to_dict()
    doc["stages"][i].update(changes)
    return doc


def _rule_edit(kind: str, **changes: Any) -> dict[str, Any]:
    doc = Ladder.default().to_dict()
    doc["debtor_types"][kind].update(changes)
    return doc


@pytest.mark.parametrize(
    ("doc", "field", "message"),
    [
        ({"stagez": []}, "stagez", "is not a parameter"),
        ([1, 2], "", "must be a mapping"),
        (_with("stages", []), "stages", "non-empty list of stages"),
        (_with("stages", "reminder"), "stages", "list of stages"),
        (_stage_edit(2, start=1), "stages[2].start", "strictly increasing"),
        (_stage_edit(2, start=16.0), "stages[2].start", "integer"),
        (_stage_edit(2, start=True), "stages[2].start", "integer"),
        (_stage_edit(3, name="call"), "stages[3].name", "repeated"),
        (_stage_edit(3, name=""), "stages[3].name", "non-empty string"),
        (_stage_edit(1, actions=[]), "stages[1].actions", "non-empty list of"),
        (_stage_edit(1, actions="call"), "stages[1].actions", "list of distinct non-empty strings"),
        (_stage_edit(1, actions=["a", "a"]), "stages[1].actions", "list of distinct"),
        (_stage_edit(1, hold_credit="yes"), "stages[1].hold_credit", "true or false"),
        (_stage_edit(1, colour="red"), "stages[1].colour", "is not a parameter"),
        ({"stages": [{"name": "x", "actions": ["a"]}]}, "stages[0].start", "got no value"),
        (_with("grade_shift", {"B": 2.5}), "grade_shift.B", "integer"),
        (_with("grade_shift", [("B", 2)]), "grade_shift", "mapping"),
        (_with("debtor_types", {"project": {}}), "debtor_types.standard", "'standard' is required"),
        (_rule_edit("project", delay_days="15"), "debtor_types.project.delay_days", "integer"),
        (_rule_edit("project", actions_from={"meeting": ["x"]}), "debtor_types.project.actions_from.meeting",
         "is not a stage"),
        (_rule_edit("project", actions_from={"call": "x"}), "debtor_types.project.actions_from.call",
         "list of distinct non-empty strings"),
        (_rule_edit("government", drop_actions=["fax them"]), "debtor_types.government.drop_actions",
         "not in any stage"),
        (_rule_edit("government", drop_actions=["send a payment reminder"]),
         "debtor_types.government.drop_actions", "without any action"),
        (_rule_edit("government", escalate=True), "debtor_types.government.escalate", "is not a parameter"),
        (_with("reorder", {"good_payment_index": 120}), "reorder.good_payment_index", "in [1, 100]"),
        (_with("reorder", {"valuable_quantile": 1.5}), "reorder.valuable_quantile", "in [0, 1]"),
        (_with("reorder", {"valuable_amount": -1.0}), "reorder.valuable_amount", "in [0, inf]"),
        (_with("reorder", {"refuse_dpd": 0}), "reorder.refuse_dpd", ">= 1"),
        (_with("reorder", {"serious_dpd": "61"}), "reorder.serious_dpd", "integer"),
        (_with("reorder", {"good_grades": "AAA"}), "reorder.good_grades", "list of distinct non-empty strings"),
        (_with("reorder", {"refuse_grades": ["BBB"]}), "reorder.refuse_grades", "also in reorder.good_grades"),
        (_with("reorder", {"hurry": 1}), "reorder.hurry", "is not a parameter"),
        (_with("pd_floor", -0.1), "pd_floor", "in [0, 1]"),
        (_with("missing_pd", float("nan")), "missing_pd", "in [0, 1]"),
    ],
)
def test_bad_config_names_the_key(doc: Any, field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)) as err:
        Ladder.from_dict(doc)
    assert err.value.field == field
    assert isinstance(err.value, ValueError)


def test_bad_config_in_constructors() -> None:
    with pytest.raises(ValidationError, match="must be a Stage"):
        Ladder(stages=({"name": "x"},))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="list of distinct non-empty strings"):
        Stage("x", 1, "call them")
    with pytest.raises(ValidationError, match="must be a DebtorRule"):
        Ladder(debtor_types={"standard": {}})


def test_ladder_is_immutable() -> None:
    ladder = Ladder.default()
    with pytest.raises(AttributeError):
        ladder.pd_floor = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        ladder.grade_shift["B"] = 99  # type: ignore[index]


def test_stage_index_validates_lengths() -> None:
    with pytest.raises(ValidationError, match="same length"):
        Ladder.default().stage_index([1, 2], grade=["A"])


@given(
    st.lists(
        st.tuples(st.integers(-50, 400), st.sampled_from([g for g, _ in GRADE_SHIFTS]),
                  st.sampled_from(["standard", "project", "manufacturer", "distributor", "government",
                                   "large_institution"])),
        min_size=1, max_size=20,
    )
)
def test_stage_index_batch_equals_row_by_row(rows: list[tuple[int, str, str]]) -> None:
    ladder = Ladder.default()
    batch = ladder.stage_index([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    single_rows = [STAGES.index(ladder.stage_for(*r).name) for r in rows]
    assert batch.tolist() == single_rows


# --- the Worklist object ---------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> Worklist:
    p = book([{"id": f"C{i}", "dpd": 10 * i + 5, "amount": 100.0 * (i + 1)} for i in range(5)])
    return worklist(p, scores(p, grade="BBB", pd=0.02))


def test_worklist_api(small: Worklist) -> None:
    assert len(small) == 5
    assert repr(small) == "Worklist(5 customers, as_of=2025-06-30, overdue 1,500.00)"
    assert small.columns[0] == "customer_id"
    assert small["customer_id"].tolist() == ["C4", "C3", "C2", "C1", "C0"]
    assert small.head(2)["customer_id"].tolist() == ["C4", "C3"]
    assert len(small.head(0)) == 0
    records = small.to_records()
    assert records[0]["customer_id"] == "C4"
    assert set(records[0]) == set(small.columns)
    assert type(records[0]["days_past_due"]) is int
    assert type(records[0]["overdue_amount"]) is float
    assert type(records[0]["hold_credit"]) is bool
    assert small.for_customer("C2") == records[2]
    with pytest.raises(SchemaError, match="no column 'nope'"):
        small["nope"]
    with pytest.raises(ValueError, match="read-only"):
        small["priority"][0] = 0.0


def test_worklist_to_pandas_and_html(small: Worklist) -> None:
    df = small.to_pandas()
    assert df.index.name == "customer_id"
    assert df.index.tolist() == ["C4", "C3", "C2", "C1", "C0"]
    assert list(df.columns) == list(small.columns[1:])
    html = small._repr_html_(max_rows=2)
    assert html.count("<tr>") == 3  # header + 2 rows
    assert "riskkit.Worklist" in html
    assert "5 customers, 1,500.00 overdue, as of 2025-06-30" in html


def test_empty_worklist() -> None:
    p = book([{"id": "A", "dpd": -3}])
    wl = worklist(p, scores(p))
    assert len(wl) == 0
    assert wl.to_records() == []
    assert repr(wl) == "Worklist(0 customers, as_of=2025-06-30, overdue 0.00)"
    assert len(wl.to_pandas()) == 0
    assert "<tbody></tbody>" in wl._repr_html_()


# --- integration on the synthetic book -------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> tuple[riskkit.Portfolio, riskkit.ScoreResult, Worklist]:
    from riskkit.datasets import make_portfolio
    from riskkit.scoring import five_c

    portfolio, _ = make_portfolio(500, seed=0)
    result = five_c().score(portfolio.features())
    return portfolio, result, worklist(portfolio, result)


def test_synthetic_book(synthetic: tuple[riskkit.Portfolio, riskkit.ScoreResult, Worklist]) -> None:
    portfolio, result, wl = synthetic
    f = portfolio.features()
    overdue = f["overdue_amount"] > 0
    assert len(wl) == int(overdue.sum()) > 50
    codes = portfolio.codes(wl["customer_id"].tolist())
    assert np.allclose(wl["overdue_amount"], f["overdue_amount"][codes])
    assert (wl["days_past_due"] == f["max_days_past_due"][codes]).all()
    assert (wl["pd"] == result.pd[codes]).all()
    assert (wl["grade"] == result.grade[codes]).all()
    pr = wl["priority"]
    assert np.isfinite(pr).all() and (pr > 0).all()
    assert (pr[:-1] >= pr[1:]).all()
    ladder = Ladder.default()
    assert np.allclose(pr, ladder.priority(wl["overdue_amount"], wl["pd"], wl["days_past_due"]))
    assert set(wl["reorder_rule"].tolist()) == {REORDER_INSTALMENTS, REORDER_SETTLE, REORDER_REFUSE}
    assert set(wl["debtor_type"].tolist()) <= {"standard", "project", "manufacturer", "distributor",
                                               "government", "large_institution"}
    blocked = portfolio.customers["blocked"][codes]
    assert (wl["reorder_rule"][blocked] == REORDER_REFUSE).all()
    for hints in wl["cause_hints"].tolist():
        assert all(h in CAUSES for h in hints.split("; ") if h)
    # each row equals the ladder applied to that customer alone
    for row in wl.to_records():
        stage = ladder.stage_for(row["days_past_due"], row["grade"], row["debtor_type"])
        assert row["stage"] == stage.name
        assert row["actions"] == "; ".join(stage.actions)
        assert row["next_action"] == stage.actions[0]
        assert row["hold_credit"] is stage.hold_credit
    # point in time: an earlier date gives its own list, never later facts
    earlier = worklist(portfolio, result, as_of="2025-09-30")
    assert earlier.as_of is not None and str(earlier.as_of) == "2025-09-30"
    f_then = portfolio.features("2025-09-30")
    assert len(earlier) == int((f_then["overdue_amount"] > 0).sum())
    # deterministic
    again = worklist(portfolio, result)
    assert again.to_records() == wl.to_records()


def _reorder_by_hand(rule: ReorderRule, grade: str, dpd: int, pi: float, blocked: bool, valuable: bool,
                     big: bool) -> tuple[str, str]:
    """ReorderRule's branches for one case, as its documentation tells them."""
    poor = math.isnan(pi) or pi < rule.poor_payment_index
    good = grade in rule.good_grades and not math.isnan(pi) and pi >= rule.good_payment_index
    serious_days = dpd >= rule.serious_dpd
    serious = serious_days or grade in rule.serious_grades
    if grade in rule.refuse_grades:
        return REORDER_REFUSE, f"high risk: grade {grade}"
    if blocked:
        return REORDER_REFUSE, "high risk: credit blocked"
    if dpd >= rule.refuse_dpd and poor:
        return REORDER_REFUSE, f"high risk: {rule.refuse_dpd}+ days past due with a poor payment history"
    if good and not serious:
        return REORDER_INSTALMENTS, "good payment history and grade"
    if serious_days and not valuable:
        return REORDER_REFUSE, f"{rule.serious_dpd}+ days past due and not valuable enough for new credit"
    if not serious:
        return REORDER_SETTLE, "mixed payment history"
    why = f"{rule.serious_dpd}+ days past due" if serious_days else f"grade {grade}"
    head = f"valuable ({'large exposure' if big else 'long relationship'}) but " if valuable else ""
    return REORDER_SETTLE, f"{head}serious ({why})"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["AAA", "A", "BBB", "BB", "B", "CCC", "D", ""]), st.integers(1, 200),
                          st.one_of(st.just(math.nan), st.floats(0, 100)), st.booleans(), st.booleans(), st.booleans()),
                min_size=1, max_size=60))
def test_reorder_answers_of_a_batch_are_each_cases_own(cases: list[tuple[Any, ...]]) -> None:
    """The worklist writes each distinct reorder reason once and shares it: every case of a mixed batch gets
    the answer and reason of its own branch, grade and flags, as told one case at a time."""
    from riskkit.dunning._worklist import _reorder

    rule = ReorderRule()
    grade, dpd, pi, blocked, valuable, big = (np.array(c) for c in zip(*cases, strict=True))
    grade = grade.astype(object)
    answer, reason = _reorder(rule, grade, dpd, pi.astype(np.float64), blocked, valuable, big)
    assert list(zip(answer.tolist(), reason.tolist(), strict=True)) == [
        _reorder_by_hand(rule, *c) for c in cases]
    # one string per combination of what decides a reason, not one per case
    combinations = {(g, b, v, bg, d >= rule.serious_dpd, d >= rule.refuse_dpd, math.isnan(x) or x < rule.poor_payment_index,
                     x >= rule.good_payment_index) for g, d, x, b, v, bg in cases}
    assert len({id(r) for r in reason.tolist()}) <= len(combinations)


def test_reasons_are_written_when_read_for_the_rows_read() -> None:
    """A worklist writes its reason text when the column is first read, for the rows of the worklist that
    reads it: its head writes a few, the whole worklist all, threads reading at once get one same text,
    and the text is what the rows' facts say."""
    import threading

    from riskkit.dunning._worklist import _LazyReasons
    from riskkit.scoring import five_c

    book, _ = riskkit.datasets.make_portfolio(400, seed=8)
    scores = five_c().score(book.features())
    work = worklist(book, scores)
    assert len(work) > 10 and isinstance(work._columns["reason"], _LazyReasons)
    top = work.head(5)
    assert len(top["reason"]) == 5 and isinstance(work._columns["reason"], _LazyReasons)
    work._repr_html_()  # the notebook table does not show the reasons: none written for it
    assert isinstance(work._columns["reason"], _LazyReasons)
    got: list[np.ndarray] = []
    barrier = threading.Barrier(4)

    def read() -> None:
        barrier.wait()
        got.append(work["reason"])

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g.tolist() == got[0].tolist() for g in got) and not got[0].flags.writeable
    assert top["reason"].tolist() == got[0][:5].tolist()
    for i in (0, len(work) - 1):
        row = work.to_records()[i]
        assert row["reason"].startswith(f"{row['days_past_due']} days past due on the oldest of "
                                        f"{row['overdue_invoices']} overdue invoice")
        assert f"stage {row['stage']}" in row["reason"]
    one = work.for_customer(work["customer_id"][3])
    assert one["reason"] == got[0][3]
