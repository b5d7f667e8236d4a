"""Bins set by hand (``Scorecard(bins=...)``): used as given, kept on refit, in the table, saved, and refused clearly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskkit
from riskkit.datasets import load_german_credit
from riskkit.errors import ValidationError
from riskkit.scoring import Scorecard
from riskkit.scoring._binning import Binning

AGE, DURATION, AMOUNT, PURPOSE = "age_in_years", "duration_in_month", "credit_amount", "purpose"
CARS = ["car (new)", "car (used)"]
HAND = {
    AGE: [25, 35, 50],
    DURATION: {"fixed": [12, 24, 36]},
    AMOUNT: {"monotonic_trend": "ascending"},
    PURPOSE: [CARS, ["furniture/equipment", "domestic appliances"]],
}


@pytest.fixture(scope="module")
def german() -> tuple[dict[str, np.ndarray], np.ndarray]:
    X, y = load_german_credit()
    return {k: np.asarray(X[k]) for k in X}, np.asarray(y)


@pytest.fixture(scope="module")
def hand(german: tuple[dict[str, np.ndarray], np.ndarray]) -> Scorecard:
    X, y = german
    return Scorecard(bins=HAND, selection=None).fit(X, y)


def _rows(card: Scorecard, feature: str) -> list[dict[str, Any]]:
    return [r for r in card.table() if r["feature"] == feature]


def _same_bins(a: Binning, b: Binning) -> bool:
    """The same bins with the same counts (the trend differs: bins by hand have none)."""
    return (
        np.array_equal(a.splits, b.splits)
        and a.categories == b.categories
        and np.array_equal(a.n_event, b.n_event)
        and np.array_equal(a.n_nonevent, b.n_nonevent)
    )


def test_cut_points_by_hand_reproduce_exactly_in_the_table(
    hand: Scorecard, german: tuple[dict[str, np.ndarray], np.ndarray]
) -> None:
    X, y = german
    assert hand.bins_[AGE] == [25.0, 35.0, 50.0]
    rows = _rows(hand, AGE)
    feature = next(f for f in hand.card_.features if f.name == AGE)
    assert feature.splits.tolist() == [25.0, 35.0, 50.0]
    assert [r["bin"] for r in rows] == feature.labels() and len(rows) == 4 + 2
    assert all(str(c) in rows[i]["bin"] and str(c) in rows[i + 1]["bin"] for i, c in enumerate((25, 35, 50)))
    # the counts are those of the cut points, computed here independently
    age = X[AGE]
    edges = [-np.inf, 25, 35, 50, np.inf]
    for r, lo, hi in zip(rows, edges[:-1], edges[1:], strict=False):
        inside = (age >= lo) & (age < hi)
        assert r["count"] == inside.sum() and r["bads"] == y[inside].sum()
        assert r["set_by"] == "hand"
    assert {r["set_by"] for r in _rows(hand, DURATION)} == {"guided"}
    assert {r["set_by"] for r in _rows(hand, "housing")} == {"optimiser"}


def test_merged_categories_score_identically(
    hand: Scorecard, german: tuple[dict[str, np.ndarray], np.ndarray]
) -> None:
    X, _ = german
    assert hand.bins_[PURPOSE][:2] == [CARS, ["furniture/equipment", "domestic appliances"]]
    labels = [r["bin"] for r in _rows(hand, PURPOSE)]
    assert labels[:2] == ["car (new), car (used)", "furniture/equipment, domestic appliances"]
    # every applicant scored as buying a new car, then a used one: the same points, row for row
    new = hand.score({**X, PURPOSE: np.full(len(X[PURPOSE]), "car (new)", dtype=object)})
    used = hand.score({**X, PURPOSE: np.full(len(X[PURPOSE]), "car (used)", dtype=object)})
    tv = hand.score({**X, PURPOSE: np.full(len(X[PURPOSE]), "radio/television", dtype=object)})
    assert np.array_equal(new.score, used.score) and np.array_equal(new.pd, used.pd)
    assert not np.array_equal(new.score, tv.score)  # a level outside the group is its own bin
    # a level no group lists keeps a bin of its own
    assert ["radio/television"] in hand.bins_[PURPOSE]


def test_a_per_feature_trend_replaces_the_cards(german: tuple[dict[str, np.ndarray], np.ndarray]) -> None:
    X, y = german
    card = Scorecard(monotonic_trend="descending", bins={AMOUNT: {"monotonic_trend": "ascending"}},
                     selection=None).fit(X, y)
    assert card.binnings_[AMOUNT].trend == "ascending"
    assert card.binnings_[DURATION].trend == "descending"
    rate = card.binnings_[AMOUNT].event_rate[: card.binnings_[AMOUNT].n_bins]
    assert np.all(np.diff(rate) > 0)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_fixed_cuts_survive_refitting(seed: int, german: tuple[dict[str, np.ndarray], np.ndarray]) -> None:
    X, y = german
    rows = np.random.default_rng(seed).integers(0, y.size, y.size)  # a bootstrap sample: other data, same spec
    Xb, yb = {k: v[rows] for k, v in X.items()}, y[rows]
    card = Scorecard(bins={DURATION: {"fixed": [12, 24, 36]}, AGE: [25, 35, 50]}, selection=None).fit(Xb, yb)
    assert {12.0, 24.0, 36.0} <= set(card.bins_[DURATION])
    assert card.bins_[AGE] == [25.0, 35.0, 50.0]
    # and the analyst's copy of the fitted bins refits the very same binnings and card
    again = Scorecard(bins=card.bins_, selection=None).fit(Xb, yb)
    assert all(_same_bins(again.binnings_[n], b) for n, b in card.binnings_.items())
    assert np.array_equal(again.score(Xb).score, card.score(Xb).score)


def test_the_optimisers_bins_copied_refit_the_same_card(german: tuple[dict[str, np.ndarray], np.ndarray]) -> None:
    X, y = german
    first = Scorecard(selection=None).fit(X, y)
    assert "set_by" not in first.table()[0]  # no hand bins: the table is as before
    edited = json.loads(json.dumps(first.bins_))  # what an analyst copies out and back
    again = Scorecard(bins=edited, selection=None).fit(X, y)
    assert again.binnings_.keys() == first.binnings_.keys()
    assert all(_same_bins(again.binnings_[n], b) for n, b in first.binnings_.items())
    assert np.array_equal(again.score(X).score, first.score(X).score)
    assert {r["set_by"] for r in again.table()} == {"hand"}


def test_hand_bins_save_and_load_bit_identical(
    hand: Scorecard, german: tuple[dict[str, np.ndarray], np.ndarray], tmp_path: Path
) -> None:
    X, _ = german
    path = tmp_path / "card.json"
    riskkit.save(hand, path)
    loaded = riskkit.load(path)
    assert loaded.bins_ == hand.bins_
    assert json.dumps(loaded.table()) == json.dumps(hand.table())  # set_by included; NaN as NaN
    a, b = hand.score(X), loaded.score(X)
    assert np.array_equal(a.score, b.score) and np.array_equal(a.pd, b.pd)
    assert loaded.get_params()["bins"] == json.loads(json.dumps(loaded.get_params()["bins"]))


def test_a_document_saved_before_bins_existed_still_loads(
    german: tuple[dict[str, np.ndarray], np.ndarray], tmp_path: Path
) -> None:
    import hashlib

    X, y = german
    card = Scorecard(selection=None, max_n_prebins=4).fit(X, y)
    path = tmp_path / "old.json"
    riskkit.save(card, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["body"]["params"]["bins"]  # as riskkit wrote it before the parameter
    canonical = json.dumps(doc["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    doc["sha256"] = hashlib.sha256(canonical.encode()).hexdigest()
    path.write_text(json.dumps(doc), encoding="utf-8")
    loaded = riskkit.load(path)
    assert loaded.bins is None
    assert np.array_equal(loaded.score(X).score, card.score(X).score)


@pytest.mark.parametrize(
    ("bins", "words"),
    [
        ({"age": [25]}, ["'age'", "not in X", AGE]),
        ({AGE: [25, float("nan")]}, [AGE, "cut nan", "finite"]),
        ({AGE: [35, 25]}, [AGE, "cut 25.0", "strictly increasing"]),
        ({AGE: [25, "35"]}, [AGE, "'35'", "group"]),
        ({AGE: [25, 500]}, [AGE, "cut 500.0", "[500.0, inf)", "without training rows"]),
        ({DURATION: {"fixed": [12, np.inf]}}, [DURATION, "cut inf"]),
        ({DURATION: {"fixed": [-5]}}, [DURATION, "cut -5.0", "without training rows"]),
        ({DURATION: {"fix": [12]}}, [DURATION, "'fix'", "'fixed'"]),
        ({DURATION: {"monotonic_trend": "up"}}, [DURATION, "'up'", "ascending"]),
        ({PURPOSE: [["car (new)", "car (usd)"]]}, [PURPOSE, "'car (usd)'", "levels seen", "'car (used)'"]),
        ({PURPOSE: [CARS, ["car (new)"]]}, [PURPOSE, "'car (new)'", "group 0 and in group 1"]),
        ({PURPOSE: [CARS, []]}, [PURPOSE, "group 1 is empty"]),
        ({PURPOSE: [CARS, [3]]}, [PURPOSE, "level 3", "str"]),
        ({PURPOSE: ["car (new)", "car (used)"]}, [PURPOSE, "'car (new)'", "not in a group"]),
        ({PURPOSE: [25, 35]}, [PURPOSE, "categorical feature", "groups of levels"]),
        ({PURPOSE: {"monotonic_trend": "ascending"}}, [PURPOSE, "categorical feature"]),
        ({AGE: [["20", "30"]]}, [AGE, "numeric feature", "`categorical`"]),
        ({AGE: "25, 35"}, [AGE, "accepted"]),
        ([25, 35], ["bins must be", "mapping"]),
    ],
)
def test_invalid_specs_name_the_feature_and_the_cut_or_level(
    bins: Any, words: list[str], german: tuple[dict[str, np.ndarray], np.ndarray]
) -> None:
    X, y = german
    with pytest.raises(ValidationError) as info:
        Scorecard(bins=bins).fit(X, y)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert info.value.field == "bins"


def test_hand_bins_refit_in_folds_without_refusing_empty_bins(
    german: tuple[dict[str, np.ndarray], np.ndarray],
) -> None:
    """The out-of-fold selection refits the hand bins on each fold; a level absent from a fold is no error."""
    X, y = german
    card = Scorecard(bins={PURPOSE: [["others"], ["retraining"], CARS]}, cv=5).fit(X, y)
    assert isinstance(card.binnings_[PURPOSE], Binning)
    assert card.bins_[PURPOSE][:3] == [["others"], ["retraining"], CARS]
