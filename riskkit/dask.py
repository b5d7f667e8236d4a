"""Features and scores on Dask: one Portfolio per partition, customers never split.

Install with ``pip install "riskkit[dask]"``. Importing this module does not
import Dask; the functions do, and say how to install it when it is missing.

A book on disk
--------------
The way to hand a large book to a cluster: :func:`write_partitioned` stores
it once as Parquet partitioned by customer (one file per table and
partition, a ``riskkit-book.json`` describing them; from pandas frames, from
arrays, or part by part for a book larger than memory), and
:func:`features` given that folder reads each partition inside its own task.
The task graph then holds file names, not data (no "large graph" warning),
and a worker holds one partition's Portfolio at a time, never the book.
:func:`read_partitioned` reads a book, or some of its partitions, back as
pandas frames. The Spark path (:mod:`riskkit.spark`) reads the same layout
with the same partition function.

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
>>> import tempfile
>>> book = rkd.write_partitioned(tempfile.mkdtemp(), raw, npartitions=2)   # Parquet, by customer
>>> with dask.config.set(scheduler="synchronous"):
...     from_files = rkd.features(book, as_of="2025-12-31").compute()
>>> bool(from_files.sort_index().equals(feats.compute().sort_index()))
True
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from riskkit._arrow import (
    _DICTIONARY,
    _FORMAT,
    _VERSION,
    MANIFEST,
    _book_root,
    _part_file,
    _partition_numbers,
    require_pyarrow,
)
from riskkit._arrow import read_manifest as read_manifest
from riskkit.errors import ValidationError

__all__ = [
    "MANIFEST",
    "PARTITION",
    "check_partitioning",
    "features",
    "load_document",
    "partition_by_customer",
    "read_manifest",
    "read_partitioned",
    "score",
    "score_frame",
    "scorer_document",
    "write_partitioned",
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
    """The values of the Series ``refs`` (as text) that are not in ``known``.

    The distinct values first (hashed in C), then a set difference: ``Series.isin`` with
    many values is slow on pandas' Arrow-backed text.
    """
    import pandas as pd

    distinct = pd.Series(pd.unique(refs)).astype(str).tolist()
    return set(distinct) - known


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
        refs = payments["invoice_id"] if "invoice_id" in payments.columns else None
        if "customer_id" in payments.columns:
            # a payment on account names no invoice but its customer: that customer must be here
            named = payments["customer_id"].fillna("").astype(str) != ""
            if refs is not None:
                named &= refs.fillna("").astype(str) == ""
            stray = _strays(payments["customer_id"][named], customers)
            if stray:
                raise ValidationError(
                    f"partition {number}: payments on account of customer(s) {_ids_text(stray)} whose customers "
                    "row is not in this partition (see riskkit.dask.partition_by_customer)",
                    table="payments",
                    field="customer_id",
                    value=sorted(stray),
                )
            if refs is not None:
                refs = refs[~named]
        stray = _strays(refs, known) if refs is not None else set()
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


#: The whole book's peer distributions: per ranked feature, per industry, its values sorted (NaN left out).
PeerReference = dict[str, dict[str, np.ndarray]]


def _peers(*inputs: tuple[np.ndarray, dict[str, np.ndarray]]) -> PeerReference:
    """Sort the whole book's ranked values once, per industry: each partition then only looks its values up."""
    from riskkit.features import PEER_FEATURES

    groups = np.concatenate([g for g, _ in inputs]) if inputs else np.zeros(0, dtype=object)
    out: PeerReference = {}
    for ranked in PEER_FEATURES.values():
        values = np.concatenate([v[ranked] for _, v in inputs]) if inputs else np.zeros(0)
        have = ~np.isnan(values) & (groups != "")
        names, code = np.unique(groups[have].astype(str), return_inverse=True)
        code = code.ravel()
        order = np.lexsort((values[have], code))
        ordered = values[have][order]
        bounds = np.searchsorted(code[order], np.arange(names.size + 1))
        out[ranked] = {str(name): ordered[bounds[i] : bounds[i + 1]] for i, name in enumerate(names.tolist())}
    return out


def _rank_among(values: np.ndarray, groups: np.ndarray, reference: dict[str, np.ndarray]) -> np.ndarray:
    """:func:`riskkit.features.peer_percentile` of ``values`` against a reference sorted per group.

    The same counts (peers below and equal to each value, peers in its group)
    and the same arithmetic, so the result is the same bit for bit; the
    reference was sorted once for the whole book instead of once per partition.
    """
    from riskkit.features import MIN_PEERS

    out = np.full(values.size, np.nan)
    have = ~np.isnan(values) & (groups != "")
    if not have.any() or not reference:
        return out
    rows = np.flatnonzero(have)
    names, code = np.unique(groups[have].astype(str), return_inverse=True)
    code = code.ravel()
    for i, name in enumerate(names.tolist()):
        ref = reference.get(str(name))
        if ref is None or ref.size < MIN_PEERS:
            continue  # fewer peers than MIN_PEERS: no position (NaN)
        mine = rows[code == i]
        below = np.searchsorted(ref, values[mine], side="left")
        equal = np.searchsorted(ref, values[mine], side="right") - below
        peers = np.full(mine.size, ref.size, dtype=np.int64)
        out[mine] = (below + 0.5 * equal) / peers
    return out


def _apply_peers(part: Any, peers: PeerReference) -> Any:
    """A partition's peer features ranked against the whole book (a customer's industry spans partitions)."""
    from riskkit.features import PEER_FEATURES

    own = part["__industry__"].to_numpy(dtype=object)
    part = part.drop(columns="__industry__")
    for name, ranked in PEER_FEATURES.items():
        part[name] = _rank_among(part[ranked].to_numpy(dtype=np.float64), own, peers[ranked])
    return part


def _features_meta(day: Any) -> Any:
    from riskkit.portfolio import Portfolio

    # the features of no customers: exactly the columns, dtypes and index of a real partition
    empty = Portfolio.from_arrays(customers={"id": np.array([], dtype=object)}, as_of=day)
    return empty.features(day).to_pandas()


def features(
    tables: Mapping[str, Any] | str | os.PathLike[str],
    as_of: Any,
    meta: Any = None,
    *,
    statistical: Iterable[str] = (),
) -> Any:
    """Risk features of every customer, one Portfolio per partition.

    Parameters
    ----------
    tables : path, or mapping of str to dask.dataframe.DataFrame
        The folder of a book written by :func:`write_partitioned`: each task
        reads its own partition's files, so the task graph holds file names,
        not data. Or table name to Dask DataFrame, all partitioned by customer
        (see the module docstring; :func:`partition_by_customer` does it);
        columns are the schema's, the index is ignored.
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
        At once: a folder that holds no partitioned book, an unknown table,
        no ``customers``, frames that are not Dask DataFrames or have
        different numbers of partitions. On compute:
        a row whose customer (or a payment whose invoice) is not in its
        partition, naming the ids; any error of ``Portfolio.from_frames``.
    ImportError
        Dask is not installed.
    """
    dd = _require_dask()
    from dask import delayed

    from riskkit._pit import as_of_date

    day = as_of_date(as_of)
    stat = (statistical,) if isinstance(statistical, str) else tuple(statistical)
    if isinstance(tables, str | os.PathLike):
        root = _book_root(tables)
        _require_pyarrow()
        n = int(read_manifest(root)["npartitions"])
        read_run = delayed(_features_of_files, pure=True)
        return _with_peers([read_run(root, i, day, stat) for i in range(n)], day, meta)
    _check_tables(tables)
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
    return _with_peers(parts, day, meta)


def _with_peers(parts: list[Any], day: Any, meta: Any) -> Any:
    """The partitions' features, their peer features ranked against the whole book, as one Dask frame."""
    dd = _require_dask()
    from dask import delayed

    # peer features rank a customer within its industry across the whole book: a second, small stage
    peers = delayed(_peers, pure=True)(*[delayed(_peer_inputs, pure=True)(part) for part in parts])
    finished = [delayed(_apply_peers, pure=True)(part, peers) for part in parts]
    return dd.from_delayed(finished, meta=_features_meta(day) if meta is None else meta, verify_meta=False)


# --- a book on disk: Parquet partitioned by customer ----------------------------



def _require_pyarrow() -> tuple[Any, Any]:
    pa = require_pyarrow("a partitioned book (Parquet)", extra="dask")
    import pyarrow.parquet as pq

    return pa, pq


def _arrow(name: str, table: Any) -> Any:
    """One table (a pandas DataFrame, or a mapping of column name to array) as an Arrow table."""
    pa, _ = _require_pyarrow()
    import pandas as pd

    if isinstance(table, pa.Table):
        out = table
    elif isinstance(table, pd.DataFrame):
        out = pa.Table.from_pandas(table, preserve_index=False)
    elif isinstance(table, Mapping):
        out = pa.table({str(k): pa.array(np.asarray(v)) for k, v in table.items()})
    else:
        raise ValidationError(
            f"{name}: expected a pandas DataFrame or a mapping of column name to array, got {type(table).__name__}",
            table=name,
        )
    # a text column with no value in this piece (all None) would be typed null: keep it text
    for i, field in enumerate(out.schema):
        if pa.types.is_null(field.type):
            out = out.set_column(i, field.name, pa.nulls(out.num_rows, pa.string()))
    return out


def _codes_bucket(refs: Any, npartitions: int) -> np.ndarray:
    """Partition number of each reference: :func:`_bucket` of each distinct value, spread back to the rows."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(refs, dtype=object), use_na_sentinel=True)
    buckets = _bucket(np.asarray(uniques, dtype=object), npartitions) if len(uniques) else np.zeros(0, np.int64)
    out = np.zeros(len(codes), dtype=np.int64)
    have = codes >= 0
    out[have] = buckets[codes[have]]
    return out


def _column(table: Any, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=object)


def _split_by_customer(arrow: dict[str, Any], npartitions: int) -> dict[str, list[np.ndarray]]:
    """Row numbers of each table in each partition: a customer's hash, payments with their invoice's customer."""
    import pandas as pd

    buckets: dict[str, np.ndarray] = {}
    for name, table in arrow.items():
        if name == "customers":
            buckets[name] = _codes_bucket(_column(table, "id"), npartitions)
        elif name != "payments":
            buckets[name] = _codes_bucket(_column(table, "customer_id"), npartitions)
    if "payments" in arrow:
        payments = arrow["payments"]
        part = np.zeros(payments.num_rows, dtype=np.int64)
        own = (
            _column(payments, "customer_id") if "customer_id" in payments.column_names else None
        )
        if own is not None:  # a payment on account names its customer
            named = np.array([isinstance(c, str) and c != "" for c in own.tolist()], dtype=bool)
            part[named] = _codes_bucket(own[named], npartitions)
        if "invoices" in arrow and "invoice_id" in payments.column_names:
            invoices = arrow["invoices"]
            row = pd.Index(_column(invoices, "id")).get_indexer(_column(payments, "invoice_id"))
            known = row >= 0
            part[known] = buckets["invoices"][row[known]]
        # a payment of an unknown invoice stays in partition 0, where building the Portfolio reports it
        buckets["payments"] = part
    rows: dict[str, list[np.ndarray]] = {}
    for name, bucket in buckets.items():
        order = np.argsort(bucket, kind="stable")  # stable: a customer's rows keep their order
        bounds = np.searchsorted(bucket[order], np.arange(npartitions + 1))
        rows[name] = [order[bounds[i] : bounds[i + 1]] for i in range(npartitions)]
    return rows


def _prepare_folder(root: str, overwrite: bool) -> None:
    import shutil

    if os.path.exists(root) and not os.path.isdir(root):
        raise ValidationError(f"{root!r} exists and is not a folder", field="path", value=root)
    if os.path.isdir(root) and os.listdir(root):
        if not overwrite:
            raise ValidationError(
                f"{root!r} is not empty; give overwrite=True to replace the book in it", field="path", value=root
            )
        if not os.path.exists(os.path.join(root, MANIFEST)):
            raise ValidationError(
                f"{root!r} holds files but no {MANIFEST}: not a partitioned book, so it is not replaced",
                field="path",
                value=root,
            )
        os.remove(os.path.join(root, MANIFEST))  # first: a half-replaced book is never read as whole
        for name in _TABLES:
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
    os.makedirs(root, exist_ok=True)


def _write_piece(root: str, name: str, number: int, table: Any, schemas: dict[str, Any]) -> int:
    _, pq = _require_pyarrow()
    os.makedirs(os.path.join(root, name), exist_ok=True)
    schemas.setdefault(name, table.schema)
    pq.write_table(table, _part_file(root, name, number))
    return int(table.num_rows)


def write_partitioned(
    path: str | os.PathLike[str],
    tables: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    npartitions: int | None = None,
    *,
    overwrite: bool = False,
) -> str:
    """Write a book as Parquet partitioned by customer, the layout :func:`features` reads.

    Parameters
    ----------
    path : str or os.PathLike
        A folder, created if missing; it must be empty or (with
        ``overwrite=True``) hold a partitioned book, which is replaced.
    tables : mapping, or iterable of mappings
        A mapping of table name (``customers``, ``exposures``, ``invoices``,
        ``payments``, ``orders``, ``statements``, ``events``; ``customers``
        required) to a pandas DataFrame or a mapping of column name to array
        (what ``Portfolio.from_frames`` or ``Portfolio.from_arrays`` take):
        the book, split here into ``npartitions`` by a hash of the customer id
        (as :func:`partition_by_customer` does; payments follow their
        invoice's customer). Or an iterable of such mappings, each one whole
        partition, written as it comes (one in memory at a time, for a book
        larger than memory): the caller keeps each customer's rows in one of
        them.
    npartitions : int, optional
        Number of partitions; required with a mapping, not given with an
        iterable.
    overwrite : bool, default False
        Replace the partitioned book already in ``path``.

    Returns
    -------
    str
        ``path``. The folder holds ``riskkit-book.json`` (the layout's name
        and version, the number of partitions, the tables and their rows per
        partition) and, per table, ``<table>/part-00000.parquet``, one file
        per partition (empty where a partition has no rows of that table).
        Rows keep their input order within a partition.

    Raises
    ------
    ValidationError
        An unknown table name, no ``customers``, a bad ``npartitions``, or a
        folder that is not empty and not a book.
    ImportError
        pyarrow is not installed.

    Examples
    --------
    >>> import tempfile
    >>> from riskkit.datasets._synthetic import generate
    >>> raw, _ = generate(50, seed=1)
    >>> folder = tempfile.mkdtemp()
    >>> path = write_partitioned(folder, raw, npartitions=3)
    >>> sorted(os.listdir(os.path.join(path, "invoices")))
    ['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet']
    >>> book = read_partitioned(path)
    >>> len(book["customers"]), sorted(book) == sorted(raw)
    (50, True)
    """
    _require_pyarrow()
    root = _book_root(path)
    if isinstance(tables, Mapping):
        _check_tables(tables)
        if npartitions is None:
            raise ValidationError("npartitions is required to split a mapping of tables", field="npartitions")
        n = _check_npartitions(npartitions)
        arrow = {name: _arrow(name, t) for name, t in tables.items() if t is not None}
        rows = _split_by_customer(arrow, n)
        pieces: Iterable[Mapping[str, Any]] = (
            {name: arrow[name].take(rows[name][i]) for name in arrow} for i in range(n)
        )
    else:
        if npartitions is not None:
            raise ValidationError(
                "npartitions is the number of mappings when tables is an iterable of partitions; do not give it",
                field="npartitions",
                value=npartitions,
            )
        pieces = tables
    _prepare_folder(root, overwrite)
    schemas: dict[str, Any] = {}
    counts: dict[str, dict[int, int]] = {}
    number = -1
    for number, piece in enumerate(pieces):
        _check_tables(piece)
        for name, table in piece.items():
            if table is None:
                continue
            counts.setdefault(name, {})[number] = _write_piece(root, name, number, _arrow(name, table), schemas)
    n = number + 1
    if n == 0:
        raise ValidationError("no partitions to write", field="tables")
    # every table has a file in every partition: empty where a partition has none of its rows
    for name, schema in schemas.items():
        for i in range(n):
            if i not in counts[name]:
                counts[name][i] = _write_piece(root, name, i, schema.empty_table(), schemas)
    manifest = {
        "format": _FORMAT,
        "version": _VERSION,
        "npartitions": n,
        "tables": [name for name in _TABLES if name in counts],
        "rows": {name: [counts[name][i] for i in range(n)] for name in _TABLES if name in counts},
    }
    with open(os.path.join(root, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    return root


def read_partitioned(
    path: str | os.PathLike[str], partitions: int | Iterable[int] | None = None
) -> dict[str, Any]:
    """Tables of a partitioned book as pandas DataFrames: the whole book, one partition or several.

    Parameters
    ----------
    path : str or os.PathLike
        A folder written by :func:`write_partitioned`.
    partitions : int or iterable of int, optional
        Which partitions (default: all, in order).

    Returns
    -------
    dict of str to pandas.DataFrame
        Every table of the book, ready for ``Portfolio.from_frames(**tables)``.
        Dates come back as ``datetime64``; customer ids in the tables that
        refer to customers, and short codes (industry, region, debtor type,
        kind, currency), come back as pandas categoricals, so that a Portfolio
        holds one string per distinct value rather than one per row.

    Examples
    --------
    >>> import tempfile
    >>> from riskkit.datasets._synthetic import generate
    >>> raw, _ = generate(30, seed=2)
    >>> path = write_partitioned(tempfile.mkdtemp(), raw, npartitions=2)
    >>> one = read_partitioned(path, 1)
    >>> whole = read_partitioned(path)
    >>> 0 < len(one["invoices"]) < len(whole["invoices"]) == len(raw["invoices"]["id"])
    True
    >>> str(whole["invoices"]["customer_id"].dtype), str(whole["invoices"]["issued"].dtype)
    ('category', 'datetime64[ms]')
    """
    _, pq = _require_pyarrow()
    root = _book_root(path)
    manifest = read_manifest(root)
    numbers = _partition_numbers(partitions, int(manifest["npartitions"]))
    out: dict[str, Any] = {}
    for name in manifest["tables"]:
        files = [_part_file(root, name, i) for i in numbers]
        schema = pq.read_schema(files[0]) if files else None
        dictionary = [c for c in (schema.names if schema is not None else ()) if c in _DICTIONARY]
        table = pq.read_table(files, read_dictionary=dictionary) if len(files) != 1 else pq.read_table(
            files[0], read_dictionary=dictionary
        )
        out[name] = table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)
        del table
    return out


def _read_piece(piece: tuple[str, str, int]) -> Any:
    """One table of one partition of a partitioned book, as a pandas DataFrame (for ``dd.from_map``)."""
    _, pq = _require_pyarrow()
    root, name, number = piece
    where = _part_file(root, name, number)
    dictionary = [c for c in pq.read_schema(where).names if c in _DICTIONARY]
    return pq.read_table(where, read_dictionary=dictionary).to_pandas(date_as_object=False)


def _dask_tables(root: str) -> dict[str, Any]:
    """The tables of a partitioned book as Dask DataFrames, partition ``i`` of each read from its own file."""
    dd = _require_dask()
    manifest = read_manifest(root)
    n = int(manifest["npartitions"])
    return {
        name: dd.from_map(_read_piece, [(root, name, i) for i in range(n)], enforce_metadata=False)
        for name in manifest["tables"]
    }


def _features_of_files(path: str, number: int, as_of: Any, statistical: tuple[str, ...]) -> Any:
    """Features of one partition of a partitioned book, read from its files (shared by Dask and Spark)."""
    return _features_partition(number, as_of, statistical, **read_partitioned(path, number))


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


def check_partitioning(tables: Mapping[str, Any] | str | os.PathLike[str]) -> None:
    """Check the partition-by-customer contract eagerly (computes the distinct ids per partition).

    ``tables`` is a mapping of table name to Dask DataFrame, or the folder of
    a book written by :func:`write_partitioned` (whose partitions, when
    written from an iterable, are the caller's).

    Raises
    ------
    ValidationError
        Naming the customer ids whose rows span partitions: a customer listed
        in two partitions, or a row in a partition other than its customer's
        (payments: other than its invoice's).
    """
    dd = _require_dask()
    import dask

    if isinstance(tables, str | os.PathLike):
        tables = _dask_tables(_book_root(tables))
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
