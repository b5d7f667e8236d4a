"""The columnar core: a company's customers and receivables as numpy columns.

A :class:`Portfolio` holds ten tables (customers, exposures, invoices,
payments, orders, statements, events, insurance, promises, disputes; see
:func:`riskkit.portfolio.schema`).
Customer ids are interned to integer codes in portfolio order, dates are
``datetime64[D]``, money is float64. Every constructor funnels into one
validated path, so the same data gives the same Portfolio however it arrives.

Examples
--------
>>> import riskkit
>>> p = riskkit.Portfolio.from_records(
...     customers=[{"id": "C1", "name": "Acme"}, {"id": "C2", "name": "Bolt"}],
...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-02",
...                "due": "2025-02-01", "amount": 1000.0}],
...     as_of="2025-03-01",
... )
>>> p
Portfolio(2 customers, 1 invoices, 0 payments, 0 orders, 0 statements, 0 events, as_of=2025-03-01)
>>> p.customer_ids.tolist()
['C1', 'C2']
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import functools
import os
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from riskkit import _schema
from riskkit._convert import show
from riskkit._csvfile import Dialect, header_hint, parse_column, read_csv
from riskkit._default import DefaultDefinition
from riskkit._ingest import READ_ORDER, Columns, Ingest, Rejection, coded_text, text_from_arrow, text_objects
from riskkit._memory import give_back_after, small_pages
from riskkit._pit import as_of_date, as_of_day
from riskkit.errors import SchemaError, ValidationError

if TYPE_CHECKING:
    from riskkit._frame import FeatureFrame

__all__ = ["EXPOSURE_CATEGORIES", "Portfolio", "Rejection", "TableView", "schema"]

#: Exposure categories (docs/domain.md, *Receivables metrics*); any of them may be declared statistical.
EXPOSURE_CATEGORIES = ("open_orders", "open_deliveries", "open_invoices", "special")

_FEATURE_CACHE_SIZE = 4
_T = TypeVar("_T")

_TABLE_ORDER = (
    "customers", "exposures", "invoices", "payments", "orders", "statements", "events", "insurance", "promises",
    "disputes",
)


class _Options(NamedTuple):
    """The load options every constructor takes, in signature order (see :class:`Portfolio`)."""

    as_of: Any = None
    statistical: Iterable[str] = ()
    errors: str = "raise"
    unknown_columns: str = "error"
    currency: str | None = None
    rates: Any = None
    tolerance: float = 1.0
    export_date: Any = None


def schema() -> dict[str, dict[str, str]]:
    """Describe every table's columns: kind, whether required, and meaning.

    Examples
    --------
    >>> schema()["invoices"]["issued"]
    'date, required: document date'
    >>> schema()["payments"]["invoice_id"]
    'invref, optional: the document paid; empty for cash on account'
    """
    out: dict[str, dict[str, str]] = {}
    for name in _TABLE_ORDER:
        table = _schema.TABLES[name]
        out[name] = {
            c.name: f"{c.kind}, {'optional' if c.optional else 'required'}" + (f": {c.doc}" if c.doc else "")
            for c in table.columns
        }
    return out


class TableView(Mapping[str, np.ndarray]):
    """A read-only view of one Portfolio table: column name -> numpy array.

    Besides the schema's columns, tables referring to customers carry
    ``customer`` (the integer code into ``Portfolio.customer_ids``) and
    payments carry ``invoice`` (the row of the invoice). Two kinds of column
    are made when first asked for, so that a book holds no Python string per
    row it does not need:

    - a table whose every row names a customer of the book reads its
      ``customer_id`` column through those codes: the customers' own id
      strings, not a column kept per row;
    - the invoices' ``id`` given as text without Python objects (Arrow,
      Parquet, a numpy unicode array) is kept as ASCII bytes, one byte a
      character; :meth:`take` reads some of its rows without making the
      rest.

    Text columns always read as object arrays of ``str``.
    """

    def __init__(self, name: str, columns: Columns, derived: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None
                 ) -> None:
        self.name = name
        columns = {k: v for k, v in columns.items() if not k.startswith("__")}
        # text kept compactly (bytes or fixed-width unicode), read as Python strings
        self._compact = {k: v for k, v in columns.items() if v.dtype.kind in "SU"}
        self._columns = {k: v for k, v in columns.items() if k not in self._compact}
        # a derived column: (values, codes), read as values[codes]
        self._derived = {k: v for k, v in (derived or {}).items() if k not in columns}
        self._names = _schema_order(name, [*columns, *self._derived])
        self._n_rows = int(next(iter(columns.values())).size) if columns else 0

    def __getitem__(self, key: str) -> np.ndarray:
        try:
            return self._columns[key]
        except KeyError:
            pass
        if key not in self._derived and key not in self._compact:
            raise SchemaError(f"table {self.name!r} has no column {key!r}; columns: {', '.join(self._names)}")
        with _DERIVING:
            if key not in self._columns:
                column = self._make(key, slice(None))
                column.setflags(write=False)
                self._columns[key] = column
        return self._columns[key]

    def take(self, key: str, rows: Any) -> np.ndarray:
        """``self[key][rows]``, without making the whole of a column that is made when first asked for.

        For the few rows a message names: evidence, a worklist line.

        Examples
        --------
        >>> p = Portfolio.from_arrays(customers={"id": ["C1"], "name": ["Acme"]},
        ...     invoices={"id": np.array(["I1", "I2"]), "customer_id": ["C1", "C1"],
        ...               "issued": ["2025-01-01"] * 2, "due": ["2025-01-31"] * 2, "amount": [10.0, 20.0]})
        >>> p.invoices.take("id", np.array([1])).tolist(), p.invoices.take("customer_id", [0]).tolist()
        (['I2'], ['C1'])
        """
        if key in self._columns or (key not in self._derived and key not in self._compact):
            return self[key][rows]
        if isinstance(rows, int | np.integer):
            return self._make(key, np.array([rows]))[0]
        return self._make(key, rows)

    def _make(self, key: str, rows: Any) -> np.ndarray:
        """Rows of a column made when asked for (see the class documentation)."""
        if key in self._compact:
            return text_objects(self._compact[key][rows])
        values, codes = self._derived[key]
        codes = codes[rows]
        return values.take(codes) if values.size else np.empty(codes.size, dtype=values.dtype)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        """Number of columns (Mapping protocol); see :attr:`n_rows` for rows."""
        return len(self._names)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return self._n_rows

    def __repr__(self) -> str:
        return f"TableView({self.name!r}, {self.n_rows} rows, columns={self._names})"

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame({k: self[k] for k in self._names})


#: Held while a derived column is made, so that two threads asking at once get one array.
_DERIVING = threading.Lock()


def _schema_order(table: str, names: list[str]) -> list[str]:
    """``names`` with the table's schema columns in schema order first, then the others as they come."""
    spec = _schema.TABLES.get(table)
    schema = [n for n in spec.names if n in names] if spec is not None else []
    return [*schema, *(n for n in names if n not in schema)]


def _derived_ids(table: str, columns: Columns, customer_ids: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The customer_id column of a table that carries customer codes but not the ids: read through them."""
    if table == "customers" or "customer_id" in columns or "customer" not in columns:
        return {}
    return {"customer_id": (customer_ids, columns["customer"])}


class Portfolio:
    """Customers, exposures and receivables history as validated numpy columns.

    Build one with :meth:`from_objects`, :meth:`from_records`,
    :meth:`from_frames`, :meth:`from_csv` or :meth:`from_arrays`; they all
    take the same keyword arguments:

    Parameters
    ----------
    customers, exposures, invoices, payments, orders, statements, events, insurance, promises, disputes
        The tables. Only ``customers`` is required. Column names equal the
        record field names (:mod:`riskkit.records`); see :func:`schema`.
    as_of : date-like, optional
        The default point in time for features. When omitted, the latest
        transaction date in the data (invoice issued, payment, order, event,
        statement period end or publication; never a due date).
    statistical : iterable of str, optional
        Exposure categories reported but not counted against the limit
        (docs/domain.md, *Receivables metrics*), from :data:`EXPOSURE_CATEGORIES`.
    errors : {"raise", "collect"}, default "raise"
        ``"raise"``: the first bad row raises :class:`~riskkit.ValidationError`
        naming table, row, field and value. ``"collect"``: bad rows (and rows
        depending on them) are left out and listed in :attr:`rejected`.
    unknown_columns : {"error", "ignore"}, default "error"
        What to do with columns that are not in the schema.
    currency : str, optional
        The reporting currency (e.g. ``"EUR"``). Every amount is converted
        into it with ``rates``; a document without a currency is in it. When
        omitted and the data names exactly one currency, that one.
    rates : mapping or table, optional
        Rates to the reporting currency: ``{"USD": 0.92, ...}`` (one rate per
        currency), or columns ``{"date": [...], "currency": [...], "rate":
        [...]}`` (each document takes the latest rate on or before its date).
        A currency without a rate is an error naming it.
    tolerance : float, default 1.0
        Payment tolerance in document currency: a document whose payments
        differ from its amount by at most this much is settled in full, the
        difference written off (docs/domain.md, open items).
    export_date : date-like, optional
        The date an export's ``residual`` amounts were taken (default
        ``as_of``); features before it are refused.
    """

    def __init__(
        self,
        tables: Mapping[str, Columns],
        *,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        rejected: Iterable[Rejection] = (),
        currency: str = "",
        tolerance: float = 1.0,
        export_date: Any = None,
        skipped: Mapping[str, int] | None = None,
    ) -> None:
        missing = set(_TABLE_ORDER) - set(tables)
        if missing:
            raise SchemaError(f"Portfolio needs all tables; missing {sorted(missing)} (use a from_* constructor)")
        ids = tables["customers"].get("id", np.empty(0, dtype=object))
        self._tables = {name: TableView(name, tables[name], _derived_ids(name, tables[name], ids))
                        for name in _TABLE_ORDER}
        if isinstance(statistical, str):
            stat: tuple[Any, ...] = (statistical,)
        elif isinstance(statistical, Iterable) and not isinstance(statistical, Mapping):
            stat = tuple(statistical)
        else:
            raise ValidationError(
                f"statistical must be an iterable of exposure categories ({', '.join(EXPOSURE_CATEGORIES)}), "
                f"got {type(statistical).__name__}",
                field="statistical",
            )
        bad = [s for s in stat if s not in EXPOSURE_CATEGORIES]
        if bad:
            raise ValidationError(
                f"unknown statistical exposure categories {bad}; accepted: {', '.join(EXPOSURE_CATEGORIES)}",
                field="statistical",
                value=bad,
            )
        self._statistical = frozenset(stat)
        self._rejected = tuple(rejected)
        self._as_of = self._latest_date() if as_of is None else as_of_date(as_of)
        self._currency = currency
        self._tolerance = float(tolerance)
        self._default_definition = DefaultDefinition()
        self._skipped = dict(skipped or {})
        has_residual = bool((~np.isnan(self._tables["invoices"]["residual"])).any())
        if export_date is not None:
            self._export_date: _dt.date | None = as_of_date(export_date, field="export_date")
        else:
            self._export_date = self._as_of if has_residual else None
        self._cache: dict[str, dict[Hashable, Any]] = {}
        self._inherited: set[str] = set()
        self._cache_lock = threading.Lock()
        self._building: dict[tuple[str, Hashable], threading.RLock] = {}

    def __getstate__(self) -> dict[str, Any]:
        """What a pickle, ``copy.deepcopy``, ``joblib`` or ``multiprocessing`` carries: the book itself, not
        what was computed from it (computed again on first use) nor its locks.

        Examples
        --------
        >>> import pickle
        >>> p = Portfolio.from_records(customers=[{"id": "A"}], as_of="2025-01-01")
        >>> q = pickle.loads(pickle.dumps(p))
        >>> q.customer_ids.tolist(), q.as_of == p.as_of
        (['A'], True)
        """
        state = self.__dict__.copy()
        for name in ("_cache", "_inherited", "_cache_lock", "_building"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = {}
        self._inherited = set()
        self._cache_lock = threading.Lock()
        self._building = {}

    # --- constructors --------------------------------------------------------

    @classmethod
    def from_arrays(
        cls,
        *,
        customers: Mapping[str, Any] | None = None,
        exposures: Mapping[str, Any] | None = None,
        invoices: Mapping[str, Any] | None = None,
        payments: Mapping[str, Any] | None = None,
        orders: Mapping[str, Any] | None = None,
        statements: Mapping[str, Any] | None = None,
        events: Mapping[str, Any] | None = None,
        insurance: Mapping[str, Any] | None = None,
        promises: Mapping[str, Any] | None = None,
        disputes: Mapping[str, Any] | None = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
        export_date: Any = None,
        **unknown: Any,
    ) -> Portfolio:
        """Build from mappings of column name to array (the fastest path).

        Examples
        --------
        >>> import numpy as np
        >>> p = Portfolio.from_arrays(
        ...     customers={"id": np.array(["C1", "C2"])},
        ...     orders={"customer_id": ["C1", "C1"], "date": np.array(["2025-01-05", "2025-02-05"],
        ...             dtype="datetime64[D]"), "amount": np.array([500.0, 700.0])},
        ... )
        >>> str(p.as_of)
        '2025-02-05'
        """
        given = _given("from_arrays", unknown, customers, exposures, invoices, payments, orders, statements, events,
                       insurance, promises, disputes)
        options = _Options(as_of, statistical, errors, unknown_columns, currency, rates, tolerance, export_date)
        return cls._build(given, options)

    @classmethod
    def _build(
        cls,
        inputs: Mapping[str, Mapping[str, Any]],
        options: _Options,
        *,
        problems: Mapping[str, Iterable[tuple[int, str]]] | None = None,
        skipped: Mapping[str, int] | None = None,
    ) -> Portfolio:
        """The one path every constructor takes: validate ``inputs`` and build the Portfolio.

        ``inputs`` maps table name to a mapping of column name to values; a
        table mapping may carry ``"__row__"`` (the input row number of each
        value, when some input rows were dropped before, e.g. unreadable CSV
        lines). ``options`` are the load options (see :class:`Portfolio`).
        ``problems`` lists such dropped rows per table as ``(row, reason)``;
        they become rejections like any other bad row. ``skipped`` counts rows
        a load profile skipped on purpose (its ``where`` filter), per table.
        """
        ingest = Ingest(
            errors=options.errors,
            unknown_columns=options.unknown_columns,
            currency=options.currency,
            rates=options.rates,
            tolerance=options.tolerance,
        )
        with small_pages():  # gigabytes of fresh arrays at once on a large book: see riskkit._memory
            tables, rejected = ingest.build(inputs, problems=problems)
        built = cls(
            tables,
            as_of=options.as_of,
            statistical=options.statistical,
            rejected=rejected,
            currency=ingest.currency,
            tolerance=ingest.tolerance,
            export_date=options.export_date,
            skipped=skipped,
        )
        del tables, ingest
        give_back_after(built)  # what the checks and conversions freed
        return built

    @classmethod
    def from_records(
        cls,
        *,
        customers: Iterable[Mapping[str, Any]] | None = None,
        exposures: Iterable[Mapping[str, Any]] | None = None,
        invoices: Iterable[Mapping[str, Any]] | None = None,
        payments: Iterable[Mapping[str, Any]] | None = None,
        orders: Iterable[Mapping[str, Any]] | None = None,
        statements: Iterable[Mapping[str, Any]] | None = None,
        events: Iterable[Mapping[str, Any]] | None = None,
        insurance: Iterable[Mapping[str, Any]] | None = None,
        promises: Iterable[Mapping[str, Any]] | None = None,
        disputes: Iterable[Mapping[str, Any]] | None = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
        export_date: Any = None,
        **unknown: Any,
    ) -> Portfolio:
        """Build from iterables of dicts (database rows, JSON).

        A key missing from one row is a missing value on that row; options as
        in :class:`Portfolio`.
        """
        given = _given("from_records", unknown, customers, exposures, invoices, payments, orders, statements, events,
                       insurance, promises, disputes)
        columns = {name: _columns_from_dicts(name, rows) for name, rows in given.items()}
        options = _Options(as_of, statistical, errors, unknown_columns, currency, rates, tolerance, export_date)
        return cls._build(columns, options)

    @classmethod
    def from_objects(
        cls,
        *,
        customers: Iterable[Any] | None = None,
        exposures: Iterable[Any] | None = None,
        invoices: Iterable[Any] | None = None,
        payments: Iterable[Any] | None = None,
        orders: Iterable[Any] | None = None,
        statements: Iterable[Any] | None = None,
        events: Iterable[Any] | None = None,
        insurance: Iterable[Any] | None = None,
        promises: Iterable[Any] | None = None,
        disputes: Iterable[Any] | None = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
        export_date: Any = None,
        **unknown: Any,
    ) -> Portfolio:
        """Build from objects with the records' attributes: riskkit's records or an ERP's own.

        Customers must satisfy :class:`riskkit.Customer` and exposures
        :class:`riskkit.Exposure`; optional attributes are read when present.
        """
        from riskkit.protocols import Customer, Exposure

        given = _given("from_objects", unknown, customers, exposures, invoices, payments, orders, statements, events,
                       insurance, promises, disputes)
        protocols = {"customers": Customer, "exposures": Exposure}
        columns = {}
        for name, objs in given.items():
            objs = _rows_of(name, objs, "objects with the records' attributes")
            proto = protocols.get(name)
            if proto is not None:
                for i, obj in enumerate(objs):
                    if not isinstance(obj, proto):
                        wanted = [a for a, v in vars(proto).items() if isinstance(v, property)]
                        missing = [a for a in wanted if not hasattr(obj, a)]
                        raise ValidationError(
                            f"{name}[{i}] ({type(obj).__name__}) does not satisfy riskkit.{proto.__name__}: "
                            f"missing attribute(s) {', '.join(map(repr, missing))}",
                            table=name,
                            row=i,
                        )
            columns[name] = _columns_from_objects(name, objs)
        options = _Options(as_of, statistical, errors, unknown_columns, currency, rates, tolerance, export_date)
        return cls._build(columns, options)

    @classmethod
    def from_frames(
        cls,
        *,
        customers: Any = None,
        exposures: Any = None,
        invoices: Any = None,
        payments: Any = None,
        orders: Any = None,
        statements: Any = None,
        events: Any = None,
        insurance: Any = None,
        promises: Any = None,
        disputes: Any = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
        export_date: Any = None,
        **unknown: Any,
    ) -> Portfolio:
        """Build from pandas DataFrames whose column names are the record field names.

        Nullable and datetime columns are read without silent coercion: a
        datetime with a time of day, or with a time zone, is refused.
        """
        given = _given("from_frames", unknown, customers, exposures, invoices, payments, orders, statements, events,
                       insurance, promises, disputes)
        for name, df in given.items():
            _check_frame(name, df)
        # each frame's columns are read when its table is validated, and let go after it: a book of
        # millions of rows never holds every table twice over
        columns = _ReadOnDemand({name: functools.partial(_columns_from_frame, name, df) for name, df in given.items()})
        options = _Options(as_of, statistical, errors, unknown_columns, currency, rates, tolerance, export_date)
        return cls._build(columns, options)

    @classmethod
    def from_arrow(
        cls,
        *,
        customers: Any = None,
        exposures: Any = None,
        invoices: Any = None,
        payments: Any = None,
        orders: Any = None,
        statements: Any = None,
        events: Any = None,
        insurance: Any = None,
        promises: Any = None,
        disputes: Any = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
        export_date: Any = None,
        **unknown: Any,
    ) -> Portfolio:
        """Build from pyarrow Tables (or RecordBatches) whose column names are the record field names.

        No pandas and no Python object per value where Arrow can hand a
        column over as numpy: numbers and dates as stored, ASCII text as
        unicode arrays, dictionary-encoded text (customer ids, codes) checked
        and interned once per distinct value. Nullable integer and boolean
        columns and other text come over as Python objects, checked value by
        value; a timestamp with a time zone is refused. Needs ``pyarrow``.

        Examples
        --------
        >>> import datetime, pyarrow as pa
        >>> p = Portfolio.from_arrow(
        ...     customers=pa.table({"id": ["C1", "C2"], "name": ["Acme", "Bolt"]}),
        ...     invoices=pa.table({"id": ["I1"], "customer_id": pa.array(["C2"]).dictionary_encode(),
        ...                        "issued": [datetime.date(2025, 1, 2)], "due": [datetime.date(2025, 2, 1)],
        ...                        "amount": [700.0]}),
        ...     as_of="2025-03-01",
        ... )
        >>> p.invoices["customer_id"].tolist(), str(p.invoices["due"][0])
        (['C2'], '2025-02-01')
        """
        from riskkit._arrow import columns_from_arrow

        given = _given("from_arrow", unknown, customers, exposures, invoices, payments, orders, statements, events,
                       insurance, promises, disputes)
        # each table is converted when it is validated, and let go after it
        columns = _ReadOnDemand({name: functools.partial(columns_from_arrow, name, t) for name, t in given.items()})
        options = _Options(as_of, statistical, errors, unknown_columns, currency, rates, tolerance, export_date)
        return cls._build(columns, options)

    @classmethod
    def from_parquet(
        cls,
        book: str | os.PathLike[str] | None = None,
        *,
        partitions: int | Iterable[int] | None = None,
        customers: Any = None,
        exposures: Any = None,
        invoices: Any = None,
        payments: Any = None,
        orders: Any = None,
        statements: Any = None,
        events: Any = None,
        insurance: Any = None,
        promises: Any = None,
        disputes: Any = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
        export_date: Any = None,
        **unknown: Any,
    ) -> Portfolio:
        """Build from Parquet: a book folder (written by :func:`riskkit.dask.write_partitioned`, or holding a
        ``<table>.parquet`` file per table), or a file (or a folder of files) per table.

        Read with Arrow and converted as :meth:`from_arrow` converts, one
        table at a time (a table's Arrow data is let go once its columns are
        read), with customer ids and other repeated text read as
        dictionaries: the way to load a book of millions of invoices on one
        machine. Needs ``pyarrow``.

        Parameters
        ----------
        book : path, optional
            A folder written by :func:`riskkit.dask.write_partitioned`, or
            one with ``customers.parquet`` and any other ``<table>.parquet``;
            give it, or the tables one by one, not both.
        partitions : int or iterable of int, optional
            With ``book``: which partitions to read (default: all).
        customers, exposures, invoices, ... : path, optional
            A Parquet file, or a folder of Parquet files, per table.

        Examples
        --------
        >>> import tempfile
        >>> from riskkit.dask import write_partitioned
        >>> from riskkit.datasets._synthetic import generate
        >>> raw, _ = generate(30, seed=2)
        >>> folder = write_partitioned(tempfile.mkdtemp(), raw, npartitions=2)
        >>> whole = Portfolio.from_parquet(folder, as_of="2025-12-31")
        >>> half = Portfolio.from_parquet(folder, partitions=[0], as_of="2025-12-31")
        >>> whole.n_customers, 0 < half.n_customers < 30
        (30, True)
        """
        from riskkit._arrow import ReadAhead, book_files, partition_keys, release_memory

        tables = (customers, exposures, invoices, payments, orders, statements, events, insurance, promises, disputes)
        if book is not None:
            named = [name for name, path in zip(_TABLE_ORDER, tables, strict=True) if path is not None]
            if named:
                raise SchemaError(f"Portfolio.from_parquet: give a book folder or tables ({', '.join(named)}), "
                                  "not both")
            _check_call("from_parquet", unknown, True)
            files = book_files(book, partitions)
        else:
            if partitions is not None:
                raise SchemaError("Portfolio.from_parquet: partitions is for a book folder (book=...)")
            files = {name: [os.fspath(path)] for name, path in _given("from_parquet", unknown, *tables).items()}
        options = _Options(as_of, statistical, errors, unknown_columns, currency, rates, tolerance, export_date)
        # the next table is read while this one is checked, in the order the build asks for them
        disjoint = partition_keys(book) if book is not None else frozenset()
        tables_ahead = ReadAhead(files, order=READ_ORDER, disjoint=disjoint)
        try:
            return cls._build(tables_ahead, options)
        finally:
            tables_ahead.close()
            release_memory()

    @classmethod
    def from_csv(
        cls,
        *,
        customers: str | os.PathLike[str] | None = None,
        exposures: str | os.PathLike[str] | None = None,
        invoices: str | os.PathLike[str] | None = None,
        payments: str | os.PathLike[str] | None = None,
        orders: str | os.PathLike[str] | None = None,
        statements: str | os.PathLike[str] | None = None,
        events: str | os.PathLike[str] | None = None,
        insurance: str | os.PathLike[str] | None = None,
        promises: str | os.PathLike[str] | None = None,
        disputes: str | os.PathLike[str] | None = None,
        encoding: str = "utf-8",
        delimiter: str = ",",
        decimal: str = ".",
        thousands: str = "",
        date_format: str | None = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
        currency: str | None = None,
        rates: Any = None,
        tolerance: float = 1.0,
        export_date: Any = None,
        **unknown: Any,
    ) -> Portfolio:
        """Build from CSV files with a header row of record field names.

        Schema: :func:`schema`. Dates are ``YYYY-MM-DD`` unless ``date_format``
        (a strptime format such as ``"%d.%m.%Y"``) says otherwise; numbers
        use ``decimal`` (``"."`` or ``","``) and ``thousands`` (``""``, ``"."``,
        ``","``, ``" "`` or ``"'"``), and a trailing minus (``12,50-``) is a
        negative number; booleans are ``true``/``false``/``1``/``0``/``yes``/
        ``no``; an empty cell is a missing value. ``delimiter`` may be
        ``"auto"``; a leading byte-order mark is dropped. A line that cannot
        be read (wrong field count, unterminated quote) rejects only its own
        record, with the file's line number in the reason. Row numbers count
        a file's data records from 0, blank lines excluded and unreadable
        records included (see :mod:`riskkit._csvfile`).

        Examples
        --------
        >>> import os, tempfile
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = os.path.join(folder.name, "customers.csv")
        >>> with open(path, "w", encoding="utf-8") as fh:
        ...     _ = fh.write("id;name;established;industry_risk\\nC1;Acme;31.01.1999;1,5\\n")
        >>> p = Portfolio.from_csv(customers=path, delimiter=";", decimal=",", date_format="%d.%m.%Y")
        >>> p.customers["industry_risk"].tolist(), str(p.customers["established"][0])
        ([1.5], '1999-01-31')
        >>> folder.cleanup()
        """
        given = _given("from_csv", unknown, customers, exposures, invoices, payments, orders, statements, events,
                       insurance, promises, disputes)
        dialect = Dialect(
            delimiter=delimiter, decimal=decimal, thousands=thousands, date_format=date_format, encoding=encoding
        )
        columns = {}
        problems = {}
        for name, path in given.items():
            columns[name], problems[name] = _columns_from_csv(name, path, dialect)
        options = _Options(as_of, statistical, errors, unknown_columns, currency, rates, tolerance, export_date)
        return cls._build(columns, options, problems=problems)

    @classmethod
    def from_profile(
        cls,
        path: str | os.PathLike[str],
        *,
        errors: str = "raise",
        as_of: Any = None,
        statistical: Iterable[str] = (),
        **unknown: Any,
    ) -> Portfolio:
        """Build from ERP exports described once in a load profile (a TOML file).

        The profile names each table's export file and how to read it: the
        CSV dialect, which source column holds which field (or several joined
        into one key, such as SAP's fiscal year and document number), which
        source values are credit notes, which rows to skip (drafts, cancelled
        documents; counted in :attr:`skipped`), the reporting currency, the
        rates and the payment tolerance. See docs/guide/erp.md for the keys
        and complete SAP, Odoo and ERPNext profiles.

        Parameters
        ----------
        path : str or path-like
            The profile. Paths inside it are relative to its folder.
        errors : {"raise", "collect"}, default "raise"
            As in :class:`Portfolio`; row numbers in rejections are the
            export file's data records (from 0), skipped rows included.
        as_of : date-like, optional
            As in :class:`Portfolio`.
        statistical : iterable of str, optional
            As in :class:`Portfolio`.

        Returns
        -------
        Portfolio

        Raises
        ------
        riskkit.errors.ValidationError
            The profile is malformed (TOML syntax, a value of the wrong type,
            a missing file, a source column not in its file), or a row is bad
            with ``errors="raise"``; the message names the profile key, file
            or column.
        riskkit.errors.SchemaError
            An unknown key, table or field, listing the accepted ones.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "KNA1.csv").write_text("KUNNR;NAME1\\n0000100042;Acme GmbH\\n0000100057;Bolt KG\\n")
        >>> _ = (folder / "FBL5N.csv").write_text(
        ...     "GJAHR;BELNR;KUNNR;BLDAT;FAEDT;WRBTR;SHKZG;BSTAT\\n"
        ...     "2024;0090000001;0000100042;02.12.2024;01.01.2025;1.190,00;S;\\n"
        ...     "2025;0090000001;0000100042;03.02.2025;05.03.2025;2.380,00;S;\\n"
        ...     "2025;0016000001;0000100042;10.02.2025;10.02.2025;380,00;H;\\n"
        ...     "2025;0090000002;0000100057;12.02.2025;14.03.2025;500,00;S;V\\n")
        >>> _ = (folder / "profile.toml").write_text('''
        ... currency = "EUR"
        ... [tables.customers]
        ... path = "KNA1.csv"
        ... delimiter = ";"
        ... columns = { id = "KUNNR", name = "NAME1" }
        ... [tables.invoices]
        ... path = "FBL5N.csv"
        ... delimiter = ";"
        ... decimal = ","
        ... thousands = "."
        ... date_format = "%d.%m.%Y"
        ... sign = { column = "SHKZG", credit = ["H"] }
        ... where = { BSTAT = [""] }
        ... [tables.invoices.columns]
        ... id = ["GJAHR", "BELNR"]
        ... customer_id = "KUNNR"
        ... issued = "BLDAT"
        ... due = "FAEDT"
        ... amount = "WRBTR"
        ... ''')
        >>> p = Portfolio.from_profile(folder / "profile.toml", as_of="2025-03-31")
        >>> p.invoices["id"].tolist()
        ['2024-0090000001', '2025-0090000001', '2025-0016000001']
        >>> p.skipped, p.rejected
        ({'invoices': 1}, ())
        >>> p.features()["open_amount"].tolist()
        [3190.0, 0.0]
        >>> import shutil; shutil.rmtree(folder)
        """
        from riskkit._profile import load

        if unknown:
            names = ", ".join(repr(str(k)) for k in sorted(map(str, unknown)))
            raise SchemaError(
                f"Portfolio.from_profile: unknown keyword argument(s) {names}; accepted: path, errors, as_of, "
                "statistical (tables, currency, rates and the CSV dialect are set in the profile itself)"
            )
        return load(path, errors=errors, as_of=as_of, statistical=statistical)

    @classmethod
    def from_sql(cls, connection_or_url: Any, queries: Mapping[str, Any], **options: Any) -> Portfolio:
        """Build from a database: one query (or table name) per table. Needs ``riskkit[sql]`` (SQLAlchemy).

        ``connection_or_url`` is a SQLAlchemy URL (``postgresql+psycopg2://user@host/erp``,
        ``sqlite:///erp.db``), Engine or Connection; ``queries`` maps table name
        (``customers`` required) to a ``SELECT`` whose column names are the record
        field names (rename with ``AS``), a table name, or a SQLAlchemy ``select()``;
        ``options`` are those of :meth:`from_arrays` (``as_of``, ``errors``, ...).
        The same rows give the same Portfolio as :meth:`from_frames` or
        :meth:`from_csv`. See :func:`riskkit.sql.read_portfolio` for the types
        read and the errors raised, and docs/guide/sql.md.

        Examples
        --------
        >>> import sqlalchemy as sa
        >>> erp = sa.create_engine("sqlite://")
        >>> with erp.begin() as conn:
        ...     _ = conn.exec_driver_sql("CREATE TABLE kna1 (kunnr TEXT, name1 TEXT)")
        ...     _ = conn.exec_driver_sql("INSERT INTO kna1 VALUES ('0042', 'Acme GmbH')")
        >>> p = Portfolio.from_sql(erp, {"customers": "SELECT kunnr AS id, name1 AS name FROM kna1"},
        ...                        as_of="2025-06-30")
        >>> p.customer_ids.tolist(), p.customers["name"].tolist()
        (['0042'], ['Acme GmbH'])
        """
        from riskkit.sql import read_portfolio

        return read_portfolio(connection_or_url, queries, **options)

    # --- accessors -----------------------------------------------------------

    @property
    def customer_ids(self) -> np.ndarray:
        """Customer ids in portfolio order: the row order of every result."""
        return self._tables["customers"]["id"]

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.customer_ids.size)

    def __len__(self) -> int:
        return self.n_customers

    @property
    def as_of(self) -> _dt.date:
        """The default point in time for features and signals."""
        return self._as_of

    @property
    def currency(self) -> str:
        """The reporting currency every amount is in (``""`` when the data names none)."""
        return self._currency

    @property
    def tolerance(self) -> float:
        """The payment tolerance this book was loaded with (document currency)."""
        return self._tolerance

    @property
    def export_date(self) -> _dt.date | None:
        """The date of the ``residual`` open amounts, or None when the book has none."""
        return self._export_date

    @property
    def skipped(self) -> dict[str, int]:
        """Rows a load profile skipped on purpose (its ``where`` filter), per table."""
        return dict(self._skipped)

    @property
    def default_definition(self) -> DefaultDefinition:
        """When a customer counts as in default (feature ``in_default``); see :class:`riskkit.DefaultDefinition`."""
        return self._default_definition

    def with_default_definition(self, definition: DefaultDefinition) -> Portfolio:
        """The same book judged with another default definition (the tables are shared, not copied).

        Examples
        --------
        >>> import riskkit
        >>> p = Portfolio.from_records(customers=[{"id": "A"}], as_of="2025-01-01")
        >>> p.with_default_definition(riskkit.DefaultDefinition(days_past_due=60)).default_definition.days_past_due
        60
        """
        if not isinstance(definition, DefaultDefinition):
            raise ValidationError(
                f"definition must be a riskkit.DefaultDefinition, got {type(definition).__name__}",
                field="definition",
            )
        other = copy.copy(self)
        other._default_definition = definition
        other._cache_lock = threading.Lock()
        other._building = {}
        with self._cache_lock:  # a cache of its own, starting with what does not depend on the definition
            other._cache = {name: dict(self._cache[name]) for name in self._inherited if name in self._cache}
            other._inherited = set(self._inherited)
        return other

    def in_default(self, as_of: Any = None, definition: DefaultDefinition | None = None) -> np.ndarray:
        """Per customer, in portfolio order: whether it is in default at ``as_of`` (docs/domain.md, default).

        ``definition`` defaults to :attr:`default_definition`.
        """
        book = self if definition is None else self.with_default_definition(definition)
        return np.asarray(book.features(as_of)["in_default"] > 0)

    @property
    def statistical(self) -> frozenset[str]:
        """Exposure categories reported but not counted against the limit."""
        return self._statistical

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """Rows left out by ``errors="collect"``, each with its reason (empty otherwise)."""
        return self._rejected

    def table(self, name: str) -> TableView:
        """One table by name; an unknown name raises :class:`~riskkit.errors.SchemaError`."""
        try:
            return self._tables[name]
        except KeyError:
            raise SchemaError(f"unknown table {name!r}; tables: {', '.join(_TABLE_ORDER)}") from None

    customers = property(lambda self: self._tables["customers"], doc="The customers table.")
    exposures = property(lambda self: self._tables["exposures"], doc="The exposures table.")
    invoices = property(lambda self: self._tables["invoices"], doc="The invoices table.")
    payments = property(lambda self: self._tables["payments"], doc="The payments table.")
    orders = property(lambda self: self._tables["orders"], doc="The orders table.")
    statements = property(lambda self: self._tables["statements"], doc="The statements table.")
    events = property(lambda self: self._tables["events"], doc="The events table.")
    insurance = property(lambda self: self._tables["insurance"], doc="The credit-insurance decisions table.")
    promises = property(lambda self: self._tables["promises"], doc="The promises-to-pay table.")
    disputes = property(lambda self: self._tables["disputes"], doc="The disputes table.")

    def codes(self, customer_ids: Iterable[str]) -> np.ndarray:
        """Integer codes (row positions) of ``customer_ids``; an unknown id raises naming it.

        Examples
        --------
        >>> p = Portfolio.from_records(customers=[{"id": "A"}, {"id": "B"}], as_of="2025-01-01")
        >>> p.codes(["B", "A"]).tolist()
        [1, 0]
        """
        if isinstance(customer_ids, str):
            raise ValidationError(
                f"customer_ids must be an iterable of ids, got the single string {customer_ids!r}; "
                f"pass [{customer_ids!r}]",
                field="customer_id",
                value=customer_ids,
            )
        index = self._index
        out = []
        for cid in customer_ids:
            try:
                out.append(index[cid])
            except (KeyError, TypeError):
                raise ValidationError(f"unknown customer id {show(cid)}", field="customer_id", value=cid) from None
        return np.asarray(out, dtype=np.int64)

    @property
    def _index(self) -> dict[str, int]:
        """Customer id -> code, built on first use (kept by copies: it does not depend on the definition)."""
        return self._cached("customer_index", lambda: {k: i for i, k in enumerate(self.customer_ids.tolist())},
                            inherit=True)

    def resolve_as_of(self, as_of: Any = None) -> np.datetime64:
        """``as_of`` as ``datetime64[D]``, defaulting to :attr:`as_of`."""
        return np.datetime64(self._as_of, "D") if as_of is None else as_of_day(as_of)

    def features(self, as_of: Any = None) -> FeatureFrame:
        """Risk features per customer at ``as_of`` (default :attr:`as_of`).

        Follows the point-in-time rule: only facts known on ``as_of`` are used.
        See :func:`riskkit.features.catalogue` for every column's definition.
        The last few results are cached (a Portfolio and its FeatureFrames are
        immutable), so signals, scorers and policies asking for the same date
        share one computation.

        Raises
        ------
        ValidationError
            ``as_of`` is before :attr:`export_date` in a book read from
            ``residual`` amounts: what was open then is not known.
        """
        when = self.resolve_as_of(as_of)
        if self._export_date is not None and when < np.datetime64(self._export_date, "D"):
            raise ValidationError(
                f"as_of {when} is before the export date {self._export_date} of this book's residual "
                "(open) amounts; what was open before the export is not known. Use an as_of on or after it.",
                field="as_of",
                value=str(when),
            )
        return self.features_history(when)

    def features_history(self, as_of: np.datetime64) -> FeatureFrame:
        """Features at ``as_of`` for looking back (trends, backtests): like :meth:`features`,
        but before the export date of a residual book the amounts only it could tell are NaN.

        Examples
        --------
        >>> p = Portfolio.from_records(
        ...     customers=[{"id": "A"}],
        ...     invoices=[{"id": "I1", "customer_id": "A", "issued": "2025-01-02", "due": "2025-02-01",
        ...                "amount": 100.0, "residual": 40.0}],
        ...     as_of="2025-03-01")
        >>> float(p.features_history(np.datetime64("2025-02-15"))["open_amount"][0])   # before the export
        nan
        >>> float(p.features()["open_amount"][0])
        40.0
        """
        from riskkit.features import compute

        when = self.resolve_as_of(as_of)
        return self._cached("features", lambda: compute(self, when), at=when, keep=_FEATURE_CACHE_SIZE)

    def derived(self, key: str, build: Callable[[Portfolio], _T]) -> _T:
        """A value derived from this (immutable) Portfolio, built once by ``build(self)`` and kept.

        Used for work shared by features, signals, policy and collections,
        such as the open-item ledger; thread-safe (two threads may build the
        same value at once; the first one stored wins). The value must not
        depend on :attr:`default_definition`: :meth:`with_default_definition`
        copies keep it.

        Examples
        --------
        >>> p = Portfolio.from_records(customers=[{"id": "A"}], as_of="2025-01-01")
        >>> p.derived("n", lambda q: q.n_customers)
        1
        """
        return self._cached("derived", lambda: build(self), at=key, inherit=True)

    def _cached(
        self,
        name: str,
        build: Callable[[], _T],
        *,
        at: Hashable = None,
        keep: int | None = None,
        inherit: bool = False,
    ) -> _T:
        """The one cache of a Portfolio: ``build()`` computed once and kept with this (immutable) book.

        Features, the ledger, signal contexts and :meth:`derived` values all
        live here, so a Portfolio owns what is computed from it and nothing is
        kept anywhere else (never in ``__dict__`` by other modules).

        Parameters
        ----------
        name : str
            What is kept, one name per kind of value (``"features"``,
            ``"ledger"``, ``"signals.context"``, ...).
        build : callable
            Called without arguments when the value is not kept yet.
        at : hashable, optional
            Which value of ``name``, e.g. its ``datetime64[D]`` date.
        keep : int, optional
            Keep at most this many values of ``name``, dropping the oldest
            stored first; default all.
        inherit : bool, default False
            The value does not depend on :attr:`default_definition`:
            :meth:`with_default_definition` copies start with it. Otherwise
            (and for every value stored after the copy) a copy's cache is its
            own: copies never share one.

        Returns
        -------
        The kept value.

        Notes
        -----
        Thread-safe: a lock guards the cache, and each value has its own
        lock while it is built, so two threads asking for the same value build
        it once (the second waits for it) while different values are built
        at the same time, and ``build`` may use the cache itself (features use
        the ledger).

        Examples
        --------
        >>> p = Portfolio.from_records(customers=[{"id": "A"}], as_of="2025-01-01")
        >>> p._cached("n", lambda: p.n_customers)
        1
        >>> p._cached("n", lambda: 2)  # kept: not built again
        1
        """
        with self._cache_lock:
            values = self._cache.get(name)
            if values is not None and at in values:
                return values[at]
            # one build per value: a second thread asking for it waits for the first one's
            building = self._building.setdefault((name, at), threading.RLock())
        with building:
            with self._cache_lock:
                values = self._cache.get(name)
                if values is not None and at in values:
                    return values[at]
            try:
                value = build()
            finally:
                with self._cache_lock:
                    self._building.pop((name, at), None)
            with self._cache_lock:
                values = self._cache.setdefault(name, {})
                value = values.setdefault(at, value)
                if keep is not None:
                    while len(values) > keep:
                        values.pop(next(iter(values)))
                if inherit:
                    self._inherited.add(name)
        return value

    # --- display -------------------------------------------------------------

    def _counts(self) -> dict[str, int]:
        return {name: self._tables[name].n_rows for name in _TABLE_ORDER}

    def __repr__(self) -> str:
        counts = self._counts()
        parts = [f"{counts['customers']} customers"] + [
            f"{counts[name]} {name}" for name in ("invoices", "payments", "orders", "statements", "events")
        ]
        return f"Portfolio({', '.join(parts)}, as_of={self._as_of})"

    def _repr_html_(self) -> str:
        from riskkit._display import html_table

        counts = self._counts()
        rows = [[name, f"{n:,}"] for name, n in counts.items()]
        rows.append(["as_of", str(self._as_of)])
        if self._rejected:
            rows.append(["rejected rows", f"{len(self._rejected):,}"])
        return html_table(["table", "rows"], rows, caption="riskkit.Portfolio")

    # --- helpers -------------------------------------------------------------

    def _latest_date(self) -> _dt.date:
        candidates = [
            ("invoices", "issued"),
            ("invoices", "paid_on"),
            ("payments", "date"),
            ("orders", "date"),
            ("events", "date"),
            ("statements", "period_end"),
            ("statements", "published"),
        ]
        latest: np.datetime64 | None = None
        for table, column in candidates:
            values = self._tables[table][column]
            if values.dtype == np.dtype("datetime64[D]"):
                # on the day numbers: NaT is the smallest, so the largest is a day unless all are NaT
                m = values.view(np.int64).max(initial=np.iinfo(np.int64).min).astype("datetime64[D]")
                if np.isnat(m):
                    continue
            else:
                values = values[~np.isnat(values)]
                if not values.size:
                    continue
                m = values.max()
            latest = m if latest is None else max(latest, m)
        if latest is None:
            return _dt.date.today()
        return latest.astype(object)


_CSV_OPTIONS = ("encoding", "delimiter", "decimal", "thousands", "date_format")


def _given(method: str, unknown: Mapping[str, Any], *tables: Any) -> dict[str, Any]:
    """The tables a constructor was given (in :data:`_TABLE_ORDER`), by name; checked with :func:`_check_call`."""
    _check_call(method, unknown, tables[0])
    return {name: table for name, table in zip(_TABLE_ORDER, tables, strict=True) if table is not None}


def _check_call(method: str, unknown: Mapping[str, Any], customers: Any) -> None:
    """Refuse keywords a constructor does not know, and a missing customers table, naming what is accepted."""
    options = (*_CSV_OPTIONS, *_Options._fields) if method == "from_csv" else _Options._fields
    if unknown:
        names = sorted(map(str, unknown))
        close = [
            f"{name!r} (did you mean {match[0]!r}?)" if match else repr(name)
            for name in names
            for match in [difflib.get_close_matches(name, (*_TABLE_ORDER, *options), n=1)]
        ]
        raise SchemaError(
            f"Portfolio.{method}: unknown keyword argument(s) {', '.join(close)}; accepted tables: "
            f"{', '.join(_TABLE_ORDER)}; options: {', '.join(options)}"
        )
    if customers is None:
        raise SchemaError(
            f"Portfolio.{method}: customers is required (the customers table, one row per customer); "
            f"the other tables ({', '.join(_TABLE_ORDER[1:])}) are optional"
        )


def _rows_of(table: str, rows: Any, what: str) -> list[Any]:
    """A table given as rows: any iterable of rows but text, a mapping (one row) or a DataFrame."""
    if isinstance(rows, str | bytes | bytearray | Mapping) or not isinstance(rows, Iterable) or (
        type(rows).__name__ == "DataFrame"
    ):
        hint = (
            "; for one row, wrap it in a list: [row]" if isinstance(rows, Mapping)
            else "; pass DataFrames to Portfolio.from_frames" if type(rows).__name__ == "DataFrame"
            else ""
        )
        raise ValidationError(
            f"{table}: a table must be an iterable of rows ({what}), such as a list; "
            f"got {type(rows).__name__}{hint}",
            table=table,
        )
    return list(rows)


def _columns_from_dicts(table: str, rows: Iterable[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    rows = _rows_of(table, rows, "mappings of field to value")
    keys: dict[str, None] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValidationError(
                f"{table} row {i}: expected a mapping of field to value, got {type(row).__name__}",
                table=table,
                row=i,
            )
        keys.update(dict.fromkeys(row))
    out = {}
    for key in keys:
        col = np.empty(len(rows), dtype=object)
        col[:] = [row.get(key) for row in rows]
        out[key] = col
    return out


def _columns_from_objects(table: str, objs: list[Any]) -> dict[str, np.ndarray]:
    out = {}
    for column in _schema.TABLES[table].columns:
        present = [hasattr(o, column.name) for o in objs]
        if column.optional and not any(present):
            continue
        col = np.empty(len(objs), dtype=object)
        col[:] = [getattr(o, column.name, None) for o in objs]
        out[column.name] = col
    return out


class _ReadOnDemand(Mapping[str, Any]):
    """Tables by name, each read by its function when looked up (and not kept)."""

    def __init__(self, readers: Mapping[str, Callable[[], Any]]) -> None:
        self._readers = dict(readers)

    def __getitem__(self, name: str) -> Any:
        return self._readers[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._readers)

    def __len__(self) -> int:
        return len(self._readers)


def _check_frame(table: str, df: Any) -> None:
    """Refuse what is not a DataFrame, duplicate column names and time zones, before anything is read."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}", table=table)
    if not df.columns.is_unique:
        dupes = df.columns[df.columns.duplicated()].tolist()
        raise ValidationError(f"{table}: duplicate column names {dupes}", table=table)
    for name in df.columns:
        dtype = df[name].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            raise ValidationError(
                f"{table}: column {name!r} has a time zone ({dtype.tz}); give plain dates", table=table, field=name
            )


def _columns_from_frame(table: str, df: Any) -> dict[str, np.ndarray]:
    import pandas as pd

    _check_frame(table, df)
    out = {}
    for name in df.columns:
        series = df[name]
        dtype = series.dtype
        # within the build: document numbers as ASCII bytes, customer references without an object per row
        compact, reference = _schema.read_as(table, str(name))
        coded = coded_text(np.asarray(series.cat.categories, dtype=object), series.cat.codes.to_numpy(),
                           per_row=not reference) if isinstance(dtype, pd.CategoricalDtype) else None
        if coded is not None:
            out[str(name)] = coded  # text categories without a missing value: checked once per category
        elif pd.api.types.is_extension_array_dtype(dtype):
            text = _arrow_text(series, compact, reference)
            if text is not None:
                out[str(name)] = text  # ASCII text without missing values: no Python object per value
            elif pd.api.types.is_float_dtype(dtype):
                out[str(name)] = series.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                # Int64 stays int (an id column may hold integers); boolean, string, ... stay as they are
                out[str(name)] = series.to_numpy(dtype=object, na_value=None)
        else:
            out[str(name)] = series.to_numpy()
    return out


def _arrow_text(series: Any, compact: bool = False, reference: bool = False) -> np.ndarray | None:
    """A pandas string column stored by Arrow as a fixed-width unicode array, or None (another kind of
    column, a missing value, or text beyond ASCII: read as Python objects). ``compact`` and
    ``reference``: as :func:`riskkit._schema.read_as` gives them for the column."""
    dtype = series.dtype
    if getattr(dtype, "storage", None) != "pyarrow" or not hasattr(series.array, "__arrow_array__"):
        return None
    if type(dtype).__name__ != "StringDtype":
        return None
    try:
        chunked = series.array.__arrow_array__()
    except Exception:  # an Arrow version that cannot hand the column over: read it as objects
        return None
    coded = _repeated_text(chunked, reference)
    return coded if coded is not None else text_from_arrow(chunked, ascii_bytes=compact)


#: Rows from which an Arrow text column is looked at for repeated values, and how many of its first
#: rows are looked at.
_REPEATED_MIN_ROWS = 10_000
_REPEATED_SAMPLE = 4_096


def _repeated_text(chunked: Any, reference: bool = False) -> np.ndarray | None:
    """An Arrow text column whose values repeat (customer references, currencies, kinds) as its distinct
    values and a code per row (:func:`riskkit._ingest.coded_text`: checked and interned once per value, the
    rows sharing one string each), or None: a short column, one whose first rows are mostly distinct (ids,
    names), or one with a missing value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from riskkit._arrow import dictionary_text

    if len(chunked) < _REPEATED_MIN_ROWS or chunked.null_count:
        return None
    head = chunked.slice(0, _REPEATED_SAMPLE)
    if pc.count_distinct(head).as_py() * 4 > len(head):
        return None
    whole = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    # hashed by Arrow, without the GIL: one dictionary, read as a dictionary-encoded Parquet column is
    return dictionary_text(pa.chunked_array([pc.dictionary_encode(whole)]), pa, per_row=not reference)


def _columns_from_csv(table: str, path: Any, dialect: Dialect) -> tuple[dict[str, np.ndarray], list[tuple[int, str]]]:
    """A CSV file as parsed columns (plus ``__row__``, the record numbers) and its unreadable records."""
    raw = read_csv(path, dialect, table=table)
    spec = _schema.TABLES[table]
    if len(raw.header) == 1 and raw.header[0] not in spec.names:
        # a one-column header that is no schema column: most likely the wrong delimiter
        hint = header_hint(raw.header[0], raw.delimiter)
        if hint:
            raise ValidationError(
                f"{table}: the header of {raw.path!r} is the single column {raw.header[0]!r}{hint}", table=table
            )
    out = {
        name: parse_column(spec.column(name).kind if name in spec.names else "text", raw.columns[name], dialect)
        for name in raw.header
    }
    out["__row__"] = raw.rows
    return out, list(raw.problems)
