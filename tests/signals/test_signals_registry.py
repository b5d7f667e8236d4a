"""The signal registry: third-party entry points, collisions, broken plugins, register()."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

import riskkit
from riskkit import signals
from riskkit.errors import RiskkitError, ValidationError
from riskkit.signals import _registry

PACKAGE = "riskkit_plugin_demo"
DIST = "riskkit-plugin-demo"

DEMO_SIGNAL = '''
from riskkit.signals import ThresholdSignal


class DemoSignal(ThresholdSignal):
    """A demo plugin: the user's industry risk index above a level."""

    category = "industry"
    description = "Industry risk index above a level (demo plugin)."
    thresholds = {"watch": 5.0, "critical": 8.0}
    compare = ">"
    window_days = 0

    def values(self, portfolio, as_of):
        return portfolio.customers["industry_risk"], None
'''


@pytest.fixture(autouse=True)
def restore_registry() -> Iterator[None]:
    """Put the registry back as it was, whatever a test registered, replaced or broke.

    Autouse, so it is set up before ``monkeypatch`` and torn down after it:
    ``sys.path`` and the environment are already restored when it runs.
    """
    signals.available()  # built-ins imported and installed plugins discovered
    with _registry._lock:
        saved = (dict(_registry._signals), dict(_registry._sources), set(_registry._plugin_names))
    yield
    for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        del sys.modules[module]
    with _registry._lock:
        _registry._signals.clear()
        _registry._signals.update(saved[0])
        _registry._sources.clear()
        _registry._sources.update(saved[1])
        _registry._plugin_names.clear()
        _registry._plugin_names.update(saved[2])
        _registry._replaced.clear()
        _registry._discovered = True


def install_plugin(tmp: Path, monkeypatch: pytest.MonkeyPatch, code: str, entry_points: str) -> None:
    """A tiny installed distribution: a package and its dist-info with ``[riskkit.signals]`` entry points."""
    package = tmp / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = tmp / f"{PACKAGE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[riskkit.signals]\n{entry_points}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp))


def small_book() -> riskkit.Portfolio:
    return riskkit.Portfolio.from_records(
        customers=[{"id": "A", "industry_risk": 9.0}, {"id": "B", "industry_risk": 6.0}, {"id": "C"}],
        as_of="2025-06-30",
    )


# --- discovery ------------------------------------------------------------------------------


def test_a_plugin_entry_point_is_discovered_and_named_by_its_package(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO_SIGNAL, "demo_signal = riskkit_plugin_demo:DemoSignal")
    assert "demo_signal" not in signals.available()
    signals.refresh()
    assert "demo_signal" in signals.available()
    sig = signals.get("demo_signal")
    assert sig.name == "demo_signal"
    assert isinstance(sig, riskkit.Signal)
    assert DIST in signals.source("demo_signal")
    assert "demo_signal" in signals.source("demo_signal")  # the entry point's name too
    assert signals.source("overdue_days") == "riskkit (built-in)"
    wl = signals.evaluate(small_book(), signals=["demo_signal"])
    assert [(r["customer_id"], r["severity"]) for r in wl.to_records()] == [("A", "critical"), ("B", "watch")]


def test_a_plugin_module_registering_its_own_signals(tmp_path, monkeypatch) -> None:
    code = DEMO_SIGNAL + textwrap.dedent('''
        from riskkit.signals import register

        register("demo_module_signal")(DemoSignal)
    ''')
    install_plugin(tmp_path, monkeypatch, code, "anything = riskkit_plugin_demo")
    signals.refresh()
    assert "demo_module_signal" in signals.available()
    assert "anything" not in signals.available()
    assert DIST in signals.source("demo_module_signal")


def test_refresh_forgets_a_plugin_that_is_gone(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO_SIGNAL, "demo_signal = riskkit_plugin_demo:DemoSignal")
    signals.refresh()
    assert "demo_signal" in signals.available()
    monkeypatch.syspath_prepend(str(tmp_path / "elsewhere"))
    sys.path.remove(str(tmp_path))
    signals.refresh()
    assert "demo_signal" not in signals.available()
    assert "overdue_days" in signals.available()


# --- collisions -----------------------------------------------------------------------------


def test_a_plugin_colliding_with_a_built_in_is_an_error_naming_both(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO_SIGNAL, "overdue_days = riskkit_plugin_demo:DemoSignal")
    with pytest.raises(RiskkitError, match="overdue_days") as info:
        signals.refresh()
    assert "riskkit (built-in)" in str(info.value)
    assert DIST in str(info.value)
    assert "replace=True" in str(info.value)


def test_a_plugin_may_replace_a_built_in_explicitly(tmp_path, monkeypatch) -> None:
    code = DEMO_SIGNAL + textwrap.dedent('''
        from riskkit.signals import register

        register("overdue_days", replace=True)(DemoSignal)
    ''')
    install_plugin(tmp_path, monkeypatch, code, "override = riskkit_plugin_demo")
    signals.refresh()
    assert type(signals.get("overdue_days")).__name__ == "DemoSignal"
    assert DIST in signals.source("overdue_days")
    # once the plugin is gone, refresh() brings the built-in back
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(tmp_path)])
    import importlib

    importlib.invalidate_caches()
    signals.refresh()
    assert signals.source("overdue_days") == "riskkit (built-in)"


def test_registering_a_taken_name_in_process_names_both_sources() -> None:
    with pytest.raises(RiskkitError, match=r"riskkit \(built-in\).*module "):
        @signals.register("overdue_days", category="payment", description="dup", thresholds={"watch": 1.0})
        def dup(portfolio, as_of, thresholds):  # pragma: no cover - never called
            raise AssertionError


# --- broken and disabled plugins -----------------------------------------------------------


def test_a_broken_plugin_warns_with_its_package_and_is_skipped(tmp_path, monkeypatch) -> None:
    code = 'raise ImportError("riskkit_plugin_demo needs the package no_such_dependency")\n'
    install_plugin(tmp_path, monkeypatch, code, "demo_signal = riskkit_plugin_demo:DemoSignal")
    with pytest.warns(RuntimeWarning, match=f"skipped the signal plugin from package {DIST}") as caught:
        signals.refresh()
    assert "no_such_dependency" in str(caught[0].message)
    assert "demo_signal" not in signals.available()
    assert "overdue_days" in signals.available()
    wl = signals.evaluate(small_book())  # the other signals still run
    assert wl.signals == tuple(sorted(signals.available()))


def test_a_plugin_with_an_invalid_signal_warns_and_is_skipped(tmp_path, monkeypatch) -> None:
    code = DEMO_SIGNAL.replace('category = "industry"', 'category = "astrology"')
    install_plugin(tmp_path, monkeypatch, code, "demo_signal = riskkit_plugin_demo:DemoSignal")
    with pytest.warns(RuntimeWarning, match=f"{DIST}.*astrology"):
        signals.refresh()
    assert "demo_signal" not in signals.available()


def test_riskkit_disable_plugins_turns_discovery_off(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO_SIGNAL, "demo_signal = riskkit_plugin_demo:DemoSignal")
    monkeypatch.setenv("RISKKIT_DISABLE_PLUGINS", "1")
    signals.refresh()
    assert "demo_signal" not in signals.available()
    assert "overdue_days" in signals.available()
    monkeypatch.delenv("RISKKIT_DISABLE_PLUGINS")
    signals.refresh()
    assert "demo_signal" in signals.available()


def test_importing_riskkit_with_a_broken_plugin_installed_does_not_fail(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, "raise ImportError('boom')\n", "demo = riskkit_plugin_demo:X")
    code = (
        "import warnings, riskkit, riskkit.signals as s\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    names = s.available()\n"
        "print('overdue_days' in names, [str(x.message) for x in w])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    env.pop("RISKKIT_DISABLE_PLUGINS", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.startswith("True ")
    assert f"skipped the signal plugin from package {DIST}" in out.stdout
    assert "ImportError: boom" in out.stdout


# --- the read-only view and look-ups -------------------------------------------------------


def test_available_is_read_only() -> None:
    view = signals.available()
    assert isinstance(view, MappingProxyType)
    with pytest.raises(TypeError):
        view["mine"] = object()  # type: ignore[index]
    assert "mine" not in signals.available()


def test_an_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(RiskkitError, match=r"unknown signal 'no_such_signal'; available: .*overdue_days"):
        signals.get("no_such_signal")
    with pytest.raises(RiskkitError, match="no_such_signal"):
        signals.source("no_such_signal")
    with pytest.raises(RiskkitError, match="no signal named"):
        signals.unregister("no_such_signal")


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
    with pytest.raises(ValidationError, match="identifier-like"):
        signals.register("not a name")
    assert "t_bad" not in signals.available()


def test_all_is_exactly_the_public_names() -> None:
    import types

    public = {n for n, o in vars(signals).items()
              if not n.startswith("_") and n != "annotations" and not isinstance(o, types.ModuleType)}
    assert set(signals.__all__) == public
    assert len(signals.__all__) == len(set(signals.__all__))
