"""The example plugin (examples/riskkit-example-plugin), when installed: found by name, and conforming.

CI installs it (``pip install ./examples/riskkit-example-plugin``); elsewhere these tests are skipped.
"""

from __future__ import annotations

import pytest

import riskkit
from riskkit.testing import check_scorer

plugin = pytest.importorskip("riskkit_example_plugin")

DIST = "riskkit-example-plugin"


@pytest.fixture(autouse=True)
def plugins_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Discover the installed plugins even if an earlier test turned discovery off."""
    monkeypatch.delenv("RISKKIT_DISABLE_PLUGINS", raising=False)
    if "overdue_rule" not in riskkit.scoring.available():
        riskkit.scoring.refresh()
    if "overdue_share" not in riskkit.signals.available():
        riskkit.signals.refresh()


def test_the_plugin_scorer_is_found_by_its_entry_point() -> None:
    entry = riskkit.scoring.available()["overdue_rule"]
    assert entry.kind == "class" and entry.target is plugin.OverdueRuleScorer
    assert riskkit.scoring.source("overdue_rule") == f"package {DIST} (entry point 'overdue_rule')"
    assert isinstance(riskkit.get_scorer("overdue_rule"), riskkit.Scorer)


def test_the_plugin_scorer_passes_check_scorer() -> None:
    report = check_scorer(riskkit.get_scorer("overdue_rule"))
    assert report["persistence"] == "skipped: OverdueRuleScorer is not savable as JSON"
    assert {k for k, v in report.items() if v == "passed"} == set(report) - {"persistence"}


def test_the_plugin_signal_is_found_by_its_entry_point() -> None:
    signal = riskkit.signals.get("overdue_share")
    assert isinstance(signal, plugin.OverdueShareSignal) and isinstance(signal, riskkit.Signal)
    assert riskkit.signals.source("overdue_share") == f"package {DIST} (entry point 'overdue_share')"
    book, _ = riskkit.datasets.make_portfolio(300, seed=0)
    watchlist = riskkit.signals.evaluate(book, signals=["overdue_share"])
    assert watchlist.signals == ("overdue_share",)
    assert len(watchlist) > 0
