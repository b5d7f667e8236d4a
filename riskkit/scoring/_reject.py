"""Reject inference: a sample of all applicants to refit an application card on, from the accepted ones.

An application card fitted on accepted customers only has never seen the
outcome of an applicant the old policy turned down. Reject inference gives
each rejected applicant an *inferred* outcome and returns the accepted and
the rejected applicants together, with weights, to fit the card again on
the whole population that applies (the "through-the-door" population).

It adds an assumption, not information: what the rejects would have done is
never observed, so each method states what it takes for granted.

Assumptions, stated once (docs/domain.md, *Scorecard scaling* for the
conventions: ``y = 1`` is bad, odds are good:bad):

* **MAR** (missing at random): the old policy's decision depended only on
  what the card sees, so a rejected and an accepted applicant with the same
  features (the same score) have the same probability of going bad. Then the
  accepted-only card is already right wherever it has data, and reject
  inference with ``uplift=1`` only extends it to the region the rejects
  occupy, as the card extrapolates there.
* **MNAR** (missing not at random): the decision also used what the card
  does not see (an underwriter's judgement, a phone call, a bureau check
  not in the data), so at the same score the rejects are worse than the
  accepted. ``uplift`` encodes by how much: the odds of bad of a reject are
  ``uplift`` times those of an accepted applicant with the same score.
  Practitioners set it from experience or from a sample of rejects that
  were later granted credit elsewhere (bureau data); Siddiqi reports rejects
  going bad at two to four times the rate of accepts in the same score band.
  The figure is a judgement: state it with the card.

Methods:

``"fuzzy"`` (fuzzy augmentation)
    Each reject appears twice, once good with weight ``1 - p`` and once bad
    with weight ``p``, ``p`` its inferred probability of bad (the card's PD
    with the ``uplift`` on the odds). Nothing random; needs a fit that
    takes ``sample_weight``.
``"parcelling"``
    The rejects are grouped in bands of the card's score (at most ``n_bands``
    quantile bands of the *accepted* scores, fewer when scores tie); in each band the bad rate
    observed among the accepted (with the ``uplift`` on its odds) is the share
    of the band's rejects drawn, at random, to be bad. Labels are 0/1 with
    weight 1, so any fit can use the sample.
``"hard_cutoff"`` (simple augmentation)
    Rejects at or above a PD ``cutoff`` are bad and the others good. With
    ``cutoff=None`` the riskiest rejects are bad, as many as the sum of their
    inferred PDs (so the expected number of bads is kept). Deterministic; it
    makes the riskiest rejects look surely bad and the others surely good,
    which overstates how well the card separates in the rejected region.

Accepted applicants keep their observed outcome with weight 1; a reject
counts ``reject_weight`` applicants (use the inverse of a sampling rate when
``X_rejected`` is a sample of the rejects).

References: N. Siddiqi, *Intelligent Credit Scoring* (2017), chapter on
reject inference (parcelling, fuzzy and simple augmentation); D. J. Hand
and W. E. Henley (1993), "Can reject inference ever work?", *IMA Journal of
Mathematics Applied in Business and Industry* 5(1): without an assumption
beyond the data (MNAR: the uplift), it cannot improve a well-specified model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from riskkit._checks import NONE, Interval, Options, check
from riskkit.errors import SchemaError, ValidationError

__all__ = ["reject_inference"]

Method = Literal["parcelling", "fuzzy", "hard_cutoff"]
METHODS = ("parcelling", "fuzzy", "hard_cutoff")


# --------------------------------------------------------------------------------------------- inputs


def _kind(X: Any, name: str) -> str:
    """How a sample of applicants is laid out: ``"frame"`` (pandas), ``"columns"`` (mapping) or ``"matrix"``."""
    if type(X).__module__.split(".", 1)[0] == "pandas" and hasattr(X, "columns"):
        return "frame"
    if isinstance(X, Mapping) or (hasattr(X, "names") and hasattr(X, "__getitem__")):
        return "columns"
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return "matrix"
    raise ValidationError(
        f"{name} must be a pandas DataFrame, a mapping of feature name -> values (or a FeatureFrame) "
        f"or a 2-D numpy array, got {type(X).__name__}",
        field=name,
    )


def _names(X: Any) -> tuple[str, ...]:
    return tuple(X.names) if hasattr(X, "names") else tuple(str(k) for k in X)


def _n_rows(X: Any, kind: str, name: str) -> int:
    if kind in ("frame", "matrix"):
        return int(X.shape[0])
    lengths = {n: len(np.asarray(X[n])) for n in _names(X)}
    if not lengths:
        raise ValidationError(f"{name} has no features", field=name)
    if len(set(lengths.values())) > 1:
        raise ValidationError(f"{name}: features differ in length: {lengths}", field=name)
    return next(iter(lengths.values()))


def _stack(accepted: Any, rejected: Any, kind: str, index: np.ndarray) -> Any:
    """The accepted rows, then the rejected rows picked by ``index`` (a reject may be picked twice)."""
    if kind == "frame":
        import pandas as pd

        return pd.concat([accepted, rejected.iloc[index]], ignore_index=True)
    if kind == "matrix":
        return np.concatenate([accepted, rejected[index]])
    return {
        n: np.concatenate([np.asarray(accepted[n]), np.asarray(rejected[n])[index]]) for n in _names(accepted)
    }


def _same_layout(accepted: Any, rejected: Any, kind: str) -> None:
    if kind == "frame":
        missing = [c for c in accepted.columns if c not in set(rejected.columns)]
    elif kind == "matrix":
        if rejected.shape[1] != accepted.shape[1]:
            raise ValidationError(
                f"X_rejected has {rejected.shape[1]} columns but X_accepted has {accepted.shape[1]}; "
                "they must hold the same features in the same order",
                field="X_rejected",
            )
        return
    else:
        have = set(_names(rejected))
        missing = [n for n in _names(accepted) if n not in have]
    if missing:
        raise SchemaError(f"X_rejected lacks feature(s) {missing} that X_accepted has")


def _outcomes(y: npt.ArrayLike, n: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.size != n:
        raise ValidationError(
            f"y_accepted must be 1-D with one outcome per row of X_accepted ({n}), got shape {arr.shape}",
            field="y_accepted",
        )
    try:
        f = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            f"y_accepted must hold 0 (good) or 1 (bad), got values of type {arr.dtype}", field="y_accepted"
        ) from None
    bad = ~((f == 0) | (f == 1))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            f"y_accepted must hold only 0 (good) or 1 (bad); row {row} is {arr[row]!r}",
            field="y_accepted",
            row=row,
        )
    return f.astype(np.int64)


def _pd_and_score(card: Any, X: Any, name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    result = card.score(X)
    missing = [a for a in ("score", "pd") if not hasattr(result, a)]
    if missing:
        raise ValidationError(
            f"card.score({name}) returned {type(result).__name__} without {missing}; expected a fitted "
            "scorer whose score(X) gives score and pd arrays",
            field="card",
        )
    pd = np.asarray(result.pd, dtype=np.float64)
    score = np.asarray(result.score, dtype=np.float64)
    if pd.shape != (n,) or score.shape != (n,):
        raise ValidationError(f"card.score({name}) gave {pd.shape[0]} rows, expected {n}", field="card")
    nan = np.isnan(pd) | np.isnan(score)
    if nan.any():
        row = int(np.flatnonzero(nan)[0])
        raise ValidationError(
            f"the card gives no PD for row {row} of {name}; reject inference needs every row scored",
            field=name,
            row=row,
        )
    return pd, score


def _uplifted(p: np.ndarray, uplift: float) -> np.ndarray:
    """``p`` with its odds of bad multiplied by ``uplift`` (0 and 1 stay put)."""
    if uplift == 1.0:
        return p.copy()
    return np.asarray(uplift * p / (1.0 - p + uplift * p))


# --------------------------------------------------------------------------------------------- methods


def _parcel(
    p_bad_rate: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_bands: int,
    uplift: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """0/1 outcomes of the rejects by parcelling (see the module docstring)."""
    score_acc, y_acc, score_rej = p_bad_rate
    # cuts that are scores of accepted rows (a card gives few distinct scores), above the lowest:
    # band b is [cuts[b - 1], cuts[b]) and holds at least the accepted row on its lower edge
    inner = np.quantile(score_acc, np.linspace(0.0, 1.0, n_bands + 1)[1:-1], method="inverted_cdf")
    cuts = np.unique(inner[inner > score_acc.min()])
    band_acc = np.searchsorted(cuts, score_acc, side="right")
    band_rej = np.searchsorted(cuts, score_rej, side="right")
    k = cuts.size + 1
    count = np.bincount(band_acc, minlength=k)
    bads = np.bincount(band_acc, weights=y_acc, minlength=k)
    rate = _uplifted(bads / count, uplift)
    n_rej = np.bincount(band_rej, minlength=k)
    n_bad = np.floor(rate * n_rej + 0.5).astype(np.int64)
    # a random order of the rejects, grouped by band: the first n_bad[b] of band b are bad
    order = np.lexsort((rng.random(band_rej.size), band_rej))
    rank = np.empty(band_rej.size, dtype=np.int64)
    start = np.cumsum(n_rej) - n_rej
    rank[order] = np.arange(band_rej.size) - np.repeat(start, n_rej)
    return (rank < n_bad[band_rej]).astype(np.int64)


def _hard(p: np.ndarray, cutoff: float | None) -> np.ndarray:
    if cutoff is not None:
        return (p >= cutoff).astype(np.int64)
    n_bad = math.floor(float(p.sum()) + 0.5)
    order = np.argsort(-p, kind="stable")  # riskiest first; ties in row order
    y = np.zeros(p.size, dtype=np.int64)
    y[order[:n_bad]] = 1
    return y


def reject_inference(
    card: Any,
    X_accepted: Any,
    y_accepted: npt.ArrayLike,
    X_rejected: Any,
    method: Method = "fuzzy",
    *,
    uplift: float = 1.0,
    n_bands: int = 10,
    cutoff: float | None = None,
    reject_weight: float = 1.0,
    random_state: int | None = 0,
) -> tuple[Any, np.ndarray, np.ndarray]:
    """The accepted applicants and the rejected ones with inferred outcomes, weighted, to refit a card on.

    See the module docstring (:mod:`riskkit.scoring._reject`) for the
    assumptions (MAR, MNAR and ``uplift``) and the methods. Refit with
    ``Scorecard().fit(X_augmented, y_augmented, sample_weight=sample_weight)``.

    Parameters
    ----------
    card : fitted scorer
        The card fitted on the accepted applicants only: anything whose
        ``score(X)`` returns ``score`` (higher = safer) and ``pd`` arrays, as
        a fitted :class:`~riskkit.scoring.Scorecard` does.
    X_accepted : DataFrame, mapping of name to array, FeatureFrame or 2-D array
        The accepted applicants' features.
    y_accepted : array-like of {0, 1} or bool
        Their observed outcomes, 1 = bad.
    X_rejected : same layout as ``X_accepted``
        The rejected applicants' features (extra columns are ignored; a
        2-D array must have the same columns).
    method : {"fuzzy", "parcelling", "hard_cutoff"}, default "fuzzy"
    uplift : float, default 1.0
        How much worse a reject is than an accepted applicant with the same
        score, as a multiple of the odds of bad; 1 is the MAR assumption.
    n_bands : int, default 10
        Score bands for parcelling: quantiles of the accepted scores.
    cutoff : float in (0, 1), optional
        For ``"hard_cutoff"``: a reject whose inferred PD is at least this
        is bad. None: the riskiest rejects are bad, as many as the sum of
        their inferred PDs.
    reject_weight : float > 0, default 1.0
        How many applicants one reject stands for.
    random_state : int or None, default 0
        Seed of the parcelling draw.

    Returns
    -------
    X_augmented : same layout as ``X_accepted``
        The accepted rows, then the rejects (twice each for ``"fuzzy"``:
        first as goods, then as bads). A mapping comes back as a dict of
        arrays, a DataFrame as a DataFrame with a fresh index.
    y_augmented : ndarray of int64
        Observed outcomes, then inferred ones.
    sample_weight : ndarray of float64
        1 for accepted rows; for rejects ``reject_weight`` (fuzzy:
        ``reject_weight * (1 - p)`` as good and ``reject_weight * p`` as bad).

    Raises
    ------
    ValidationError
        An unknown ``method``, a parameter out of range, ``y_accepted`` not
        0/1 or of another length than ``X_accepted``, X not a supported
        layout, an empty ``X_rejected``, or a row the card cannot score.
    SchemaError
        ``X_rejected`` lacks a feature of ``X_accepted``.

    Examples
    --------
    >>> import numpy as np
    >>> from riskkit.datasets import load_german_credit
    >>> from riskkit.scoring import Scorecard, reject_inference
    >>> X, y = load_german_credit()
    >>> turned_down = (X["status_of_existing_checking_account"] == "... < 0 DM") & (X["duration_in_month"] > 12)
    >>> accepted = {k: v[~turned_down] for k, v in X.items()}     # an old policy's decisions
    >>> rejected = {k: v[turned_down] for k, v in X.items()}
    >>> card = Scorecard().fit(accepted, y[~turned_down])         # the accepted-only card
    >>> len(y[~turned_down]), len(y[turned_down])
    (818, 182)
    >>> round(float(card.score(rejected).pd.sum()), 1)            # bads the card expects among the rejects
    71.3
    >>> Xa, ya, w = reject_inference(card, accepted, y[~turned_down], rejected, "fuzzy", uplift=2.0)
    >>> len(ya), round(float(w.sum()), 6)      # every reject twice (good, then bad), its weights summing to 1
    (1182, 1000.0)
    >>> round(float(w[818:][ya[818:] == 1].sum()), 1)               # bads inferred: odds of bad doubled
    96.8
    >>> Xa, ya, w = reject_inference(card, accepted, y[~turned_down], rejected, "parcelling", uplift=2.0)
    >>> len(ya), set(w.tolist()), int(ya[818:].sum())
    (1000, {1.0}, 98)

    The German credit data holds the outcomes of these "rejects" too: 102
    of the 182 went bad, where the accepted-only card expected 71.
    """
    check("method", method, Options(*METHODS))
    uplift = float(check("uplift", uplift, Interval(float, 0, None, closed="right")))
    n_bands = int(check("n_bands", n_bands, Interval(int, 1, 1000)))
    reject_weight = float(check("reject_weight", reject_weight, Interval(float, 0, None, closed="right")))
    check("cutoff", cutoff, Interval(float, 0, 1, closed="neither"), NONE)
    check("random_state", random_state, Interval(int, 0, None), NONE)
    if not hasattr(card, "score"):
        raise ValidationError(
            f"card must be a fitted scorer with score(X), got {type(card).__name__}", field="card"
        )
    kind = _kind(X_accepted, "X_accepted")
    if _kind(X_rejected, "X_rejected") != kind:
        raise ValidationError(
            f"X_rejected must have the layout of X_accepted ({kind}), got {type(X_rejected).__name__}",
            field="X_rejected",
        )
    n_acc = _n_rows(X_accepted, kind, "X_accepted")
    n_rej = _n_rows(X_rejected, kind, "X_rejected")
    if n_acc == 0:
        raise ValidationError("X_accepted is empty", field="X_accepted")
    if n_rej == 0:
        raise ValidationError("X_rejected is empty: there is nothing to infer", field="X_rejected")
    _same_layout(X_accepted, X_rejected, kind)
    y_acc = _outcomes(y_accepted, n_acc)

    pd_rej, score_rej = _pd_and_score(card, X_rejected, "X_rejected", n_rej)
    p = _uplifted(pd_rej, uplift)
    ones = np.ones(n_acc)
    if method == "fuzzy":
        index = np.r_[np.arange(n_rej), np.arange(n_rej)]
        y_rej = np.r_[np.zeros(n_rej, dtype=np.int64), np.ones(n_rej, dtype=np.int64)]
        w_rej = reject_weight * np.r_[1.0 - p, p]
    else:
        index = np.arange(n_rej)
        if method == "parcelling":
            _, score_acc = _pd_and_score(card, X_accepted, "X_accepted", n_acc)
            rng = np.random.default_rng(random_state)
            y_rej = _parcel((score_acc, y_acc, score_rej), n_bands, uplift, rng)
        else:
            y_rej = _hard(p, None if cutoff is None else float(cutoff))
        w_rej = np.full(n_rej, reject_weight)
    X_aug = _stack(X_accepted, X_rejected, kind, index)
    return X_aug, np.r_[y_acc, y_rej], np.r_[ones, w_rej]
