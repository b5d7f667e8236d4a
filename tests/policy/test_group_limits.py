"""Recommended limits capped by the group's headroom (riskkit.policy._limits, "Limit review" step 6).

Hand-computed: group P has a group limit of 50,500; P's exposure is 30,000
(open orders), S's 15,000, so the group exposure is 45,000 and the headroom
5,500. The trade-reference method alone gives the figures (no floor, no cap
on the cut, limits rounded to 1,000).

- P: the method gives 60,000; cap 30,000 + 5,500 = 35,500, rounded down to
  35,000: "fall 40,000 -> 35,000", bound by the group.
- S: the method gives 4,000, under its cap 15,000 + 5,500 = 20,500: unchanged.
- C (no group): 70,000, unchanged.
"""

from __future__ import annotations

import numpy as np

import riskkit
from riskkit.policy import BOUND_BY, CreditPolicy
from riskkit.scoring import ScoreResult

AS_OF = "2025-06-30"
POLICY = CreditPolicy(methods=["trade_reference"], floor_grade="", max_cut=1)
REFS = {"P": 60000.0, "S": 4000.0, "C": 70000.0}


def book(group_limit: float | None = 50500.0, s_orders: float = 15000.0) -> riskkit.Portfolio:
    parent = {"id": "P"} if group_limit is None else {"id": "P", "group_limit": group_limit}
    return riskkit.Portfolio.from_records(
        customers=[parent, {"id": "S", "parent_id": "P"}, {"id": "C"}],
        exposures=[{"customer_id": "P", "credit_limit": 40000.0, "open_orders": 30000.0},
                   {"customer_id": "S", "credit_limit": 40000.0, "open_orders": s_orders},
                   {"customer_id": "C", "credit_limit": 40000.0, "open_orders": 15000.0}],
        as_of=AS_OF)


SCORES = ScoreResult(score=[70.0] * 3, pd=[0.01] * 3, grade=["A"] * 3, customer_ids=["P", "S", "C"])


def test_member_capped_by_group_headroom() -> None:
    rec = POLICY.recommend(book(), SCORES, trade_references=REFS)
    assert rec.limit.tolist() == [35000.0, 4000.0, 70000.0]
    assert rec.direction.tolist() == ["fall", "fall", "rise"]
    assert rec.bound_by.tolist() == ["group", "method", "method"]
    assert "group" in BOUND_BY
    assert rec.change.tolist() == [-5000.0, -36000.0, 30000.0]
    assert rec.method_limit.tolist() == [60000.0, 4000.0, 70000.0]  # the methods' figure is kept
    assert rec.reason[0] == (
        "fall 40,000 -> 35,000: capped by group 'P' headroom: exposure 30,000 + headroom 5,500 (group limit "
        "50,500 - group exposure 45,000) = 35,500 -> rounded down to 35,000 (a multiple of 1,000); uncapped: "
        "rise 40,000 -> 60,000: trade reference: 60,000 (only method that applies); new customer (no invoices yet)"
    )
    assert "group" not in rec.reason[1] and "group" not in rec.reason[2]


def test_group_over_its_limit_gives_no_new_credit() -> None:
    # S's exposure 25,000: group exposure 55,000 > 50,500, headroom -4,500; S's cap 25,000 - 4,500 = 20,500
    # rounds down to 20,000, P's 30,000 - 4,500 = 25,500 to 25,000
    rec = POLICY.recommend(book(s_orders=25000.0), SCORES, trade_references={**REFS, "S": 30000.0})
    assert rec.limit.tolist() == [25000.0, 20000.0, 70000.0]
    assert rec.bound_by.tolist() == ["group", "group", "method"]
    tiny = POLICY.recommend(book(group_limit=20000.0), SCORES, trade_references=REFS)
    # headroom 20,000 - 45,000 = -25,000: P 30,000 - 25,000 = 5,000; S 15,000 - 25,000 < 0 -> 0
    assert tiny.limit.tolist() == [5000.0, 0.0, 70000.0]
    assert tiny.reason[1].startswith(
        "fall 40,000 -> 0: capped by group 'P' headroom: exposure 15,000 + headroom -25,000 (group limit 20,000 - "
        "group exposure 45,000) = -10,000 -> 0 (the group is over its limit); uncapped: fall 40,000 -> 4,000")


def test_without_group_limit_unchanged() -> None:
    plain = POLICY.recommend(book(group_limit=None), SCORES, trade_references=REFS)
    assert plain.limit.tolist() == [60000.0, 4000.0, 70000.0]
    assert plain.bound_by.tolist() == ["method"] * 3
    assert not any("group" in r for r in plain.reason)
    # the default policy on the synthetic book (no group limits): the same arrays twice, nothing capped
    p, _ = riskkit.datasets.make_portfolio(200, seed=0)
    scores = riskkit.scoring.five_c().score(p.features())
    rec = CreditPolicy.default().recommend(p, scores)
    assert "group" not in rec.bound_by.tolist()


def test_group_limit_with_room_leaves_limits() -> None:
    rec = POLICY.recommend(book(group_limit=500000.0), SCORES, trade_references=REFS)
    assert rec.limit.tolist() == [60000.0, 4000.0, 70000.0]
    assert rec.bound_by.tolist() == ["method"] * 3
    assert np.array_equal(rec.direction, np.array(["rise", "fall", "rise"], dtype=object))
