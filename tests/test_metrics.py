"""riskkit.metrics against scikit-learn / scipy.stats (reference only) and hand arithmetic."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, ks_2samp
from sklearn import metrics as skm

from riskkit import FeatureFrame
from riskkit.errors import SchemaError, ValidationError
from riskkit.metrics import (
    ValidationReport,
    ValidationTable,
    auc,
    brier,
    calibration_table,
    csi,
    gini,
    ks,
    ks_threshold,
    psi,
    roc_curve,
    validate,
)

NAN = float("nan")


@st.composite
def labelled(draw: Any, tied: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes with both classes and risk scores; small integer scores force many ties."""
    n = draw(st.integers(2, 60))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[0], y[1] = 0, 1
    elements = st.integers(0, 5).map(float) if tied else st.floats(-1e6, 1e6)
    risk = np.array(draw(st.lists(elements, min_size=n, max_size=n)))
    return y, risk


# ------------------------------------------------------------------ discrimination against references


@settings(max_examples=200)
@given(st.one_of(labelled(tied=True), labelled(tied=False)))
def test_auc_matches_sklearn(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, risk = data
    assert auc(y, risk) == pytest.approx(skm.roc_auc_score(y, risk), abs=1e-12)
    assert auc(y, -risk, higher_is_riskier=False) == pytest.approx(auc(y, risk), abs=1e-12)
    assert gini(y, risk) == pytest.approx(2 * skm.roc_auc_score(y, risk) - 1, abs=1e-12)


@settings(max_examples=200)
@given(st.one_of(labelled(tied=True), labelled(tied=False)), st.booleans())
def test_roc_curve_matches_sklearn(data: tuple[np.ndarray, np.ndarray], drop: bool) -> None:
    y, risk = data
    fpr, tpr, thr = roc_curve(y, risk, drop_intermediate=drop)
    sfpr, stpr, sthr = skm.roc_curve(y, risk, drop_intermediate=drop)
    np.testing.assert_allclose(fpr, sfpr, atol=1e-12)
    np.testing.assert_allclose(tpr, stpr, atol=1e-12)
    np.testing.assert_array_equal(thr, sthr)
    assert skm.auc(fpr, tpr) == pytest.approx(auc(y, risk), abs=1e-12)


def test_roc_curve_for_points() -> None:
    y = np.array([0, 0, 1, 1])
    points = np.array([650.0, 600.0, 610.0, 500.0])
    fpr, tpr, thr = roc_curve(y, points, higher_is_riskier=False, drop_intermediate=False)
    r_fpr, r_tpr, _ = roc_curve(y, -points, drop_intermediate=False)
    np.testing.assert_array_equal(fpr, r_fpr)
    np.testing.assert_array_equal(tpr, r_tpr)
    assert thr.tolist() == [-math.inf, 500.0, 600.0, 610.0, 650.0]


@settings(max_examples=200)
@given(st.one_of(labelled(tied=True), labelled(tied=False)), st.booleans())
def test_ks_threshold_is_the_cut_of_the_ks_gap(data: tuple[np.ndarray, np.ndarray], riskier: bool) -> None:
    y, risk = data
    t = ks_threshold(y, risk, higher_is_riskier=riskier)
    assert t in set(risk.tolist())  # a value of the score, as roc_curve states its thresholds
    flagged = risk >= t if riskier else risk <= t
    tpr, fpr = flagged[y == 1].mean(), flagged[y == 0].mean()
    assert abs(tpr - fpr) == pytest.approx(ks(y, risk), abs=1e-12)
    # brute force: no stricter threshold reaches the same gap (ties go to the fewest rows flagged)
    for v in np.unique(risk):
        f = risk >= v if riskier else risk <= v
        if f.sum() < flagged.sum():
            assert abs(f[y == 1].mean() - f[y == 0].mean()) < ks(y, risk) - 1e-12


def test_ks_threshold_is_on_the_roc_curve() -> None:
    y, pd = _sample(300)[1], _sample(300)[0]
    fpr, tpr, thr = roc_curve(y, pd)
    k = int(np.flatnonzero(thr == ks_threshold(y, pd))[0])
    assert abs(tpr[k] - fpr[k]) == pytest.approx(ks(y, pd), abs=1e-12)
    assert ks_threshold(y, 600 - 100 * pd, higher_is_riskier=False) == pytest.approx(600 - 100 * ks_threshold(y, pd))


def test_ks_threshold_hand_computed() -> None:
    y, pd = [0, 0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.8]
    assert (ks(y, pd), ks_threshold(y, pd)) == (0.75, 0.35)
    assert ks_threshold([0, 1, 0, 1], [0.2, 0.9, 0.2, 0.9]) == 0.9
    with pytest.raises(ValidationError, match="only goods"):
        ks_threshold([0, 0], [0.1, 0.2])


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # inside scipy's reference, not riskkit
@settings(max_examples=200)
@given(st.one_of(labelled(tied=True), labelled(tied=False)))
def test_ks_matches_scipy(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, risk = data
    ref = ks_2samp(risk[y == 1], risk[y == 0], method="asymp").statistic  # the statistic, not its p
    assert ks(y, risk) == pytest.approx(ref, abs=1e-12)
    assert ks(y, -risk) == pytest.approx(ref, abs=1e-12)


@given(
    st.lists(st.integers(0, 1), min_size=1, max_size=60).flatmap(
        lambda ys: st.tuples(st.just(ys), st.lists(st.floats(0, 1), min_size=len(ys), max_size=len(ys)))
    )
)
def test_brier_matches_sklearn(data: tuple[list[int], list[float]]) -> None:
    y, pd = data
    ref = skm.brier_score_loss(y, pd, labels=[0, 1])
    assert brier(y, pd) == pytest.approx(ref, abs=1e-12)


def test_known_values() -> None:
    y = [0, 0, 1, 1]
    assert auc(y, [1, 2, 3, 4]) == 1.0
    assert auc(y, [4, 3, 2, 1]) == 0.0
    assert auc(y, [7, 7, 7, 7]) == 0.5
    assert gini(y, [7, 7, 7, 7]) == 0.0
    assert ks(y, [7, 7, 7, 7]) == 0.0  # a tie is never split
    assert auc([False, True], [0.3, 0.1]) == 0.0  # booleans: True = bad
    assert brier([0, 1], [0.0, 1.0]) == 0.0


def test_auc_is_exact_on_a_large_sample() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200_000)
    risk = rng.integers(0, 50, y.size).astype(float)  # heavy ties
    assert auc(y, risk) == pytest.approx(skm.roc_auc_score(y, risk), abs=1e-12)


# ------------------------------------------------------------------ input errors


@pytest.mark.parametrize("fn", [auc, gini, ks, roc_curve])
def test_ranking_errors(fn: Any) -> None:
    with pytest.raises(ValidationError, match=r"y must hold only 0 \(good\) or 1.*row 2 is 2") as info:
        fn([0, 1, 2], [0.1, 0.2, 0.3])
    assert (info.value.field, info.value.row) == ("y", 2)
    with pytest.raises(ValidationError, match="row 1 is nan"):
        fn([0, NAN, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValidationError, match=r"only goods \(0\)"):
        fn([0, 0], [0.1, 0.2])
    with pytest.raises(ValidationError, match=r"only bads \(1\)"):
        fn([1, 1], [0.1, 0.2])
    with pytest.raises(ValidationError, match="empty"):
        fn([], [])
    with pytest.raises(ValidationError, match="risk has 2 values but y has 3"):
        fn([0, 1, 0], [0.1, 0.2])
    with pytest.raises(ValidationError, match=r"risk has NaN in 2 rows \(first: row 1\)") as info:
        fn([0, 1, 0], [0.1, NAN, NAN])
    assert info.value.field == "risk"
    with pytest.raises(ValidationError, match="1-D"):
        fn([[0, 1]], [[0.1, 0.2]])
    with pytest.raises(ValidationError, match="must hold 0"):
        fn(["good", "bad"], [0.1, 0.2])


def test_pd_errors() -> None:
    with pytest.raises(ValidationError, match=r"pd must be probabilities in \[0, 1\]; row 1 is 1.2"):
        brier([0, 1], [0.5, 1.2])
    with pytest.raises(ValidationError, match="pd has NaN"):
        brier([0, 1], [0.5, NAN])
    with pytest.raises(ValidationError, match="y is empty"):
        brier([], [])
    assert brier([0, 0], [0.1, 0.3]) == pytest.approx(0.05)  # one class is fine for the Brier score


# ------------------------------------------------------------------ calibration


@settings(max_examples=100)
@given(labelled(tied=False), st.integers(1, 12), st.sampled_from(["quantile", "uniform"]))
def test_calibration_table_sums(data: tuple[np.ndarray, np.ndarray], n_bins: int, strategy: str) -> None:
    y, raw = data
    pd = 1.0 / (1.0 + np.exp(-raw / 1e5))
    t = calibration_table(y, pd, n_bins=n_bins, strategy=strategy)  # type: ignore[arg-type]
    assert 1 <= len(t) <= n_bins
    assert t["count"].sum() == y.size
    assert t["bads"].sum() == y.sum()
    assert t["expected_bads"].sum() == pytest.approx(pd.sum())
    assert np.all(t["count"] > 0)
    assert np.all(t["lower"] <= t["mean_pd"] + 1e-12) and np.all(t["mean_pd"] <= t["upper"] + 1e-12)
    np.testing.assert_allclose(t["default_rate"], t["bads"] / t["count"])
    assert np.all((t["p_value"] >= 0) & (t["p_value"] <= 1))
    assert t["bin"].tolist() == list(range(1, len(t) + 1))


def test_calibration_table_by_hand() -> None:
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    pd = np.array([0.05, 0.05, 0.1, 0.1, 0.3, 0.6, 0.8, 0.8])
    t = calibration_table(y, pd, n_bins=2, strategy="uniform")
    # bins [0, 0.5] and (0.5, 1]
    assert t["lower"].tolist() == [0.0, 0.5] and t["upper"].tolist() == [0.5, 1.0]
    assert t["count"].tolist() == [5, 3] and t["bads"].tolist() == [1, 3]
    assert t["mean_pd"].tolist() == pytest.approx([0.12, 2.2 / 3])
    var0 = 2 * 0.05 * 0.95 + 2 * 0.1 * 0.9 + 0.3 * 0.7
    assert t["z"][0] == pytest.approx((1 - 0.6) / math.sqrt(var0))
    # one-sided binomial tail P(X >= bads) at the bin's mean PD
    assert t["p_value"].tolist() == pytest.approx([binom.sf(0, 5, 0.12), binom.sf(2, 3, 2.2 / 3)])


def test_calibration_uniform_drops_empty_bins_and_ties_merge_quantiles() -> None:
    t = calibration_table([0, 1, 0, 1], [0.01, 0.02, 0.97, 0.99], n_bins=10, strategy="uniform")
    assert t["upper"].tolist() == pytest.approx([0.1, 1.0])
    t = calibration_table([0, 1, 0, 1], [0.2, 0.2, 0.2, 0.2], n_bins=5)
    assert len(t) == 1 and t["lower"].tolist() == [0.2] and t["upper"].tolist() == [0.2]


def test_calibration_z_extremes() -> None:
    t = calibration_table([1, 0], [0.0, 0.0], n_bins=1)
    assert t["z"].tolist() == [math.inf] and t["p_value"].tolist() == [0.0]
    t = calibration_table([0, 0], [0.0, 0.0], n_bins=1)
    assert t["z"].tolist() == [0.0] and t["p_value"].tolist() == [1.0]


def test_calibration_errors() -> None:
    with pytest.raises(ValidationError, match="n_bins must be an integer >= 1"):
        calibration_table([0, 1], [0.1, 0.2], n_bins=0)
    with pytest.raises(ValidationError, match="n_bins"):
        calibration_table([0, 1], [0.1, 0.2], n_bins=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="strategy must be 'quantile' or 'uniform'"):
        calibration_table([0, 1], [0.1, 0.2], strategy="kmeans")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="pd must be probabilities"):
        calibration_table([0, 1], [0.1, -0.2])


# ------------------------------------------------------------------ stability


def test_psi_hand_computed_from_counts() -> None:
    # 5 % of the rows move from the first to the second of four equal bins
    by_hand = (0.20 - 0.25) * math.log(0.20 / 0.25) + (0.30 - 0.25) * math.log(0.30 / 0.25)
    assert by_hand == pytest.approx(0.020273, abs=1e-6)
    assert psi([25, 25, 25, 25], [20, 30, 25, 25], counts=True) == pytest.approx(by_hand, rel=1e-12)
    assert psi([0.25] * 4, [0.2, 0.3, 0.25, 0.25], counts=True) == pytest.approx(by_hand, rel=1e-12)


def test_psi_hand_computed_from_samples() -> None:
    # cut points 2 and 4 give bins (-inf, 2], (2, 4], (4, inf)
    expected = [1, 2, 3, 4, 5, 6]  # 2 / 2 / 2
    actual = [1, 3, 4, 5, 6, 7, 8, 9]  # 1 / 2 / 5
    e = np.array([2, 2, 2]) / 6
    a = np.array([1, 2, 5]) / 8
    by_hand = float(np.sum((a - e) * np.log(a / e)))
    assert psi(expected, actual, bins=[2, 4]) == pytest.approx(by_hand, rel=1e-12)
    # 3 quantile bins of the expected sample have the same edges here (cuts 2.67 and 4.33)
    assert psi(expected, actual, bins=3) == pytest.approx(by_hand, rel=1e-12)


def test_psi_epsilon_floors_empty_bins() -> None:
    eps = 1e-4
    by_hand = (eps - 0.5) * math.log(eps / 0.5) + (1.0 - 0.5) * math.log(1.0 / 0.5)
    assert psi([5, 5], [0, 10], counts=True) == pytest.approx(by_hand)
    assert psi([5, 5], [0, 10], counts=True, epsilon=1e-6) > psi([5, 5], [0, 10], counts=True)
    assert math.isfinite(psi(np.arange(100.0), np.full(10, 1e9)))


@given(
    st.lists(st.integers(0, 50), min_size=2, max_size=10).filter(lambda c: sum(c) > 0),
    st.data(),
)
def test_psi_is_symmetric_and_non_negative(e: list[int], data: Any) -> None:
    a = data.draw(st.lists(st.integers(0, 50), min_size=len(e), max_size=len(e)).filter(lambda c: sum(c) > 0))
    v = psi(e, a, counts=True)
    assert v >= 0
    assert v == pytest.approx(psi(a, e, counts=True))


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=100))
def test_psi_of_a_sample_with_itself_is_zero(x: list[float]) -> None:
    assert psi(x, x) == 0.0


def test_psi_missing_values() -> None:
    with pytest.raises(ValidationError, match=r"actual has NaN .*missing='bin'") as info:
        psi([1.0, 2.0], [1.0, NAN])
    assert (info.value.field, info.value.row) == ("actual", 1)
    # a NaN bin: expected 1/2 missing, actual none missing
    v = psi([1.0, NAN], [1.0, 1.0], missing="bin")
    eps = 1e-4
    assert v == pytest.approx((1 - 0.5) * math.log(2) + (eps - 0.5) * math.log(eps / 0.5))
    assert psi([1.0, NAN], [2.0, NAN], missing="bin") == 0.0


def test_psi_errors() -> None:
    with pytest.raises(ValidationError, match="bins must be >= 1"):
        psi([1.0, 2.0], [1.0], bins=0)
    with pytest.raises(ValidationError, match="strictly increasing"):
        psi([1.0, 2.0], [1.0], bins=[2.0, 1.0])
    with pytest.raises(ValidationError, match="expected has 2 bins but actual has 3"):
        psi([1, 1], [1, 1, 1], counts=True)
    with pytest.raises(ValidationError, match="not all 0"):
        psi([0, 0], [1, 1], counts=True)
    with pytest.raises(ValidationError, match="not all 0"):
        psi([-1, 2], [1, 1], counts=True)
    with pytest.raises(ValidationError, match="expected is empty"):
        psi([], [1.0])
    with pytest.raises(ValidationError, match="epsilon"):
        psi([1, 1], [1, 1], counts=True, epsilon=0)
    with pytest.raises(ValidationError, match="missing must be"):
        psi([1.0], [1.0], missing="drop")  # type: ignore[arg-type]


def test_csi_on_mappings_and_feature_frames() -> None:
    rng = np.random.default_rng(0)
    ref = {"dso": rng.normal(40, 10, 500), "util": rng.uniform(0, 1, 500)}
    new = {"util": rng.uniform(0.2, 1.2, 400), "dso": rng.normal(40, 10, 400), "extra": np.zeros(400)}
    got = csi(ref, new)
    assert list(got) == ["dso", "util"]
    assert got["dso"] == psi(ref["dso"], new["dso"])
    assert got["util"] > got["dso"]
    ff_ref = FeatureFrame(np.column_stack([ref["dso"], ref["util"]]), ["dso", "util"])
    ff_new = FeatureFrame(np.column_stack([new["dso"], new["util"]]), ["dso", "util"])
    assert csi(ff_ref, ff_new) == got


def test_csi_errors() -> None:
    with pytest.raises(SchemaError, match=r"lacks feature\(s\) \['b'\]"):
        csi({"a": [1.0], "b": [2.0]}, {"a": [1.0]})
    with pytest.raises(ValidationError, match="feature 'a': actual has NaN") as info:
        csi({"a": [1.0]}, {"a": [NAN]}, missing="raise")
    assert info.value.field == "a"
    with pytest.raises(ValidationError, match="FeatureFrame or a mapping"):
        csi([1.0], {"a": [1.0]})


# ------------------------------------------------------------------ validate() and the report


class _Result:
    def __init__(self, score: Any, pd: Any, grade: Any) -> None:
        self.score, self.pd, self.grade = score, pd, grade


class FakeScorer:
    """PD = the single feature; points and grades follow from it."""

    def __init__(self, nan_rows: tuple[int, ...] = (), drop: tuple[str, ...] = ()) -> None:
        self.nan_rows, self.drop = nan_rows, drop

    def score(self, X: Any) -> Any:
        pd = np.array(X, dtype=float)
        pd[list(self.nan_rows)] = np.nan
        grade = np.where(pd < 0.1, "A", np.where(pd < 0.3, "B", "C")).astype(object)
        grade[np.isnan(pd)] = ""
        r = _Result(600 - 50 * np.log(pd / (1 - pd)), pd, grade)
        for name in self.drop:
            delattr(r, name)
        return r


def _sample(n: int = 400, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pd = rng.beta(1, 6, n)
    y = (rng.random(n) < pd).astype(int)
    y[:2] = [0, 1]
    return pd, y


def test_validate_matches_the_functions() -> None:
    X, y = _sample()
    r = validate(FakeScorer(), X, y, n_bins=5)
    assert isinstance(r, ValidationReport)
    assert (r.n, r.n_bad) == (len(y), int(y.sum()))
    assert r.auc == auc(y, X) and r.gini == gini(y, X) and r.ks == ks(y, X) and r.brier == brier(y, X)
    assert r.ks_threshold == ks_threshold(y, X)
    assert r.auc == pytest.approx(skm.roc_auc_score(y, X))
    assert r.default_rate == pytest.approx(y.mean()) and r.mean_pd == pytest.approx(X.mean())
    assert r.calibration["count"].tolist() == calibration_table(y, X, n_bins=5)["count"].tolist()
    g = r.grades
    assert g["grade"].tolist() == ["A", "B", "C"]  # best first
    assert g["count"].sum() == len(y) and g["bads"].sum() == y.sum()
    assert g["share"].sum() == pytest.approx(1.0)
    for row in g:
        mask = FakeScorer().score(X).grade == row["grade"]
        assert row["count"] == mask.sum() and row["bads"] == y[mask].sum()
        assert row["mean_pd"] == pytest.approx(X[mask].mean())


def test_report_display_and_json() -> None:
    X, y = _sample()
    r = validate(FakeScorer(), X, y)
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["calibration"]["title"] == "calibration" and d["grades"]["columns"]["grade"] == ["A", "B", "C"]
    assert repr(r).startswith(f"ValidationReport(n={len(y)}, n_bad={int(y.sum())}, auc=")
    html = r._repr_html_()
    assert html.count("<table>") == 3 and "AUC" in html and "default_rate" in html
    assert d["ks_threshold"] == r.ks_threshold and f"<td>{r.ks_threshold:.4f}</td>" in html
    with pytest.raises(AttributeError):
        r.auc = 1.0  # type: ignore[misc]


def test_ungraded_rows_come_last_in_the_grade_table() -> None:
    grade = np.array(["B", "", "A", "A"], dtype=object)

    class Scorer:
        def score(self, X: Any) -> Any:
            return _Result(np.zeros(4), np.array([0.2, 0.5, 0.01, 0.02]), grade)

    r = validate(Scorer(), None, [0, 1, 0, 1], n_bins=2)
    assert r.grades["grade"].tolist() == ["A", "B", ""]
    assert r.grades["count"].tolist() == [2, 1, 1]


def test_validate_errors() -> None:
    X, y = _sample(50)
    with pytest.raises(ValidationError, match=r"pd has NaN in 2 rows \(first: row 3\)"):
        validate(FakeScorer(nan_rows=(3, 7)), X, y)
    with pytest.raises(ValidationError, match=r"without \['grade'\]") as info:
        validate(FakeScorer(drop=("grade",)), X, y)
    assert info.value.field == "scorer"
    with pytest.raises(ValidationError, match="pd has 50 values but y has 49"):
        validate(FakeScorer(), X, y[:-1])
    with pytest.raises(ValidationError, match="only goods"):
        validate(FakeScorer(), X, np.zeros(50))

    class Short(FakeScorer):
        def score(self, X: Any) -> Any:
            r = super().score(X)
            r.grade = r.grade[:-1]
            return r

    with pytest.raises(ValidationError, match=r"grade has shape \(49,\) but y has 50 rows"):
        validate(Short(), X, y)


def test_validation_table() -> None:
    t = ValidationTable("t", {"a": [1.0, NAN], "b": ["x", "y"]})
    assert t.to_dict() == {"title": "t", "columns": {"a": [1.0, None], "b": ["x", "y"]}}
    assert [r["b"] for r in t] == ["x", "y"] and len(t) == 2
    with pytest.raises(SchemaError, match="no column 'c' in 't'; columns: a, b"):
        t["c"]
    with pytest.raises(ValueError, match="read-only"):
        t["a"][0] = 2.0
    with pytest.raises(ValidationError, match="differ in length"):
        ValidationTable("t", {"a": [1], "b": [1, 2]})
    assert "t\n" in repr(t) and "<caption>t</caption>" in t._repr_html_()


def test_no_heavy_imports() -> None:
    code = (
        "import sys, riskkit.metrics as v, riskkit.scoring._grades; "
        "v.calibration_table([0, 1], [0.1, 0.2]); v.auc([0, 1], [0.1, 0.2]); "
        "print([m for m in ('sklearn', 'scipy.stats', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
