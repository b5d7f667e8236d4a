"""The compiled scoring plan equals the plain reference implementation, bit for bit."""

from __future__ import annotations

from typing import Any

import _reference as reference
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit.scoring import MasterScale, Scaling, _plan
from riskkit.scoring._card import Card, CardFeature

LEVELS = ["a", "b", "c,d", "é", "", "x\x00"]


@st.composite
def cards(draw: st.DrawFn, unknown: str | None = None) -> Card:
    n_features = draw(st.integers(1, 6))
    features = []
    for j in range(n_features):
        if draw(st.booleans()):
            n_splits = draw(st.sampled_from([0, 1, 3, 7, 30]))  # 30 > MAX_SUMMED_SPLITS: searchsorted
            splits = np.unique(np.round(draw(st.lists(
                st.floats(-100, 100, allow_nan=False), min_size=n_splits, max_size=n_splits)), 2))
            codes = tuple(draw(st.lists(st.sampled_from([-999.0, -1.0, 0.0]), max_size=2, unique=True)))
            points = draw(st.lists(st.floats(-50, 50, allow_nan=False), min_size=splits.size + 3,
                                   max_size=splits.size + 3))
            features.append(CardFeature(f"n{j}", "numeric", points, splits=splits, special_codes=codes))
        else:
            levels = draw(st.permutations(LEVELS))
            n_bins = draw(st.integers(1, 4))
            groups = tuple(tuple(levels[i::n_bins]) for i in range(n_bins) if levels[i::n_bins])
            points = draw(st.lists(st.floats(-50, 50, allow_nan=False), min_size=len(groups) + 2,
                                   max_size=len(groups) + 2))
            features.append(CardFeature(f"c{j}", "categorical", points, categories=groups))
    policy = unknown or draw(st.sampled_from(["missing", "worst"]))
    return Card(tuple(features), Scaling(), MasterScale.default(), unknown=policy)


def columns_for(card: Card, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for f in card.features:
        if f.kind == "numeric":
            pool = np.concatenate([f.splits, [np.nan, np.inf, -np.inf, -999.0, -1.0, 0.0],
                                   np.nextafter(f.splits, np.inf), np.nextafter(f.splits, -np.inf)])
            x = np.where(rng.random(n) < 0.5, rng.choice(pool, n), rng.normal(0, 60, n))
            out[f.name] = x
        else:
            out[f.name] = np.array(rng.choice([*LEVELS, None, "unseen"], n).tolist(), dtype=object)
    return out


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(np.asarray(a).view(np.int64), np.asarray(b).view(np.int64)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards(), st.integers(0, 2**32 - 1), st.integers(0, 70))
def test_plan_equals_reference(card: Card, seed: int, n: int) -> None:
    cols = columns_for(card, n, seed)
    expected = reference.score(card, cols, n)
    got, bins = card.plan.total([cols[name] for name in card.names], n, with_bins=True)
    assert same_bits(got, expected)
    assert bins is not None
    expected_bins = np.array(reference.bins(card, cols), dtype=np.intp).reshape(len(card.features), n).T
    assert np.array_equal(bins, expected_bins)


@settings(max_examples=20, deadline=None)
@given(cards(), st.integers(0, 2**32 - 1))
def test_chunks_threads_and_layouts_do_not_change_a_bit(card: Card, seed: int) -> None:
    n = 2 * _plan.COLUMN_CHUNK + 17  # several chunks of every path and a ragged last one
    cols = columns_for(card, n, seed)
    expected = reference.score(card, cols, n)
    ordered = [cols[name] for name in card.names]
    assert same_bits(card.plan.total(ordered, n)[0], expected)
    assert same_bits(card.plan.total(ordered, n, n_jobs=2)[0], expected)
    categorical = [pd.Series(c, dtype="category") if c.dtype == object else c for c in ordered]
    frame = {name: c for name, c in zip(card.names, categorical, strict=True)}
    from riskkit.scoring._input import convert

    lazy = [convert(frame[f.name], f.kind, f.name, n, lazy=True) for f in card.features]
    assert same_bits(card.plan.total(lazy, n)[0], expected)


def test_numeric_matrix_orders_and_float32(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 4))
    X[rng.random(X.shape) < 0.05] = np.nan
    y = (rng.random(5000) < 1 / (1 + np.exp(-X[:, 0] - X[:, 1]))).astype(int)
    sc = riskkit.Scorecard().fit(np.nan_to_num(X, nan=0.0), y)
    card = sc.card_
    for data in (X, np.asfortranarray(X), X.astype(np.float32), np.asfortranarray(X.astype(np.float32))):
        cols = {f"x{j}": data[:, j] for j in range(4)}
        expected = reference.score(card, cols, len(data))
        assert same_bits(sc.score(data).score, expected)
    monkeypatch.setattr(_plan, "MIN_ROWS_PER_THREAD", 100)
    assert same_bits(sc.score(X, n_jobs=2).score, sc.score(X).score)


def test_single_row_equals_batch() -> None:
    X, y = riskkit.datasets.load_german_credit()
    sc = riskkit.Scorecard().fit(X, y)
    batch = sc.score(X, reasons=3)
    for i in range(0, 1000, 97):
        row: dict[str, Any] = {k: (v[i].item() if isinstance(v[i], np.generic) else v[i]) for k, v in X.items()}
        one = sc.score(row, reasons=3)
        assert same_bits(one.score, batch.score[i : i + 1])
        assert same_bits(one.pd, batch.pd[i : i + 1])
        assert one.grade[0] == batch.grade[i]
        assert one.reasons is not None and batch.reasons is not None
        assert one.reasons.row(0) == batch.reasons.row(i)


@settings(max_examples=300, deadline=None)
@given(
    score=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-30_000.0, 30_000.0)),
    base_score=st.floats(-1e4, 1e4),
    base_odds=st.floats(1e-6, 1e6),
    pdo=st.floats(1e-3, 1e3),
)
def test_the_one_customer_pd_is_the_batch_pd_bit_for_bit(score: float, base_score: float, base_odds: float,
                                                         pdo: float) -> None:
    """Scaling.pd_one (the service path) equals Scaling.pd on an array, bit for bit, from scores that make
    e^z overflow to NaN and infinities, without a warning."""
    import warnings

    scaling = Scaling(base_score, base_odds, pdo)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = scaling.pd_one(score)
        batch = scaling.pd(np.array([score, 0.0, score]))
    assert type(one) is float
    assert same_bits(np.array([one]), batch[:1]) and same_bits(batch[:1], batch[2:])


@pytest.mark.parametrize("out", [np.empty(2), np.empty(3, dtype=np.float32), np.empty((3, 1)), [0.0] * 3,
                                 np.zeros(3)])
def test_pd_into_out_equals_pd_and_refuses_an_unfit_out_naming_it(out: Any) -> None:
    scaling = Scaling()
    scores = np.array([600.0, 700.0, np.inf])
    if isinstance(out, np.ndarray) and out.shape == (3,) and out.dtype == np.float64:
        assert scaling.pd(scores, out=out) is out and same_bits(out, scaling.pd(scores))
        out.flags.writeable = False
    with pytest.raises(riskkit.ValidationError, match="out must be a writeable float64 array") as info:
        scaling.pd(scores, out=out)
    assert info.value.field == "out"


def test_one_customers_reasons_are_read_only_arrays_of_one_row() -> None:
    X, y = riskkit.datasets.load_german_credit()
    sc = riskkit.Scorecard().fit(X, y)
    row: dict[str, Any] = {k: (v[0].item() if isinstance(v[0], np.generic) else v[0]) for k, v in X.items()}
    why = sc.score(row, reasons=25).reasons
    assert why is not None
    for arr, dtype in ((why.features, object), (why.values, object), (why.points_lost, np.float64)):
        assert arr.shape == (1, 25) and arr.dtype == dtype and not arr.flags.writeable
    assert why.features[0, -1] == "" and why.values[0, -1] is None and why.points_lost[0, -1] == 0.0


def test_single_row_errors_name_the_feature() -> None:
    card = riskkit.scoring.five_c()
    row = {name: 1.0 for name in card.feature_names}
    row["payment_index"] = "eighty"
    with pytest.raises(riskkit.ValidationError, match="payment_index"):
        card.score(row)
    del row["payment_index"]
    with pytest.raises(riskkit.SchemaError, match="payment_index"):
        card.score(row)


def test_unknown_category_error_names_row_in_any_chunk() -> None:
    f = CardFeature("c", "categorical", [1.0, 2.0, 0.0, 0.0], categories=(("a",), ("b",)))
    card = Card((f,), Scaling(), MasterScale.default())
    n = _plan.WIDE_CHUNK + 10
    col = np.array(["a"] * n, dtype=object)
    col[_plan.WIDE_CHUNK + 3] = "zzz"
    with pytest.raises(riskkit.ValidationError, match=rf"row {_plan.WIDE_CHUNK + 3}: category 'zzz'"):
        card.plan.total([col], n)
    codes = pd.Series(col, dtype="category")
    from riskkit.scoring._input import convert

    with pytest.raises(riskkit.ValidationError, match=rf"row {_plan.WIDE_CHUNK + 3}: category 'zzz'"):
        card.plan.total([convert(codes, "categorical", "c", n, lazy=True)], n)


def test_bad_n_jobs() -> None:
    card = riskkit.scoring.five_c()
    with pytest.raises(riskkit.ValidationError, match="n_jobs"):
        card.score({name: [1.0] * 300_000 for name in card.feature_names}, n_jobs=0)


# --------------------------------------------------------------------------- regressions: one row as pandas gives it


def _two_feature_card() -> riskkit.ExpertScorecard:
    return riskkit.ExpertScorecard.from_dict(
        {
            "features": [
                {"name": "x", "bins": [{"below": 10, "points": 5}, {"points": 20}], "missing": 1},
                {"name": "c", "type": "categorical",
                 "bins": [{"values": ["0"], "points": 30}, {"values": ["1"], "points": 0}], "missing": 2},
            ]
        }
    )


def test_a_row_with_decimal_and_pandas_na_scores_as_the_batch() -> None:
    import decimal

    card = _two_feature_card()
    frame = pd.DataFrame({"x": [decimal.Decimal("12.5"), pd.NA], "c": ["0", pd.NA]}, dtype=object)
    batch = card.score({"x": np.array([12.5, np.nan]), "c": np.array(["0", None], dtype=object)})
    for i in range(2):
        one = card.score(frame.iloc[i].to_dict())
        assert one.score.tobytes() == batch.score[i : i + 1].tobytes()
    with pytest.raises(riskkit.ValidationError, match=r"'x'.*too large"):
        card.score({"x": decimal.Decimal("1e999"), "c": "0"})
    assert card.score({"x": decimal.Decimal("2"), "c": decimal.Decimal("1")}).score.tolist() == [5.0]


def test_a_bool_in_a_categorical_feature_is_refused_in_batch_and_single_row() -> None:
    card = _two_feature_card()
    for X in ({"x": 1.0, "c": True}, {"x": [1.0], "c": [True]}, {"x": [1.0], "c": np.array([False], dtype=object)},
              pd.DataFrame({"x": [1.0], "c": [True]})):
        with pytest.raises(riskkit.ValidationError, match=r"'c'.*bool"):
            card.score(X)


def test_reasons_have_k_slots_whatever_the_number_of_features() -> None:
    card = _two_feature_card()
    r = card.score({"x": [1.0, 50.0], "c": ["1", "0"]}, reasons=5)
    assert r.reasons is not None and r.reasons.features.shape == (2, 5)
