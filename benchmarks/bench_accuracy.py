"""Accuracy benchmark: cross-validated AUC on the German credit data, and the 5C card on a synthetic book.

Run with ``python benchmarks/bench_accuracy.py``. Issue 3's target: on the
German credit data, 5-fold stratified CV (shuffle, random_state=0),
``Scorecard()`` with default parameters reaches mean AUC >= 0.795, with all
five fits and scores taking under 5 s in total. Peers (optbinning, toad) are
run in the same folds when installed (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import riskkit
from riskkit.datasets import load_german_credit, make_portfolio
from riskkit.validation import auc

Fit = Callable[[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]], np.ndarray]


def _subset(X: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[rows] for k, v in X.items()}


def riskkit_model(factory: Callable[[], Any]) -> Fit:
    def run(Xtr: dict[str, np.ndarray], ytr: np.ndarray, Xte: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(factory().fit(Xtr, ytr).score(Xte).pd)

    return run


def onehot_logistic(Xtr: dict[str, np.ndarray], ytr: np.ndarray, Xte: dict[str, np.ndarray]) -> np.ndarray:
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    tr, te = pd.DataFrame(Xtr), pd.DataFrame(Xte)
    cats = [c for c in tr if not pd.api.types.is_numeric_dtype(tr[c])]
    nums = [c for c in tr if c not in cats]
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), cats), (StandardScaler(), nums)),
        LogisticRegression(max_iter=1000),
    )
    return np.asarray(model.fit(tr, ytr).predict_proba(te)[:, 1])


def optbinning_scorecard(Xtr: dict[str, np.ndarray], ytr: np.ndarray, Xte: dict[str, np.ndarray]) -> np.ndarray:
    import pandas as pd
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    tr, te = pd.DataFrame(Xtr), pd.DataFrame(Xte)
    card = Scorecard(binning_process=BinningProcess(list(tr.columns)), estimator=LogisticRegression())
    card.fit(tr, ytr)
    return np.asarray(card.predict_proba(te)[:, 1])


def toad_scorecard(Xtr: dict[str, np.ndarray], ytr: np.ndarray, Xte: dict[str, np.ndarray]) -> np.ndarray:
    import pandas as pd
    import toad

    tr, te = pd.DataFrame(Xtr), pd.DataFrame(Xte)
    tr["target"] = ytr
    combiner = toad.transform.Combiner()
    combiner.fit(tr, y="target", method="chi", min_samples=0.05)
    woe = toad.transform.WOETransformer()
    tr_woe = woe.fit_transform(combiner.transform(tr), tr["target"], exclude=["target"])
    card = toad.ScoreCard(combiner=combiner, transer=woe)
    card.fit(tr_woe.drop(columns="target"), ytr)
    return np.asarray(card.predict_proba(te)[:, 1])


def cross_validate(name: str, fit: Fit, X: dict[str, np.ndarray], y: np.ndarray) -> None:
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(np.zeros(len(y)), y)
    aucs = []
    t0 = time.perf_counter()
    try:
        for tr, te in folds:
            pd_ = fit(_subset(X, tr), y[tr], _subset(X, te))
            aucs.append(auc(y[te], pd_))
    except ImportError as exc:
        print(f"{name:34s} skipped ({exc.name} not installed)")
        return
    elapsed = time.perf_counter() - t0
    folds_txt = " ".join(f"{a:.4f}" for a in aucs)
    print(f"{name:34s} mean AUC {np.mean(aucs):.4f}  folds {folds_txt}  {elapsed:6.2f} s")


def five_c_on_synthetic(n: int, seed: int) -> None:
    portfolio, outcomes = make_portfolio(n, seed=seed)
    as_of = np.datetime64(portfolio.as_of, "D")
    result = riskkit.scorecards.five_c().score(portfolio.features())
    performing = ~((outcomes.defaulted == 1) & (outcomes.default_date <= as_of))
    later = (outcomes.default_date > as_of) & (outcomes.defaulted == 1)
    value = auc(later[performing].astype(int), result.pd[performing])
    print(
        f"5C card, make_portfolio({n}, seed={seed}): AUC {value:.4f} for the {int(later.sum())} customers "
        f"defaulting within 180 days of {portfolio.as_of} (among {int(performing.sum())} still performing)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=5000, help="customers in the synthetic book")
    args = parser.parse_args()
    X, y = load_german_credit()
    print(f"riskkit {riskkit.__version__}; German credit: {len(y)} rows, {len(X)} features, {int(y.sum())} bad")
    print("5-fold stratified CV, shuffle=True, random_state=0")
    cross_validate("riskkit Scorecard()", riskkit_model(riskkit.Scorecard), X, y)
    for name in ("LogisticScorer", "DecisionTreeScorer"):
        cls = getattr(riskkit, name, None)
        if cls is None:
            continue
        if name == "LogisticScorer":
            for inputs in ("raw", "woe"):
                model = riskkit_model(lambda cls=cls, inputs=inputs: cls(inputs=inputs))
                cross_validate(f"riskkit LogisticScorer({inputs})", model, X, y)
        else:
            cross_validate(f"riskkit {name}()", riskkit_model(cls), X, y)
    cross_validate("one-hot logistic regression", onehot_logistic, X, y)
    cross_validate("optbinning Scorecard", optbinning_scorecard, X, y)
    cross_validate("toad ScoreCard", toad_scorecard, X, y)
    five_c_on_synthetic(args.synthetic, seed=0)


if __name__ == "__main__":
    main()
