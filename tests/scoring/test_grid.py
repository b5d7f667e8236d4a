"""The grid path of the scoring plan (issue 14) equals the plain reference, bit for bit, on every layout.

The plan maps numeric values to cells of a uniform grid and reads their points
from a table; cells that hold a split point are scored again exactly. These
tests aim values at the split points (the split itself, the floats on either
side, integers sitting on integer split points), at the ends of the floats and
at every layout and chunking the plan knows, and compare with
``tests/_reference.py``.
"""

from __future__ import annotations

import math
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
from riskkit.scoring._reasons import top_reasons, top_reasons_one


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few rows, so that small inputs cross chunk, finish and re-score boundaries."""
    monkeypatch.setattr(_plan, "CHUNK", 37)
    monkeypatch.setattr(_plan, "COLUMN_CHUNK", 53)
    monkeypatch.setattr(_plan, "TRANSPOSE_BLOCK", 16)
    monkeypatch.setattr(_plan, "RESCORE_CHUNK", 11)
    monkeypatch.setattr(_plan, "BLOCK_ROWS", 70)
    monkeypatch.setattr(_plan, "FINISH_ROWS", 90)
    monkeypatch.setattr(_plan, "MIN_ROWS_PER_THREAD", 50)


SCALES = [1e-300, 1e-9, 1e-3, 1.0, 7.0, 1e3, 1e6, 1e12, 1e200]


@st.composite
def numeric_cards(draw: st.DrawFn) -> Card:
    features = []
    for j in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["spread", "integer", "close", "one", "none", "huge"]))
        scale = draw(st.sampled_from(SCALES))
        n = draw(st.integers(2, 9))
        if kind == "spread":
            splits = np.unique(np.round(np.asarray(draw(st.lists(
                st.floats(-100, 100, allow_nan=False), min_size=n, max_size=n))) * scale, 6))
        elif kind == "integer":
            splits = np.unique(np.asarray(draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n)), float))
        elif kind == "close":  # split points a few floats apart
            base = draw(st.floats(-1e6, 1e6, allow_nan=False))
            splits = np.unique([base, np.nextafter(base, np.inf), base + abs(base) * 1e-12 + 1e-300])
        elif kind == "one":
            splits = np.array([draw(st.floats(-1e3, 1e3, allow_nan=False)) * scale])
        elif kind == "none":
            splits = np.empty(0)
        else:  # near the largest floats
            splits = np.array([-1e307, 0.0, 1e307, 1.7e308])
        splits = splits[np.isfinite(splits)]
        codes = tuple(draw(st.lists(st.sampled_from([-999.0, -1.0, 0.0, 3.0]), max_size=2, unique=True)))
        points = draw(st.lists(st.floats(-50, 50, allow_nan=False), min_size=splits.size + 3,
                               max_size=splits.size + 3))
        features.append(CardFeature(f"n{j}", "numeric", points, splits=splits, special_codes=codes))
    return Card(tuple(features), Scaling(), MasterScale.default())


@np.errstate(over="ignore", invalid="ignore")
def values_for(card: Card, n: int, seed: int) -> np.ndarray:
    """A matrix (rows x features) aimed at the split points, the special codes and the ends of the floats."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, len(card.features)))
    for j, f in enumerate(card.features):
        s = f.splits
        pool = np.concatenate([
            s, np.nextafter(s, np.inf), np.nextafter(s, -np.inf), np.round(s), np.floor(s) - 1,
            [np.nan, np.inf, -np.inf, -999.0, -1.0, 0.0, -0.0, 3.0, 1.7e308, -1.7e308, 5e-324],
        ])
        spread = float(np.ptp(s)) if s.size > 1 else abs(float(s[0])) + 1.0 if s.size else 1.0
        centre = float(s.mean()) if s.size else 0.0
        noise = rng.normal(centre, spread if math.isfinite(spread) else 1.0, n)
        integers = rng.integers(-60, 60, n).astype(float)
        pick = rng.random(n)
        out[:, j] = np.where(pick < 0.4, rng.choice(pool, n), np.where(pick < 0.7, noise, integers))
    return out


def expected(card: Card, X: np.ndarray) -> np.ndarray:
    cols = {f.name: X[:, j] for j, f in enumerate(card.features)}
    return reference.score(card, cols, X.shape[0])


@pytest.mark.usefixtures("small_chunks")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numeric_cards(), st.integers(0, 2**32 - 1), st.integers(0, 400))
def test_every_layout_equals_the_reference(card: Card, seed: int, n: int) -> None:
    X = values_for(card, n, seed)
    want = expected(card, X)
    k = len(card.features)
    positions = list(range(k))
    plan = card.plan
    # a C-ordered matrix, read row-major
    assert same_bits(plan.total([X[:, p] for p in positions], n, matrix=(X, positions))[0], want)
    assert same_bits(plan.total([X[:, p] for p in positions], n, n_jobs=2, matrix=(X, positions))[0], want)
    # the same columns in another order, with columns the card does not read
    wide = np.full((n, k + 2), np.nan)
    shuffled = list(np.random.default_rng(seed).permutation(k) + 1)
    for j, p in enumerate(shuffled):
        wide[:, p] = X[:, j]
    assert same_bits(plan.total([wide[:, p] for p in shuffled], n, matrix=(wide, shuffled))[0], want)
    # separate columns (F-ordered), one feature at a time
    F = np.asfortranarray(X)
    assert same_bits(plan.total([F[:, p] for p in positions], n)[0], want)
    assert same_bits(plan.total([F[:, p] for p in positions], n, n_jobs=2)[0], want)
    # float32 values: the reference reads them as float64
    with np.errstate(over="ignore"):
        X32 = X.astype(np.float32)
    want32 = expected(card, X32.astype(np.float64))
    assert same_bits(plan.total([X32[:, p] for p in positions], n, matrix=(X32, positions))[0], want32)
    assert same_bits(plan.total([np.asfortranarray(X32)[:, p] for p in positions], n)[0], want32)
    # the general path (bins of every value) agrees too
    assert same_bits(plan.total([F[:, p] for p in positions], n, with_bins=True)[0], want)


@pytest.mark.usefixtures("small_chunks")
def test_finish_sees_every_row_once_final() -> None:
    card = Card(
        (CardFeature("a", "numeric", [1.0, 2.0, 3.0, 0.0, -1.0], splits=[0.5, 1.5]),
         CardFeature("b", "numeric", [5.0, 7.0, 0.0, 1.0], splits=[2.0])),
        Scaling(), MasterScale.default(),
    )
    rng = np.random.default_rng(3)
    X = np.where(rng.random((1000, 2)) < 0.3, rng.choice([0.5, 1.5, 2.0, np.nan], (1000, 2)), rng.normal(1, 1, (1000, 2)))
    want = expected(card, X)
    for matrix in ((X, [0, 1]), None):
        seen = np.zeros(1000, dtype=int)
        final = np.full(1000, np.nan)

        def finish(score: np.ndarray, rows: Any, seen: np.ndarray = seen, final: np.ndarray = final) -> None:
            assert isinstance(rows, slice)
            seen[rows] += 1
            final[rows] = score[rows]

        score, _ = card.plan.total([X[:, 0], X[:, 1]], 1000, n_jobs=2, matrix=matrix, finish=finish)
        assert same_bits(score, want) and same_bits(final, want)
        assert (seen == 1).all()


def test_values_on_integer_split_points_score_exactly() -> None:
    """Integer data on integer split points (German credit's durations and ages) leave the grid, exactly."""
    rng = np.random.default_rng(0)
    f = CardFeature("months", "numeric", [3.0, 1.0, 4.0, 1.0, 5.0, 0.0, 2.0], splits=[6.0, 12.0, 24.0, 36.0])
    g = CardFeature("rate", "numeric", [0.5, 1.5, 2.5, 0.0, 9.0], splits=[2.0, 3.0])
    card = Card((f, g), Scaling(), MasterScale.default())
    n = 3 * _plan.COLUMN_CHUNK + 5
    X = np.column_stack([rng.integers(1, 60, n), rng.integers(1, 5, n)]).astype(float)
    X[rng.random(X.shape) < 0.05] = np.nan
    want = expected(card, X)
    for matrix in ((X, [0, 1]), None):
        assert same_bits(card.plan.total([X[:, 0], X[:, 1]], n, matrix=matrix)[0], want)
        assert same_bits(card.plan.total([X[:, 0], X[:, 1]], n, n_jobs=2, matrix=matrix)[0], want)


def test_float32_or_float64_grid_by_resolution() -> None:
    near = CardFeature("year", "numeric", [1.0, 2.0, 3.0, 0.0, 0.0], splits=[2015.0, 2019.5])
    far = CardFeature("id", "numeric", [1.0, 2.0, 3.0, 0.0, 0.0], splits=[1e9, 1e9 + 1.0])
    assert Card((near,), Scaling(), MasterScale.default()).plan.dtype is np.float32
    card = Card((near, far), Scaling(), MasterScale.default())
    assert card.plan.dtype is np.float64
    X = np.array([[2015.0, 1e9], [np.nextafter(2015.0, 0), np.nextafter(1e9, 0)], [2019.5, 1e9 + 1], [3e9, -1.0]])
    assert same_bits(card.plan.total([X[:, 0], X[:, 1]], 4, matrix=(X, [0, 1]))[0], expected(card, X))


@pytest.mark.parametrize("k", range(1, 26, 3))
@pytest.mark.parametrize("n", [1, 2, 5, 15, 16, 17, 40])
def test_totals_add_the_features_in_card_order(k: int, n: int) -> None:
    """``np.add.reduce`` over the slow axis adds row after row: values where the order shows."""
    rng = np.random.default_rng(k * 100 + n)
    points = rng.choice([1e16, -1e16, 1.0, -1.0, 0.1, 3e-17, -0.0], size=(k, n)) * rng.random((k, n))
    want = np.zeros(n)
    for r in range(k):
        want = want + points[r]
    out = np.empty(n)
    _plan._total_rows(points, None, out)
    assert same_bits(out, want)
    order = list(rng.permutation(k))
    want = np.zeros(n)
    for r in order:
        want = want + points[r]
    _plan._total_rows(points, order, out)
    assert same_bits(out, want)


def test_scores_pd_and_grades_of_a_fitted_card_equal_the_reference() -> None:
    """The benchmark's check at test size: every layout and thread count gives today's score, PD and grade."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60_000, 12))
    y = (rng.random(60_000) < 1 / (1 + np.exp(-X[:, 0] - X[:, 1] + 2))).astype(int)
    X[rng.random(X.shape) < 0.02] = np.nan
    names = [f"f{j}" for j in range(12)]
    sc = riskkit.Scorecard(max_n_bins=8, min_iv=0.0).fit(pd.DataFrame(X, columns=names), y)
    card = sc.card_
    cols = {n: X[:, j] for j, n in enumerate(names)}
    score = reference.score(card, cols, len(X))
    pd_ = card.scaling.pd(score)
    grade = card.master_scale.grade(pd=pd_)
    frame = pd.DataFrame(X, columns=names)
    for data, n_jobs in [(X, None), (X, 1), (np.asfortranarray(X), None), (frame, None), (cols, 1)]:
        got = sc.score(data, n_jobs=n_jobs)
        assert same_bits(got.score, score) and same_bits(got.pd, pd_) and same_bits(got.grade, grade)
    got = sc.score(X, reasons=2)
    assert same_bits(got.score, score) and same_bits(got.grade, grade)


@pytest.mark.parametrize("scale", [
    MasterScale.default(),
    MasterScale(("A", "B", "C", "D"), (0.25, 0.5), closed="left"),
    MasterScale(("A", "B", "C", "D"), (0.25, 0.5), closed="right"),
    MasterScale(("A", "B", "C", "E", "D"), (1e-300, 2.0**-12, 0.999999999999)),
])
def test_card_grade_equals_the_master_scale(scale: MasterScale) -> None:
    rng = np.random.default_rng(1)
    cuts = np.asarray(scale.bounds)
    pd_ = np.concatenate([rng.random(5000) ** 4, cuts, np.nextafter(cuts, 0), np.nextafter(cuts, 1),
                          np.arange(4097) / 4096, [0.0, -0.0, 1.0, 5e-324, np.nan]])
    card = Card((CardFeature("a", "numeric", [1.0, 0.0, 0.0], splits=[]),), Scaling(), scale)
    assert same_bits(card.grade(np.zeros_like(pd_), pd_), scale.grade(pd=pd_))
    with pytest.raises(riskkit.ValidationError, match="pd must be in"):
        card.grade(np.zeros(3), np.array([0.5, 1.5, np.nan]))


def test_card_grade_by_score_equals_the_master_scale() -> None:
    rng = np.random.default_rng(1)
    expert = MasterScale.expert_100()
    scores = np.concatenate([rng.uniform(-10, 110, 500), np.asarray(expert.bounds), [np.inf, -np.inf, np.nan]])
    card = Card((CardFeature("a", "numeric", [1.0, 0.0, 0.0], splits=[]),), Scaling(), expert)
    assert same_bits(card.grade(scores, np.zeros_like(scores)), expert.grade(score=scores))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 1.5, 2.0, 2.0, 7.25, -3.0, 1e-300]), min_size=0, max_size=8),
       st.integers(1, 10))
def test_reasons_of_one_row_equal_the_batch_rule(lost: list[float], k: int) -> None:
    names = [f"x{j}" for j in range(len(lost))]
    values = [f"v{j}" if j % 2 else float(j) for j in range(len(lost))]
    one = top_reasons_one(names, values, lost, k)
    columns = {n: np.array([v], dtype=object) for n, v in zip(names, values, strict=True)}
    batch = top_reasons(names, columns, np.array([lost], dtype=np.float64).reshape(1, len(lost)), k)
    for a, b in ((one.features, batch.features), (one.values, batch.values)):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tolist() == b.tolist()
    assert same_bits(one.points_lost, batch.points_lost)


def test_one_customer_with_special_floats_scores_as_the_batch() -> None:
    card = riskkit.ExpertScorecard.from_dict({"features": [
        {"name": "x", "bins": [{"below": 0, "points": 5}, {"below": 10, "points": 20}, {"points": 7}],
         "special": {"codes": [-1], "points": 3}, "missing": 1},
        {"name": "c", "type": "categorical", "bins": [{"values": ["a"], "points": 30}, {"values": ["b"], "points": 0}],
         "missing": 2},
    ]})
    xs = [float("nan"), float("inf"), -float("inf"), -0.0, 0.0, -1.0, 10.0, np.nextafter(10.0, 0), 1e308]
    batch = card.score({"x": np.array(xs), "c": np.array(["a", "b", None, "a", "b", "a", "b", "a", "b"], dtype=object)},
                       reasons=2)
    for i, x in enumerate(xs):
        one = card.score({"x": x, "c": batch_c[i] if (batch_c := ["a", "b", None, "a", "b", "a", "b", "a", "b"]) else None},
                         reasons=2)
        assert same_bits(one.score, batch.score[i : i + 1]) and same_bits(one.pd, batch.pd[i : i + 1])
        assert one.grade[0] == batch.grade[i]
        assert one.reasons is not None and batch.reasons is not None
        assert one.reasons.row(0) == batch.reasons.row(i) or (math.isnan(x) and len(one.reasons.row(0)) == len(
            batch.reasons.row(i)))


def test_unknown_category_next_to_numeric_features_names_its_row_in_any_chunk() -> None:
    num = CardFeature("x", "numeric", [1.0, 2.0, 3.0, 0.0, 0.0], splits=[0.25, 0.75])
    cat = CardFeature("c", "categorical", [1.0, 2.0, 0.0, 0.0], categories=(("a",), ("b",)))
    card = Card((num, cat), Scaling(), MasterScale.default())
    n = _plan.COLUMN_CHUNK + 10
    x = np.random.default_rng(0).random(n)
    col = np.array(["a", "b"] * (n // 2), dtype=object)
    col[_plan.COLUMN_CHUNK + 3] = "zzz"
    with pytest.raises(riskkit.ValidationError, match=rf"row {_plan.COLUMN_CHUNK + 3}: category 'zzz'"):
        card.plan.total([x, col], n)
    col[_plan.COLUMN_CHUNK + 3] = "a"
    want = reference.score(card, {"x": x, "c": col}, n)
    assert same_bits(card.plan.total([x, col], n)[0], want)
