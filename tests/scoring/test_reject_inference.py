"""riskkit.scoring.reject_inference: the augmented sample, checked directly, and a population whose truth is known.

The population test draws every applicant of a book with its outcome, lets a
biased policy turn the riskier ones down, and compares three cards with the
card fitted on the whole population with its true outcomes (the truth):

* the accepted-only card, fitted on the accepted applicants;
* the inferred card, fitted again on :func:`reject_inference`'s sample.

The measure is the mean absolute difference of the PD, over every applicant,
between a card and the truth. The policy also used what the card does not
see (an underwriter's judgement), so the rejects are worse than accepted
applicants with the same score (MNAR); the uplift that encodes this is
estimated, as a lender would, from a small sample of rejects whose outcome
became known (5% of them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskkit.errors import SchemaError, ValidationError
from riskkit.scoring import Scorecard, reject_inference

SEEDS = (0, 1, 2)


# ------------------------------------------------------------------------------------------ helpers


class FixedPD:
    """A stand-in card: the PD is the column ``pd`` of X, the score its log-odds (higher is safer)."""

    def score(self, X: Any) -> Any:
        pd = np.asarray(X["pd"], dtype=np.float64)
        score = np.log((1 - pd) / pd)
        return type("Result", (), {"pd": pd, "score": score})()


def _rows(X: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in X.items()}


def population(seed: int, n: int = 8000) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Applicants, their true outcomes and the old policy's decisions (True = accepted, 60%)."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    sector = rng.choice(np.array(["a", "b", "c", "d"], dtype=object), size=n, p=[0.4, 0.3, 0.2, 0.1])
    effect = np.select([sector == "a", sector == "b", sector == "c"], [-0.5, 0.0, 0.4], 0.9)
    hidden = rng.normal(size=n)  # what the underwriter saw and the data does not hold
    risk = 0.9 * x1 + 0.6 * x2 + effect + hidden
    y = (rng.random(n) < 1 / (1 + np.exp(1.6 - risk))).astype(np.int64)
    policy = risk + rng.normal(scale=0.5, size=n)
    accepted = policy < np.quantile(policy, 0.6)
    return {"x1": x1, "x2": x2, "sector": sector}, y, accepted


def estimated_uplift(
    card: Scorecard, X: dict[str, np.ndarray], y: np.ndarray, rejected: np.ndarray, seed: int
) -> float:
    """Odds of bad observed in 5% of the rejects over the odds the accepted-only card gives them."""
    rng = np.random.default_rng(1000 + seed)
    known = rng.choice(np.flatnonzero(rejected), size=int(rejected.sum()) // 20, replace=False)
    mask = np.zeros(y.size, dtype=bool)
    mask[known] = True
    observed = y[known].mean()
    expected = card.score(_rows(X, mask)).pd.mean()
    return float((observed / (1 - observed)) / (expected / (1 - expected)))


def refit(X: Any, y: np.ndarray, w: np.ndarray) -> Scorecard:
    return Scorecard().fit(X, y, sample_weight=w)


_CASES: dict[int, dict[str, Any]] = {}


def case(seed: int) -> dict[str, Any]:
    """The population of one seed with the truth, the accepted-only card and the uplift (computed once)."""
    if seed not in _CASES:
        X, y, accepted = population(seed)
        truth = Scorecard().fit(X, y).score(X).pd
        card = Scorecard().fit(_rows(X, accepted), y[accepted])
        _CASES[seed] = {
            "X": X,
            "y": y,
            "accepted": accepted,
            "truth": truth,
            "card": card,
            "uplift": estimated_uplift(card, X, y, ~accepted, seed),
        }
    return _CASES[seed]


def distance(pd: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(np.abs(pd - truth)))


def inferred(c: dict[str, Any], method: Any) -> np.ndarray:
    X, y, acc = c["X"], c["y"], c["accepted"]
    Xa, ya, w = reject_inference(c["card"], _rows(X, acc), y[acc], _rows(X, ~acc), method, uplift=c["uplift"])
    return refit(Xa, ya, w).score(X).pd


# ------------------------------------------------------------------------------------------ the known truth


def test_the_population_is_biased_as_intended() -> None:
    for seed in SEEDS:
        c = case(seed)
        y, acc = c["y"], c["accepted"]
        assert y[~acc].mean() > 3 * y[acc].mean()  # the policy turned the riskier applicants down
        assert 2.5 < c["uplift"] < 6  # and at the same score the rejects are worse (MNAR)
        # the accepted-only card underestimates the population's risk by far
        assert c["card"].score(c["X"]).pd.mean() < 0.7 * y.mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_parcelling_brings_the_card_closer_to_the_truth(seed: int) -> None:
    c = case(seed)
    before = distance(c["card"].score(c["X"]).pd, c["truth"])
    after = distance(inferred(c, "parcelling"), c["truth"])
    # measured over seeds 0-2: accepted-only 0.110-0.115, parcelling 0.031-0.040
    assert after < 0.6 * before


@pytest.mark.parametrize("seed", SEEDS)
def test_fuzzy_augmentation_brings_the_card_closer_to_the_truth(seed: int) -> None:
    c = case(seed)
    before = distance(c["card"].score(c["X"]).pd, c["truth"])
    after = distance(inferred(c, "fuzzy"), c["truth"])
    # measured over seeds 0-2: accepted-only 0.110-0.115, fuzzy 0.028-0.034
    assert after < 0.6 * before


@pytest.mark.parametrize("seed", SEEDS)
def test_hard_cutoff_corrects_the_level_of_risk(seed: int) -> None:
    """Hard cutoff calls the riskiest rejects surely bad: it restores the level, not the shape.

    The measure here is calibration in the large, the mean PD over all
    applicants against the truth's; by the mean absolute PD difference it
    does no better than the accepted-only card (docs: it overstates how well
    the card separates among the rejects).
    """
    c = case(seed)
    truth = c["truth"].mean()
    before = abs(c["card"].score(c["X"]).pd.mean() - truth)
    after = abs(inferred(c, "hard_cutoff").mean() - truth)
    # measured over seeds 0-2: mean PD truth 0.234-0.247, accepted-only 0.125-0.134, hard cutoff 0.231-0.238
    assert after < 0.25 * before


def test_under_mar_without_uplift_fuzzy_weights_are_the_cards_own_pds() -> None:
    """With ``uplift=1`` the rejects' inferred PD is the card's: reject inference adds no information."""
    c = case(0)
    X, y, acc = c["X"], c["y"], c["accepted"]
    _, ya, w = reject_inference(c["card"], _rows(X, acc), y[acc], _rows(X, ~acc), "fuzzy")
    n_acc, n_rej = int(acc.sum()), int((~acc).sum())
    assert (ya[:n_acc] == y[acc]).all() and ya[n_acc:].tolist() == [0] * n_rej + [1] * n_rej
    np.testing.assert_allclose(w[n_acc + n_rej :], c["card"].score(_rows(X, ~acc)).pd, rtol=0, atol=1e-15)


# ------------------------------------------------------------------------------------------ the sample itself


def _stub(pd_acc: list[float], pd_rej: list[float]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    return (
        {"pd": np.array(pd_acc), "other": np.arange(len(pd_acc), dtype=float)},
        {"pd": np.array(pd_rej), "other": -np.arange(1, len(pd_rej) + 1, dtype=float)},
    )


def test_fuzzy_sample_layout_and_weights() -> None:
    acc, rej = _stub([0.1, 0.2, 0.3], [0.5, 0.2])
    X, y, w = reject_inference(FixedPD(), acc, [0, 1, 0], rej, "fuzzy", uplift=3.0, reject_weight=2.0)
    assert X["other"].tolist() == [0, 1, 2, -1, -2, -1, -2]
    assert y.tolist() == [0, 1, 0, 0, 0, 1, 1]
    # odds of bad times 3: 0.5 -> 0.75, 0.2 -> 0.25 / (0.8 + 0.75) ...
    p = np.array([0.75, 3 * 0.2 / (0.8 + 3 * 0.2)])
    np.testing.assert_allclose(w, [1, 1, 1, *(2 * (1 - p)), *(2 * p)])
    assert y.dtype == np.int64 and w.dtype == np.float64


def test_parcelling_draws_the_band_rates_and_is_reproducible() -> None:
    rng = np.random.default_rng(5)
    pd_acc = rng.uniform(0.01, 0.5, 2000)
    y_acc = (rng.random(2000) < pd_acc).astype(int)
    pd_rej = rng.uniform(0.01, 0.5, 1000)
    acc, rej = _stub(pd_acc.tolist(), pd_rej.tolist())
    _, y, w = reject_inference(
        FixedPD(), acc, y_acc, rej, "parcelling", n_bands=4, uplift=2.0, random_state=3
    )
    _, y_again, _ = reject_inference(
        FixedPD(), acc, y_acc, rej, "parcelling", n_bands=4, uplift=2.0, random_state=3
    )
    _, y_other, _ = reject_inference(
        FixedPD(), acc, y_acc, rej, "parcelling", n_bands=4, uplift=2.0, random_state=4
    )
    assert (w == 1).all() and (y == y_again).all() and not (y == y_other).all()
    # each band: the accepted's bad rate with its odds doubled, of the band's rejects (score = log-odds)
    score_acc, score_rej = np.log((1 - pd_acc) / pd_acc), np.log((1 - pd_rej) / pd_rej)
    cuts = np.quantile(
        score_acc, [0.25, 0.5, 0.75], method="inverted_cdf"
    )  # quartiles that are accepted scores
    band_acc, band_rej = np.searchsorted(cuts, score_acc, "right"), np.searchsorted(cuts, score_rej, "right")
    for b in range(4):
        rate = y_acc[band_acc == b].mean()
        rate = 2 * rate / (1 - rate + 2 * rate)
        inferred_bads = y[2000:][band_rej == b]
        assert inferred_bads.sum() == np.floor(rate * inferred_bads.size + 0.5)
        assert y_other[2000:][band_rej == b].sum() == inferred_bads.sum()


def test_parcelling_with_tied_scores_has_no_empty_band() -> None:
    """A card gives few distinct scores: bands are cut at accepted scores, so each has accepted rows."""
    acc, rej = _stub([0.1] * 6 + [0.2] * 2 + [0.4] * 12, [0.1, 0.15, 0.3, 0.4, 0.5, 0.05])
    y_acc = [0] * 5 + [1] + [0, 1] + [1] * 6 + [0] * 6
    _, y, _ = reject_inference(FixedPD(), acc, y_acc, rej, "parcelling", n_bands=10)
    # bands by score: pd 0.4 (and riskier) 6 of 12 bad, pd 0.2 1 of 2, pd 0.1 (and safer) 1 of 6
    riskiest, middle, safest = [2, 3, 4], [1], [0, 5]
    assert y[20:][riskiest].sum() == 2 and y[20:][middle].sum() == 1 and y[20:][safest].sum() == 0


def test_hard_cutoff_labels_the_riskiest() -> None:
    acc, rej = _stub([0.1, 0.2], [0.9, 0.05, 0.6, 0.3, 0.45])
    _, y, w = reject_inference(FixedPD(), acc, [0, 1], rej, "hard_cutoff")
    assert y[2:].tolist() == [1, 0, 1, 0, 0]  # 2.3 expected bads: the 2 riskiest
    _, y, _ = reject_inference(FixedPD(), acc, [0, 1], rej, "hard_cutoff", cutoff=0.3)
    assert y[2:].tolist() == [1, 0, 1, 1, 1]
    assert (w == 1).all()


def test_layouts_come_back_as_given() -> None:
    pd = pytest.importorskip("pandas")
    acc, rej = _stub([0.1, 0.2], [0.3])
    frame, y, _ = reject_inference(FixedPD(), pd.DataFrame(acc), [0, 1], pd.DataFrame(rej), "fuzzy")
    assert isinstance(frame, pd.DataFrame) and frame.index.tolist() == [0, 1, 2, 3]
    assert frame["other"].tolist() == [0, 1, -1, -1]

    class Columns:  # a card that reads a 2-D array: the PD in column 0
        def score(self, X: Any) -> Any:
            return FixedPD().score({"pd": np.asarray(X)[:, 0]})

    matrix, y, w = reject_inference(
        Columns(), np.array([[0.1, 1.0]]), [1], np.array([[0.4, 2.0]]), "hard_cutoff"
    )
    assert matrix.tolist() == [[0.1, 1.0], [0.4, 2.0]] and y.tolist() == [1, 0] and w.tolist() == [1.0, 1.0]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0.001, 0.999), min_size=1, max_size=30),
    st.floats(0.1, 10),
    st.floats(0.1, 5),
)
def test_fuzzy_keeps_every_reject_whole_and_ranks_as_the_card(
    pds: list[float], uplift: float, weight: float
) -> None:
    acc, rej = _stub([0.2], pds)
    _, y, w = reject_inference(FixedPD(), acc, [0], rej, "fuzzy", uplift=uplift, reject_weight=weight)
    n = len(pds)
    good, bad = w[1 : 1 + n], w[1 + n :]
    np.testing.assert_allclose(good + bad, weight)
    assert (y[1 : 1 + n] == 0).all() and (y[1 + n :] == 1).all()
    order = np.argsort(pds, kind="stable")
    assert (np.diff(bad[order]) >= -1e-12).all()  # a riskier applicant never gets a smaller bad weight
    shift = bad / weight - np.array(pds)
    assert (
        (shift >= -1e-12).all() if uplift >= 1 else (shift <= 1e-12).all()
    )  # the uplift moves every PD one way


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "augment"}, "method"),
        ({"uplift": 0}, "uplift"),
        ({"uplift": float("nan")}, "uplift"),
        ({"n_bands": 0}, "n_bands"),
        ({"cutoff": 1.0}, "cutoff"),
        ({"reject_weight": -1}, "reject_weight"),
        ({"random_state": "seed"}, "random_state"),
        ({"y_accepted": [0, 2]}, "y_accepted"),
        ({"y_accepted": [0, 1, 1]}, "y_accepted"),
        ({"X_rejected": {"pd": np.array([])}}, "X_rejected"),
        ({"X_rejected": [[0.1]]}, "X_rejected"),
        ({"card": object()}, "card"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, Any], field: str) -> None:
    acc, rej = _stub([0.1, 0.2], [0.3])
    args: dict[str, Any] = {"card": FixedPD(), "X_accepted": acc, "y_accepted": [0, 1], "X_rejected": rej}
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        reject_inference(**args)
    assert info.value.field == field
    assert field in str(info.value)


def test_rejects_must_have_the_accepted_features() -> None:
    acc, _ = _stub([0.1, 0.2], [0.3])
    with pytest.raises(SchemaError, match=r"X_rejected lacks feature\(s\) \['other'\]"):
        reject_inference(FixedPD(), acc, [0, 1], {"pd": np.array([0.3])})
