"""Signals in the registry: classes, instances and functions, the keywords of register() and their checks.

The registry contract shared with the scorers lives in tests/test_plugins.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from test_plugins import DIST, PACKAGE, SIGNAL_DEMO, install_plugin, restored

import riskkit
from riskkit import signals
from riskkit.errors import ValidationError
from riskkit.signals import _registry


@pytest.fixture(autouse=True)
def restore_registry() -> Iterator[None]:
    """Put the registry back as it was, whatever a test registered, replaced or broke."""
    with restored(_registry._REGISTRY):
        yield


def small_book() -> riskkit.Portfolio:
    return riskkit.Portfolio.from_records(
        customers=[{"id": "A", "industry_risk": 9.0}, {"id": "B", "industry_risk": 6.0}, {"id": "C"}],
        as_of="2025-06-30",
    )


# --- a plugin's signal --------------------------------------------------------------------


def test_a_plugin_signal_is_named_by_its_entry_point_and_evaluates(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, _registry.GROUP, SIGNAL_DEMO, f"demo_signal = {PACKAGE}:Demo")
    signals.refresh()
    sig = signals.get("demo_signal")
    assert sig.name == "demo_signal"
    assert isinstance(sig, riskkit.Signal)
    assert DIST in signals.source("demo_signal")
    assert signals.source("overdue_days") == "riskkit (built-in)"
    wl = signals.evaluate(small_book(), signals=["demo_signal"])
    assert [(r["customer_id"], r["severity"]) for r in wl.to_records()] == [("A", "critical"), ("B", "watch")]


# --- register() --------------------------------------------------------------------------


def test_register_a_function() -> None:
    @signals.register("t_high_risk", category="industry", description="Industry risk index above a level.",
                      thresholds={"warning": 5.0})
    def high_risk(portfolio, as_of, thresholds):
        return signals.hits_from_values("t_high_risk", portfolio.customers["industry_risk"], thresholds, ">", 0)

    assert high_risk.__name__ == "high_risk"  # the decorator hands the function back
    sig = signals.get("t_high_risk")
    assert (sig.name, sig.category, sig.thresholds) == ("t_high_risk", "industry", {"warning": 5.0})
    assert isinstance(sig, riskkit.Signal)
    assert signals.source("t_high_risk").startswith("module ")
    wl = signals.evaluate(small_book(), signals=["t_high_risk"])
    assert wl.column("customer_id").tolist() == ["A", "B"]
    signals.unregister("t_high_risk")
    assert "t_high_risk" not in signals.available()


def test_register_a_class_with_keyword_overrides() -> None:
    class Plain(signals.ThresholdSignal):
        category = "industry"
        description = "Industry risk index above a level."
        thresholds = {"watch": 5.0}  # noqa: RUF012 - read-only by convention, as in the built-ins
        compare = ">"

        def values(self, portfolio, as_of):
            return np.asarray(portfolio.customers["industry_risk"]), None

    assert signals.register("t_plain", thresholds={"critical": 8.5})(Plain) is Plain
    sig = signals.get("t_plain")
    assert isinstance(sig, Plain) and sig.name == "t_plain"
    assert dict(sig.thresholds) == {"critical": 8.5}
    assert Plain.thresholds == {"watch": 5.0}  # the class is left as it is
    wl = signals.evaluate(small_book(), signals=["t_plain"])
    assert [(r["customer_id"], r["severity"]) for r in wl.to_records()] == [("A", "critical")]


def test_register_refuses_incomplete_or_invalid_signals() -> None:
    with pytest.raises(ValidationError, match="needs category=, description= and thresholds="):
        signals.register("t_bad")(lambda portfolio, as_of, thresholds: None)
    with pytest.raises(ValidationError, match="category must be one of"):
        signals.register("t_bad", category="astrology", description="x", thresholds={"watch": 1.0})(
            lambda portfolio, as_of, thresholds: None
        )
    with pytest.raises(ValidationError, match="unknown severity 'severe'"):
        signals.register("t_bad", category="payment", description="x", thresholds={"severe": 1.0})(
            lambda portfolio, as_of, thresholds: None
        )
    with pytest.raises(ValidationError, match="has no 'category'"):
        signals.register("t_bad")(object())
    with pytest.raises(ValidationError, match="identifier-like"):
        signals.register("not a name")
    assert "t_bad" not in signals.available()


def test_all_is_exactly_the_public_names() -> None:
    import types

    public = {n for n, o in vars(signals).items()
              if not n.startswith("_") and n != "annotations" and not isinstance(o, types.ModuleType)}
    assert set(signals.__all__) == public
    assert len(signals.__all__) == len(set(signals.__all__))
