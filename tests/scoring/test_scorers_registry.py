"""The scorer registry (entry points, collisions, broken plugins, register) and the conformance kit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

import riskkit
from riskkit.errors import DataTypeError, RiskkitError, ValidationError
from riskkit.scoring import _registry as scorers
from riskkit.testing import check_scorer

PACKAGE = "riskkit_scorer_plugin_demo"
DIST = "riskkit-scorer-plugin-demo"

DEMO = '''
import numpy as np
import riskkit


class DemoScorer:
    """Points from the payment index alone (demo plugin)."""

    def score(self, X, *, reasons=0):
        try:
            index = np.array(X["payment_index"], dtype=np.float64, ndmin=1)
        except KeyError:
            raise riskkit.SchemaError("DemoScorer: X is missing the feature 'payment_index'") from None
        pd = np.where(np.isnan(index), 0.5, 1.0 - np.clip(index, 0.0, 100.0) / 100.0)
        return riskkit.ScoreResult(score=index, pd=pd, grade=np.where(index >= 50, "A", "B"))


def make_demo():
    """A factory building the demo scorer."""
    return DemoScorer()


demo_instance = DemoScorer()
'''


@pytest.fixture(autouse=True)
def restore_registry() -> Iterator[None]:
    """Put the registry back as it was, whatever a test registered, replaced or broke.

    Autouse, so it is set up before ``monkeypatch`` and torn down after it:
    ``sys.path`` and the environment are already restored when it runs.
    """
    scorers.available()
    with scorers._lock:
        saved = (dict(scorers._entries), set(scorers._plugin_names))
    yield
    for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        del sys.modules[module]
    with scorers._lock:
        scorers._entries.clear()
        scorers._entries.update(saved[0])
        scorers._plugin_names.clear()
        scorers._plugin_names.update(saved[1])
        scorers._replaced.clear()
        scorers._discovered = True


def install_plugin(tmp: Path, monkeypatch: pytest.MonkeyPatch, code: str, entry_points: str) -> None:
    """A tiny installed distribution: a package and its dist-info with ``[riskkit.scorers]`` entry points."""
    package = tmp / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = tmp / f"{PACKAGE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[riskkit.scorers]\n{entry_points}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp))
    monkeypatch.delenv("RISKKIT_DISABLE_PLUGINS", raising=False)


# --- built-ins and look-ups --------------------------------------------------------------------


def test_five_c_is_built_in() -> None:
    entry = scorers.available()["five_c"]
    assert (entry.kind, entry.source) == ("factory", "riskkit (built-in)")
    assert entry.target is riskkit.scoring.five_c
    assert entry.description.startswith("The 5C expert scorecard")
    card = riskkit.get_scorer("five_c")
    assert isinstance(card, riskkit.ExpertScorecard)
    assert riskkit.get_scorer("five_c") is not card  # a factory builds a new one every time
    assert riskkit.get_scorer is scorers.get_scorer


def test_available_is_read_only() -> None:
    view = scorers.available()
    assert isinstance(view, MappingProxyType)
    with pytest.raises(TypeError):
        view["mine"] = object()  # type: ignore[index]
    assert "mine" not in scorers.available()


def test_an_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(RiskkitError, match=r"unknown scorer 'five_k'; available: .*five_c"):
        riskkit.get_scorer("five_k")
    with pytest.raises(RiskkitError, match="five_k"):
        scorers.source("five_k")
    with pytest.raises(RiskkitError, match="no scorer named 'five_k'"):
        scorers.unregister("five_k")


# --- register() --------------------------------------------------------------------------------


def test_register_a_class_a_factory_and_an_instance() -> None:
    class Fixed:
        """Always 50 points."""

        def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
            n = len(X["x"])
            return riskkit.ScoreResult(score=np.full(n, 50.0), pd=np.full(n, 0.1), grade=np.full(n, "B"))

    assert scorers.register("t_class")(Fixed) is Fixed
    factory = scorers.register("t_factory")(lambda: Fixed())
    instance = Fixed()
    scorers.register("t_instance")(instance)
    kinds = {name: scorers.available()[name].kind for name in ("t_class", "t_factory", "t_instance")}
    assert kinds == {"t_class": "class", "t_factory": "factory", "t_instance": "instance"}
    assert isinstance(riskkit.get_scorer("t_class"), Fixed)
    assert isinstance(riskkit.get_scorer("t_factory"), Fixed) and callable(factory)
    assert riskkit.get_scorer("t_instance") is instance
    assert scorers.available()["t_class"].description == "Always 50 points."
    assert scorers.source("t_class") == f"module {__name__}"
    assert "t_class" in repr(scorers.available()["t_class"])
    for name in ("t_class", "t_factory", "t_instance"):
        scorers.unregister(name)
    assert "t_class" not in scorers.available()


def test_register_refuses_bad_names_and_non_scorers() -> None:
    with pytest.raises(ValidationError, match="identifier-like"):
        scorers.register("not a name")
    with pytest.raises(DataTypeError, match="has no score"):
        scorers.register("t_bad")(int)
    with pytest.raises(DataTypeError, match="got str"):
        scorers.register("t_bad")("five_c")
    assert "t_bad" not in scorers.available()


def test_a_factory_building_a_non_scorer_is_an_error_naming_its_source() -> None:
    scorers.register("t_broken")(lambda: 42)
    with pytest.raises(DataTypeError, match=r"'t_broken' from module .* built a int, which is not a riskkit.Scorer"):
        riskkit.get_scorer("t_broken")

    def failing() -> Any:
        raise OSError("model file not found")

    scorers.register("t_failing")(failing)
    with pytest.raises(RiskkitError, match=r"building the scorer 't_failing' .* OSError: model file not found"):
        riskkit.get_scorer("t_failing")


def test_registering_a_taken_name_names_both_sources_unless_replacing() -> None:
    with pytest.raises(scorers.NameCollision, match=r"'five_c': one from riskkit \(built-in\), one from module "):
        scorers.register("five_c")(riskkit.scoring.five_c)
    scorers.register("five_c", replace=True)(riskkit.scoring.five_c)
    assert scorers.source("five_c") == "module riskkit.scoring._presets"


# --- entry points ------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "kind"), [("DemoScorer", "class"), ("make_demo", "factory"),
                                               ("demo_instance", "instance")])
def test_a_plugin_entry_point_is_discovered(tmp_path, monkeypatch, target: str, kind: str) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO, f"demo = {PACKAGE}:{target}")
    assert "demo" not in scorers.available()  # cached until refresh()
    scorers.refresh()
    entry = scorers.available()["demo"]
    assert entry.kind == kind
    assert scorers.source("demo") == f"package {DIST} (entry point 'demo')"
    scorer = riskkit.get_scorer("demo")
    assert isinstance(scorer, riskkit.Scorer)
    assert scorer.score({"payment_index": [80.0, 20.0]}).grade.tolist() == ["A", "B"]
    assert "five_c" in scorers.available()


def test_discovery_is_lazy_and_cached(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO, f"demo = {PACKAGE}:DemoScorer")
    with scorers._lock:  # as in a fresh process: no entry point read yet
        for name in scorers._plugin_names:
            del scorers._entries[name]
        scorers._plugin_names.clear()
        scorers._discovered = False
    assert PACKAGE not in sys.modules
    assert "demo" in scorers.available()  # the first look-up reads the entry points
    sys.path.remove(str(tmp_path))
    assert "demo" in scorers.available()  # ... and only the first
    scorers.refresh()
    assert "demo" not in scorers.available()


def test_a_plugin_module_registering_its_own_scorers(tmp_path, monkeypatch) -> None:
    code = DEMO + textwrap.dedent('''
        from riskkit.scoring import register

        register("demo_a")(DemoScorer)
        register("demo_b")(make_demo)
    ''')
    install_plugin(tmp_path, monkeypatch, code, f"anything = {PACKAGE}")
    scorers.refresh()
    assert {"demo_a", "demo_b"} <= set(scorers.available())
    assert "anything" not in scorers.available()
    assert DIST in scorers.source("demo_b")


def test_a_plugin_colliding_with_a_built_in_is_an_error_naming_both(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO, f"five_c = {PACKAGE}:DemoScorer")
    with pytest.raises(RiskkitError, match="five_c") as info:
        scorers.refresh()
    assert "riskkit (built-in)" in str(info.value)
    assert DIST in str(info.value)
    assert "replace=True" in str(info.value)


def test_a_plugin_may_replace_a_built_in_and_refresh_restores_it(tmp_path, monkeypatch) -> None:
    code = DEMO + textwrap.dedent('''
        from riskkit.scoring import register

        register("five_c", replace=True)(DemoScorer)
    ''')
    install_plugin(tmp_path, monkeypatch, code, f"override = {PACKAGE}")
    scorers.refresh()
    assert type(riskkit.get_scorer("five_c")).__name__ == "DemoScorer"
    sys.path.remove(str(tmp_path))
    scorers.refresh()
    assert scorers.source("five_c") == "riskkit (built-in)"


def test_a_broken_plugin_warns_with_its_package_and_is_skipped(tmp_path, monkeypatch) -> None:
    code = 'raise ImportError("riskkit_scorer_plugin_demo needs the package no_such_dependency")\n'
    install_plugin(tmp_path, monkeypatch, code, f"demo = {PACKAGE}:DemoScorer")
    with pytest.warns(RuntimeWarning, match=f"skipped the scorer plugin from package {DIST}") as caught:
        scorers.refresh()
    assert "no_such_dependency" in str(caught[0].message)
    assert "demo" not in scorers.available()
    assert isinstance(riskkit.get_scorer("five_c"), riskkit.ExpertScorecard)  # the others still work


def test_a_plugin_naming_something_that_is_not_a_scorer_warns(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, "NOT_A_SCORER = 42\n", f"demo = {PACKAGE}:NOT_A_SCORER")
    with pytest.warns(RuntimeWarning, match=f"{DIST}.*expected a Scorer class"):
        scorers.refresh()
    assert "demo" not in scorers.available()


def test_riskkit_disable_plugins_turns_discovery_off(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, DEMO, f"demo = {PACKAGE}:DemoScorer")
    monkeypatch.setenv("RISKKIT_DISABLE_PLUGINS", "1")
    scorers.refresh()
    assert "demo" not in scorers.available()
    assert "five_c" in scorers.available()
    monkeypatch.delenv("RISKKIT_DISABLE_PLUGINS")
    scorers.refresh()
    assert "demo" in scorers.available()


def test_importing_riskkit_with_a_broken_plugin_installed_does_not_fail(tmp_path, monkeypatch) -> None:
    install_plugin(tmp_path, monkeypatch, "raise ImportError('boom')\n", f"demo = {PACKAGE}:X")
    code = (
        "import warnings, riskkit\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    names = riskkit.scoring.available()\n"
        "print('five_c' in names, [str(x.message) for x in w])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    env.pop("RISKKIT_DISABLE_PLUGINS", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.startswith("True ")
    assert f"skipped the scorer plugin from package {DIST}" in out.stdout
    assert "ImportError: boom" in out.stdout


def test_all_is_exactly_the_public_names() -> None:
    defined_here = {n for n, o in vars(scorers).items()
                    if not n.startswith("_") and getattr(o, "__module__", None) == scorers.__name__}
    assert defined_here | {"GROUP"} == set(scorers.__all__)
    assert scorers.__all__ == sorted(scorers.__all__)


# --- check_scorer on riskkit's own scorers -----------------------------------------------------


@pytest.fixture(scope="module")
def german() -> tuple[dict[str, np.ndarray], np.ndarray]:
    X, y = riskkit.datasets.load_german_credit()
    return X, y


ALL_PASSED = {"protocol", "row_by_row", "deterministic", "reasons", "missing_column", "persistence", "threads"}


def test_check_scorer_on_five_c() -> None:
    report = check_scorer(riskkit.get_scorer("five_c"))
    assert report == dict.fromkeys(ALL_PASSED, "passed")


@pytest.mark.parametrize("cls", ["Scorecard", "LogisticScorer", "DecisionTreeScorer"])
def test_check_scorer_on_fitted_scorers(german, cls: str) -> None:
    X, y = german
    model = getattr(riskkit, cls)().fit(X, y)
    rows = {name: col[:300] for name, col in X.items()}
    assert check_scorer(model, rows) == dict.fromkeys(ALL_PASSED, "passed")


def test_check_scorer_on_a_dataframe_and_without_persistence(german) -> None:
    pd = pytest.importorskip("pandas")
    X, y = german
    model = riskkit.LogisticScorer().fit(X, y)
    frame = pd.DataFrame({name: col[:50] for name, col in X.items()}, index=[f"C{i}" for i in range(50)])
    report = check_scorer(model, frame, check_persistence=False)
    assert report["persistence"] == "skipped: check_persistence=False"


def test_check_scorer_on_a_positional_array(german) -> None:
    X, y = german
    A = np.column_stack([X[name] for name in ("duration_in_month", "credit_amount", "age_in_years")])
    report = check_scorer(riskkit.LogisticScorer().fit(A, y), A[:100])
    assert report["missing_column"] == "skipped: X is positional (a 2-D array), not named"
    assert report["row_by_row"] == report["threads"] == report["persistence"] == "passed"


def test_check_scorer_needs_x_for_scorers_off_portfolio_features(german) -> None:
    X, y = german
    model = riskkit.LogisticScorer().fit(X, y)
    with pytest.raises(ValidationError, match=r"does not score riskkit's portfolio features.*pass the rows"):
        check_scorer(model)


# --- check_scorer catches broken scorers -------------------------------------------------------


def _result(score: np.ndarray, pd: np.ndarray, reasons: int) -> riskkit.ScoreResult:
    n = score.shape[0]
    why = None
    if reasons:  # no feature ever loses points: every slot unused
        why = riskkit.Reasons(features=np.full((n, reasons), "", dtype=object),
                              values=np.full((n, reasons), None, dtype=object), points_lost=np.zeros((n, reasons)))
    return riskkit.ScoreResult(score=score, pd=pd, grade=np.full(n, "A"), reasons=why)


class _Base:
    def _index(self, X: Any) -> np.ndarray:
        try:
            return np.array(X["payment_index"], dtype=np.float64, ndmin=1)
        except KeyError:
            raise riskkit.SchemaError("X is missing the feature 'payment_index'") from None

    def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
        index = self._index(X)
        return _result(index, np.full(index.shape, 0.1), reasons)


class _BatchDependent(_Base):
    def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
        index = self._index(X)
        return _result(index - index.mean(), np.full(index.shape, 0.1), reasons)  # depends on the other rows


class _BadPd(_Base):
    def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
        index = self._index(X)
        return _result(index, index, reasons)


class _NoReasons(_Base):
    def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
        return _result(self._index(X), np.full(len(self._index(X)), 0.1), 0)


class _WrongError(_Base):
    def _index(self, X: Any) -> np.ndarray:
        return np.array(X["payment_index"], dtype=np.float64, ndmin=1)  # a bare KeyError


class _Unstable(_Base):
    calls = 0

    def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
        type(self).calls += 1
        index = self._index(X) + (type(self).calls > 2) * 1e-9
        return _result(index, np.full(index.shape, 0.1), reasons)


@pytest.mark.parametrize(("scorer", "message"), [
    (object(), "is not a riskkit.Scorer"),
    (_BatchDependent(), r"row_by_row: row 0 scored alone .* differs from the batch's"),
    (_BadPd(), r"protocol: pd of row 0 is .* outside \[0, 1\]"),
    (_NoReasons(), r"reasons: .* gave reasons=None, not a riskkit.Reasons"),
    (_WrongError(), r"missing_column: scoring X without 'payment_index' raised KeyError"),
    (_Unstable(), r"changed the scores of score\(X\): score of row 0"),
])
def test_check_scorer_fails_with_a_clear_message(scorer: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_scorer(scorer)
