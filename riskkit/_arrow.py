"""Arrow tables and Parquet files as the columns a Portfolio is built from.

Arrow hands most columns over to numpy without a Python object per value:
numbers and dates without missing values as they are stored, ASCII text as a
fixed-width unicode array (:func:`riskkit._ingest.text_from_arrow`), and a
dictionary-encoded text column as its distinct values plus integer codes, so
that validation and interning run once per distinct value
(:func:`riskkit._ingest.coded_text`). What numpy cannot hold faithfully
(an integer or boolean column with missing values, text beyond ASCII) comes
over as Python objects with ``None`` for a missing value, as
``Portfolio.from_frames`` reads a nullable pandas column; the load then checks
it value by value like any other input.

A time zone is refused, as in ``from_frames``: give plain dates.

Parquet needs the optional ``pyarrow`` extra (``pip install "riskkit[pyarrow]"``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from riskkit import _schema
from riskkit._ingest import coded_text, remember_owned, text_from_arrow
from riskkit.errors import ValidationError


def require_pyarrow(what: str = "Parquet", extra: str = "pyarrow") -> Any:
    """The ``pyarrow`` module, or an ImportError saying what needs it and how to install it."""
    try:
        import pyarrow as pa
    except ImportError as exc:  # pragma: no cover - the test environment has it
        raise ImportError(f'{what} needs pyarrow ({exc}); install it with: pip install "riskkit[{extra}]"') from exc
    return pa


def columns_from_arrow(table_name: str, table: Any, disjoint: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    """The columns of one Arrow table (or record batch) as numpy arrays, by column name.

    ``disjoint``: dictionary-encoded text columns whose files (or row
    groups) are known to hold no value in common, such as the customer ids
    of a book partitioned by customer: their dictionaries are put end to end
    instead of unified (checked: if two share a value, they are unified after all).

    Examples
    --------
    >>> import pyarrow as pa
    >>> cols = columns_from_arrow("invoices", pa.table({"id": ["I1", "I2"], "amount": [10.0, None]}))
    >>> cols["id"], cols["amount"]
    (array(['I1', 'I2'], dtype='<U2'), array([10., nan]))
    """
    pa = require_pyarrow("an Arrow table")
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if not isinstance(table, pa.Table):
        raise ValidationError(
            f"{table_name}: expected a pyarrow Table or RecordBatch, got {type(table).__name__}", table=table_name
        )
    names = [str(n) for n in table.column_names]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValidationError(f"{table_name}: duplicate column names {dupes}", table=table_name)
    return {name: _column(table_name, name, table.column(i), pa, name in disjoint) for i, name in enumerate(names)}


def _column(table_name: str, name: str, col: Any, pa: Any, disjoint: bool = False) -> np.ndarray:
    kind = col.type
    compact, reference = _schema.read_as(table_name, name)
    if pa.types.is_dictionary(kind):
        # a required customer reference is interned through its codes: no object per row (coded_text)
        coded = dictionary_text(col, pa, disjoint, per_row=not reference)
        if coded is not None:
            return coded
        col = col.cast(kind.value_type)  # its values, chunk by chunk
        kind = col.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        raise ValidationError(
            f"{table_name}: column {name!r} has a time zone ({kind.tz}); give plain dates", table=table_name, field=name
        )
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = text_from_arrow(col, ascii_bytes=compact)  # a compact column as bytes, within a build
        if text is not None:
            return text
        return _objects(col)
    # an array numpy made for this read (not a view of Arrow's memory) is the load's to keep: no copy
    if col.null_count == 0 and (
        pa.types.is_floating(kind) or pa.types.is_integer(kind) or pa.types.is_boolean(kind)
        or pa.types.is_timestamp(kind) or pa.types.is_date(kind)
    ):
        return remember_owned(np.asarray(col.to_numpy()))
    if pa.types.is_floating(kind) or pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return remember_owned(np.asarray(col.to_numpy(zero_copy_only=False)))  # a missing value as NaN or NaT
    # integers and booleans with a missing value, decimals, anything else: Python objects, None for missing
    return _objects(col)


def _objects(col: Any) -> np.ndarray:
    out = np.empty(len(col), dtype=object)
    out[:] = col.to_pylist()
    return out


def dictionary_text(col: Any, pa: Any, disjoint: bool = False, per_row: bool = True) -> np.ndarray | None:
    """A dictionary-encoded text column without missing values as objects (each row its value's one
    string), its codes noted for the load; None for anything else.

    Its chunks' dictionaries are unified by Arrow into one, or with ``disjoint``
    (see :func:`columns_from_arrow`) each distinct dictionary (the chunks of a
    row group share one) is put after the others and each chunk's codes moved
    along, as long as no value is in two of them. ``per_row``: as for
    :func:`riskkit._ingest.coded_text`.
    """
    kind = col.type
    if col.null_count or not (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
        return None
    if not any(len(c) for c in col.chunks):
        return None
    if disjoint:
        coded = _end_to_end(col, pa, per_row)
        if coded is not None:
            return coded
    try:
        col = col.unify_dictionaries()  # one dictionary for all its chunks
    except pa.ArrowException:  # dictionaries Arrow cannot unify: the caller reads the values
        return None
    chunks = [c for c in col.chunks if len(c)]
    codes = np.concatenate([np.asarray(c.indices.to_numpy()) for c in chunks])
    return coded_text(_objects(chunks[0].dictionary), codes, per_row)


def _end_to_end(col: Any, pa: Any, per_row: bool = True) -> np.ndarray | None:
    """:func:`dictionary_text` of a column whose distinct dictionaries, put end to end, hold each value
    once (None when they do not)."""
    start: dict[tuple[Any, ...], int] = {}  # a dictionary (by its memory) -> where it starts
    parts = []
    codes = np.empty(len(col), dtype=np.intp)
    at = size = 0
    for chunk in col.chunks:
        if not len(chunk):
            continue
        d = chunk.dictionary
        key = (*(b.address if b is not None else 0 for b in d.buffers()), d.offset, len(d))
        if key not in start:
            start[key] = size
            parts.append(d)
            size += len(d)
        np.add(np.asarray(chunk.indices.to_numpy()), np.intp(start[key]), out=codes[at : at + len(chunk)])
        at += len(chunk)
    return coded_text(_objects(pa.concat_arrays(parts)), codes, per_row)


class ReadAhead(Mapping[str, dict[str, np.ndarray]]):
    """Parquet tables by name (``{table: [files]}``), each read and converted to columns when looked up,
    with the next table of ``order`` already being read in a background thread.

    Arrow reads and decodes Parquet without holding the GIL, so the next
    table's reading overlaps this one's conversion and checks (one core
    reads while the other checks). At most one table is read ahead: its
    Arrow data is the only extra memory. A read that fails raises its error
    when its table is looked up; :meth:`close` drops what was read ahead and
    not asked for.

    Examples
    --------
    >>> import tempfile, pyarrow as pa, pyarrow.parquet as pq
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("customers", "invoices"):
    ...     pq.write_table(pa.table({"id": ["X1"]}), os.path.join(folder, f"{name}.parquet"))
    >>> tables = ReadAhead({n: [os.path.join(folder, f"{n}.parquet")] for n in ("customers", "invoices")},
    ...                    order=("customers", "invoices"))
    >>> tables["customers"]["id"], tables["invoices"]["id"]
    (array(['X1'], dtype='<U2'), array(['X1'], dtype='<U2'))
    >>> tables.close()
    """

    def __init__(self, files: Mapping[str, list[str]], order: Iterable[str], disjoint: frozenset[str] = frozenset()) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._files = dict(files)
        self._disjoint = disjoint  # see columns_from_arrow
        wanted = [name for name in order if name in self._files]
        self._order = [*wanted, *(name for name in self._files if name not in wanted)]
        self._ahead: dict[str, Any] = {}  # table name -> Future of its Arrow table
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="riskkit-read-ahead")

    def __getitem__(self, name: str) -> dict[str, np.ndarray]:
        files = self._files[name]
        future = self._ahead.pop(name, None)
        position = self._order.index(name)
        for following in self._order[position + 1: position + 2]:  # queued behind this one's read
            if following not in self._ahead:
                self._ahead[following] = self._pool.submit(read_parquet, following, self._files[following])
        table = future.result() if future is not None else read_parquet(name, files)
        return columns_from_arrow(name, table, self._disjoint)

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def close(self) -> None:
        """Stop reading ahead: a table queued is not read, one being read is let go of when done."""
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)


def release_memory() -> None:
    """Let Arrow's allocator return what it freed to the system (it keeps it for reuse otherwise): once a
    Portfolio is built from Arrow data, the Arrow data is gone and the memory is better used elsewhere."""
    require_pyarrow().default_memory_pool().release_unused()


def read_parquet(table_name: str, files: Iterable[str]) -> Any:
    """One table from Parquet files (read together), its repeated text columns as dictionaries."""
    require_pyarrow()
    import pyarrow.parquet as pq

    files = list(files)
    try:
        schema = pq.read_schema(files[0]) if os.path.isfile(files[0]) else pq.ParquetDataset(files[0]).schema
        dictionary = [
            f.name for f in schema if f.name in _DICTIONARY and str(f.type) in ("string", "large_string")
        ]
        return pq.read_table(files if len(files) > 1 else files[0], read_dictionary=dictionary)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid and ArrowIOError are among these
        raise ValidationError(f"{table_name}: cannot read Parquet {files[0]!r}: {exc}", table=table_name) from exc


def book_files(path: str | os.PathLike[str], partitions: int | Iterable[int] | None = None) -> dict[str, list[str]]:
    """The Parquet files of each table of a book written by :func:`riskkit.dask.write_partitioned` (some
    partitions, or all), or of a folder holding a ``<table>.parquet`` file per table (``customers.parquet``,
    ``invoices.parquet``, ...)."""
    from riskkit._schema import TABLES

    root = _book_root(path)
    plain = {name: os.path.join(root, f"{name}.parquet") for name in TABLES}
    plain = {name: file for name, file in plain.items() if os.path.isfile(file)}
    if not os.path.exists(os.path.join(root, MANIFEST)) and "customers" in plain:
        if partitions is not None:
            raise ValidationError(f"{root!r} holds one file per table, not partitions; leave partitions out",
                                  field="partitions", value=partitions)
        return {name: [file] for name, file in plain.items()}
    if not os.path.exists(os.path.join(root, MANIFEST)):
        raise ValidationError(
            f"{root!r} holds neither a partitioned book (no {MANIFEST}; write one with "
            "riskkit.dask.write_partitioned) nor a customers.parquet file (one <table>.parquet file per table); "
            "give such a folder, or the tables one by one (customers=..., invoices=...)",
            field="book",
            value=root,
        )
    manifest = read_manifest(root)
    numbers = _partition_numbers(partitions, int(manifest["npartitions"]))
    return {name: [_part_file(root, name, i) for i in numbers] for name in manifest["tables"] if numbers}


# --- the partitioned book's layout (written by riskkit.dask.write_partitioned) ------------------------------

#: The file that marks a folder as a partitioned book and describes it (see ``riskkit.dask.write_partitioned``).
MANIFEST = "riskkit-book.json"
_FORMAT = "riskkit partitioned book"
_VERSION = 1
# text columns read back as dictionaries (pandas categoricals): values repeated on many rows, so a
# Portfolio built from them holds one Python string per distinct value instead of one per row
_DICTIONARY = frozenset({"customer_id", "industry", "region", "debtor_type", "kind", "currency"})


#: The columns whose values a partitioned book never spreads over two partitions (each customer's rows are
#: in one): read from such a book, their dictionaries are put end to end, not unified (columns_from_arrow).
_BY_PARTITION = frozenset({"customer_id"})


def partition_keys(path: str | os.PathLike[str]) -> frozenset[str]:
    """The columns of :data:`_BY_PARTITION` for a partitioned book (a folder with a manifest), none for others."""
    return _BY_PARTITION if os.path.exists(os.path.join(_book_root(path), MANIFEST)) else frozenset()


def _book_root(path: Any) -> str:
    if not isinstance(path, str | os.PathLike):
        raise ValidationError(f"path must be a folder name, got {type(path).__name__}", field="path")
    return os.fspath(path)


def _part_file(root: str, name: str, number: int) -> str:
    return os.path.join(root, name, f"part-{number:05d}.parquet")


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The description of a partitioned book (``riskkit-book.json``): partitions, tables, rows per partition.

    Raises
    ------
    ValidationError
        The folder holds no partitioned book, or one of an unknown format version.
    """
    root = _book_root(path)
    where = os.path.join(root, MANIFEST)
    try:
        with open(where, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except FileNotFoundError:
        raise ValidationError(
            f"{root!r} is not a partitioned book: no {MANIFEST} (write one with riskkit.dask.write_partitioned)",
            field="path",
            value=root,
        ) from None
    except ValueError as exc:
        raise ValidationError(f"{where!r} is not valid JSON: {exc}", field="path", value=root) from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise ValidationError(f"{where!r} does not describe a partitioned book", field="path", value=root)
    if manifest.get("version") != _VERSION:
        raise ValidationError(
            f"{where!r} is version {manifest.get('version')!r} of the layout; this riskkit reads version {_VERSION}",
            field="path",
            value=root,
        )
    return manifest


def _partition_numbers(partitions: Any, n: int) -> list[int]:
    if partitions is None:
        return list(range(n))
    chosen = [partitions] if isinstance(partitions, int | np.integer) else list(partitions)
    for i in chosen:
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < n:
            raise ValidationError(
                f"partition {i!r} is not one of the book's 0..{n - 1}", field="partitions", value=i
            )
    return [int(i) for i in chosen]
