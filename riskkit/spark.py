"""Features and scores on Spark: ``groupBy().applyInPandas`` per customer partition, ``mapInPandas`` to score.

Install with ``pip install "riskkit[spark]"``. Importing this module does not
import PySpark; :func:`features` and :func:`score` do, when called.

Features
--------
:func:`features` reads a book stored as Parquet partitioned by customer (the
layout :func:`riskkit.dask.write_partitioned` writes, on storage every
executor reads) with the same partition function as :func:`riskkit.dask.features`:
a Spark DataFrame of partition numbers is grouped by partition and
``applyInPandas`` builds one Portfolio per partition, from that partition's
files, and computes its customers' features. Peer features (a customer's
position within its industry) are then ranked against the whole book, in a
second ``mapInPandas`` stage. The result equals ``Portfolio.features()`` of the
whole book bit for bit::

    from riskkit.dask import write_partitioned
    from riskkit.scoring import five_c
    import riskkit.spark as rks

    write_partitioned("/shared/book", frames, npartitions=64)   # once: pandas frames or arrays
    feats = rks.features(spark, "/shared/book", as_of="2025-12-31")
    scores = rks.score(feats, five_c(), reasons=2)
    scores.write.parquet("/shared/scores")

Scoring
-------
:func:`score` (or ``mapInPandas`` with :func:`score_function` and
:func:`output_schema`, on any Spark DataFrame with a ``customer_id`` column and
the scorer's feature columns) scores batch by batch. The function
:func:`score_function` returns is plain pandas in, pandas out, and
:func:`output_schema` is a DDL string::

    from riskkit.spark import output_schema, score_function
    from riskkit.scoring._presets import five_c

    features = spark.read.parquet("features/")       # customer_id + feature columns
    scores = features.mapInPandas(score_function(five_c(), reasons=2), output_schema(reasons=2))

The scorer travels inside the function as its :func:`riskkit.save` JSON
document (a few kilobytes, no code) and is decoded once per Python worker;
a scorer JSON cannot hold is pickled with the function (by cloudpickle).

Scores equal ``scorer.score(features)`` on all rows at once, since scoring a
row never depends on another row. Reason values (``reason_j_value``) become
text, because a Spark column has one type and a reason's value may be a
number or a category; a missing value (NaN, None) is null in every text
column, never the text ``'nan'``.

Examples
--------
>>> from riskkit.datasets import make_portfolio
>>> from riskkit.scoring._presets import five_c
>>> output_schema()
'customer_id string, score double, pd double, grade string, override string'
>>> portfolio, _ = make_portfolio(20, seed=1)
>>> batch = portfolio.features().to_pandas().reset_index()    # what Spark hands over: plain pandas
>>> fn = score_function(five_c())
>>> out = next(fn(iter([batch])))
>>> list(out.columns), len(out)
(['customer_id', 'score', 'pd', 'grade', 'override'], 20)
>>> features_schema("2025-12-31").split(", ")[:2]
['customer_id string', 'open_amount double']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["features", "features_schema", "output_schema", "partition_function", "score", "score_function"]

_INDUSTRY = "__industry__"


def _columns(reasons: int) -> list[tuple[str, str]]:
    columns = [("customer_id", "string"), ("score", "double"), ("pd", "double"), ("grade", "string"),
               ("override", "string")]
    for j in range(1, reasons + 1):
        columns += [(f"reason_{j}", "string"), (f"reason_{j}_value", "string"), (f"reason_{j}_points", "double")]
    return columns


def output_schema(reasons: int = 0) -> str:
    """The DDL schema of what :func:`score_function` yields, for ``mapInPandas``.

    Parameters
    ----------
    reasons : int, default 0
        Reason codes per row; each adds ``reason_j string``,
        ``reason_j_value string`` and ``reason_j_points double``.

    Examples
    --------
    >>> output_schema(reasons=1)
    'customer_id string, score double, pd double, grade string, override string, reason_1 string, reason_1_value string, reason_1_points double'
    """
    from riskkit.scoring._base import check_reasons

    return ", ".join(f"{name} {kind}" for name, kind in _columns(check_reasons(reasons)))


def _texts(column: Any) -> Any:
    """A pandas column as text for a Spark ``string`` column: missing values (None, NaN, NA, NaT) are null."""
    import pandas as pd

    missing = column.isna().tolist()
    values = [None if gone else str(value) for value, gone in zip(column.tolist(), missing, strict=True)]
    return pd.Series(values, index=column.index, dtype=object)


def score_function(
    scorer: Any, reasons: int = 0
) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """A function scoring an iterator of pandas feature frames, for ``DataFrame.mapInPandas``.

    Parameters
    ----------
    scorer : Scorer
        Any riskkit scorer (saved scorers travel as their JSON document).
    reasons : int, default 0
        Reason codes per row.

    Returns
    -------
    callable
        ``Iterator[pandas.DataFrame] -> Iterator[pandas.DataFrame]``. Each
        input frame holds a ``customer_id`` column and the scorer's features
        (other columns are ignored); each output frame has exactly the
        columns of :func:`output_schema` ``(reasons)``, in that order.

    Raises
    ------
    ValidationError
        ``reasons`` is not a whole number >= 0 or ``scorer`` has no ``score``.
    """
    from riskkit.dask import scorer_document
    from riskkit.errors import ValidationError
    from riskkit.scoring._base import check_reasons

    k = check_reasons(reasons)
    if not callable(getattr(scorer, "score", None)):
        raise ValidationError(f"scorer must have a score method, got {type(scorer).__name__}", field="scorer")
    document = scorer_document(scorer)
    shipped: Any = scorer if document is None else document
    text_columns = ["customer_id", "grade", "override"]
    text_columns += [name for j in range(1, k + 1) for name in (f"reason_{j}", f"reason_{j}_value")]

    def score_batches(batches: Iterator[Any]) -> Iterator[Any]:
        from riskkit.dask import score_frame

        for batch in batches:
            if "customer_id" not in batch.columns:
                raise ValidationError(
                    "each batch needs a customer_id column beside the features; got columns "
                    + ", ".join(map(str, batch.columns)),
                    field="customer_id",
                )
            out = score_frame(batch, shipped, k)
            for name in text_columns:
                out[name] = _texts(out[name])
            yield out

    return score_batches


# --- features -------------------------------------------------------------------


def _require_pyspark() -> Any:
    try:
        import pyspark
    except ImportError as exc:
        raise ImportError(
            f'riskkit.spark needs PySpark ({exc}); install it with: pip install "riskkit[spark]"'
        ) from exc
    return pyspark


def _feature_names(day: Any) -> list[str]:
    from riskkit.dask import _features_meta

    return [str(c) for c in _features_meta(day).columns]


def features_schema(as_of: Any) -> str:
    """The DDL schema of :func:`features`: ``customer_id string`` and one ``double`` per catalogue feature.

    Examples
    --------
    >>> features_schema("2025-12-31").split(", ")[-1]
    'payment_index_industry_pct double'
    """
    from riskkit._pit import as_of_date

    return ", ".join(["customer_id string", *(f"{name} double" for name in _feature_names(as_of_date(as_of)))])


def partition_function(
    path: str | os.PathLike[str], as_of: Any, *, statistical: Iterable[str] = ()
) -> Callable[[Any], Any]:
    """The function ``applyInPandas`` runs per partition of a partitioned book: its customers' features.

    It takes a pandas frame with a ``partition`` column (the group: one
    partition number) and returns that partition's features, computed by
    ``riskkit.dask``'s partition function (one ``Portfolio.from_frames`` of the
    partition's files): ``customer_id``, every feature (peer features ranked
    within the partition only; :func:`features` ranks them against the whole
    book) and ``__industry__``. Plain pandas in and out, so it can be called
    without Spark.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from riskkit.dask import write_partitioned
    >>> from riskkit.datasets._synthetic import generate
    >>> raw, _ = generate(40, seed=1)
    >>> path = write_partitioned(tempfile.mkdtemp(), raw, npartitions=2)
    >>> part = partition_function(path, "2025-12-31")(pd.DataFrame({"partition": [1]}))
    >>> part.columns[0], part.columns[-1], 0 < len(part) < 40
    ('customer_id', '__industry__', True)
    """
    from riskkit._pit import as_of_date
    from riskkit.dask import _book_root, read_manifest

    root = os.path.abspath(_book_root(path))
    read_manifest(root)  # at once: a folder that holds no book is reported on the driver
    day = as_of_date(as_of)
    stat = (statistical,) if isinstance(statistical, str) else tuple(statistical)

    def partition_features(group: Any) -> Any:
        from riskkit.dask import _features_of_files

        numbers = sorted({int(i) for i in group["partition"].tolist()})
        import pandas as pd

        parts = [_features_of_files(root, i, day, stat) for i in numbers]
        out = pd.concat(parts) if len(parts) != 1 else parts[0]
        out = out.reset_index()
        out["customer_id"] = out["customer_id"].astype(object)
        out[_INDUSTRY] = out[_INDUSTRY].astype(object)
        return out

    return partition_features


def _peer_reference(frame: Any) -> tuple[Any, dict[str, Any]]:
    import numpy as np

    from riskkit.features import PEER_FEATURES

    groups = np.asarray(frame[_INDUSTRY].to_numpy(dtype=object), dtype=object)
    groups[[g is None for g in groups.tolist()]] = ""
    return groups, {ranked: frame[ranked].to_numpy(dtype=np.float64) for ranked in PEER_FEATURES.values()}


def features(
    spark: Any,
    path: str | os.PathLike[str],
    as_of: Any,
    *,
    statistical: Iterable[str] = (),
) -> Any:
    """Risk features of every customer of a partitioned book, on Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    path : str or os.PathLike
        A book written by :func:`riskkit.dask.write_partitioned`, on storage
        that the driver and every executor read (a local folder in local
        mode, a shared file system on a cluster).
    as_of : date-like
        The point in time (required: a partition's latest date is not the book's).
    statistical : iterable of str, optional
        As in :class:`riskkit.Portfolio`.

    Returns
    -------
    pyspark.sql.DataFrame
        ``customer_id`` and every feature (:func:`features_schema`), equal to
        ``Portfolio.features()`` of the whole book bit for bit. Stage one,
        ``groupBy("partition").applyInPandas`` with :func:`partition_function`,
        is persisted (memory and disk): the industries and ranked values it
        yields are collected to the driver (three values a customer) to rank
        peer features against the whole book, and broadcast to stage two, a
        ``mapInPandas``.

    Raises
    ------
    ValidationError
        ``path`` holds no partitioned book, or ``as_of`` is not a date; on an
        action, any error of ``Portfolio.from_frames`` on a partition.
    ImportError
        PySpark is not installed.
    """
    from riskkit._pit import as_of_date
    from riskkit.dask import _book_root, _peers, read_manifest
    from riskkit.features import PEER_FEATURES

    day = as_of_date(as_of)
    root = os.path.abspath(_book_root(path))
    n = int(read_manifest(root)["npartitions"])
    _require_pyspark()
    from pyspark import StorageLevel

    names = _feature_names(day)
    stage_one = features_schema(day) + f", {_INDUSTRY} string"
    numbers = spark.createDataFrame([(i,) for i in range(n)], "partition int").repartition(n, "partition")
    parts = numbers.groupBy("partition").applyInPandas(
        partition_function(root, day, statistical=statistical), stage_one
    )
    parts = parts.persist(StorageLevel.MEMORY_AND_DISK)
    reference = parts.select(_INDUSTRY, *PEER_FEATURES.values()).toPandas()
    # sorted once per industry on the driver (a float a customer and feature), broadcast to every executor
    peers = spark.sparkContext.broadcast(_peers(_peer_reference(reference)))
    del reference

    def rank_peers(batches: Iterator[Any]) -> Iterator[Any]:
        from riskkit.dask import _apply_peers

        for batch in batches:
            batch = batch.copy()
            batch[_INDUSTRY] = _peer_reference(batch)[0]
            yield _apply_peers(batch, peers.value)[["customer_id", *names]]

    return parts.mapInPandas(rank_peers, features_schema(day))


def score(features_df: Any, scorer: Any, reasons: int = 0) -> Any:
    """Score a Spark DataFrame of features (``customer_id`` and the scorer's features) with ``mapInPandas``.

    The columns are :func:`output_schema` ``(reasons)``'s; see :func:`score_function`.
    """
    _require_pyspark()
    return features_df.mapInPandas(score_function(scorer, reasons), output_schema(reasons))
