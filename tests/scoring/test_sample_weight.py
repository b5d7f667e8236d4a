"""Sample weights in fitting and validation: equal weights are no weights, a weight of 0 is a row left out.

Property tests over the binning, the three trainable scorers (their cards,
points and predictions) and the weighted metrics; plus what a weight means
(integer weights as repeated rows where the method has no regularisation),
the errors, and save/load of a weighted fit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit import metrics
from riskkit.errors import ValidationError
from riskkit.scoring import DecisionTreeScorer, Scorecard
from riskkit.scoring._binning import apply_groups, apply_splits, fit_categorical, fit_numeric
from riskkit.scoring._logistic import LogisticScorer

FIT = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=40, deadline=None)


def _book(seed: int, n: int = 240) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A numeric feature with NaN and a special code, a categorical one with None, and noise."""
    rng = np.random.default_rng(seed)
    dpd = rng.gamma(2.0, 10.0, n).round(1)
    sector = rng.choice(np.array(["retail", "food", "mining", "build"], dtype=object), n)
    logit = -2.0 + 0.05 * dpd + np.where(sector == "build", 1.0, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    dpd[rng.random(n) < 0.05] = np.nan
    dpd[rng.random(n) < 0.04] = -999.0
    sector[rng.random(n) < 0.05] = None
    return {"dpd": dpd, "sector": sector, "noise": rng.normal(size=n).round(2)}, y


def _zero_rows(seed: int, y: np.ndarray) -> np.ndarray:
    """Weights: random positive ones, 0 on about a fifth of the rows (never all of a class)."""
    rng = np.random.default_rng(seed + 1)
    w = rng.uniform(0.2, 3.0, y.size)
    zero = rng.random(y.size) < 0.2
    for cls in (0, 1):  # keep at least two rows of each class
        zero[np.flatnonzero(y == cls)[:2]] = False
    w[zero] = 0.0
    return w


def _take(X: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[rows] for k, v in X.items()}


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (NaN equal to NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def _same_card(a: Any, b: Any, X: dict[str, np.ndarray]) -> None:
    ra, rb = a.score(X), b.score(X)
    assert _same(ra.score, rb.score) and _same(ra.pd, rb.pd)
    assert ra.grade.tolist() == rb.grade.tolist()
    assert _same(a.predict_proba(X), b.predict_proba(X))


# --------------------------------------------------------------------------- binning


@FAST
@given(seed=st.integers(0, 10_000))
def test_binning_weight_zero_is_a_row_left_out(seed: int) -> None:
    X, y = _book(seed)
    w = _zero_rows(seed, y)
    keep = w > 0
    for fit, x, kw in (
        (fit_numeric, X["dpd"], {"special_codes": [-999], "prebinning": "cart", "min_bin_n_event": 0,
                                 "min_bin_n_nonevent": 0}),
        (fit_numeric, X["dpd"], {"special_codes": [-999], "fixed_splits": [15.05], "candidate_splits": [30.05]}),
        (fit_categorical, X["sector"], {"min_bin_size": 0.1}),
        (apply_splits, X["dpd"], {"splits": [10, 20.5], "special_codes": [-999]}),
        (apply_groups, X["sector"], {"groups": [["retail", "food"]]}),
    ):
        weighted = fit(x, y, name="f", sample_weight=w, **kw)
        removed = fit(x[keep], y[keep], name="f", sample_weight=w[keep], **kw)
        assert weighted == removed  # splits, categories and every count, bit for bit
        assert _same(weighted.woe, removed.woe)


def test_fixed_cuts_are_kept_and_candidates_considered() -> None:
    x = np.arange(200.0)
    y = (x >= 77).astype(int)
    y[[0, 150]] = [1, 0]
    # two quantile pre-bins cut at 100 only; the candidate 77 is where the event rate changes
    assert 77.0 not in fit_numeric(x, y, max_n_prebins=2).splits
    assert 77.0 in fit_numeric(x, y, max_n_prebins=2, candidate_splits=[77]).splits
    fixed = fit_numeric(x, y, fixed_splits=[40, 77], monotonic_trend="ascending")
    assert {40.0, 77.0} <= set(fixed.splits.tolist())
    # a trend the fixed cuts cannot meet: the fixed cuts alone are the bins
    alone = fit_numeric(x, y, fixed_splits=[20, 40], monotonic_trend="descending")
    assert alone.splits.tolist() == [20.0, 40.0] and alone.trend is None


# --------------------------------------------------------------------------- the scorers


def _scorers() -> list[Any]:
    return [
        Scorecard(special_codes=[-999], cv=3),
        LogisticScorer(),
        LogisticScorer(inputs="woe"),
        DecisionTreeScorer(max_depth=3),
    ]


@FIT
@given(seed=st.integers(0, 10_000), c=st.sampled_from([2.0, 0.3, 7.0]))
def test_equal_weights_fit_the_same_scorer_as_no_weights(seed: int, c: float) -> None:
    X, y = _book(seed)
    for est in _scorers():
        plain = type(est)(**est.get_params()).fit(X, y)
        weighted = type(est)(**est.get_params()).fit(X, y, sample_weight=np.full(y.size, c))
        _same_card(plain, weighted, X)
        if isinstance(est, Scorecard):  # the binnings of every feature, their counts and the card's table
            assert plain.binnings_ == weighted.binnings_
            assert _same_tables(plain.table(), weighted.table())


def _same_tables(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    return json.dumps(a, default=str) == json.dumps(b, default=str)  # NaN == NaN


@FIT
@given(seed=st.integers(0, 10_000))
def test_a_weight_of_zero_is_the_same_scorer_as_the_row_left_out(seed: int) -> None:
    X, y = _book(seed)
    w = _zero_rows(seed, y)
    keep = w > 0
    for est in _scorers():
        weighted = type(est)(**est.get_params()).fit(X, y, sample_weight=w)
        removed = type(est)(**est.get_params()).fit(_take(X, keep), y[keep], sample_weight=w[keep])
        _same_card(weighted, removed, X)
        if isinstance(est, Scorecard):
            assert _same_tables(weighted.table(), removed.table())
            assert weighted.selected_features_ == removed.selected_features_


def test_weights_change_the_card() -> None:
    """Not a no-op: weighting the bads of one sector up moves that sector's points and the bins' counts."""
    X, y = _book(3, n=600)
    w = np.where((X["sector"] == "build") & (y == 1), 4.0, 1.0)
    plain = Scorecard(special_codes=[-999], selection=None).fit(X, y)
    weighted = Scorecard(special_codes=[-999], selection=None).fit(X, y, sample_weight=w)
    b = weighted.binnings_["sector"]
    build = b.bin_index(["build"])[0]
    assert b.event_rate[build] > plain.binnings_["sector"].event_rate[plain.binnings_["sector"].bin_index(["build"])[0]]
    assert not _same(plain.predict_proba(X), weighted.predict_proba(X))
    # the counts are the weights scaled to a mean of 1: they add up to the rows
    assert sum(b.count) == pytest.approx(y.size)


def test_weighted_fit_saves_and_loads_bit_identical(tmp_path: Path) -> None:
    X, y = _book(5, n=500)
    w = _zero_rows(5, y)
    for est in _scorers():
        fitted = est.fit(X, y, sample_weight=w)
        path = tmp_path / f"{type(est).__name__}.json"
        riskkit.save(fitted, path)
        _same_card(fitted, riskkit.load(path), X)


@pytest.mark.parametrize(
    ("weight", "match"),
    [
        ([1.0] * 239, "one weight per row"),
        (np.r_[1.0, -1.0, np.ones(238)], "row 1"),
        (np.r_[np.nan, np.ones(239)], "row 0"),
        (np.zeros(240), "non-zero"),
        (np.array(["a"] * 240), "numbers"),
    ],
)
def test_bad_weights_are_refused(weight: Any, match: str) -> None:
    X, y = _book(0)
    for est in _scorers():
        with pytest.raises(ValidationError, match=match) as info:
            est.fit(X, y, sample_weight=weight)
        assert info.value.field == "sample_weight"


def test_weights_that_leave_one_class_are_refused() -> None:
    X, y = _book(0)
    with pytest.raises(ValidationError, match="only one class"):
        Scorecard().fit(X, y, sample_weight=(y == 1).astype(float))


# --------------------------------------------------------------------------- metrics


_Y = st.lists(st.booleans(), min_size=4, max_size=60).filter(lambda v: 0 < sum(v) < len(v))


@FAST
@given(y=_Y, data=st.data())
def test_metrics_equal_weights_are_no_weights_and_zero_is_a_row_left_out(y: list[bool], data: Any) -> None:
    n = len(y)
    yi = np.array(y, dtype=int)
    risk = np.array(data.draw(st.lists(st.integers(0, 8), min_size=n, max_size=n)), dtype=float) / 8
    c = data.draw(st.floats(0.01, 100.0))
    const = np.full(n, c)
    assert metrics.auc(yi, risk, sample_weight=const) == metrics.auc(yi, risk)
    assert metrics.gini(yi, risk, sample_weight=const) == metrics.gini(yi, risk)
    assert metrics.ks(yi, risk, sample_weight=const) == metrics.ks(yi, risk)
    assert metrics.calibration_table(yi, risk, 4, sample_weight=const).to_dict() == metrics.calibration_table(
        yi, risk, 4
    ).to_dict()

    extra = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    w = np.array(data.draw(st.lists(st.floats(0.1, 5.0), min_size=n, max_size=n)))
    # rows of weight 0 appended: noise in y and risk, no effect
    y2 = np.r_[yi, np.array(extra, dtype=int)]
    r2 = np.r_[risk, np.linspace(0, 1, n)]
    w2 = np.r_[w, np.zeros(n)]
    assert metrics.auc(y2, r2, sample_weight=w2) == metrics.auc(yi, risk, sample_weight=w)
    assert metrics.ks(y2, r2, sample_weight=w2) == metrics.ks(yi, risk, sample_weight=w)
    assert metrics.calibration_table(y2, r2, 3, sample_weight=w2).to_dict() == metrics.calibration_table(
        yi, risk, 3, sample_weight=w
    ).to_dict()


@FAST
@given(y=_Y, data=st.data())
def test_integer_weights_rank_as_repeated_rows(y: list[bool], data: Any) -> None:
    n = len(y)
    yi = np.array(y, dtype=int)
    risk = np.array(data.draw(st.lists(st.integers(0, 8), min_size=n, max_size=n)), dtype=float)
    k = np.array(data.draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)))
    yr, rr = np.repeat(yi, k), np.repeat(risk, k)
    assert metrics.auc(yi, risk, sample_weight=k) == pytest.approx(metrics.auc(yr, rr), abs=1e-12)
    assert metrics.ks(yi, risk, sample_weight=k) == pytest.approx(metrics.ks(yr, rr), abs=1e-12)
    t = metrics.calibration_table(yi, risk / 8, 3, strategy="uniform", sample_weight=k)
    r = metrics.calibration_table(yr, rr / 8, 3, strategy="uniform")
    np.testing.assert_allclose(t["default_rate"], r["default_rate"], rtol=1e-12)
    np.testing.assert_allclose(t["mean_pd"], r["mean_pd"], rtol=1e-12)
    np.testing.assert_allclose(t["count"] / t["count"].sum(), r["count"] / r["count"].sum(), rtol=1e-12)


def test_validate_with_weights() -> None:
    X, y = _book(7, n=800)
    card = Scorecard(special_codes=[-999], cv=3).fit(X, y)
    plain = metrics.validate(card, X, y)
    assert metrics.validate(card, X, y, sample_weight=np.full(y.size, 2.0)).to_dict() == plain.to_dict()
    w = _zero_rows(7, y)
    keep = w > 0
    weighted = metrics.validate(card, X, y, sample_weight=w)
    removed = metrics.validate(card, _take(X, keep), y[keep], sample_weight=w[keep])
    assert weighted.to_dict() == removed.to_dict()
    pd = card.predict_proba(X)[:, 1]
    assert weighted.auc == metrics.auc(y, pd, sample_weight=w) != plain.auc
    assert weighted.ks == metrics.ks(y, pd, sample_weight=w)
    assert weighted.default_rate == pytest.approx(np.average(y, weights=w))
    assert weighted.n == int(keep.sum())
    assert float(weighted.grades["count"].sum()) == pytest.approx(keep.sum())
