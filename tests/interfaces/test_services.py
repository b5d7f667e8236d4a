"""Scorers shared by the threads of a service: concurrent scoring equals serial scoring, bit for bit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import riskkit

THREADS = 8
ROUNDS = 5


@pytest.fixture(scope="module")
def german() -> tuple[dict[str, np.ndarray], np.ndarray]:
    return riskkit.datasets.load_german_credit()


@pytest.fixture(scope="module")
def book_features() -> riskkit.FeatureFrame:
    return riskkit.datasets.make_portfolio(600, seed=3)[0].features()


def _slices(X: Any, n: int) -> list[Any]:
    """Per thread: even threads score the same full batch, odd ones different (overlapping) slices."""
    def part(k: int) -> Any:
        if k % 2 == 0:
            return X
        lo, hi = k * n // (2 * THREADS), n - k * n // (3 * THREADS)
        if isinstance(X, riskkit.FeatureFrame):
            X_dict = X.to_dict()
            return {name: col[lo:hi] for name, col in X_dict.items()}
        return {name: np.asarray(col)[lo:hi] for name, col in X.items()}

    return [part(k) for k in range(THREADS)]


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _same(a: riskkit.ScoreResult, b: riskkit.ScoreResult) -> None:
    assert a.score.tobytes() == b.score.tobytes()
    assert a.pd.tobytes() == b.pd.tobytes()
    assert a.grade.tolist() == b.grade.tolist()
    assert a.reasons is not None and b.reasons is not None
    assert a.reasons.features.tolist() == b.reasons.features.tolist()
    assert a.reasons.points_lost.tobytes() == b.reasons.points_lost.tobytes()
    for x, y in zip(a.reasons.values.ravel().tolist(), b.reasons.values.ravel().tolist(), strict=True):
        assert x == y or (x != x and y != y)


def _concurrently(score: Callable[[Any], riskkit.ScoreResult], inputs: list[Any]) -> list[list[riskkit.ScoreResult]]:
    barrier = threading.Barrier(len(inputs))

    def work(x: Any) -> list[riskkit.ScoreResult]:
        barrier.wait()  # every thread starts scoring at the same moment
        return [score(x) for _ in range(ROUNDS)]

    with ThreadPoolExecutor(len(inputs)) as pool:
        return list(pool.map(work, inputs))


def _check(scorer: Any, X: Any, n: int) -> None:
    inputs = _slices(X, n)
    serial = [scorer.score(x, reasons=3) for x in inputs]
    for expected, results in zip(serial, _concurrently(lambda x: scorer.score(x, reasons=3), inputs), strict=True):
        for result in results:
            _same(expected, result)


def test_scorecard_threads_equal_serial(german) -> None:
    X, y = german
    _check(riskkit.Scorecard().fit(X, y), X, len(y))


def test_logistic_threads_equal_serial(german) -> None:
    X, y = german
    _check(riskkit.LogisticScorer().fit(X, y), X, len(y))


def test_five_c_threads_equal_serial(book_features) -> None:
    _check(riskkit.get_scorer("five_c"), book_features, len(book_features))


@pytest.mark.parametrize("make", ["five_c", "Scorecard"])
def test_one_customer_per_request_threads_equal_serial(german, book_features, make: str) -> None:
    """The service path: each thread scores single customers (mappings of plain values), as a web service does."""
    if make == "five_c":
        scorer, columns = riskkit.get_scorer("five_c"), book_features.to_dict()
    else:
        X, y = german
        scorer, columns = riskkit.Scorecard().fit(X, y), X
    rows = [{name: _plain(np.asarray(col)[i]) for name, col in columns.items()} for i in range(64)]
    serial = [scorer.score(row, reasons=3) for row in rows]
    per_thread = [rows[k::2] if k % 2 else rows for k in range(THREADS)]

    def score_all(chunk: list[dict[str, Any]]) -> list[riskkit.ScoreResult]:
        return [scorer.score(row, reasons=3) for row in chunk]

    index = {id(row): i for i, row in enumerate(rows)}
    for chunk, results in zip(per_thread, _concurrently(score_all, per_thread), strict=True):
        for round_results in results:
            for row, result in zip(chunk, round_results, strict=True):
                _same(serial[index[id(row)]], result)
