"""The plugin registry contract (riskkit._plugins), held by the scorer and the signal registry alike.

Every test runs once per registry. Kind-specific behaviour (what a valid
scorer or signal is, how it is built) stays in tests/scoring/test_scorers_registry.py
and tests/signals/test_signals_registry.py, which reuse :func:`install_plugin`
and :func:`restored` from here.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import numpy as np
import pytest

import riskkit
import riskkit.scoring
import riskkit.signals
from riskkit._plugins import BUILTIN, Registry
from riskkit.errors import NameCollision, RiskkitError, ValidationError
from riskkit.scoring import _registry as scorer_registry
from riskkit.signals import _registry as signal_registry

PACKAGE = "riskkit_plugin_demo"
DIST = "riskkit-plugin-demo"


# --- helpers, shared with the kind-specific registry tests --------------------------------------


def install_plugin(tmp: Path, monkeypatch: pytest.MonkeyPatch, group: str, code: str, entry_points: str) -> None:
    """A tiny installed distribution on ``sys.path``: the package and a dist-info declaring ``group`` entry points."""
    package = tmp / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = tmp / f"{PACKAGE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{group}]\n{entry_points}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp))
    monkeypatch.delenv("RISKKIT_DISABLE_PLUGINS", raising=False)


def uninstall_plugin(tmp: Path) -> None:
    """Take the distribution installed by :func:`install_plugin` off ``sys.path`` again."""
    sys.path.remove(str(tmp))
    importlib.invalidate_caches()


@contextmanager
def restored(*registries: Registry[Any]) -> Iterator[None]:
    """Put the registries back as they were, whatever the block registered, replaced or broke.

    Use it in an autouse fixture, so it is set up before ``monkeypatch`` and
    torn down after it: ``sys.path`` and the environment are already restored.
    """
    for registry in registries:
        registry.available()  # built-ins registered and installed plugins discovered
    saved = [(dict(r._entries), set(r._plugins)) for r in registries]
    try:
        yield
    finally:
        for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[module]
        for registry, (entries, plugins) in zip(registries, saved, strict=True):
            with registry._lock:
                registry._entries.clear()
                registry._entries.update(entries)
                registry._plugins.clear()
                registry._plugins.update(plugins)
                registry._replaced.clear()
                registry._discovered = True


# --- the two registries ---------------------------------------------------------------------------

SCORER_DEMO = '''
import numpy as np
import riskkit


class Demo:
    """Points from the payment index alone (demo plugin)."""

    def score(self, X, *, reasons=0):
        try:
            index = np.array(X["payment_index"], dtype=np.float64, ndmin=1)
        except KeyError:
            raise riskkit.SchemaError("Demo: X is missing the feature 'payment_index'") from None
        pd = np.where(np.isnan(index), 0.5, 1.0 - np.clip(index, 0.0, 100.0) / 100.0)
        return riskkit.ScoreResult(score=index, pd=pd, grade=np.where(index >= 50, "A", "B"))


def make_demo():
    """A factory building the demo scorer."""
    return Demo()


demo_instance = Demo()
'''

SIGNAL_DEMO = '''
from riskkit.signals import ThresholdSignal


class Demo(ThresholdSignal):
    """A demo plugin: the user's industry risk index above a level."""

    category = "industry"
    description = "Industry risk index above a level (demo plugin)."
    thresholds = {"watch": 5.0, "critical": 8.0}
    compare = ">"
    window_days = 0

    def values(self, portfolio, as_of):
        return portfolio.customers["industry_risk"], None
'''


class LocalSignal(riskkit.signals.ThresholdSignal):
    """A signal defined here, registered in-process (counting how often it is built)."""

    category = "payment"
    description = "Credit limit under a level (test signal)."
    thresholds = {"watch": 1000.0}  # noqa: RUF012 - read-only by convention, as in the built-ins
    compare = "<"
    built = 0

    def __init__(self) -> None:
        type(self).built += 1

    def values(self, portfolio: Any, as_of: Any) -> tuple[np.ndarray, None]:
        return portfolio.features(as_of)["credit_limit"], None


class LocalScorer:
    """A scorer defined here, registered in-process (counting how often it is built)."""

    built = 0

    def __init__(self) -> None:
        type(self).built += 1

    def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
        n = len(X["x"])
        return riskkit.ScoreResult(score=np.full(n, 50.0), pd=np.full(n, 0.1), grade=np.full(n, "B"))


def _scorers_still_work() -> None:
    assert isinstance(riskkit.get_scorer("five_c"), riskkit.ExpertScorecard)


def _signals_still_work() -> None:
    book = riskkit.Portfolio.from_records(customers=[{"id": "A", "industry_risk": 9.0}], as_of="2025-06-30")
    assert riskkit.signals.evaluate(book).signals == tuple(sorted(riskkit.signals.available()))


@dataclass(frozen=True)
class Face:
    """One registry as its users see it, and what the contract tests need to know about it."""

    id: str  # the public module under riskkit
    face: ModuleType
    registry: Registry[Any]
    fetch: Callable[[str], Any]
    protocol: type
    builtin: str  # a built-in name
    demo: str  # plugin code defining a valid target, Demo
    invalid: tuple[str, str]  # plugin code declaring an invalid target NOT_VALID, and the warning it gives
    local: type  # a valid target defined in this module, counting its builds
    shared: bool  # a fetched target is built once and shared (else built on every fetch)
    still_works: Callable[[], None]


FACES = [
    Face("scoring", riskkit.scoring, scorer_registry._REGISTRY, riskkit.get_scorer, riskkit.Scorer, "five_c",
         SCORER_DEMO, ("NOT_VALID = 42\n", "expected a Scorer class"), LocalScorer, False, _scorers_still_work),
    Face("signals", riskkit.signals, signal_registry._REGISTRY, riskkit.signals.get, riskkit.Signal,
         "overdue_days", SIGNAL_DEMO, (SIGNAL_DEMO.replace('"industry"', '"astrology"') + "NOT_VALID = Demo\n",
                                       "category must be one of .* got 'astrology'"),
         LocalSignal, True, _signals_still_work),
]


@pytest.fixture(params=FACES, ids=[f.id for f in FACES])
def face(request: pytest.FixtureRequest) -> Face:
    return request.param


@pytest.fixture(autouse=True)
def _restore_registries() -> Iterator[None]:
    with restored(scorer_registry._REGISTRY, signal_registry._REGISTRY):
        yield


def install(face: Face, tmp: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str, code: str = "") -> None:
    install_plugin(tmp, monkeypatch, face.registry.group, code or face.demo, entry_points)


# --- discovery -----------------------------------------------------------------------------------


def test_an_installed_entry_point_is_discovered_and_named_by_its_package(face, tmp_path, monkeypatch) -> None:
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:Demo")
    assert "demo" not in face.face.available()  # cached until refresh()
    face.face.refresh()
    assert "demo" in face.face.available()
    assert face.face.source("demo") == f"package {DIST} (entry point 'demo')"
    assert isinstance(face.fetch("demo"), face.protocol)
    assert face.face.source(face.builtin) == BUILTIN


def test_discovery_is_lazy_and_cached_until_refresh(face, tmp_path, monkeypatch) -> None:
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:Demo")
    face.registry._forget()  # as in a fresh process: no entry point read yet
    assert PACKAGE not in sys.modules
    assert "demo" in face.face.available()  # the first look-up reads the entry points
    assert PACKAGE in sys.modules
    uninstall_plugin(tmp_path)
    assert "demo" in face.face.available()  # ... and only the first
    face.face.refresh()  # a plugin that is gone is forgotten
    assert "demo" not in face.face.available()
    assert face.builtin in face.face.available()


def test_concurrent_first_look_ups_read_the_entry_points_once(face, tmp_path, monkeypatch) -> None:
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:Demo")
    reads: list[str] = []
    real = importlib.metadata.entry_points

    def counting(**select: Any) -> Any:
        reads.append(select.get("group", ""))
        return real(**select)

    monkeypatch.setattr(importlib.metadata, "entry_points", counting)
    face.registry._forget()
    start, seen = threading.Barrier(8), []

    def look_up() -> None:
        start.wait()
        seen.append("demo" in face.face.available() and face.builtin in face.face.available())

    threads = [threading.Thread(target=look_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [True] * 8
    assert reads.count(face.registry.group) == 1


def test_a_plugin_module_registering_its_own_targets(face, tmp_path, monkeypatch) -> None:
    code = face.demo + f"\nfrom riskkit.{face.id} import register\n\nregister('demo_a')(Demo)\n"
    install(face, tmp_path, monkeypatch, f"anything = {PACKAGE}", code)
    face.face.refresh()
    assert "demo_a" in face.face.available()
    assert "anything" not in face.face.available()
    assert face.face.source("demo_a") == f"package {DIST} (entry point 'anything')"


def test_an_entry_point_naming_a_target_its_module_registered_is_no_collision(face, tmp_path, monkeypatch) -> None:
    code = face.demo + f"\nfrom riskkit.{face.id} import register\n\nregister('demo')(Demo)\n"
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:Demo", code)
    face.face.refresh()
    assert face.face.source("demo") == f"package {DIST} (entry point 'demo')"


# --- building ------------------------------------------------------------------------------------


def test_a_class_is_built_once_when_registered_if_shared_else_on_every_fetch(face) -> None:
    face.local.built = 0
    face.face.register("t_local")(face.local)
    assert face.local.built == (1 if face.shared else 0)
    first, second = face.fetch("t_local"), face.fetch("t_local")
    assert isinstance(first, face.local) and isinstance(first, face.protocol)
    assert (first is second) is face.shared
    assert face.local.built == (1 if face.shared else 2)


def test_a_plugin_class_that_cannot_be_built_warns_and_the_others_still_work(face, tmp_path, monkeypatch) -> None:
    broken = face.demo + "\n\nclass Broken(Demo):\n    def __init__(self):\n        raise RuntimeError('no licence')\n"
    install(face, tmp_path, monkeypatch, f"broken = {PACKAGE}:Broken", broken)
    if face.shared:  # built when registered: skipped at discovery with a warning
        with pytest.warns(RuntimeWarning, match=f"skipped the {face.registry.noun} plugin from package {DIST}.*no licence"):
            face.face.refresh()
        assert "broken" not in face.face.available()
    else:  # built on fetch: that fetch names the plugin, nothing else is affected
        face.face.refresh()
        with pytest.raises(RiskkitError, match=f"package {DIST}.*no licence"):
            face.fetch("broken")
    face.still_works()


# --- collisions ----------------------------------------------------------------------------------


def test_one_name_collision_class() -> None:
    assert riskkit.scoring.NameCollision is riskkit.signals.NameCollision is NameCollision
    assert issubclass(NameCollision, RiskkitError)


def test_a_plugin_colliding_with_a_built_in_is_an_error_naming_both(face, tmp_path, monkeypatch) -> None:
    install(face, tmp_path, monkeypatch, f"{face.builtin} = {PACKAGE}:Demo")
    with pytest.raises(NameCollision, match=face.builtin) as info:
        face.face.refresh()
    assert "riskkit (built-in)" in str(info.value)
    assert f"package {DIST} (entry point '{face.builtin}')" in str(info.value)
    assert "replace=True" in str(info.value)


def test_registering_a_taken_name_names_both_sources_unless_replacing(face) -> None:
    noun, module = face.registry.noun, re.escape(face.local.__module__)
    with pytest.raises(NameCollision, match=rf"two {noun}s are named '{face.builtin}': "
                                            rf"one from riskkit \(built-in\), one from module {module};"):
        face.face.register(face.builtin)(face.local)
    face.face.register(face.builtin, replace=True)(face.local)
    assert face.face.source(face.builtin) == f"module {face.local.__module__}"
    assert isinstance(face.fetch(face.builtin), face.local)


def test_a_plugin_may_replace_a_built_in_and_refresh_restores_it(face, tmp_path, monkeypatch) -> None:
    code = face.demo + f"\nfrom riskkit.{face.id} import register\n\nregister({face.builtin!r}, replace=True)(Demo)\n"
    install(face, tmp_path, monkeypatch, f"override = {PACKAGE}", code)
    face.face.refresh()
    assert type(face.fetch(face.builtin)).__name__ == "Demo"
    assert face.face.source(face.builtin) == f"package {DIST} (entry point 'override')"
    uninstall_plugin(tmp_path)  # once the plugin is gone, refresh() brings the built-in back
    face.face.refresh()
    assert face.face.source(face.builtin) == BUILTIN
    assert type(face.fetch(face.builtin)).__name__ != "Demo"


# --- broken and disabled plugins -----------------------------------------------------------------


def test_a_broken_plugin_warns_naming_its_package_and_is_skipped(face, tmp_path, monkeypatch) -> None:
    code = f'raise ImportError("{PACKAGE} needs the package no_such_dependency")\n'
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:Demo", code)
    with pytest.warns(RuntimeWarning, match=f"skipped the {face.registry.noun} plugin from package {DIST}") as caught:
        face.face.refresh()
    assert "ImportError" in str(caught[0].message) and "no_such_dependency" in str(caught[0].message)
    assert "demo" not in face.face.available()
    assert face.builtin in face.face.available()
    face.still_works()  # the others still work


def test_a_plugin_naming_an_invalid_target_warns_and_is_skipped(face, tmp_path, monkeypatch) -> None:
    code, message = face.invalid
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:NOT_VALID", code)
    with pytest.warns(RuntimeWarning, match=f"package {DIST} .*{message}"):
        face.face.refresh()
    assert "demo" not in face.face.available()


@pytest.mark.parametrize("value", ["1", "TRUE", "yes"])
def test_riskkit_disable_plugins_turns_discovery_off(face, tmp_path, monkeypatch, value: str) -> None:
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:Demo")
    monkeypatch.setenv("RISKKIT_DISABLE_PLUGINS", value)
    face.face.refresh()
    assert "demo" not in face.face.available()
    assert face.builtin in face.face.available()
    monkeypatch.delenv("RISKKIT_DISABLE_PLUGINS")
    face.face.refresh()
    assert "demo" in face.face.available()


def test_importing_riskkit_with_a_broken_plugin_installed_does_not_fail(face, tmp_path, monkeypatch) -> None:
    install(face, tmp_path, monkeypatch, f"demo = {PACKAGE}:X", "raise ImportError('boom')\n")
    code = (
        "import sys, warnings, riskkit\n"
        f"import riskkit.{face.id} as face\n"
        f"imported = {PACKAGE!r} in sys.modules\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    names = face.available()\n"
        f"print({face.builtin!r} in names, imported, [str(x.message) for x in w])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    env.pop("RISKKIT_DISABLE_PLUGINS", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.startswith("True False ")  # the built-ins are there; no plugin read at import
    assert f"skipped the {face.registry.noun} plugin from package {DIST}" in out.stdout
    assert "ImportError: boom" in out.stdout


# --- the read-only view and look-ups -------------------------------------------------------------


def test_available_is_read_only(face) -> None:
    view = face.face.available()
    assert isinstance(view, MappingProxyType)
    with pytest.raises(TypeError):
        view["mine"] = object()  # type: ignore[index]
    assert "mine" not in face.face.available()


def test_an_unknown_name_lists_the_available_ones(face) -> None:
    noun = face.registry.noun
    with pytest.raises(RiskkitError, match=rf"unknown {noun} 'no_such'; available: .*{face.builtin}"):
        face.fetch("no_such")
    with pytest.raises(RiskkitError, match="no_such"):
        face.face.source("no_such")
    with pytest.raises(RiskkitError, match=f"no {noun} named 'no_such'"):
        face.face.unregister("no_such")


def test_register_refuses_a_name_that_is_not_an_identifier(face) -> None:
    with pytest.raises(ValidationError, match=f"a {face.registry.noun} name must be an identifier-like string"):
        face.face.register("not a name")


def test_unregister_removes_and_builtin_lists_riskkit_s_own(face) -> None:
    face.face.register("t_local")(face.local)
    assert face.face.source("t_local") == f"module {face.local.__module__}"
    assert "t_local" not in face.registry.builtin() and face.builtin in face.registry.builtin()
    face.face.unregister("t_local")
    assert "t_local" not in face.face.available()
