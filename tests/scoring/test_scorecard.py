"""The fitted Scorecard: scikit-learn conformance, scaling and sign conventions, input forms, reasons."""

from __future__ import annotations

import math
import warnings
from typing import Any

import _reference as reference
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskkit import FeatureFrame, Scorecard, ScoreResult
from riskkit.errors import NotFittedError, RiskkitError, SchemaError, ValidationError

with warnings.catch_warnings():
    # riskkit's estimators deliberately do not inherit BaseEstimator (scoring must not import scikit-learn)
    warnings.simplefilter("ignore", UserWarning)
    from _sklearn_checks import expected_failed_checks
    from sklearn.utils.estimator_checks import parametrize_with_checks

    _CHECKS = parametrize_with_checks([Scorecard()], expected_failed_checks=expected_failed_checks)

FIT_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_CHECKS
def test_sklearn_conformance(estimator: Any, check: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


# --------------------------------------------------------------------------- data


def _book(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A book with a strong numeric feature (NaN, +-inf, special -999), a categorical one and noise."""
    rng = np.random.default_rng(seed)
    dpd = rng.gamma(2.0, 10.0, size=n)
    sector = rng.choice(["retail", "food, drink", 'say "hi"', "bâtiment"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    sector = sector.astype(object)
    effect = {"retail": -0.5, "food, drink": 0.0, 'say "hi"': 0.6, "bâtiment": 1.2}
    logit = -3.5 + 0.06 * dpd + np.array([effect[s] for s in sector])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    dpd[:60] = np.nan
    dpd[60:100] = -999.0
    dpd[100:105] = np.inf
    dpd[105:110] = -np.inf
    sector[110:160] = None
    noise = rng.normal(size=n)
    return pd.DataFrame({"dpd": dpd, "sector": sector, "noise": noise}), y


@pytest.fixture(scope="module")
def book() -> tuple[pd.DataFrame, np.ndarray]:
    return _book()


@pytest.fixture(scope="module")
def fitted(book: tuple[pd.DataFrame, np.ndarray]) -> Scorecard:
    X, y = book
    return Scorecard(special_codes=[-999]).fit(X, y)


def _columns(sc: Any, X: Any) -> dict[str, np.ndarray]:
    """X read the way the scorer reads it (float64 / object str-or-None columns)."""
    return sc._read(X)[1].columns


def _sum_in_card_order(points: np.ndarray) -> np.ndarray:
    total = np.zeros(points.shape[0])
    for j in range(points.shape[1]):
        total += points[:, j]
    return total


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


# --------------------------------------------------------------------------- random fitted scorecards

LEVEL = st.one_of(
    st.sampled_from(["a", "b", "a,b", 'say "x"', "it's", "é", "日本", "", " ", "x\x00", "x"]),
    st.text(max_size=6),
)


@st.composite
def cases(draw: Any) -> tuple[Any, np.ndarray, dict[str, Any]]:
    """Random data (numeric with NaN/inf/special codes, categorical with None) and Scorecard params."""
    n = draw(st.integers(30, 160))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    levels = draw(st.lists(LEVEL, min_size=1, max_size=6, unique=True))
    scale = draw(st.sampled_from([1.0, 1e-3, 1e6]))
    x = rng.normal(size=n) * scale
    kind = rng.random(n)
    x[kind < 0.08] = np.nan
    x[(kind >= 0.08) & (kind < 0.12)] = -999.0
    x[(kind >= 0.12) & (kind < 0.14)] = np.inf
    x[(kind >= 0.14) & (kind < 0.16)] = -np.inf
    cat = np.array([levels[i] for i in rng.integers(0, len(levels), size=n)], dtype=object)
    cat[rng.random(n) < 0.1] = None
    effect = {lv: rng.normal() for lv in levels}
    finite = np.where(np.isfinite(x), x / scale, 0.0)
    logit = np.clip(draw(st.floats(-2, 2)) * finite + np.array([effect.get(c, 0.5) for c in cat]), -30, 30)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    y[:2] = [0, 1]
    columns: dict[str, Any] = {"x": x, "cat": cat, "z": rng.integers(0, 4, size=n)}
    X: Any = pd.DataFrame(columns) if draw(st.booleans()) else columns
    params = {
        "special_codes": [-999.0],
        "rounding": draw(st.booleans()),
        "min_bin_size": draw(st.sampled_from([0.03, 0.1, 0.25])),
        "monotonic_trend": draw(st.sampled_from(["auto", "ascending", "descending", "peak", "valley", None])),
        "max_n_bins": draw(st.sampled_from([None, 2, 4])),
        "min_iv": draw(st.sampled_from([0.0, 0.02])),
        "base_score": draw(st.floats(-1000, 1000)),
        "base_odds": draw(st.floats(0.01, 1000)),
        "pdo": draw(st.floats(0.5, 200)),
    }
    return X, y, params


@FIT_SETTINGS
@given(cases())
def test_points_of_a_customers_bins_sum_to_its_score(case: Any) -> None:
    X, y, params = case
    sc = Scorecard(**params).fit(X, y)
    card = sc.card_
    columns = _columns(sc, X)
    points = reference.points_matrix(card, reference.bins(card, columns))
    result = sc.score(X)
    assert points.shape == (len(y), len(card.features))
    assert _same_bits(_sum_in_card_order(points), result.score)
    for i in range(0, len(y), 7):
        assert math.isclose(math.fsum(points[i]), result.score[i], rel_tol=1e-12, abs_tol=1e-9)
    # the card bins the training data exactly as the binning did
    for f, b in zip(card.features, reference.bins(card, columns), strict=True):
        assert np.array_equal(b, sc.binnings_[f.name].bin_index(columns[f.name]))


@FIT_SETTINGS
@given(cases())
def test_score_maps_back_to_pd_through_the_scaling_formula(case: Any) -> None:
    X, y, params = case
    sc = Scorecard(**params).fit(X, y)
    s = sc.card_.scaling
    assert s.factor == params["pdo"] / math.log(2)
    assert s.offset == params["base_score"] - s.factor * math.log(params["base_odds"])
    r = sc.score(X)
    with np.errstate(over="ignore"):
        expected = 1 / (1 + np.exp((r.score - s.offset) / s.factor))
    np.testing.assert_allclose(r.pd, expected, rtol=1e-12, atol=1e-300)
    assert _same_bits(sc.predict_proba(X)[:, 1], r.pd)
    np.testing.assert_allclose(
        sc.decision_function(X), -(r.score - s.offset) / s.factor, rtol=1e-12, atol=1e-12
    )


@FIT_SETTINGS
@given(cases())
def test_batch_scoring_equals_row_by_row(case: Any) -> None:
    X, y, params = case
    sc = Scorecard(**params).fit(X, y)
    batch = sc.score(X, reasons=2)
    assert batch.reasons is not None
    for i in range(len(y)):
        row = X.iloc[[i]] if isinstance(X, pd.DataFrame) else {k: v[i : i + 1] for k, v in X.items()}
        one = sc.score(row, reasons=2)
        assert one.reasons is not None
        assert _same_bits(one.score, batch.score[i : i + 1])
        assert _same_bits(one.pd, batch.pd[i : i + 1])
        assert one.grade.tolist() == batch.grade[i : i + 1].tolist()
        assert one.reasons.features.tolist() == batch.reasons.features[i : i + 1].tolist()
        assert _same_bits(one.reasons.points_lost, batch.reasons.points_lost[i : i + 1])


@FIT_SETTINGS
@given(cases())
def test_rounded_points_are_integers_and_still_sum_to_the_score(case: Any) -> None:
    X, y, params = case
    sc = Scorecard(**{**params, "rounding": True}).fit(X, y)
    for f in sc.card_.features:
        assert np.array_equal(f.points, np.round(f.points))
    points = reference.points_matrix(sc.card_, reference.bins(sc.card_, _columns(sc, X)))
    score = sc.score(X).score
    assert _same_bits(_sum_in_card_order(points), score)
    assert np.array_equal(score, np.round(score))
    assert all(float(row["points"]).is_integer() for row in sc.table())


@FIT_SETTINGS
@given(cases())
def test_woe_sign_convention_holds_on_random_data(case: Any) -> None:
    X, y, params = case
    sc = Scorecard(**params).fit(X, y)
    coef = dict(zip(sc.selected_features_, sc.coef_, strict=True))
    assert all(c <= 0 for c in sc.coef_)
    for name in sc.selected_features_:
        rows = [r for r in sc.table() if r["feature"] == name]
        goods = sum(r["goods"] for r in rows)
        bads = sum(r["bads"] for r in rows)
        mixed = [r for r in rows if r["goods"] > 0 and r["bads"] > 0]
        for r in mixed:  # WoE = ln(%good / %bad) (pure bins are smoothed, see riskkit.scoring._binning)
            assert math.isclose(r["woe"], math.log((r["goods"] / goods) / (r["bads"] / bads)), abs_tol=1e-9)
        for a in mixed:
            for b in mixed:
                if a["event_rate"] > b["event_rate"] + 1e-12:
                    assert a["woe"] < b["woe"]
                    if coef[name] < 0 and not params["rounding"]:
                        assert a["points"] < b["points"]


# --------------------------------------------------------------------------- fitting


def test_default_scaling_is_600_at_50_to_1_with_pdo_20(fitted: Scorecard) -> None:
    s = fitted.card_.scaling
    assert (s.base_score, s.base_odds, s.pdo) == (600.0, 50.0, 20.0)
    assert round(s.factor, 4) == 28.8539
    assert round(s.offset, 3) == 487.123


def test_pd_is_the_logistic_regression_on_woe(fitted: Scorecard, book: Any) -> None:
    X, _ = book
    columns = _columns(fitted, X)
    woe = np.column_stack(
        [
            np.asarray(fitted.binnings_[n].woe)[fitted.binnings_[n].bin_index(columns[n])]
            for n in fitted.selected_features_
        ]
    )
    bad_log_odds = fitted.intercept_ + woe @ fitted.coef_
    np.testing.assert_allclose(fitted.score(X).pd, 1 / (1 + np.exp(-bad_log_odds)), rtol=1e-9)
    np.testing.assert_allclose(fitted.decision_function(X), bad_log_odds, rtol=1e-9, atol=1e-9)


def test_mean_pd_is_close_to_the_event_rate(fitted: Scorecard, book: Any) -> None:
    X, y = book
    assert abs(fitted.score(X).pd.mean() - y.mean()) < 0.01


def test_out_of_fold_selection_drops_noise(fitted: Scorecard) -> None:
    assert set(fitted.iv_) == {"dpd", "sector", "noise"}
    assert fitted.iv_["dpd"] > fitted.iv_["sector"] > 0.02
    assert fitted.selected_features_ == ("dpd", "sector")
    # the noise passes the former fixed cut (IV >= 0.02) in sample, but does not help out of fold
    assert fitted.iv_["noise"] > 0.02
    assert fitted.n_features_in_ == 3
    assert fitted.feature_names_in_.tolist() == ["dpd", "sector", "noise"]
    assert fitted.card_.names == fitted.selected_features_


def test_selection_is_deterministic_given_random_state(book: Any) -> None:
    X, y = book
    a = Scorecard(special_codes=[-999]).fit(X, y)
    b = Scorecard(special_codes=[-999]).fit(X, y)
    assert a.selected_features_ == b.selected_features_
    assert _same_bits(a.score(X).score, b.score(X).score)
    for seed in (1, 2):
        assert Scorecard(special_codes=[-999], random_state=seed).fit(X, y).selected_features_ == ("dpd", "sector")
    assert Scorecard(special_codes=[-999], random_state=None).fit(X, y).n_features_in_ == 3


def test_selection_none_keeps_every_candidate_of_the_right_sign(book: Any) -> None:
    X, y = book
    sc = Scorecard(special_codes=[-999], selection=None).fit(X, y)
    # in-sample WoE always gets the right sign, so the noise stays without the out-of-fold selection
    assert sc.selected_features_ == ("dpd", "sector", "noise")


def test_former_defaults_select_by_information_value(book: Any) -> None:
    X, y = book
    old = Scorecard(special_codes=[-999], min_iv=0.02, selection=None, prebinning="quantile", max_n_prebins=15)
    sc = old.fit(X, y)
    assert sc.iv_["noise"] < 0.02
    assert sc.selected_features_ == ("dpd", "sector")


def _german_with_noise(n_noise: int, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from riskkit.datasets import load_german_credit

    X, y = load_german_credit()
    rng = np.random.default_rng(seed)
    X = dict(X)
    for j in range(n_noise):
        X[f"noise{j}"] = rng.normal(size=len(y))
    X["noise_levels"] = rng.choice([f"L{k:02d}" for k in range(25)], size=len(y)).astype(object)
    return X, y


def test_out_of_fold_selection_keeps_less_noise_than_the_iv_cut() -> None:
    kept_new = kept_old = passing_cut = 0
    for seed in range(4):
        X, y = _german_with_noise(8, seed)
        noise = [n for n in X if n.startswith("noise")]
        sc = Scorecard().fit(X, y)
        old = Scorecard(min_iv=0.02, selection=None, prebinning="quantile", max_n_prebins=15).fit(X, y)
        passing_cut += sum(sc.iv_[n] >= 0.02 for n in noise)
        kept_new += sum(n in sc.selected_features_ for n in noise)
        kept_old += sum(n in old.selected_features_ for n in noise)
        assert "status_of_existing_checking_account" in sc.selected_features_
        assert "credit_history" in sc.selected_features_
    # optimised bins make pure noise pass a fixed IV cut in sample (36 noise features in all) ...
    assert passing_cut >= 30
    # ... the out-of-fold selection keeps less of it than the former IV cut (16 against 22)
    assert kept_new < kept_old
    assert kept_new <= 20


def test_selection_tolerance_continues_the_same_elimination() -> None:
    X, y = _german_with_noise(4)
    kept = {tol: set(Scorecard(selection_tol=tol).fit(X, y).selected_features_) for tol in (-1.0, 0.0, 1.0, 3.0)}
    assert kept[3.0] <= kept[1.0] <= kept[0.0] <= kept[-1.0]
    assert len(kept[3.0]) < len(kept[0.0])
    assert len(kept[3.0]) >= 1


def test_selection_with_few_bads_falls_back_gracefully() -> None:
    rng = np.random.default_rng(7)
    X = {"a": rng.normal(size=40), "b": rng.normal(size=40)}
    for n_bad in (1, 3):
        y = np.zeros(40, dtype=int)
        y[:n_bad] = 1
        sc = Scorecard().fit(X, y)
        assert 1 <= len(sc.selected_features_) <= 2
        assert np.isfinite(sc.score(X).score).all()


def test_german_credit_fit_is_fast_and_keeps_the_strong_features() -> None:
    import time

    from riskkit.datasets import load_german_credit

    X, y = load_german_credit()
    Scorecard().fit(X, y)  # imports
    t0 = time.perf_counter()
    sc = Scorecard().fit(X, y)
    elapsed = time.perf_counter() - t0
    assert elapsed < 5.0  # about 0.3 s; generous for loaded CI machines
    assert len(sc.selected_features_) == 16
    for name in ("status_of_existing_checking_account", "duration_in_month", "credit_history", "savings_account_and_bonds"):
        assert name in sc.selected_features_


def test_min_iv_zero_keeps_more_features(book: Any) -> None:
    X, y = book
    assert len(Scorecard(min_iv=0.0, special_codes=[-999]).fit(X, y).selected_features_) >= 2
    # when nothing reaches min_iv, the strongest feature is kept
    assert Scorecard(min_iv=100.0).fit(X, y).selected_features_ == ("dpd",)


def test_special_missing_and_infinite_values_have_their_bins(fitted: Scorecard) -> None:
    f = fitted.card_.features[0]
    assert f.name == "dpd" and f.special_codes == (-999.0,)
    r = fitted.score({"dpd": [-999.0, np.nan, np.inf, -np.inf, 1e12, -1e12], "sector": ["retail"] * 6})
    last, first = f.points[f.n_regular - 1], f.points[0]
    dpd_points = np.array([f.points[f.special_bin], f.points[f.missing_bin], last, first, last, first])
    sector_points = r.score - dpd_points
    assert np.allclose(sector_points, sector_points[0], rtol=0, atol=1e-9)
    assert len({f.points[f.special_bin], f.points[f.missing_bin], last, first}) == 4
    table = [row for row in fitted.table() if row["feature"] == "dpd"]
    assert table[-2]["bin"] == "Special" and table[-2]["count"] == 40
    assert table[-1]["bin"] == "Missing" and table[-1]["count"] == 60


def test_a_value_on_a_split_goes_to_the_upper_bin(fitted: Scorecard) -> None:
    f = fitted.card_.features[0]
    split = float(f.splits[0])
    bins = reference.bin_index(f, np.array([np.nextafter(split, -np.inf), split]))
    assert bins.tolist() == [0, 1]


def test_binning_constraints(book: Any) -> None:
    X, y = book
    sc = Scorecard(special_codes=[-999], max_n_bins=3, min_bin_size=0.2, monotonic_trend="ascending").fit(
        X, y
    )
    b = sc.binnings_["dpd"]
    assert 1 <= b.n_bins <= 3
    regular = b.count[: b.n_bins]
    assert (regular >= 0.2 * regular.sum() - 1e-9).all()
    assert (np.diff(b.event_rate[: b.n_bins]) > 0).all()
    desc = Scorecard(special_codes=[-999], monotonic_trend="descending", min_iv=0.0).fit(X, y)
    assert (np.diff(desc.binnings_["noise"].event_rate[: desc.binnings_["noise"].n_bins]) < 0).all()


def test_categorical_levels_are_ordered_by_event_rate_and_rare_levels_grouped() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    levels = rng.choice(["low", "mid", "high", "rare1", "rare2"], size=n, p=[0.4, 0.35, 0.245, 0.003, 0.002])
    rate = {"low": 0.03, "mid": 0.15, "high": 0.45, "rare1": 0.5, "rare2": 0.5}
    y = (rng.random(n) < np.array([rate[v] for v in levels])).astype(int)
    sc = Scorecard(min_bin_size=0.01).fit({"level": levels}, y)
    b = sc.binnings_["level"]
    assert set(b.rare_categories) == {"rare1", "rare2"}
    groups = sc.card_.features[0].categories
    rare_bin = {j for j, g in enumerate(groups) for c in g if c in ("rare1", "rare2")}
    assert len(rare_bin) == 1
    assert groups[0] == ("low",)
    assert (np.diff(b.event_rate[: b.n_bins]) > 0).all()
    regular_points = sc.card_.features[0].points[: b.n_bins]
    assert (np.diff(regular_points) < 0).all()  # higher event rate, lower WoE, fewer points


def test_categorical_option_bins_numeric_codes_as_categories() -> None:
    rng = np.random.default_rng(4)
    code = rng.integers(1, 4, size=600)
    y = (rng.random(600) < np.where(code == 3, 0.5, 0.1)).astype(int)
    sc = Scorecard(categorical=["code"]).fit({"code": code}, y)
    assert sc.card_.features[0].kind == "categorical"
    assert sorted(c for g in sc.card_.features[0].categories for c in g) == ["1", "2", "3"]
    with pytest.raises(ValidationError, match="nope"):
        Scorecard(categorical=["nope"]).fit({"code": code}, y)


def test_table_has_every_bin_with_its_statistics(fitted: Scorecard, book: Any) -> None:
    _, y = book
    rows = fitted.table()
    keys = ["feature", "bin", "count", "bads", "goods", "event_rate", "woe", "iv", "points"]
    assert all(list(r) == keys for r in rows)
    for f in fitted.card_.features:
        mine = [r for r in rows if r["feature"] == f.name]
        assert len(mine) == f.n_regular + 2
        assert [r["bin"] for r in mine] == f.labels()
        assert len(set(r["bin"] for r in mine)) == len(mine)
        assert sum(r["count"] for r in mine) == len(y)
        assert sum(r["bads"] for r in mine) == y.sum()
        assert math.isclose(sum(r["iv"] for r in mine), fitted.iv_[f.name], rel_tol=1e-9)
        assert [r["points"] for r in mine] == f.points.tolist()
        for r in mine:
            if r["count"]:
                assert r["event_rate"] == r["bads"] / r["count"]
    dpd = [r for r in rows if r["feature"] == "dpd"]
    assert dpd[0]["bin"].startswith("[-inf, ") and dpd[fitted.card_.features[0].n_regular - 1][
        "bin"
    ].endswith(", inf)")
    sector_bins = {r["bin"] for r in rows if r["feature"] == "sector"}
    assert "food, drink" in sector_bins or any("food, drink" in b for b in sector_bins)


def test_table_labels_show_bounds_exactly() -> None:
    x = np.repeat([1234567.0, 1234568.0, 1234569.0], 200)
    y = np.r_[np.zeros(200), np.r_[np.zeros(150), np.ones(50)], np.r_[np.zeros(50), np.ones(150)]].astype(int)
    sc = Scorecard(min_bin_size=0.1).fit({"revenue": x}, y)
    labels = [r["bin"] for r in sc.table()]
    assert labels[:3] == ["[-inf, 1234568.0)", "[1234568.0, 1234569.0)", "[1234569.0, inf)"]


def test_not_fitted_raises_both_riskkit_and_sklearn_errors() -> None:
    from sklearn.exceptions import NotFittedError as SkNotFitted

    for call in (
        lambda sc: sc.score({"a": [1.0]}),
        lambda sc: sc.predict_proba([[1.0]]),
        lambda sc: sc.table(),
    ):
        with pytest.raises(NotFittedError) as info:
            call(Scorecard())
        assert isinstance(info.value, SkNotFitted)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("unknown", "ignore"),
        ("rounding", 1),
        ("monotonic_trend", "up"),
        ("min_bin_size", 0.9),
        ("max_n_bins", 0),
        ("max_n_prebins", 2.5),
        ("C", -1.0),
        ("min_iv", float("nan")),
        ("selection", "stepwise"),
        ("cv", 1),
        ("cv", 2.5),
        ("selection_tol", float("inf")),
        ("prebinning", "tree"),
        ("random_state", -1),
        ("random_state", 1.5),
        ("pdo", -20.0),
        ("base_odds", 0.0),
        ("base_score", "600"),
    ],
)
def test_invalid_parameters_fail_at_fit_naming_them(param: str, value: Any, book: Any) -> None:
    X, y = book
    sc = Scorecard(**{param: value})
    assert getattr(sc, param) is value  # __init__ stores, fit validates
    with pytest.raises(ValidationError, match=param):
        sc.fit(X, y)


# --------------------------------------------------------------------------- targets


def test_string_labels_and_bad_label(book: Any) -> None:
    X, y = book
    labels = np.where(y == 1, "bad", "good")
    sc = Scorecard(special_codes=[-999], bad_label="bad").fit(X, labels)
    ref = Scorecard(special_codes=[-999]).fit(X, y)
    assert sc.classes_.tolist() == ["bad", "good"]
    r = sc.score(X)
    assert _same_bits(r.score, ref.score(X).score)
    proba = sc.predict_proba(X)
    assert _same_bits(proba[:, 0], r.pd)  # column 0 is classes_[0] = "bad"
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(sc.decision_function(X), np.log((1 - r.pd) / r.pd), rtol=1e-9, atol=1e-9)
    pred = sc.predict(X)
    assert set(pred.tolist()) <= {"bad", "good"}
    assert (pred == np.where(r.pd > 0.5, "bad", "good")).all()


def test_default_bad_label_is_the_greater_label(book: Any) -> None:
    X, y = book
    sc = Scorecard(special_codes=[-999]).fit(X, np.where(y == 1, "yes", "no"))
    assert sc.classes_.tolist() == ["no", "yes"]
    assert _same_bits(sc.predict_proba(X)[:, 1], sc.score(X).pd)


def test_bad_label_not_in_y_is_an_error(book: Any) -> None:
    X, y = book
    with pytest.raises(ValidationError, match="bad_label 'default'"):
        Scorecard(bad_label="default").fit(X, np.where(y == 1, "bad", "good"))


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (None, "requires y"),
        ("one class", "one class"),
        ("three classes", "binary"),
        ("nan", "NaN"),
        ("short", "rows but y has"),
    ],
)
def test_bad_targets(y: Any, match: str, book: Any) -> None:
    X, y01 = book
    values = {
        None: None,
        "one class": np.zeros(len(X)),
        "three classes": np.arange(len(X)) % 3,
        "nan": np.where(y01 == 1, np.nan, 0.0),
        "short": y01[:-1],
    }[y]
    with pytest.raises(ValidationError, match=match):
        Scorecard().fit(X, values)


# --------------------------------------------------------------------------- input forms


def test_dataframe_with_extra_columns_in_another_order(fitted: Scorecard, book: Any) -> None:
    X, _ = book
    shuffled = X[["noise", "sector", "dpd"]].assign(extra=1.0, other="x")
    assert _same_bits(fitted.score(shuffled).score, fitted.score(X).score)
    as_mapping = {c: X[c].to_numpy() for c in ["sector", "dpd"]}  # noise is not selected: not needed
    assert _same_bits(fitted.score(as_mapping).score, fitted.score(X).score)


@pytest.mark.parametrize("form", ["dataframe", "mapping"])
def test_missing_column_is_an_error_naming_it(fitted: Scorecard, book: Any, form: str) -> None:
    X, _ = book
    X = X.drop(columns=["sector"])
    given = X if form == "dataframe" else {c: X[c].to_numpy() for c in X.columns}
    with pytest.raises(SchemaError, match="'sector'") as info:
        fitted.score(given)
    assert isinstance(info.value, RiskkitError) and isinstance(info.value, KeyError)


def test_feature_frame_input_and_missing_column() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=400), rng.normal(size=400)
    y = (rng.random(400) < 1 / (1 + np.exp(-2 * a + b))).astype(int)
    ids = [f"C{i:03d}" for i in range(400)]
    ff = FeatureFrame(np.column_stack([a, b]), ["a", "b"], customer_ids=ids)
    sc = Scorecard().fit(ff, y)
    assert sc.selected_features_ == ("a", "b")
    r = sc.score(ff)
    assert r.customer_ids is not None and r.customer_ids.tolist() == ids
    assert _same_bits(r.score, sc.score({"b": b, "a": a}).score)
    with pytest.raises(SchemaError, match="'b'"):
        sc.score(ff.select(["a"]))


def test_positional_arrays(book: Any) -> None:
    X, y = book
    numeric = X[["dpd", "noise"]].to_numpy()
    sc = Scorecard(special_codes=[-999], min_iv=0.0).fit(numeric, y)
    assert not hasattr(sc, "feature_names_in_")
    assert sc.card_.names[0] == "x0"
    r = sc.score(numeric)
    assert _same_bits(r.score, sc.score(numeric[:, :]).score)
    # fitted without names: a named input is read by position too
    assert _same_bits(sc.score({"p": numeric[:, 0], "q": numeric[:, 1]}).score, r.score)
    with pytest.raises(ValidationError, match="expecting 2 features"):
        sc.score(numeric[:, :1])
    with pytest.raises(ValidationError, match="2-D"):
        sc.score(numeric[:, 0])


def test_named_scorer_reads_a_2d_array_in_its_feature_order(fitted: Scorecard, book: Any) -> None:
    X, _ = book
    mixed = X.to_numpy(dtype=object)  # dpd, sector, noise: fit order
    assert _same_bits(fitted.score(mixed).score, fitted.score(X).score)
    with pytest.raises(ValidationError, match="expecting 3 features"):
        fitted.score(mixed[:, :2])


def test_text_in_a_numeric_column_is_an_error(fitted: Scorecard) -> None:
    with pytest.raises(ValidationError, match="'dpd'"):
        fitted.score({"dpd": ["12"], "sector": ["retail"]})


def test_dataframe_index_becomes_customer_ids(fitted: Scorecard, book: Any) -> None:
    X, _ = book
    Xi = X.iloc[:3].set_axis(["C1", "C2", "C3"])
    r = fitted.score(Xi, reasons=1)
    assert isinstance(r, ScoreResult)
    assert r.customer_ids is not None and r.customer_ids.tolist() == ["C1", "C2", "C3"]
    rec = r.to_records()
    assert [x["customer_id"] for x in rec] == ["C1", "C2", "C3"]
    assert set(rec[0]) >= {"customer_id", "score", "pd", "grade"}
    df = r.to_pandas()
    assert df.index.tolist() == ["C1", "C2", "C3"] and df.index.name == "customer_id"
    assert df["score"].tolist() == r.score.tolist()
    assert "reason_1" in df.columns
    html = r._repr_html_()
    assert "C1" in html and "riskkit.ScoreResult" in html
    assert "<table" in fitted._repr_html_()


def test_empty_input_scores_zero_rows(fitted: Scorecard) -> None:
    r = fitted.score({"dpd": np.array([]), "sector": np.array([], dtype=object)}, reasons=2)
    assert len(r) == 0
    assert r.reasons is not None and r.reasons.features.shape == (0, 2)


# --------------------------------------------------------------------------- unknown categories


def test_unknown_category_error_names_feature_and_value(fitted: Scorecard) -> None:
    with pytest.raises(ValidationError, match="'sector' row 1: category 'mining'") as info:
        fitted.score({"dpd": [5.0, 5.0], "sector": ["retail", "mining"]})
    assert info.value.field == "sector" and info.value.value == "mining" and info.value.row == 1


def test_unknown_category_missing_and_worst(book: Any) -> None:
    X, y = book
    by_policy = {u: Scorecard(special_codes=[-999], unknown=u).fit(X, y) for u in ("missing", "worst")}
    f = by_policy["worst"].card_.features[1]
    worst_level = f.categories[int(np.argmin(f.points[: f.n_regular]))][0]
    probe = {"dpd": [5.0, 5.0, 5.0, 5.0], "sector": ["mining", None, worst_level, "retail"]}
    missing = by_policy["missing"].score(probe).score
    assert missing[0] == missing[1] != missing[3]
    worst = by_policy["worst"].score(probe).score
    assert worst[0] == worst[2] == worst.min()
    assert worst[0] != worst[1]


# --------------------------------------------------------------------------- reasons


def test_reasons_are_the_features_that_cost_most_points(fitted: Scorecard, book: Any) -> None:
    X, _ = book
    r = fitted.score(X, reasons=2)
    assert r.reasons is not None
    card = fitted.card_
    columns = _columns(fitted, X)
    points = reference.points_matrix(card, reference.bins(card, columns))
    lost = np.array([f.best_points for f in card.features]) - points
    assert r.reasons.features.shape == r.reasons.points_lost.shape == r.reasons.values.shape == (len(X), 2)
    for i in range(0, len(X), 37):
        expected = sorted(((lost[i, j], -j) for j in range(2) if lost[i, j] > 0), reverse=True)
        got = r.reasons.row(i)
        assert [name for name, _, _ in got] == [card.names[-j] for _, j in expected]
        for name, value, p in got:
            assert p == lost[i, card.names.index(name)]
            original = columns[name][i]
            assert (
                value is None
                if original is None
                else (value == original or (value != value and original != original))
            )


def test_reasons_validation(fitted: Scorecard, book: Any) -> None:
    X, _ = book
    assert fitted.score(X, reasons=0).reasons is None
    assert fitted.score(X, reasons=np.int64(1)).reasons is not None
    for bad in (-1, True, False, 1.0, "2", None):
        with pytest.raises(ValidationError, match="reasons"):
            fitted.score(X, reasons=bad)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([0, None, 1, 0], "missing"),
        ([0.5, 1.2, 0.1, 0.7], "continuous"),
        ([[0, 1], [1, 0], [0, 1], [1, 0]], "1-D"),
        ([0, 1, 2, 0], "Only binary classification"),
    ],
)
def test_a_bad_target_is_a_riskkit_error(y: Any, message: str) -> None:
    X = {"x": np.array([1.0, 2.0, 3.0, 4.0])}
    with pytest.raises(ValidationError, match=message):
        Scorecard().fit(X, y)
