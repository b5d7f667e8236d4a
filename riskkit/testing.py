"""Helpers for testing code built on riskkit: the scorer conformance kit.

:func:`check_scorer` is what a plugin author calls in their own test suite
(like scikit-learn's ``check_estimator``): it proves that a scorer keeps the
promises of the :class:`riskkit.Scorer` protocol that the rest of riskkit,
and the services built on it, rely on. Failures are ``AssertionError`` with
a message saying which promise was broken and on which row, so they read
well under pytest.

This module imports neither pytest nor pandas.

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from riskkit.errors import RiskkitError, SchemaError, ValidationError

__all__ = ["check_scorer"]

_THREADS = 8


def check_scorer(scorer: Any, X: Any = None, *, check_persistence: bool = True) -> dict[str, str]:
    """Check that ``scorer`` keeps every promise of the :class:`riskkit.Scorer` protocol.

    The checks, in order:

    ``protocol``
        ``isinstance(scorer, riskkit.Scorer)``; ``score(X)`` returns a
        :class:`~riskkit.ScoreResult` with one row per input row, float64
        ``score`` and ``pd``, ``pd`` in [0, 1] (NaN only where the score is
        NaN), text grades, and customer ids matching the input's when given.
    ``row_by_row``
        Scoring every row alone (a one-row mapping of 1-element arrays)
        gives bit for bit what the batch gave, reasons included. When the
        scorer also accepts a mapping of plain values (one customer, the
        service path), that must agree too.
    ``deterministic``
        Scoring twice gives the same result.
    ``reasons``
        ``score(X, reasons=2)`` has the same scores plus :class:`~riskkit.Reasons`
        of shape (n, 2): feature names from the input, each the customer's
        own value, points lost positive and largest first, unused slots
        ``("", None, 0.0)``; ``reasons=0`` gives none.
    ``missing_column``
        (named input only) removing a column the scorer reads raises a
        :class:`~riskkit.RiskkitError` whose message names the column.
    ``persistence``
        ``riskkit.save`` / ``riskkit.load`` as JSON in a temporary directory
        gives the same scores; skipped when the type is not savable as JSON.
    ``threads``
        8 threads scoring at once (the whole input and different slices)
        give what serial scoring gives.

    Parameters
    ----------
    scorer : Scorer
        A ready (fitted) scorer.
    X : FeatureFrame, pandas DataFrame, mapping of name to array or 2-D array, optional
        Rows to score, at least 2. By default 200 synthetic customers'
        features, ``riskkit.datasets.make_portfolio(200, seed=0)[0].features()``,
        which fits scorers over portfolio features (such as
        :func:`riskkit.scoring.five_c`); any other scorer needs ``X``.
    check_persistence : bool, default True
        Run the JSON round trip (``False`` skips it).

    Returns
    -------
    dict of str to str
        Each check's name and ``"passed"`` or ``"skipped: <why>"``.

    Raises
    ------
    AssertionError
        A check failed; the message names the check, the promise and the row.
    ValidationError
        ``X`` was not given and the scorer does not score portfolio features,
        or ``X`` has fewer than 2 rows.

    Examples
    --------
    >>> import riskkit
    >>> from riskkit.testing import check_scorer
    >>> check_scorer(riskkit.scoring.five_c())
    {'protocol': 'passed', 'row_by_row': 'passed', 'deterministic': 'passed', 'reasons': 'passed', 'missing_column': 'passed', 'persistence': 'passed', 'threads': 'passed'}

    In a plugin's own test suite::

        def test_my_scorer_conforms():
            riskkit.testing.check_scorer(riskkit.get_scorer("my_scorer"))
    """
    from riskkit.protocols import Scorer

    report: dict[str, str] = {}
    what = _describe(scorer)
    if not isinstance(scorer, Scorer):
        raise AssertionError(f"protocol: {what} is not a riskkit.Scorer: it needs score(X, *, reasons=0)")
    X = _default_X(scorer, what) if X is None else X
    cols, n, ids = _columns(X)
    if n < 2:
        raise ValidationError(f"check_scorer needs X with at least 2 rows, got {n}")

    # protocol
    batch = _score(scorer, X, 0, what, "protocol")
    _check_result(batch, n, what, "protocol", ids)
    if batch.reasons is not None:
        raise AssertionError(f"protocol: {what}.score(X) (reasons=0) returned reasons; expected reasons=None")
    report["protocol"] = "passed"

    # row by row (with reasons, so that they are compared too)
    full = _score(scorer, X, 2, what, "reasons")
    _check_result(full, n, what, "reasons", ids)
    _same(batch, full, f"reasons: {what}.score(X, reasons=2) changed the scores of score(X)", reasons=False)
    scalar_path = _accepts_plain_values(scorer, cols)
    for i in range(n):
        one_row = {name: col[i : i + 1] for name, col in cols.items()} if cols is not None else X[i : i + 1]
        row = _score(scorer, one_row, 2, what, "row_by_row")
        _same_row(full, i, row, f"row_by_row: row {i} scored alone (a one-row mapping of 1-element arrays)")
        if scalar_path and cols is not None:
            plain = {name: _plain(col[i]) for name, col in cols.items()}
            row = _score(scorer, plain, 2, what, "row_by_row")
            _same_row(full, i, row, f"row_by_row: row {i} scored alone as a mapping of plain values")
    report["row_by_row"] = "passed"

    # determinism
    _same(batch, _score(scorer, X, 0, what, "deterministic"), f"deterministic: {what} scored X twice differently")
    _same(full, _score(scorer, X, 2, what, "deterministic"),
          f"deterministic: {what} gave different reasons on the same X twice")
    report["deterministic"] = "passed"

    # reasons
    _check_reasons(full, cols, n, what)
    report["reasons"] = "passed"

    # a missing column
    if cols is None:
        report["missing_column"] = "skipped: X is positional (a 2-D array), not named"
    else:
        _check_missing_column(scorer, cols, what)
        report["missing_column"] = "passed"

    # persistence
    if not check_persistence:
        report["persistence"] = "skipped: check_persistence=False"
    else:
        report["persistence"] = _check_persistence(scorer, X, batch, what)

    # threads
    _check_threads(scorer, X, cols, n, what)
    report["threads"] = "passed"
    return report


# --- input -------------------------------------------------------------------------------------


def _describe(scorer: Any) -> str:
    text = repr(scorer)
    return text if len(text) <= 80 else type(scorer).__name__


def _default_X(scorer: Any, what: str) -> Any:
    from riskkit.datasets import make_portfolio

    X = make_portfolio(200, seed=0)[0].features()
    try:
        scorer.score({name: X[name][:1] for name in X.names})
    except SchemaError as exc:
        raise ValidationError(
            f"check_scorer: {what} does not score riskkit's portfolio features; pass the rows to score as X= "
            f"(at least 2 rows, with every feature it reads). Scoring them said: {str(exc).splitlines()[0]}"
        ) from None
    return X


def _columns(X: Any) -> tuple[dict[str, np.ndarray] | None, int, np.ndarray | None]:
    """Named inputs as 1-D numpy columns (None for a positional 2-D array), the row count and the ids."""
    from riskkit._frame import FeatureFrame
    from riskkit.scoring import _input

    if isinstance(X, FeatureFrame):
        return X.to_dict(), len(X), X.customer_ids
    if _input.is_dataframe(X):
        ids = None if type(X.index).__name__ == "RangeIndex" else np.asarray(X.index, dtype=object)
        return {str(c): np.asarray(X[c].to_numpy()) for c in X.columns}, len(X), ids
    if isinstance(X, Mapping):
        cols = {str(k): np.asarray(v) for k, v in X.items()}
        return cols, len(next(iter(cols.values()))) if cols else 0, None
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValidationError(f"check_scorer needs X with rows: a frame, a mapping or a 2-D array, got shape {arr.shape}")
    return None, int(arr.shape[0]), None


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _accepts_plain_values(scorer: Any, cols: dict[str, np.ndarray] | None) -> bool:
    """Whether the scorer scores one customer given as a mapping of plain values (optional in the protocol)."""
    if cols is None:
        return False
    try:
        scorer.score({name: _plain(col[0]) for name, col in cols.items()})
    except Exception:
        return False
    return True


def _score(scorer: Any, X: Any, reasons: int, what: str, check: str) -> Any:
    from riskkit.scoring import ScoreResult

    try:
        result = scorer.score(X, reasons=reasons)
    except Exception as exc:
        raise AssertionError(
            f"{check}: {what}.score(X, reasons={reasons}) raised {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(result, ScoreResult):
        raise AssertionError(f"{check}: {what}.score returned a {type(result).__name__}, not a riskkit.ScoreResult")
    return result


# --- comparisons -------------------------------------------------------------------------------


def _bits_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per element: the same float64 bits, or NaN in both."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return (a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))


def _value_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float | np.floating) and isinstance(b, float | np.floating):
        return bool(_bits_equal(np.array([a]), np.array([b]))[0])
    return bool(a == b)


def _first_difference(mask: np.ndarray) -> int:
    return int(np.flatnonzero(~mask)[0])


def _same(a: Any, b: Any, message: str, *, reasons: bool = True) -> None:
    if len(a) != len(b):
        raise AssertionError(f"{message}: {len(a)} rows against {len(b)}")
    for field in ("score", "pd"):
        ok = _bits_equal(getattr(a, field), getattr(b, field))
        if not ok.all():
            i = _first_difference(ok)
            raise AssertionError(f"{message}: {field} of row {i} is {getattr(a, field)[i]!r} against "
                                 f"{getattr(b, field)[i]!r}")
    ga, gb = [str(g) for g in a.grade], [str(g) for g in b.grade]
    if ga != gb:
        i = next(j for j, (x, y) in enumerate(zip(ga, gb, strict=True)) if x != y)
        raise AssertionError(f"{message}: grade of row {i} is {ga[i]!r} against {gb[i]!r}")
    if reasons:
        for i in range(len(a)):
            _same_reasons(a, i, b, i, message)


def _same_reasons(a: Any, i: int, b: Any, j: int, message: str) -> None:
    if (a.reasons is None) != (b.reasons is None):
        raise AssertionError(f"{message}: reasons present in one result only")
    if a.reasons is None:
        return
    ra, rb = a.reasons.row(i), b.reasons.row(j)
    same = len(ra) == len(rb) and all(
        fa == fb and _value_equal(va, vb) and _value_equal(pa, pb)
        for (fa, va, pa), (fb, vb, pb) in zip(ra, rb, strict=True)
    )
    if not same:
        raise AssertionError(f"{message}: reasons of row {i} are {ra!r} against {rb!r}")


def _same_row(full: Any, i: int, row: Any, message: str) -> None:
    if len(row) != 1:
        raise AssertionError(f"{message} gave {len(row)} rows, expected 1")
    for field in ("score", "pd"):
        mine, theirs = getattr(full, field)[i : i + 1], getattr(row, field)
        if not _bits_equal(mine, theirs).all():
            raise AssertionError(
                f"{message}: {field} {theirs[0]!r} differs from the batch's {mine[0]!r} (bit for bit)"
            )
    if str(full.grade[i]) != str(row.grade[0]):
        raise AssertionError(f"{message}: grade {str(row.grade[0])!r} differs from the batch's {str(full.grade[i])!r}")
    _same_reasons(full, i, row, 0, message)


# --- the checks --------------------------------------------------------------------------------


def _check_result(result: Any, n: int, what: str, check: str, ids: np.ndarray | None) -> None:
    if len(result) != n:
        raise AssertionError(f"{check}: {what} returned {len(result)} rows for {n} input rows")
    for field in ("score", "pd"):
        arr = getattr(result, field)
        if arr.dtype != np.float64 or arr.shape != (n,):
            raise AssertionError(f"{check}: ScoreResult.{field} must be float64 of shape ({n},), got "
                                 f"{arr.dtype} {arr.shape}")
    pd, score = result.pd, result.score
    bad = ~np.isnan(pd) & ((pd < 0.0) | (pd > 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise AssertionError(f"{check}: pd of row {i} is {pd[i]!r}, outside [0, 1]")
    if not np.array_equal(np.isnan(pd), np.isnan(score)):
        i = int(np.flatnonzero(np.isnan(pd) != np.isnan(score))[0])
        raise AssertionError(f"{check}: row {i} has score {score[i]!r} but pd {pd[i]!r}; NaN in one needs NaN in both")
    for i, g in enumerate(result.grade):
        if not isinstance(g, str):
            raise AssertionError(f"{check}: grade of row {i} is {g!r} ({type(g).__name__}), not text")
    if ids is not None and result.customer_ids is not None and list(result.customer_ids) != list(ids):
        raise AssertionError(f"{check}: ScoreResult.customer_ids differ from the input's customer ids")


def _check_reasons(full: Any, cols: dict[str, np.ndarray] | None, n: int, what: str) -> None:
    from riskkit.scoring import Reasons

    r = full.reasons
    if not isinstance(r, Reasons):
        raise AssertionError(f"reasons: {what}.score(X, reasons=2) gave reasons={r!r}, not a riskkit.Reasons")
    for field in ("features", "values", "points_lost"):
        shape = getattr(r, field).shape
        if shape != (n, 2):
            raise AssertionError(f"reasons: Reasons.{field} has shape {shape}, expected ({n}, 2)")
    for i in range(n):
        lost = r.points_lost[i]
        for s in range(2):
            feature, value, points = r.features[i, s], r.values[i, s], float(lost[s])
            where = f"reasons: row {i} slot {s}"
            if not isinstance(feature, str):
                raise AssertionError(f"{where}: feature {feature!r} is not text")
            if feature == "":
                if value is not None or points != 0.0:
                    raise AssertionError(f"{where} is unused (feature '') but has value {value!r}, points {points!r}; "
                                         "expected None and 0.0")
                continue
            if not (np.isfinite(points) and points > 0):
                raise AssertionError(f"{where}: {feature!r} lost {points!r} points; a reason loses a positive, finite "
                                     "number of points")
            if s and r.features[i, s - 1] == "":
                raise AssertionError(f"{where}: a reason follows an unused slot; used slots come first")
            if s and points > float(lost[s - 1]):
                raise AssertionError(f"{where}: reasons must be largest first, got {lost.tolist()}")
            if cols is not None:
                if feature not in cols:
                    raise AssertionError(f"{where}: feature {feature!r} is not a column of X")
                own = _plain(cols[feature][i])
                if not _reported(own, value):
                    raise AssertionError(f"{where}: {feature!r} reported the value {value!r}, but the row holds {own!r}")


def _reported(own: Any, value: Any) -> bool:
    """Whether a reason's ``value`` is the row's own value ``own`` (NaN may be reported as None)."""
    if isinstance(own, int | float) and not isinstance(own, bool):
        if isinstance(value, int | float | np.number) and not isinstance(value, bool):
            return _value_equal(float(own), float(value))
        return own != own and value is None
    if own is None:
        return value is None
    return str(own) == str(value)


def _without(cols: dict[str, np.ndarray], drop: str, rows: slice) -> dict[str, np.ndarray]:
    return {name: col[rows] for name, col in cols.items() if name != drop}


def _check_missing_column(scorer: Any, cols: dict[str, np.ndarray], what: str) -> None:
    rows = slice(0, min(5, len(next(iter(cols.values())))))
    raised = 0
    for name in cols:
        try:
            scorer.score(_without(cols, name, rows))
        except RiskkitError as exc:
            if name not in str(exc):
                raise AssertionError(
                    f"missing_column: scoring X without {name!r} raised {type(exc).__name__}: {exc}, which does not "
                    "name the column"
                ) from exc
            raised += 1
        except Exception as exc:
            raise AssertionError(
                f"missing_column: scoring X without {name!r} raised {type(exc).__name__}: {exc}; expected a "
                "riskkit.RiskkitError (SchemaError) naming the column"
            ) from exc
    if not raised:
        raise AssertionError(f"missing_column: {what} scored X with any one of its columns removed; a scorer must "
                             "refuse input missing a feature it reads (SchemaError naming it)")


def _check_persistence(scorer: Any, X: Any, batch: Any, what: str) -> str:
    from riskkit.persistence import load, save

    with tempfile.TemporaryDirectory(prefix="riskkit-check-") as tmp:
        path = os.path.join(tmp, "scorer.json")
        try:
            save(scorer, path)
        except ValidationError as exc:
            if "cannot save" in str(exc):
                return f"skipped: {type(scorer).__name__} is not savable as JSON"
            raise AssertionError(f"persistence: riskkit.save({what}) raised {exc}") from exc
        try:
            loaded = load(path)
        except Exception as exc:
            raise AssertionError(f"persistence: riskkit.load of a saved {what} raised {type(exc).__name__}: {exc}") from exc
    if type(loaded) is not type(scorer):
        raise AssertionError(f"persistence: saved a {type(scorer).__name__}, loaded a {type(loaded).__name__}")
    _same(batch, _score(loaded, X, 0, what, "persistence"), f"persistence: {what} scores differently after save/load")
    return "passed"


def _check_threads(scorer: Any, X: Any, cols: dict[str, np.ndarray] | None, n: int, what: str) -> None:
    def part(k: int) -> Any:
        if k % 2 == 0:
            return X  # the same rows in several threads at once
        lo, hi = (k * n) // (2 * _THREADS), n - (k * n) // (4 * _THREADS)
        return {name: col[lo:hi] for name, col in cols.items()} if cols is not None else np.asarray(X)[lo:hi]

    inputs = [part(k) for k in range(_THREADS)]
    serial = [_score(scorer, x, 2, what, "threads") for x in inputs]
    barrier = threading.Barrier(_THREADS)

    def work(x: Any) -> Any:
        barrier.wait()
        return [scorer.score(x, reasons=2) for _ in range(3)]

    with ThreadPoolExecutor(_THREADS) as pool:
        try:
            outcomes = list(pool.map(work, inputs))
        except Exception as exc:
            raise AssertionError(
                f"threads: {what}.score raised {type(exc).__name__} while 8 threads scored at once: {exc}"
            ) from exc
    for k, (expected, results) in enumerate(zip(serial, outcomes, strict=True)):
        for result in results:
            _same(expected, result, f"threads: thread {k} scoring concurrently got a different result than serial scoring")
