"""Optimal binning: WoE/IV conventions, exactness of the optimiser, layout, persistence."""

from __future__ import annotations

import itertools
import json
import math
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskkit.errors import FormatError, ValidationError
from riskkit.scoring._binning import (
    AUTO_SHAPE_MIN_GAIN_ABS,
    AUTO_SHAPE_MIN_GAIN_REL,
    Binning,
    _tree_prebin_splits,
    fit_categorical,
    fit_numeric,
)
from riskkit.scoring._binning_dp import optimal_partition, woe_iv

DP_TRENDS = ["ascending", "descending", "peak", "valley", None]


# --------------------------------------------------------------------------- brute force reference


def _trend_ok(rates: list[float], trend: str | None) -> bool:
    up = [a < b for a, b in itertools.pairwise(rates)]
    down = [a > b for a, b in itertools.pairwise(rates)]
    if trend is None:
        return True
    if trend == "ascending":
        return all(up)
    if trend == "descending":
        return all(down)
    n = len(rates)
    if trend == "peak":  # rising up to some turning bin p, falling after it
        return any(all(up[:p]) and all(down[p:]) for p in range(n))
    return any(all(down[:p]) and all(up[p:]) for p in range(n))  # valley


def _partition_iv(
    e: list[float],
    g: list[float],
    starts: list[int],
    total_e: float,
    total_g: float,
    trend: str | None,
    min_w: float,
    min_ev: float,
    min_nev: float,
    max_bins: int | None,
) -> float | None:
    """IV of one partition, or None if it breaks a constraint; sums are plain Python."""
    edges = [0, *starts, len(e)]
    if max_bins is not None and len(edges) - 1 > max_bins:
        return None
    be = [sum(e[a:b]) for a, b in itertools.pairwise(edges)]
    bg = [sum(g[a:b]) for a, b in itertools.pairwise(edges)]
    for ev, nev in zip(be, bg, strict=True):
        if ev + nev < min_w or ev < min_ev or nev < min_nev or ev + nev <= 0:
            return None
    if not _trend_ok([ev / (ev + nev) for ev, nev in zip(be, bg, strict=True)], trend):
        return None
    iv = 0.0
    for ev, nev in zip(be, bg, strict=True):
        if ev <= 0 or nev <= 0:  # a pure bin (possible only with a zero minimum count): smoothed
            ev, nev = ev + 0.5, nev + 0.5
        pg, pe = nev / total_g, ev / total_e
        iv += (pg - pe) * math.log(pg / pe)
    return iv


def _brute_force(
    e: list[float],
    g: list[float],
    total_e: float,
    total_g: float,
    trend: str | None,
    min_w: float,
    min_ev: float,
    min_nev: float,
    max_bins: int | None,
) -> float | None:
    best: float | None = None
    k = len(e)
    for cut in itertools.product([False, True], repeat=k - 1):
        starts = [i + 1 for i, c in enumerate(cut) if c]
        iv = _partition_iv(e, g, starts, total_e, total_g, trend, min_w, min_ev, min_nev, max_bins)
        if iv is not None and (best is None or iv > best):
            best = iv
    return best


@st.composite
def _prebin_problems(draw: st.DrawFn, integer: bool = True) -> dict[str, Any]:
    k = draw(st.integers(1, 8))
    if integer:
        e = [float(v) for v in draw(st.lists(st.integers(0, 12), min_size=k, max_size=k))]
        g = [float(v) for v in draw(st.lists(st.integers(0, 12), min_size=k, max_size=k))]
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        e = rng.uniform(0, 5, k).round(6).tolist()
        g = rng.uniform(0, 5, k).round(6).tolist()
    extra_e = draw(st.integers(0, 4))  # events in missing/special bins
    extra_g = draw(st.integers(0, 4))
    total_e, total_g = sum(e) + extra_e, sum(g) + extra_g
    if total_e <= 0 or total_g <= 0:
        total_e, total_g = total_e + 1, total_g + 1
    return {
        "e": e,
        "g": g,
        "total_e": total_e,
        "total_g": total_g,
        "trend": draw(st.sampled_from(DP_TRENDS)),
        "min_w": float(draw(st.integers(0, 20))),
        "min_ev": float(draw(st.integers(0, 3))),
        "min_nev": float(draw(st.integers(0, 3))),
        "max_bins": draw(st.one_of(st.none(), st.integers(1, k))),
    }


def _check_dp_against_brute_force(p: dict[str, Any]) -> None:
    part = optimal_partition(
        p["e"],
        p["g"],
        total_event=p["total_e"],
        total_nonevent=p["total_g"],
        trend=p["trend"],
        min_bin_weight=p["min_w"],
        min_bin_n_event=p["min_ev"],
        min_bin_n_nonevent=p["min_nev"],
        max_n_bins=p["max_bins"],
    )
    args = (p["total_e"], p["total_g"], p["trend"], p["min_w"], p["min_ev"], p["min_nev"], p["max_bins"])
    expected = _brute_force(p["e"], p["g"], *args)
    if expected is None:
        assert not part.feasible and part.starts == () and part.iv == -math.inf
        return
    assert part.feasible
    assert part.iv == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # the returned partition itself is feasible and worth what the optimiser says
    own = _partition_iv(p["e"], p["g"], list(part.starts), *args)
    assert own is not None
    assert own == pytest.approx(part.iv, rel=1e-9, abs=1e-12)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_prebin_problems())
def test_dp_equals_brute_force_integer_counts(p: dict[str, Any]) -> None:
    _check_dp_against_brute_force(p)


@settings(max_examples=200, deadline=None)
@given(_prebin_problems(integer=False))
def test_dp_equals_brute_force_weighted_counts(p: dict[str, Any]) -> None:
    _check_dp_against_brute_force(p)


@pytest.mark.parametrize("trend", DP_TRENDS)
def test_dp_equals_brute_force_every_trend_fixed_seeds(trend: str | None) -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        k = int(rng.integers(2, 10))
        e = rng.integers(0, 15, k).astype(float).tolist()
        g = rng.integers(0, 40, k).astype(float).tolist()
        max_bins = None if rng.random() < 0.5 else int(rng.integers(1, k + 1))
        p = {
            "e": e,
            "g": g,
            "total_e": sum(e) + 3,
            "total_g": sum(g) + 5,
            "trend": trend,
            "min_w": float(rng.integers(0, 25)),
            "min_ev": 1.0,
            "min_nev": 1.0,
            "max_bins": max_bins,
        }
        _check_dp_against_brute_force(p)


def test_dp_peak_finds_the_turn() -> None:
    e, g = [1, 2, 6, 1], [9, 8, 4, 9]
    peak = optimal_partition(e, g, total_event=10, total_nonevent=30, trend="peak")
    asc = optimal_partition(e, g, total_event=10, total_nonevent=30, trend="ascending")
    assert peak.starts == (1, 2, 3) and asc.starts == (1, 2)
    assert peak.iv > asc.iv


# --------------------------------------------------------------------------- conventions, hand computed


def test_woe_iv_hand_computed() -> None:
    # bins [-inf, 10): 3 good 1 bad; [10, inf): 1 good 3 bad; special: empty; missing: 1 good 1 bad
    x = np.array([0, 0, 0, 0, 10, 10, 10, 10, np.nan, np.nan])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0, 1])
    b = fit_numeric(x, y, name="f", min_bin_size=0.25, min_prebin_size=0.1)
    assert b.splits.tolist() == [10.0]
    assert b.n_nonevent.tolist() == [3, 1, 0, 1] and b.n_event.tolist() == [1, 3, 0, 1]
    assert b.count.tolist() == [4, 4, 0, 2]
    np.testing.assert_allclose(b.event_rate[[0, 1, 3]], [0.25, 0.75, 0.5])
    assert np.isnan(b.event_rate[2])
    ln3 = math.log(3.0)
    # %good = 3/5, %bad = 1/5 -> WoE = ln 3 (safer bin, positive WoE)
    np.testing.assert_allclose(b.woe, [ln3, -ln3, 0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(b.iv_bins, [0.4 * ln3, 0.4 * ln3, 0.0, 0.0], atol=1e-15)
    assert b.iv == pytest.approx(0.8 * ln3)


def test_smoothing_of_a_pure_missing_bin() -> None:
    # missing bin: 0 good, 2 bad -> +0.5 to both counts
    x = np.array([0, 0, 0, 0, 10, 10, 10, 10, np.nan, np.nan])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1, 1, 1])
    b = fit_numeric(x, y, name="f", min_bin_size=0.25, min_prebin_size=0.1)
    total_good, total_bad = 4.0, 6.0
    pg, pb = 0.5 / total_good, 2.5 / total_bad
    assert b.woe[3] == pytest.approx(math.log(pg / pb))
    assert b.iv_bins[3] == pytest.approx((pg - pb) * math.log(pg / pb))
    assert b.n_event[3] == 2 and b.n_nonevent[3] == 0  # reported counts are not smoothed
    assert b.woe[0] == pytest.approx(math.log((3 / total_good) / (1 / total_bad)))


def test_woe_iv_helper_edge_cases() -> None:
    woe, iv = woe_iv([0.0, 0.0, 5.0], [0.0, 4.0, 0.0], 10.0, 10.0)
    assert woe[0] == 0.0 and iv[0] == 0.0  # empty bin: neutral
    assert woe[1] == pytest.approx(math.log((4.5 / 10) / (0.5 / 10)))
    assert woe[2] == pytest.approx(math.log((0.5 / 10) / (5.5 / 10)))
    assert np.all(iv >= 0)


def test_higher_woe_is_safer() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(x - 1)))).astype(int)
    b = fit_numeric(x, y, name="f")
    m = b.n_bins
    assert b.trend == "ascending" and m >= 3
    order = np.argsort(b.event_rate[:m])
    assert np.all(np.diff(b.woe[:m][order]) < 0)
    assert b.iv == pytest.approx(b.iv_bins.sum()) and np.all(b.iv_bins >= 0)


# --------------------------------------------------------------------------- numeric layout


def test_left_closed_edges_and_infinities() -> None:
    x = np.repeat([1.0, 2.0, 3.0, 4.0], 25)
    low, high = np.tile([0, 0, 0, 1, 0], 5), np.tile([0, 1, 0, 1, 1], 5)
    y = np.concatenate([low, low, high, high])
    b = fit_numeric(x, y, name="f", monotonic_trend="ascending")
    assert b.splits.tolist() == [3.0]
    assert b.bin_index([2.999999, 3.0, 3.0000001, -np.inf, np.inf]).tolist() == [0, 1, 1, 0, 1]
    assert b.labels() == ["[-inf, 3.0)", "[3.0, inf)", "Special", "Missing"]
    # the training counts follow the same rule
    assert b.count.tolist() == [50, 50, 0, 0]


def test_splits_are_actual_values_of_the_upper_prebin() -> None:
    rng = np.random.default_rng(1)
    x = rng.choice([0.0, 0.0, 0.0, 1.5, 2.25, 7.0, 11.0], size=2000)
    y = (rng.random(2000) < 0.1 + 0.05 * x).astype(int)
    b = fit_numeric(x, y, name="f")
    assert set(b.splits.tolist()) <= {1.5, 2.25, 7.0, 11.0}
    assert np.all(np.isfinite(b.splits))


def test_nan_none_and_special_codes() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 100, 1000)
    x[:50] = np.nan
    x[50:120] = -999.0
    x[120:130] = 1e9
    y = (rng.random(1000) < np.where(x > 50, 0.5, 0.2)).astype(int)
    b = fit_numeric(x, y, name="f", special_codes=[-999, 1e9])
    m = b.n_bins
    assert b.special_codes == (-999.0, 1e9)
    assert b.count[m] == 80 and b.count[m + 1] == 50
    assert np.all((b.splits > 0) & (b.splits < 100))  # special codes take no part in pre-binning
    assert b.bin_index(np.array([np.nan, -999, 1e9, 50.0])).tolist()[:3] == [m + 1, m, m]
    obj = np.array([None, -999, 5, 2.5], dtype=object)
    assert b.bin_index(obj).tolist()[:2] == [m + 1, m]
    assert b.special_bin == m and b.missing_bin == m + 1


def test_no_feasible_split_gives_one_regular_bin() -> None:
    x = np.arange(100, dtype=float)
    y = np.zeros(100, dtype=int)
    y[::10] = 1
    b = fit_numeric(x, y, name="f", min_bin_n_event=20, monotonic_trend="descending")
    assert b.n_bins == 1 and b.splits.size == 0 and b.trend == "descending"
    assert b.labels()[0] == "[-inf, inf)"
    assert b.count.tolist() == [100, 0, 0]


def test_all_values_missing_or_special() -> None:
    x = np.array([np.nan, -1, np.nan, -1, np.nan, -1])
    y = [0, 1, 1, 0, 0, 1]
    b = fit_numeric(x, y, name="f", special_codes=[-1])
    assert b.n_bins == 1 and b.count.tolist() == [0, 3, 3]
    assert b.woe[0] == 0.0


@pytest.mark.parametrize("trend", ["ascending", "descending", "peak", "valley"])
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(60, 600))
def test_fitted_event_rates_follow_the_trend(trend: str, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(1)
    y = (rng.random(n) < 0.3 + 0.2 * np.sin(x)).astype(int)
    y[:2] = [0, 1]
    b = fit_numeric(x, y, name="f", monotonic_trend=trend, min_bin_size=0.1)
    rates = b.event_rate[: b.n_bins].tolist()
    assert b.trend == trend
    assert _trend_ok(rates, trend)
    assert np.all(b.count[: b.n_bins] >= 0.1 * n * (1 - 1e-9))
    assert np.all(b.n_event[: b.n_bins] >= 1) and np.all(b.n_nonevent[: b.n_bins] >= 1)
    assert np.all(np.isfinite(b.woe))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), max_n_bins=st.integers(1, 5))
def test_max_n_bins_and_auto(seed: int, max_n_bins: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=400)
    y = (rng.random(400) < 0.2 + 0.1 * (x > 0.5)).astype(int)
    y[:2] = [0, 1]
    b = fit_numeric(x, y, name="f", max_n_bins=max_n_bins)
    assert b.n_bins <= max_n_bins
    asc = fit_numeric(x, y, name="f", max_n_bins=max_n_bins, monotonic_trend="ascending")
    desc = fit_numeric(x, y, name="f", max_n_bins=max_n_bins, monotonic_trend="descending")
    mono = max(asc.iv, desc.iv)
    if b.trend in ("ascending", "descending"):
        assert b.iv == pytest.approx(mono)
    else:
        assert b.iv >= max(mono * (1 + AUTO_SHAPE_MIN_GAIN_REL), mono + AUTO_SHAPE_MIN_GAIN_ABS)


def test_auto_takes_a_valley_only_when_clearly_better() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(18, 80, 4000)
    strong = (rng.random(4000) < np.where((x < 30) | (x > 65), 0.5, 0.1)).astype(int)
    b = fit_numeric(x, strong, name="age")
    assert b.trend == "valley"
    rates = b.event_rate[: b.n_bins]
    assert rates[0] > rates.min() < rates[-1]
    # a feature with only a trace of curvature stays monotonic
    weak = (rng.random(4000) < 0.1 + 0.004 * (x - 18) + 0.03 * (x < 22)).astype(int)
    assert fit_numeric(x, weak, name="age").trend in ("ascending", "descending")


def test_sample_weight_equals_repeated_rows() -> None:
    rng = np.random.default_rng(11)
    x = rng.integers(0, 60, 500).astype(float)
    x[:20] = np.nan
    y = (rng.random(500) < 0.1 + x / 200).astype(int)
    y[20:22] = [0, 1]
    w = rng.integers(0, 4, 500)
    weighted = fit_numeric(x, y, name="f", sample_weight=w.astype(float))
    repeated = fit_numeric(np.repeat(x, w), np.repeat(y, w), name="f")
    np.testing.assert_array_equal(weighted.splits, repeated.splits)
    np.testing.assert_allclose(weighted.n_event, repeated.n_event)
    np.testing.assert_allclose(weighted.n_nonevent, repeated.n_nonevent)
    cats = np.array(["a", "b", "c", "d"], dtype=object)[rng.integers(0, 4, 500)]
    cw = fit_categorical(cats, y, name="c", sample_weight=w)
    cr = fit_categorical(np.repeat(cats, w), np.repeat(y, w), name="c")
    assert cw.categories == cr.categories
    np.testing.assert_allclose(cw.n_event, cr.n_event)


# --------------------------------------------------------------------------- categorical


def _categorical_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(8)
    levels = np.array(["car (new)", "car (used)", "tv", "furniture", "repairs", "retraining", "yacht"])
    rates = np.array([0.45, 0.15, 0.22, 0.3, 0.35, 0.1, 0.6])
    share = np.array([0.3, 0.15, 0.25, 0.2, 0.08, 0.015, 0.005])
    idx = rng.choice(7, size=4000, p=share)
    y = (rng.random(4000) < rates[idx]).astype(int)
    x = levels[idx].astype(object)
    x[:40] = None
    x[40:60] = np.nan
    return x, y


def test_categorical_rare_grouping_and_ordering() -> None:
    x, y = _categorical_data()
    b = fit_categorical(x, y, name="purpose", min_category_share=0.02)
    assert b.kind == "categorical" and b.trend == "ascending"
    assert b.rare_categories == ("retraining", "yacht")
    # the rare group stays together and every level is in exactly one bin
    assert any({"retraining", "yacht"} <= set(cats) for cats in b.categories)
    flat = [lvl for cats in b.categories for lvl in cats]
    assert sorted(flat) == sorted(set(x[60:].tolist()))
    assert all(list(cats) == sorted(cats) for cats in b.categories)
    rates = b.event_rate[: b.n_bins]
    assert np.all(np.diff(rates) > 0)  # ordered by event rate, so monotonic by construction
    assert b.count[b.missing_bin] == 60 and b.count[b.special_bin] == 0
    assert b.labels()[-2:] == ["Special", "Missing"]
    assert b.labels()[0] == ", ".join(b.categories[0])


def test_categorical_unknown_and_missing() -> None:
    x, y = _categorical_data()
    b = fit_categorical(x, y, name="purpose")
    got = b.bin_index(np.array(["tv", "spaceship", None, np.nan, "yacht", ""], dtype=object)).tolist()
    assert got[0] == b._lookup["tv"]
    assert got[1] == -1 and got[5] == -1
    assert got[2] == got[3] == b.missing_bin
    assert got[4] == b._lookup["yacht"]
    assert b.bin_index(np.array(["tv", "yacht"])).tolist() == [got[0], got[4]]  # plain str arrays too


def test_categorical_dp_matches_brute_force_on_sorted_groups() -> None:
    x, y = _categorical_data()
    b = fit_categorical(x, y, name="purpose", min_category_share=0.02, min_bin_size=0.1)
    # brute force over contiguous groupings of the rate-sorted groups
    groups = [("car (new)",), ("car (used)",), ("tv",), ("furniture",), ("repairs",), ("retraining", "yacht")]
    reg = np.array([v is not None and v == v for v in x])
    e = [float(sum(y[reg][np.isin(x[reg], g)])) for g in groups]
    n = [float(np.isin(x[reg], g).sum()) for g in groups]
    order = sorted(range(len(groups)), key=lambda k: e[k] / n[k])
    es = [e[k] for k in order]
    gs = [n[k] - e[k] for k in order]
    best = _brute_force(
        es, gs, float(y.sum()), float(len(y) - y.sum()), "ascending", 0.1 * sum(n), 1, 1, None
    )
    assert b.iv - b.iv_bins[-1] == pytest.approx(best)


def test_unicode_and_commas_round_trip() -> None:
    levels = np.array(
        ["a, b", "Ölhändler, GmbH", "日本語", '"quoted"', "", "x\ny", "🚚 transport"], dtype=object
    )
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(levels), 3000)
    y = (rng.random(3000) < 0.1 + 0.05 * idx).astype(int)
    x = levels[idx]
    b = fit_categorical(x, y, name="branche, 1", min_bin_size=0.05)
    doc = json.loads(json.dumps(b.to_dict()))
    back = Binning.from_dict(doc)
    assert back == b
    assert back.categories == b.categories and back.name == "branche, 1"
    np.testing.assert_array_equal(back.bin_index(x), b.bin_index(x))
    assert sorted(lvl for cats in back.categories for lvl in cats) == sorted(levels.tolist())


def test_categorical_all_levels_rare_and_all_missing() -> None:
    rng = np.random.default_rng(0)
    x = np.array([f"c{i}" for i in range(300)], dtype=object)[rng.integers(0, 300, 3000)]
    y = rng.integers(0, 2, 3000)
    b = fit_categorical(x, y, name="id", min_category_share=0.05)
    assert b.n_bins == 1 and len(b.rare_categories) == len(set(x.tolist()))
    empty = fit_categorical(np.array([None, None, np.nan], dtype=object), [0, 1, 0], name="e")
    assert empty.categories == ((),) and empty.count.tolist() == [0, 0, 3]
    assert empty.bin_index(["a"]).tolist() == [-1]


def test_categorical_many_levels_are_prebinned() -> None:
    rng = np.random.default_rng(0)
    x = np.array([f"c{i}" for i in range(2000)], dtype=object)[rng.integers(0, 2000, 20000)]
    y = (rng.random(20000) < 0.2).astype(int)
    b = fit_categorical(x, y, name="id", min_category_share=0.0, max_n_prebins=50)
    assert b.n_bins >= 1 and np.all(np.diff(b.event_rate[: b.n_bins]) > 0)
    assert b.bin_index(x).min() >= 0


# --------------------------------------------------------------------------- batch == row by row, persistence


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([-999.0, 0.0, 1.0, 2.0, 3.5, 10.0]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_numeric_batch_equals_row_by_row(values: list[float]) -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.integers(0, 12, 300) / 2.0, [np.nan, -999.0]])
    y = (rng.random(302) < 0.1 + x / 20).astype(int)
    y[:2] = [0, 1]
    b = fit_numeric(x, y, name="f", special_codes=[-999], min_bin_size=0.05, monotonic_trend=None)
    batch = b.bin_index(np.array(values))
    rows = [int(b.bin_index([v])[0]) for v in values]
    assert batch.tolist() == rows
    expected = []
    for v in values:
        if math.isnan(v):
            expected.append(b.n_bins + 1)
        elif v == -999.0:
            expected.append(b.n_bins)
        else:
            expected.append(sum(v >= s for s in b.splits.tolist()))
    assert rows == expected


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d", "e", "zz", "a,b"])), max_size=30
    )
)
def test_categorical_batch_equals_row_by_row(values: list[str | None]) -> None:
    rng = np.random.default_rng(1)
    x = np.array(["a", "b", "c", "d", "e", "a,b"], dtype=object)[rng.integers(0, 6, 600)]
    y = (rng.random(600) < np.where(np.isin(x, ["a", "b"]), 0.4, 0.1)).astype(int)
    b = fit_categorical(x, y, name="c")
    arr = np.array(values, dtype=object)
    batch = b.bin_index(arr)
    rows = [int(b.bin_index(np.array([v], dtype=object))[0]) for v in values]
    assert batch.tolist() == rows
    for v, r in zip(values, rows, strict=True):
        if v is None:
            assert r == b.missing_bin
        elif v == "zz":
            assert r == -1
        else:
            assert v in b.categories[r]


def test_numeric_round_trip_is_bit_identical() -> None:
    rng = np.random.default_rng(9)
    x = rng.normal(size=2000) * 1e-3 + 0.1 + 0.2
    x[:30] = np.nan
    x[30:40] = np.inf
    w = rng.uniform(0.1, 3.0, 2000)
    y = (rng.random(2000) < 0.2 + 50 * (x - 0.3)).astype(int)
    b = fit_numeric(x, y, name="ratio", special_codes=[-1e-300, -np.inf], sample_weight=w, max_n_bins=4)
    doc = b.to_dict()
    text = json.dumps(doc, allow_nan=False)  # strict JSON: no bare NaN or Infinity
    back = Binning.from_dict(json.loads(text))
    assert back == b
    for attr in ("splits", "n_event", "n_nonevent", "count", "event_rate", "woe", "iv_bins"):
        a, c = getattr(b, attr), getattr(back, attr)
        assert a.tobytes() == c.tobytes(), attr
    assert back.special_codes == b.special_codes and -np.inf in back.special_codes
    assert back.iv == b.iv and back.trend == b.trend
    assert np.isnan(back.event_rate[b.special_bin])
    assert '"-inf"' in text


def test_the_document_format_is_riskkit_binning() -> None:
    b = fit_numeric(np.arange(100.0), np.arange(100) % 3 == 0, name="f")
    doc = b.to_dict()
    assert doc["format"] == "riskkit.binning"  # as written before riskkit.scoring: saved models unchanged
    assert Binning.from_dict({**doc, "format": "riskkit.scoring._binning"}) == b  # written for a while


def test_from_dict_rejects_bad_documents() -> None:
    b = fit_numeric(np.arange(100.0), np.arange(100) % 3 == 0, name="f")
    good = b.to_dict()
    with pytest.raises(FormatError, match="format"):
        Binning.from_dict({"format": "other"})
    with pytest.raises(FormatError, match="version"):
        Binning.from_dict({**good, "version": 99})
    with pytest.raises(FormatError, match="n_event"):
        Binning.from_dict({k: v for k, v in good.items() if k != "n_event"})
    with pytest.raises(FormatError, match="entries"):
        Binning.from_dict({**good, "n_event": good["n_event"][:-1]})
    with pytest.raises(FormatError, match="splits"):
        Binning.from_dict({**good, "splits": ["x"]})
    with pytest.raises(FormatError, match="increasing"):
        Binning.from_dict({**good, "splits": [2.0, 1.0]})


def test_result_is_read_only_and_unhashable() -> None:
    b = fit_numeric(np.arange(100.0), np.arange(100) % 3 == 0, name="f")
    for attr in ("splits", "n_event", "woe", "count", "event_rate", "iv_bins"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(b, attr)[0] = 1.0
    with pytest.raises(AttributeError):
        b.name = "g"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(b)
    assert repr(b).startswith("Binning(name='f', kind='numeric'")
    copy = pickle.loads(pickle.dumps(b))
    assert copy == b and not copy.woe.flags.writeable


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y": [0, 1, 2, 0]}, "y must be 0"),
        ({"y": [0, 0, 0, 0]}, "both classes"),
        ({"y": [0, 1, 0]}, "4 values"),
        ({"y": [0, 1, None, 0]}, "y"),
        ({"x": ["1", "2", "3", "4"]}, "not numeric"),
        ({"x": np.array([1.0, "2", 3, 4], dtype=object)}, "row 1"),
        ({"monotonic_trend": "up"}, "monotonic_trend"),
        ({"min_bin_size": 0.6}, r"min_bin_size must be a number in \(0, 0.5\]"),
        ({"min_bin_size": 0}, "min_bin_size"),
        ({"min_prebin_size": -0.1}, "min_prebin_size"),
        ({"max_n_prebins": 1}, "max_n_prebins"),
        ({"prebinning": "tree"}, "prebinning"),
        ({"max_n_bins": 0}, "max_n_bins"),
        ({"max_n_bins": True}, "max_n_bins"),
        ({"min_bin_n_event": -1}, "min_bin_n_event"),
        ({"special_codes": [np.nan]}, "special code"),
        ({"special_codes": "-999"}, "special_codes"),
        ({"sample_weight": [1, -1, 1, 1]}, "sample_weight"),
        ({"sample_weight": [1, 1, 1]}, "sample_weight"),
        ({"sample_weight": [0, 1, 0, 1]}, "both classes"),
    ],
)
def test_numeric_validation(kwargs: dict[str, Any], match: str) -> None:
    args = {"x": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1], **kwargs}
    x, y = args.pop("x"), args.pop("y")
    with pytest.raises(ValidationError, match=match) as info:
        fit_numeric(x, y, name="amount", **args)
    assert "'amount'" in str(info.value)


def test_categorical_validation() -> None:
    with pytest.raises(ValidationError, match=r"'kind'.*str levels") as info:
        fit_categorical(np.array(["a", 3, "b"], dtype=object), [0, 1, 0], name="kind")
    assert info.value.row == 1
    with pytest.raises(ValidationError, match="not text"):
        fit_categorical(np.array([1, 2, 3]), [0, 1, 0], name="kind")
    with pytest.raises(ValidationError, match="min_category_share"):
        fit_categorical(["a", "b"], [0, 1], name="kind", min_category_share=0.7)
    b = fit_categorical(["a", "b", "a", "b"], [0, 1, 0, 1], name="kind", min_bin_size=0.5)
    with pytest.raises(ValidationError, match="not text"):
        b.bin_index(np.array([1.0, 2.0]))
    n = fit_numeric([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1], name="n")
    with pytest.raises(ValidationError, match="'n'"):
        n.bin_index(["a"])
    with pytest.raises(ValidationError, match="name"):
        fit_numeric([1.0, 2.0], [0, 1], name=3)  # type: ignore[arg-type]


def test_accepts_bool_decimal_and_pandas_like_missing() -> None:
    from decimal import Decimal

    x = np.array([Decimal("1.5"), 2, None, 4.0, True], dtype=object)
    b = fit_numeric(x, np.array([False, True, False, True, False]), name="d", min_bin_size=0.5)
    assert b.count.sum() == 5 and b.count[b.missing_bin] == 1


def test_no_heavy_imports() -> None:
    code = (
        "import sys, json, riskkit.scoring._binning, riskkit.scoring._binning_dp; "
        "print(json.dumps([m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_binning_renders_as_an_html_table() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    y = (rng.random(400) < 1 / (1 + np.exp(-2 * x))).astype(int)
    b = fit_numeric(x, y, name="x <b>")
    html = b._repr_html_()
    assert html.count("<tr>") == 1 + b.n_bins  # header, regular bins; the empty special and missing bins hidden
    assert "x &lt;b&gt;" in html and "<td>Missing</td>" not in html and "WoE" in html
    assert "<p>Special and Missing bins not shown: no training rows</p>" in html
    assert f"<td>{int(b.count[0])}</td>" in html  # a count shows as an integer
    x[:25] = np.nan  # now the missing bin holds rows, and shows
    html = fit_numeric(x, y, name="x", special_codes=[x[30]])._repr_html_()
    assert "<td>Missing</td><td>25</td>" in html and "<td>Special</td><td>1</td>" in html
    assert "<p>" not in html


# --------------------------------------------------------------------------- tree pre-bins


def _gini(w: np.ndarray, e: np.ndarray) -> float:
    total = float(w.sum())
    rate = float((w * e).sum()) / total if total else 0.0
    return 2.0 * total * rate * (1.0 - rate)


def _tree_reference(x: np.ndarray, y: np.ndarray, max_leaves: int, share: float) -> list[float]:
    """Best-first Gini tree by brute force over every admissible cut (unit weights)."""
    leaves = [np.sort(np.unique(x))]
    cuts: list[float] = []
    min_rows = share * x.size * (1 - 1e-9)
    while len(leaves) < max_leaves:
        best: tuple[float, int, int] | None = None
        for k, values in enumerate(leaves):
            inside = np.isin(x, values)
            parent = _gini(np.ones(int(inside.sum())), y[inside])
            floor = 1e-12 * max(parent, 1e-300)
            leaf_best: tuple[float, int] | None = None  # the lowest cut among (near-)equal gains
            for t in range(1, values.size):
                lower = inside & (x < values[t])
                upper = inside & (x >= values[t])
                if lower.sum() < min_rows or upper.sum() < min_rows or not np.isfinite(values[t]):
                    continue
                gain = parent - _gini(np.ones(int(lower.sum())), y[lower]) - _gini(np.ones(int(upper.sum())), y[upper])
                if gain > floor and (leaf_best is None or gain > leaf_best[0] + floor):
                    leaf_best = (gain, t)
            if leaf_best is not None and (best is None or leaf_best[0] > best[0]):
                best = (leaf_best[0], k, leaf_best[1])
        if best is None:
            break
        _, k, t = best
        values = leaves.pop(k)
        cuts.append(float(values[t]))
        leaves[k:k] = [values[:t], values[t:]]
    return sorted(cuts)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=10, max_size=80),
    st.integers(0, 2**32 - 1),
    st.integers(2, 8),
    st.sampled_from([0.02, 0.05, 0.2]),
)
def test_tree_prebins_match_a_brute_force_best_first_tree(
    values: list[int], seed: int, max_leaves: int, share: float
) -> None:
    x = np.array(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    y = (rng.random(x.size) < 1 / (1 + np.exp(-(x - 15) / 5))).astype(np.float64)
    got = _tree_prebin_splits(x, np.ones(x.size), y, max_leaves, share)
    expected = _tree_reference(x, y, max_leaves, share)
    assert got.tolist() == expected
    assert set(got.tolist()) <= set(x.tolist())  # split points are actual values
    assert len(got) <= max_leaves - 1
    pre = np.searchsorted(got, x, side="right")
    assert np.bincount(pre).min() >= share * x.size * (1 - 1e-9)


def test_tree_prebins_find_the_change_point_quantiles_miss() -> None:
    x = np.arange(100.0)
    y = (x >= 37).astype(int)
    y[[0, 99]] = [1, 0]
    assert fit_numeric(x, y, max_n_prebins=4).splits.tolist() == [25.0, 50.0]
    b = fit_numeric(x, y, max_n_prebins=4, prebinning="cart")
    assert b.splits.tolist() == [37.0]
    assert b.n_event.tolist() == [1.0, 62.0, 0.0, 0.0]


def test_tree_prebins_of_a_constant_target_rate_or_value() -> None:
    x = np.arange(50.0)
    y = np.tile([0, 1], 25)
    assert _tree_prebin_splits(x, np.ones(50), np.zeros(50), 10, 0.05).size == 0  # one class: no gain
    assert _tree_prebin_splits(np.full(50, 3.0), np.ones(50), y.astype(float), 10, 0.05).size == 0
    assert _tree_prebin_splits(np.empty(0), np.empty(0), np.empty(0), 10, 0.05).size == 0
    b = fit_numeric(np.full(50, 3.0), y, prebinning="cart")
    assert b.n_bins == 1


def test_tree_prebins_with_weights_infinities_missing_and_special_codes() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=600)
    y = (rng.random(600) < np.where(x > 0.5, 0.6, 0.15)).astype(int)
    x[:5], x[5:10], x[10:40], x[40:60] = np.inf, -np.inf, np.nan, -999.0
    w = rng.uniform(0.5, 2.0, size=600)
    b = fit_numeric(x, y, special_codes=[-999], prebinning="cart", sample_weight=w)
    assert np.isfinite(b.splits).all()
    assert b.count[b.missing_bin] == pytest.approx(w[10:40].sum())
    assert b.count[b.special_bin] == pytest.approx(w[40:60].sum())
    assert np.isin(b.splits, x).all()
    again = fit_numeric(x, y, special_codes=[-999], prebinning="cart", sample_weight=w)
    assert again == b  # deterministic
    # doubling every weight changes nothing
    assert fit_numeric(x, y, special_codes=[-999], prebinning="cart", sample_weight=2 * w).splits.tolist() == b.splits.tolist()
