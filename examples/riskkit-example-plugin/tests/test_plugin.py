"""The plugin's own tests: riskkit finds it by name, and its scorer passes riskkit's conformance kit."""

from __future__ import annotations

import numpy as np
from riskkit_example_plugin import OverdueRuleScorer, OverdueShareSignal

import riskkit
from riskkit.testing import check_scorer


def test_the_scorer_is_found_by_name_and_conforms() -> None:
    scorer = riskkit.get_scorer("overdue_rule")
    assert isinstance(scorer, OverdueRuleScorer)
    assert "riskkit-example-plugin" in riskkit.scoring.source("overdue_rule")
    report = check_scorer(scorer)
    assert report["persistence"].startswith("skipped")  # not a riskkit JSON type, and that is fine
    assert all(v == "passed" for k, v in report.items() if k != "persistence")


def test_the_rules() -> None:
    r = OverdueRuleScorer().score(
        {"max_days_past_due": [0.0, 10.0, 60.0, 120.0, np.nan], "payment_index": [95.0, 70.0, 50.0, 90.0, np.nan]},
        reasons=1,
    )
    assert r.score.tolist() == [100.0, 70.0, 30.0, 30.0, 80.0]
    assert r.grade.tolist() == ["A", "B", "D", "D", "A"]
    assert r.reasons is not None and r.reasons.features[:, 0].tolist() == [
        "", "max_days_past_due", "max_days_past_due", "max_days_past_due", "max_days_past_due"]


def test_the_signal_is_discovered() -> None:
    signal = riskkit.signals.get("overdue_share")
    assert isinstance(signal, OverdueShareSignal)
    assert isinstance(signal, riskkit.Signal)
    assert "riskkit-example-plugin" in riskkit.signals.source("overdue_share")
    book, _ = riskkit.datasets.make_portfolio(300, seed=0)
    watchlist = riskkit.signals.evaluate(book, signals=["overdue_share"])
    assert watchlist.signals == ("overdue_share",)
