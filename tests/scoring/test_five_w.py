"""The 5W expert card: hand-computed scores, its overrides, its registry entry and its inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import riskkit
from riskkit.datasets import make_portfolio
from riskkit.scoring import five_w, five_w_spec
from riskkit.scoring._five_w import REQUEST_COLUMNS
from riskkit.testing import check_scorer

NAN = float("nan")
COLUMNS = ("years_in_business", "legal_events_12m", "order_to_usual", "collateral_coverage", "terms_days",
           "ocf_to_liabilities", "current_ratio")


def _applicants(*rows: tuple[float, ...]) -> dict[str, list[float]]:
    return {name: [row[j] for row in rows] for j, name in enumerate(COLUMNS)}


def _pd(score: float) -> float:
    # 60 points at 50:1 (good:bad), 10 points to double the odds
    odds = 50.0 * 2.0 ** ((score - 60.0) / 10.0)
    return 1.0 / (1.0 + odds)


def test_two_applicants_by_hand() -> None:
    # A: an established firm, an ordinary order, well secured, net 30, healthy cash flow
    #    who 12 (10+ years) + 8 (no legal event); why 20 (1.2 < 1.5); what 14 (0.6 in [0.5, 1));
    #    when 15 (30 < 31); how 10 (0.15 in [0.1, 0.2)) + 10 (1.8 in [1.5, 2))  = 89 -> AA (80 <= 89 <= 90)
    # B: a young firm with a lawsuit, an order of 4 months, no security known, net 90, no statements
    #    who 0 (1.5 < 2) + 3 (one legal event); why 5 (4 in [3, 6)); what 0 (missing);
    #    when 5 (90 in [61, 91)); how 4 (missing) + 4 (missing)                 = 21 -> CC (20 <= 21 < 30)
    result = five_w().score(_applicants((12, 0, 1.2, 0.6, 30, 0.15, 1.8), (1.5, 1, 4, NAN, 90, NAN, NAN)), reasons=2)
    assert result.score.tolist() == [89.0, 21.0]
    assert result.grade.tolist() == ["AA", "CC"]
    assert result.pd.tolist() == pytest.approx([_pd(89.0), _pd(21.0)], rel=1e-12)
    # B's 4-month unsecured order caps it at BB, but CC is worse already: no override applies
    assert result.override is None
    assert result.reasons is not None


def test_a_large_order_with_little_security_is_capped_at_bb() -> None:
    # 12 + 8 + 5 (order 4x) + 8 (coverage 0.2 in [0.1, 0.5)) + 15 + 13 (0.25 >= 0.2) + 12 (2.2 >= 2) = 73 -> A,
    # capped at BB: less than half of a 4-month order secured; the score stays 73
    capped = five_w().score(_applicants((15, 0, 4, 0.2, 30, 0.25, 2.2), (15, 0, 4, 0.5, 30, 0.25, 2.2)))
    assert capped.score.tolist() == [73.0, 79.0]  # the second: coverage 0.5 earns 14, no cap
    assert capped.grade.tolist() == ["BB", "A"]
    assert "less than half of it secured" in capped.override[0] and capped.override[1] == ""


def test_no_cash_flow_with_a_current_ratio_below_one_earns_nothing() -> None:
    # who 3 (age unknown) + 3; why 20 (1.0); what 0; when 10 (60 in [31, 61)); how 0 instead of 4
    # (ocf missing, current ratio 0.9 < 1) + 0 (0.9 < 1) = 36; with a current ratio of 1.2: 4 + 6 -> 46
    r = five_w().score(_applicants((NAN, 1, 1.0, NAN, 60, NAN, 0.9), (NAN, 1, 1.0, NAN, 60, NAN, 1.2)))
    assert r.score.tolist() == [36.0, 46.0]
    assert r.grade.tolist() == ["CCC", "B"]


def test_two_legal_events_cap_at_ccc_and_default_is_d() -> None:
    x = _applicants((12, 2, 1.2, 1.0, 30, 0.3, 2.5), (12, 0, 1.2, 1.0, 30, 0.3, 2.5))
    x["in_default"] = [0.0, 1.0]
    r = five_w().score(x)
    # 12 + 0 + 20 + 20 + 15 + 13 + 12 = 92 and 12 + 8 + 20 + 20 + 15 + 13 + 12 = 100
    assert r.score.tolist() == [92.0, 100.0]
    assert r.grade.tolist() == ["CCC", "D"]
    assert r.pd[1] == 1.0


def test_points_span_zero_to_one_hundred() -> None:
    spec = five_w_spec()
    best = sum(max(b["points"] for b in f["bins"]) for f in spec["features"])
    worst = sum(min(min(b["points"] for b in f["bins"]), f["missing"]) for f in spec["features"])
    assert (worst, best) == (0, 100)
    assert five_w().score_range == (0.0, 100.0)
    assert {f["name"] for f in spec["features"]} == set(COLUMNS)


def test_registered_like_five_c() -> None:
    entry = riskkit.scoring.available()["five_w"]
    assert entry.kind == "factory" and entry.target is riskkit.scoring.five_w
    assert riskkit.scoring.source("five_w") == "riskkit (built-in)"
    card = riskkit.get_scorer("five_w")
    assert card.name == "riskkit 5W" and riskkit.get_scorer("five_w") is not card
    rng = np.random.default_rng(0)
    x = {name: rng.uniform(0, 12, 40) for name in COLUMNS}
    x["collateral_coverage"][::5] = NAN
    report = check_scorer(card, X=x)
    assert report["row_by_row"] == "passed" and report["missing_column"] == "passed"


def test_request_columns_are_required_next_to_the_features() -> None:
    book, _ = make_portfolio(120, seed=3)
    features = book.features()
    assert not set(REQUEST_COLUMNS) & set(features.names)
    with pytest.raises(riskkit.errors.RiskkitError, match=r"order_to_usual|terms_days"):
        five_w().score(features)
    x = features.to_dict()
    x.update(order_to_usual=np.ones(len(book)), terms_days=np.full(len(book), 30.0))
    r = five_w().score(x)
    assert len(r) == len(book) and np.isfinite(r.score).all()
    assert set(r.grade[np.asarray(features["in_default"]) > 0].tolist()) <= {"D"}
    assert math.isclose(float(r.score.max()), float(np.max(r.score)))
