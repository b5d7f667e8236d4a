"""Features and scores on Dask: one Portfolio per partition, customers never split.

Install with ``pip install "riskkit[dask]"``. Importing this module does not
import Dask; the functions do, and say how to install it when it is missing.

The partition-by-customer contract
----------------------------------
Every feature describes one customer from that customer's own rows, so a book
too large for one machine can be split by customer and each piece handled
alone. :func:`features` takes a mapping of table name to Dask DataFrame
(``customers`` required; ``exposures``, ``invoices``, ``payments``,
``orders``, ``statements``, ``events`` optional) that honours this contract:

* all tables have the same number of partitions;
* every row about one customer lives in the partition with the same number in
  every table: its ``customers`` row, its exposures, invoices, orders,
  statements and events, and the payments against its invoices;
* within a partition, a customer's rows keep their original relative order
  (sums then add up in the same order, so results equal the in-memory path
  bit for bit).

:func:`partition_by_customer` establishes the contract from pandas or Dask
frames (a hash of ``customer_id``; payments follow their invoice).
:func:`features` checks, per partition, that every row refers to a customer
(or invoice) of the same partition and raises
:class:`~riskkit.ValidationError` naming the ids otherwise;
:func:`check_partitioning` also finds a customer listed in two partitions.

Shipping a scorer
-----------------
:func:`score` puts the scorer's JSON document (what :func:`riskkit.save`
writes: a few kilobytes, checksummed, no code) into the task graph rather than
a pickle, and each worker decodes it once (cached). Scorers JSON cannot hold
(a third-party :class:`~riskkit.protocols.Scorer`) are shipped pickled, the way
Dask ships any other argument.

Examples
--------
>>> import dask
>>> import pandas as pd
>>> import riskkit.dask as rkd
>>> from riskkit.datasets._synthetic import generate
>>> from riskkit.scoring._presets import five_c
>>> raw, _ = generate(40, seed=1)
>>> tables = rkd.partition_by_customer({k: pd.DataFrame(v) for k, v in raw.items()}, npartitions=2)
>>> with dask.config.set(scheduler="synchronous"):
...     feats = rkd.features(tables, as_of="2025-12-31")
...     scores = rkd.score(feats, five_c()).compute()
>>> len(scores), list(scores.columns)
(40, ['customer_id', 'score', 'pd', 'grade', 'override'])
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from riskkit.errors import ValidationError

__all__ = [
    "check_partitioning",
    "features",
    "load_document",
    "partition_by_customer",
    "score",
    "score_frame",
    "scorer_document",
]

_TABLES = ("customers", "exposures", "invoices", "payments", "orders", "statements", "events")

#: Name of the index :func:`partition_by_customer` gives every table: the partition number.
PARTITION = "partition"

_ORDER = "__riskkit_order__"
_SHOWN = 10


def _require_dask() -> Any:
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:
        raise ImportError(
            f'riskkit.dask needs Dask ({exc}); install it with: pip install "riskkit[dask]"'
        ) from exc
    del dask
    return dd


def _ids_text(ids: Iterable[Any]) -> str:
    ids = sorted({str(i) for i in ids})
    shown = ", ".join(repr(i) for i in ids[:_SHOWN])
    return shown + (f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else "")


def _check_tables(tables: Mapping[str, Any]) -> None:
    if not isinstance(tables, Mapping):
        raise ValidationError(
            f"tables must be a mapping of table name to DataFrame, got {type(tables).__name__}", field="tables"
        )
    unknown = sorted(set(tables) - set(_TABLES))
    if unknown:
        raise ValidationError(
            f"unknown table(s) {unknown}; tables: {', '.join(_TABLES)}", field="tables", value=unknown
        )
    if tables.get("customers") is None:
        raise ValidationError("tables needs 'customers'", field="tables")


def _check_npartitions(npartitions: Any) -> int:
    if isinstance(npartitions, bool) or not isinstance(npartitions, int | np.integer) or npartitions < 1:
        raise ValidationError(
            f"npartitions must be a whole number >= 1, got {npartitions!r}", field="npartitions", value=npartitions
        )
    return int(npartitions)


def _bucket(ids: Any, npartitions: int) -> np.ndarray:
    """Partition number of each customer id: a fixed (process-independent) hash, modulo ``npartitions``."""
    import pandas as pd

    values = np.asarray(pd.Series(ids, dtype=object).astype(str).to_numpy(), dtype=object)
    return (pd.util.hash_array(values) % np.uint64(npartitions)).astype(np.int64)


def _assign(df: Any, npartitions: int, key: str, partition_info: Any = None) -> Any:
    """Add the partition number and the row's original position to one pandas frame."""
    number = 0 if partition_info is None else int(partition_info["number"])
    out = df.copy()
    out[PARTITION] = _bucket(df[key].to_numpy(), npartitions) if len(df) else np.zeros(0, dtype=np.int64)
    # original position, so each target partition can restore the input order of its rows
    out[_ORDER] = (np.int64(number) << np.int64(40)) + np.arange(len(df), dtype=np.int64)
    return out


def _restore_order(df: Any) -> Any:
    return df.sort_values(_ORDER, kind="stable").drop(columns=[_ORDER])


def partition_by_customer(tables: Mapping[str, Any], npartitions: int) -> dict[str, Any]:
    """Repartition tables so that every customer's rows share one partition number.

    Parameters
    ----------
    tables : mapping of str to pandas or Dask DataFrame
        Table name (``customers``, ``exposures``, ``invoices``, ``payments``,
        ``orders``, ``statements``, ``events``; only ``customers`` required)
        to a frame whose columns are the schema's
        (:func:`riskkit.portfolio.schema`).
    npartitions : int
        Number of partitions of every output table.

    Returns
    -------
    dict of str to dask.dataframe.DataFrame
        The same tables, each with ``npartitions`` partitions and indexed by
        the partition number (index name ``"partition"``, known divisions).
        A customer goes to partition ``hash(customer_id) % npartitions``
        (pandas' fixed-key hash, the same in every process); a payment goes
        with its invoice's customer. Rows keep their input order within a
        partition.

    Raises
    ------
    ValidationError
        An unknown table name, no ``customers``, or a bad ``npartitions``.
    ImportError
        Dask is not installed.
    """
    dd = _require_dask()
    _check_tables(tables)
    n = _check_npartitions(npartitions)
    import pandas as pd

    frames: dict[str, Any] = {}
    for name, df in tables.items():
        if df is None:
            continue
        if isinstance(df, pd.DataFrame):
            df = dd.from_pandas(df.reset_index(drop=True), npartitions=1, sort=False)
        elif not isinstance(df, dd.DataFrame):
            raise ValidationError(
                f"{name}: expected a pandas or Dask DataFrame, got {type(df).__name__}", table=name
            )
        frames[name] = df

    if "payments" in frames:
        if "invoices" not in frames:
            raise ValidationError("payments need the invoices table to find their customers", table="payments")
        owners = frames["invoices"][["id", "customer_id"]].rename(
            columns={"id": "invoice_id", "customer_id": "__riskkit_customer__"}
        )
        payments = frames["payments"]
        ordered = payments.map_partitions(_assign, n, "invoice_id", meta=_assign(payments._meta, n, "invoice_id"))
        merged = ordered.merge(owners, on="invoice_id", how="left")
        # a payment of an unknown invoice stays in partition 0, where building the Portfolio reports it
        merged[PARTITION] = merged.map_partitions(_owner_bucket, n, meta=(PARTITION, "int64"))
        frames["payments"] = merged.drop(columns=["__riskkit_customer__"])

    key = {"customers": "id", "payments": None}
    divisions = tuple(range(n + 1))
    out: dict[str, Any] = {}
    for name, df in frames.items():
        k = key.get(name, "customer_id")
        if k is not None:
            df = df.map_partitions(_assign, n, k, meta=_assign(df._meta, n, k))
        shuffled = df.set_index(PARTITION, divisions=divisions)
        out[name] = shuffled.map_partitions(_restore_order, meta=_restore_order(shuffled._meta))
    return {name: out[name] for name in _TABLES if name in out}


def _owner_bucket(df: Any, npartitions: int) -> Any:
    import pandas as pd

    owner = df["__riskkit_customer__"]
    known = owner.notna().to_numpy()
    part = np.zeros(len(df), dtype=np.int64)
    if known.any():
        part[known] = _bucket(owner[known].to_numpy(), npartitions)
    return pd.Series(part, index=df.index, name=PARTITION)


def _strays(refs: Any, known: set[str]) -> set[str]:
    """The values of the Series ``refs`` (as text) that are not in ``known``."""
    text = refs.astype(str)
    return set(text[~text.isin(known)].tolist())


def _local_check(number: int, parts: Mapping[str, Any]) -> None:
    """Every row of this partition refers to a customer (payments: an invoice) of this partition."""
    customers = set(parts["customers"]["id"].astype(str).tolist())
    for name in ("exposures", "invoices", "orders", "statements", "events"):
        df = parts.get(name)
        if df is None or not len(df):
            continue
        stray = _strays(df["customer_id"], customers)
        if stray:
            raise ValidationError(
                f"partition {number}: {name} has rows of customer(s) {_ids_text(stray)} whose customers row is "
                "not in this partition (unknown customers, or tables not partitioned by customer; "
                "see riskkit.dask.partition_by_customer)",
                table=name,
                field="customer_id",
                value=sorted(stray),
            )
    payments = parts.get("payments")
    if payments is not None and len(payments):
        invoices = parts.get("invoices")
        known = set() if invoices is None else set(invoices["id"].astype(str).tolist())
        stray = _strays(payments["invoice_id"], known)
        if stray:
            raise ValidationError(
                f"partition {number}: payments against invoice(s) {_ids_text(stray)} that are not in this "
                "partition (unknown invoices, or payments not partitioned with their invoice's customer; "
                "see riskkit.dask.partition_by_customer)",
                table="payments",
                field="invoice_id",
                value=sorted(stray),
            )


def _features_partition(number: int, as_of: Any, statistical: tuple[str, ...], **parts: Any) -> Any:
    from riskkit.portfolio import Portfolio

    frames = {name: df.reset_index(drop=True) for name, df in parts.items() if df is not None}
    _local_check(number, frames)
    portfolio = Portfolio.from_frames(**frames, as_of=as_of, statistical=statistical)
    out = portfolio.features(as_of).to_pandas()
    out["__industry__"] = np.asarray(portfolio.customers["industry"], dtype=object)
    return out


def _peer_inputs(part: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """What a partition adds to the whole book's peer distributions: industries and the ranked values."""
    from riskkit.features import PEER_FEATURES

    return part["__industry__"].to_numpy(dtype=object), {
        ranked: part[ranked].to_numpy(dtype=np.float64) for ranked in PEER_FEATURES.values()
    }


def _peers(*inputs: tuple[np.ndarray, dict[str, np.ndarray]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    groups = np.concatenate([g for g, _ in inputs]) if inputs else np.zeros(0, dtype=object)
    values = {name: np.concatenate([v[name] for _, v in inputs]) for name in (inputs[0][1] if inputs else {})}
    return groups, values


def _apply_peers(part: Any, peers: tuple[np.ndarray, dict[str, np.ndarray]]) -> Any:
    """A partition's peer features ranked against the whole book (a customer's industry spans partitions)."""
    from riskkit.features import PEER_FEATURES, peer_percentile

    groups, values = peers
    own = part["__industry__"].to_numpy(dtype=object)
    part = part.drop(columns="__industry__")
    for name, ranked in PEER_FEATURES.items():
        part[name] = peer_percentile(part[ranked].to_numpy(dtype=np.float64), own, values[ranked], groups)
    return part


def _features_meta(day: Any) -> Any:
    from riskkit.portfolio import Portfolio

    # the features of no customers: exactly the columns, dtypes and index of a real partition
    empty = Portfolio.from_arrays(customers={"id": np.array([], dtype=object)}, as_of=day)
    return empty.features(day).to_pandas()


def features(
    tables: Mapping[str, Any], as_of: Any, meta: Any = None, *, statistical: Iterable[str] = ()
) -> Any:
    """Risk features of every customer, one Portfolio per partition.

    Parameters
    ----------
    tables : mapping of str to dask.dataframe.DataFrame
        Table name to frame, all partitioned by customer (see the module
        docstring; :func:`partition_by_customer` does it). Columns are the
        schema's; the index is ignored.
    as_of : date-like
        The point in time. Required: a partition's latest transaction date is
        not the book's, so there is no default.
    meta : pandas.DataFrame, optional
        The empty frame describing the output; by default every catalogue
        feature as float64, indexed by ``customer_id``.
    statistical : iterable of str, optional
        As in :class:`riskkit.Portfolio`.

    Returns
    -------
    dask.dataframe.DataFrame
        One row per customer, indexed by ``customer_id``, the columns of
        :meth:`riskkit.Portfolio.features` ``.to_pandas()``. Values equal
        the in-memory path exactly; customers come partition by partition.

    Raises
    ------
    ValidationError
        At once: an unknown table, no ``customers``, frames that are not
        Dask DataFrames or have different numbers of partitions. On compute:
        a row whose customer (or a payment whose invoice) is not in its
        partition, naming the ids; any error of ``Portfolio.from_frames``.
    ImportError
        Dask is not installed.
    """
    dd = _require_dask()
    from dask import delayed

    from riskkit._pit import as_of_date

    _check_tables(tables)
    day = as_of_date(as_of)
    stat = (statistical,) if isinstance(statistical, str) else tuple(statistical)
    given = {name: df for name, df in tables.items() if df is not None}
    for name, df in given.items():
        if not isinstance(df, dd.DataFrame):
            raise ValidationError(
                f"{name}: expected a Dask DataFrame, got {type(df).__name__} "
                "(riskkit.dask.partition_by_customer turns pandas frames into partitioned Dask frames)",
                table=name,
            )
    counts = {name: df.npartitions for name, df in given.items()}
    if len(set(counts.values())) > 1:
        raise ValidationError(
            "tables must have the same number of partitions (partitioned by customer); got "
            + ", ".join(f"{name}={k}" for name, k in counts.items()),
            field="npartitions",
        )
    blocks = {name: df.to_delayed() for name, df in given.items()}
    run = delayed(_features_partition, pure=True)
    parts = [
        run(i, day, stat, **{name: blocks[name][i] for name in given})
        for i in range(counts["customers"])
    ]
    # peer features rank a customer within its industry across the whole book: a second, small stage
    peers = delayed(_peers, pure=True)(*[delayed(_peer_inputs, pure=True)(part) for part in parts])
    finished = [delayed(_apply_peers, pure=True)(part, peers) for part in parts]
    return dd.from_delayed(finished, meta=_features_meta(day) if meta is None else meta, verify_meta=False)


# --- scoring ------------------------------------------------------------------


def scorer_document(scorer: Any) -> str | None:
    """The scorer's :func:`riskkit.save` JSON document as text, or None if JSON cannot hold it."""
    from riskkit.persistence import save

    with tempfile.TemporaryDirectory(prefix="riskkit-") as tmp:
        path = os.path.join(tmp, "scorer.json")
        try:
            save(scorer, path)
        except ValidationError:
            return None
        with open(path, encoding="utf-8") as fh:
            return fh.read()


@functools.lru_cache(maxsize=8)
def load_document(document: str) -> Any:
    """The scorer a :func:`scorer_document` text describes (cached, so a worker decodes it once)."""
    from riskkit.persistence import load

    with tempfile.TemporaryDirectory(prefix="riskkit-") as tmp:
        path = os.path.join(tmp, "scorer.json")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(document)
        return load(path)


def score_frame(df: Any, scorer: Any, reasons: int = 0) -> Any:
    """Score one pandas frame of features (customer id as index or column): plain pandas in and out.

    ``scorer`` is a scorer or its :func:`scorer_document` text. Returns the
    columns ``customer_id``, ``score``, ``pd``, ``grade``, ``override`` (why a rule set the
    grade, ``""`` where none did; see :class:`riskkit.ScoreResult`) (and per reason
    ``reason_j``, ``reason_j_value``, ``reason_j_points``) with a fresh index.
    """
    model = load_document(scorer) if isinstance(scorer, str) else scorer
    X = df.set_index("customer_id") if "customer_id" in df.columns else df
    ids = np.asarray(X.index.to_numpy(), dtype=object)
    out = model.score(X, reasons=reasons).to_pandas().reset_index(drop=True)
    out.insert(0, "customer_id", ids)
    if "override" not in out.columns:  # one schema for every partition, whether or not a rule applied in it
        out.insert(4, "override", np.full(len(out), "", dtype=object))
    return out


def _score_meta(reasons: int) -> Any:
    import pandas as pd

    columns: dict[str, Any] = {
        "customer_id": np.array([], dtype=object),
        "score": np.array([], dtype=np.float64),
        "pd": np.array([], dtype=np.float64),
        "grade": np.array([], dtype=object),
        "override": np.array([], dtype=object),
    }
    for j in range(1, reasons + 1):
        columns[f"reason_{j}"] = np.array([], dtype=object)
        columns[f"reason_{j}_value"] = np.array([], dtype=object)
        columns[f"reason_{j}_points"] = np.array([], dtype=np.float64)
    return pd.DataFrame(columns)


def score(features_ddf: Any, scorer: Any, reasons: int = 0) -> Any:
    """Score every partition of a features frame with ``scorer``.

    Parameters
    ----------
    features_ddf : dask.dataframe.DataFrame
        Features indexed by ``customer_id`` (what :func:`features` returns)
        or with a ``customer_id`` column; extra columns are ignored.
    scorer : Scorer
        Any riskkit scorer. Savable scorers travel as their JSON document and
        are decoded once per worker; others are pickled by Dask.
    reasons : int, default 0
        Reason codes per row, as in ``scorer.score(X, reasons=k)``.

    Returns
    -------
    dask.dataframe.DataFrame
        Columns ``customer_id``, ``score``, ``pd``, ``grade`` and, per reason
        ``j``, ``reason_j``, ``reason_j_value``, ``reason_j_points``; a
        partition-local index.
    """
    dd = _require_dask()
    from riskkit.scoring._base import check_reasons

    k = check_reasons(reasons)
    if not isinstance(features_ddf, dd.DataFrame):
        raise ValidationError(
            f"features_ddf must be a Dask DataFrame, got {type(features_ddf).__name__}", field="features_ddf"
        )
    if not callable(getattr(scorer, "score", None)):
        raise ValidationError(f"scorer must have a score method, got {type(scorer).__name__}", field="scorer")
    document = scorer_document(scorer)
    shipped = scorer if document is None else document
    try:
        # scoring no rows gives the real dtypes (pandas' text dtype differs between versions)
        meta = score_frame(features_ddf._meta, scorer, k)
    except Exception:
        meta = _score_meta(k)
    return features_ddf.map_partitions(score_frame, shipped, k, meta=meta, align_dataframes=False)


# --- checking -----------------------------------------------------------------


def _ids_of(df: Any, name: str) -> Any:
    import pandas as pd

    column = "id" if name in ("customers",) else "invoice_id" if name == "payments" else "customer_id"
    return pd.Series(pd.unique(df[column].astype(str).to_numpy()), dtype=object)


def _invoice_owners(df: Any) -> Any:
    return df[["id", "customer_id"]].astype(str)


def check_partitioning(tables: Mapping[str, Any]) -> None:
    """Check the partition-by-customer contract eagerly (computes the distinct ids per partition).

    Raises
    ------
    ValidationError
        Naming the customer ids whose rows span partitions: a customer listed
        in two partitions, or a row in a partition other than its customer's
        (payments: other than its invoice's).
    """
    dd = _require_dask()
    import dask

    _check_tables(tables)
    given = {name: df for name, df in tables.items() if df is not None}
    for name, df in given.items():
        if not isinstance(df, dd.DataFrame):
            raise ValidationError(f"{name}: expected a Dask DataFrame, got {type(df).__name__}", table=name)
    lazy = {
        name: [dask.delayed(_ids_of)(part, name) for part in df.to_delayed()] for name, df in given.items()
    }
    (ids,) = dask.compute(lazy)
    home: dict[str, int] = {}
    spanning: set[str] = set()
    for i, part in enumerate(ids["customers"]):
        for cid in part.tolist():
            if home.setdefault(cid, i) != i:
                spanning.add(cid)
    invoice_home: dict[str, int] = {}
    if "invoices" in given:
        lazy_inv = [dask.delayed(_invoice_owners)(part) for part in given["invoices"].to_delayed()]
        (inv_parts,) = dask.compute(lazy_inv)
        for i, part in enumerate(inv_parts):
            for cid in part["customer_id"].tolist():
                if home.get(cid, i) != i:
                    spanning.add(cid)
            for iid in part["id"].tolist():
                invoice_home[iid] = i
    for name in ("exposures", "orders", "statements", "events"):
        for i, part in enumerate(ids.get(name, ())):
            for cid in part.tolist():
                if home.get(cid, i) != i:
                    spanning.add(cid)
    stray_payments: set[str] = set()
    for i, part in enumerate(ids.get("payments", ())):
        for iid in part.tolist():
            if invoice_home.get(iid, i) != i:
                stray_payments.add(iid)
    if spanning:
        raise ValidationError(
            f"customer(s) {_ids_text(spanning)} have rows in more than one partition; partition every table "
            "by customer (riskkit.dask.partition_by_customer)",
            field="customer_id",
            value=sorted(spanning),
        )
    if stray_payments:
        raise ValidationError(
            f"payments against invoice(s) {_ids_text(stray_payments)} are not in their invoice's partition; "
            "partition payments with their invoice's customer (riskkit.dask.partition_by_customer)",
            table="payments",
            field="invoice_id",
            value=sorted(stray_payments),
        )
