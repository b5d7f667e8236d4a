"""The scorer registry's kind-specific behaviour (scorer kinds, building) and the conformance kit.

What every registry does (discovery, collisions, refresh, broken and disabled plugins) is tested
once for both registries in tests/test_plugins.py.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from test_plugins import DIST, PACKAGE, SCORER_DEMO, install_plugin, restored

import riskkit
from riskkit.errors import DataTypeError, RiskkitError, ValidationError
from riskkit.scoring import _registry as scorers
from riskkit.testing import check_scorer


@pytest.fixture(autouse=True)
def restore_registry() -> Iterator[None]:
    """Put the registry back as it was, whatever a test registered, replaced or broke."""
    with restored(scorers._REGISTRY):
        yield


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


def test_a_plugin_module_may_register_a_factory(tmp_path, monkeypatch) -> None:
    code = SCORER_DEMO + textwrap.dedent('''
        from riskkit.scoring import register

        register("demo_b")(make_demo)
    ''')
    install_plugin(tmp_path, monkeypatch, scorers.GROUP, code, f"anything = {PACKAGE}")
    scorers.refresh()
    assert scorers.available()["demo_b"].kind == "factory"
    assert DIST in scorers.source("demo_b")
    assert type(riskkit.get_scorer("demo_b")).__name__ == "Demo"


# --- entry points ------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "kind"), [("Demo", "class"), ("make_demo", "factory"),
                                               ("demo_instance", "instance")])
def test_a_plugin_entry_point_is_discovered(tmp_path, monkeypatch, target: str, kind: str) -> None:
    install_plugin(tmp_path, monkeypatch, scorers.GROUP, SCORER_DEMO, f"demo = {PACKAGE}:{target}")
    assert "demo" not in scorers.available()  # cached until refresh()
    scorers.refresh()
    entry = scorers.available()["demo"]
    assert entry.kind == kind
    assert scorers.source("demo") == f"package {DIST} (entry point 'demo')"
    scorer = riskkit.get_scorer("demo")
    assert isinstance(scorer, riskkit.Scorer)
    assert scorer.score({"payment_index": [80.0, 20.0]}).grade.tolist() == ["A", "B"]
    assert "five_c" in scorers.available()


def test_all_is_exactly_the_public_names() -> None:
    defined_here = {n for n, o in vars(scorers).items() if not n.startswith("_") and (
        getattr(o, "__module__", None) == scorers.__name__ or getattr(o, "__self__", None) is scorers._REGISTRY)}
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
