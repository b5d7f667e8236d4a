"""Tests for riskkit.receivables: hand-computed examples, edge cases, properties."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import riskkit.receivables as rec
from riskkit.errors import ValidationError

NAN = float("nan")


# --------------------------------------------------------------------------- helpers


def naive_weighted_mean(values, weights, groups, n_groups):
    """Per-group weighted mean with plain Python loops (the reference)."""
    out = []
    for g in range(n_groups):
        num = sum(v * w for v, w, c in zip(values, weights, groups, strict=True) if c == g)
        den = sum(w for w, c in zip(weights, groups, strict=True) if c == g)
        out.append(num / den if den != 0 else NAN)
    return np.array(out)


def naive_aging(amounts, dpds, groups, n_groups, edges=(0, 30, 60, 90)):
    out = [[0.0] * (len(edges) + 1) for _ in range(n_groups)]
    for a, d, g in zip(amounts, dpds, groups, strict=True):
        bucket = len(edges)
        for i, e in enumerate(edges):
            if d <= e:
                bucket = i
                break
        out[g][bucket] += a
    return np.array(out)


amounts_st = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
days_st = st.integers(min_value=-400, max_value=400)


@st.composite
def grouped_rows(draw, days=days_st):
    n = draw(st.integers(min_value=0, max_value=40))
    n_groups = draw(st.integers(min_value=1, max_value=6))
    amounts = draw(st.lists(amounts_st, min_size=n, max_size=n))
    dpd = draw(st.lists(days, min_size=n, max_size=n))
    groups = draw(st.lists(st.integers(0, n_groups - 1), min_size=n, max_size=n))
    return (
        np.array(amounts, dtype=float),
        np.array(dpd, dtype=float),
        np.array(groups, dtype=np.int64),
        n_groups,
    )


def test_all_lists_the_public_names():
    public = {
        name
        for name in vars(rec)
        if name.isidentifier()
        and not name.startswith("_")
        and name not in {"annotations", "np", "npt", "Sequence"}
        and getattr(getattr(rec, name), "__module__", rec.__name__) == rec.__name__
    }
    assert set(rec.__all__) == public
    assert rec.__all__ == sorted(rec.__all__)


# --------------------------------------------------------------------------- days_past_due


def test_days_past_due_hand_example():
    due = np.array(["2024-03-01", "2024-03-31", "2024-04-15"], dtype="datetime64[D]")
    # 2024-03-31 - 2024-03-01 = 30 days (March has 31 days); due today = 0; 15 days ahead = -15
    got = rec.days_past_due(due, np.datetime64("2024-03-31"))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, [30, 0, -15])


def test_days_past_due_accepts_dates_and_crosses_leap_day():
    # 2024 is a leap year: 2024-02-28 -> 2024-03-01 is 2 days
    got = rec.days_past_due([dt.date(2024, 2, 28)], dt.date(2024, 3, 1))
    np.testing.assert_array_equal(got, [2])
    got = rec.days_past_due(["2024-02-28"], "2024-03-01")
    np.testing.assert_array_equal(got, [2])


def test_days_past_due_rejects_nat_and_bad_as_of():
    with pytest.raises(ValidationError) as exc:
        rec.days_past_due(np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"), "2024-02-01")
    assert exc.value.field == "due" and exc.value.row == 1
    with pytest.raises(ValidationError) as exc:
        rec.days_past_due(["2024-01-01"], np.datetime64("NaT"))
    assert exc.value.field == "as_of"
    with pytest.raises(ValidationError):
        rec.days_past_due(["2024-01-01"], ["2024-01-02", "2024-01-03"])
    with pytest.raises(ValidationError):
        rec.days_past_due(["not a date"], "2024-01-02")


# --------------------------------------------------------------------------- aging


def test_aging_hand_example_and_boundaries():
    amounts = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]
    dpd = [-10, 0, 1, 30, 31, 60, 61, 90, 91]
    # current: -10, 0 -> 1 + 2 = 3;  1-30: 1, 30 -> 4 + 8 = 12;  31-60: 16 + 32 = 48
    # 61-90: 64 + 128 = 192;  91+: 256
    got = rec.aging(amounts, dpd)
    np.testing.assert_array_equal(got, [3.0, 12.0, 48.0, 192.0, 256.0])
    assert got.shape == (len(rec.AGING_LABELS),)


def test_aging_grouped_hand_example():
    # customer 0: 100 current, 50 at 45 dpd -> [100, 0, 50, 0, 0]
    # customer 1: 20 at 120 dpd -> [0, 0, 0, 0, 20];  customer 2: no rows -> zeros
    got = rec.aging([100.0, 50.0, 20.0], [0, 45, 120], groups=[0, 0, 1], n_groups=3)
    np.testing.assert_array_equal(got, [[100, 0, 50, 0, 0], [0, 0, 0, 0, 20], [0, 0, 0, 0, 0]])


def test_aging_custom_edges():
    # edges (5, 15): dpd <= 5 | 6..15 | > 15 ; 3 -> first, 5 -> first, 6 -> second, 16 -> third
    got = rec.aging([1.0, 2.0, 4.0, 8.0], [3, 5, 6, 16], edges=(5, 15))
    np.testing.assert_array_equal(got, [3.0, 4.0, 8.0])


@pytest.mark.parametrize(
    "edges", [(30, 0), (0, 30, 30), (-1, 30), (0, 1.5), (), [[0, 30]], ("a", "b"), (0, np.nan)]
)
def test_aging_rejects_bad_edges(edges):
    with pytest.raises(ValidationError) as exc:
        rec.aging([1.0], [1], edges=edges)
    assert exc.value.field == "edges"


def test_aging_accepts_integral_float_edges():
    np.testing.assert_array_equal(rec.aging([1.0], [31], edges=(0.0, 30.0)), [0.0, 0.0, 1.0])


def test_aging_validation():
    with pytest.raises(ValidationError) as exc:
        rec.aging([1.0, -2.0], [1, 2])
    assert exc.value.field == "open_amount" and exc.value.row == 1 and exc.value.value == -2.0
    with pytest.raises(ValidationError) as exc:
        rec.aging([1.0, NAN], [1, 2])
    assert exc.value.field == "open_amount" and exc.value.row == 1
    with pytest.raises(ValidationError) as exc:
        rec.aging([1.0], [NAN])
    assert exc.value.field == "days_past_due"
    with pytest.raises(ValidationError, match="same length"):
        rec.aging([1.0, 2.0], [1])
    with pytest.raises(ValidationError) as exc:
        rec.aging([1.0, 2.0], [1, 2], groups=[0, 3], n_groups=3)
    assert exc.value.field == "groups" and exc.value.row == 1
    with pytest.raises(ValidationError) as exc:
        rec.aging([1.0, 2.0], [1, 2], groups=[0, -1], n_groups=3)
    assert exc.value.field == "groups"
    with pytest.raises(ValidationError):
        rec.aging([1.0, 2.0], [1, 2], groups=[0], n_groups=3)
    with pytest.raises(ValidationError):
        rec.aging([1.0, 2.0], [1, 2], groups=[0.0, 1.0], n_groups=3)
    with pytest.raises(ValidationError):
        rec.aging([1.0], [1], n_groups=2)  # n_groups without groups
    # a ValidationError is also a ValueError
    with pytest.raises(ValueError):
        rec.aging([-1.0], [1])


def test_aging_empty_input():
    np.testing.assert_array_equal(rec.aging([], []), np.zeros(5))
    assert rec.aging([], [], groups=[], n_groups=2).shape == (2, 5)


def test_aging_n_groups_defaults_to_max_code_plus_one():
    assert rec.aging([1.0, 1.0], [0, 0], groups=[0, 3]).shape == (4, 5)


@settings(max_examples=200, deadline=None)
@given(grouped_rows())
def test_aging_properties(rows):
    amounts, dpd, groups, n_groups = rows
    got = rec.aging(amounts, dpd, groups=groups, n_groups=n_groups)
    np.testing.assert_allclose(got, naive_aging(amounts, dpd, groups, n_groups), rtol=1e-12)
    # buckets add up to the open amount, per group and overall
    per_group_total = np.array([amounts[groups == g].sum() for g in range(n_groups)])
    np.testing.assert_allclose(got.sum(axis=1), per_group_total, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(rec.aging(amounts, dpd).sum(), amounts.sum(), rtol=1e-9, atol=1e-6)
    # grouped result equals the ungrouped result on each group's rows
    for g in range(n_groups):
        mask = groups == g
        np.testing.assert_allclose(got[g], rec.aging(amounts[mask], dpd[mask]), rtol=1e-12)


@given(days_st, st.lists(st.integers(0, 400), min_size=1, max_size=6, unique=True))
def test_aging_each_row_lands_in_exactly_one_bucket(dpd, edges):
    edges = tuple(sorted(edges))
    got = rec.aging([1.0], [dpd], edges=edges)
    assert got.sum() == 1.0 and np.count_nonzero(got) == 1
    bucket = int(np.flatnonzero(got)[0])
    lower = -math.inf if bucket == 0 else edges[bucket - 1]
    upper = math.inf if bucket == len(edges) else edges[bucket]
    assert lower < dpd <= upper


# --------------------------------------------------------------------------- period metrics


def test_dso_bpdso_add_worked_example():
    # docs/domain.md: AR 15,000, current AR 4,000, 30-day credit sales 10,000
    # DSO = 15,000 / 10,000 * 30 = 45; BPDSO = 4,000 / 10,000 * 30 = 12; ADD = 45 - 12 = 33
    assert float(rec.dso(15_000, 10_000, 30)) == 45.0
    assert float(rec.best_possible_dso(4_000, 10_000, 30)) == 12.0
    assert float(rec.average_days_delinquent(15_000, 4_000, 10_000, 30)) == 33.0


def test_period_metrics_shapes_and_nan():
    ar = np.array([15_000.0, 9_000.0, 1_000.0, NAN])
    cs = np.array([10_000.0, 30_000.0, 0.0, 5_000.0])
    # 9,000 / 30,000 * 90 = 27 ; zero sales -> NaN ; NaN AR -> NaN
    got = rec.dso(ar, cs, np.array([30, 90, 30, 30]))
    np.testing.assert_allclose(got, [45.0, 27.0, NAN, NAN])
    assert got.dtype == np.float64
    assert isinstance(rec.dso(1, 2, 3), np.ndarray) and rec.dso(1, 2, 3).shape == ()
    assert np.isnan(rec.dso(1.0, 2.0, NAN))
    assert np.isnan(rec.best_possible_dso(1.0, 0.0, 30))
    assert np.isnan(rec.average_days_delinquent(2.0, NAN, 10.0, 30))
    assert np.isnan(rec.average_days_delinquent(2.0, 1.0, 0.0, 30))
    # days broadcast against a column
    np.testing.assert_allclose(rec.dso([1.0, 2.0], [10.0, 10.0], 30), [3.0, 6.0])
    with pytest.raises(ValidationError):
        rec.dso([1.0, 2.0], [1.0, 2.0], [30, 60, 90])


def test_cei_hand_example():
    # (AR begin + sales - AR end) / (AR begin + sales - current AR end) * 100
    # (12,000 + 10,000 - 15,000) / (12,000 + 10,000 - 4,000) * 100
    #   = 7,000 / 18,000 * 100 = 38.888...
    got = rec.collection_effectiveness_index(12_000, 10_000, 15_000, 4_000)
    assert float(got) == pytest.approx(700 / 18)
    # everything collectable collected: AR end = current AR end -> 100 %
    # (5,000 + 20,000 - 6,000) / (5,000 + 20,000 - 6,000) = 100
    assert float(rec.collection_effectiveness_index(5_000, 20_000, 6_000, 6_000)) == 100.0


def test_cei_nan_and_zero_denominator():
    got = rec.collection_effectiveness_index(
        [1_000.0, NAN, 1_000.0], [1_000.0, 1_000.0, 1_000.0], [500.0, 500.0, NAN], [2_000.0, 0, 0]
    )
    # row 0: denominator 1,000 + 1,000 - 2,000 = 0 -> NaN; rows 1-2: NaN input -> NaN
    assert np.isnan(got).all()


# --------------------------------------------------------------------------- WADL and DBT


def test_wadl_hand_example():
    # early payment counts 0 days but keeps its weight: (100*10 + 300*0 + 100*30) / 500 = 8
    got = rec.weighted_average_days_late([100.0, 300.0, 100.0], [10, -5, 30])
    assert got.shape == () and float(got) == 8.0


def test_wadl_grouped_hand_example():
    # group 0: 50 paid 3 days late -> 3; group 1: (100*10 + 300*20) / 400 = 17.5;
    # group 2: no rows -> NaN
    got = rec.weighted_average_days_late(
        [100.0, 300.0, 50.0], [10, 20, 3], groups=[1, 1, 0], n_groups=3
    )
    np.testing.assert_allclose(got, [3.0, 17.5, NAN])


def test_wadl_zero_amount_and_empty():
    assert np.isnan(rec.weighted_average_days_late([0.0, 0.0], [5, 10]))
    assert np.isnan(rec.weighted_average_days_late([], []))
    with pytest.raises(ValidationError) as exc:
        rec.weighted_average_days_late([1.0, -1.0], [5, 10])
    assert exc.value.field == "amount"
    with pytest.raises(ValidationError) as exc:
        rec.weighted_average_days_late([1.0, 1.0], [5, NAN])
    assert exc.value.field == "days_late"
    with pytest.raises(ValidationError):
        rec.weighted_average_days_late([1.0, 1.0], [5])


@settings(max_examples=200, deadline=None)
@given(grouped_rows())
def test_wadl_grouped_matches_loop(rows):
    amounts, days, groups, n_groups = rows
    got = rec.weighted_average_days_late(amounts, days, groups=groups, n_groups=n_groups)
    ref = naive_weighted_mean([max(0.0, d) for d in days], amounts, groups, n_groups)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)
    for g in range(n_groups):
        mask = groups == g
        np.testing.assert_allclose(
            got[g], rec.weighted_average_days_late(amounts[mask], days[mask]), rtol=1e-12
        )


def test_dbt_hand_example():
    # only overdue rows count: (100*10 + 300*30) / (100 + 300) = 10,000 / 400 = 25; the 500 not yet
    # due (dpd -4) and the 700 due today (dpd 0) are ignored
    got = rec.days_beyond_terms([100.0, 300.0, 500.0, 700.0], [10, 30, -4, 0])
    assert float(got) == 25.0


def test_dbt_grouped_nan_when_nothing_overdue():
    # group 0: 10; group 1: items but none overdue -> NaN; group 2: overdue but 0 amount -> NaN;
    # group 3: no rows -> NaN
    got = rec.days_beyond_terms([100.0, 500.0, 0.0], [10, 0, 40], groups=[0, 1, 2], n_groups=4)
    np.testing.assert_array_equal(np.isnan(got), [False, True, True, True])
    assert got[0] == 10.0


@settings(max_examples=200, deadline=None)
@given(grouped_rows())
def test_dbt_grouped_matches_loop(rows):
    amounts, dpd, groups, n_groups = rows
    got = rec.days_beyond_terms(amounts, dpd, groups=groups, n_groups=n_groups)
    overdue_w = [a if d > 0 else 0.0 for a, d in zip(amounts, dpd, strict=True)]
    ref = naive_weighted_mean(dpd, overdue_w, groups, n_groups)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)
    assert np.all(np.isnan(got) | (got >= 1))  # weighted mean of dpd values that are all >= 1


# --------------------------------------------------------------------------- payment index


def test_payment_points_key_points_and_clamp():
    days = [d for d, _ in rec.PAYMENT_INDEX_POINTS]
    points = [p for _, p in rec.PAYMENT_INDEX_POINTS]
    np.testing.assert_array_equal(rec.payment_points(days), points)
    # clamped outside the key points
    np.testing.assert_array_equal(rec.payment_points([-365, -31, 181, 10_000]), [100, 100, 1, 1])


def test_payment_points_interpolation_by_hand():
    # -25: halfway between (-30, 100) and (-20, 90) -> 95
    # 10: 80 + (70 - 80) * 10/15 = 73.333...
    # 45: halfway between (30, 50) and (60, 40) -> 45
    # 150: halfway between (120, 20) and (180, 1) -> 10.5
    got = rec.payment_points([-25, 10, 45, 150])
    np.testing.assert_allclose(got, [95.0, 80 - 10 * 10 / 15, 45.0, 10.5])


def test_payment_points_nan_and_shape():
    got = rec.payment_points([[0, NAN]])
    assert got.shape == (1, 2) and got[0, 0] == 80.0 and np.isnan(got[0, 1])
    assert rec.payment_points(0).shape == ()


@given(hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(-1e4, 1e4, allow_nan=False)))
def test_payment_points_monotone_and_bounded(days):
    order = np.sort(days)
    pts = rec.payment_points(order)
    assert np.all(np.diff(pts) <= 1e-12)
    assert np.all((pts >= 1) & (pts <= 100))


def test_payment_index_hand_example():
    # on time -> 80, 30 late -> 50: (300*80 + 100*50) / 400 = 29,000 / 400 = 72.5
    assert float(rec.payment_index([300.0, 100.0], [0, 30])) == 72.5
    # grouped: group 1 has no rows -> NaN
    got = rec.payment_index([300.0, 100.0], [0, 30], groups=[0, 2], n_groups=3)
    np.testing.assert_array_equal(np.isnan(got), [False, True, False])
    np.testing.assert_array_equal(got[[0, 2]], [80.0, 50.0])


def test_payment_index_validation():
    assert np.isnan(rec.payment_index([0.0], [5]))
    with pytest.raises(ValidationError) as exc:
        rec.payment_index([NAN], [5])
    assert exc.value.field == "amount"
    with pytest.raises(ValidationError) as exc:
        rec.payment_index([1.0], [np.inf])
    assert exc.value.field == "days_beyond_terms"


@settings(max_examples=200, deadline=None)
@given(grouped_rows(days=st.integers(-1000, 1000)))
def test_payment_index_properties(rows):
    amounts, days, groups, n_groups = rows
    got = rec.payment_index(amounts, days, groups=groups, n_groups=n_groups)
    finite = got[~np.isnan(got)]
    assert np.all((finite >= 1 - 1e-9) & (finite <= 100 + 1e-9))
    ref = naive_weighted_mean(
        [float(np.interp(d, *zip(*rec.PAYMENT_INDEX_POINTS, strict=True))) for d in days],
        amounts,
        groups,
        n_groups,
    )
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)
    for g in range(n_groups):
        mask = groups == g
        np.testing.assert_allclose(got[g], rec.payment_index(amounts[mask], days[mask]), rtol=1e-12)


def test_payment_index_band_boundaries():
    got = rec.payment_index_band([100.0, 80.0, 79.99, 50.0, 49.99, 1.0, NAN])
    assert got.tolist() == ["low", "low", "medium", "medium", "high", "high", ""]
    assert rec.payment_index_band(NAN).shape == ()
