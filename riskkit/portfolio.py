"""The columnar core: a company's customers and receivables as numpy columns.

A :class:`Portfolio` holds seven tables (customers, exposures, invoices,
payments, orders, statements, events; see :func:`riskkit.portfolio.schema`).
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

import csv
import datetime as _dt
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit import _schema
from riskkit._convert import _Reject, to_date
from riskkit._ingest import Columns, Ingest, Rejection
from riskkit.errors import SchemaError, ValidationError

if TYPE_CHECKING:
    from riskkit.frame import FeatureFrame

__all__ = ["EXPOSURE_CATEGORIES", "Portfolio", "Rejection", "TableView", "schema"]

#: Exposure categories (DOMAIN.md §3); any of them may be declared statistical.
EXPOSURE_CATEGORIES = ("open_orders", "open_deliveries", "open_invoices", "special")

_FEATURE_CACHE_SIZE = 4

_TABLE_ORDER = ("customers", "exposures", "invoices", "payments", "orders", "statements", "events")


def schema() -> dict[str, dict[str, str]]:
    """Describe every table's columns: kind, whether required, and meaning.

    Examples
    --------
    >>> schema()["invoices"]["due"]
    'date, required'
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
    payments carry ``invoice`` (the row of the invoice).
    """

    def __init__(self, name: str, columns: Columns) -> None:
        self.name = name
        self._columns = {k: v for k, v in columns.items() if not k.startswith("__")}

    def __getitem__(self, key: str) -> np.ndarray:
        try:
            return self._columns[key]
        except KeyError:
            raise SchemaError(
                f"table {self.name!r} has no column {key!r}; columns: {', '.join(self._columns)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        """Number of columns (Mapping protocol); see :attr:`n_rows` for rows."""
        return len(self._columns)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(next(iter(self._columns.values())).size) if self._columns else 0

    def __repr__(self) -> str:
        return f"TableView({self.name!r}, {self.n_rows} rows, columns={list(self._columns)})"

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame({k: v for k, v in self._columns.items()})


class Portfolio:
    """Customers, exposures and receivables history as validated numpy columns.

    Build one with :meth:`from_objects`, :meth:`from_records`,
    :meth:`from_frames`, :meth:`from_csv` or :meth:`from_arrays`; they all
    take the same keyword arguments:

    Parameters
    ----------
    customers, exposures, invoices, payments, orders, statements, events
        The tables. Only ``customers`` is required. Column names equal the
        record field names (:mod:`riskkit.records`); see :func:`schema`.
    as_of : date-like, optional
        The default point in time for features. When omitted, the latest
        transaction date in the data (invoice issued, payment, order, event,
        statement period end or publication; never a due date).
    statistical : iterable of str, optional
        Exposure categories reported but not counted against the limit
        (DOMAIN.md §3), from :data:`EXPOSURE_CATEGORIES`.
    errors : {"raise", "collect"}, default "raise"
        ``"raise"``: the first bad row raises :class:`~riskkit.ValidationError`
        naming table, row, field and value. ``"collect"``: bad rows (and rows
        depending on them) are left out and listed in :attr:`rejected`.
    unknown_columns : {"error", "ignore"}, default "error"
        What to do with columns that are not in the schema.
    """

    def __init__(
        self,
        tables: Mapping[str, Columns],
        *,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        rejected: Iterable[Rejection] = (),
    ) -> None:
        missing = set(_TABLE_ORDER) - set(tables)
        if missing:
            raise SchemaError(f"Portfolio needs all tables; missing {sorted(missing)} (use a from_* constructor)")
        self._tables = {name: TableView(name, tables[name]) for name in _TABLE_ORDER}
        stat = tuple(statistical) if not isinstance(statistical, str) else (statistical,)
        bad = [s for s in stat if s not in EXPOSURE_CATEGORIES]
        if bad:
            raise ValidationError(
                f"unknown statistical exposure categories {bad}; accepted: {', '.join(EXPOSURE_CATEGORIES)}",
                field="statistical",
                value=bad,
            )
        self._statistical = frozenset(stat)
        self._rejected = tuple(rejected)
        self._as_of = self._latest_date() if as_of is None else _as_of_arg(as_of)
        self._feature_cache: dict[np.datetime64, FeatureFrame] = {}
        self._cache_lock = threading.Lock()

    # --- constructors --------------------------------------------------------

    @classmethod
    def from_arrays(
        cls,
        *,
        customers: Mapping[str, Any],
        exposures: Mapping[str, Any] | None = None,
        invoices: Mapping[str, Any] | None = None,
        payments: Mapping[str, Any] | None = None,
        orders: Mapping[str, Any] | None = None,
        statements: Mapping[str, Any] | None = None,
        events: Mapping[str, Any] | None = None,
        as_of: Any = None,
        statistical: Iterable[str] = (),
        errors: str = "raise",
        unknown_columns: str = "error",
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
        inputs = {
            "customers": customers,
            "exposures": exposures,
            "invoices": invoices,
            "payments": payments,
            "orders": orders,
            "statements": statements,
            "events": events,
        }
        tables, rejected = Ingest(errors=errors, unknown_columns=unknown_columns).build(inputs)
        return cls(tables, as_of=as_of, statistical=statistical, rejected=rejected)

    @classmethod
    def from_records(
        cls,
        *,
        customers: Iterable[Mapping[str, Any]],
        exposures: Iterable[Mapping[str, Any]] | None = None,
        invoices: Iterable[Mapping[str, Any]] | None = None,
        payments: Iterable[Mapping[str, Any]] | None = None,
        orders: Iterable[Mapping[str, Any]] | None = None,
        statements: Iterable[Mapping[str, Any]] | None = None,
        events: Iterable[Mapping[str, Any]] | None = None,
        **options: Any,
    ) -> Portfolio:
        """Build from iterables of dicts (database rows, JSON).

        A key missing from one row is a missing value on that row; options as
        in :class:`Portfolio`.
        """
        given = dict(
            customers=customers,
            exposures=exposures,
            invoices=invoices,
            payments=payments,
            orders=orders,
            statements=statements,
            events=events,
        )
        columns = {name: _columns_from_dicts(name, rows) for name, rows in given.items() if rows is not None}
        return cls.from_arrays(**columns, **options)  # type: ignore[arg-type]

    @classmethod
    def from_objects(
        cls,
        *,
        customers: Iterable[Any],
        exposures: Iterable[Any] | None = None,
        invoices: Iterable[Any] | None = None,
        payments: Iterable[Any] | None = None,
        orders: Iterable[Any] | None = None,
        statements: Iterable[Any] | None = None,
        events: Iterable[Any] | None = None,
        **options: Any,
    ) -> Portfolio:
        """Build from objects with the records' attributes: riskkit's records or an ERP's own.

        Customers must satisfy :class:`riskkit.Customer` and exposures
        :class:`riskkit.Exposure`; optional attributes are read when present.
        """
        from riskkit.protocols import Customer, Exposure

        given = dict(
            customers=customers,
            exposures=exposures,
            invoices=invoices,
            payments=payments,
            orders=orders,
            statements=statements,
            events=events,
        )
        protocols = {"customers": Customer, "exposures": Exposure}
        columns = {}
        for name, objs in given.items():
            if objs is None:
                continue
            objs = list(objs)
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
        return cls.from_arrays(**columns, **options)  # type: ignore[arg-type]

    @classmethod
    def from_frames(
        cls,
        *,
        customers: Any,
        exposures: Any = None,
        invoices: Any = None,
        payments: Any = None,
        orders: Any = None,
        statements: Any = None,
        events: Any = None,
        **options: Any,
    ) -> Portfolio:
        """Build from pandas DataFrames whose column names are the record field names.

        Nullable and datetime columns are read without silent coercion: a
        datetime with a time of day, or with a time zone, is refused.
        """
        given = dict(
            customers=customers,
            exposures=exposures,
            invoices=invoices,
            payments=payments,
            orders=orders,
            statements=statements,
            events=events,
        )
        columns = {name: _columns_from_frame(name, df) for name, df in given.items() if df is not None}
        return cls.from_arrays(**columns, **options)  # type: ignore[arg-type]

    @classmethod
    def from_csv(
        cls,
        *,
        customers: str | os.PathLike[str],
        exposures: str | os.PathLike[str] | None = None,
        invoices: str | os.PathLike[str] | None = None,
        payments: str | os.PathLike[str] | None = None,
        orders: str | os.PathLike[str] | None = None,
        statements: str | os.PathLike[str] | None = None,
        events: str | os.PathLike[str] | None = None,
        encoding: str = "utf-8",
        delimiter: str = ",",
        **options: Any,
    ) -> Portfolio:
        """Build from CSV files with a header row of record field names.

        Schema: :func:`schema`. Dates are ``YYYY-MM-DD``; numbers use ``.`` as
        decimal separator and no thousands separator; booleans are
        ``true``/``false``/``1``/``0``/``yes``/``no``; an empty cell is a
        missing value. Row numbers in errors count data rows from 0 (the
        file's line number is the row + 2).
        """
        given = dict(
            customers=customers,
            exposures=exposures,
            invoices=invoices,
            payments=payments,
            orders=orders,
            statements=statements,
            events=events,
        )
        columns = {
            name: _columns_from_csv(name, path, encoding=encoding, delimiter=delimiter)
            for name, path in given.items()
            if path is not None
        }
        return cls.from_arrays(**columns, **options)  # type: ignore[arg-type]

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
                raise ValidationError(f"unknown customer id {cid!r}", field="customer_id", value=cid) from None
        return np.asarray(out, dtype=np.int64)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.customer_ids.tolist())}

    def resolve_as_of(self, as_of: Any = None) -> np.datetime64:
        """``as_of`` as ``datetime64[D]``, defaulting to :attr:`as_of`."""
        return np.datetime64(self._as_of if as_of is None else _as_of_arg(as_of), "D")

    def features(self, as_of: Any = None) -> FeatureFrame:
        """Risk features per customer at ``as_of`` (default :attr:`as_of`).

        Follows the point-in-time rule: only facts known on ``as_of`` are used.
        See :func:`riskkit.features.catalogue` for every column's definition.
        The last few results are cached (a Portfolio and its FeatureFrames are
        immutable), so signals, scorers and policies asking for the same date
        share one computation.
        """
        from riskkit.features import compute

        when = self.resolve_as_of(as_of)
        with self._cache_lock:
            cached = self._feature_cache.get(when)
        if cached is not None:
            return cached
        frame = compute(self, when)
        with self._cache_lock:
            self._feature_cache[when] = frame
            while len(self._feature_cache) > _FEATURE_CACHE_SIZE:
                self._feature_cache.pop(next(iter(self._feature_cache)))
        return frame

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
            values = values[~np.isnat(values)]
            if values.size:
                m = values.max()
                latest = m if latest is None else max(latest, m)
        if latest is None:
            return _dt.date.today()
        return latest.astype(object)


def _as_of_arg(value: Any) -> _dt.date:
    try:
        return to_date(value).astype(object)
    except _Reject as exc:
        raise ValidationError(f"as_of ({value!r}) {exc}", field="as_of", value=value) from None


def _columns_from_dicts(table: str, rows: Iterable[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    rows = list(rows)
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


def _columns_from_frame(table: str, df: Any) -> dict[str, np.ndarray]:
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}", table=table)
    if not df.columns.is_unique:
        dupes = df.columns[df.columns.duplicated()].tolist()
        raise ValidationError(f"{table}: duplicate column names {dupes}", table=table)
    out = {}
    for name in df.columns:
        series = df[name]
        dtype = series.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            raise ValidationError(
                f"{table}: column {name!r} has a time zone ({dtype.tz}); give plain dates", table=table, field=name
            )
        if pd.api.types.is_extension_array_dtype(dtype):
            if pd.api.types.is_float_dtype(dtype):
                out[str(name)] = series.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                # Int64 stays int (an id column may hold integers); boolean, string, ... stay as they are
                out[str(name)] = series.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
        else:
            out[str(name)] = series.to_numpy()
    return out


_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?inf(?:inity)?", re.IGNORECASE)
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _columns_from_csv(table: str, path: Any, *, encoding: str, delimiter: str) -> dict[str, np.ndarray]:
    spec = _schema.TABLES[table]
    try:
        with open(path, newline="", encoding=encoding) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise ValidationError(f"{table}: {os.fspath(path)!r} is empty; expected a header row", table=table)
            header = [h.strip() for h in header]
            if header:
                header[0] = header[0].removeprefix("\ufeff")  # a byte-order mark written by spreadsheet tools
            dupes = sorted({h for h in header if header.count(h) > 1})
            if dupes:
                raise ValidationError(
                    f"{table}: {os.fspath(path)!r} has duplicate column names {dupes}", table=table
                )
            rows = []
            for line_no, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) != len(header):
                    raise ValidationError(
                        f"{table}: line {line_no} of {os.fspath(path)!r} has {len(row)} fields, "
                        f"the header has {len(header)}",
                        table=table,
                        row=line_no - 2,
                    )
                rows.append(row)
    except OSError as exc:
        raise ValidationError(f"{table}: cannot read {os.fspath(path)!r}: {exc}", table=table) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{table}: {os.fspath(path)!r} is not valid {encoding}: {exc}; pass encoding=", table=table
        ) from None
    text = np.array(rows, dtype=object).reshape(len(rows), len(header)) if rows else np.empty((0, len(header)), object)
    out = {}
    for j, name in enumerate(header):
        cells = text[:, j]
        kind = spec.column(name).kind if name in spec.names else "text"
        out[name] = _parse_cells(kind, cells)
    return out


def _parse_cells(kind: str, cells: np.ndarray) -> np.ndarray:
    """Parse CSV text by column kind; an unparseable cell stays text, so validation names it."""
    stripped = np.array([c.strip() for c in cells], dtype=object)
    empty = stripped == ""
    out = stripped.copy()
    out[empty] = None
    if kind in ("money", "signed", "ratio"):
        # Plain decimal text only: float() would also take '1_000', 'nan' and non-ASCII digits.
        number = np.fromiter((_NUMBER.fullmatch(c) is not None for c in stripped), dtype=bool, count=stripped.size)
        if (number | empty).all():
            parsed = np.full(stripped.size, np.nan)
            parsed[number] = stripped[number].astype(np.float64)
            return parsed
        out[number] = [float(c) for c in stripped[number]]
        return out
    if kind == "bool":
        for i, c in enumerate(stripped):
            low = c.lower()
            out[i] = True if low in _TRUE else False if low in _FALSE else (None if empty[i] else c)
        return out
    return out

