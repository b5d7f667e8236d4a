"""Default as a fact and expert-card overrides: grades never look healthier than the customer's arrears."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import riskkit
from riskkit import ExpertScorecard, Portfolio, ValidationError
from riskkit.scoring import five_c

GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")


def rank(grade: str) -> int:
    return GRADES.index(grade)


CARD: dict[str, Any] = {
    "name": "overrides demo",
    "scaling": {"base_score": 60, "base_odds": 50, "pdo": 10},
    "master_scale": "expert_100",
    "features": [
        {"name": "payment_index", "bins": [{"below": 50, "points": 0}, {"points": 50}], "missing": 25},
        {"name": "equity_ratio", "bins": [{"below": 0.2, "points": 0}, {"points": 50}], "missing": 25},
    ],
    "overrides": [
        {"when": [{"feature": "payment_index", "missing": True}, {"feature": "days_past_due", "above": 30}],
         "missing_points": {"feature": "payment_index", "points": 0}, "reason": "no history, long overdue"},
        {"when": [{"feature": ["late_a", "late_b"], "above": 500}], "cap": "CCC", "reason": "over 500 late"},
        {"when": {"feature": "guaranteed", "equals": 1}, "floor": "BB", "reason": "parent guarantee"},
    ],
}


def score(rows: dict[str, list[float]]) -> riskkit.ScoreResult:
    return ExpertScorecard.from_dict(CARD).score({k: np.array(v, dtype=float) for k, v in rows.items()})


def test_a_cap_lowers_the_grade_never_the_score() -> None:
    r = score({"payment_index": [90, 90], "equity_ratio": [0.5, 0.5], "days_past_due": [0, 0],
               "late_a": [400, 0], "late_b": [200, 0], "guaranteed": [0, 0]})
    assert r.score.tolist() == [100.0, 100.0]
    assert r.grade.tolist() == ["CCC", "AAA"]  # 400 + 200 > 500: at best CCC
    assert r.override.tolist() == ["over 500 late", ""]


def test_missing_points_when_a_worse_fact_is_known() -> None:
    r = score({"payment_index": [np.nan, np.nan], "equity_ratio": [0.5, 0.5], "days_past_due": [45, 10],
               "late_a": [0, 0], "late_b": [0, 0], "guaranteed": [0, 0]})
    assert r.score.tolist() == [50.0, 75.0]  # no history: 0 instead of 25 points when 45 days past due
    assert r.grade.tolist() == ["BB", "A"]
    assert r.pd[0] > r.pd[1]
    assert r.override.tolist() == ["no history, long overdue", ""]


def test_a_floor_raises_a_grade_and_nan_fails_every_test() -> None:
    r = score({"payment_index": [10, 10], "equity_ratio": [0.1, 0.1], "days_past_due": [0, 0],
               "late_a": [0, np.nan], "late_b": [0, 900], "guaranteed": [1, np.nan]})
    assert r.grade.tolist() == ["BB", "C"]  # a NaN in a sum fails the cap; a NaN guarantee no floor
    assert r.override.tolist() == ["parent guarantee", ""]


def test_overrides_round_trip_through_json_and_save(tmp_path: Any) -> None:
    card = ExpertScorecard.from_dict(CARD)
    again = ExpertScorecard.from_json(json.dumps(card.to_dict()))
    assert again.to_dict() == card.to_dict()
    riskkit.save(card, tmp_path / "card.json")
    assert riskkit.load(tmp_path / "card.json").to_dict() == card.to_dict()
    assert card.feature_names == ("payment_index", "equity_ratio", "days_past_due", "late_a", "late_b", "guaranteed")
    assert "3 overrides" in repr(card)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cap": "Z"}, r"overrides\[0\].cap 'Z' is not a grade of the card's scale"),
        ({"when": []}, r"overrides\[0\].when must be a non-empty list"),
        ({"when": [{"feature": "x", "above": "1"}]}, r"overrides\[0\].when\[0\].above must be a finite number"),
        ({"when": [{"feature": "x", "above": 1, "below": 2}]}, r"exactly one of above"),
        ({"reason": ""}, r"overrides\[0\].reason must be a non-empty text"),
        ({"cap": "B", "floor": "C"}, r"exactly one of cap, floor, missing_points"),
        ({"cap": None, "missing_points": {"feature": "nope", "points": 1}}, r"'nope' is not a feature of the card"),
    ],
)
def test_bad_overrides_name_the_key(change: dict[str, Any], message: str) -> None:
    override = {"when": [{"feature": "x", "above": 1}], "cap": "B", "reason": "r", **change}
    override = {k: v for k, v in override.items() if v is not None}
    with pytest.raises(ValidationError, match=message):
        ExpertScorecard.from_dict({**CARD, "overrides": [override]})


# --- default as a fact --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> tuple[Portfolio, riskkit.FeatureFrame]:
    p, _ = riskkit.datasets.make_portfolio(1500, seed=3)
    return p, p.features()


def _scorers(features: riskkit.FeatureFrame) -> list[Any]:
    y = (features["in_default"] > 0) | (features["max_days_past_due"] > 30)
    X = features.to_pandas()[["payment_index", "max_days_past_due", "utilization", "debt_ratio"]]
    return [
        five_c(),
        riskkit.Scorecard().fit(X, y),
        riskkit.LogisticScorer().fit(X, y),
        riskkit.DecisionTreeScorer(max_depth=2).fit(X, y),
    ]


def test_every_scorer_grades_a_customer_in_default_d(book: tuple[Portfolio, riskkit.FeatureFrame]) -> None:
    p, f = book
    flags = p.in_default()
    assert 0 < flags.sum() < len(flags)
    for scorer in _scorers(f):
        r = scorer.score(f)
        assert (r.grade[flags] == "D").all(), type(scorer).__name__
        assert (r.pd[flags] == 1.0).all() and (r.override[flags] == "in default").all()
        plain = scorer.score(f, grade_defaults=False)  # model development: the model's own grade
        np.testing.assert_array_equal(plain.score, r.score)
        assert (plain.grade[flags] != "D").any()
        one = scorer.score({name: float(f[name][np.flatnonzero(flags)[0]]) for name in f.names})
        assert one.grade.tolist() == ["D"]


def test_five_c_never_grades_above_the_arrears(book: tuple[Portfolio, riskkit.FeatureFrame]) -> None:
    _, f = book
    r = five_c().score(f)
    over_60 = f["aging_61_90"] + f["aging_91_plus"] > 500
    over_30 = f["aging_31_60"] + f["aging_61_90"] + f["aging_91_plus"] > 500
    assert over_60.any()
    assert all(rank(g) >= rank("CCC") for g in r.grade[over_60])
    assert all(rank(g) >= rank("B") for g in r.grade[over_30])
    assert all(g == "D" for g in r.grade[f["in_default"] > 0])


def test_the_issue_customer_is_not_a_b() -> None:
    # 373 days past due, everything overdue, no payment ever: it was graded B
    p = Portfolio.from_records(
        customers=[{"id": "X", "established": "2001-01-01"}],
        exposures=[{"customer_id": "X", "credit_limit": 10000.0}],
        invoices=[{"id": "I1", "customer_id": "X", "issued": "2024-05-23", "due": "2024-06-22", "amount": 23600.0}],
        as_of="2025-06-30",
    )
    r = five_c().score(p.features(), reasons=3)
    assert r.grade.tolist() == ["D"] and r.override.tolist() == ["in default"]
