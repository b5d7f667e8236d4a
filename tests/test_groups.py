"""Corporate groups (riskkit.groups): parents, group exposure and limit, the group_limit order step,
the group_distress signal, ``riskkit groups`` and the report section, by hand.

The hand book, observed on 2025-06-30 (exposure = open invoices + open orders):

* P: the top parent, group limit 100,000; own limit 50,000; open orders 30,000 -> exposure 30,000.
* S1: parent P; limit 50,000; an invoice of 12,000 due 2025-07-01 (not yet due) and open orders
  8,000 -> exposure 20,000.
* S2: parent P; limit 50,000; open orders 25,000 -> exposure 25,000.
* X: standalone; limit 10,000; open orders 1,000 -> exposure 1,000.

Group of P: 30,000 + 20,000 + 25,000 = 75,000 exposure; headroom 100,000 - 75,000 = 25,000.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import cli, groups
from riskkit.errors import ValidationError
from riskkit.policy import CreditPolicy

AS_OF = "2025-06-30"
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone.utc)


def customers(**extra: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"id": "P", "name": "Holding", "group_limit": 100000.0}, {"id": "S1", "parent_id": "P"},
            {"id": "S2", "parent_id": "P"}, {"id": "X"}]
    for row in rows:
        row.update(extra.get(row["id"], {}))
    return rows


EXPOSURES = [
    {"customer_id": "P", "credit_limit": 50000.0, "open_orders": 30000.0},
    {"customer_id": "S1", "credit_limit": 50000.0, "open_orders": 8000.0},
    {"customer_id": "S2", "credit_limit": 50000.0, "open_orders": 25000.0},
    {"customer_id": "X", "credit_limit": 10000.0, "open_orders": 1000.0},
]
S1_INVOICE = {"id": "I1", "customer_id": "S1", "issued": "2025-06-01", "due": "2025-07-01", "amount": 12000.0}
#: 242 days past due on 2025-06-30: P is in default.
P_DEFAULTED = {"id": "I9", "customer_id": "P", "issued": "2024-10-01", "due": "2024-10-31", "amount": 5000.0}


def book(invoices: list[dict[str, Any]] | None = None, **extra: Any) -> riskkit.Portfolio:
    return riskkit.Portfolio.from_records(customers=customers(**extra), exposures=EXPOSURES,
                                          invoices=[S1_INVOICE, *(invoices or [])], as_of=AS_OF)


# ------------------------------------------------------------------ groups and their exposure


def test_group_codes_and_exposure_by_hand() -> None:
    b = book()
    assert groups.parent_of(b).tolist() == [-1, 0, 0, -1]
    assert b.customer_ids[groups.group_of(b)].tolist() == ["P", "P", "P", "X"]
    assert groups.in_group(b).tolist() == [True, True, True, False]
    # 30,000 + (12,000 + 8,000) + 25,000 = 75,000; X alone: 1,000
    assert groups.group_exposure(b).tolist() == [75000.0, 75000.0, 75000.0, 1000.0]
    assert groups.group_limit(b)[:3].tolist() == [100000.0] * 3 and np.isnan(groups.group_limit(b)[3])
    head = groups.group_headroom(b)
    assert head[:3].tolist() == [25000.0] * 3 and np.isnan(head[3])  # 100,000 - 75,000
    assert groups.group_of(b) is groups.group_of(b)  # computed once, kept with the book


def test_group_exposure_is_point_in_time() -> None:
    # on 2025-05-31 S1's invoice (issued 2025-06-01) does not exist yet: 30,000 + 8,000 + 25,000
    assert groups.group_exposure(book(), "2025-05-31")[0] == 63000.0


def test_group_table_by_hand() -> None:
    t = groups.group_table(book())
    assert t["parent_id"].tolist() == ["P"] and t["parent_name"].tolist() == ["Holding"]
    assert t["members"].tolist() == [3] and t["group_exposure"].tolist() == [75000.0]
    assert t["group_limit"].tolist() == [100000.0] and t["headroom"].tolist() == [25000.0]
    assert t["distressed"].tolist() == [0] and t["distressed_ids"].tolist() == [""]
    t = groups.group_table(book([P_DEFAULTED]))
    # P's defaulted invoice adds 5,000: 80,000 exposure, 20,000 headroom; P is the one distressed member
    assert t["group_exposure"].tolist() == [80000.0] and t["headroom"].tolist() == [20000.0]
    assert t["distressed"].tolist() == [1] and t["distressed_ids"].tolist() == ["P"]


def test_deeper_chain_goes_to_the_top_parent() -> None:
    b = riskkit.Portfolio.from_records(
        customers=[{"id": "D", "parent_id": "C"}, {"id": "C", "parent_id": "B"}, {"id": "B", "parent_id": "A"},
                   {"id": "A"}, {"id": "E", "parent_id": "B"}], as_of=AS_OF)
    assert b.customer_ids[groups.group_of(b)].tolist() == ["A"] * 5


# ------------------------------------------------------------------ bad parents


def test_unknown_parent_is_an_error_naming_the_customer() -> None:
    with pytest.raises(ValidationError, match=r"customers row 1 \(id 'S1'\): field 'parent_id' \('Q'\) is not a "
                                              r"known customer id") as info:
        riskkit.Portfolio.from_records(customers=customers(S1={"parent_id": "Q"}), as_of=AS_OF)
    assert info.value.field == "parent_id"


def test_cycle_is_an_error_naming_the_customers() -> None:
    rows = [{"id": "A", "parent_id": "B"}, {"id": "B", "parent_id": "A"}, {"id": "C"}]
    with pytest.raises(ValidationError, match=r"id 'A'\): field 'parent_id' \('B'\) makes a cycle of parents "
                                              r"\('A' -> 'B' -> 'A'\)"):
        riskkit.Portfolio.from_records(customers=rows, as_of=AS_OF)
    with pytest.raises(ValidationError, match=r"\('A' -> 'A'\)"):
        riskkit.Portfolio.from_records(customers=[{"id": "A", "parent_id": "A"}, {"id": "C"}], as_of=AS_OF)


def test_collect_rejects_cycles_unknown_parents_and_what_hangs_below() -> None:
    rows = [{"id": "A", "parent_id": "B"}, {"id": "B", "parent_id": "A"}, {"id": "D", "parent_id": "A"},
            {"id": "E", "parent_id": "Z"}, {"id": "F", "parent_id": "E"}, {"id": "G"}, {"id": "H", "parent_id": "G"}]
    inv = [{"id": f"I{k}", "customer_id": c, "issued": "2025-06-01", "due": "2025-07-01", "amount": 10.0}
           for k, c in enumerate("DG")]
    b = riskkit.Portfolio.from_records(customers=rows, invoices=inv, as_of=AS_OF, errors="collect")
    assert b.customer_ids.tolist() == ["G", "H"]
    why = {(r.table, r.id): r.reason for r in b.rejected}
    assert why["customers", "E"].startswith("is not a known customer id")
    assert why["customers", "F"] == "refers to a customer that was rejected"  # E went first
    assert "cycle" in why["customers", "A"] and "cycle" in why["customers", "B"]
    assert "('D' -> 'A' -> 'B' -> 'A')" in why["customers", "D"]  # leads into the loop
    assert why["invoices", "I0"] == "refers to a customer that was rejected"


def test_group_limit_on_a_member_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"id 'S2'\): field 'group_limit' \(5000.0\) is set on a customer "
                                              "with a parent"):
        riskkit.Portfolio.from_records(customers=customers(S2={"group_limit": 5000.0}), as_of=AS_OF)


def naive_chains(parent: list[int]) -> tuple[list[int], list[bool]]:
    """Walk each row's chain one parent at a time."""
    tops, cyclic = [], []
    for i in range(len(parent)):
        seen, k = {i}, i
        while parent[k] >= 0 and parent[k] not in seen:
            k = parent[k]
            seen.add(k)
        loops = parent[k] >= 0  # stopped on a row already seen
        tops.append(k)
        cyclic.append(loops)
    return tops, cyclic


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-1, 11), min_size=1, max_size=12))
def test_chains_equal_a_walk_up_each_chain(raw: list[int]) -> None:
    parent = [p if p < len(raw) else -1 for p in raw]
    top, cyclic = groups.chains(np.array(parent, dtype=np.int64))
    want_top, want_cyclic = naive_chains(parent)
    assert cyclic.tolist() == want_cyclic
    assert [t for t, c in zip(top.tolist(), want_cyclic, strict=True) if not c] == [
        t for t, c in zip(want_top, want_cyclic, strict=True) if not c]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 30), st.floats(0, 1e6)), min_size=1, max_size=30))
def test_group_exposures_add_up_to_the_book(rows: list[tuple[int, float]]) -> None:
    # a forest: each customer's parent comes before it (or none), so no chain loops
    ids = [f"C{i:02d}" for i in range(len(rows))]
    cust = [{"id": ids[i], "parent_id": ids[p] if 0 <= p < i else ""} for i, (p, _) in enumerate(rows)]
    exp = [{"customer_id": ids[i], "credit_limit": 0.0, "open_orders": a} for i, (_, a) in enumerate(rows)]
    b = riskkit.Portfolio.from_records(customers=cust, exposures=exp, as_of=AS_OF)
    top = groups.group_of(b)
    assert (top[top] == top).all()  # a top parent is its own group
    parent = groups.parent_of(b)
    assert (top[parent[parent >= 0]] == top[parent >= 0]).all()  # a member is in its parent's group
    total = groups.group_exposure(b)
    firsts = np.unique(top, return_index=True)[1]
    assert np.isclose(total[firsts].sum(), sum(a for _, a in rows))


# ------------------------------------------------------------------ the order check


def test_order_within_own_limit_but_over_group_headroom_is_held() -> None:
    b = book()
    d = CreditPolicy().check_order(b, "S1", 28000.0, now=NOW)
    own = next(s for s in d.steps if s.name == "static_limit")
    grp = next(s for s in d.steps if s.name == "group_limit")
    assert own.passed  # 20,000 + 28,000 = 48,000 <= 50,000
    assert not grp.passed and (grp.value, grp.limit) == (103000.0, 100000.0)  # 75,000 + 28,000 > 100,000
    assert d.outcome == "hold"
    assert d.reason == ("hold: group_limit: group P: exposure 75,000 + order 28,000 = 103,000 > group limit "
                        "100,000")
    ok = CreditPolicy().check_order(b, "S2", 25000.0, now=NOW)  # 75,000 + 25,000 = 100,000: at the limit
    assert ok.outcome == "approve" and ok.reason == "approve: all 7 checks passed"


def test_group_step_runs_only_in_a_group_with_a_limit() -> None:
    b = book()
    d = CreditPolicy().check_order(b, "X", 500.0, now=NOW)
    assert "group_limit" not in [s.name for s in d.steps] and d.reason == "approve: all 6 checks passed"
    nolimit = book(P={"group_limit": None})
    d = CreditPolicy().check_order(nolimit, "S1", 28000.0, now=NOW)
    assert "group_limit" not in [s.name for s in d.steps] and d.outcome == "approve"


def test_group_step_can_be_switched_off_or_softened() -> None:
    b = book()
    off = CreditPolicy(checks={"group_limit": {"enabled": False}}).check_order(b, "S1", 28000.0, now=NOW)
    assert off.outcome == "approve"
    soft = CreditPolicy(checks={"group_limit": {"on_fail": "conditions"}}).check_order(b, "S1", 28000.0, now=NOW)
    assert soft.outcome == "approve_with_conditions"


def test_prepared_and_batch_equal_the_one_off_checks() -> None:
    b = book([P_DEFAULTED])
    ids, amounts = ["P", "S1", "S2", "X", "S1"], [10.0, 28000.0, 10000.0, 500.0, 5000.0]
    policy = CreditPolicy()
    one_off = policy.check_orders(b, ids, amounts, now=NOW)
    lazy = policy.prepare(b).check_orders(ids, amounts, now=NOW)
    assert list(lazy) == one_off
    assert lazy.reason.tolist() == [d.reason for d in one_off]
    # group exposure 80,000 (P's invoice adds 5,000): S1 80,000 + 28,000 > 100,000; S2 90,000 and S1 85,000 fit
    assert lazy.failed("group_limit").tolist() == [False, True, False, False, False]


def test_books_without_groups_keep_their_decisions() -> None:
    b, _ = riskkit.datasets.make_portfolio(200, seed=0)
    checks = CreditPolicy().prepare(b).check_orders(b.customer_ids[:50], [5000.0] * 50, now=NOW)
    assert all("group_limit" not in [s.name for s in d.steps] for d in checks)
    assert not checks.failed("group_limit").any()


# ------------------------------------------------------------------ the signal


def test_parent_in_default_flags_every_member() -> None:
    watch = riskkit.signals.evaluate(book([P_DEFAULTED]), signals=["group_distress"])
    rows = [(r["customer_id"], r["severity"], r["value"], r["evidence"]) for r in watch.to_records()]
    assert rows == [("S1", "critical", 2.0, "parent 'P' (Holding) in default"),
                    ("S2", "critical", 2.0, "parent 'P' (Holding) in default")]


def test_distress_zone_rolls_down_from_the_nearest_parent_only() -> None:
    # P -> S1 -> S2; S1's statement: total assets 100, current assets 10, current liabilities 30,
    # retained earnings -10, EBIT -5, equity 10, total liabilities 90, sales 50:
    # Z' = 0.717 x -20/100 + 0.847 x -10/100 + 3.107 x -5/100 + 0.420 x 10/90 + 0.998 x 50/100
    #    = -0.1434 - 0.0847 - 0.15535 + 0.04667 + 0.499 = 0.162 < 1.23: distress zone
    statement = {"customer_id": "S1", "period_end": "2024-12-31", "revenue": 50.0, "ebit": -5.0,
                 "net_income": -6.0, "total_assets": 100.0, "total_liabilities": 90.0, "current_assets": 10.0,
                 "current_liabilities": 30.0, "retained_earnings": -10.0, "equity": 10.0}
    b = riskkit.Portfolio.from_records(customers=customers(S2={"parent_id": "S1"}), exposures=EXPOSURES,
                                       statements=[statement], as_of=AS_OF)
    assert round(float(b.features()["altman_z_private"][1]), 3) == 0.162
    rows = [(r["customer_id"], r["severity"], r["evidence"])
            for r in riskkit.signals.evaluate(b, signals=["group_distress"]).to_records()]
    # S2 sits below S1; P (above S1) and X are not flagged
    assert rows == [("S2", "warning", "parent 'S1' in the distress zone (Altman Z' below 1.23)")]


def test_no_signal_on_a_book_without_groups() -> None:
    b, _ = riskkit.datasets.make_portfolio(300, seed=1)
    assert len(riskkit.signals.evaluate(b, signals=["group_distress"]).to_records()) == 0
    assert groups.group_table(b)["parent_id"].size == 0


# ------------------------------------------------------------------ command line and report


def _write(path: Path, rows: list[dict[str, Any]]) -> str:
    names = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, names)
        w.writeheader()
        w.writerows(rows)
    return str(path)


def test_cli_groups(tmp_path: Path) -> None:
    args = ["groups", "--customers", _write(tmp_path / "c.csv", customers()),
            "--exposures", _write(tmp_path / "e.csv", EXPOSURES),
            "--invoices", _write(tmp_path / "i.csv", [S1_INVOICE, P_DEFAULTED]), "--as-of", AS_OF,
            "--out", str(tmp_path / "groups.csv"), "-q"]
    assert cli.main(args) == 0
    with open(tmp_path / "groups.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows == [{"parent_id": "P", "parent_name": "Holding", "members": "3", "group_exposure": "80000",
                     "group_limit": "100000", "headroom": "20000", "distressed_members": "1",
                     "distressed_ids": "P"}]


def test_report_has_a_groups_section_only_for_books_with_groups() -> None:
    rep = riskkit.report(book([P_DEFAULTED]))
    assert rep.groups[0]["parent_id"] == "P" and rep.groups[0]["headroom"] == 20000.0
    assert rep.group_counts["groups"] == 1 and rep.group_counts["with_distress"] == 1
    assert '<section id="groups"><h2>Corporate groups</h2>' in rep.html
    assert "Corporate groups: 1 group of 3 customers" in rep.text()
    plain, _ = riskkit.datasets.make_portfolio(200, seed=0)
    rep = riskkit.report(plain)
    assert rep.groups == [] and 'id="groups"' not in rep.html and "Corporate groups" not in rep.text()
