"""The prepared order check and the lazy batch give today's decisions, field for field and text for text.

The oracle is tests/policy/_policy_reference.py, a frozen copy of the order-check
engine as it was before ``CreditPolicy.prepare`` and ``OrderChecks`` (issue 14).
Thousands of random orders on a synthetic book (blocked and in-default customers,
every grade), amounts on and around each step's limit and zero, several policies
(segment overrides, disabled steps, other ``on_fail``, the recommended or lower
limit), supplied dunning levels and trade references; and the inputs refused with
the same error as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import math
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import riskkit
from riskkit.errors import ValidationError
from riskkit.policy import OUTCOMES, STEPS, CreditDecision, CreditPolicy, OrderChecks, PreparedPolicy
from riskkit.portfolio import Portfolio
from riskkit.scoring import ScoreResult

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)


def _load_reference() -> ModuleType:
    path = Path(__file__).with_name("_policy_reference.py")
    spec = importlib.util.spec_from_file_location("_policy_reference_oracle", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs resolves the module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module


reference = _load_reference()


@functools.lru_cache(maxsize=1)
def synthetic() -> tuple[Portfolio, ScoreResult]:
    book, _ = riskkit.datasets.make_portfolio(1500, seed=3)
    return book, riskkit.scoring.five_c().score(book.features())


POLICIES = {
    "default": CreditPolicy(version="default"),
    "segments": CreditPolicy(
        version="segments",
        checks={"static_limit": {"limit": "lower"}, "payment_index": {"missing": "fail", "min_index": 70}},
        segments={
            "government": {"max_document_value": {"max_amount": 1_000_000}, "payment_index": {"enabled": False}},
            "project": {"oldest_open_item": {"max_days": 60}, "blocked": {"on_fail": "hold"}},
            "distributor": {"static_limit": {"limit": "recommended", "on_fail": "reject"},
                            "dunning_level": {"max_level": 1, "on_fail": "conditions"}},
        },
    ),
    "industry": CreditPolicy(
        version="industry",
        segment_by="industry",
        methods=["sales", "trade_reference"],
        combine="max",
        checks={"static_limit": {"limit": "recommended"}, "oldest_open_item": {"on_fail": "reject"}},
        segments={"construction": {"blocked": {"enabled": False}, "static_limit": {"limit": "current"}}},
    ),
}


def random_orders(book: Portfolio, n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Orders of random customers; amounts zero, small, large, and on or next to each order's own limits."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, book.n_customers, n)
    f = book.features()
    room = np.nan_to_num(f["credit_limit"][codes], nan=0.0) - f["exposure"][codes]
    kind = rng.integers(0, 7, n)
    amount = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3, kind == 4, kind == 5],
        [np.zeros(n), rng.uniform(1, 5_000, n).round(2), rng.uniform(5_000, 2e6, n).round(2),
         np.maximum(room, 0.0), np.maximum(room, 0.0) + 0.01, np.full(n, 100_000.0)],
        np.full(n, 100_000.01),
    )
    return book.customer_ids[codes].tolist(), amount


def assert_same(lazy: OrderChecks, expected: list[CreditDecision]) -> None:
    """Every column and every decision of ``lazy`` is the reference's."""
    assert len(lazy) == len(expected)
    assert lazy.customer_ids.tolist() == [d.customer_id for d in expected]
    assert lazy.amount.tolist() == [d.amount for d in expected]
    assert lazy.outcome.tolist() == [d.outcome for d in expected]
    assert lazy.approved.tolist() == [d.approved for d in expected]
    assert lazy.segment.tolist() == [d.segment for d in expected]
    assert lazy.reason.tolist() == [d.reason for d in expected]  # written for the deciding steps only
    for name in STEPS:
        assert lazy.failed(name).tolist() == [any(s.name == name and not s.passed for s in d.steps) for d in expected]
    assert lazy.counts() == {o: sum(d.outcome == o for d in expected) for o in OUTCOMES}
    assert list(lazy) == expected  # built a chunk at a time
    assert lazy.decisions() == expected
    assert [d.to_json() for d in lazy.decisions()] == [d.to_json() for d in expected]
    picked = np.flatnonzero(lazy.outcome != "approve")
    assert lazy.decisions(picked) == [expected[i] for i in picked.tolist()]
    assert lazy.decisions(lazy.outcome == "hold") == [d for d in expected if d.outcome == "hold"]
    for i in range(0, len(expected), max(1, len(expected) // 50)):
        assert lazy[i] == expected[i]
    if expected:
        assert lazy[-1] == expected[-1] and lazy[:3] == expected[:3]


@pytest.mark.parametrize("name", list(POLICIES))
@pytest.mark.parametrize("with_scores", [True, False])
def test_prepared_and_lazy_equal_the_reference_on_random_orders(name: str, with_scores: bool) -> None:
    book, scores = synthetic()
    policy = POLICIES[name]
    given = scores if with_scores else None
    ids, amounts = random_orders(book, 2000, seed=len(name) + with_scores)
    refs = {cid: 50_000.0 for cid in book.customer_ids[::7].tolist()}
    levels = {cid: i % 6 for i, cid in enumerate(book.customer_ids[::11].tolist())}
    kwargs: dict[str, Any] = {"dunning_levels": levels, "trade_references": refs}
    if not with_scores:  # the limit on file, but for the segments that ask for the recommended one
        settings = policy.to_dict()
        settings["checks"]["static_limit"]["limit"] = "current"
        policy = CreditPolicy.from_dict(settings)
        needs = policy.checks["static_limit"]["limit"] != "current" or any(
            block.get("static_limit", {}).get("limit", "current") != "current" for block in policy.segments.values()
        )
        if needs:  # only the orders whose segment checks the plain limit on file can be checked
            segments = np.asarray(book.customers[policy.segment_by], dtype=object)[book.codes(ids)]
            own = [policy.segments.get(s, {}).get("static_limit", {}).get("limit",
                   policy.checks["static_limit"]["limit"]) for s in segments.tolist()]
            keep = [i for i, source in enumerate(own) if source == "current"]
            with pytest.raises(ValidationError, match="pass scores="):
                policy.prepare(book, given, **kwargs).check_orders(ids, amounts, now=NOW)
            ids, amounts = [ids[i] for i in keep], amounts[keep]
    expected = reference.check_orders(policy, book, ids, amounts, None, given, now=NOW, **kwargs)
    assert len({d.outcome for d in expected}) >= 3
    assert policy.check_orders(book, ids, amounts, scores=given, now=NOW, **kwargs) == expected  # the list path
    prepared = policy.prepare(book, given, **kwargs)
    assert_same(prepared.check_orders(ids, amounts, now=NOW), expected)
    singles = [prepared.check_order(c, float(a), now=NOW) for c, a in zip(ids, amounts.tolist(), strict=True)]
    assert singles == expected


def test_edge_customers_blocked_in_default_and_every_outcome() -> None:
    book, scores = synthetic()
    blocked = book.customer_ids[np.asarray(book.customers["blocked"], dtype=bool)].tolist()
    in_default = book.customer_ids[book.in_default()].tolist()
    assert blocked and in_default
    ids = blocked + in_default
    amounts = np.array([0.0, 1.0, 250_000.0] * len(ids))[: len(ids)]
    prepared = CreditPolicy().prepare(book, scores)
    expected = reference.check_orders(CreditPolicy(), book, ids, amounts, None, scores, now=NOW)
    assert_same(prepared.check_orders(ids, amounts, now=NOW), expected)
    assert all(d.outcome == "reject" for d in expected[: len(blocked)])
    assert {d.grade for d in expected[len(blocked):]} == {"D"}  # in default: graded D


def test_hand_book_without_limit_payments_or_grade() -> None:
    book = Portfolio.from_records(
        customers=[{"id": "X"}, {"id": "Y", "blocked": True}, {"id": "Z", "debtor_type": "government"}],
        exposures=[{"customer_id": "Z", "credit_limit": 500.0, "open_orders": 500.0}],
        as_of="2025-06-30",
    )
    scores = ScoreResult(score=[math.nan, 50.0, 50.0], pd=[math.nan, 0.1, 0.1], grade=["", "CCC", "AAA"],
                         customer_ids=["X", "Y", "Z"])
    ids, amounts = ["X", "X", "Y", "Z", "Z"], np.array([0.0, 1.0, 0.0, 0.0, 0.01])
    for policy in (CreditPolicy(), POLICIES["segments"]):
        for given in (scores, None):
            if given is None and policy is POLICIES["segments"]:
                continue
            expected = reference.check_orders(policy, book, ids, amounts, None, given, now=NOW)
            assert_same(policy.prepare(book, given).check_orders(ids, amounts, now=NOW), expected)
            assert [policy.prepare(book, given).check_order(c, a, now=NOW) for c, a in zip(ids, amounts.tolist(),
                    strict=True)] == expected


def test_as_of_in_the_past() -> None:
    book, _ = synthetic()
    ids, amounts = random_orders(book, 300, seed=9)
    expected = reference.check_orders(CreditPolicy(), book, ids, amounts, "2025-09-30", None, now=NOW)
    prepared = CreditPolicy().prepare(book, as_of="2025-09-30")
    assert prepared.as_of == dt.date(2025, 9, 30)
    assert_same(prepared.check_orders(ids, amounts, now=NOW), expected)


def _error(call: Any) -> str:
    with pytest.raises(ValidationError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize(
    ("ids", "amounts", "now"),
    [
        (["NOPE"], [1.0], NOW),  # unknown customer
        (["C00001", "C00002"], [1.0, -5.0], NOW),  # negative
        (["C00001"], [math.nan], NOW),
        (["C00001"], [math.inf], NOW),
        (["C00001"], ["100"], NOW),
        ("C00001", [1.0], NOW),  # a single string
        (["C00001"], [1.0, 2.0], NOW),
        (["C00001"], [1.0], dt.datetime(2026, 1, 5, 9, 0)),  # naive
        (["C00001"], [1.0], "yesterday"),
    ],
)
def test_bad_orders_are_refused_as_before(ids: Any, amounts: Any, now: Any) -> None:
    book, scores = synthetic()
    policy = CreditPolicy()
    message = _error(lambda: reference.check_orders(policy, book, ids, amounts, None, scores, now=now))
    prepared = policy.prepare(book, scores)
    assert _error(lambda: prepared.check_orders(ids, amounts, now=now)) == message
    assert _error(lambda: policy.check_orders(book, ids, amounts, scores=scores, now=now)) == message
    if not isinstance(ids, str) and len(ids) == len(amounts) == 1:
        assert _error(lambda: prepared.check_order(ids[0], amounts[0], now=now)) == message


def test_zero_amount_and_empty_batch() -> None:
    book, scores = synthetic()
    prepared = CreditPolicy().prepare(book, scores)
    assert prepared.check_order("C00001", 0.0, now=NOW) == reference.check_orders(
        CreditPolicy(), book, ["C00001"], [0.0], None, scores, now=NOW)[0]
    empty = prepared.check_orders([], [], now=NOW)
    assert len(empty) == 0 and list(empty) == [] and empty.reason.tolist() == [] and repr(empty) == "OrderChecks(0 orders)"
    assert CreditPolicy().check_orders(book, [], [], now=NOW) == []


def test_prepared_policy_is_immutable_and_shared_by_threads() -> None:
    book, scores = synthetic()
    prepared = CreditPolicy().prepare(book, scores)
    with pytest.raises(AttributeError):
        prepared._rows = None  # type: ignore[misc]
    assert not prepared._rows.exposure.flags.writeable
    assert not prepared._rows.params["static_limit"]["limit"].flags.writeable
    ids, amounts = random_orders(book, 400, seed=5)
    expected = reference.check_orders(CreditPolicy(), book, ids, amounts, None, scores, now=NOW)
    results: dict[int, list[CreditDecision]] = {}

    def work(k: int) -> None:
        order = list(range(len(ids)))[k::-1] + list(range(k + 1, len(ids)))
        got = {i: prepared.check_order(ids[i], float(amounts[i]), now=NOW) for i in order}
        batch = prepared.check_orders(ids, amounts, now=NOW)
        results[k] = [got[i] for i in range(len(ids))] + list(batch)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected + expected for k in range(4))
    batch = prepared.check_orders(ids, amounts, now=NOW)
    with pytest.raises(ValueError):
        batch.outcome[0] = "approve"  # read-only columns
    with pytest.raises(ValidationError, match="unknown step"):
        batch.failed("credit_score")
    with pytest.raises(IndexError):
        batch[len(ids)]


def test_prepared_without_scores_refuses_only_the_segments_that_need_them() -> None:
    book, _ = synthetic()
    policy = CreditPolicy(segments={"government": {"static_limit": {"limit": "recommended"}}})
    prepared = policy.prepare(book)  # the book has government customers: refused per order, as before
    segment = np.asarray(book.customers["debtor_type"], dtype=object)
    gov, other = book.customer_ids[segment == "government"][0], book.customer_ids[segment != "government"][0]
    message = _error(lambda: reference.check_orders(policy, book, [gov], [1.0], None, None, now=NOW))
    assert _error(lambda: prepared.check_order(gov, 1.0, now=NOW)) == message
    assert prepared.check_order(other, 1.0, now=NOW) == reference.check_orders(
        policy, book, [other], [1.0], None, None, now=NOW)[0]


def test_repr_and_properties() -> None:
    book, scores = synthetic()
    policy = CreditPolicy(version="v9")
    prepared = policy.prepare(book, scores)
    assert isinstance(prepared, PreparedPolicy)
    assert prepared.policy is policy and prepared.portfolio is book and prepared.as_of == book.as_of
    assert repr(prepared) == "PreparedPolicy(version='v9', 1500 customers, as_of=2025-12-31, scores=True)"
    batch = prepared.check_orders(["C00001", "C00002"], [1.0, 1e7], now=NOW)
    assert batch.policy_version == "v9" and batch.as_of == book.as_of and batch.decided_at == NOW
    assert repr(batch).startswith("OrderChecks(2 orders: ")
    fresh = prepared.check_order("C00001", 1.0)
    assert fresh.decided_at.tzinfo == dt.timezone.utc
