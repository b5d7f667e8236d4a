"""LogisticScorer: scikit-learn conformance, hand-checked points, NaN and unknown levels, reasons, persistence."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit.datasets import load_german_credit
from riskkit.errors import NotFittedError, SchemaError, ValidationError
from riskkit.metrics import auc
from riskkit.scoring import Scaling
from riskkit.scoring._logistic import LogisticScorer

with warnings.catch_warnings():
    # riskkit's estimators deliberately do not inherit BaseEstimator (scoring must not import scikit-learn)
    warnings.filterwarnings("ignore", message=".*does not inherit from `sklearn.base.BaseEstimator`")
    from _sklearn_checks import expected_failed_checks
    from sklearn.utils.estimator_checks import parametrize_with_checks

    _CHECKS = parametrize_with_checks([LogisticScorer(), LogisticScorer(inputs="woe")], expected_failed_checks=expected_failed_checks)

SCALING = Scaling()


@_CHECKS
def test_sklearn_conformance(estimator: Any, check: Any) -> None:
    check(estimator)


# --------------------------------------------------------------------------- fixtures


def _mixed(n: int = 400, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Two numeric features (one with NaN) and two categorical ones (one with None)."""
    rng = np.random.default_rng(seed)
    dso = rng.gamma(3.0, 15.0, n)
    margin = rng.normal(0.05, 0.1, n)
    sector = rng.choice(np.array(["retail", "food", "mining", "construction"]), n)
    region = rng.choice(np.array(["north", "south", "east"], dtype=object), n)
    z = -1.5 + 0.03 * (dso - 45) - 4 * margin + np.where(sector == "construction", 1.0, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    dso[rng.random(n) < 0.1] = np.nan
    region[rng.random(n) < 0.1] = None
    return {"dso": dso, "margin": margin, "sector": sector, "region": region}, y


@pytest.fixture(scope="module")
def mixed() -> tuple[dict[str, np.ndarray], np.ndarray]:
    return _mixed()


@pytest.fixture(scope="module")
def raw_model(mixed: Any) -> LogisticScorer:
    X, y = mixed
    return LogisticScorer(unknown="missing").fit(X, y)


@pytest.fixture(scope="module")
def woe_model(mixed: Any) -> LogisticScorer:
    X, y = mixed
    return LogisticScorer(inputs="woe", unknown="missing").fit(X, y)


@pytest.fixture(scope="module")
def german() -> tuple[dict[str, np.ndarray], np.ndarray]:
    return load_german_credit()


def _by_hand(model: LogisticScorer, X: dict[str, np.ndarray]) -> np.ndarray:
    """Log-odds of bad computed from the coefficient report, feature by feature."""
    n = len(next(iter(X.values())))
    z = np.full(n, model.intercept_)
    coefs = {r["column"]: r["coefficient"] for r in model.coefficients()}
    for name, col in X.items():
        if name in model.means_:
            x = np.asarray(col, dtype=float)
            nan = np.isnan(x)
            z += np.where(nan, 0.0, coefs[name] * (x - model.means_[name]) / model.scales_[name])
            z += np.where(nan, coefs.get(f"{name} is missing", 0.0), 0.0)
        else:
            z += np.array([coefs.get(f"{name} = {'(missing)' if v is None else v}", 0.0) for v in col])
    return z


# --------------------------------------------------------------------------- hand-checked points


def test_score_is_offset_minus_factor_times_log_odds(raw_model: LogisticScorer, mixed: Any) -> None:
    X, _ = mixed
    r = raw_model.score(X)
    z = _by_hand(raw_model, X)
    np.testing.assert_allclose(r.score, SCALING.offset - SCALING.factor * z, rtol=0, atol=1e-9)
    # the PD is the scaling's PD of the score, bit for bit
    assert np.array_equal(r.pd, SCALING.pd(r.score))
    np.testing.assert_allclose(r.pd, 1 / (1 + np.exp(-z)), rtol=1e-12)


def test_matches_scikit_learn_pipeline_on_numeric_data() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(3)
    X = rng.normal([100.0, 0.0, 5.0], [30.0, 1.0, 0.1], size=(500, 3))
    y = (rng.random(500) < 1 / (1 + np.exp(-(X[:, 1] + (X[:, 0] - 100) / 30)))).astype(int)
    ours = LogisticScorer(C=0.5).fit(X, y)
    theirs = make_pipeline(StandardScaler(), LogisticRegression(C=0.5)).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.coef_, theirs[-1].coef_[0], atol=1e-5)


def test_tiny_categorical_example_by_hand() -> None:
    X = {"sector": np.array(["a"] * 10 + ["b"] * 10)}
    y = np.array([0] * 8 + [1] * 2 + [0] * 4 + [1] * 6)
    m = LogisticScorer(C=1e6, unknown="missing").fit(X, y)  # C large: essentially unpenalised
    assert m.columns_ == ("sector = a", "sector = b")
    pd = m.score({"sector": ["a", "b", "zzz"]}).pd
    # unpenalised one-hot: each level's PD is its bad rate
    np.testing.assert_allclose(pd[:2], [0.2, 0.6], atol=1e-4)
    # an unknown level with unknown="missing" scores the intercept alone
    assert pd[2] == pytest.approx(1 / (1 + math.exp(-m.intercept_)), rel=1e-12)


def test_scaling_parameters_move_the_points(mixed: Any) -> None:
    X, y = mixed
    a = LogisticScorer().fit(X, y).score(X)
    b = LogisticScorer(base_score=60, base_odds=50, pdo=10).fit(X, y).score(X)
    np.testing.assert_allclose(a.pd, b.pd, rtol=1e-12)
    # 600 at 50:1 with 20 per doubling against 60 at 50:1 with 10 per doubling
    np.testing.assert_allclose(b.score - 60, (a.score - 600) / 2, atol=1e-9)


@pytest.mark.parametrize("scaling", [{}, {"base_score": 60, "base_odds": 20, "pdo": 10}])
def test_pd_is_the_scalings_pd_of_the_score_bit_for_bit(mixed: Any, scaling: dict[str, float]) -> None:
    X, y = mixed
    model = LogisticScorer(**scaling).fit(X, y)
    r = model.score(X, grade_defaults=False)
    assert np.array_equal(r.pd, model.scaling_.pd(r.score), equal_nan=True)


# --------------------------------------------------------------------------- missing values


def test_nan_gets_an_indicator_and_the_mean(raw_model: LogisticScorer, mixed: Any) -> None:
    X, _ = mixed
    assert "dso is missing" in raw_model.columns_
    assert "margin is missing" not in raw_model.columns_
    assert "region = (missing)" in raw_model.columns_
    assert raw_model.means_["dso"] == pytest.approx(np.nanmean(X["dso"]))
    assert raw_model.scales_["dso"] == pytest.approx(np.nanstd(X["dso"]))
    row = {"dso": [np.nan], "margin": [0.0], "sector": ["food"], "region": ["north"]}
    at_mean = dict(row, dso=[raw_model.means_["dso"]])
    coef = dict(zip(raw_model.columns_, raw_model.coef_, strict=True))
    delta = raw_model.score(row).score[0] - raw_model.score(at_mean).score[0]
    assert delta == pytest.approx(-SCALING.factor * coef["dso is missing"], abs=1e-9)


def test_nan_in_a_feature_without_nan_in_training_scores_as_the_mean(raw_model: LogisticScorer) -> None:
    row = {"dso": [30.0], "margin": [np.nan], "sector": ["food"], "region": ["north"]}
    at_mean = dict(row, margin=[raw_model.means_["margin"]])
    assert np.array_equal(raw_model.score(row).score, raw_model.score(at_mean).score)


def test_missing_category_never_seen_in_training_scores_zero_points() -> None:
    X = {"sector": np.array(["a", "b"] * 20), "x": np.arange(40.0)}
    y = np.array([0, 1, 1, 0] * 10)
    m = LogisticScorer().fit(X, y)
    missing = m.score({"sector": [None], "x": [19.5]}).score[0]
    coef = dict(zip(m.columns_, m.coef_, strict=True))
    intercept_only = SCALING.offset - SCALING.factor * (
        m.intercept_ + coef["x"] * (19.5 - 19.5) / m.scales_["x"]
    )
    assert missing == pytest.approx(intercept_only, abs=1e-9)


def test_infinity_is_refused_naming_feature_and_row(raw_model: LogisticScorer, mixed: Any) -> None:
    X, y = mixed
    bad = dict(X, margin=X["margin"].copy())
    bad["margin"][7] = np.inf
    with pytest.raises(ValidationError, match=r"'margin' row 7: inf is infinite") as e:
        LogisticScorer().fit(bad, y)
    assert e.value.field == "margin" and e.value.row == 7
    with pytest.raises(ValidationError, match=r"'margin' row 7: inf is infinite"):
        raw_model.score(bad)
    with pytest.raises(ValidationError, match=r"'dso' row 1: -inf is infinite"):
        raw_model.score(dict(X, dso=np.array([1.0, -np.inf] + [1.0] * (len(y) - 2))))


def test_woe_mode_scores_missing_in_the_missing_bin(woe_model: LogisticScorer) -> None:
    b = woe_model.binnings_["dso"]
    coef = dict(zip(woe_model.columns_, woe_model.coef_, strict=True))
    row = {"dso": [np.nan], "margin": [0.0], "sector": ["food"], "region": ["north"]}
    other = dict(row, dso=[1.0])
    idx = int(b.bin_index([1.0])[0])
    delta = woe_model.score(row).score[0] - woe_model.score(other).score[0]
    expected = -SCALING.factor * coef["WoE(dso)"] * (b.woe[b.missing_bin] - b.woe[idx])
    assert delta == pytest.approx(expected, abs=1e-9)


# --------------------------------------------------------------------------- unknown levels


@pytest.mark.parametrize("inputs", ["raw", "woe"])
def test_unknown_level_error_names_feature_value_and_row(mixed: Any, inputs: str) -> None:
    X, y = mixed
    m = LogisticScorer(inputs=inputs).fit(X, y)
    sector = X["sector"].astype(object).copy()
    sector[5] = "space travel"
    with pytest.raises(
        ValidationError, match=r"feature 'sector' row 5: category 'space travel' was not seen"
    ) as e:
        m.score(dict(X, sector=sector))
    assert (e.value.field, e.value.row, e.value.value) == ("sector", 5, "space travel")


def test_unknown_level_policies_raw(mixed: Any) -> None:
    X, y = mixed
    row = {"dso": [40.0], "margin": [0.02], "sector": ["space travel"], "region": ["north"]}
    coef = dict(zip(LogisticScorer().fit(X, y).columns_, LogisticScorer().fit(X, y).coef_, strict=True))
    worst_level = max(["construction", "food", "mining", "retail"], key=lambda v: coef[f"sector = {v}"])
    assert worst_level == "construction"
    worst = LogisticScorer(unknown="worst").fit(X, y)
    assert np.array_equal(worst.score(row).score, worst.score(dict(row, sector=[worst_level])).score)
    missing = LogisticScorer(unknown="missing").fit(X, y)
    expected = missing.score(dict(row, sector=["food"])).score[0] + SCALING.factor * coef["sector = food"]
    assert missing.score(row).score[0] == pytest.approx(expected, abs=1e-9)


def test_unknown_level_policies_woe(mixed: Any) -> None:
    X, y = mixed
    row = {"dso": [40.0], "margin": [0.02], "sector": ["space travel"], "region": ["north"]}
    missing = LogisticScorer(inputs="woe", unknown="missing").fit(X, y)
    assert np.array_equal(missing.score(row).score, missing.score(dict(row, sector=[None])).score)
    worst = LogisticScorer(inputs="woe", unknown="worst").fit(X, y)
    levels = ["construction", "food", "mining", "retail"]
    lowest = min(worst.score(dict(row, sector=[v])).score[0] for v in levels)
    assert worst.score(row).score[0] == lowest


# --------------------------------------------------------------------------- reasons


def test_reasons_are_points_lost_against_the_training_best(raw_model: LogisticScorer, mixed: Any) -> None:
    X, _ = mixed
    r = raw_model.score(X, reasons=4)
    z = _by_hand(raw_model, X)
    coefs = dict(zip(raw_model.columns_, raw_model.coef_, strict=True))
    # contributions add up to the score, with the intercept's points
    contrib = {}
    for name in X:
        if name in raw_model.means_:
            x = X[name]
            c = -SCALING.factor * coefs[name] * (x - raw_model.means_[name]) / raw_model.scales_[name]
            contrib[name] = np.where(np.isnan(x), -SCALING.factor * coefs.get(f"{name} is missing", 0.0), c)
        else:
            labels = [f"{name} = {'(missing)' if v is None else v}" for v in X[name]]
            contrib[name] = -SCALING.factor * np.array([coefs.get(c, 0.0) for c in labels])
    total = SCALING.offset - SCALING.factor * raw_model.intercept_ + sum(contrib.values())
    np.testing.assert_allclose(total, SCALING.offset - SCALING.factor * z, atol=1e-9)
    for name, c in contrib.items():
        assert raw_model.best_points_[name] == pytest.approx(c.max(), abs=1e-12)
    for i in range(0, len(r), 37):
        reasons = r.reasons.row(i)
        lost = [p for _, _, p in reasons]
        assert lost == sorted(lost, reverse=True) and all(p > 0 for p in lost)
        for feature, value, points in reasons:
            assert points == pytest.approx(raw_model.best_points_[feature] - contrib[feature][i], abs=1e-9)
            v = X[feature][i]
            assert value == v or (value is None and v is None) or (np.isnan(value) and np.isnan(v))


def test_a_best_row_has_no_reasons() -> None:
    X = {"x": np.arange(20.0), "c": np.array(["a", "b"] * 10)}
    y = (np.arange(20) % 3 == 0).astype(int) | (np.arange(20) > 15)
    m = LogisticScorer().fit(X, y)
    best_x = 0.0 if m.coef_[0] > 0 else 19.0
    best_c = "a" if m.coef_[1] < m.coef_[2] else "b"
    r = m.score({"x": [best_x], "c": [best_c]}, reasons=2)
    assert r.reasons.row(0) == []
    assert r.reasons.features[0].tolist() == ["", ""]


@pytest.mark.parametrize("k", [0, 1, 10])
def test_reasons_count(raw_model: LogisticScorer, mixed: Any, k: int) -> None:
    X, _ = mixed
    r = raw_model.score(X, reasons=k)
    if k == 0:
        assert r.reasons is None
    else:
        assert r.reasons.features.shape == (len(r), k)  # always (n, k); unused slots are empty


def test_reasons_must_be_a_whole_number(raw_model: LogisticScorer, mixed: Any) -> None:
    with pytest.raises(ValidationError, match="reasons"):
        raw_model.score(mixed[0], reasons=-1)


# --------------------------------------------------------------------------- batch = row by row


_LEVELS = ["retail", "food", "mining", "construction", "space travel", None]
_REGIONS = ["north", "south", "east", "west", None]
_rows = st.lists(
    st.tuples(
        st.one_of(st.floats(0, 200), st.just(np.nan)),
        st.floats(-1, 1),
        st.sampled_from(_LEVELS),
        st.sampled_from(_REGIONS),
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize("inputs", ["raw", "woe"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows)
def test_batch_equals_row_by_row(
    raw_model: Any, woe_model: Any, inputs: str, rows: list[tuple[Any, ...]]
) -> None:
    model = raw_model if inputs == "raw" else woe_model
    cols = list(zip(*rows, strict=True))
    X = {
        "dso": np.array(cols[0], dtype=float),
        "margin": np.array(cols[1], dtype=float),
        "sector": np.array(cols[2], dtype=object),
        "region": np.array(cols[3], dtype=object),
    }
    batch = model.score(X, reasons=2)
    for i in range(len(rows)):
        one = model.score({k: v[i : i + 1] for k, v in X.items()}, reasons=2)
        assert one.score[0] == batch.score[i]
        assert one.pd[0] == batch.pd[i]
        assert one.grade[0] == batch.grade[i]
        assert one.reasons is not None and batch.reasons is not None
        assert one.reasons.features[0].tolist() == batch.reasons.features[i].tolist()
        assert one.reasons.points_lost[0].tolist() == batch.reasons.points_lost[i].tolist()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 70_000), st.integers(0, 2**32 - 1))
def test_array_input_block_by_block_equals_row_by_row(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = _numeric_model()
    X = rng.normal(size=(n, 5)) * [1, 10, 100, 0.1, 1]
    X[rng.random((n, 5)) < 0.01] = np.nan
    batch = model.score(X)
    rows = rng.choice(n, size=min(n, 30), replace=False)
    for i in rows:
        assert model.score(X[i : i + 1]).score[0] == batch.score[i]
    # the same data as named columns scores identically
    named = model.score({f"x{j}": X[:, j] for j in range(5)})
    assert np.array_equal(named.score, batch.score)
    assert np.array_equal(model.predict_proba(np.asfortranarray(X)), model.predict_proba(X))


_NUMERIC: list[LogisticScorer] = []


def _numeric_model() -> LogisticScorer:
    if not _NUMERIC:
        rng = np.random.default_rng(1)
        X = rng.normal(size=(300, 5)) * [1, 10, 100, 0.1, 1]
        X[rng.random((300, 5)) < 0.05] = np.nan
        y = (rng.random(300) < 0.3).astype(int)
        _NUMERIC.append(LogisticScorer().fit(X, y))
    return _NUMERIC[0]


# --------------------------------------------------------------------------- persistence


@pytest.mark.parametrize("inputs", ["raw", "woe"])
def test_json_round_trip_is_bit_identical(tmp_path: Any, mixed: Any, inputs: str) -> None:
    X, y = mixed
    m = LogisticScorer(
        inputs=inputs,
        unknown="worst",
        categorical=["sector"],
        master_scale="expert_100",
        base_score=60,
        pdo=10,
    ).fit(X, y)
    path = tmp_path / "model.json"
    riskkit.save(m, path)
    doc = json.loads(path.read_text())
    assert doc["type"] == "LogisticScorer"
    loaded = riskkit.load(path)
    assert type(loaded) is LogisticScorer
    assert loaded.get_params() == {**m.get_params(), "master_scale": loaded.master_scale}
    a, b = m.score(X, reasons=3), loaded.score(X, reasons=3)
    for attr in ("score", "pd", "grade"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr))
    assert np.array_equal(a.reasons.points_lost, b.reasons.points_lost)
    assert np.array_equal(m.predict_proba(X), loaded.predict_proba(X))
    assert np.array_equal(m.decision_function(X), loaded.decision_function(X))
    assert loaded.columns_ == m.columns_
    assert loaded.coefficients() == m.coefficients()


def test_loading_and_scoring_does_not_import_sklearn(tmp_path: Any, mixed: Any) -> None:
    X, y = mixed
    paths = []
    for inputs in ("raw", "woe"):
        path = tmp_path / f"{inputs}.json"
        riskkit.save(LogisticScorer(inputs=inputs).fit(X, y), path)
        paths.append(os.fspath(path))
    code = (
        "import sys, numpy as np, riskkit\n"
        f"X = {{'dso': np.array([10.0, np.nan]), 'margin': np.array([0.1, 0.0]),"
        " 'sector': np.array(['food', 'retail'], dtype=object), 'region': np.array([None, 'east'], dtype=object)}\n"
        f"for p in {paths!r}:\n"
        "    m = riskkit.load(p)\n"
        "    m.score(X, reasons=2); m.predict_proba(X); m.predict(X); m.coefficients()\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_tampered_document_is_refused(tmp_path: Any, mixed: Any) -> None:
    X, y = mixed
    path = tmp_path / "m.json"
    riskkit.save(LogisticScorer().fit(X, y), path)
    doc = json.loads(path.read_text())
    doc["body"]["coef"] = doc["body"]["coef"][:-1]
    import hashlib

    from riskkit.persistence import _canonical

    doc["sha256"] = hashlib.sha256(_canonical(doc["body"])).hexdigest()
    path.write_text(json.dumps(doc))
    with pytest.raises(riskkit.FormatError, match="coefficients"):
        riskkit.load(path)


def test_pickle_round_trip(raw_model: LogisticScorer, mixed: Any) -> None:
    import pickle

    again = pickle.loads(pickle.dumps(raw_model))
    assert np.array_equal(again.score(mixed[0]).score, raw_model.score(mixed[0]).score)


# --------------------------------------------------------------------------- German credit and the API


def test_german_credit_sanity(german: Any) -> None:
    X, y = german
    m = LogisticScorer().fit(X, y)
    r = m.score(X, reasons=3)
    assert auc(y, r.pd) > 0.8
    coef = dict(zip(m.columns_, m.coef_, strict=True))
    assert coef["duration_in_month"] > 0  # longer credits are riskier
    assert coef["status_of_existing_checking_account = no checking account"] < 0
    assert coef["status_of_existing_checking_account = ... < 0 DM"] > 0
    # mean PD close to the bad rate (an intercept is fitted)
    assert abs(r.pd.mean() - y.mean()) < 0.01
    p = m.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(m.decision_function(X), np.log(p[:, 1] / p[:, 0]), atol=1e-9)
    assert set(m.predict(X).tolist()) <= {0, 1}
    woe = LogisticScorer(inputs="woe").fit(X, y)
    assert auc(y, woe.score(X).pd) > 0.8
    assert woe.columns_ == tuple(f"WoE({n})" for n in X)
    # WoE = ln(%good/%bad): a feature that separates gets a negative coefficient on bad
    assert dict(zip(woe.columns_, woe.coef_, strict=True))["WoE(status_of_existing_checking_account)"] < 0


def test_coefficients_report(raw_model: LogisticScorer) -> None:
    rows = raw_model.coefficients()
    assert len(rows) == 1 + len(raw_model.columns_)
    assert rows[0]["column"] == "(intercept)" and rows[0]["coefficient"] == raw_model.intercept_
    by_column = {r["column"]: r for r in rows}
    dso = by_column["dso"]
    assert dso["std"] == raw_model.scales_["dso"]
    assert dso["odds_ratio"] == pytest.approx(math.exp(dso["coefficient"]))
    assert dso["points_per_unit"] == pytest.approx(-SCALING.factor * dso["coefficient"] / dso["std"])
    one_hot = by_column["sector = food"]
    assert one_hot["std"] is None and one_hot["feature"] == "sector"
    assert one_hot["points_per_unit"] == pytest.approx(-SCALING.factor * one_hot["coefficient"])
    html = raw_model._repr_html_()
    assert "<table" in html and "dso is missing" in html
    assert LogisticScorer()._repr_html_().startswith("<pre>")


def test_string_labels_and_bad_label() -> None:
    X, y01 = _mixed(200, seed=4)
    y = np.where(y01 == 1, "bad", "good")
    m = LogisticScorer(bad_label="bad").fit(X, y)
    assert m.classes_.tolist() == ["bad", "good"]
    r = m.score(X)
    # classes_[1] is "good": column 0 holds the PD
    np.testing.assert_array_equal(m.predict_proba(X)[:, 0], r.pd)
    assert (m.decision_function(X) > 0).tolist() == (r.pd < 0.5).tolist()
    reference = LogisticScorer().fit(X, y01).score(X)
    np.testing.assert_allclose(reference.pd, r.pd, rtol=1e-9)


def test_dataframe_input_keeps_customer_ids(mixed: Any, raw_model: LogisticScorer) -> None:
    pd = pytest.importorskip("pandas")
    X, _ = mixed
    frame = pd.DataFrame(X, index=[f"C{i}" for i in range(len(X["dso"]))])
    r = raw_model.score(frame)
    assert r.customer_ids[0] == "C0"
    assert np.array_equal(r.score, raw_model.score(X).score)
    with pytest.raises(SchemaError, match="'margin'"):
        raw_model.score(frame.drop(columns="margin"))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"inputs": "binned"}, "inputs"),
        ({"C": 0}, "C"),
        ({"C": -1.0}, "C"),
        ({"unknown": "ignore"}, "unknown"),
        ({"min_bin_size": 0.7}, "min_bin_size"),
        ({"max_n_prebins": 1}, "max_n_prebins"),
        ({"monotonic_trend": "up"}, "monotonic_trend"),
        ({"categorical": ["nope"]}, "categorical"),
        ({"categorical": "sector"}, "categorical"),
        ({"bad_label": 7}, "bad_label"),
    ],
)
def test_invalid_parameters_name_the_field(mixed: Any, params: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as e:
        LogisticScorer(**params).fit(*mixed)
    assert e.value.field == field


def test_unfitted_use_raises_not_fitted(mixed: Any) -> None:
    with pytest.raises(NotFittedError):
        LogisticScorer().score(mixed[0])
    with pytest.raises(NotFittedError):
        LogisticScorer().coefficients()
    with pytest.raises(ValidationError, match="cannot save"):
        riskkit.save(object(), "x.json")


def test_forced_categorical_integer_codes() -> None:
    X = {"code": np.array([1, 2, 3, 1, 2, 3] * 10), "x": np.linspace(0, 1, 60)}
    y = np.array([0, 0, 1, 0, 1, 1] * 10)
    m = LogisticScorer(categorical=["code"]).fit(X, y)
    assert m.categories_["code"] == ("1", "2", "3")
    assert "code = 3" in m.columns_
    assert m.score({"code": [3], "x": [0.5]}).pd[0] > m.score({"code": [1], "x": [0.5]}).pd[0]


def test_rows_across_block_boundaries_score_as_single_rows() -> None:
    model = _numeric_model()
    rng = np.random.default_rng(7)
    X = rng.normal(size=(100_000, 5)) * [1, 10, 100, 0.1, 1]
    X[rng.random((100_000, 5)) < 0.01] = np.nan
    batch = model.score(X)
    for i in [0, 32767, 32768, 32769, 65535, 65536, 99_999, *rng.choice(100_000, 50).tolist()]:
        assert model.score(X[i : i + 1]).score[0] == batch.score[i]


def test_refit_with_other_inputs_keeps_nothing_of_the_last_fit(mixed: Any) -> None:
    m = LogisticScorer().fit(*mixed)
    assert hasattr(m, "means_")
    m.set_params(inputs="woe").fit(*mixed)
    assert not hasattr(m, "means_") and not hasattr(m, "categories_")
    assert set(m.binnings_) == set(mixed[0])
    m.set_params(inputs="raw").fit(np.column_stack([mixed[0]["dso"], mixed[0]["margin"]]), mixed[1])
    assert not hasattr(m, "binnings_") and not hasattr(m, "feature_names_in_")


def test_worst_is_a_training_level_never_missing() -> None:
    # the missing level is the riskiest here, but "worst" picks among real levels
    X = {"c": np.array(["a"] * 20 + ["b"] * 20 + [None] * 20, dtype=object)}
    y = np.array([0] * 18 + [1] * 2 + [0] * 12 + [1] * 8 + [1] * 18 + [0] * 2)
    m = LogisticScorer(unknown="worst").fit(X, y)
    assert m.categories_["c"] == ("a", "b", None)
    assert m.score({"c": ["zzz"]}).score[0] == m.score({"c": ["b"]}).score[0]
    assert m.score({"c": [None]}).score[0] < m.score({"c": ["b"]}).score[0]


@pytest.mark.parametrize("model", ["logistic", "tree"])
def test_categories_differing_by_a_trailing_nul_stay_apart(model: str) -> None:
    # numpy's str dtype strips trailing NULs, so "a\0" must never be compared as a numpy string
    from riskkit.scoring import DecisionTreeScorer

    X = {"c": np.array(["a", "a\x00", "b", "a", "b", "a\x00"] * 30, dtype=object), "x": np.arange(180.0)}
    y = np.array([0, 1, 0, 0, 1, 1] * 30)
    est = LogisticScorer(categorical=["c"]) if model == "logistic" else DecisionTreeScorer(categorical=["c"])
    est.fit(X, y)
    r = est.score({"c": np.array(["a", "a\x00"], dtype=object), "x": np.array([1.0, 1.0])})
    assert r.score[0] > r.score[1]  # "a" is always good, "a\0" always bad


@pytest.mark.parametrize("model", ["logistic", "tree"])
def test_one_customer_as_a_dict_equals_its_batch_row(model: str) -> None:
    import riskkit
    from riskkit.scoring import DecisionTreeScorer

    X, y = riskkit.datasets.load_german_credit()
    est = (LogisticScorer() if model == "logistic" else DecisionTreeScorer()).fit(X, y)
    batch = est.score(X, reasons=2)
    for i in (0, 17, 500):
        row = {k: (v[i].item() if isinstance(v[i], np.generic) else v[i]) for k, v in X.items()}
        one = est.score(row, reasons=2)
        assert np.array_equal(one.score, batch.score[i : i + 1])
        assert one.grade[0] == batch.grade[i]
        assert one.reasons is not None and batch.reasons is not None
        assert one.reasons.row(0) == batch.reasons.row(i)


# --------------------------------------------------------------------------- regressions: bad inputs and files


def _resave(model: Any, tmp_path: Any, change: Any) -> Any:
    """Save, change the body, recompute the checksum, load: only riskkit's value checks remain."""
    import hashlib

    from riskkit.persistence import _canonical

    path = tmp_path / "m.json"
    riskkit.save(model, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc["body"])
    doc["sha256"] = hashlib.sha256(_canonical(doc["body"])).hexdigest()
    path.write_text(json.dumps(doc), encoding="utf-8")
    return riskkit.load(path)


def test_a_customer_with_decimal_and_pandas_na_scores_as_floats(raw_model: LogisticScorer) -> None:
    import decimal

    import pandas as pd

    row = {"dso": decimal.Decimal("41.5"), "margin": pd.NA, "sector": "food", "region": None}
    same = {"dso": np.array([41.5]), "margin": np.array([np.nan]), "sector": ["food"], "region": [None]}
    assert raw_model.score(row).score.tobytes() == raw_model.score(same).score.tobytes()
    frame = pd.DataFrame({"dso": [decimal.Decimal("41.5")], "margin": [pd.NA], "sector": ["food"], "region": [None]})
    assert raw_model.score(frame.iloc[0].to_dict()).score.tobytes() == raw_model.score(same).score.tobytes()
    with pytest.raises(ValidationError, match=r"'dso'.*too large"):
        raw_model.score({**row, "dso": decimal.Decimal("1e400")})
    with pytest.raises(ValidationError, match=r"'dso'.*too large"):
        raw_model.score({**row, "dso": 10**400})


def test_a_bool_in_a_categorical_feature_is_refused_alike_in_batch_and_single_row(raw_model: LogisticScorer) -> None:
    row = {"dso": 1.0, "margin": 0.1, "sector": True, "region": "north"}
    for X in (row, {k: [v] for k, v in row.items()}, {k: np.array([v], dtype=object) for k, v in row.items()}):
        with pytest.raises(ValidationError, match=r"'sector'.*bool"):
            raw_model.score(X)


@pytest.mark.parametrize(
    ("y", "match"),
    [
        ([None] * 400, "missing"),
        (np.linspace(0.01, 0.99, 400), "continuous"),
        (np.zeros((400, 2)), r"shape \(400, 2\)"),
        (None, "requires y"),
    ],
)
def test_fit_refuses_bad_targets_with_a_riskkit_error(mixed: Any, y: Any, match: str) -> None:
    from riskkit.scoring import DecisionTreeScorer

    for cls in (LogisticScorer, DecisionTreeScorer):
        with pytest.raises(ValidationError, match=match):
            cls().fit(mixed[0], y)


def test_one_huge_value_does_not_make_a_degenerate_model(mixed: Any) -> None:
    X, y = mixed
    X = {**X, "margin": X["margin"].copy()}
    X["margin"][0] = 1e308
    model = LogisticScorer().fit(X, y)
    assert np.isfinite(model.coef_).all() and np.abs(model.coef_).max() > 0.01
    assert math.isfinite(model.means_["margin"]) and model.scales_["margin"] > 0
    assert auc(y, model.predict_proba(X)[:, 1]) > 0.6


def test_reasons_beyond_the_features_are_empty_slots(mixed: Any) -> None:
    X, y = mixed
    two = {"dso": X["dso"], "margin": X["margin"]}
    model = LogisticScorer().fit(two, y)
    r = model.score(two, reasons=5)
    assert r.reasons.features.shape == r.reasons.values.shape == r.reasons.points_lost.shape == (400, 5)
    assert (r.reasons.features[:, 2:] == "").all() and (r.reasons.points_lost[:, 2:] == 0.0).all()
    assert all(v is None for v in r.reasons.values[:, 2:].ravel())


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b["scales"].__setitem__("dso", 0.0), "body.scales.dso"),
        (lambda b: b["coef"].__setitem__(3, "nan"), r"body.coef\[3\]"),
        (lambda b: b["means"].__setitem__("margin", "inf"), "body.means.margin"),
        (lambda b: b["indicator"].__setitem__("dso", "false"), "body.indicator.dso"),
        (lambda b: b["categories"]["sector"].append(b["categories"]["sector"][0]), r"body.categories.sector\[4\]"),
        (lambda b: b.__setitem__("bad_positive", 1), "body.bad_positive"),
        (lambda b: b["coef"].append(0.5), "body.coef"),
        (lambda b: b.__setitem__("intercept", 10**400), "body.intercept"),
        (lambda b: b["params"].__setitem__("pdo", 0), "body.params.pdo"),
    ],
)
def test_a_model_file_with_a_valid_checksum_is_checked_value_by_value(
    raw_model: LogisticScorer, tmp_path: Any, change: Any, where: str
) -> None:
    with pytest.raises(riskkit.errors.FormatError, match=where):
        _resave(raw_model, tmp_path, change)
